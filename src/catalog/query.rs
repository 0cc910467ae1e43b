//! A catalog search request as the domain understands it (SPEC §4 parameters); the facet
//! parameters are read as `facet_list::FACETS` defines them. Parsing from a query string is
//! here, not in `web`, so the page and the JSON API read parameters identically.

use super::CatalogError;
use super::buckets::Range;
use super::facet_list::{FACETS, Facet, FacetKind, facet_of_param};

pub const DEFAULT_PER_PAGE: u32 = 24;
pub const MAX_PER_PAGE: u32 = 100;
/// Deeper pages are refused: collecting `offset + per_page` hits costs more the deeper it goes.
pub const MAX_OFFSET: u64 = 10_000;
pub const MAX_QUERY_CHARS: usize = 2_000;
/// More than a query of 2 000 characters can hold: pasted text is never refused for its words.
pub const MAX_QUERY_WORDS: usize = 1_000;
pub const MAX_FILTER_VALUES: usize = 50;

/// How results are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sort {
    /// Best keyword match first; the default when there are keywords.
    Relevance,
    /// Most deployments first (then featured, then newest); the default without keywords.
    Popular,
    /// Most recently shared first.
    Newest,
    /// Alphabetical by name.
    Name,
    /// Largest parameter count first.
    Params,
    /// Longest context first.
    Context,
}

impl Sort {
    pub fn parse(input: &str) -> Option<Self> {
        Some(match input {
            "relevance" => Self::Relevance,
            "popular" => Self::Popular,
            "newest" => Self::Newest,
            "name" => Self::Name,
            "params" => Self::Params,
            "context" => Self::Context,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Relevance => "relevance",
            Self::Popular => "popular",
            Self::Newest => "newest",
            Self::Name => "name",
            Self::Params => "params",
            Self::Context => "context",
        }
    }
}

/// What one facet's parameters select; `CatalogQuery::filters` holds one per `FACETS` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    /// Any of these (stored forms); empty: no filter.
    Values(Vec<String>),
    Flag(Option<bool>),
    Range(Range),
    Fit(Fit),
}

/// A memory-fit selection: the budget (`None`: no filter), the context (`None`: the facet's
/// default), which also sets the context of the counts and the cards' figures, and the KV
/// cache's knobs (`None`: f16, one sequence).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Fit {
    pub budget: Option<crate::catalog::devices::Budget>,
    pub context: Option<u64>,
    pub kv_type: Option<crate::catalog::kv::KvType>,
    pub parallel: Option<u64>,
    /// Internal, never read from a URL: the filter keeps the models whose weights fit but
    /// whose KV cache is unknown (the second part of a fit search's answer).
    pub weights_only: bool,
}

impl Fit {
    /// The budget in bytes.
    pub fn budget_bytes(&self) -> Option<u64> {
        self.budget.map(|b| b.bytes())
    }

    /// The cache options the estimate is made with.
    pub fn options(&self) -> crate::catalog::kv::KvOptions {
        crate::catalog::kv::KvOptions {
            kv_type: self.kv_type.unwrap_or_default(),
            parallel: self.parallel.unwrap_or(1),
        }
    }
}

impl Selection {
    /// The unset selection of a facet.
    pub fn none_for(facet: &Facet) -> Self {
        match facet.kind {
            FacetKind::Values(_) => Self::Values(Vec::new()),
            FacetKind::Flag(_) => Self::Flag(None),
            FacetKind::Buckets(_) => Self::Range(Range::default()),
            FacetKind::Fit(_) => Self::Fit(Fit::default()),
        }
    }

    pub fn is_set(&self) -> bool {
        match self {
            Self::Values(values) => !values.is_empty(),
            Self::Flag(flag) => flag.is_some(),
            Self::Range(range) => range.is_set(),
            Self::Fit(fit) => fit.budget.is_some(),
        }
    }

    /// The selected values of a string facet (empty for other kinds).
    pub fn values(&self) -> &[String] {
        match self {
            Self::Values(values) => values,
            _ => &[],
        }
    }
}

