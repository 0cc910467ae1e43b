//! The index itself: opening (or recreating) it and applying changes; reading it is `lookup`,
//! replacing it whole is `rebuild`.
//!
//! One `IndexWriter` behind a mutex (tantivy allows one); every commit carries a payload with
//! the schema version and the outbox watermark, and is followed by an explicit reader reload so
//! a change is searchable as soon as `apply` returns (no 500 ms polling).

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use serde::{Deserialize, Serialize};
use tantivy::{
    DocAddress, Index, IndexReader, IndexSettings, IndexWriter, ReloadPolicy, TantivyDocument,
    Term, doc,
};

use super::SearchError;
use super::deferred_sync::DeferredSync;
use super::schema::{Fields, SCHEMA_VERSION, build_schema};
use super::table::TableCache;
mod lookup;
mod rebuild;

pub use rebuild::{Rebuild, RebuildScale};

use crate::catalog::card::CatalogEntry;
use crate::catalog::facet_list::{FACETS, FacetKind};
use crate::catalog::ids::ModelId;
use crate::catalog::words;
use tantivy::tokenizer::{PreTokenizedString, Token};

/// The everyday writer's arena: tantivy's minimum. A commit's cost grows with it (the segment
/// writer's term table is sized from it, cleared for every new segment and walked at every
/// flush), and everyday commits are a handful of documents: 50 MB made a commit of 8 take
/// 6 ms, mostly clearing and walking an empty table. Rebuilds have their own writer.
const WRITER_MEMORY: usize = 15_000_000;

/// A change to apply to the index.
#[derive(Debug, Clone)]
pub enum IndexChange {
    Upsert(Box<CatalogEntry>),
    Remove(ModelId),
}

/// How opening went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OpenOutcome {
    /// The index was usable; it reflects the outbox up to this watermark.
    Ready { watermark: i64 },
    /// The index was missing, unreadable or of another schema version and is now empty: the
    /// caller must fill it from the database.
    Recreated { reason: String },
}

#[derive(Debug, Serialize, Deserialize)]
struct CommitPayload {
    schema_version: u32,
    watermark: i64,
}

/// The catalog index.
pub struct SearchIndex {
    index: Index,
    reader: IndexReader,
    /// `None` only between dropping one writer and opening the next: tantivy allows one writer
    /// per index, so a rebuild's own writer replaces this one while it runs.
    writer: Mutex<Option<IndexWriter>>,
    fields: Fields,
    tables: Arc<TableCache>,
    /// Fault injection (RELIABILITY T30): this many coming commits fail before writing anything.
    failing_commits: AtomicU32,
    /// Commits made since opening; tests see group commit through it.
    commits: AtomicU64,
    /// Bumped after every reload of the searcher: what a search sees changes only with it.
    generation: AtomicU64,
    /// The on-disk directory, whose commits become durable at checkpoints; `None` in memory.
    directory: Option<DeferredSync>,
    /// Set from a commit until its reload succeeds: the searcher may not show every document.
    reader_behind: AtomicBool,
}

impl Drop for SearchIndex {
    /// A one-shot command (an admin import, say) leaves its commits durable when it exits.
    fn drop(&mut self) {
        if let Err(error) = self.checkpoint() {
            tracing::warn!(%error, "making the last index commits durable failed");
        }
    }
}

