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
use tantivy::columnar::{Column, StrColumn};
use tantivy::{DocAddress, DocId, Score, SegmentOrdinal, SegmentReader};

use super::schema::names;
use crate::catalog::query::{
    BUCKET_SLOTS, CONTEXT_BUCKETS, CatalogQuery, PARAM_BUCKETS, Range, Sort, bucket_of,
};

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
    pub params: Range,
    pub context: Range,
    pub sort: Sort,
    /// Hits to keep: offset + page size.
    pub limit: usize,
}

impl CollectorSpec {
    pub fn from_query(query: &CatalogQuery) -> Self {
        Self {
            families: query.families.clone(),
            licenses: query.licenses.clone(),
            tags: query.tags.clone(),
            moe: query.moe,
            featured: query.featured,
            params: query.params,
            context: query.context,
            sort: query.sort,
            limit: (query.offset() + u64::from(query.per_page)) as usize,
        }
    }
}

/// The collector: build one per search.
pub struct CatalogCollector {
    spec: Arc<CollectorSpec>,
}

impl CatalogCollector {
    pub fn new(spec: CollectorSpec) -> Self {
        Self {
            spec: Arc::new(spec),
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
}

impl Collector for CatalogCollector {
    type Fruit = CollectedFacets;
    type Child = CatalogSegmentCollector;

    fn for_segment(
        &self,
        segment_ord: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<Self::Child> {
        let fast = reader.fast_fields();
        let family = fast.str(names::FAMILY)?;
        let license = fast.str(names::LICENSE)?;
        let tags = fast.str(names::TAGS)?;
        let selection =
            |column: &Option<StrColumn>, values: &[String]| -> tantivy::Result<Option<Vec<u64>>> {
                if values.is_empty() {
                    return Ok(None);
                }
                let mut ords = Vec::new();
                if let Some(column) = column {
                    for value in values {
                        if let Some(ord) = column.dictionary().term_ord(value.as_bytes())? {
                            ords.push(ord);
                        }
                    }
                }
                ords.sort_unstable();
                Ok(Some(ords))
            };
        let term_count = |column: &Option<StrColumn>| column.as_ref().map_or(0, |c| c.num_terms());
        Ok(CatalogSegmentCollector {
            segment_ord,
            family_selection: selection(&family, &self.spec.families)?,
            license_selection: selection(&license, &self.spec.licenses)?,
            tag_selection: selection(&tags, &self.spec.tags)?,
            family_counts: vec![0; term_count(&family)],
            license_counts: vec![0; term_count(&license)],
            tag_counts: vec![0; term_count(&tags)],
            family,
            license,
            tags,
            moe: fast.column_opt::<bool>(names::MOE)?,
            featured: fast.column_opt::<bool>(names::FEATURED)?,
            params: fast.column_opt::<u64>(names::PARAMS)?,
            context: fast.column_opt::<u64>(names::CONTEXT)?,
            deployments: fast.column_opt::<u64>(names::DEPLOYMENTS)?,
            shared_at: fast.column_opt::<u64>(names::SHARED_AT)?,
            name_sort: fast.str(names::NAME_SORT)?,
            spec: Arc::clone(&self.spec),
            moe_counts: [0; 2],
            param_counts: [0; BUCKET_SLOTS],
            context_counts: [0; BUCKET_SLOTS],
            total: 0,
            top: BinaryHeap::new(),
            tag_buffer: Vec::new(),
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
        }
        merged
            .hits
            .sort_by(|(a, da), (b, db)| compare_keys(a, b).then(da.cmp(db)));
        merged.hits.truncate(self.spec.limit);
        Ok(merged)
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
    family: Option<StrColumn>,
    license: Option<StrColumn>,
    tags: Option<StrColumn>,
    moe: Option<Column<bool>>,
    featured: Option<Column<bool>>,
    params: Option<Column<u64>>,
    context: Option<Column<u64>>,
    deployments: Option<Column<u64>>,
    shared_at: Option<Column<u64>>,
    name_sort: Option<StrColumn>,
    family_selection: Option<Vec<u64>>,
    license_selection: Option<Vec<u64>>,
    tag_selection: Option<Vec<u64>>,
    family_counts: Vec<u64>,
    license_counts: Vec<u64>,
    tag_counts: Vec<u64>,
    moe_counts: [u64; 2],
    param_counts: [u64; BUCKET_SLOTS],
    context_counts: [u64; BUCKET_SLOTS],
    total: u64,
    /// Min-heap of the best `limit` hits so far: (key, key, Reverse(doc)) wrapped in Reverse.
    top: BinaryHeap<Reverse<(u64, u64, Reverse<DocId>)>>,
    tag_buffer: Vec<u64>,
}

fn first_ord(column: &Option<StrColumn>, doc: DocId) -> Option<u64> {
    column.as_ref().and_then(|c| c.ords().first(doc))
}

fn first<T: PartialOrd + Copy + Send + Sync + std::fmt::Debug + 'static>(
    column: &Option<Column<T>>,
    doc: DocId,
) -> Option<T> {
    column.as_ref().and_then(|c| c.first(doc))
}

fn selected(selection: &Option<Vec<u64>>, ord: Option<u64>) -> bool {
    match selection {
        None => true,
        Some(ords) => ord.is_some_and(|o| ords.binary_search(&o).is_ok()),
    }
}

impl CatalogSegmentCollector {
    fn sort_key(&self, doc: DocId, score: Score) -> (u64, u64) {
        let number = |column: &Option<Column<u64>>| first(column, doc).unwrap_or(0);
        match self.spec.sort {
            // Scores are non-negative, and non-negative f32 bits order like the floats.
            Sort::Relevance => (u64::from(score.max(0.0).to_bits()), number(&self.shared_at)),
            Sort::Popular => {
                let featured = u64::from(first(&self.featured, doc).unwrap_or(false));
                (
                    number(&self.deployments),
                    (featured << 63) | number(&self.shared_at),
                )
            }
            Sort::Newest => (number(&self.shared_at), 0),
            Sort::Params => (number(&self.params), number(&self.shared_at)),
            Sort::Context => (number(&self.context), number(&self.shared_at)),
            // Ascending names: invert the segment-local ordinal (ords are in name order).
            Sort::Name => (
                u64::MAX - first_ord(&self.name_sort, doc).unwrap_or(u64::MAX),
                0,
            ),
        }
    }

    fn push_hit(&mut self, doc: DocId, score: Score) {
        let (k1, k2) = self.sort_key(doc, score);
        let entry = Reverse((k1, k2, Reverse(doc)));
        if self.top.len() < self.spec.limit {
            self.top.push(entry);
        } else if let Some(worst) = self.top.peek() {
            if entry < *worst {
                self.top.pop();
                self.top.push(entry);
            }
        }
    }
}

impl SegmentCollector for CatalogSegmentCollector {
    type Fruit = CollectedFacets;

    fn collect(&mut self, doc: DocId, score: Score) {
        if let Some(wanted) = self.spec.featured {
            if first(&self.featured, doc).unwrap_or(false) != wanted {
                return;
            }
        }
        let family = first_ord(&self.family, doc);
        let license = first_ord(&self.license, doc);
        self.tag_buffer.clear();
        if let Some(tags) = &self.tags {
            self.tag_buffer.extend(tags.term_ords(doc));
        }
        let moe = first(&self.moe, doc).unwrap_or(false);
        let params = first(&self.params, doc);
        let context = first(&self.context, doc);

        let checks = [
            selected(&self.family_selection, family),
            selected(&self.license_selection, license),
            match &self.tag_selection {
                None => true,
                Some(ords) => self
                    .tag_buffer
                    .iter()
                    .any(|o| ords.binary_search(o).is_ok()),
            },
            self.spec.moe.is_none_or(|wanted| wanted == moe),
            self.spec.params.contains(params),
            self.spec.context.contains(context),
        ];
        let mut failed = checks
            .iter()
            .enumerate()
            .filter(|(_, passed)| !**passed)
            .map(|(facet, _)| facet);
        let only_failed = match (failed.next(), failed.next()) {
            (None, _) => None,
            (Some(facet), None) => Some(facet),
            (Some(_), Some(_)) => return,
        };
        let counts_in = |facet: usize| only_failed.is_none_or(|f| f == facet);
        if counts_in(FAMILY) {
            if let Some(ord) = family {
                self.family_counts[ord as usize] += 1;
            }
        }
        if counts_in(LICENSE) {
            if let Some(ord) = license {
                self.license_counts[ord as usize] += 1;
            }
        }
        if counts_in(TAG) {
            for ord in &self.tag_buffer {
                self.tag_counts[*ord as usize] += 1;
            }
        }
        if counts_in(MOE) {
            self.moe_counts[usize::from(moe)] += 1;
        }
        if counts_in(PARAMS) {
            self.param_counts[bucket_of(&PARAM_BUCKETS, params).unwrap_or(PARAM_BUCKETS.len())] +=
                1;
        }
        if counts_in(CONTEXT) {
            self.context_counts
                [bucket_of(&CONTEXT_BUCKETS, context).unwrap_or(CONTEXT_BUCKETS.len())] += 1;
        }
        if only_failed.is_none() {
            self.total += 1;
            self.push_hit(doc, score);
        }
    }

    fn harvest(self) -> CollectedFacets {
        let names = |column: &Option<StrColumn>, counts: &[u64]| -> HashMap<String, u64> {
            let mut out = HashMap::new();
            let Some(column) = column else { return out };
            let mut text = String::new();
            for (ord, count) in counts.iter().enumerate().filter(|(_, c)| **c > 0) {
                text.clear();
                if column.ord_to_str(ord as u64, &mut text).unwrap_or(false) {
                    out.insert(text.clone(), *count);
                }
            }
            out
        };
        let mut hits: Vec<(HitKey, DocAddress)> = Vec::with_capacity(self.top.len());
        for Reverse((k1, k2, Reverse(doc))) in self.top.iter() {
            let key = if self.spec.sort == Sort::Name {
                let mut name = String::new();
                if let Some(column) = &self.name_sort {
                    let ord = u64::MAX - k1;
                    let _ = column.ord_to_str(ord, &mut name);
                }
                HitKey::Text(name)
            } else {
                HitKey::Number(*k1, *k2)
            };
            hits.push((key, DocAddress::new(self.segment_ord, *doc)));
        }
        CollectedFacets {
            total: self.total,
            family: names(&self.family, &self.family_counts),
            license: names(&self.license, &self.license_counts),
            tag: names(&self.tags, &self.tag_counts),
            moe: self.moe_counts,
            params: self.param_counts,
            context: self.context_counts,
            hits,
        }
    }
}
