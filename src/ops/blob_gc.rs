//! Garbage collection of the blob store: bytes no revision, model file or recent upload uses.

use std::fs::File;
use std::path::{Path, PathBuf};

use super::artifacts::blob_path;
use super::{OpsError, Services};
use crate::catalog::repo::parse_digest;
use crate::store::repos;

/// The blob store's lock file. Imports and backups (other processes than the server) hold it
/// shared while the bytes they place or copy are not yet referenced or still needed; collection
/// takes it exclusively, and only when it is free, so it never waits on them and never frees
/// their blobs (what it skips, the next collection frees).
fn lock_path(data_dir: &Path) -> PathBuf {
    // Beside `serve.lock`, not in `blobs/`: the store holds blobs only.
    data_dir.join("blobs.lock")
}

fn open_lock(data_dir: &Path) -> Result<File, OpsError> {
    let path = lock_path(data_dir);
    let io = |source| OpsError::DataDir {
        path: path.clone(),
        source,
    };
    std::fs::create_dir_all(data_dir).map_err(io)?;
    std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(io)
}

/// Holds the blob store against collection until the file is dropped (blocks while a
/// collection runs, which is short).
pub fn hold_blob_store(data_dir: &Path) -> Result<File, OpsError> {
    let file = open_lock(data_dir)?;
    file.lock_shared().map_err(|source| OpsError::DataDir {
        path: lock_path(data_dir),
        source,
    })?;
    Ok(file)
}

/// The exclusive lock for a collection, or `None` while an import or a backup holds the store.
fn try_collect(data_dir: &Path) -> Result<Option<File>, OpsError> {
    let file = open_lock(data_dir)?;
    match file.try_lock() {
        Ok(()) => Ok(Some(file)),
        Err(std::fs::TryLockError::WouldBlock) => {
            tracing::info!("blob collection skipped: an import or a backup is using the store");
            Ok(None)
        }
        Err(std::fs::TryLockError::Error(source)) => Err(OpsError::DataDir {
            path: lock_path(data_dir),
            source,
        }),
    }
}

/// Blobs sent but not yet committed are kept this long before they may be collected.
const UPLOAD_GRACE: time::Duration = time::Duration::hours(24);

/// Deletes every blob no revision, model file or recent upload refers to: the whole store is
/// scanned (at start-up, which also finishes a collection a crash cut short). Safe to stop at
/// any point: each file is removed only after the database said nothing uses it, under the
/// lock that blob uploads take.
pub async fn collect_garbage(services: &Services) -> Result<usize, OpsError> {
    let _gc = services.blob_lock.lock().await;
    let Some(_store) = try_collect(&services.data_dir)? else {
        return Ok(0);
    };
    let root = services.data_dir.join("blobs/sha256");
    let candidates = tokio::task::spawn_blocking(move || {
        let mut found = Vec::new();
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
    })
    .await
    .map_err(|e| OpsError::task("garbage collection", e))?;
    let cutoff = (time::OffsetDateTime::now_utc() - UPLOAD_GRACE)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    let free = services
        .store
        .write(move |tx| {
            repos::forget_old_uploads(tx, &cutoff)?;
            repos::unreferenced_blobs(tx, &candidates, &cutoff)
        })
        .await?;
    Ok(remove(services, &free))
}

/// Frees those of `candidates` (the blobs of a deleted model or revision) nothing uses any
/// more; a delete costs its own blobs, not a scan of the store.
pub async fn free_blobs(services: &Services, candidates: Vec<String>) -> Result<usize, OpsError> {
    if candidates.is_empty() {
        return Ok(0);
    }
    let _gc = services.blob_lock.lock().await;
    let Some(_store) = try_collect(&services.data_dir)? else {
        return Ok(0);
    };
    let cutoff = (time::OffsetDateTime::now_utc() - UPLOAD_GRACE)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    let free = services
        .store
        .call(move |conn| repos::unreferenced_blobs(conn, &candidates, &cutoff))
        .await?;
    Ok(remove(services, &free))
}

fn remove(services: &Services, free: &[String]) -> usize {
    let mut removed = 0;
    for sha in free {
        if std::fs::remove_file(blob_path(&services.data_dir, sha)).is_ok() {
            removed += 1;
        }
    }
    if removed > 0 {
        tracing::info!(blobs = removed, "unreferenced blobs removed");
    }
    removed
}
