//! Per-segment tables of the facet and sort values, decoded once from the fast fields into
//! plain arrays. Segments are immutable, so a table stays valid for its segment's life (deletes
//! only change which documents the query hands the collector). Reading an array slot is several
//! times cheaper than decoding an optional fast-field column per document, and the collector
//! reads eight values for every matching document.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tantivy::columnar::StrColumn;
use tantivy::index::SegmentId;
use tantivy::{DocId, SegmentReader};

use super::schema::names;
use crate::catalog::facets::{Bucket, CONTEXT_BUCKETS, PARAM_BUCKETS, bucket_of};
use crate::catalog::query::Sort;

/// "No value" in the ordinal arrays.
pub const NONE: u32 = u32::MAX;

/// The decoded values of one segment.
pub struct SegmentTable {
    /// Document sets per facet value, built on the first browse (no keywords) of this segment.
    pub bitmaps: std::sync::OnceLock<Option<super::bitmaps::FacetBitmaps>>,
    /// The alive documents as words, for the deletion state `num_deleted_docs` it was built at.
    pub alive: Mutex<Option<(u32, Arc<Vec<u64>>)>>,
    /// Documents best first for each keyword-less sort, built on first use.
    orders: [std::sync::OnceLock<Vec<u32>>; 5],
    pub family: Vec<u32>,
    pub license: Vec<u32>,
    /// Tag ordinals of document `d`: `tag_ords[tag_offsets[d]..tag_offsets[d + 1]]`.
    pub tag_offsets: Vec<u32>,
    pub tag_ords: Vec<u32>,
    /// Bit 0: MoE, bit 1: featured.
    pub flags: Vec<u8>,
    /// 0 when not stated (real values are at least 1).
    pub params: Vec<u64>,
    pub context: Vec<u64>,
    pub deployments: Vec<u64>,
    pub shared_at: Vec<u64>,
    /// The tie-break of equal relevance scores, larger first: fewer name chunks (the query
    /// covers more of the name), then a shorter name, then the newer share.
    pub relevance_tie: Vec<u64>,
    pub name: Vec<u32>,
    /// Index into `PARAM_BUCKETS` / `CONTEXT_BUCKETS`, or the "not stated" slot.
    pub params_bucket: Vec<u8>,
    pub context_bucket: Vec<u8>,
    /// Ordinal → value, decoded once: facet harvesting would otherwise decode dictionary
    /// blocks for every counted value of every search.
    pub family_names: Vec<String>,
    pub license_names: Vec<String>,
    pub tag_names: Vec<String>,
    pub family_column: Option<StrColumn>,
    pub license_column: Option<StrColumn>,
    pub tag_column: Option<StrColumn>,
    pub name_column: Option<StrColumn>,
}

pub const MOE: u8 = 1;
pub const FEATURED: u8 = 2;

