//! Per-segment tables of the facet and sort values, decoded once from the fast fields into
//! plain arrays and per-value document sets, one column per `FACETS` entry. Segments are
//! immutable, so a table stays valid for its segment's life (deletes only change the alive set,
//! which is rebuilt when the segment's deletion count moves).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tantivy::columnar::StrColumn;
use tantivy::index::SegmentId;
use tantivy::{DocId, Score, SegmentReader};

use super::CountMap;
use super::bitmaps::{self, Words, words};
use super::schema::names;
use crate::catalog::buckets::bucket_of;
use crate::catalog::facet_list::{FACETS, FacetKind};
use crate::catalog::memory::{FitInputs, KvOptions, Need, capped_context};
use crate::catalog::query::Sort;

/// One facet's counts in one segment.
#[derive(Debug, Clone)]
pub enum SegmentCount {
    Values(CountMap<u64>),
    Flag([u64; 2]),
    Buckets(Vec<u64>),
    Uncounted,
}

/// "No value" in the name ordinals.
pub const NONE: u32 = u32::MAX;

/// Most distinct values a string facet may have in a segment and still get one document set
/// per value (RELIABILITY T4's 10 000 tags would cost a set each); beyond it the facet is
/// filtered and counted from its ordinals.
pub const MAX_VALUE_BITMAPS: usize = 256;

/// One facet's values in one segment, by the kind `FACETS` gives it.
pub enum FacetColumn {
    Values(ValueColumn),
    /// The documents whose flag is set.
    Flag(Words),
    Buckets(BucketColumn),
    Fit(FitColumn),
}

/// The fit facet's packed inputs (`memory::FitInputs`) and, per context asked for, the slots
/// they fall in, built on first use: a handful of contexts serve nearly every search.
pub struct FitColumn {
    pub inputs: Vec<u64>,
    /// `FitInputs::pack_window` per document.
    pub windows: Vec<u64>,
    at: Mutex<Vec<(FitAt, Arc<FitSlots>)>>,
}

/// What a fit count depends on besides the documents: the context and the cache knobs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FitAt {
    pub context: u64,
    pub options: KvOptions,
}

/// Contexts whose slots a segment keeps.
const FIT_CONTEXTS_KEPT: usize = 8;

/// The documents of every fit slot (`FitFacet::slot_of`) at one context, and each document's
/// whole estimate, or for "weights only" its weights and overhead (`u64::MAX` where neither
/// is known).
pub struct FitSlots {
    pub known: Vec<u64>,
    pub slots: Vec<Words>,
    /// Each document's slot, for counting a small set document by document.
    pub slot_of: Vec<u8>,
}

impl FitSlots {
    /// Documents of each slot within `set`: by popcount per slot for large sets, by walking
    /// the set for small ones (a keyword search's few hundred hits cost less than 17 slots of
    /// words).
    pub fn count(&self, set: &Words) -> Vec<u64> {
        let hits = bitmaps::count(set);
        if hits * 8 > self.known.len() as u64 {
            return self
                .slots
                .iter()
                .map(|slot| bitmaps::count_and(slot, set))
                .collect();
        }
        let mut counts = vec![0u64; self.slots.len()];
        bitmaps::for_each(set, |d| counts[usize::from(self.slot_of[d as usize])] += 1);
        counts
    }
}

/// A string facet: every document's value ordinals, the values, and per-value sets.
pub struct ValueColumn {
    /// Ordinals of document `d`: `ords[offsets[d]..offsets[d + 1]]`, ascending.
    offsets: Vec<u32>,
    ords: Vec<u32>,
    /// Ordinal → value, decoded once: counting would otherwise decode dictionary blocks for
    /// every counted value of every search.
    pub names: Vec<String>,
    column: Option<StrColumn>,
    /// The documents of each value, when there are at most [`MAX_VALUE_BITMAPS`] values.
    pub sets: Option<Vec<Words>>,
}

impl ValueColumn {
    pub fn ords(&self, doc: DocId) -> &[u32] {
        let d = doc as usize;
        &self.ords[self.offsets[d] as usize..self.offsets[d + 1] as usize]
    }