impl SearchIndex {
    /// Opens the index in `dir`, recreating it empty when it is missing, corrupt or of another
    /// schema version. Never panics on a damaged index (RELIABILITY T32).
    pub fn open(dir: &Path) -> Result<(Self, OpenOutcome), SearchError> {
        let attempt = catch_unwind(AssertUnwindSafe(|| Self::open_existing(dir)));
        let reason = match attempt {
            Ok(Ok((index, watermark))) => return Ok((index, OpenOutcome::Ready { watermark })),
            Ok(Err(reason)) => reason,
            Err(_) => "opening the index panicked".to_owned(),
        };
        if dir.exists() {
            std::fs::remove_dir_all(dir)?;
        }
        std::fs::create_dir_all(dir)?;
        let (schema, fields) = build_schema();
        let directory = DeferredSync::open(dir)?;
        let settings = IndexSettings {
            // Compressing the store on a thread of its own spawns that thread for every
            // segment: a cost every small commit pays, for no gain on two cores.
            docstore_compress_dedicated_thread: false,
            ..IndexSettings::default()
        };
        let index = Index::create(directory.clone(), schema, settings)?;
        let created = Self::from_index(index, fields, Some(directory))?;
        // An empty index on disk is the state a start without one relies on: make it durable.
        created.checkpoint()?;
        Ok((created, OpenOutcome::Recreated { reason }))
    }

    /// An index in memory, for tests and benchmarks.
    pub fn in_memory() -> Result<Self, SearchError> {
        let (schema, fields) = build_schema();
        Self::from_index(Index::create_in_ram(schema), fields, None)
    }

    fn open_existing(dir: &Path) -> Result<(Self, i64), String> {
        if !dir.join("meta.json").exists() {
            return Err("no index yet".to_owned());
        }
        let directory = DeferredSync::open(dir).map_err(|e| format!("unreadable: {e}"))?;
        let index = Index::open(directory.clone()).map_err(|e| format!("unreadable: {e}"))?;
        let metas = index
            .load_metas()
            .map_err(|e| format!("unreadable metadata: {e}"))?;
        let payload: Option<CommitPayload> = metas
            .payload
            .as_deref()
            .and_then(|p| serde_json::from_str(p).ok());
        let watermark = match payload {
            Some(p) if p.schema_version == SCHEMA_VERSION => p.watermark,
            Some(p) => {
                return Err(format!(
                    "schema version {} (this binary writes {SCHEMA_VERSION})",
                    p.schema_version
                ));
            }
            None => return Err("no schema version recorded".to_owned()),
        };
        let (schema, fields) = build_schema();
        if index.schema() != schema {
            return Err("schema differs from this binary's".to_owned());
        }
        let opened = Self::from_index(index, fields, Some(directory))
            .map_err(|e| format!("cannot open: {e:?}"))?;
        opened.verify().map_err(|e| format!("damaged: {e:?}"))?;
        Ok((opened, watermark))
    }

    fn from_index(
        mut index: Index,
        fields: Fields,
        directory: Option<DeferredSync>,
    ) -> Result<Self, SearchError> {
        // Segments are searched in parallel, one thread per core: halves latency on two cores.
        index.set_default_multithread_executor()?;
        // Tokenizers are not stored with an index: every open registers the description's.
        index.tokenizers().register(
            super::tokenizer::DESCRIPTION_TOKENIZER,
            super::tokenizer::description_analyzer(),
        );
        let writer = open_writer(&index, 1, WRITER_MEMORY)?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(Self {
            index,
            reader,
            writer: Mutex::new(Some(writer)),
            fields,
            tables: Arc::default(),
            failing_commits: AtomicU32::new(0),
            commits: AtomicU64::new(0),
            generation: AtomicU64::new(0),
            directory,
            reader_behind: AtomicBool::new(false),
        })
    }

    /// Makes every commit so far durable against power loss (see [`DeferredSync`]); a commit
    /// is searchable, and survives a process crash, without it. Returns the files synced.
    pub fn checkpoint(&self) -> Result<usize, SearchError> {
        match &self.directory {
            Some(directory) => Ok(directory.checkpoint()?),
            None => Ok(0),
        }
    }

    /// Whether a commit awaits its checkpoint.
    pub fn needs_checkpoint(&self) -> bool {
        self.directory.as_ref().is_some_and(DeferredSync::is_dirty)
    }

