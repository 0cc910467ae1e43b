//! Keeping the search index in step with SQLite (SPEC §7).
//!
//! Every catalog-affecting write appends an outbox row in its own transaction. `sync_index`
//! drains the outbox: it turns rows into index changes, commits them to tantivy with the highest
//! sequence number as the commit's watermark, reloads the reader, and only then deletes the rows.
//! A crash anywhere leaves rows to replay at the next start; replay is idempotent (delete by id,
//! then add).
//!
//! Writers share drains as `group_commit` describes (issue 12). Before that, every queued
//! writer drained again (picking up the next writer's row), so 8 clients made 8 commits for 8
//! shares.

use std::collections::BTreeSet;
use std::sync::Arc;

use super::entry::revision_of;
use super::readiness::IndexPhase;
use super::{group_commit, index_rebuild};
use crate::catalog::ids::ModelId;
use crate::ops::{OpsError, Services};
use crate::search::SearchIndex;
use crate::search::index::{IndexChange, OpenOutcome};
use crate::store::catalog as shared;
use crate::store::{self, outbox};

/// Outbox rows per index commit.
const BATCH: u32 = 5_000;
/// A backlog this large at start-up is cheaper to rebuild than to replay.
const REBUILD_BACKLOG: u64 = 20_000;

/// Drains the outbox into the index. Without an index (admin commands) it does nothing: the
/// server drains what they queued.
pub async fn sync_index(services: &Services) -> Result<usize, OpsError> {
    let Some(search) = services.search.clone() else {
        return Ok(0);
    };
    let _turn = services.group_commit.hold_turn().await;
    drain(services, &search).await
}

/// Returns once a drain numbered `needed` or later has succeeded, running one itself unless a
/// drain ahead of it in the queue already did.
async fn sync_covering(services: &Services, needed: u64) -> Result<(), OpsError> {
    let Some(search) = services.search.clone() else {
        return Ok(());
    };
    let group = &services.group_commit;
    let _turn = group.hold_turn().await;
    if group.has_finished(needed) {
        return Ok(());
    }
    if let Some(expected) = group.gather_target() {
        gather(services, expected).await?;
    }
    drain(services, &search).await.map(|_| ())
}

/// Waits (see `GATHER_MAX`) until the outbox holds as many rows as recent drains took. On a
/// blocking-pool thread: tokio's timer has millisecond steps, a thread sleeps exactly.
async fn gather(services: &Services, expected: u64) -> Result<(), OpsError> {
    services
        .store
        .call(move |conn| {
            let started = std::time::Instant::now();
            // A failing count ends the wait: the drain itself reports what is wrong.
            while outbox::pending_count(conn).is_ok_and(|pending| pending < expected)
                && started.elapsed() < group_commit::GATHER_MAX
            {
                std::thread::sleep(group_commit::GATHER_STEP);
            }
            Ok(())
        })
        .await?;
    Ok(())
}

