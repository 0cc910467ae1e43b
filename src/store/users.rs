//! The `users` table.

use rusqlite::{Connection, OptionalExtension, params};

use super::StoreError;

/// A user row.
#[derive(Debug, Clone, PartialEq)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub password_hash: String,
    pub is_admin: bool,
    pub disabled: bool,
}

/// Inserts a user and returns its row id; a taken name is a `Conflict`.
pub fn insert_user(
    conn: &Connection,
    username: &str,
    password_hash: &str,
    is_admin: bool,
    now: &str,
) -> Result<i64, StoreError> {
    let result = conn.execute(
        "INSERT INTO users (username, password_hash, is_admin, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![username, password_hash, is_admin, now],
    );
    match result.map_err(StoreError::from) {
        Err(e) if e.is_unique_violation() => Err(StoreError::Conflict(format!(
            "user `{username}` already exists"
        ))),
        Err(e) => Err(e),
        Ok(_) => Ok(conn.last_insert_rowid()),
    }
}

pub fn find_user_by_name(conn: &Connection, username: &str) -> Result<Option<User>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT id, username, password_hash, is_admin, disabled_at IS NOT NULL FROM users WHERE username = ?1",
            params![username],
            |row| {
                Ok(User {
                    id: row.get(0)?,
                    username: row.get(1)?,
                    password_hash: row.get(2)?,
                    is_admin: row.get(3)?,
                    disabled: row.get(4)?,
                })
            },
        )
        .optional()?)
}
