//! Rebuilding the whole index from SQLite (SPEC §7, §9 "Scale"): at start-up when the index is
//! missing, damaged, of another schema or far behind, and for `admin reindex`.
//!
//! One read transaction gives the outbox watermark, the shared models and their placements;
//! a few bulk statements read them (never a query per model). This thread streams the rows in
//! batches to builder threads, which turn them into catalog entries (markdown to plain text,
//! badges) and hand the documents to tantivy's own indexing threads. Nothing is visible until
//! the single commit, which records the watermark; the outbox rows it covers are acknowledged
//! only after it. A crash before the commit leaves the previous (or empty) index, and the next
//! start rebuilds again.

use std::collections::HashMap;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::catalog::ids::ModelId;
use crate::catalog::infra::Placement;
use crate::ops::indexing::entry::entry_for;
use crate::ops::indexing::readiness::Readiness;
use crate::ops::{OpsError, Services};
use crate::search::SearchIndex;
use crate::search::index::{Rebuild, RebuildScale};
use crate::store::catalog::{self as shared, SharedModel};
use crate::store::{self, outbox, presence};

/// Models handed to a builder thread at a time.
const BATCH: usize = 1_000;
/// Batches read ahead of the builders (bounds the memory a rebuild holds beyond tantivy's).
const QUEUE: usize = 4;
/// From this many models on, documents are built on every core and indexed on tantivy threads
/// of the rebuild's own; below, one builder keeps the id order (and small tests deterministic).
const PARALLEL_FROM: u64 = 10_000;

/// Rebuilds the whole index from the database in one commit and clears the outbox it covers.
/// Progress is kept in `services.readiness` and logged about every tenth.
pub async fn rebuild_index(
    services: &Services,
    search: &Arc<SearchIndex>,
) -> Result<usize, OpsError> {
    let _turn = services.group_commit.hold_turn().await;
    let index = Arc::clone(search);
    let cutoff = store::cutoff(services.agent_ttl);
    let readiness = Arc::clone(&services.readiness);
    let pause = services.rebuild_pause;
    let (count, watermark) = services
        .store
        .call_as(move |conn| -> Result<(usize, i64), OpsError> {
            // One read transaction: the watermark and the rows come from the same snapshot.
            conn.execute_batch("BEGIN")
                .map_err(store::StoreError::from)?;
            let result = (|| {
                let watermark = outbox::max_seq(conn)?;
                let total = shared::count_shared(conn)?;
                readiness.start_rebuild(total);
                let placements = presence::placements(conn, &cutoff)?;
                let scale = if total >= PARALLEL_FROM {
                    RebuildScale::Large
                } else {
                    RebuildScale::Small
                };
                let rebuild = index.begin_rebuild(scale)?;
                let builders = match scale {
                    RebuildScale::Large => cores(),
                    RebuildScale::Small => 1,
                };
                let work = Work {
                    rebuild: &rebuild,
                    placements: &placements,
                    readiness: &readiness,
                    started: Instant::now(),
                };
                fill(conn, &work, builders, pause)?;
                let count = rebuild.commit(watermark)?;
                Ok((count, watermark))
            })();
            let _ = conn.execute_batch("COMMIT");
            result
        })
        .await?;
    services
        .store
        .write(move |tx| outbox::acknowledge(tx, watermark))
        .await?;
    release_freed_memory();
    Ok(count)
}

/// A rebuild's writer arena and batches are freed by now, but glibc keeps freed heap for reuse:
/// at a million models the server would stay at ~900 MiB after it. Hand it back to the system.
fn release_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns free heap pages to the kernel; it touches no live
    // allocation and is safe to call from any thread.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Lets glibc keep large freed blocks for reuse instead of unmapping them: every index commit
