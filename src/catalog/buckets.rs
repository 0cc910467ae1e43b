//! Ranges and the facet buckets of the numeric filters (the facets themselves are listed in
//! `facet_list`): leaf data that query parsing, the facet registry and the counting engine share.

/// An inclusive range; either end may be open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Range {
    pub min: Option<u64>,
    pub max: Option<u64>,
}

impl Range {
    pub fn is_set(&self) -> bool {
        self.min.is_some() || self.max.is_some()
    }

    /// Returns true when the value lies in the range; a missing value only matches an unset range.
    pub fn contains(&self, value: Option<u64>) -> bool {
        match value {
            None => !self.is_set(),
            Some(v) => self.min.is_none_or(|min| v >= min) && self.max.is_none_or(|max| v <= max),
        }
    }
}

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
