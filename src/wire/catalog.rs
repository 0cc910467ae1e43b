//! JSON shapes of the public catalog API.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::catalog::badge::{Viewer, badges};
use crate::catalog::card::CatalogCard;
use crate::catalog::facets::{Bucket, CONTEXT_BUCKETS, PARAM_BUCKETS, SearchResults};
use crate::catalog::family::FamilyView;
use crate::catalog::query::CatalogQuery;

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
}

/// The project that shared a model.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct ProjectRef {
    pub id: String,
    pub name: String,
}

impl CatalogModelView {
    pub fn new(card: CatalogCard, viewer: Viewer) -> Self {
        let badges = badges(&card.facts, viewer)
            .into_iter()
            .map(|b| b.as_str().to_owned())
            .collect();
        let catalog_role = match viewer {
            Viewer::LoggedIn => card.facts.role.map(|r| r.as_str().to_owned()),
            Viewer::Anonymous => None,
        };
        Self {
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
}

/// Disjunctive facet counts: each facet ignores its own selection.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct FacetsView {
    pub family: Vec<FacetValue>,
    pub license: Vec<FacetValue>,
    pub tag: Vec<FacetValue>,
    pub moe: Vec<FacetValue>,
    pub params: Vec<FacetValue>,
    pub context: Vec<FacetValue>,
    /// How many values of each capped facet (family, license, tag) were not listed.
    pub more: FacetMoreView,
}

/// Values left out of the capped facet lists (each lists at most 30, plus the selected ones).
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct FacetMoreView {
    pub family: u64,
    pub license: u64,
    pub tag: u64,
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
}

/// Label helpers for facet values.
pub fn value(value: &str, label: &str, count: u64) -> FacetValue {
    FacetValue {
        value: value.to_owned(),
        label: label.to_owned(),
        count,
        min: None,
        max: None,
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

impl CatalogSearchResponse {
    /// The page view of a search; the family facet carries display names.
    pub fn new(
        query: &CatalogQuery,
        results: SearchResults,
        viewer: Viewer,
        family_label: impl Fn(&str) -> String,
        license_label: impl Fn(&str) -> String,
    ) -> Self {
        let f = results.facets;
        let facets = FacetsView {
            family: f
                .family
                .iter()
                .map(|(v, c)| value(v, &family_label(v), *c))
                .collect(),
            license: f
                .license
                .iter()
                .map(|(v, c)| value(v, &license_label(v), *c))
                .collect(),
            tag: f.tag.iter().map(|(v, c)| value(v, v, *c)).collect(),
            moe: vec![
                value("true", "Mixture of experts", f.moe[1]),
                value("false", "Dense", f.moe[0]),
            ],
            params: buckets(&PARAM_BUCKETS, &f.params),
            context: buckets(&CONTEXT_BUCKETS, &f.context),
            more: FacetMoreView {
                family: f.more.family,
                license: f.more.license,
                tag: f.more.tag,
            },
        };
        Self {
            total: results.total,
            page: query.page,
            per_page: query.per_page,
            sort: query.sort.as_str().to_owned(),
            models: results
                .hits
                .into_iter()
                .map(|card| CatalogModelView::new(card, viewer))
                .collect(),
            facets,
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
