//! JSON shapes of the public catalog API.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Schema, Type};
use utoipa::openapi::{Ref, RefOr};
use utoipa::{PartialSchema, ToSchema};

use crate::catalog::badge::{Viewer, badges};
use crate::catalog::buckets::Bucket;
use crate::catalog::card::CatalogCard;
use crate::catalog::facet_list::{FACETS, FacetKind, FitFacet};
use crate::catalog::family::FamilyView;
use crate::catalog::memory::{DEFAULT_CONTEXT, budget_text};
use crate::catalog::query::CatalogQuery;
use crate::catalog::search_results::{FacetCount, SearchResults};

/// A catalog model as anyone may see it. `catalog_role` and the infrastructure badges appear
/// only for logged-in callers (SPEC §3).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct CatalogModelView {
    pub id: String,
    pub name: String,
    pub version: Option<String>,
    /// A plain-text excerpt in search results; the full markdown on `GET /v1/catalog/models/{id}`.
    pub description: String,
    /// The family key (architecture slug, or `unknown`).
    pub architecture: String,
    pub family_name: String,
    pub parameter_count: Option<u64>,
    pub parameter_count_display: Option<String>,
    pub active_parameter_count: Option<u64>,
    pub context_length: Option<u64>,
    pub context_length_display: Option<String>,
    pub license: Option<String>,
    pub license_name: Option<String>,
    pub quantization: Option<String>,
    pub format: Option<String>,
    pub tags: Vec<String>,
    /// Mixture of experts.
    pub moe: bool,
    pub featured: bool,
    pub deployment_count: u64,
    pub project: ProjectRef,
    pub shared_at: Option<String>,
    /// Badge keys: `featured`, `popular`, and for logged-in callers `shared`, `xim_only`, `not_deployed`.
    pub badges: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub catalog_role: Option<String>,
    /// The badges as one line a person reads (`Featured · XIM Only · not deployed`).
    pub badge_line: String,
    /// The memory estimate at the search's `at_context` (default 32K), capped at the model's
    /// own context, with its `kv_cache` type and `parallel` sequences.
    pub memory: MemoryView,
    /// With a fit budget: `yes` (the whole estimate is within it), `weights_only` (the weights
    /// and overhead are; the KV cache is unknown), `no`, or `unknown` (no weights figure).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fit: Option<String>,
    /// Base model, relation and successor (issue 27), when stated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lineage: Option<LineageSummary>,
}

/// A catalog model's lineage as its card carries it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct LineageSummary {
    /// The base's id when it is in this catalog.
    pub base_model: Option<String>,
    /// The base as a model card names it, when it is not.
    pub base_model_name: Option<String>,
    pub base_model_relation: Option<String>,
    pub superseded_by: Option<String>,
}

/// Where the attention shape sizing the KV cache came from.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct KvSourceView {
    /// `files` (the model's GGUF header or config.json) or `table` (the shapes table of
    /// published base models).
    pub kind: String,
    /// With `table`: the base model whose row was used, and the row's source.
    pub base: Option<String>,
    pub source: Option<String>,
}

/// A fit search's answer: the models that fit come first, then those whose weights fit with
/// the KV cache unknown.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct FitSummary {
    /// The budget as given back (`24GB`, `2xrtx-4090`).
    pub budget: String,
    pub budget_bytes: u64,
    pub budget_label: String,
    pub context: u64,
    pub kv_cache: String,
    pub parallel: u64,
    pub fits: u64,
    pub weights_only: u64,
}

/// The project that shared a model.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct ProjectRef {
    pub id: String,
    pub name: String,
}

impl CatalogModelView {
    pub fn new(card: CatalogCard, viewer: Viewer) -> Self {
        Self::at_context(card, viewer, DEFAULT_CONTEXT)
    }

    /// The view with its memory estimate at `context`.
    pub fn at_context(card: CatalogCard, viewer: Viewer, context: u64) -> Self {
        Self::at_fit(
            card,
            viewer,
            &crate::catalog::query::Fit {
                context: Some(context),
                ..Default::default()
            },
        )
    }

