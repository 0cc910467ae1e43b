//! Repositories in SQLite: revisions, their files, the blobs a project has sent, model slugs.

use rusqlite::{Connection, OptionalExtension, params};
use sha2::{Digest, Sha256};

use super::StoreError;
use crate::catalog::ids::{ModelId, ProjectId};
use crate::catalog::repo::{RepoFile, Revision, numbered_slug, slugify};

/// Gives the model a slug unique in its project, derived from `name`: the name's slug, else
/// `name-N`. N is found by galloping then bisecting over the taken numbers (a free N after a
/// taken one), so the thousandth model of one name costs a dozen index probes, not a thousand.
pub fn assign_slug(
    conn: &Connection,
    project: &ProjectId,
    model: &ModelId,
    name: &str,
) -> Result<String, StoreError> {
    let base = slugify(name);
    let mut statement = conn.prepare_cached(
        "SELECT EXISTS (SELECT 1 FROM models WHERE project_id = ?1 AND slug = ?2 AND id <> ?3)",
    )?;
    let mut taken = |candidate: &str| -> Result<bool, StoreError> {
        Ok(statement.query_row(params![project, candidate, model], |r| r.get(0))?)
    };
    let candidate = if !taken(&base)? {
        base
    } else {
        // `low` is taken (1 stands for the bare name), `high` is free.
        let (mut low, mut high) = (1u32, 2u32);
        while taken(&numbered_slug(&base, high))? {
            low = high;
            high = high.saturating_mul(2);
            if low == u32::MAX {
                return Err(StoreError::Conflict(format!(
                    "no free slug for `{name}` in this project"
                )));
            }
        }
        while high - low > 1 {
            let middle = low + (high - low) / 2;
            if taken(&numbered_slug(&base, middle))? {
                low = middle;
            } else {
                high = middle;
            }
        }
        numbered_slug(&base, high)
    };
    conn.execute(
        "UPDATE models SET slug = ?2 WHERE id = ?1",
        params![model, candidate],
    )?;
    Ok(candidate)
}

/// Fills the slugs of models made before repositories existed (a lookup in the partial index
/// `models_without_slug`, not a scan: it runs before every start listens).
pub fn fill_missing_slugs(conn: &Connection) -> Result<usize, StoreError> {
    let rows: Vec<(ModelId, ProjectId, String)> = {
        let mut statement = conn.prepare(
            "SELECT id, project_id, name FROM models WHERE slug IS NULL ORDER BY created_at",
        )?;
        let rows = statement.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        rows.collect::<Result<_, _>>()?
    };
    for (id, project, name) in &rows {
        assign_slug(conn, project, id, name)?;
    }
    Ok(rows.len())
}

/// The model behind a Hub repo id, as (model id, project id, model slug).
pub fn find_by_repo(
    conn: &Connection,
    project_slug: &str,
    model_slug: &str,
) -> Result<Option<(ModelId, ProjectId)>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT m.id, m.project_id FROM models m JOIN projects p ON p.id = m.project_id
             WHERE p.slug = ?1 AND m.slug = ?2",
            params![project_slug, model_slug],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?)
}

/// The Hub repo id of a model: `{project-slug}/{model-slug}`.
pub fn repo_id(conn: &Connection, model: &ModelId) -> Result<Option<String>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT p.slug || '/' || m.slug FROM models m JOIN projects p ON p.id = m.project_id WHERE m.id = ?1",
            params![model],
            |r| r.get(0),
        )
        .optional()?)
}

fn revision_from(row: &rusqlite::Row<'_>) -> rusqlite::Result<Revision> {
    Ok(Revision {
        id: row.get(0)?,
        parent: row.get(1)?,
        seq: row.get::<_, i64>(2)? as u64,
        message: row.get(3)?,
        created_at: row.get(4)?,
    })
}

const REVISION_COLUMNS: &str = "id, parent, seq, message, created_at";