/// A validated catalog search.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogQuery {
    pub text: String,
    /// By position in `FACETS`.
    pub filters: Vec<Selection>,
    pub sort: Sort,
    pub page: u32,
    pub per_page: u32,
    /// Also keep the best this-many hits of every family (0: off). Set by the grouped catalog
    /// page, not by query parameters.
    pub per_family: u32,
    /// List every family in the family facet, uncapped (the families list); not set by query
    /// parameters.
    pub all_families: bool,
    /// Whether `sort` was given: the catalog page shows one sorted list then, and groups by
    /// family only when neither keywords nor a sort were asked for.
    pub sort_chosen: bool,
    /// Fold the variants of one base model into one hit (`catalog::variant`): set by the
    /// catalog page, not by query parameters; the JSON API lists every model.
    pub collapse_variants: bool,
    /// Only this project's models (the Hub's `author=`); not a query parameter of the catalog.
    pub project: Option<super::ids::ProjectId>,
    /// Only models whose lineage names this base (`derived_from=<id>`).
    pub derived_from: Option<super::ids::ModelId>,
    /// When fewer models than a page have every word, show those with most of them (SPEC §13):
    /// the catalog page and its JSON API; not the Hub's `search=`, feeds or exports, whose
    /// answers are filters.
    pub partial: bool,
}

impl Default for CatalogQuery {
    fn default() -> Self {
        Self {
            text: String::new(),
            filters: FACETS.iter().map(Selection::none_for).collect(),
            sort: Sort::Popular,
            page: 1,
            per_page: DEFAULT_PER_PAGE,
            per_family: 0,
            all_families: false,
            sort_chosen: false,
            collapse_variants: false,
            project: None,
            derived_from: None,
            partial: false,
        }
    }
}

impl CatalogQuery {
    /// Parses query-string pairs (repeatable keys allowed). Unknown keys and bad values are
    /// errors, never ignored, so a typo in a filter does not silently widen the results.
    pub fn from_pairs<'a>(
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Self, QueryError> {
        let mut query = Self::default();
        let mut sort = None;
        let mut seen_single: Vec<&str> = Vec::new();
        for (key, value) in pairs {
            // An empty value is a mistake like any other bad value (a form that means "no
            // filter" leaves the field out); only an empty `q` is a plain browse.
            if key != "q" && value.trim().is_empty() {
                return Err(QueryError::new(
                    key,
                    "is empty: leave the parameter out for no filter",
                ));
            }
            let mut single = || {
                if seen_single.contains(&key) {
                    Err(QueryError::new(key, "may be given only once"))
                } else {
                    seen_single.push(key);
                    Ok(())
                }
            };
            match key {
                "q" => {
                    single()?;
                    query.text = parse_text(value)?;
                }
                "sort" => {
                    single()?;
                    sort = Some(Sort::parse(value).ok_or_else(|| {
                        QueryError::new(
                            key,
                            "must be one of relevance, popular, newest, name, params, context",
                        )
                    })?);
                }
                "page" => {
                    single()?;
                    query.page = parse_count(key, value, 1, u32::MAX)?.unwrap_or(1);
                }
                "per_page" => {
                    single()?;
                    query.per_page =
                        parse_count(key, value, 1, MAX_PER_PAGE)?.unwrap_or(DEFAULT_PER_PAGE);
                }
                "derived_from" => {
                    single()?;
                    query.derived_from = Some(
                        super::ids::ModelId::parse(value.trim())
                            .ok_or_else(|| QueryError::new(key, "must be a model's UUID"))?,
                    );
                }
                _ => {
                    let Some((position, facet)) = facet_of_param(key) else {
                        return Err(QueryError::new(key, "is not a catalog search parameter"));
                    };
                    if !matches!(facet.kind, FacetKind::Values(_)) {
                        single()?;
                    }
                    parse_filter(&mut query.filters[position], facet, key, value)?;
                }
            }
        }
        for (facet, selection) in FACETS.iter().zip(&query.filters) {
            if let (FacetKind::Buckets(buckets), Selection::Range(range)) = (&facet.kind, selection)
                && let (Some(min), Some(max)) = (range.min, range.max)
                && min > max
            {
                let [min_param, max_param] = buckets.params;
                return Err(QueryError::new(
                    min_param,
                    &format!("is larger than {max_param}"),
                ));
            }
        }
        if query.offset() + u64::from(query.per_page) > MAX_OFFSET {
            return Err(QueryError::new(
                "page",
                &format!(
                    "is too deep: only the first {MAX_OFFSET} results can be paged; narrow the search"
                ),
            ));
        }
        query.sort_chosen = sort.is_some();
        query.sort = match sort {
            Some(Sort::Relevance) if query.text.is_empty() => Sort::Popular,
            Some(sort) => sort,
            None if query.text.is_empty() => Sort::Popular,
            None => Sort::Relevance,
        };
        Ok(query)
    }

