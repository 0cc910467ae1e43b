//! One pass over the keyword matches that filters, counts disjunctive facets and keeps the top
//! hits, reading only fast fields.
//!
//! Disjunctive facets (SPEC §4): a facet's counts ignore that facet's own selection. For each
//! matching document the collector counts how many facet filters it fails. None: it is a hit and
//! counts in every facet. Exactly one: it counts only in the facet it failed, since dropping
//! that facet's selection would let it through. Two or more: it counts nowhere.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::sync::Arc;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::StrColumn;
use tantivy::{DocAddress, DocId, Score, SegmentOrdinal, SegmentReader};

use super::table::{FEATURED, MOE as MOE_FLAG, NONE, SegmentTable, TableCache, ords_of};
use crate::catalog::badge::POPULAR_THRESHOLD;
use crate::catalog::facets::BUCKET_SLOTS;
use crate::catalog::query::{CatalogQuery, Range, Sort};

const FAMILY: usize = 0;
const LICENSE: usize = 1;
const TAG: usize = 2;
const MOE: usize = 3;
const PARAMS: usize = 4;
const CONTEXT: usize = 5;

/// The filters and sort the collector applies.
#[derive(Debug, Clone)]
pub struct CollectorSpec {
    pub families: Vec<String>,
    pub licenses: Vec<String>,
    pub tags: Vec<String>,
    pub moe: Option<bool>,
    pub featured: Option<bool>,
    pub popular: Option<bool>,
    pub params: Range,
    pub context: Range,
    pub sort: Sort,
    /// Hits to keep: offset + page size.
    pub limit: usize,
    /// Best hits to keep per family (0: none).
    pub per_family: usize,
}

impl CollectorSpec {
    pub fn from_query(query: &CatalogQuery) -> Self {
        Self {
            families: query.families.clone(),
            licenses: query.licenses.clone(),
            tags: query.tags.clone(),
            moe: query.moe,
            featured: query.featured,
            popular: query.popular,
            params: query.params,
            context: query.context,
            sort: query.sort,
            limit: (query.offset() + u64::from(query.per_page)) as usize,
            per_family: query.per_family as usize,
        }
    }
}

/// The collector: build one per search.
pub struct CatalogCollector {
    spec: Arc<CollectorSpec>,
    tables: Arc<TableCache>,
}

impl CatalogCollector {
    pub fn new(spec: CollectorSpec, tables: Arc<TableCache>) -> Self {
        Self {
            spec: Arc::new(spec),
            tables,
        }
    }
}

/// A hit's sort key, comparable across segments.
#[derive(Debug, Clone, PartialEq)]
pub enum HitKey {
    /// Larger is better (scores as bits of a non-negative f32, or packed numbers).
    Number(u64, u64),
    /// Smaller is better (names, ascending).
    Text(String),
}

/// What the collector found.
#[derive(Debug, Default)]
pub struct CollectedFacets {
    pub total: u64,
    pub family: HashMap<String, u64>,
    pub license: HashMap<String, u64>,
    pub tag: HashMap<String, u64>,
    /// `[false, true]`.
    pub moe: [u64; 2],
    pub params: [u64; BUCKET_SLOTS],
    pub context: [u64; BUCKET_SLOTS],
    /// Best first, at most `limit`.
    pub hits: Vec<(HitKey, DocAddress)>,
    /// Per family, best first, at most `per_family`.
    pub family_hits: HashMap<String, Vec<(HitKey, DocAddress)>>,
}

impl Collector for CatalogCollector {
    type Fruit = CollectedFacets;
    type Child = CatalogSegmentCollector;

