//! The public catalog API: search, one model, families. No key needed; a valid key makes the
//! caller a logged-in viewer (catalog role and infrastructure badges), an invalid one is a 401.

use actix_web::{HttpRequest, get, web};
use utoipa::IntoParams;
use utoipa::openapi::path::{Parameter, ParameterBuilder, ParameterIn};
use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Schema, Type};
use utoipa::openapi::{RefOr, Required};

use super::parse_model_id;
use crate::catalog::badge::Viewer;
use crate::catalog::facet_list::{FACETS, FacetKind};
use crate::catalog::query::CatalogQuery;
use crate::ops::{self, Services};
use crate::web::auth_middleware::bearer_token;
use crate::web::error::{ApiError, ErrorCode};
use crate::wire::ErrorBody;
use crate::wire::catalog::{CatalogModelView, CatalogSearchResponse, FamilyEntry, FamilyList};

/// Catalog search parameters: the documentation of what `CatalogQuery::from_pairs` reads, the
/// facet parameters written out from `facet_list::FACETS`.
pub struct CatalogSearchParams;

impl IntoParams for CatalogSearchParams {
    fn into_params(parameter_in: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        let location = parameter_in().unwrap_or(ParameterIn::Query);
        let parameter = |name: &str, doc: &str, schema: RefOr<Schema>| {
            ParameterBuilder::new()
                .name(name)
                .parameter_in(location.clone())
                .required(Required::False)
                .description(Some(doc))
                .schema(Some(schema))
                .build()
        };
        let typed = |kind: Type| -> RefOr<Schema> { ObjectBuilder::new().schema_type(kind).into() };
        let mut parameters = vec![parameter(
            "q",
            "Keywords: name over tags over description; the last word matches as a prefix; words of five or more letters tolerate one typo.",
            typed(Type::String),
        )];
        for facet in &FACETS {
            match &facet.kind {
                FacetKind::Values(v) => parameters.push(parameter(
                    v.params[0],
                    v.doc,
                    ArrayBuilder::new().items(typed(Type::String)).into(),
                )),
                FacetKind::Flag(flag) => {
                    parameters.push(parameter(flag.param, flag.doc, typed(Type::Boolean)))
                }
                FacetKind::Buckets(b) => {
                    for (name, doc) in b.params.into_iter().zip(b.docs) {
                        parameters.push(parameter(name, doc, typed(Type::String)));
                    }
                }
                FacetKind::Fit(f) => {
                    for (name, doc) in f.params.into_iter().zip(f.docs) {
                        parameters.push(parameter(name, doc, typed(Type::String)));
                    }
                }
            }
        }
        parameters.extend([
            parameter(
                "sort",
                "`relevance` (default with `q`), `popular` (default without), `newest`, `name`, `params`, `context`.",
                typed(Type::String),
            ),
            parameter(
                "page",
                "1-based; at most 10 000 results can be paged.",
                typed(Type::Integer),
            ),
            parameter("per_page", "1–100, default 24.", typed(Type::Integer)),
        ]);
        parameters
    }
}

/// Searches the public catalog.
#[utoipa::path(
    tag = "catalog",
    params(CatalogSearchParams),
    responses((status = 200, body = CatalogSearchResponse), (status = 400, body = ErrorBody))
)]
#[get("/v1/catalog/models")]
pub async fn search_models(
    request: HttpRequest,
    pairs: web::Query<Vec<(String, String)>>,
    services: web::Data<Services>,
) -> Result<web::Json<CatalogSearchResponse>, ApiError> {
    let viewer = viewer(&request, &services).await?;
    let query = CatalogQuery::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .map_err(|e| ApiError::new(ErrorCode::InvalidParameter, e.to_string()))?;
    if viewer == Viewer::Anonymous
        && let Some(param) = query.members_only_filter()
    {
        return Err(ApiError::new(
            ErrorCode::InvalidParameter,
            format!(
                "`{param}` filters on infrastructure badges, which only logged-in callers see: send an API key"
            ),
        ));
    }
    let partial = CatalogQuery {
        partial: true,
        ..query.clone()
    };
    let results = ops::catalog::search_catalog(&services, partial).await?;
    Ok(web::Json(CatalogSearchResponse::new(
        &query, results, viewer,
    )))
}

/// One shared model with its full markdown description. Unshared and unknown ids are 404.
#[utoipa::path(
    tag = "catalog",
    params(("id" = String, Path, description = "The model's UUID")),
    responses((status = 200, body = CatalogModelView), (status = 404, body = ErrorBody))
)]
#[get("/v1/catalog/models/{id}")]
pub async fn get_catalog_model(
    request: HttpRequest,
    path: web::Path<String>,
    services: web::Data<Services>,
) -> Result<web::Json<CatalogModelView>, ApiError> {
    let viewer = viewer(&request, &services).await?;
    let id = parse_model_id(&path)?;
    let (shared, mut entry) = ops::catalog::catalog_entry(&services, id).await?;
    entry.card.description = shared.model.details.description.clone();
    Ok(web::Json(CatalogModelView::new(entry.card, viewer)))
}

/// The architecture families present in the catalog, with counts.
#[utoipa::path(tag = "catalog", responses((status = 200, body = FamilyList)))]
#[get("/v1/catalog/families")]
pub async fn list_families(
    services: web::Data<Services>,
) -> Result<web::Json<FamilyList>, ApiError> {
    let families = ops::catalog::catalog_families(&services).await?;
    Ok(web::Json(FamilyList {
        families: families
            .into_iter()
            .map(|(family, count)| FamilyEntry::new(family, count))
            .collect(),
    }))
}

/// Anonymous without credentials; logged in with a valid key; a 401 for a bad one.
async fn viewer(request: &HttpRequest, services: &Services) -> Result<Viewer, ApiError> {
    let Some(token) = bearer_token(request.headers()).transpose() else {
        return Ok(Viewer::Anonymous);
    };
    ops::access::authenticate::authenticate_key(services, &token?).await?;
    Ok(Viewer::LoggedIn)
}

/// Compare parameters.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct CompareParams {
    /// 2–4 distinct model UUIDs: repeated (`ids=a&ids=b`) or comma-separated (`ids=a,b`).
    ids: Vec<String>,
}

/// Compares 2–4 shared models: every field in one table, rows that differ marked, memory
/// estimates at the same context. Fewer than 2 or more than 4 ids, a duplicate or a malformed
/// id is a 400; an unknown or unshared id a 404; both name the id.
#[utoipa::path(
    tag = "catalog",
    params(CompareParams),
    responses(
        (status = 200, body = crate::wire::catalog::CompareResponse),
        (status = 400, body = ErrorBody),
        (status = 404, body = ErrorBody)
    )
)]
#[get("/v1/catalog/compare")]
pub async fn compare_models(
    request: HttpRequest,
    pairs: web::Query<Vec<(String, String)>>,
    services: web::Data<Services>,
) -> Result<web::Json<crate::wire::catalog::CompareResponse>, ApiError> {
    let viewer = viewer(&request, &services).await?;
    if let Some((key, _)) = pairs.iter().find(|(k, _)| k != "ids") {
        return Err(ApiError::new(
            ErrorCode::InvalidParameter,
            format!("`{key}` is not a compare parameter (use ids)"),
        ));
    }
    let ids = crate::catalog::compare::parse_ids(pairs.iter().map(|(_, v)| v.as_str()))
        .map_err(|e| ApiError::new(ErrorCode::InvalidParameter, e))?;
    let cards = ops::catalog::compare(&services, ids).await?;
    Ok(web::Json(crate::wire::catalog::CompareResponse::new(
        cards, viewer,
    )))
}