    /// The view with its memory estimate and fit for a search's fit selection.
    pub fn at_fit(card: CatalogCard, viewer: Viewer, fit: &crate::catalog::query::Fit) -> Self {
        let context = fit.context.unwrap_or(DEFAULT_CONTEXT);
        let options = fit.options();
        let fit_answer = fit
            .budget_bytes()
            .map(|budget| card.fit(budget, context, options).as_str().to_owned());
        let lineage = (!card.lineage.is_empty()).then(|| LineageSummary {
            base_model: card.lineage.base_id.map(|id| id.to_string()),
            base_model_name: card.lineage.base_name.clone(),
            base_model_relation: card.lineage.relation.map(|r| r.as_str().to_owned()),
            superseded_by: card.lineage.superseded_by.map(|id| id.to_string()),
        });
        let shown = badges(&card.facts, viewer);
        let badge_line = crate::catalog::badge::badge_line(&shown);
        let badges = shown.into_iter().map(|b| b.as_str().to_owned()).collect();
        let catalog_role = match viewer {
            Viewer::LoggedIn => card.facts.role.map(|r| r.as_str().to_owned()),
            Viewer::Anonymous => None,
        };
        let memory = MemoryView::with(&card, context, options);
        Self {
            memory,
            fit: fit_answer,
            lineage,
            badge_line,
            id: card.id.to_string(),
            name: card.name,
            version: card.version,
            description: card.description,
            architecture: card.architecture,
            family_name: card.family_name,
            parameter_count: card.parameter_count,
            parameter_count_display: card.parameter_count_display,
            active_parameter_count: card.active_parameter_count,
            context_length: card.context_length,
            context_length_display: card.context_length_display,
            license: card.license,
            license_name: card.license_name,
            quantization: card.quantization,
            format: card.format,
            tags: card.tags,
            moe: card.moe,
            featured: card.facts.featured,
            deployment_count: card.facts.deployment_count,
            project: ProjectRef {
                id: card.project_id.to_string(),
                name: card.project_name,
            },
            shared_at: card.shared_at,
            badges,
            catalog_role,
        }
    }
}

/// One value of a facet.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct FacetValue {
    /// What to pass back as the filter parameter.
    pub value: String,
    pub label: String,
    pub count: u64,
    /// For bucket facets: the inclusive range to pass as `min_…` / `max_…`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<u64>,
    /// For the fit facet: models whose weights fit this budget but whose KV cache no file
    /// states, so whether they fit is unknown (not in `count`, not let through the filter).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub may_fit: Option<u64>,
}

/// A memory estimate (SPEC §11) at one context, in bytes; parts the files do not state are
/// null, and so is the total then.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct MemoryView {
    /// The context the KV cache is sized for (the one asked for, capped at the model's own).
    pub context: u64,
    pub weights_bytes: Option<u64>,
    /// Bits per weight the weights figure used.
    pub bits_per_weight: Option<f64>,
    pub kv_cache_bytes: Option<u64>,
    /// llama.cpp's compute buffer (flash attention, micro-batch 512), when the files state the
    /// shape that sizes it; part of the total then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compute_bytes: Option<u64>,
    pub overhead_bytes: u64,
    pub total_bytes: Option<u64>,
    /// Whether the context asked for was past the model's own maximum (then `context` is that
    /// maximum).
    #[serde(default)]
    pub context_capped: bool,
    /// The cache element type and sequences the KV figure is for (`f16`, 1 by default).
    pub kv_cache: String,
    pub parallel: u64,
    /// Where the attention shape came from; absent when it is unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kv_source: Option<KvSourceView>,
}

impl MemoryView {
    pub fn of(card: &CatalogCard, context: u64) -> Self {
        Self::with(card, context, Default::default())
    }

    pub fn with(card: &CatalogCard, context: u64, options: crate::catalog::kv::KvOptions) -> Self {
        use crate::catalog::shapes::ShapeSource;
        let e = card.memory_with(context, options);
        Self {
            context: e.context,
            weights_bytes: e.weights,
            bits_per_weight: e.bits.map(|(b, _)| b),
            kv_cache_bytes: e.kv_cache,
            compute_bytes: e.compute,
            overhead_bytes: e.overhead,
            total_bytes: e.total(),
            context_capped: e.context < context,
            kv_cache: options.kv_type.as_str().to_owned(),
            parallel: options.parallel,
            kv_source: card.kv_source.as_ref().map(|source| match source {
                ShapeSource::Files => KvSourceView {
                    kind: "files".to_owned(),
                    base: None,
                    source: None,
                },
                ShapeSource::Table { base, source } => KvSourceView {
                    kind: "table".to_owned(),
                    base: Some(base.clone()),
                    source: Some(source.clone()),
                },
            }),
        }
    }
}

