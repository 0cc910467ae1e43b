//! Errors of the storage room.

/// What can go wrong talking to SQLite.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{entity} `{id}` not found")]
    NotFound { entity: &'static str, id: String },
    #[error("{0}")]
    Conflict(String),
    #[error("database error")]
    Sqlite(#[from] rusqlite::Error),
    #[error("migration {step} failed")]
    Migration { step: u32, source: rusqlite::Error },
    #[error(
        "the database schema is version {found}, newer than this binary knows ({known}); upgrade xeroctl"
    )]
    SchemaTooNew { found: u32, known: u32 },
    #[error("stored value is corrupt: {0}")]
    Corrupt(String),
    #[error("database task failed: {0}")]
    TaskFailed(String),
}

impl StoreError {
    /// Returns true when SQLite refused a write because a UNIQUE constraint was hit.
    pub fn is_unique_violation(&self) -> bool {
        matches!(self, Self::Sqlite(rusqlite::Error::SqliteFailure(e, _)) if e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE || e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY)
    }
}