/// Applies every pending outbox row, in batches of one commit each; the caller holds the turn.
/// Its number is taken just before it reads the outbox: every write that asked for a number
/// up to it had committed by then, so the read sees its row.
async fn drain(services: &Services, search: &Arc<SearchIndex>) -> Result<usize, OpsError> {
    let number = services.group_commit.begin_drain();
    let mut applied = 0;
    loop {
        let cutoff = store::cutoff(services.agent_ttl);
        let batch = services
            .store
            .call(move |conn| {
                // One read transaction: the rows and the states they name come from one
                // snapshot, so a state can never be older than a row it acknowledges.
                let snapshot = conn.unchecked_transaction()?;
                let conn: &rusqlite::Connection = &snapshot;
                let rows = outbox::pending(conn, BATCH)?;
                let Some(&(max_seq, _)) = rows.last() else {
                    return Ok(None);
                };
                let ids: BTreeSet<_> = rows.iter().map(|(_, id)| *id).collect();
                let mut changes = Vec::with_capacity(ids.len());
                for id in ids {
                    changes.push(match shared::find_shared(conn, &id)? {
                        Some(model) => IndexChange::Upsert(Box::new(
                            super::entry::entry_with_placement(conn, &model, &cutoff)?,
                        )),
                        None => IndexChange::Remove(id),
                    });
                }
                drop(snapshot);
                Ok(Some((changes, max_seq, rows.len())))
            })
            .await?;
        let Some((changes, max_seq, rows)) = batch else {
            break;
        };
        let index = Arc::clone(search);
        let started = std::time::Instant::now();
        tokio::task::spawn_blocking(move || index.apply(&changes, max_seq))
            .await
            .map_err(|e| OpsError::task("index", e))??;
        let apply_us = started.elapsed().as_micros() as u64;
        tracing::debug!(rows, apply_us, "outbox rows committed to the index");
        services
            .store
            .write(move |tx| outbox::acknowledge(tx, max_seq))
            .await?;
        applied += rows;
        if rows < BATCH as usize {
            break;
        }
    }
    services.group_commit.finish(number, applied);
    Ok(applied)
}

/// Syncs after a write, returning once the write is searchable; a failure is logged, not
/// returned: the write itself has succeeded and its outbox row waits for the next sync (the
/// periodic one retries within seconds).
///
/// During a start-up rebuild the write answers at once, without waiting for the index: the
/// rebuild holds the index for as long as it runs (half a minute at a million models), and the
/// catalog answers 503 meanwhile anyway. Its outbox row is drained after the rebuild and before
/// the catalog reports ready, so every write answered before `/readyz` says ready is searchable
/// once it does.
pub async fn sync_after_write(services: &Services) {
    if !services.sync_after_writes || services.readiness.is_rebuilding() {
        return;
    }
    let needed = services.group_commit.next_drain();
    if let Err(error) = sync_covering(services, needed).await {
        tracing::error!(error = %error, "search index sync failed; will retry");
    }
}

/// What the start-up audit found and repaired.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditReport {
    /// Models the index held in another revision than SQLite, or twice.
    pub stale: Vec<ModelId>,
    /// Shared models the index lacked.
    pub missing: Vec<ModelId>,
    /// Models the index held that SQLite does not share.
    pub extra: Vec<ModelId>,
}

impl AuditReport {
    pub fn is_clean(&self) -> bool {
        self.stale.is_empty() && self.missing.is_empty() && self.extra.is_empty()
    }
}

/// Compares every indexed (model, revision) with SQLite's shared models and queues the ones
/// that differ for the next drain, so a divergence from any cause (a crash at the wrong
/// instant, a damaged segment) cannot outlive a restart (RELIABILITY T29). Linear in the
/// catalog: one SQLite scan and one pass over the index's id and revision columns.
pub async fn audit_index(services: &Services) -> Result<AuditReport, OpsError> {
    let Some(search) = services.search.clone() else {
        return Ok(AuditReport::default());
    };
    let _turn = services.group_commit.hold_turn().await;
    // Pending outbox rows are changes the drain will apply anyway; audit a drained index.
    let (mut database, pending) = services
        .store
        .call(|conn| {
            let snapshot = conn.unchecked_transaction()?;
            let rows = shared::shared_revisions(&snapshot)?;
            let pending = outbox::pending_count(&snapshot)?;
            Ok((rows, pending))
        })
        .await?;
    if pending > 0 {
        return Ok(AuditReport::default());
    }
    let index = Arc::clone(&search);
    let indexed = tokio::task::spawn_blocking(move || index.revisions())
        .await
        .map_err(|e| OpsError::task("index", e))??;
    database.sort();
    let mut report = AuditReport::default();
    let (mut d, mut i) = (database.iter().peekable(), indexed.iter().peekable());
    loop {
        match (d.peek(), i.peek()) {
            (None, None) => break,
            (Some((id, _)), None) => {
                report.missing.push(*id);
                d.next();
            }
            (None, Some((id, _))) => {
                report.extra.push(*id);
                i.next();
            }
            (Some((db_id, updated)), Some((ix_id, revision))) => match db_id.cmp(ix_id) {
                std::cmp::Ordering::Less => {
                    report.missing.push(*db_id);
                    d.next();
                }
                std::cmp::Ordering::Greater => {
                    report.extra.push(*ix_id);
                    i.next();
                }
                std::cmp::Ordering::Equal => {
                    let (id, expected, revision) = (*db_id, revision_of(updated), *revision);
                    d.next();
                    i.next();
                    let twice = i.peek().is_some_and(|(next, _)| *next == id);
                    if revision != expected || twice {
                        report.stale.push(id);
                    }
                    while i.peek().is_some_and(|(next, _)| *next == id) {
                        i.next();
                    }
                }
            },
        }
    }
    report.extra.dedup();
    if !report.is_clean() {
        let queue: Vec<ModelId> = report
            .stale
            .iter()
            .chain(&report.missing)
            .chain(&report.extra)
            .copied()
            .collect();
        let at = store::now();
        services
            .store
            .write(move |tx| {
                for id in &queue {
                    outbox::enqueue(tx, id, &at)?;
                }
                Ok(())
            })
            .await?;
    }
    Ok(report)
}

