//! Folding variants (`catalog::variant`) on the catalog page: a page holds one hit per
//! variant group, the best of it, and each kept hit brings the other members of its group
//! along for the card's chips. Counts stay counts of models.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use tantivy::collector::DocSetCollector;
use tantivy::query::TermSetQuery;
use tantivy::{DocAddress, Searcher, Term};

use super::schema::Fields;
use super::table::SegmentTable;
use super::top_hits::Hits;

/// Hits fetched per hit shown when folding: a group rarely has more members on one page of
/// results than this.
pub const OVERFETCH: usize = 4;
/// Members read per group at most (a model with more variants shows the first ones).
const MEMBERS_PER_GROUP: usize = 16;

/// The group of a hit.
pub fn group(tables: &[Arc<SegmentTable>], address: DocAddress) -> u64 {
    tables
        .get(address.segment_ord as usize)
        .and_then(|t| t.variant_group.get(address.doc_id as usize))
        .copied()
        .unwrap_or(0)
}

/// The best hit of each group, in order, after skipping `skip` groups; at most `take`.
pub fn fold(
    hits: &Hits,
    tables: &[Arc<SegmentTable>],
    skip: usize,
    take: usize,
) -> Vec<DocAddress> {
    let mut seen = HashSet::new();
    hits.iter()
        .filter(|(_, address)| seen.insert(group(tables, *address)))
        .skip(skip)
        .take(take)
        .map(|(_, address)| *address)
        .collect()
}

/// Every indexed member of these groups, by group.
pub fn members(
    searcher: &Searcher,
    fields: &Fields,
    tables: &[Arc<SegmentTable>],
    groups: &[u64],
) -> tantivy::Result<HashMap<u64, Vec<DocAddress>>> {
    if groups.is_empty() {
        return Ok(HashMap::new());
    }
    let terms = groups
        .iter()
        .map(|g| Term::from_field_u64(fields.variant_group, *g));
    let mut found: Vec<DocAddress> = searcher
        .search(&TermSetQuery::new(terms), &DocSetCollector)?
        .into_iter()
        .collect();
    found.sort_unstable();
    let mut by_group: HashMap<u64, Vec<DocAddress>> = HashMap::new();
    for address in found {
        let members = by_group.entry(group(tables, address)).or_default();
        if members.len() < MEMBERS_PER_GROUP {
            members.push(address);
        }
    }
    Ok(by_group)
}