/// Disjunctive facet counts: each facet ignores its own selection. One list per counted
/// facet of `facet_list::FACETS`, under its key (`family`, `license`, `tag`, `moe`, `params`,
/// `context`), and `more`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct FacetsView {
    #[serde(flatten)]
    pub facets: BTreeMap<String, Vec<FacetValue>>,
    /// How many values of each capped (string) facet were not listed.
    pub more: BTreeMap<String, u64>,
}

impl FacetsView {
    /// The values of one facet; empty when the answer has none.
    pub fn get(&self, key: &str) -> &[FacetValue] {
        self.facets.get(key).map_or(&[], Vec::as_slice)
    }
}

// The schema is written out from the facet list, so the document names every facet key.
impl utoipa::PartialSchema for FacetsView {
    fn schema() -> RefOr<Schema> {
        let values = || ArrayBuilder::new().items(Ref::from_schema_name(FacetValue::name()));
        let mut more = ObjectBuilder::new().description(Some(
            "Values left out of the capped facet lists (each lists at most 30, plus the selected ones).",
        ));
        let mut object = ObjectBuilder::new();
        for facet in FACETS.iter().filter(|f| f.is_counted()) {
            object = object
                .property(facet.key, values().description(Some(facet.label)))
                .required(facet.key);
            if matches!(facet.kind, FacetKind::Values(_)) {
                more = more
                    .property(
                        facet.key,
                        ObjectBuilder::new()
                            .schema_type(Type::Integer)
                            .minimum(Some(0)),
                    )
                    .required(facet.key);
            }
        }
        object.property("more", more).required("more").into()
    }
}

impl ToSchema for FacetsView {
    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        schemas.push((FacetValue::name().into(), FacetValue::schema()));
        <FacetValue as ToSchema>::schemas(schemas);
    }
}

/// `GET /v1/catalog/models`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct CatalogSearchResponse {
    pub total: u64,
    pub page: u32,
    pub per_page: u32,
    /// The sort applied (`relevance` needs keywords; without them it is `popular`).
    pub sort: String,
    pub models: Vec<CatalogModelView>,
    pub facets: FacetsView,
    /// With `fits_memory` (or `device`): how many models fit and how many only by weights.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fit: Option<FitSummary>,
    /// With keywords: `all` (every word matched) or `most` (no model had every word, so the
    /// models with most of them are shown, most matched first).
    #[serde(default, rename = "match", skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub match_mode: Option<String>,
    /// With `match: most`: how many models have every word (listed first).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub every_word_total: Option<u64>,
}

/// Label helpers for facet values.
pub fn value(value: &str, label: &str, count: u64) -> FacetValue {
    FacetValue {
        value: value.to_owned(),
        label: label.to_owned(),
        count,
        min: None,
        max: None,
        may_fit: None,
    }
}

/// Bucket counts (the defined buckets, then "unknown") as facet values.
pub fn buckets(defined: &[Bucket], counts: &[u64]) -> Vec<FacetValue> {
    let mut values: Vec<FacetValue> = defined
        .iter()
        .zip(counts)
        .map(|(bucket, count)| FacetValue {
            min: bucket.range.min,
            max: bucket.range.max,
            ..value(bucket.key, bucket.label, *count)
        })
        .collect();
    if let Some(unknown) = counts.get(defined.len()) {
        values.push(value("unknown", "Not stated", *unknown));
    }
    values
}

/// Fit counts as facet values: per budget, the models that fit (cumulative) and those that may,
/// then the models without a weights figure.
pub fn fit_values(fit: &FitFacet, counts: &[u64]) -> Vec<FacetValue> {
    let (rows, unknown) = fit.cumulative(counts);
    let mut values: Vec<FacetValue> = rows
        .into_iter()
        .map(|(bytes, fits, may)| FacetValue {
            max: Some(bytes),
            may_fit: Some(may),
            ..value(&budget_text(bytes), &gigabytes_whole(bytes), fits)
        })
        .collect();
    values.push(value("unknown", "Size not stated", unknown));
    values
}

fn gigabytes_whole(bytes: u64) -> String {
    format!("{} GB", bytes / 1_000_000_000)
}

