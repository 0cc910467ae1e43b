//! Facet buckets for the numeric filters and the shape of a search answer: totals, cards and
//! disjunctive facet counts. Pure data, shared by the index, the JSON API and the pages.

use super::query::Range;

/// A facet bucket over a numeric field: `[min, max]` inclusive, either end open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bucket {
    pub key: &'static str,
    pub label: &'static str,
    pub range: Range,
}

const fn bucket(
    key: &'static str,
    label: &'static str,
    min: Option<u64>,
    max: Option<u64>,
) -> Bucket {
    Bucket {
        key,
        label,
        range: Range { min, max },
    }
}

const B: u64 = 1_000_000_000;
const K: u64 = 1024;

/// Parameter-size buckets; a bucket's `max` is one below the next bucket's `min`.
pub const PARAM_BUCKETS: [Bucket; 5] = [
    bucket("under-3b", "Under 3B", None, Some(3 * B - 1)),
    bucket("3b-10b", "3B–10B", Some(3 * B), Some(10 * B - 1)),
    bucket("10b-40b", "10B–40B", Some(10 * B), Some(40 * B - 1)),
    bucket("40b-100b", "40B–100B", Some(40 * B), Some(100 * B - 1)),
    bucket("100b-plus", "100B and up", Some(100 * B), None),
];

/// Context-length buckets.
pub const CONTEXT_BUCKETS: [Bucket; 5] = [
    bucket("under-8k", "Under 8K", None, Some(8 * K - 1)),
    bucket("8k-32k", "8K–32K", Some(8 * K), Some(32 * K - 1)),
    bucket("32k-128k", "32K–128K", Some(32 * K), Some(128 * K - 1)),
    bucket("128k-1m", "128K–1M", Some(128 * K), Some(1024 * K - 1)),
    bucket("1m-plus", "1M and up", Some(1024 * K), None),
];

/// Returns the index of the bucket holding the value, if it is known.
pub fn bucket_of(buckets: &[Bucket], value: Option<u64>) -> Option<usize> {
    let value = value?;
    buckets.iter().position(|b| b.range.contains(Some(value)))
}

/// Bucket slots in facet counts: the defined buckets plus one for "not stated".
pub const BUCKET_SLOTS: usize = PARAM_BUCKETS.len() + 1;

/// Facet counts of one search.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FacetCounts {
    /// (value, count), most frequent first, capped, plus the selected values.
    pub family: Vec<(String, u64)>,
    pub license: Vec<(String, u64)>,
    pub tag: Vec<(String, u64)>,
    /// `[false, true]`.
    pub moe: [u64; 2],
    /// Per `PARAM_BUCKETS`, then unknown.
    pub params: [u64; BUCKET_SLOTS],
    pub context: [u64; BUCKET_SLOTS],
    /// Values left out of the capped lists above.
    pub more: FacetMore,
}

/// How many values of each string facet were not listed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FacetMore {
    pub family: u64,
    pub license: u64,
    pub tag: u64,
}

/// The answer to a catalog search.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchResults {
    pub total: u64,
    pub hits: Vec<super::card::CatalogCard>,
    /// With `per_family`: the best hits of each family that has any.
    pub family_hits: Vec<(String, Vec<super::card::CatalogCard>)>,
    pub facets: FacetCounts,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_tile_the_number_line() {
        for buckets in [&PARAM_BUCKETS[..], &CONTEXT_BUCKETS[..]] {
            for pair in buckets.windows(2) {
                assert_eq!(pair[0].range.max.unwrap() + 1, pair[1].range.min.unwrap());
            }
        }
        assert_eq!(bucket_of(&PARAM_BUCKETS, Some(7 * B)), Some(1));
        assert_eq!(bucket_of(&CONTEXT_BUCKETS, Some(131_072)), Some(3));
        assert_eq!(bucket_of(&CONTEXT_BUCKETS, None), None);
    }
}