/// The newest revision (`main`).
pub fn latest_revision(conn: &Connection, model: &ModelId) -> Result<Option<Revision>, StoreError> {
    Ok(conn
        .query_row(
            &format!("SELECT {REVISION_COLUMNS} FROM revisions WHERE model_id = ?1 ORDER BY seq DESC LIMIT 1"),
            params![model],
            revision_from,
        )
        .optional()?)
}

/// One revision of the model by id.
pub fn find_revision(
    conn: &Connection,
    model: &ModelId,
    id: &str,
) -> Result<Option<Revision>, StoreError> {
    Ok(conn
        .query_row(
            &format!("SELECT {REVISION_COLUMNS} FROM revisions WHERE model_id = ?1 AND id = ?2"),
            params![model, id],
            revision_from,
        )
        .optional()?)
}

/// Every revision of the model, newest first.
pub fn list_revisions(conn: &Connection, model: &ModelId) -> Result<Vec<Revision>, StoreError> {
    let mut statement = conn.prepare(&format!(
        "SELECT {REVISION_COLUMNS} FROM revisions WHERE model_id = ?1 ORDER BY seq DESC"
    ))?;
    let rows = statement.query_map(params![model], revision_from)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The files of a revision, by path.
pub fn revision_files(conn: &Connection, revision: &str) -> Result<Vec<RepoFile>, StoreError> {
    let mut statement = conn.prepare_cached(
        "SELECT path, sha256, size FROM revision_files WHERE revision_id = ?1 ORDER BY path",
    )?;
    let rows = statement.query_map(params![revision], |r| {
        Ok(RepoFile {
            path: r.get(0)?,
            sha256: r.get(1)?,
            size: r.get::<_, i64>(2)? as u64,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Records a new revision holding exactly `files` (sorted by path by the caller).
pub fn insert_revision(
    conn: &Connection,
    model: &ModelId,
    files: &[RepoFile],
    message: &str,
    at: &str,
) -> Result<Revision, StoreError> {
    let parent = latest_revision(conn, model)?;
    let seq = parent.as_ref().map_or(1, |p| p.seq + 1);
    let mut hasher = Sha256::new();
    hasher.update(model.to_string());
    hasher.update(parent.as_ref().map_or("", |p| p.id.as_str()));
    hasher.update(seq.to_le_bytes());
    for file in files {
        hasher.update(format!("{}\0{}\0{}\n", file.path, file.sha256, file.size));
    }
    hasher.update(at);
    let digest = hasher.finalize();
    let id: String = digest.iter().take(20).map(|b| format!("{b:02x}")).collect();
    conn.execute(
        "INSERT INTO revisions (id, model_id, parent, seq, message, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![id, model, parent.as_ref().map(|p| p.id.clone()), seq as i64, message, at],
    )?;
    let mut statement = conn.prepare_cached(
        "INSERT INTO revision_files (revision_id, path, sha256, size) VALUES (?1, ?2, ?3, ?4)",
    )?;
    for file in files {
        statement.execute(params![id, file.path, file.sha256, file.size as i64])?;
    }
    Ok(Revision {
        id,
        parent: parent.map(|p| p.id),
        seq,
        message: message.to_owned(),
        created_at: at.to_owned(),
    })
}

/// A committed blob needs no upload record any more (the revision holds it): dropping it lets
/// garbage collection free the bytes as soon as no revision uses them.
pub fn forget_upload(
    conn: &Connection,
    project: &ProjectId,
    sha256: &str,
) -> Result<(), StoreError> {
    conn.execute(
        "DELETE FROM project_blobs WHERE project_id = ?1 AND sha256 = ?2",
        params![project, sha256],
    )?;
    Ok(())
}

/// The blobs a model's revisions and single file use (candidates to free when it goes).
pub fn model_blobs(conn: &Connection, model: &ModelId) -> Result<Vec<String>, StoreError> {
    let mut statement = conn.prepare(
        "SELECT DISTINCT rf.sha256 FROM revision_files rf JOIN revisions r ON r.id = rf.revision_id
          WHERE r.model_id = ?1
         UNION
         SELECT artifact_sha256 FROM models WHERE id = ?1 AND artifact_sha256 IS NOT NULL",
    )?;
    let rows = statement.query_map(params![model], |r| r.get(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Removes a revision and its file list.
pub fn delete_revision(conn: &Connection, id: &str) -> Result<(), StoreError> {
    conn.execute("DELETE FROM revisions WHERE id = ?1", params![id])?;
    Ok(())
}

/// Notes that the project has sent these bytes.
pub fn record_blob(
    conn: &Connection,
    project: &ProjectId,
    sha256: &str,
    size: u64,
    at: &str,
) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO project_blobs (project_id, sha256, size, received_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (project_id, sha256) DO UPDATE SET received_at = excluded.received_at",
        params![project, sha256, size as i64, at],
    )?;
    Ok(())
}

/// The size of a blob the project has sent, or holds in a revision or as a model file.
pub fn project_blob(
    conn: &Connection,
    project: &ProjectId,
    sha256: &str,
) -> Result<Option<u64>, StoreError> {
    let size: Option<i64> = conn
        .query_row(
            "SELECT size FROM project_blobs WHERE project_id = ?1 AND sha256 = ?2
             UNION ALL
             SELECT rf.size FROM revision_files rf JOIN revisions r ON r.id = rf.revision_id
               JOIN models m ON m.id = r.model_id WHERE m.project_id = ?1 AND rf.sha256 = ?2
             UNION ALL
             SELECT artifact_size FROM models WHERE project_id = ?1 AND artifact_sha256 = ?2
             LIMIT 1",
            params![project, sha256],
            |r| r.get(0),
        )
        .optional()?;
    Ok(size.map(|s| s.max(0) as u64))
}

/// Bytes the project's repositories hold (each blob once) beyond its models' single files
/// (which `files::stored_bytes` counts), for the storage quota.
pub fn repository_bytes(conn: &Connection, project: &ProjectId) -> Result<u64, StoreError> {
    let total: i64 = conn.query_row(
        "SELECT COALESCE(SUM(size), 0) FROM (
           SELECT rf.sha256, rf.size FROM revision_files rf
             JOIN revisions r ON r.id = rf.revision_id JOIN models m ON m.id = r.model_id
            WHERE m.project_id = ?1
           UNION
           SELECT sha256, size FROM project_blobs WHERE project_id = ?1)
         WHERE sha256 NOT IN (SELECT artifact_sha256 FROM models
                              WHERE project_id = ?1 AND artifact_sha256 IS NOT NULL)",
        params![project],
        |r| r.get(0),
    )?;
    Ok(total.max(0) as u64)
}

/// Blobs nothing refers to any more: no revision, no model file, no recent upload.
pub fn unreferenced_blobs(
    conn: &Connection,
    candidates: &[String],
    upload_cutoff: &str,
) -> Result<Vec<String>, StoreError> {
    let mut free = Vec::new();
    let mut statement = conn.prepare_cached(
        "SELECT EXISTS (SELECT 1 FROM revision_files WHERE sha256 = ?1)
             OR EXISTS (SELECT 1 FROM models WHERE artifact_sha256 = ?1)
             OR EXISTS (SELECT 1 FROM project_blobs WHERE sha256 = ?1 AND received_at > ?2)",
    )?;
    for sha in candidates {
        let used: bool = statement.query_row(params![sha, upload_cutoff], |r| r.get(0))?;
        if !used {
            free.push(sha.clone());
        }
    }
    Ok(free)
}

/// Forgets upload records older than the cutoff (their blobs become collectable).
pub fn forget_old_uploads(conn: &Connection, cutoff: &str) -> Result<usize, StoreError> {
    Ok(conn.execute(
        "DELETE FROM project_blobs WHERE received_at <= ?1",
        params![cutoff],
    )?)
}
