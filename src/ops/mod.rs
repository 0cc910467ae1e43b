//! Use cases that span rooms: they check who may act, run the store transaction, write the
//! audit and outbox rows beside the change, and hand catalog changes to the search index.
//!
//! Imports `auth`, `store`, `search`, `markdown` and `catalog`; never `web` or `cli`. Its wings:
//!
//! - `access/`   who may act: `require_read`/`require_write`, keys, sessions, login throttling
//! - `models/`   a project's models: register, edit, delete, share, feature, placement
//! - `files/`    the bytes: the blob store, uploads, repositories and their metadata, collection
//! - `catalog/`  public reads: catalog search and entries, the Hub's view, saved searches
//! - `infra/`    the deploy side: agents and endpoints
//! - `indexing/` SQLite → tantivy: entries, sync, group commits, rebuilds, readiness
//! - `admin/`    operator commands on the data directory: users, projects, bundles, backups
//! - `seed/`     demo data and synthetic catalogs (never on a request path)
//!
//! Folders import `access` and the folders below them; none imports one that imports it back.

pub mod access;
pub mod admin;
pub mod catalog;
pub mod error;
pub mod files;
pub mod indexing;
pub mod infra;
pub mod models;
pub mod seed;

use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use error::OpsError;

use access::{session, throttle};
use files::upload;
use indexing::{group_commit, index_rebuild, index_sync, readiness};

use crate::search::SearchIndex;
use crate::search::index::OpenOutcome;
use crate::store::Store;

/// Everything a use case needs; cheap to clone.
#[derive(Clone)]
pub struct Services {
    pub store: Store,
    /// The catalog index; only the server opens it (admin commands leave changes in the outbox).
    pub search: Option<Arc<SearchIndex>>,
    /// Serialises outbox drains so concurrent writes share index commits.
    pub group_commit: Arc<group_commit::GroupCommit>,
    /// Verifies passwords on a few threads (argon2id costs ~19 MiB and ~19 ms each).
    pub password_pool: crate::auth::hashing::HashingPool,
    /// Signs device cookies; created once per data directory (RELIABILITY T40).
    pub device_key: Arc<crate::auth::device::DeviceKey>,
    /// Login backoff rules (RELIABILITY T40).
    pub throttle: throttle::ThrottlePolicy,
    /// Rendered descriptions by model revision (a detail view costs a lookup, T39).
    pub rendered: Arc<crate::markdown::RenderCache>,
    /// Every blob of every model file (uploads, downloads, bundles, backups, collection).
    pub blobs: files::BlobStore,
    /// Whether writes drain the outbox themselves (off only in crash tests).
    pub sync_after_writes: bool,
    /// Whether catalog reads may be served yet, and how far a start-up rebuild has come.
    pub readiness: Arc<readiness::Readiness>,
    /// Test hook: a pause before each batch a rebuild indexes, so tests can watch it run.
    pub rebuild_pause: Option<std::time::Duration>,
    pub data_dir: PathBuf,
    /// An agent is active while its last heartbeat is younger than this (SPEC §2).
    pub agent_ttl: std::time::Duration,
    pub uploads: upload::UploadLimits,
}

/// Agents stay active this long after their last heartbeat unless configured otherwise.
pub const DEFAULT_AGENT_TTL: std::time::Duration = std::time::Duration::from_secs(60);

/// A platform administrator, as the audit log names them. Made only by `local()` (the admin
/// CLI on the data directory) or from a session whose user is an administrator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminActor(String);

impl AdminActor {
    pub fn local() -> Self {
        Self("admin-cli".to_owned())
    }

    pub fn from_session(session: &session::Session) -> Option<Self> {
        session
            .is_admin
            .then(|| Self(format!("user:{}", session.username)))
    }

    pub fn name(&self) -> &str {
        &self.0
    }
}

impl Services {
    /// Opens the data directory (creating it when missing) and its database, without the index.
    pub fn open(data_dir: &Path) -> Result<Self, OpsError> {
        std::fs::create_dir_all(data_dir).map_err(|e| OpsError::DataDir {
            path: data_dir.to_owned(),
            source: e,
        })?;
        let store = Store::open(&data_dir.join("xero.db"))?;
        let device_key = throttle::load_device_key(&store)?;
        Ok(Self {
            store,
            search: None,
            group_commit: Arc::default(),
            password_pool: crate::auth::hashing::HashingPool::new(cores(), 4 * cores()),
            device_key: Arc::new(device_key),
            throttle: throttle::ThrottlePolicy::default(),
            rendered: Arc::default(),
            blobs: files::BlobStore::new(data_dir),
            sync_after_writes: true,
            readiness: Arc::default(),
            rebuild_pause: None,
            data_dir: data_dir.to_owned(),
            agent_ttl: DEFAULT_AGENT_TTL,
            uploads: upload::UploadLimits::default(),
        })
    }

    /// Opens the database and the search index, and brings the index up to date (rebuilding it
    /// when missing, damaged or of an older schema) before returning.
    pub async fn open_with_index(data_dir: &Path) -> Result<Self, OpsError> {
        let (services, outcome) = Self::open_with_index_unreconciled(data_dir).await?;
        index_sync::reconcile_at_startup(&services, &outcome).await?;
        Ok(services)
    }

    /// Opens the database and the search index without reconciling them: catalog reads answer
    /// `IndexNotReady` until `index_sync::reconcile_at_startup` has run with this outcome (the
    /// server runs it in the background, so it listens at once at any catalog size).
    pub async fn open_with_index_unreconciled(
        data_dir: &Path,
    ) -> Result<(Self, OpenOutcome), OpsError> {
        let mut services = Self::open(data_dir)?;
        let index_dir = data_dir.join("index");
        let (search, outcome) = tokio::task::spawn_blocking(move || SearchIndex::open(&index_dir))
            .await
            .map_err(|e| OpsError::task("index", e))??;
        services.search = Some(Arc::new(search));
        Ok((services, outcome))
    }

    /// Opens the database and the index without syncing, rebuilds the index from the database,
    /// and returns how many models it holds (`xeroctl admin reindex`).
    pub async fn reindex(data_dir: &Path) -> Result<usize, OpsError> {
        let _lock = lock_data_dir(data_dir)?;
        let mut services = Self::open(data_dir)?;
        let index_dir = data_dir.join("index");
        let (search, _) = tokio::task::spawn_blocking(move || SearchIndex::open(&index_dir))
            .await
            .map_err(|e| OpsError::task("index", e))??;
        let search = Arc::new(search);
        services.search = Some(Arc::clone(&search));
        index_rebuild::rebuild_index(&services, &search).await
    }

    /// The index, or the error a catalog read gets when this process has none or has not
    /// reconciled it yet.
    pub fn search_index(&self) -> Result<&Arc<SearchIndex>, OpsError> {
        let search = self.search.as_ref().ok_or(OpsError::IndexUnavailable)?;
        self.readiness.require_ready()?;
        Ok(search)
    }
}

/// Takes the data directory's single-server lock (`serve.lock`), held while the file lives:
/// two processes must never write one index (RELIABILITY T34).
pub fn lock_data_dir(data_dir: &Path) -> Result<std::fs::File, OpsError> {
    let path = data_dir.join("serve.lock");
    let io = |source| OpsError::DataDir {
        path: data_dir.to_owned(),
        source,
    };
    std::fs::create_dir_all(data_dir).map_err(io)?;
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(io)?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(_) => Err(OpsError::DataDirInUse {
            path: data_dir.display().to_string(),
        }),
    }
}

/// Password threads: one per core; the queue holds four waiting logins per core.
fn cores() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get())
}
