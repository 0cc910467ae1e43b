//! Liveness, readiness and the API description.

use actix_web::http::header;
use actix_web::{HttpResponse, get, web};

use crate::ops::Services;
use crate::ops::indexing::readiness::IndexPhase;
use crate::web::error::INDEX_RETRY_AFTER;
use crate::wire::{Health, Readiness};

/// Answers 200 while the server is up (also while the catalog index is still being built).
#[utoipa::path(tag = "system", responses((status = 200, body = Health)))]
#[get("/healthz")]
pub async fn healthz() -> web::Json<Health> {
    web::Json(Health {
        status: "ok".to_owned(),
        version: env!("CARGO_PKG_VERSION").to_owned(),
    })
}

/// Answers 200 once the catalog is served, 503 with `Retry-After` while the index is still being
/// brought up to date at start-up (with the progress of a rebuild).
#[utoipa::path(
    tag = "system",
    responses(
        (status = 200, body = Readiness, description = "The catalog is served"),
        (status = 503, body = Readiness, description = "The search index is starting or being rebuilt (see `Retry-After`)")
    )
)]
#[get("/readyz")]
pub async fn readyz(services: web::Data<Services>) -> HttpResponse {
    let state = services.readiness.state();
    let mut body = Readiness {
        status: state.phase.as_str().to_owned(),
        indexed: state.indexed,
        total: state.total,
        percent: state.percent(),
    };
    if state.phase == IndexPhase::Ready {
        // Ready: what the index holds now (a start without a rebuild has no progress to show).
        let held = services.search.as_ref().map_or(0, |s| s.num_docs());
        (body.indexed, body.total) = (held, held);
        return HttpResponse::Ok().json(body);
    }
    HttpResponse::ServiceUnavailable()
        .insert_header((header::RETRY_AFTER, INDEX_RETRY_AFTER))
        .json(body)
}

/// The OpenAPI 3.1 document, built once at start-up.
pub async fn openapi_document(document: web::Data<String>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(document.get_ref().clone())
}

/// Describes the API key the request carries.
#[utoipa::path(tag = "system", responses((status = 200, body = crate::wire::KeyInfo), (status = 401, body = crate::wire::ErrorBody)), security(("api_key" = [])))]
#[get("/key")]
pub async fn key_info(
    principal: web::ReqData<crate::auth::Principal>,
) -> Result<web::Json<crate::wire::KeyInfo>, crate::web::error::ApiError> {
    match principal.into_inner() {
        crate::auth::Principal::ApiKey {
            project_id,
            key_id,
            scope,
        } => Ok(web::Json(crate::wire::KeyInfo {
            project_id: project_id.to_string(),
            key_id,
            scope: scope.as_str().to_owned(),
        })),
        _ => Err(crate::web::error::ApiError::new(
            crate::web::error::ErrorCode::InvalidApiKey,
            "not an API key",
        )),
    }
}