    /// The segment ordinals of these values, sorted; values absent here match nothing.
    pub fn ords_of(&self, values: &[String]) -> tantivy::Result<Vec<u32>> {
        let mut ords = Vec::new();
        if let Some(column) = &self.column {
            for value in values {
                if let Some(ord) = column.dictionary().term_ord(value.as_bytes())? {
                    ords.push(ord as u32);
                }
            }
        }
        ords.sort_unstable();
        Ok(ords)
    }
}

/// A bucketed number: the values (0: not stated) and the documents of each bucket slot.
pub struct BucketColumn {
    pub values: Vec<u64>,
    /// One per bucket, then "not stated".
    pub slots: Vec<Words>,
}

/// Browse counts kept for (alive documents, fit context).
type BrowseCounts = (u64, FitAt, Vec<SegmentCount>);

/// The decoded values of one segment.
pub struct SegmentTable {
    pub max_doc: u32,
    /// The alive documents as words, for the deletion state `num_deleted_docs` it was built at.
    pub alive: Mutex<Option<(u32, Arc<Words>)>>,
    /// Facet counts of a browse without keywords or filters: (alive documents, fit context,
    /// counts). Deletes only shrink a segment's alive set, so the same alive count means the
    /// same documents.
    browse: Mutex<Option<BrowseCounts>>,
    /// Documents best first for each keyword-less sort, built on first use.
    orders: [std::sync::OnceLock<Vec<u32>>; 5],
    /// By position in `FACETS`.
    pub facets: Vec<FacetColumn>,
    /// 0 when not stated (real values are at least 1).
    pub params: Vec<u64>,
    pub context: Vec<u64>,
    pub featured: Vec<bool>,
    pub deployments: Vec<u64>,
    pub shared_at: Vec<u64>,
    /// The tie-break of equal relevance scores, larger first: fewer name chunks (the query
    /// covers more of the name), then a shorter name, then the newer share.
    pub relevance_tie: Vec<u64>,
    pub name: Vec<u32>,
    pub name_column: Option<StrColumn>,
    /// Each document's variant group.
    pub variant_group: Vec<u64>,
}

impl SegmentTable {
    /// The sort key of a document: larger is better; ties go to the smaller document id.
    pub fn sort_key(&self, sort: Sort, doc: DocId, score: Score) -> (u64, u64) {
        let t = self;
        let d = doc as usize;
        match sort {
            // Scores are non-negative, and non-negative f32 bits order like the floats.
            Sort::Relevance => (u64::from(score.max(0.0).to_bits()), t.relevance_tie[d]),
            Sort::Popular => {
                let featured = u64::from(t.featured[d]);
                (t.deployments[d], (featured << 63) | t.shared_at[d])
            }
            Sort::Newest => (t.shared_at[d], 0),
            Sort::Params => (t.params[d], t.shared_at[d]),
            Sort::Context => (t.context[d], t.shared_at[d]),
            // Ascending names: invert the segment-local ordinal (ords are in name order).
            Sort::Name => (u64::MAX - u64::from(t.name[d]), 0),
        }
    }

