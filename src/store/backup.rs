//! Online backups: SQLite's backup API copies a consistent snapshot of the live database (the
//! server keeps writing meanwhile, WAL readers never block it), and the snapshot says which
//! blobs belong with it.

use std::path::Path;
use std::time::Duration;

use rusqlite::backup::StepResult;
use rusqlite::{Connection, OpenFlags};

use super::{Store, StoreError};

impl Store {
    /// Copies the database, as of one moment, into a new file at `target`.
    pub fn backup_to_blocking(&self, target: &Path) -> Result<(), StoreError> {
        self.call_blocking(|connection| {
            let mut copy = Connection::open(target)?;
            let backup = rusqlite::backup::Backup::new(connection, &mut copy)?;
            // All pages in one step (-1): one read snapshot, never restarted by concurrent
            // writes. Busy or Locked only mean another connection held a lock for a moment.
            loop {
                match backup.step(-1)? {
                    StepResult::Done => return Ok(()),
                    StepResult::More | StepResult::Busy | StepResult::Locked => {
                        std::thread::sleep(Duration::from_millis(10));
                    }
                    _ => std::thread::sleep(Duration::from_millis(10)),
                }
            }
        })
    }
}

/// The blobs a database file refers to (revisions, model files, uploads not yet committed), as
/// (sha256, size), each once.
pub fn referenced_blobs(database: &Path) -> Result<Vec<(String, u64)>, StoreError> {
    let connection = Connection::open_with_flags(database, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let mut statement = connection.prepare(
        "SELECT sha256, max(size) FROM (
           SELECT sha256, size FROM revision_files
           UNION ALL SELECT artifact_sha256, artifact_size FROM models WHERE artifact_sha256 IS NOT NULL
           UNION ALL SELECT sha256, size FROM project_blobs)
         GROUP BY sha256 ORDER BY sha256",
    )?;
    let rows = statement.query_map([], |r| Ok((r.get(0)?, r.get::<_, i64>(1)?.max(0) as u64)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Checks a restored database file page by page (`PRAGMA integrity_check`).
pub fn check_integrity(database: &Path) -> Result<(), StoreError> {
    let connection = Connection::open_with_flags(database, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let verdict: String = connection.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
    if verdict == "ok" {
        Ok(())
    } else {
        Err(StoreError::Corrupt(format!("integrity check: {verdict}")))
    }
}