    pub fn offset(&self) -> u64 {
        u64::from(self.page.saturating_sub(1)) * u64::from(self.per_page)
    }

    /// The selected values of a string facet.
    pub fn values(&self, facet: usize) -> &[String] {
        self.filters.get(facet).map_or(&[], Selection::values)
    }

    /// The context memory estimates are made at for this search: the fit facet's `at_context`,
    /// or its default.
    pub fn fit_context(&self) -> u64 {
        FACETS
            .iter()
            .zip(&self.filters)
            .find_map(|(facet, selection)| match (&facet.kind, selection) {
                (FacetKind::Fit(def), Selection::Fit(fit)) => {
                    Some(fit.context.unwrap_or(def.default_context))
                }
                _ => None,
            })
            .unwrap_or(crate::catalog::memory::DEFAULT_CONTEXT)
    }

    /// The fit selection of this search (its budget, context and cache knobs).
    pub fn fit(&self) -> Fit {
        self.filters
            .iter()
            .find_map(|selection| match selection {
                Selection::Fit(fit) => Some(*fit),
                _ => None,
            })
            .unwrap_or_default()
    }

    /// The parameter of a members-only filter this query sets, if any: anonymous searches may
    /// not use them.
    pub fn members_only_filter(&self) -> Option<&'static str> {
        FACETS
            .iter()
            .zip(&self.filters)
            .find_map(|(facet, selection)| match (&facet.kind, selection) {
                (FacetKind::Flag(flag), Selection::Flag(Some(_))) if flag.members_only => {
                    Some(flag.param)
                }
                _ => None,
            })
    }

    /// Whether any facet or filter is set (keywords, sort and paging aside).
    pub fn is_filtered(&self) -> bool {
        self.filters.iter().any(Selection::is_set) || self.derived_from.is_some()
    }

    /// The filters as query-string pairs (numbers in plain digits), in `FACETS` order;
    /// `from_pairs` reads them back to the same filters.
    pub fn filter_pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs = Vec::new();
        for (facet, selection) in FACETS.iter().zip(&self.filters) {
            match (&facet.kind, selection) {
                (FacetKind::Values(v), Selection::Values(values)) => {
                    pairs.extend(values.iter().map(|value| (v.params[0], value.clone())));
                }
                (FacetKind::Flag(f), Selection::Flag(Some(flag))) => {
                    pairs.push((f.param, flag.to_string()));
                }
                (FacetKind::Buckets(b), Selection::Range(range)) => {
                    for (param, bound) in b.params.into_iter().zip([range.min, range.max]) {
                        if let Some(bound) = bound {
                            pairs.push((param, bound.to_string()));
                        }
                    }
                }
                (FacetKind::Fit(f), Selection::Fit(fit)) => {
                    if let Some(budget) = fit.budget {
                        pairs.push((f.params[0], budget.text()));
                    }
                    if let Some(context) = fit.context {
                        pairs.push((f.params[1], context.to_string()));
                    }
                    if let Some(kv_type) = fit.kv_type {
                        pairs.push((f.params[2], kv_type.as_str().to_owned()));
                    }
                    if let Some(parallel) = fit.parallel {
                        pairs.push((f.params[3], parallel.to_string()));
                    }
                }
                _ => {}
            }
        }
        if let Some(base) = self.derived_from {
            pairs.push(("derived_from", base.to_string()));
        }
        pairs
    }
}