    /// Reads every segment's columns and first stored card, so damage shows at start-up.
    fn verify(&self) -> Result<(), SearchError> {
        let searcher = self.reader.searcher();
        for (ord, segment) in searcher.segment_readers().iter().enumerate() {
            segment.fast_fields().str(super::schema::names::ID)?;
            segment.inverted_index(self.fields.name)?;
            segment.inverted_index(self.fields.description)?;
            if let Some(doc) = (0..segment.max_doc()).find(|d| !segment.is_deleted(*d)) {
                self.card_at(&searcher, DocAddress::new(ord as u32, doc))?;
            }
        }
        Ok(())
    }

    fn writer(&self) -> MutexGuard<'_, Option<IndexWriter>> {
        // A panic while holding the writer leaves it usable: uncommitted work is simply redone.
        self.writer
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The writer for everyday changes, reopened if a rebuild could not hand it back.
    fn steady_writer<'a>(
        &self,
        slot: &'a mut Option<IndexWriter>,
    ) -> Result<&'a mut IndexWriter, SearchError> {
        if slot.is_none() {
            *slot = Some(open_writer(&self.index, 1, WRITER_MEMORY)?);
        }
        slot.as_mut()
            .ok_or_else(|| SearchError::Directory("no index writer".to_owned()))
    }

    /// Applies changes in one commit that records `watermark`, then reloads the reader.
    pub fn apply(&self, changes: &[IndexChange], watermark: i64) -> Result<(), SearchError> {
        let mut slot = self.writer();
        let writer = self.steady_writer(&mut slot)?;
        // A delete makes the commit open a reader on every segment to apply it, even when it
        // matches nothing: a model shared for the first time is in no segment, so it is added
        // without one. The searcher shows every committed document (deleted ones too, which
        // only errs towards deleting), and the writer's lock keeps commits out meanwhile.
        // Should the last reload have failed, the searcher may miss a commit: delete always.
        let searcher = self.reader.searcher();
        let current = !self.reader_behind.load(Ordering::SeqCst);
        for change in changes {
            let id = match change {
                IndexChange::Upsert(entry) => &entry.card.id,
                IndexChange::Remove(id) => id,
            };
            let term = self.id_term(id);
            if !current || searcher.doc_freq(&term)? > 0 {
                writer.delete_term(term);
            }
            if let IndexChange::Upsert(entry) = change {
                writer.add_document(self.document((**entry).clone())?)?;
            }
        }
        self.commit(writer, watermark)
    }

    /// Replaces the whole index with these entries in one commit.
    pub fn replace_all(
        &self,
        entries: impl IntoIterator<Item = CatalogEntry>,
        watermark: i64,
    ) -> Result<usize, SearchError> {
        let rebuild = self.begin_rebuild(RebuildScale::Small)?;
        let mut entries = entries.into_iter().peekable();
        while entries.peek().is_some() {
            rebuild.add_all(entries.by_ref().take(1_000).collect())?;
        }
        rebuild.commit(watermark)
    }

    /// Test hook: makes the next `count` commits fail as a full disk would.
    pub fn inject_commit_failures(&self, count: u32) {
        self.failing_commits.store(count, Ordering::SeqCst);
    }

    fn commit(&self, writer: &mut IndexWriter, watermark: i64) -> Result<(), SearchError> {
        let injected = self
            .failing_commits
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok();
        if injected {
            let _ = writer.rollback();
            return Err(SearchError::Directory("injected commit failure".to_owned()));
        }
        let payload = serde_json::to_string(&CommitPayload {
            schema_version: SCHEMA_VERSION,
            watermark,
        })?;
        let started = std::time::Instant::now();
        let mut prepared = match writer.prepare_commit() {
            Ok(prepared) => prepared,
            Err(e) => {
                // Drop the half-applied batch so the next attempt starts clean.
                let _ = writer.rollback();
                return Err(e.into());
            }
        };
        prepared.set_payload(&payload);
        let prepare_us = started.elapsed().as_micros() as u64;
        prepared.commit()?;
        let commit_us = started.elapsed().as_micros() as u64 - prepare_us;
        self.commits.fetch_add(1, Ordering::SeqCst);
        self.reader_behind.store(true, Ordering::SeqCst);
        self.reader.reload()?;
        self.reader_behind.store(false, Ordering::SeqCst);
        let reload_us = started.elapsed().as_micros() as u64 - prepare_us - commit_us;
        tracing::debug!(prepare_us, commit_us, reload_us, "index commit");
        // After the reload: whoever reads this generation searches what it names.
        self.generation.fetch_add(1, Ordering::SeqCst);
        let live: Vec<_> = self
            .reader
            .searcher()
            .segment_readers()
            .iter()
            .map(|s| s.segment_id())
            .collect();
        self.tables.retain(&live);
        Ok(())
    }

    fn id_term(&self, id: &ModelId) -> Term {
        Term::from_field_text(self.fields.id, &id.to_string())
    }

    /// The document of an entry (taken by value: a rebuild makes a million, and the
    /// description text moves in instead of being copied).
    fn document(&self, entry: CatalogEntry) -> Result<TantivyDocument, SearchError> {
        let f = &self.fields;
        let card = &entry.card;
        let mut document = doc!(
            f.id => card.id.to_string(),
            // The tags, and the fields words of the query-understanding table mean: the family
            // slug (publishers), the licence key (`apache`, `mit`) and the publishing project.
            f.tags_text => format!(
                "{} {} {} {}",
                card.tags.join(" "),
                card.architecture,
                card.license.as_deref().unwrap_or_default(),
                card.project_name
            ),
            f.deployments => card.facts.deployment_count,
            f.shared_at => entry.shared_at_micros,
            f.revision => entry.revision_micros,
            f.name_sort => card.name.to_lowercase(),
            f.project => card.project_id.to_string(),
            f.fit_window => card.fit_inputs().pack_window(),
            f.superseded => u64::from(card.lineage.superseded_by.is_some()),
            f.card => serde_json::to_vec(card)?,
        );
        if let Some(base) = card.lineage.base_id {
            document.add_text(f.derived_from, base.to_string());
        }
        document.add_pre_tokenized_text(f.name, pre_tokenized(&card.name));
        document.add_text(f.description, &entry.description_text);
        let variant: Vec<&str> = [&card.quantization, &card.format]
            .into_iter()
            .flatten()
            .map(String::as_str)
            .collect();
        document.add_pre_tokenized_text(f.variant, pre_tokenized(&variant.join(" ")));
        let chunks = words::chunk_count(&card.name).min(0xFFFF) as u64;
        let length = card.name.chars().count().min(0xFFFF) as u64;
        document.add_u64(f.name_shape, (chunks << 16) | length);
        document.add_u64(f.variant_group, card.variant_group());
        for (facet, field) in FACETS.iter().zip(f.facets) {
            match &facet.kind {
                FacetKind::Values(v) => {
                    for value in (v.values_of)(card) {
                        document.add_text(field, &value);
                    }
                }
                FacetKind::Flag(flag) => document.add_bool(field, (flag.value_of)(card)),
                FacetKind::Buckets(b) => {
                    if let Some(value) = (b.value_of)(card) {
                        document.add_u64(field, value);
                    }
                }
                FacetKind::Fit(fit) => document.add_u64(field, (fit.value_of)(card)),
            }
        }
        Ok(document)
    }

    /// The outbox watermark of the last commit.
    pub fn watermark(&self) -> Option<i64> {
        let metas = self.index.load_metas().ok()?;
        let payload: CommitPayload = serde_json::from_str(metas.payload.as_deref()?).ok()?;
        Some(payload.watermark)
    }

    /// Commits made since the index was opened (a rebuild counts as one).
    pub fn commit_count(&self) -> u64 {
        self.commits.load(Ordering::SeqCst)
    }

    /// The searcher's generation: two searches at the same generation see the same documents.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    /// Documents currently searchable.
    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Segments currently searchable (merging keeps this small).
    pub fn num_segments(&self) -> usize {
        self.reader.searcher().segment_readers().len()
    }

    /// Every (model id, revision) the index holds, sorted; a model held twice appears twice.
    pub fn revisions(&self) -> Result<Vec<(ModelId, u64)>, SearchError> {
        let searcher = self.reader.searcher();
        let mut out = Vec::new();
        let mut text = String::new();
        for segment in searcher.segment_readers() {
            let Some(ids) = segment.fast_fields().str(super::schema::names::ID)? else {
                continue;
            };
            let revisions = segment
                .fast_fields()
                .column_opt::<u64>(super::schema::names::REVISION)?;
            for doc in (0..segment.max_doc()).filter(|d| !segment.is_deleted(*d)) {
                let Some(ord) = ids.ords().first(doc) else {
                    continue;
                };
                text.clear();
                ids.ord_to_str(ord, &mut text)?;
                let revision = revisions.as_ref().and_then(|c| c.first(doc)).unwrap_or(0);
                if let Some(id) = ModelId::parse(&text) {
                    out.push((id, revision));
                }
            }
        }
        out.sort();
        Ok(out)
    }

    /// Every model id in the index, for consistency checks against the database.
    pub fn all_ids(&self) -> Result<Vec<ModelId>, SearchError> {
        let searcher = self.reader.searcher();
        let mut ids = Vec::new();
        let mut text = String::new();
        for segment in searcher.segment_readers() {
            let Some(column) = segment.fast_fields().str(super::schema::names::ID)? else {
                continue;
            };
            for doc in (0..segment.max_doc()).filter(|d| !segment.is_deleted(*d)) {
                if let Some(ord) = column.ords().first(doc) {
                    text.clear();
                    column.ord_to_str(ord, &mut text)?;
                    ids.extend(ModelId::parse(&text));
                }
            }
        }
        ids.sort();
        Ok(ids)
    }
}