    fn load(reader: &SegmentReader) -> tantivy::Result<Self> {
        let fast = reader.fast_fields();
        let max_doc = reader.max_doc();
        let docs = 0..max_doc;
        let numbers = |name: &str| -> tantivy::Result<Vec<u64>> {
            let column = fast.column_opt::<u64>(name)?;
            Ok(docs
                .clone()
                .map(|d| column.as_ref().and_then(|c| c.first(d)).unwrap_or(0))
                .collect())
        };
        let flags = |name: &str| -> tantivy::Result<Vec<bool>> {
            let column = fast.column_opt::<bool>(name)?;
            Ok(docs
                .clone()
                .map(|d| column.as_ref().and_then(|c| c.first(d)).unwrap_or(false))
                .collect())
        };
        let mut facets = Vec::with_capacity(FACETS.len());
        for facet in &FACETS {
            facets.push(match &facet.kind {
                FacetKind::Values(_) => {
                    FacetColumn::Values(value_column(fast.str(facet.key)?, max_doc)?)
                }
                FacetKind::Flag(_) => {
                    let mut set = words(max_doc as usize);
                    for (d, flag) in flags(facet.key)?.into_iter().enumerate() {
                        if flag {
                            bitmaps::set(&mut set, d);
                        }
                    }
                    FacetColumn::Flag(set)
                }
                FacetKind::Buckets(b) => {
                    let values = numbers(facet.key)?;
                    let mut slots = vec![words(max_doc as usize); b.buckets.len() + 1];
                    for (d, value) in values.iter().enumerate() {
                        let slot = bucket_of(b.buckets, (*value != 0).then_some(*value))
                            .unwrap_or(b.buckets.len());
                        bitmaps::set(&mut slots[slot], d);
                    }
                    FacetColumn::Buckets(BucketColumn { values, slots })
                }
                FacetKind::Fit(_) => FacetColumn::Fit(FitColumn {
                    inputs: numbers(facet.key)?,
                    windows: numbers(names::FIT_WINDOW)?,
                    at: Mutex::new(Vec::new()),
                }),
            });
        }
        let name_column = fast.str(names::NAME_SORT)?;
        let shared_at = numbers(names::SHARED_AT)?;
        Ok(Self {
            max_doc,
            alive: Mutex::new(None),
            browse: Mutex::new(None),
            orders: Default::default(),
            facets,
            params: numbers(names::PARAMS)?,
            context: numbers(names::CONTEXT)?,
            featured: flags(names::FEATURED)?,
            deployments: numbers(names::DEPLOYMENTS)?,
            relevance_tie: relevance_ties(
                &numbers(names::NAME_SHAPE)?,
                &shared_at,
                &numbers(names::SUPERSEDED)?,
            ),
            shared_at,
            name: docs
                .clone()
                .map(|d| {
                    name_column
                        .as_ref()
                        .and_then(|c| c.ords().first(d))
                        .map_or(NONE, |o| o as u32)
                })
                .collect(),
            name_column,
            variant_group: numbers(names::VARIANT_GROUP)?,
        })
    }

    /// The string facet at this position of `FACETS`.
    pub fn values(&self, facet: usize) -> Option<&ValueColumn> {
        match self.facets.get(facet) {
            Some(FacetColumn::Values(column)) => Some(column),
            _ => None,
        }
    }

    /// The browse counts for this alive count and fit context, computed by `count` when not
    /// kept yet.
    pub fn browse_counts(
        &self,
        alive: u64,
        context: FitAt,
        count: impl FnOnce() -> Vec<SegmentCount>,
    ) -> Vec<SegmentCount> {
        let mut kept = self.browse.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((at, ctx, counts)) = kept.as_ref()
            && *at == alive
            && *ctx == context
        {
            return counts.clone();
        }
        let counts = count();
        *kept = Some((alive, context, counts.clone()));
        counts
    }

    /// The fit slots of the fit facet at this position for `context`.
    pub fn fit(&self, position: usize, at: FitAt) -> Option<Arc<FitSlots>> {
        let (FacetColumn::Fit(column), FacetKind::Fit(facet)) =
            (self.facets.get(position)?, &FACETS.get(position)?.kind)
        else {
            return None;
        };
        let mut kept = column.at.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((_, slots)) = kept.iter().find(|(kept_at, _)| *kept_at == at) {
            return Some(Arc::clone(slots));
        }
        let n = self.max_doc as usize;
        let mut slots = vec![words(n); facet.slot_count()];
        let mut known = vec![u64::MAX; n];
        let mut slot_of = vec![0u8; n];
        for (d, packed) in column.inputs.iter().enumerate() {
            // 0 is "not stated" in the table.
            let own = Some(self.context[d]).filter(|c| *c > 0);
            let window = column.windows.get(d).copied().unwrap_or(0);
            let need = FitInputs::unpack(*packed, window)
                .need(capped_context(own, at.context), at.options);
            // The slot says which kind of figure it is: a whole estimate or weights only.
            if let Need::Known(bytes) | Need::AtLeast(bytes) = need {
                known[d] = bytes;
            }
            let slot = facet.slot_of(need);
            slot_of[d] = slot as u8;
            bitmaps::set(&mut slots[slot], d);
        }
        let built = Arc::new(FitSlots {
            known,
            slots,
            slot_of,
        });
        if kept.len() >= FIT_CONTEXTS_KEPT {
            kept.remove(0);
        }
        kept.push((at, Arc::clone(&built)));
        Some(built)
    }