/// Reads one facet parameter into that facet's selection.
fn parse_filter(
    selection: &mut Selection,
    facet: &Facet,
    key: &str,
    value: &str,
) -> Result<(), QueryError> {
    match (&facet.kind, selection) {
        (FacetKind::Values(v), Selection::Values(values)) => {
            push_value(values, key, value, v.parse)
        }
        (FacetKind::Flag(_), Selection::Flag(flag)) => {
            *flag = parse_bool(key, value)?;
            Ok(())
        }
        (FacetKind::Buckets(b), Selection::Range(range)) => {
            let bound = parse_bound(key, value, b.parse)?;
            if key == b.params[0] {
                range.min = bound;
            } else {
                range.max = bound;
            }
            Ok(())
        }
        (FacetKind::Fit(f), Selection::Fit(fit)) => {
            if key == f.params[0] || key == f.params[4] {
                if value.trim().is_empty() {
                    fit.budget = None;
                } else {
                    fit.budget = Some(
                        (f.parse_budget)(value)
                            .map_err(|e| QueryError::new(key, &format!("is invalid: {e}")))?,
                    );
                }
            } else if key == f.params[1] {
                fit.context = parse_bound(key, value, f.parse_context)?;
            } else if key == f.params[2] {
                fit.kv_type = Some(
                    crate::catalog::kv::KvType::parse(value)
                        .ok_or_else(|| QueryError::new(key, "must be one of f16, q8_0, q4_0"))?,
                );
            } else {
                fit.parallel = parse_count(key, value, 1, crate::catalog::kv::MAX_PARALLEL as u32)?
                    .map(u64::from);
            }
            Ok(())
        }
        // `filters` is built from `FACETS`, so kinds always pair up.
        _ => Ok(()),
    }
}

/// A search parameter that cannot be used; the message names it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{parameter}` {reason}")]
pub struct QueryError {
    pub parameter: String,
    pub reason: String,
}

impl QueryError {
    fn new(parameter: &str, reason: &str) -> Self {
        Self {
            parameter: parameter.chars().take(40).collect(),
            reason: reason.to_owned(),
        }
    }
}

fn parse_text(value: &str) -> Result<String, QueryError> {
    if value.chars().count() > MAX_QUERY_CHARS {
        return Err(QueryError::new(
            "q",
            &format!("is longer than {MAX_QUERY_CHARS} characters"),
        ));
    }
    // Control characters (NUL and friends) carry no meaning in a search box: treat as spaces.
    let cleaned: String = value
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if cleaned
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .count()
        > MAX_QUERY_WORDS
    {
        return Err(QueryError::new(
            "q",
            &format!("has more than {MAX_QUERY_WORDS} words"),
        ));
    }
    if let Err(word) = super::words::query_words(&cleaned) {
        let shown: String = word.chars().take(24).collect();
        return Err(QueryError::new(
            "q",
            &format!(
                "has a word longer than {} characters (`{shown}…`)",
                super::words::MAX_WORD_CHARS
            ),
        ));
    }
    Ok(cleaned.trim().to_owned())
}

fn push_value(
    into: &mut Vec<String>,
    key: &str,
    value: &str,
    parse: impl Fn(&str) -> Result<String, CatalogError>,
) -> Result<(), QueryError> {
    if value.trim().is_empty() {
        return Ok(());
    }
    let parsed =
        parse(value).map_err(|e| QueryError::new(key, &format!("value is invalid: {e}")))?;
    if !into.contains(&parsed) {
        if into.len() >= MAX_FILTER_VALUES {
            return Err(QueryError::new(
                key,
                &format!("may be given at most {MAX_FILTER_VALUES} times"),
            ));
        }
        into.push(parsed);
    }
    Ok(())
}

fn parse_bool(key: &str, value: &str) -> Result<Option<bool>, QueryError> {
    match value {
        "" | "any" => Ok(None),
        "true" | "1" | "yes" | "on" => Ok(Some(true)),
        "false" | "0" | "no" | "off" => Ok(Some(false)),
        _ => Err(QueryError::new(key, "must be true or false")),
    }
}

fn parse_bound(
    key: &str,
    value: &str,
    parse: impl Fn(&str) -> Result<u64, CatalogError>,
) -> Result<Option<u64>, QueryError> {
    if value.trim().is_empty() {
        return Ok(None);
    }
    parse(value)
        .map(Some)
        .map_err(|e| QueryError::new(key, &format!("is invalid: {e}")))
}

