//! The `api_keys` table. Only the SHA-256 of a key's secret is ever stored.

use rusqlite::{Connection, OptionalExtension, params};

use super::StoreError;
use crate::catalog::ids::{ProjectId, ProjectSlug};

/// A stored key, joined with the slug of its project.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyRecord {
    pub id: String,
    pub project_id: ProjectId,
    pub project_slug: ProjectSlug,
    pub secret_hash: Vec<u8>,
    pub scope: String,
    pub label: Option<String>,
    pub created_at: String,
    pub revoked: bool,
    /// The user who made the key on the keys page; `None` for keys made by `xeroctl admin`.
    pub created_by: Option<i64>,
    /// That user's name, for the owners' view of the keys page.
    pub creator: Option<String>,
}

/// What a new key row holds besides its id and secret digest.
#[derive(Debug, Clone, Copy)]
pub struct NewKey<'a> {
    pub project: &'a ProjectId,
    pub scope: &'a str,
    pub label: Option<&'a str>,
    pub created_by: Option<i64>,
}

pub fn insert_key(
    conn: &Connection,
    id: &str,
    secret_hash: &[u8],
    key: &NewKey<'_>,
    now: &str,
) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO api_keys (id, project_id, secret_hash, scope, label, created_at, created_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![id, key.project, secret_hash, key.scope, key.label, now, key.created_by],
    )?;
    Ok(())
}

const SELECT: &str = "SELECT k.id, k.project_id, p.slug, k.secret_hash, k.scope, k.label, k.created_at, k.revoked_at IS NOT NULL, \
    k.created_by, u.username \
    FROM api_keys k JOIN projects p ON p.id = k.project_id LEFT JOIN users u ON u.id = k.created_by";

pub fn find_key(conn: &Connection, id: &str) -> Result<Option<KeyRecord>, StoreError> {
    conn.query_row(&format!("{SELECT} WHERE k.id = ?1"), params![id], read_key)
        .optional()?
        .transpose()
}

pub fn list_keys(conn: &Connection, project: &ProjectId) -> Result<Vec<KeyRecord>, StoreError> {
    let mut statement = conn.prepare(&format!(
        "{SELECT} WHERE k.project_id = ?1 ORDER BY k.created_at"
    ))?;
    let rows = statement.query_map(params![project], read_key)?;
    let mut keys = Vec::new();
    for row in rows {
        keys.push(row??);
    }
    Ok(keys)
}

/// Marks the key revoked; returns false when no such key exists. Revoking twice is harmless.
pub fn revoke_key(conn: &Connection, id: &str, now: &str) -> Result<bool, StoreError> {
    let found = conn.execute(
        "UPDATE api_keys SET revoked_at = coalesce(revoked_at, ?2) WHERE id = ?1",
        params![id, now],
    )?;
    Ok(found == 1)
}

fn read_key(row: &rusqlite::Row<'_>) -> rusqlite::Result<Result<KeyRecord, StoreError>> {
    let slug: String = row.get(2)?;
    let Some(project_slug) = ProjectSlug::parse(&slug) else {
        return Ok(Err(StoreError::Corrupt(format!("project slug `{slug}`"))));
    };
    Ok(Ok(KeyRecord {
        id: row.get(0)?,
        project_id: row.get(1)?,
        project_slug,
        secret_hash: row.get(3)?,
        scope: row.get(4)?,
        label: row.get(5)?,
        created_at: row.get(6)?,
        revoked: row.get(7)?,
        created_by: row.get(8)?,
        creator: row.get(9)?,
    }))
}