    fn for_segment(
        &self,
        segment_ord: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<Self::Child> {
        let table = self.tables.get(reader)?;
        let family_top = if self.spec.per_family > 0 {
            vec![BinaryHeap::new(); table.family_column.as_ref().map_or(0, |c| c.num_terms())]
        } else {
            Vec::new()
        };
        let term_count = |column: &Option<StrColumn>| column.as_ref().map_or(0, |c| c.num_terms());
        Ok(CatalogSegmentCollector {
            segment_ord,
            family_selection: ords_of(&table.family_column, &self.spec.families)?,
            license_selection: ords_of(&table.license_column, &self.spec.licenses)?,
            tag_selection: ords_of(&table.tag_column, &self.spec.tags)?,
            family_counts: vec![0; term_count(&table.family_column)],
            license_counts: vec![0; term_count(&table.license_column)],
            tag_counts: vec![0; term_count(&table.tag_column)],
            table,
            spec: Arc::clone(&self.spec),
            moe_counts: [0; 2],
            param_counts: [0; BUCKET_SLOTS],
            context_counts: [0; BUCKET_SLOTS],
            total: 0,
            top: BinaryHeap::new(),
            family_top,
        })
    }

    fn requires_scoring(&self) -> bool {
        self.spec.sort == Sort::Relevance
    }

    fn merge_fruits(&self, fruits: Vec<CollectedFacets>) -> tantivy::Result<CollectedFacets> {
        let mut merged = CollectedFacets::default();
        for fruit in fruits {
            merged.total += fruit.total;
            for (target, source) in [
                (&mut merged.family, fruit.family),
                (&mut merged.license, fruit.license),
                (&mut merged.tag, fruit.tag),
            ] {
                for (key, count) in source {
                    *target.entry(key).or_default() += count;
                }
            }
            for i in 0..2 {
                merged.moe[i] += fruit.moe[i];
            }
            for i in 0..BUCKET_SLOTS {
                merged.params[i] += fruit.params[i];
                merged.context[i] += fruit.context[i];
            }
            merged.hits.extend(fruit.hits);
            for (family, hits) in fruit.family_hits {
                merged.family_hits.entry(family).or_default().extend(hits);
            }
        }
        for hits in merged.family_hits.values_mut() {
            hits.sort_by(|(a, da), (b, db)| compare_keys(a, b).then(da.cmp(db)));
            hits.truncate(self.spec.per_family);
        }
        merged
            .hits
            .sort_by(|(a, da), (b, db)| compare_keys(a, b).then(da.cmp(db)));
        merged.hits.truncate(self.spec.limit);
        Ok(merged)
    }
}

type Heap = BinaryHeap<Reverse<(u64, u64, Reverse<DocId>)>>;

/// Keeps the best `limit` entries: the heap's top is the worst kept.
fn push_bounded(heap: &mut Heap, entry: Reverse<(u64, u64, Reverse<DocId>)>, limit: usize) {
    if heap.len() < limit {
        heap.push(entry);
    } else if let Some(worst) = heap.peek()
        && entry < *worst
    {
        heap.pop();
        heap.push(entry);
    }
}

/// The sort key of a document: larger is better; ties go to the smaller document id.
pub(crate) fn sort_key(t: &SegmentTable, sort: Sort, doc: DocId, score: Score) -> (u64, u64) {
    let d = doc as usize;
    match sort {
        // Scores are non-negative, and non-negative f32 bits order like the floats.
        Sort::Relevance => (u64::from(score.max(0.0).to_bits()), t.relevance_tie[d]),
        Sort::Popular => {
            let featured = u64::from(t.flags[d] & FEATURED != 0);
            (t.deployments[d], (featured << 63) | t.shared_at[d])
        }
        Sort::Newest => (t.shared_at[d], 0),
        Sort::Params => (t.params[d], t.shared_at[d]),
        Sort::Context => (t.context[d], t.shared_at[d]),
        // Ascending names: invert the segment-local ordinal (ords are in name order).
        Sort::Name => (u64::MAX - u64::from(t.name[d]), 0),
    }
}

/// Best first: larger numbers, then smaller texts.
fn compare_keys(a: &HitKey, b: &HitKey) -> std::cmp::Ordering {
    match (a, b) {
        (HitKey::Number(a1, a2), HitKey::Number(b1, b2)) => (b1, b2).cmp(&(a1, a2)),
        (HitKey::Text(a), HitKey::Text(b)) => a.cmp(b),
        (HitKey::Number(..), HitKey::Text(_)) => std::cmp::Ordering::Less,
        (HitKey::Text(_), HitKey::Number(..)) => std::cmp::Ordering::Greater,
    }
}

/// Per-segment state.
pub struct CatalogSegmentCollector {
    spec: Arc<CollectorSpec>,
    segment_ord: SegmentOrdinal,
    table: Arc<SegmentTable>,
    family_selection: Option<Vec<u32>>,
    license_selection: Option<Vec<u32>>,
    tag_selection: Option<Vec<u32>>,
    family_counts: Vec<u64>,
    license_counts: Vec<u64>,
    tag_counts: Vec<u64>,
    moe_counts: [u64; 2],
    param_counts: [u64; BUCKET_SLOTS],
    context_counts: [u64; BUCKET_SLOTS],
    total: u64,
    /// Min-heap of the best `limit` hits so far: (key, key, Reverse(doc)) wrapped in Reverse.
    top: Heap,
    /// Per family ordinal, when `per_family` is on.
    family_top: Vec<Heap>,
}

fn selected(selection: &Option<Vec<u32>>, ord: u32) -> bool {
    match selection {
        None => true,
        Some(ords) => ord != NONE && ords.binary_search(&ord).is_ok(),
    }
}

fn known(value: u64) -> Option<u64> {
    (value != 0).then_some(value)
}

impl CatalogSegmentCollector {
    fn sort_key(&self, doc: DocId, score: Score) -> (u64, u64) {
        sort_key(&self.table, self.spec.sort, doc, score)
    }

    /// Offers a document that passes every filter to the top-hit heaps only (no counting): the
    /// bitmap browse path counts facets itself.
    pub(crate) fn offer(&mut self, doc: DocId) {
        self.push_hit(doc, 0.0);
    }

