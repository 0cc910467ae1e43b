//! The group commit's bookkeeping (issue 12): whose turn it is to drain the outbox, which
//! drains have finished, and whether writes arrive in a stream worth gathering.
//!
//! A write waits for one drain that *began after its transaction committed*, since such a
//! drain reads its outbox row. Drains run one at a time; whoever holds the turn drains every
//! pending row in one commit, and the writers queued behind it find their change already
//! covered and answer without a commit of their own.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Under a stream of writes (a drain finished within `STREAM`), a drain first lets the writers
/// its predecessor just answered come back with their next change (a millisecond or two), so
/// they share its commit instead of needing one more: a commit costs about the same for 1
/// document as for 8. It waits until the outbox holds as many rows as recent drains took, or
/// `GATHER_MAX`, looking every `GATHER_STEP`. (A fixed 2 ms wait gave 880-940 shares/s at 8
/// clients; waiting only while the queue of writers grew stopped too early, 743/s.)
pub(crate) const GATHER_MAX: Duration = Duration::from_micros(3_000);
pub(crate) const GATHER_STEP: Duration = Duration::from_micros(150);
const STREAM: Duration = Duration::from_millis(20);

/// Turns at draining the outbox, and how far finished drains reach.
#[derive(Default)]
pub struct GroupCommit {
    /// Held by the one drain, rebuild or audit running at a time.
    turn: tokio::sync::Mutex<()>,
    /// Drains begun so far; a drain takes its number before it reads the outbox.
    begun: AtomicU64,
    /// The highest number of a drain that succeeded: every write committed before that drain
    /// began is searchable.
    finished: AtomicU64,
    /// When the last drain ended (tells a stream of writes from a lone one).
    last_ended: Mutex<Option<Instant>>,
    /// Rows recent drains took (the largest lately, slowly forgotten): the writers in the stream.
    recent_rows: AtomicU64,
}

impl GroupCommit {
    /// The number of the first drain that will begin after now; a write calls it once its
    /// transaction has committed, and that drain (or any later one) covers the write.
    pub(crate) fn next_drain(&self) -> u64 {
        self.begun.load(Ordering::SeqCst) + 1
    }

    pub(crate) fn has_finished(&self, drain: u64) -> bool {
        self.finished.load(Ordering::SeqCst) >= drain
    }

    /// Numbers a drain that is about to read the outbox.
    pub(crate) fn begin_drain(&self) -> u64 {
        self.begun.fetch_add(1, Ordering::SeqCst) + 1
    }

    /// Records a drain that succeeded, and how many rows it took.
    pub(crate) fn finish(&self, drain: u64, rows: usize) {
        self.finished.fetch_max(drain, Ordering::SeqCst);
        let rows = rows as u64;
        let _ = self
            .recent_rows
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |old| {
                Some(rows.max(old - old / 4))
            });
        *self.last_ended() = Some(Instant::now());
    }

    /// Under a stream of writes, the outbox rows worth waiting for before a drain.
    pub(crate) fn gather_target(&self) -> Option<u64> {
        let in_stream = self.last_ended().is_some_and(|at| at.elapsed() < STREAM);
        in_stream.then(|| self.recent_rows.load(Ordering::SeqCst))
    }

    /// Waits for the turn and holds it until the guard drops; drains queue meanwhile (tests use
    /// it to let many writes gather behind one drain).
    pub async fn hold_turn(&self) -> tokio::sync::MutexGuard<'_, ()> {
        self.turn.lock().await
    }

    fn last_ended(&self) -> std::sync::MutexGuard<'_, Option<Instant>> {
        // A plain value, replaced whole: a panic cannot leave it half-written.
        self.last_ended
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
