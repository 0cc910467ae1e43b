//! The best hits of a search: bounded heaps per segment (the page, and with `per_family` the
//! best of each family), merged across segments. Ties go to the smaller document address, so
//! the order is the same however the segments are searched.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

use tantivy::{DocAddress, DocId, Score, SegmentOrdinal};

use super::table::SegmentTable;
use crate::catalog::query::Sort;

/// A hit's sort key, comparable across segments.
#[derive(Debug, Clone, PartialEq)]
pub enum HitKey {
    /// Larger is better (scores as bits of a non-negative f32, or packed numbers).
    Number(u64, u64),
    /// Smaller is better (names, ascending).
    Text(String),
}

/// Hits of a search, best first.
pub type Hits = Vec<(HitKey, DocAddress)>;

type Entry = Reverse<(u64, u64, Reverse<DocId>)>;
type Heap = BinaryHeap<Entry>;

/// Keeps the best `limit` entries: the heap's top is the worst kept.
fn push_bounded(heap: &mut Heap, entry: Entry, limit: usize) {
    if heap.len() < limit {
        heap.push(entry);
    } else if let Some(worst) = heap.peek()
        && entry < *worst
    {
        heap.pop();
        heap.push(entry);
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

/// The best hits of one segment so far.
pub struct SegmentHits<'a> {
    table: &'a SegmentTable,
    segment_ord: SegmentOrdinal,
    sort: Sort,
    limit: usize,
    per_family: usize,
    /// Each document's family ordinal (first value), when `per_family` is on.
    family_of: Option<&'a super::table::ValueColumn>,
    top: Heap,
    /// Per family ordinal, when `per_family` is on.
    family_top: Vec<Heap>,
}

impl<'a> SegmentHits<'a> {
    pub fn new(
        table: &'a SegmentTable,
        segment_ord: SegmentOrdinal,
        sort: Sort,
        limit: usize,
        per_family: usize,
        family_of: Option<&'a super::table::ValueColumn>,
    ) -> Self {
        let families = match (per_family, family_of) {
            (0, _) | (_, None) => 0,
            (_, Some(column)) => column.names.len(),
        };
        Self {
            table,
            segment_ord,
            sort,
            limit,
            per_family,
            family_of,
            top: BinaryHeap::new(),
            family_top: vec![BinaryHeap::new(); families],
        }
    }

    /// Offers a document that passes every filter.
    pub fn offer(&mut self, doc: DocId, score: Score) {
        let (k1, k2) = self.table.sort_key(self.sort, doc, score);
        let entry = Reverse((k1, k2, Reverse(doc)));
        if self.per_family > 0
            && let Some(column) = self.family_of
            && let Some(family) = column.ords(doc).first()
            && let Some(heap) = self.family_top.get_mut(*family as usize)
        {
            push_bounded(heap, entry, self.per_family);
        }
        push_bounded(&mut self.top, entry, self.limit);
    }

    /// The page's hits and each family's best, unordered.
    pub fn harvest(self) -> (Hits, HashMap<String, Hits>) {
        let convert = |heap: &Heap| -> Hits {
            heap.iter()
                .map(|Reverse((k1, k2, Reverse(doc)))| {
                    let key = if self.sort == Sort::Name {
                        let mut name = String::new();
                        if let Some(column) = &self.table.name_column {
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
        let mut family_hits = HashMap::new();
        if let Some(column) = self.family_of {
            for (ord, heap) in self.family_top.iter().enumerate() {
                if let Some(name) = column.names.get(ord)
                    && !heap.is_empty()
                {
                    family_hits.insert(name.clone(), convert(heap));
                }
            }
        }
        (convert(&self.top), family_hits)
    }
}

/// Orders merged hits best first and keeps `limit`.
pub fn best(mut hits: Hits, limit: usize) -> Hits {
    hits.sort_by(|(a, da), (b, db)| compare_keys(a, b).then(da.cmp(db)));
    hits.truncate(limit);
    hits
}
