//! Whether the catalog index may be read yet (SPEC §9 "Scale"). The server listens before the
//! index is reconciled with SQLite; until the start-up reconcile (a rebuild, or a replay of the
//! outbox and the audit) has finished, catalog reads answer `IndexNotReady` and `/readyz` says
//! how far a rebuild has come. Writes keep working throughout.
//!
//! Lock-free: the rebuild's threads advance the counters, request handlers read them.

use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU64, Ordering};

use crate::ops::OpsError;

/// Where the start-up reconcile is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IndexPhase {
    /// Opening the index, replaying the outbox, auditing, or catching up after a rebuild.
    Starting,
    /// Refilling the index from the database; writes leave their changes in the outbox.
    Rebuilding,
    /// The index reflects the database: catalog reads are served.
    Ready,
    /// The reconcile failed; it is retried (the log says why).
    Failed,
}

impl IndexPhase {
    /// The `status` word of `/readyz`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Starting => "starting",
            Self::Rebuilding => "rebuilding",
            Self::Ready => "ready",
            Self::Failed => "failed",
        }
    }

    fn from_u8(value: u8) -> Self {
        match value {
            1 => Self::Rebuilding,
            2 => Self::Ready,
            3 => Self::Failed,
            _ => Self::Starting,
        }
    }

    fn to_u8(self) -> u8 {
        match self {
            Self::Starting => 0,
            Self::Rebuilding => 1,
            Self::Ready => 2,
            Self::Failed => 3,
        }
    }
}

/// What `/readyz` reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IndexState {
    pub phase: IndexPhase,
    /// Models indexed so far by the running (or last) rebuild.
    pub indexed: u64,
    /// Shared models the running (or last) rebuild indexes.
    pub total: u64,
}

impl IndexState {
    /// Whole percent of the rebuild done (100 when there is nothing to do).
    pub fn percent(&self) -> u8 {
        if self.total == 0 || self.phase == IndexPhase::Ready {
            return 100;
        }
        (self.indexed.min(self.total) * 100 / self.total) as u8
    }
}

/// The shared readiness of one server's index.
#[derive(Debug, Default)]
pub struct Readiness {
    phase: AtomicU8,
    indexed: AtomicU64,
    total: AtomicU64,
    /// Set when the server stops: a running rebuild gives up at its next batch instead of
    /// holding the process for the rest of its half minute.
    stopping: AtomicBool,
}

impl Readiness {
    pub fn state(&self) -> IndexState {
        IndexState {
            phase: IndexPhase::from_u8(self.phase.load(Ordering::Acquire)),
            indexed: self.indexed.load(Ordering::Relaxed),
            total: self.total.load(Ordering::Relaxed),
        }
    }

    pub fn set_phase(&self, phase: IndexPhase) {
        self.phase.store(phase.to_u8(), Ordering::Release);
    }

    pub fn is_rebuilding(&self) -> bool {
        self.state().phase == IndexPhase::Rebuilding
    }

    /// Whether the start-up reconcile is running (starting or rebuilding).
    pub fn is_reconciling(&self) -> bool {
        matches!(
            self.state().phase,
            IndexPhase::Starting | IndexPhase::Rebuilding
        )
    }

    /// Fails with `IndexNotReady` unless catalog reads may be served.
    pub fn require_ready(&self) -> Result<(), OpsError> {
        let state = self.state();
        match state.phase {
            IndexPhase::Ready => Ok(()),
            _ => Err(OpsError::IndexNotReady(state)),
        }
    }

    /// The server is stopping: a rebuild in progress is abandoned (its work was never
    /// committed, so the next start rebuilds).
    pub fn stop(&self) {
        self.stopping.store(true, Ordering::Release);
    }

    pub fn is_stopping(&self) -> bool {
        self.stopping.load(Ordering::Acquire)
    }

    /// A rebuild of `total` models starts.
    pub fn start_rebuild(&self, total: u64) {
        self.indexed.store(0, Ordering::Relaxed);
        self.total.store(total, Ordering::Relaxed);
        self.set_phase(IndexPhase::Rebuilding);
    }

    /// `count` more models were indexed; returns the progress when it crossed a tenth of the
    /// total, so the caller logs about ten lines per rebuild whatever its size.
    pub fn advance(&self, count: u64) -> Option<(u64, u64)> {
        let before = self.indexed.fetch_add(count, Ordering::Relaxed);
        let after = before + count;
        let total = self.total.load(Ordering::Relaxed).max(1);
        (before * 10 / total != after * 10 / total).then_some((after, total))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_is_reported_about_every_tenth() {
        let readiness = Readiness::default();
        readiness.start_rebuild(1_000);
        let reported: Vec<u64> = (0..100)
            .filter_map(|_| readiness.advance(10))
            .map(|(indexed, _)| indexed)
            .collect();
        assert_eq!(
            reported,
            vec![100, 200, 300, 400, 500, 600, 700, 800, 900, 1_000]
        );
        assert_eq!(readiness.state().percent(), 100);
    }

    #[test]
    fn only_a_ready_index_serves_catalog_reads() {
        let readiness = Readiness::default();
        readiness.start_rebuild(4);
        readiness.advance(1);
        let Err(OpsError::IndexNotReady(state)) = readiness.require_ready() else {
            panic!("a rebuilding index is not ready");
        };
        assert_eq!(
            (state.phase, state.indexed, state.percent()),
            (IndexPhase::Rebuilding, 1, 25)
        );
        readiness.set_phase(IndexPhase::Ready);
        assert!(readiness.require_ready().is_ok());
    }
}