/// How long a failed start-up reconcile waits before it tries again.
const RECONCILE_RETRY: std::time::Duration = std::time::Duration::from_secs(30);

/// Reconciles a just-opened index while the server already answers (SPEC §9 "Scale"): catalog
/// reads get 503 until it is done. A failure (a full disk, say) is logged and retried; the
/// catalog stays unavailable meanwhile while writes keep working.
pub async fn reconcile_in_background(services: Services, outcome: OpenOutcome) {
    while let Err(error) = reconcile_at_startup(&services, &outcome).await {
        if services.readiness.is_stopping() {
            return;
        }
        tracing::error!(
            error = %error,
            retry_in_s = RECONCILE_RETRY.as_secs(),
            "bringing the search index up to date failed; the catalog stays unavailable"
        );
        // Waits in short steps, so a stopping server is not held for the whole pause.
        let retry_at = tokio::time::Instant::now() + RECONCILE_RETRY;
        while tokio::time::Instant::now() < retry_at {
            if services.readiness.is_stopping() {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    }
}

/// Brings a just-opened index up to date: a full rebuild when it was recreated or the backlog is
/// large, otherwise a replay of the outbox and the audit. Catalog reads are served (the
/// readiness phase is `Ready`) only once it has succeeded.
pub async fn reconcile_at_startup(
    services: &Services,
    outcome: &OpenOutcome,
) -> Result<(), OpsError> {
    services.readiness.set_phase(IndexPhase::Starting);
    let result = reconcile(services, outcome).await;
    services.readiness.set_phase(match result {
        Ok(()) => IndexPhase::Ready,
        Err(_) => IndexPhase::Failed,
    });
    result
}

async fn reconcile(services: &Services, outcome: &OpenOutcome) -> Result<(), OpsError> {
    let Some(search) = services.search.clone() else {
        return Ok(());
    };
    let backlog = services.store.call(outbox::pending_count).await?;
    let reason = match outcome {
        OpenOutcome::Recreated { reason } => Some(reason.clone()),
        OpenOutcome::Ready { .. } if backlog > REBUILD_BACKLOG => {
            Some(format!("{backlog} pending changes"))
        }
        OpenOutcome::Ready { .. } => None,
    };
    match reason.clone() {
        Some(reason) => {
            if reason == "no index yet" {
                tracing::info!("building the search index from the database");
            } else {
                tracing::warn!(%reason, "rebuilding the search index from the database");
            }
            let started = std::time::Instant::now();
            let count = rebuild_and_catch_up(services, &search).await?;
            let elapsed_ms = started.elapsed().as_millis() as u64;
            // A first start has no index yet: that is normal, not a warning.
            if reason == "no index yet" {
                tracing::info!(
                    models = count,
                    elapsed_ms,
                    "search index built from the database"
                );
            } else {
                tracing::warn!(%reason, models = count, elapsed_ms, "search index rebuilt from the database");
            }
        }
        None => match sync_index(services).await {
            Ok(0) => {}
            Ok(replayed) => {
                tracing::info!(changes = replayed, "search index caught up with the outbox")
            }
            Err(error) => {
                // Replaying failed on an index that opened fine: rebuilding is the sure way back.
                tracing::warn!(%error, "replaying the outbox failed; rebuilding the search index");
                rebuild_and_catch_up(services, &search).await?;
            }
        },
    }
    // A rebuilt index was just made from the database; a replayed one is audited.
    if reason.is_none() {
        let report = audit_index(services).await?;
        if !report.is_clean() {
            let sample: Vec<String> = report
                .stale
                .iter()
                .chain(&report.missing)
                .chain(&report.extra)
                .take(5)
                .map(ToString::to_string)
                .collect();
            tracing::warn!(
                stale = report.stale.len(),
                missing = report.missing.len(),
                extra = report.extra.len(),
                sample = %sample.join(","),
                "search index differed from the database; repaired"
            );
            sync_index(services).await?;
        }
    }
    Ok(())
}

/// Rebuilds, then drains what writes left in the outbox meanwhile (they skip their own sync
/// while the phase is `Rebuilding`). The phase goes back to `Starting` before the drain, so a
/// write from then on syncs itself and is searchable when it answers.
async fn rebuild_and_catch_up(
    services: &Services,
    search: &Arc<SearchIndex>,
) -> Result<usize, OpsError> {
    let rebuilt = index_rebuild::rebuild_index(services, search).await;
    services.readiness.set_phase(IndexPhase::Starting);
    let count = rebuilt?;
    sync_index(services).await?;
    Ok(count)
}

/// Drains the outbox every `interval` while rows wait: catches changes made by admin commands
/// and retries syncs that failed. It leaves the outbox to the start-up reconcile while that
/// runs (which chooses between a replay and a rebuild by the backlog).
pub async fn sync_periodically(services: Services, interval: std::time::Duration) {
    loop {
        tokio::time::sleep(interval).await;
        if services.readiness.is_reconciling() {
            continue;
        }
        let pending = services
            .store
            .call(outbox::pending_count)
            .await
            .unwrap_or(0);
        if pending > 0 {
            sync_after_write(&services).await;
        }
    }
}

/// Makes index commits, then the database's new writes, durable against power loss every
/// `interval` (both are visible, and survive a process crash, at once: see
/// `search::deferred_sync` and `Store::sync_wal_blocking`). A failed sync (a full or failing
/// disk) is logged and retried at the next tick.
pub async fn checkpoint_periodically(services: Services, interval: std::time::Duration) {
    loop {
        tokio::time::sleep(interval).await;
        if services.readiness.is_stopping() {
            return;
        }
        checkpoint(&services).await;
        let store = services.store.clone();
        match tokio::task::spawn_blocking(move || store.sync_wal_blocking()).await {
            Ok(Ok(_)) => {}
            Ok(Err(error)) => tracing::warn!(%error, "syncing the database WAL failed; will retry"),
            Err(error) => tracing::error!(%error, "WAL sync task failed"),
        }
    }
}

/// One checkpoint of the index, if a commit awaits it.
pub async fn checkpoint(services: &Services) {
    let Some(search) = services.search.clone() else {
        return;
    };
    if !search.needs_checkpoint() {
        return;
    }
    match tokio::task::spawn_blocking(move || search.checkpoint()).await {
        Ok(Ok(files)) => tracing::trace!(files, "index checkpoint"),
        Ok(Err(error)) => {
            tracing::error!(%error, "making index commits durable failed; will retry")
        }
        Err(error) => tracing::error!(%error, "index checkpoint task failed"),
    }
}
