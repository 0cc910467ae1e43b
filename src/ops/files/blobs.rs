//! The blob store: every byte of every model file, kept once under its content address
//! (`blobs/sha256/ab/abcd…` in the data directory). Every path that stores, reads, copies or
//! frees blobs goes through [`BlobStore`], so the rules live in one place:
//!
//! - An object appears under its address only after its sha256 was checked (the upload hashed
//!   it as it arrived; a bundle import hashed it as it read it).
//! - [`BlobStore::put`] takes the in-process lock that collection takes, and the returned
//!   [`Placed`] keeps it until the caller's row naming the blob has committed: a blob is never
//!   freed between arriving and being recorded, even when another model's delete looks at it.
//! - Other processes (imports, backups) hold the store shared through [`BlobStore::hold`];
//!   collection takes it exclusively and only when free, so it never frees their blobs.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tokio::sync::{Mutex, OwnedMutexGuard};

use crate::catalog::repo::parse_digest;
use crate::ops::OpsError;
use crate::ops::files::upload::{Received, io_error};

/// The content-addressed store of one data directory; cheap to clone.
#[derive(Clone)]
pub struct BlobStore {
    data_dir: PathBuf,
    /// Taken by `put` (until the caller's commit) and by collection.
    lock: Arc<Mutex<()>>,
    /// Test hook: `put` stops after placing, so tests can act before the caller commits.
    pause: Option<Arc<PutPause>>,
}

/// A test hook: each `put` signals `placed`, then waits for `resume`.
#[derive(Default)]
pub struct PutPause {
    pub placed: tokio::sync::Notify,
    pub resume: tokio::sync::Notify,
}

/// A blob now in the store, and the lock that keeps collection away until it is dropped: hold
/// it until the transaction that names the blob has committed.
pub struct Placed {
    pub sha256: String,
    pub size: u64,
    /// Whether these bytes were new to the store (false: they were there already).
    pub new: bool,
    _lock: OwnedMutexGuard<()>,
}

/// Holds the store for a collection: no `put` runs meanwhile, and no other process holds it.
pub struct Collection {
    _lock: OwnedMutexGuard<()>,
    _file: File,
}

impl BlobStore {
    pub fn new(data_dir: &Path) -> Self {
        Self {
            data_dir: data_dir.to_owned(),
            lock: Arc::default(),
            pause: None,
        }
    }

    /// The same store (same bytes, same lock) with a pause after every `put` (tests).
    pub fn with_pause(&self, pause: Arc<PutPause>) -> Self {
        Self {
            pause: Some(pause),
            ..self.clone()
        }
    }

    /// The data directory the store belongs to.
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// Where a blob's bytes are (or would be) on disk.
    pub fn path(&self, sha256: &str) -> PathBuf {
        blob_path(&self.data_dir, sha256)
    }

    /// Whether the store holds these bytes.
    pub fn has(&self, sha256: &str) -> bool {
        self.path(sha256).is_file()
    }

    /// Moves checked bytes into the store (bytes already there are kept as they are) and holds
    /// collection off until the returned [`Placed`] is dropped.
    pub async fn put(&self, received: Received) -> Result<Placed, OpsError> {
        let lock = self.lock.clone().lock_owned().await;
        let store = self.clone();
        let new = tokio::task::spawn_blocking(move || {
            let mut received = received;
            let moved = store
                .place(&received.temp.path, &received.sha256)
                .map_err(io_error)?;
            received.temp.keep = moved;
            Ok::<_, OpsError>((moved, received.sha256.clone(), received.size))
        })
        .await
        .map_err(|e| OpsError::task("upload", e))??;
        let (new, sha256, size) = new;
        if let Some(pause) = &self.pause {
            pause.placed.notify_one();
            pause.resume.notified().await;
        }
        Ok(Placed {
            sha256,
            size,
            new,
            _lock: lock,
        })
    }

    /// Renames a checked file into the store unless its bytes are there already; whether it
    /// moved. For callers that hold the store otherwise (imports, under [`Self::hold`]).
    pub fn place(&self, file: &Path, sha256: &str) -> std::io::Result<bool> {
        let target = self.path(sha256);
        if target.is_file() {
            return Ok(false);
        }
        std::fs::create_dir_all(target.parent().unwrap_or(&self.data_dir))?;
        std::fs::rename(file, &target)?;
        Ok(true)
    }

    /// Holds the store against collection from another process until the file is dropped
    /// (blocks while a collection runs, which is short).
    pub fn hold(&self) -> Result<File, OpsError> {
        let file = self.open_lock()?;
        file.lock_shared().map_err(|source| OpsError::DataDir {
            path: self.lock_path(),
            source,
        })?;
        Ok(file)
    }

    /// The store for a collection, or `None` while an import or a backup holds it.
    pub async fn collection(&self) -> Result<Option<Collection>, OpsError> {
        let lock = self.lock.clone().lock_owned().await;
        let file = self.open_lock()?;
        match file.try_lock() {
            Ok(()) => Ok(Some(Collection {
                _lock: lock,
                _file: file,
            })),
            Err(std::fs::TryLockError::WouldBlock) => {
                tracing::info!("blob collection skipped: an import or a backup is using the store");
                Ok(None)
            }
            Err(std::fs::TryLockError::Error(source)) => Err(OpsError::DataDir {
                path: self.lock_path(),
                source,
            }),
        }
    }

    /// Every blob in the store (a scan: start-up collection only).
    pub fn list(&self, _collection: &Collection) -> Vec<String> {
        let mut found = Vec::new();
        let root = self.data_dir.join("blobs/sha256");
        for shard in std::fs::read_dir(&root).into_iter().flatten().flatten() {
            for entry in std::fs::read_dir(shard.path())
                .into_iter()
                .flatten()
                .flatten()
            {
                if let Some(name) = entry.file_name().to_str()
                    && parse_digest(name).is_ok()
                {
                    found.push(name.to_owned());
                }
            }
        }
        found
    }

    /// Removes blobs the database said nothing uses; how many went.
    pub fn remove(&self, _collection: &Collection, free: &[String]) -> usize {
        free.iter()
            .filter(|sha| std::fs::remove_file(self.path(sha)).is_ok())
            .count()
    }

    /// The lock file sits beside `serve.lock`, not in `blobs/`: the store holds blobs only.
    fn lock_path(&self) -> PathBuf {
        self.data_dir.join("blobs.lock")
    }

    fn open_lock(&self) -> Result<File, OpsError> {
        let path = self.lock_path();
        let io = |source| OpsError::DataDir {
            path: path.clone(),
            source,
        };
        std::fs::create_dir_all(&self.data_dir).map_err(io)?;
        std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(io)
    }
}

/// Where a blob lives under a data directory (also a backup's staging directory).
pub fn blob_path(data_dir: &Path, sha256: &str) -> PathBuf {
    data_dir
        .join("blobs/sha256")
        .join(&sha256[..2.min(sha256.len())])
        .join(sha256)
}
