//! The shape of a search answer: totals, cards and disjunctive facet counts. Pure data, shared
//! by the index, the JSON API and the pages.

/// The counts of one facet in a search answer; `FacetCounts` holds one per `FACETS` entry.
#[derive(Debug, Clone, PartialEq)]
pub enum FacetCount {
    /// (value, count), most frequent first, capped, plus the selected values; and how many
    /// values with hits were left out.
    Values {
        values: Vec<(String, u64)>,
        more: u64,
    },
    /// `[false, true]`.
    Flag([u64; 2]),
    /// Per bucket, then "not stated".
    Buckets(Vec<u64>),
    /// A filter without counts.
    Uncounted,
}

/// Facet counts of one search, by position in `facet_list::FACETS`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FacetCounts(pub Vec<FacetCount>);

impl FacetCounts {
    /// The listed values of a string facet (empty for other kinds).
    pub fn values(&self, facet: usize) -> &[(String, u64)] {
        match self.0.get(facet) {
            Some(FacetCount::Values { values, .. }) => values,
            _ => &[],
        }
    }
}

/// The answer to a catalog search.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchResults {
    pub total: u64,
    pub hits: Vec<super::card::CatalogCard>,
    /// With `per_family`: the best hits of each family that has any.
    pub family_hits: Vec<(String, Vec<super::card::CatalogCard>)>,
    pub facets: FacetCounts,
    /// With `collapse_variants`: the other variants of each hit shown, by the hit's id (hits
    /// without variants have no entry).
    pub variants: std::collections::HashMap<super::ids::ModelId, Vec<super::card::CatalogCard>>,
    /// With a fit budget: (models that fit, models whose weights fit but whose KV cache is
    /// unknown); `total` counts both, listed in that order.
    pub fit_totals: Option<(u64, u64)>,
    /// With keywords: whether every word matched, or (fewer models than a page having every
    /// word) the models with most of them are shown.
    pub match_mode: Option<MatchMode>,
    /// In "most" mode: how many models have every word (they come first).
    pub every_word: u64,
}

/// How the words of a query matched (SPEC §13).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchMode {
    /// Every required word.
    All,
    /// Any required word; more words matched ranks first.
    Most,
}

impl MatchMode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::All => "all",
            Self::Most => "most",
        }
    }
}