impl CatalogSearchResponse {
    /// The page view of a search; the family facet carries display names.
    pub fn new(query: &CatalogQuery, results: SearchResults, viewer: Viewer) -> Self {
        let mut facets = FacetsView::default();
        for (facet, count) in FACETS.iter().zip(results.facets.0) {
            let values = match (&facet.kind, count) {
                (FacetKind::Values(v), FacetCount::Values { values, more }) => {
                    facets.more.insert(facet.key.to_owned(), more);
                    values
                        .iter()
                        .map(|(value, count)| self::value(value, &(v.label_of)(value), *count))
                        .collect()
                }
                (FacetKind::Flag(flag), FacetCount::Flag(counts)) => vec![
                    value("true", flag.labels[1], counts[1]),
                    value("false", flag.labels[0], counts[0]),
                ],
                (FacetKind::Buckets(b), FacetCount::Buckets(counts)) => buckets(b.buckets, &counts),
                (FacetKind::Fit(fit), FacetCount::Buckets(counts)) => fit_values(fit, &counts),
                _ => continue,
            };
            facets.facets.insert(facet.key.to_owned(), values);
        }
        let mut fit = query.fit();
        fit.context = Some(query.fit_context());
        let summary = match (fit.budget, results.fit_totals) {
            (Some(budget), Some((fits, weights_only))) => Some(FitSummary {
                budget: budget.text(),
                budget_bytes: budget.bytes(),
                budget_label: budget.label(),
                context: query.fit_context(),
                kv_cache: fit.options().kv_type.as_str().to_owned(),
                parallel: fit.options().parallel,
                fits,
                weights_only,
            }),
            _ => None,
        };
        Self {
            total: results.total,
            page: query.page,
            per_page: query.per_page,
            sort: query.sort.as_str().to_owned(),
            models: results
                .hits
                .into_iter()
                .map(|card| CatalogModelView::at_fit(card, viewer, &fit))
                .collect(),
            facets,
            fit: summary,
            match_mode: results.match_mode.map(|m| m.as_str().to_owned()),
            every_word_total: (results.match_mode
                == Some(crate::catalog::search_results::MatchMode::Most))
            .then_some(results.every_word),
        }
    }
}

/// A family present in the catalog.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct FamilyEntry {
    pub slug: String,
    pub name: String,
    pub description: String,
    /// URL of the family's SVG logo.
    pub logo_url: String,
    pub moe: bool,
    /// Shared models of this family.
    pub count: u64,
}

impl FamilyEntry {
    pub fn new(family: FamilyView, count: u64) -> Self {
        Self {
            logo_url: format!("/assets/logos/{}.svg", family.logo),
            slug: family.slug,
            name: family.name,
            description: family.description,
            moe: family.moe,
            count,
        }
    }
}

/// `GET /v1/catalog/families`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct FamilyList {
    pub families: Vec<FamilyEntry>,
}

/// The display name of a license key.
pub fn license_label(key: &str) -> String {
    crate::catalog::license::License::from_stored(key.to_owned())
        .display_name()
        .to_owned()
}

/// One compared field: every model's value, and whether they differ.
#[derive(Debug, Serialize, ToSchema)]
pub struct CompareRow {
    /// A stable key such as `parameter_count` or `license_intent`.
    pub field: String,
    pub label: String,
    /// One value per model, in the order of `models`.
    pub values: Vec<String>,
    pub differs: bool,
}

/// `GET /v1/catalog/compare`.
#[derive(Debug, Serialize, ToSchema)]
pub struct CompareResponse {
    /// The context (tokens) every memory estimate is taken at.
    pub context: u64,
    pub models: Vec<CatalogModelView>,
    pub rows: Vec<CompareRow>,
}

impl CompareResponse {
    pub fn new(cards: Vec<CatalogCard>, viewer: Viewer) -> Self {
        let rows = crate::catalog::compare::rows(&cards)
            .into_iter()
            .map(|row| CompareRow {
                field: row.field.to_owned(),
                label: row.label.to_owned(),
                values: row.values,
                differs: row.differs,
            })
            .collect();
        Self {
            context: crate::catalog::compare::CONTEXT,
            models: cards
                .into_iter()
                .map(|card| CatalogModelView::new(card, viewer))
                .collect(),
            rows,
        }
    }
}
