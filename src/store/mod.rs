//! Storage: SQLite through rusqlite, which lives in this room only.
//!
//! One writer connection (SQLite allows one writer at a time anyway) takes every write in an
//! IMMEDIATE transaction, so a read-check-write can never interleave with another writer; a small
//! pool of reader connections serves reads concurrently under WAL. The async `call`/`write` run
//! the closure on tokio's blocking pool so no SQLite call ever runs on an actix worker.
//! Imports only `catalog`.

pub mod agents;
pub mod audit;
pub mod backup;
pub mod bundle;
pub mod catalog;
pub mod endpoints;
pub mod error;
pub mod files;
pub mod keys;
pub mod lineage;
pub mod migrations;
pub mod model_list;
pub mod models;
pub mod outbox;
pub mod presence;
pub mod projects;
pub mod refs;
pub mod repos;
pub mod saved_searches;
pub mod sessions;
mod sql_types;
pub mod throttle;
pub mod users;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};

pub use error::StoreError;

const MAX_IDLE_READERS: usize = 8;
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// A handle to the database; cheap to clone.
#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

struct Inner {
    path: PathBuf,
    writer: Mutex<Connection>,
    readers: Mutex<Vec<Connection>>,
    /// Writes committed, and how many of them the last WAL sync covered.
    committed: std::sync::atomic::AtomicU64,
    synced: std::sync::atomic::AtomicU64,
}

impl Store {
    /// Opens (creating if needed) the database file and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let mut writer = open_connection(path)?;
        migrations::migrate(&mut writer)?;
        // Models made before repositories existed get their Hub slug once.
        let tx = writer.transaction()?;
        repos::fill_missing_slugs(&tx)?;
        tx.commit()?;
        Ok(Self {
            inner: Arc::new(Inner {
                path: path.to_owned(),
                writer: Mutex::new(writer),
                readers: Mutex::new(Vec::new()),
                committed: Default::default(),
                synced: Default::default(),
            }),
        })
    }

    /// Runs a read on a pooled connection, on the blocking pool.
    pub async fn call<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    {
        self.call_as(f).await
    }

    /// [`Store::call`] for closures with an error type of their own (which must absorb
    /// `StoreError`), e.g. when the closure also feeds the search index.
    pub async fn call_as<T, E, F>(&self, f: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
        F: FnOnce(&Connection) -> Result<T, E> + Send + 'static,
    {
        let store = self.clone();
        spawn_blocking(move || store.call_blocking(f)).await
    }

    /// Runs `f` in one IMMEDIATE transaction on the writer, on the blocking pool; commits when
    /// `f` returns `Ok`, rolls back otherwise.
    pub async fn write<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Transaction<'_>) -> Result<T, StoreError> + Send + 'static,
    {
        let store = self.clone();
        spawn_blocking(move || store.write_blocking(f)).await
    }

    /// [`Store::write`] for closures with an error type of their own (which must absorb
    /// `StoreError`): a refusal decided inside the transaction is returned as it is, and rolls
    /// the transaction back.
    pub async fn write_as<T, E, F>(&self, f: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
        F: FnOnce(&Transaction<'_>) -> Result<T, E> + Send + 'static,
    {
        let store = self.clone();
        spawn_blocking(move || store.write_blocking(f)).await
    }

    /// The synchronous form of [`Store::call`], for code already off the executor.
    pub fn call_blocking<T, E: From<StoreError>>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, E>,
    ) -> Result<T, E> {
        let connection = match lock(&self.inner.readers).pop() {
            Some(connection) => connection,
            None => open_connection(&self.inner.path).map_err(E::from)?,
        };
        let result = f(&connection);
        let mut idle = lock(&self.inner.readers);
        if idle.len() < MAX_IDLE_READERS {
            idle.push(connection);
        }
        result
    }

    /// [`Store::call_blocking`] inside one read transaction: every query of `f` sees the same
    /// snapshot while other connections keep writing (WAL).
    pub fn snapshot_blocking<T, E: From<StoreError>>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, E>,
    ) -> Result<T, E> {
        self.call_blocking(|connection| {
            let snapshot = connection
                .unchecked_transaction()
                .map_err(StoreError::from)?;
            let value = f(&snapshot)?;
            // A read transaction has nothing to keep; ending it frees the snapshot.
            snapshot.rollback().map_err(StoreError::from)?;
            Ok(value)
        })
    }

    /// The synchronous form of [`Store::write`].
    pub fn write_blocking<T, E: From<StoreError>>(
        &self,
        f: impl FnOnce(&Transaction<'_>) -> Result<T, E>,
    ) -> Result<T, E> {
        let mut writer = lock(&self.inner.writer);
        let tx = writer
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(StoreError::from)?;
        let value = f(&tx)?;
        tx.commit().map_err(StoreError::from)?;
        self.inner
            .committed
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Ok(value)
    }

    /// Makes every write committed so far durable, when there are new ones: a passive WAL
    /// checkpoint, which fsyncs the WAL before it copies pages (with `synchronous=NORMAL` the
    /// WAL is synced only then). Run each second, it bounds what a power cut can take to about
    /// a second of writes, where the automatic checkpoint every 1 000 pages bounds only a count
    /// (RELIABILITY T31). Readers and writers are not blocked by a passive checkpoint.
    pub fn sync_wal_blocking(&self) -> Result<bool, StoreError> {
        use std::sync::atomic::Ordering;
        let committed = self.inner.committed.load(Ordering::Relaxed);
        if committed == self.inner.synced.load(Ordering::Relaxed) {
            return Ok(false);
        }
        let writer = lock(&self.inner.writer);
        writer.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))?;
        drop(writer);
        self.inner.synced.store(committed, Ordering::Relaxed);
        Ok(true)
    }
}

/// A poisoned lock only means another thread panicked while holding it; the connection itself
/// is still valid (SQLite rolled back any open transaction when it was dropped).
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

async fn spawn_blocking<T: Send + 'static, E: From<StoreError> + Send + 'static>(
    f: impl FnOnce() -> Result<T, E> + Send + 'static,
) -> Result<T, E> {
    let span = tracing::Span::current();
    tokio::task::spawn_blocking(move || span.in_scope(f))
        .await
        .map_err(|e| E::from(StoreError::TaskFailed(e.to_string())))?
}

fn open_connection(path: &Path) -> Result<Connection, StoreError> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_CREATE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let connection = Connection::open_with_flags(path, flags)?;
    connection.busy_timeout(BUSY_TIMEOUT)?;
    // WAL lets readers run beside the writer; NORMAL is durable across application crashes
    // (only power loss may lose the last transactions, see RELIABILITY.md).
    connection.pragma_update(None, "journal_mode", "WAL")?;
    connection.pragma_update(None, "synchronous", "NORMAL")?;
    connection.pragma_update(None, "foreign_keys", "ON")?;
    Ok(connection)
}

/// The stored form of `now − age`: agents whose last heartbeat is at or after it are active.
pub fn cutoff(age: Duration) -> String {
    stamp(time::OffsetDateTime::now_utc() - age)
}

/// The current time as stored: RFC 3339 UTC with fixed microsecond precision, so that text
/// order is time order.
pub fn now() -> String {
    stamp(time::OffsetDateTime::now_utc())
}

fn stamp(at: time::OffsetDateTime) -> String {
    let format = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z"
    );
    at.format(&format).unwrap_or_default()
}