/// allocates (and tantivy clears) a few megabytes of tables, and fresh pages from the kernel
/// cost a page fault each, about a tenth of a small commit. The heap is still handed back after
/// a rebuild (`release_freed_memory`).
pub fn keep_freed_heap() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes glibc's allocation thresholds, under its own arena lock;
    // it touches no allocation.
    unsafe {
        // Above a commit's largest table (4 MiB); small enough that the retained heap stays
        // well inside the RSS budget (486 MiB at a million models with 32/64 MiB here).
        libc::mallopt(libc::M_MMAP_THRESHOLD, 8 << 20);
        libc::mallopt(libc::M_TRIM_THRESHOLD, 16 << 20);
    }
}

/// What the builder threads share.
struct Work<'a> {
    rebuild: &'a Rebuild<'a>,
    placements: &'a HashMap<ModelId, Placement>,
    readiness: &'a Readiness,
    started: Instant,
}

/// Reads every shared model on this thread and builds and adds their documents on `builders`
/// threads; returns the first error of either side.
fn fill(
    conn: &rusqlite::Connection,
    work: &Work<'_>,
    builders: usize,
    pause: Option<Duration>,
) -> Result<(), OpsError> {
    let (sender, receiver) = sync_channel::<Vec<SharedModel>>(QUEUE);
    let receiver = Mutex::new(receiver);
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..builders)
            .map(|_| scope.spawn(|| build_documents(&receiver, work)))
            .collect();
        let read = read_batches(conn, &sender, work.readiness, pause);
        // The builders stop when the channel is closed and empty.
        drop(sender);
        let mut built = Ok(());
        for handle in handles {
            let outcome = handle.join().unwrap_or_else(|_| {
                Err(OpsError::TaskFailed {
                    what: "index rebuild",
                    cause: "a builder thread panicked".to_owned(),
                })
            });
            built = built.and(outcome);
        }
        // A failed builder closes the channel early, so its error explains a failed read.
        built.and(read)
    })
}

fn read_batches(
    conn: &rusqlite::Connection,
    sender: &SyncSender<Vec<SharedModel>>,
    readiness: &Readiness,
    pause: Option<Duration>,
) -> Result<(), OpsError> {
    let failed = |cause: &str| OpsError::TaskFailed {
        what: "index rebuild",
        cause: cause.to_owned(),
    };
    let mut batch = Vec::with_capacity(BATCH);
    let send = |batch: Vec<SharedModel>| {
        if let Some(pause) = pause {
            std::thread::sleep(pause);
        }
        if readiness.is_stopping() {
            return Err(failed("the server is stopping"));
        }
        sender
            .send(batch)
            .map_err(|_| failed("the builder threads stopped"))
    };
    shared::for_each_shared(conn, |model| -> Result<(), OpsError> {
        batch.push(model);
        if batch.len() == BATCH {
            send(std::mem::replace(&mut batch, Vec::with_capacity(BATCH)))?;
        }
        Ok(())
    })?;
    if !batch.is_empty() {
        send(batch)?;
    }
    Ok(())
}

fn build_documents(
    receiver: &Mutex<Receiver<Vec<SharedModel>>>,
    work: &Work<'_>,
) -> Result<(), OpsError> {
    loop {
        // The lock is held only to take one batch: builders wait on each other for microseconds.
        let batch = {
            let receiver = receiver
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            match receiver.recv() {
                Ok(batch) => batch,
                Err(_) => return Ok(()),
            }
        };
        let count = batch.len() as u64;
        let mut entries = Vec::with_capacity(batch.len());
        for shared in &batch {
            let model = &shared.model;
            let placement = work
                .placements
                .get(&model.id)
                .copied()
                .unwrap_or_else(|| Placement::unplaced(model.shared, model.featured));
            entries.push(entry_for(shared, placement.badge_facts()));
        }
        work.rebuild.add_all(entries)?;
        if let Some((indexed, total)) = work.readiness.advance(count) {
            tracing::info!(
                indexed,
                total,
                elapsed_ms = work.started.elapsed().as_millis() as u64,
                "rebuilding the search index"
            );
        }
    }
}

/// Builder threads for a large rebuild: one per core.
fn cores() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get())
}