impl SegmentTable {
    fn load(reader: &SegmentReader) -> tantivy::Result<Self> {
        let fast = reader.fast_fields();
        let max_doc = reader.max_doc();
        let docs = 0..max_doc;
        let family_column = fast.str(names::FAMILY)?;
        let license_column = fast.str(names::LICENSE)?;
        let tag_column = fast.str(names::TAGS)?;
        let name_column = fast.str(names::NAME_SORT)?;
        let ords = |column: &Option<StrColumn>| -> Vec<u32> {
            docs.clone()
                .map(|d| {
                    column
                        .as_ref()
                        .and_then(|c| c.ords().first(d))
                        .map_or(NONE, |o| o as u32)
                })
                .collect()
        };
        let numbers = |name: &str| -> tantivy::Result<Vec<u64>> {
            let column = fast.column_opt::<u64>(name)?;
            Ok(docs
                .clone()
                .map(|d| column.as_ref().and_then(|c| c.first(d)).unwrap_or(0))
                .collect())
        };
        let moe = fast.column_opt::<bool>(names::MOE)?;
        let featured = fast.column_opt::<bool>(names::FEATURED)?;
        let flag = |column: &Option<tantivy::columnar::Column<bool>>, d: DocId| {
            column.as_ref().and_then(|c| c.first(d)).unwrap_or(false)
        };
        let mut tag_offsets = Vec::with_capacity(max_doc as usize + 1);
        let mut tag_ords = Vec::new();
        tag_offsets.push(0);
        for d in docs.clone() {
            if let Some(column) = &tag_column {
                tag_ords.extend(column.term_ords(d).map(|o| o as u32));
            }
            tag_offsets.push(tag_ords.len() as u32);
        }
        let params = numbers(names::PARAMS)?;
        let shared_at = numbers(names::SHARED_AT)?;
        let context = numbers(names::CONTEXT)?;
        let bucket = |buckets: &[Bucket], value: u64| {
            bucket_of(buckets, (value != 0).then_some(value)).unwrap_or(buckets.len()) as u8
        };
        let values = |column: &Option<StrColumn>| -> tantivy::Result<Vec<String>> {
            let Some(column) = column else {
                return Ok(Vec::new());
            };
            let mut out = Vec::with_capacity(column.num_terms());
            for ord in 0..column.num_terms() as u64 {
                let mut text = String::new();
                column.ord_to_str(ord, &mut text)?;
                out.push(text);
            }
            Ok(out)
        };
        Ok(Self {
            bitmaps: std::sync::OnceLock::new(),
            alive: Mutex::new(None),
            orders: Default::default(),
            family_names: values(&family_column)?,
            license_names: values(&license_column)?,
            tag_names: values(&tag_column)?,
            params_bucket: params.iter().map(|v| bucket(&PARAM_BUCKETS, *v)).collect(),
            context_bucket: context
                .iter()
                .map(|v| bucket(&CONTEXT_BUCKETS, *v))
                .collect(),
            params,
            context,
            family: ords(&family_column),
            license: ords(&license_column),
            tag_offsets,
            tag_ords,
            flags: docs
                .clone()
                .map(|d| {
                    (u8::from(flag(&moe, d)) * MOE) | (u8::from(flag(&featured, d)) * FEATURED)
                })
                .collect(),
            deployments: numbers(names::DEPLOYMENTS)?,
            relevance_tie: relevance_ties(&numbers(names::NAME_SHAPE)?, &shared_at),
            shared_at,
            name: ords(&name_column),
            family_column,
            license_column,
            tag_column,
            name_column,
        })
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
            let mut docs: Vec<u32> = (0..self.family.len() as u32).collect();
            docs.sort_by_cached_key(|d| {
                (
                    std::cmp::Reverse(super::collector::sort_key(self, sort, *d, 0.0)),
                    *d,
                )
            });
            docs
        }))
    }

    pub fn tags(&self, doc: DocId) -> &[u32] {
        let d = doc as usize;
        &self.tag_ords[self.tag_offsets[d] as usize..self.tag_offsets[d + 1] as usize]
    }
}

fn relevance_ties(shapes: &[u64], shared_at: &[u64]) -> Vec<u64> {
    shapes
        .iter()
        .zip(shared_at)
        .map(|(shape, shared)| {
            let (chunks, length) = (shape >> 16 & 0xFFFF, shape & 0xFFFF);
            let seconds = (shared / 1_000_000) & 0xFFFF_FFFF;
            ((0xFFFF - chunks) << 48) | ((0xFFFF - length) << 32) | seconds
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

/// The segment ordinals of the selected values, sorted; `None` when nothing is selected (no
/// filter). Values absent from the segment simply match nothing here.
pub fn ords_of(column: &Option<StrColumn>, values: &[String]) -> tantivy::Result<Option<Vec<u32>>> {
    if values.is_empty() {
        return Ok(None);
    }
    let mut ords = Vec::new();
    if let Some(column) = column {
        for value in values {
            if let Some(ord) = column.dictionary().term_ord(value.as_bytes())? {
                ords.push(ord as u32);
            }
        }
    }
    ords.sort_unstable();
    Ok(Some(ords))
}