    fn push_hit(&mut self, doc: DocId, score: Score) {
        let (k1, k2) = self.sort_key(doc, score);
        let entry = Reverse((k1, k2, Reverse(doc)));
        if self.spec.per_family > 0 {
            let family = self.table.family[doc as usize];
            if let Some(heap) = self.family_top.get_mut(family as usize) {
                push_bounded(heap, entry, self.spec.per_family);
            }
        }
        push_bounded(&mut self.top, entry, self.spec.limit);
    }

    /// Returns which facet filter the document fails: `Ok(None)` for none, `Ok(Some(f))` for
    /// exactly one, `Err(())` for two or more (then it counts nowhere).
    fn failed_facet(&self, doc: DocId) -> Result<Option<usize>, ()> {
        let t = &self.table;
        let d = doc as usize;
        let spec = &self.spec;
        let mut failed = None;
        let mut fail = |facet: usize| match failed {
            None => {
                failed = Some(facet);
                Ok(())
            }
            Some(_) => Err(()),
        };
        if !selected(&self.family_selection, t.family[d]) {
            fail(FAMILY)?;
        }
        if !selected(&self.license_selection, t.license[d]) {
            fail(LICENSE)?;
        }
        if let Some(ords) = &self.tag_selection
            && !t.tags(doc).iter().any(|o| ords.binary_search(o).is_ok())
        {
            fail(TAG)?;
        }
        if spec
            .moe
            .is_some_and(|wanted| wanted != (t.flags[d] & MOE_FLAG != 0))
        {
            fail(MOE)?;
        }
        if !spec.params.contains(known(t.params[d])) {
            fail(PARAMS)?;
        }
        if !spec.context.contains(known(t.context[d])) {
            fail(CONTEXT)?;
        }
        Ok(failed)
    }
}

impl SegmentCollector for CatalogSegmentCollector {
    type Fruit = CollectedFacets;

    fn collect(&mut self, doc: DocId, score: Score) {
        let d = doc as usize;
        if let Some(wanted) = self.spec.featured
            && (self.table.flags[d] & FEATURED != 0) != wanted
        {
            return;
        }
        if let Some(wanted) = self.spec.popular
            && (self.table.deployments[d] >= POPULAR_THRESHOLD) != wanted
        {
            return;
        }
        let Ok(only_failed) = self.failed_facet(doc) else {
            return;
        };
        let counts_in = |facet: usize| only_failed.is_none_or(|f| f == facet);
        let table = &*self.table;
        if counts_in(FAMILY) && table.family[d] != NONE {
            self.family_counts[table.family[d] as usize] += 1;
        }
        if counts_in(LICENSE) && table.license[d] != NONE {
            self.license_counts[table.license[d] as usize] += 1;
        }
        if counts_in(TAG) {
            for ord in table.tags(doc) {
                self.tag_counts[*ord as usize] += 1;
            }
        }
        if counts_in(MOE) {
            self.moe_counts[usize::from(table.flags[d] & MOE_FLAG != 0)] += 1;
        }
        if counts_in(PARAMS) {
            self.param_counts[usize::from(table.params_bucket[d])] += 1;
        }
        if counts_in(CONTEXT) {
            self.context_counts[usize::from(table.context_bucket[d])] += 1;
        }
        if only_failed.is_none() {
            self.total += 1;
            self.push_hit(doc, score);
        }
    }

    fn harvest(self) -> CollectedFacets {
        let names = |values: &[String], counts: &[u64]| -> HashMap<String, u64> {
            counts
                .iter()
                .zip(values)
                .filter(|(c, _)| **c > 0)
                .map(|(c, v)| (v.clone(), *c))
                .collect()
        };
        let table = &self.table;
        let convert = |heap: &Heap| -> Vec<(HitKey, DocAddress)> {
            heap.iter()
                .map(|Reverse((k1, k2, Reverse(doc)))| {
                    let key = if self.spec.sort == Sort::Name {
                        let mut name = String::new();
                        if let Some(column) = &table.name_column {
                            let _ = column.ord_to_str(u64::MAX - k1, &mut name);
                        }
                        HitKey::Text(name)
                    } else {
                        HitKey::Number(*k1, *k2)
                    };
                    (key, DocAddress::new(self.segment_ord, *doc))
                })
                .collect()
        };
        let hits = convert(&self.top);
        let family_hits = self
            .family_top
            .iter()
            .enumerate()
            .filter(|(_, heap)| !heap.is_empty())
            .filter_map(|(ord, heap)| Some((table.family_names.get(ord)?.clone(), convert(heap))))
            .collect();
        CollectedFacets {
            total: self.total,
            family: names(&table.family_names, &self.family_counts),
            license: names(&table.license_names, &self.license_counts),
            tag: names(&table.tag_names, &self.tag_counts),
            moe: self.moe_counts,
            params: self.param_counts,
            context: self.context_counts,
            hits,
            family_hits,
        }
    }
}
