//! The `sessions` table and the memberships a session needs.

use rusqlite::{Connection, OptionalExtension, params};

use super::StoreError;
use crate::catalog::ids::ProjectId;

/// A live session joined with its user.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionRecord {
    pub user_id: i64,
    pub username: String,
    pub is_admin: bool,
    pub csrf_token: String,
    pub active_project: Option<ProjectId>,
}

pub fn insert_session(
    conn: &Connection,
    token_hash: &[u8],
    user_id: i64,
    csrf: &str,
    active: Option<&ProjectId>,
    now: &str,
    expires_at: &str,
) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO sessions (token_hash, user_id, csrf_token, active_project_id, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![token_hash, user_id, csrf, active, now, expires_at],
    )?;
    Ok(())
}

/// Returns the session unless it expired or its user is disabled.
pub fn find_session(
    conn: &Connection,
    token_hash: &[u8],
    now: &str,
) -> Result<Option<SessionRecord>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT u.id, u.username, u.is_admin, s.csrf_token, s.active_project_id FROM sessions s JOIN users u ON u.id = s.user_id \
             WHERE s.token_hash = ?1 AND s.expires_at > ?2 AND u.disabled_at IS NULL",
            params![token_hash, now],
            |row| Ok(SessionRecord { user_id: row.get(0)?, username: row.get(1)?, is_admin: row.get(2)?, csrf_token: row.get(3)?, active_project: row.get(4)? }),
        )
        .optional()?)
}

pub fn delete_session(conn: &Connection, token_hash: &[u8]) -> Result<(), StoreError> {
    conn.execute(
        "DELETE FROM sessions WHERE token_hash = ?1",
        params![token_hash],
    )?;
    Ok(())
}

pub fn set_active_project(
    conn: &Connection,
    token_hash: &[u8],
    project: &ProjectId,
) -> Result<(), StoreError> {
    conn.execute(
        "UPDATE sessions SET active_project_id = ?2 WHERE token_hash = ?1",
        params![token_hash, project],
    )?;
    Ok(())
}

/// The projects a user belongs to, as (id, name), by name.
pub fn user_projects(
    conn: &Connection,
    user_id: i64,
) -> Result<Vec<(ProjectId, String)>, StoreError> {
    let mut statement = conn.prepare("SELECT p.id, p.name FROM memberships m JOIN projects p ON p.id = m.project_id WHERE m.user_id = ?1 ORDER BY p.name")?;
    let rows = statement.query_map(params![user_id], |row| Ok((row.get(0)?, row.get(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Disables a user and ends all their sessions (RELIABILITY T13).
pub fn disable_user(conn: &Connection, username: &str, now: &str) -> Result<bool, StoreError> {
    let changed = conn.execute(
        "UPDATE users SET disabled_at = ?2 WHERE username = ?1",
        params![username, now],
    )?;
    conn.execute(
        "DELETE FROM sessions WHERE user_id IN (SELECT id FROM users WHERE username = ?1)",
        params![username],
    )?;
    Ok(changed == 1)
}
