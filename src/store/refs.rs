//! Branches and tags of repositories in SQLite (`repo_refs`): names for revisions.

use rusqlite::{Connection, OptionalExtension, params};

use super::StoreError;
use super::repos::find_revision;
use crate::catalog::ids::ModelId;
use crate::catalog::repo::{RefKind, Revision};

/// The revision a branch or tag name points to (`v1`, `refs/heads/v1`, `refs/tags/v1.0`).
pub fn find_ref(
    conn: &Connection,
    model: &ModelId,
    name: &str,
) -> Result<Option<Revision>, StoreError> {
    let (kinds, bare): (&[&str], &str) = if let Some(bare) = name.strip_prefix("refs/heads/") {
        (&["branch"], bare)
    } else if let Some(bare) = name.strip_prefix("refs/tags/") {
        (&["tag"], bare)
    } else {
        (&["branch", "tag"], name)
    };
    for kind in kinds {
        let target: Option<String> = conn
            .query_row(
                "SELECT revision_id FROM repo_refs WHERE model_id = ?1 AND kind = ?2 AND name = ?3",
                params![model, kind, bare],
                |r| r.get(0),
            )
            .optional()?;
        if let Some(target) = target {
            return find_revision(conn, model, &target);
        }
    }
    Ok(None)
}

/// Names a revision; a name already taken (of this kind) is a conflict.
pub fn insert_ref(
    conn: &Connection,
    model: &ModelId,
    kind: RefKind,
    name: &str,
    revision: &str,
    message: Option<&str>,
    at: &str,
) -> Result<(), StoreError> {
    let inserted = conn.execute(
        "INSERT INTO repo_refs (model_id, kind, name, revision_id, message, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT DO NOTHING",
        params![model, kind.as_str(), name, revision, message, at],
    )?;
    if inserted == 0 {
        return Err(StoreError::Conflict(format!(
            "{} `{name}` exists already",
            kind.as_str()
        )));
    }
    Ok(())
}

/// Removes a branch or tag; whether there was one.
pub fn delete_ref(
    conn: &Connection,
    model: &ModelId,
    kind: RefKind,
    name: &str,
) -> Result<bool, StoreError> {
    Ok(conn.execute(
        "DELETE FROM repo_refs WHERE model_id = ?1 AND kind = ?2 AND name = ?3",
        params![model, kind.as_str(), name],
    )? > 0)
}

/// Every branch and tag of the model as (kind, name, revision id), by kind then name.
pub fn list_refs(
    conn: &Connection,
    model: &ModelId,
) -> Result<Vec<(RefKind, String, String)>, StoreError> {
    let mut statement = conn.prepare(
        "SELECT kind, name, revision_id FROM repo_refs WHERE model_id = ?1 ORDER BY kind, name",
    )?;
    let rows = statement.query_map(params![model], |r| {
        let kind: String = r.get(0)?;
        let kind = if kind == "tag" {
            RefKind::Tag
        } else {
            RefKind::Branch
        };
        Ok((kind, r.get(1)?, r.get(2)?))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}
