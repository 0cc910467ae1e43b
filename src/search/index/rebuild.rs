//! Replacing every document of the index at once (start-up, `admin reindex`): on the everyday
//! writer for small catalogs, on a writer of its own with both cores for large ones.

use std::sync::MutexGuard;
use std::sync::atomic::{AtomicUsize, Ordering};

use tantivy::IndexWriter;
use tantivy::indexer::{NoMergePolicy, UserOperation};

use super::{SearchIndex, WRITER_MEMORY, open_writer};
use crate::catalog::card::CatalogEntry;
use crate::search::SearchError;

/// A large rebuild indexes on this many threads with this much memory in all: fewer, larger
/// segments, and both cores busy (issue 12: a million models in under 30 s).
const REBUILD_THREADS: usize = 2;
const REBUILD_MEMORY: usize = 400_000_000;
/// Documents a rebuild hands to tantivy's indexing threads at a time (see `Rebuild::add_all`).
const HANDOFF: usize = 4;

/// How a rebuild indexes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RebuildScale {
    /// On the everyday writer (one thread): documents keep the order they were added in.
    Small,
    /// On a writer of its own with `REBUILD_THREADS` threads and `REBUILD_MEMORY`, without
    /// merging while it runs (the everyday writer merges after its next commit). Documents
    /// land in segments in no fixed order.
    Large,
}

/// A full rebuild in progress: holds the writer; nothing is visible until `commit`. Documents
/// may be added from several threads at once. Dropped without `commit`, it discards them.
pub struct Rebuild<'a> {
    index: &'a SearchIndex,
    slot: MutexGuard<'a, Option<IndexWriter>>,
    scale: RebuildScale,
    count: AtomicUsize,
}

impl SearchIndex {
    /// Starts replacing every document.
    pub fn begin_rebuild(&self, scale: RebuildScale) -> Result<Rebuild<'_>, SearchError> {
        let mut slot = self.writer();
        if scale == RebuildScale::Large {
            // The everyday writer must be gone before the rebuild's can take the lock.
            *slot = None;
            let writer = open_writer(&self.index, REBUILD_THREADS, REBUILD_MEMORY)?;
            writer.set_merge_policy(Box::new(NoMergePolicy));
            *slot = Some(writer);
        }
        let rebuild = Rebuild {
            index: self,
            slot,
            scale,
            count: AtomicUsize::new(0),
        };
        rebuild.writer()?.delete_all_documents()?;
        Ok(rebuild)
    }
}

impl Rebuild<'_> {
    fn writer(&self) -> Result<&IndexWriter, SearchError> {
        self.slot
            .as_ref()
            .ok_or_else(|| SearchError::Directory("no index writer".to_owned()))
    }

    /// Adds documents (callable from several threads at once). They reach tantivy's indexing
    /// threads `HANDOFF` at a time: one hand-off per document costs a wake-up each, and
    /// tantivy's queue holds a bounded number of hand-offs, so larger ones would hold more
    /// documents in memory.
    pub fn add_all(&self, entries: Vec<CatalogEntry>) -> Result<(), SearchError> {
        let writer = self.writer()?;
        let count = entries.len();
        let mut entries = entries.into_iter();
        loop {
            let mut handoff = Vec::with_capacity(HANDOFF);
            for entry in entries.by_ref().take(HANDOFF) {
                handoff.push(UserOperation::Add(self.index.document(entry)?));
            }
            if handoff.is_empty() {
                break;
            }
            writer.run(handoff)?;
        }
        self.count.fetch_add(count, Ordering::Relaxed);
        Ok(())
    }

    /// Commits the new contents; returns how many documents they hold.
    pub fn commit(mut self, watermark: i64) -> Result<usize, SearchError> {
        let index = self.index;
        let writer = self
            .slot
            .as_mut()
            .ok_or_else(|| SearchError::Directory("no index writer".to_owned()))?;
        index.commit(writer, watermark)?;
        // A rebuild replaces everything and is rare: durable at once, not a second later. The
        // commit stands either way; a failed sync is the periodic checkpoint's to retry.
        if let Err(error) = index.checkpoint() {
            tracing::warn!(%error, "syncing the rebuilt index failed; will retry");
        }
        Ok(self.count.load(Ordering::Relaxed))
    }
}

impl Drop for Rebuild<'_> {
    /// Hands the everyday writer back after a large rebuild (dropping the rebuild's writer
    /// discards whatever it did not commit). Should opening it fail, the next change retries.
    fn drop(&mut self) {
        if self.scale == RebuildScale::Large {
            *self.slot = None;
            match open_writer(&self.index.index, 1, WRITER_MEMORY) {
                Ok(writer) => *self.slot = Some(writer),
                Err(error) => tracing::warn!(%error, "reopening the index writer failed"),
            }
        }
    }
}