    /// All documents, best first for `sort` (ties: smaller document id first); `None` for
    /// relevance, which needs scores.
    pub fn order(&self, sort: Sort) -> Option<&[u32]> {
        let slot = match sort {
            Sort::Relevance => return None,
            Sort::Popular => 0,
            Sort::Newest => 1,
            Sort::Name => 2,
            Sort::Params => 3,
            Sort::Context => 4,
        };
        Some(self.orders[slot].get_or_init(|| {
            let mut docs: Vec<u32> = (0..self.max_doc).collect();
            docs.sort_by_cached_key(|d| (std::cmp::Reverse(self.sort_key(sort, *d, 0.0)), *d));
            docs
        }))
    }

    /// The alive documents of the segment as its reader sees them now.
    pub fn alive(&self, reader: &SegmentReader) -> Arc<Words> {
        let deleted = reader.num_deleted_docs();
        let mut cached = self.alive.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((at, alive)) = cached.as_ref()
            && *at == deleted
        {
            return Arc::clone(alive);
        }
        let n = reader.max_doc() as usize;
        let mut alive = words(n);
        for d in 0..n {
            if !reader.is_deleted(d as DocId) {
                bitmaps::set(&mut alive, d);
            }
        }
        let alive = Arc::new(alive);
        *cached = Some((deleted, Arc::clone(&alive)));
        alive
    }
}

fn value_column(column: Option<StrColumn>, max_doc: u32) -> tantivy::Result<ValueColumn> {
    let mut offsets = Vec::with_capacity(max_doc as usize + 1);
    let mut ords = Vec::new();
    offsets.push(0);
    for d in 0..max_doc {
        if let Some(column) = &column {
            ords.extend(column.term_ords(d).map(|o| o as u32));
        }
        offsets.push(ords.len() as u32);
    }
    let mut names = Vec::new();
    if let Some(column) = &column {
        names.reserve(column.num_terms());
        for ord in 0..column.num_terms() as u64 {
            let mut text = String::new();
            column.ord_to_str(ord, &mut text)?;
            names.push(text);
        }
    }
    let sets = (names.len() <= MAX_VALUE_BITMAPS).then(|| {
        let mut sets = vec![words(max_doc as usize); names.len()];
        for d in 0..max_doc as usize {
            for ord in &ords[offsets[d] as usize..offsets[d + 1] as usize] {
                bitmaps::set(&mut sets[*ord as usize], d);
            }
        }
        sets
    });
    Ok(ValueColumn {
        offsets,
        ords,
        names,
        column,
        sets,
    })
}

/// Equal scores: a model no other supersedes first (issue 27: superseded models rank after
/// their successors), then fewer name chunks, a shorter name, the newer share.
fn relevance_ties(shapes: &[u64], shared_at: &[u64], superseded: &[u64]) -> Vec<u64> {
    shapes
        .iter()
        .zip(shared_at)
        .enumerate()
        .map(|(d, (shape, shared))| {
            let (chunks, length) = ((shape >> 16 & 0xFFFF).min(0x7FFF), shape & 0xFFFF);
            let current = u64::from(superseded.get(d).copied().unwrap_or(0) == 0);
            let seconds = (shared / 1_000_000) & 0xFFFF_FFFF;
            (current << 63) | ((0x7FFF - chunks) << 48) | ((0xFFFF - length) << 32) | seconds
        })
        .collect()
}

/// Tables by segment, shared by every search of one index.
#[derive(Default)]
pub struct TableCache {
    tables: Mutex<HashMap<SegmentId, Arc<SegmentTable>>>,
}

impl TableCache {
    /// Returns the segment's table, decoding it on first use.
    pub fn get(&self, reader: &SegmentReader) -> tantivy::Result<Arc<SegmentTable>> {
        let id = reader.segment_id();
        if let Some(table) = self.lock().get(&id) {
            return Ok(Arc::clone(table));
        }
        let table = Arc::new(SegmentTable::load(reader)?);
        self.lock().insert(id, Arc::clone(&table));
        Ok(table)
    }

    /// Forgets segments that merged away.
    pub fn retain(&self, live: &[SegmentId]) {
        self.lock().retain(|id, _| live.contains(id));
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<SegmentId, Arc<SegmentTable>>> {
        // The map holds only immutable tables: a poisoned lock leaves nothing half-written.
        self.tables
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
