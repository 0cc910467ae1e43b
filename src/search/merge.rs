//! The segments' contributions to a search as one answer: totals and facet counts summed,
//! string facets capped, the best hits of the page and of each family kept (still as
//! addresses: the index loads the cards it shows).

use std::collections::HashMap;

use super::CountMap;

use super::counting::SegmentFruit;
use super::table::SegmentCount;
use super::top_hits::{Hits, best};
use crate::catalog::facet_list::{FACETS, FAMILY, FacetKind};
use crate::catalog::query::CatalogQuery;
use crate::catalog::search_results::{FacetCount, FacetCounts};

/// Most values a string facet lists (RELIABILITY T4); selected values are always listed.
pub const FACET_LIMIT: usize = 30;
/// Families are listed in full up to this many when the caller asks for all (the families
/// list and the grouped catalog page).
pub const FAMILY_LIMIT: usize = 500;

/// The most frequent values first (ties by name), capped, with every selected value present;
/// and how many values with hits were left out.
fn top_values(
    counts: CountMap<u64>,
    selected: &[String],
    limit: usize,
) -> (Vec<(String, u64)>, u64) {
    let mut all: Vec<(String, u64)> = counts.into_iter().collect();
    all.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let mut top: Vec<(String, u64)> = all.iter().take(limit).cloned().collect();
    for value in selected {
        if !top.iter().any(|(v, _)| v == value) {
            let count = all.iter().find(|(v, _)| v == value).map_or(0, |(_, c)| *c);
            top.push((value.clone(), count));
        }
    }
    let listed_with_hits = top.iter().filter(|(_, c)| *c > 0).count();
    let with_hits = all.iter().filter(|(_, c)| *c > 0).count();
    (top, with_hits.saturating_sub(listed_with_hits) as u64)
}

/// The segments' contributions as one answer (hits still as addresses).
pub struct Merged {
    pub total: u64,
    pub facets: FacetCounts,
    pub hits: Hits,
    pub family_hits: Vec<(String, Hits)>,
    /// With a fit budget: how many models' weights fit with their KV cache unknown, and the
    /// best of them.
    pub weights_only: Option<(u64, Hits)>,
}

pub fn merge(fruits: Vec<SegmentFruit>, query: &CatalogQuery, limit: usize) -> Merged {
    let mut total = 0;
    let mut counts: Vec<SegmentCount> = FACETS
        .iter()
        .map(|facet| match &facet.kind {
            _ if !facet.is_counted() => SegmentCount::Uncounted,
            FacetKind::Values(_) => SegmentCount::Values(CountMap::default()),
            FacetKind::Flag(_) => SegmentCount::Flag([0; 2]),
            FacetKind::Buckets(b) => SegmentCount::Buckets(vec![0; b.buckets.len() + 1]),
            FacetKind::Fit(fit) => SegmentCount::Buckets(vec![0; fit.slot_count()]),
        })
        .collect();
    let mut hits = Vec::new();
    let mut family_hits: HashMap<String, Hits> = HashMap::new();
    let mut weights_only: Option<(u64, Hits)> = None;
    for fruit in fruits {
        total += fruit.total;
        if let Some((count, found)) = fruit.weights_only {
            let into = weights_only.get_or_insert_with(|| (0, Vec::new()));
            into.0 += count;
            into.1.extend(found);
        }
        for (into, from) in counts.iter_mut().zip(fruit.counts) {
            match (into, from) {
                (SegmentCount::Values(into), SegmentCount::Values(from)) => {
                    if into.is_empty() {
                        *into = from;
                    } else {
                        for (value, count) in from {
                            *into.entry(value).or_default() += count;
                        }
                    }
                }
                (SegmentCount::Flag(into), SegmentCount::Flag(from)) => {
                    into[0] += from[0];
                    into[1] += from[1];
                }
                (SegmentCount::Buckets(into), SegmentCount::Buckets(from)) => {
                    for (a, b) in into.iter_mut().zip(from) {
                        *a += b;
                    }
                }
                _ => {}
            }
        }
        hits.extend(fruit.hits);
        for (family, found) in fruit.family_hits {
            family_hits.entry(family).or_default().extend(found);
        }
    }
    let facets = counts
        .into_iter()
        .enumerate()
        .map(|(position, count)| match count {
            SegmentCount::Values(values) => {
                let family_uncapped =
                    position == FAMILY && (query.all_families || query.per_family > 0);
                let cap = if family_uncapped {
                    FAMILY_LIMIT
                } else {
                    FACET_LIMIT
                };
                let (values, more) = top_values(values, query.values(position), cap);
                FacetCount::Values { values, more }
            }
            SegmentCount::Flag(flag) => FacetCount::Flag(flag),
            SegmentCount::Buckets(buckets) => FacetCount::Buckets(buckets),
            SegmentCount::Uncounted => FacetCount::Uncounted,
        })
        .collect();
    Merged {
        total,
        facets: FacetCounts(facets),
        hits: best(hits, limit),
        weights_only: weights_only.map(|(count, found)| (count, best(found, limit))),
        family_hits: family_hits
            .into_iter()
            .map(|(family, found)| (family, best(found, query.per_family as usize)))
            .collect(),
    }
}