/// A text as the terms `catalog::words` finds it by (the index never re-tokenises them).
fn pre_tokenized(text: &str) -> PreTokenizedString {
    as_tokens(words::name_terms(text))
}

/// Terms as tantivy's pre-tokenized text (the fields are not stored: no text is kept).
fn as_tokens(terms: Vec<String>) -> PreTokenizedString {
    let tokens = terms
        .into_iter()
        .enumerate()
        .map(|(position, term)| Token {
            offset_from: 0,
            offset_to: 0,
            position,
            text: term,
            position_length: 1,
        })
        .collect();
    PreTokenizedString {
        text: String::new(),
        tokens,
    }
}

/// Opens a writer, clearing files no commit refers to first: a process killed mid-commit leaves
/// some (e.g. `<segment>.<opstamp>.del`) and the next commit may want the same names.
fn open_writer(index: &Index, threads: usize, memory: usize) -> Result<IndexWriter, SearchError> {
    let writer: IndexWriter = index.writer_with_num_threads(threads, memory)?;
    writer.garbage_collect_files().wait()?;
    writer.set_merge_policy(Box::new(everyday_merge_policy()));
    Ok(writer)
}

/// Merging for the small segments everyday commits make (a group commit is a handful of
/// documents). tantivy's default treats every segment under 10 000 documents as one level, so
/// each merge rewrote the whole growing small segment again: at 8 documents a commit that was
/// most of a commit's CPU. Levels from 64 documents up make it logarithmic. Segments past
/// `MERGED_UP_TO` are left alone: those a rebuild wrote (about 90 000 each at a million models)
/// would otherwise be merged into one in the background right after it, for a minute of both
/// cores, while the server answers.
fn everyday_merge_policy() -> tantivy::indexer::LogMergePolicy {
    const MERGED_UP_TO: usize = 50_000;
    let mut policy = tantivy::indexer::LogMergePolicy::default();
    policy.set_min_layer_size(64);
    policy.set_max_docs_before_merge(MERGED_UP_TO);
    policy
}
