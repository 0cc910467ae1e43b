//! Garbage collection of the blob store: bytes no revision, model file or recent upload uses.

use super::super::{OpsError, Services};
use crate::store::repos;

/// Blobs sent but not yet committed are kept this long before they may be collected.
const UPLOAD_GRACE: time::Duration = time::Duration::hours(24);

fn upload_cutoff() -> String {
    (time::OffsetDateTime::now_utc() - UPLOAD_GRACE)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// Deletes every blob no revision, model file or recent upload refers to: the whole store is
/// scanned (at start-up, which also finishes a collection a crash cut short). Safe to stop at
/// any point: each blob is removed only after the database said nothing uses it, while no
/// `put` can run.
pub async fn collect_garbage(services: &Services) -> Result<usize, OpsError> {
    let Some(collection) = services.blobs.collection().await? else {
        return Ok(0);
    };
    let blobs = services.blobs.clone();
    let (candidates, collection) = tokio::task::spawn_blocking(move || {
        let found = blobs.list(&collection);
        (found, collection)
    })
    .await
    .map_err(|e| OpsError::task("garbage collection", e))?;
    let cutoff = upload_cutoff();
    let free = services
        .store
        .write(move |tx| {
            repos::forget_old_uploads(tx, &cutoff)?;
            repos::unreferenced_blobs(tx, &candidates, &cutoff)
        })
        .await?;
    Ok(remove(services, &collection, &free))
}

/// Frees those of `candidates` (the blobs of a deleted model or revision) nothing uses any
/// more; a delete costs its own blobs, not a scan of the store.
pub async fn free_blobs(services: &Services, candidates: Vec<String>) -> Result<usize, OpsError> {
    if candidates.is_empty() {
        return Ok(0);
    }
    let Some(collection) = services.blobs.collection().await? else {
        return Ok(0);
    };
    let cutoff = upload_cutoff();
    let free = services
        .store
        .call(move |conn| repos::unreferenced_blobs(conn, &candidates, &cutoff))
        .await?;
    Ok(remove(services, &collection, &free))
}

fn remove(services: &Services, collection: &super::blobs::Collection, free: &[String]) -> usize {
    let removed = services.blobs.remove(collection, free);
    if removed > 0 {
        tracing::info!(blobs = removed, "unreferenced blobs removed");
    }
    removed
}
