//! The `saved_searches` table: a user's named catalog searches.

use rusqlite::{Connection, params};

use super::StoreError;

/// One saved search.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedSearch {
    pub id: String,
    pub name: String,
    /// The canonical query string (`catalog::saved_search::canonical_query`).
    pub query: String,
    pub created_at: String,
}

/// Saves a search; a search of the same name is replaced (saving again updates it).
pub fn save(
    conn: &Connection,
    user_id: i64,
    name: &str,
    query: &str,
    now: &str,
) -> Result<String, StoreError> {
    let id = uuid::Uuid::new_v4().to_string();
    conn.execute(
        "INSERT INTO saved_searches (id, user_id, name, query, created_at) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (user_id, name) DO UPDATE SET query = excluded.query, created_at = excluded.created_at",
        params![id, user_id, name, query, now],
    )?;
    Ok(conn.query_row(
        "SELECT id FROM saved_searches WHERE user_id = ?1 AND name = ?2",
        params![user_id, name],
        |row| row.get(0),
    )?)
}

/// A user's searches, by name.
pub fn list(conn: &Connection, user_id: i64) -> Result<Vec<SavedSearch>, StoreError> {
    let mut statement = conn.prepare_cached(
        "SELECT id, name, query, created_at FROM saved_searches WHERE user_id = ?1
         ORDER BY name COLLATE NOCASE, id",
    )?;
    let rows = statement.query_map(params![user_id], |row| {
        Ok(SavedSearch {
            id: row.get(0)?,
            name: row.get(1)?,
            query: row.get(2)?,
            created_at: row.get(3)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// How many searches a user keeps.
pub fn count(conn: &Connection, user_id: i64) -> Result<usize, StoreError> {
    let n: i64 = conn.query_row(
        "SELECT COUNT(*) FROM saved_searches WHERE user_id = ?1",
        params![user_id],
        |row| row.get(0),
    )?;
    Ok(n as usize)
}

/// Deletes one of the user's searches; false when the user has no such search.
pub fn delete(conn: &Connection, user_id: i64, id: &str) -> Result<bool, StoreError> {
    Ok(conn.execute(
        "DELETE FROM saved_searches WHERE id = ?1 AND user_id = ?2",
        params![id, user_id],
    )? > 0)
}