fn parse_count(key: &str, value: &str, min: u32, max: u32) -> Result<Option<u32>, QueryError> {
    if value.is_empty() {
        return Ok(None);
    }
    match value.parse::<u32>() {
        Ok(n) if (min..=max).contains(&n) => Ok(Some(n)),
        _ => Err(QueryError::new(
            key,
            &format!("must be a whole number from {min} to {max}"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::facet_list::FAMILY;

    const B: u64 = 1_000_000_000;

    fn parse(pairs: &[(&str, &str)]) -> Result<CatalogQuery, QueryError> {
        CatalogQuery::from_pairs(pairs.iter().copied())
    }

    #[test]
    fn parameters_parse_and_normalise() {
        let query = parse(&[
            ("q", "coder"),
            ("family", "Qwen3-MoE"),
            ("family", "llama"),
            ("license", "Apache 2.0"),
            ("tag", "Code"),
            ("moe", "true"),
            ("min_params", "7B"),
            ("max_context", "128K"),
            ("fits_memory", "24 GB"),
            ("at_context", "8K"),
            ("per_page", "10"),
            ("page", "2"),
        ])
        .unwrap();
        assert_eq!(
            query.filters[3],
            Selection::Fit(Fit {
                budget: Some(crate::catalog::devices::Budget::of_bytes(24 * B)),
                context: Some(8192),
                ..Fit::default()
            })
        );
        assert_eq!(query.values(FAMILY), ["qwen3moe", "llama"]);
        assert_eq!(query.values(7), ["apache-2.0"]);
        assert_eq!(query.values(8), ["code"]);
        assert_eq!(query.filters[4], Selection::Flag(Some(true)));
        assert_eq!(
            query.filters[1],
            Selection::Range(Range {
                min: Some(7 * B),
                max: None
            })
        );
        assert_eq!(
            query.filters[2],
            Selection::Range(Range {
                min: None,
                max: Some(131_072)
            })
        );
        let again = CatalogQuery::from_pairs(
            query
                .filter_pairs()
                .iter()
                .map(|(k, v)| (*k, v.as_str()))
                .chain([("q", "coder"), ("per_page", "10"), ("page", "2")]),
        )
        .unwrap();
        assert_eq!(again, query, "filter_pairs round-trips");
        assert_eq!(query.sort, Sort::Relevance);
        assert_eq!(query.offset(), 10);
    }

    #[test]
    fn sort_defaults_follow_the_spec() {
        assert_eq!(parse(&[]).unwrap().sort, Sort::Popular);
        assert_eq!(parse(&[("q", "x")]).unwrap().sort, Sort::Relevance);
        assert_eq!(parse(&[("sort", "relevance")]).unwrap().sort, Sort::Popular);
        assert_eq!(
            parse(&[("q", "x"), ("sort", "name")]).unwrap().sort,
            Sort::Name
        );
    }

    #[test]
    fn bad_parameters_are_errors() {
        let cases: &[&[(&str, &str)]] = &[
            &[("min_params", "-1")],
            &[("min_params", "18446744073709551616")],
            &[("min_params", "1e9")],
            &[("min_params", "NaN")],
            &[("min_params", "7B"), ("max_params", "1B")],
            &[("min_params", "7B"), ("min_params", "8B")],
            &[("fits_memory", "lots")],
            &[("fits_memory", "24GB"), ("fits_memory", "48GB")],
            &[("at_context", "0")],
            &[("per_page", "0")],
            &[("per_page", "100000")],
            &[("page", "1000000000")],
            &[("sort", "random")],
            &[("moe", "maybe")],
            &[("colour", "red")],
            &[("tag", "<b>")],
        ];
        for pairs in cases {
            assert!(parse(pairs).is_err(), "{pairs:?} should be rejected");
        }
        // Pasted text of up to 2 000 characters is a search, however many words it has.
        assert!(parse(&[("q", &"a ".repeat(40))]).is_ok());
        assert!(parse(&[("q", &"a ".repeat(999))]).is_ok());
        assert!(parse(&[("q", &"x".repeat(2_001))]).is_err());
        assert!(
            parse(&[("q", &"x".repeat(65))]).is_err(),
            "a word over 64 characters"
        );
    }

    #[test]
    fn empty_values_are_refused_but_an_empty_q_browses() {
        for key in [
            "family",
            "license",
            "tag",
            "moe",
            "featured",
            "popular",
            "min_params",
            "max_context",
            "sort",
            "page",
            "per_page",
        ] {
            let error = parse(&[(key, "")]).unwrap_err();
            assert_eq!(error.parameter, key);
            assert!(parse(&[(key, "  ")]).is_err(), "{key}");
        }
        assert_eq!(parse(&[("q", "  ")]).unwrap(), CatalogQuery::default());
    }
}
