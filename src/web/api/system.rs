//! Liveness and the API description.

use actix_web::{HttpResponse, get, web};

use crate::wire::Health;

/// Answers 200 while the server is up.
#[utoipa::path(tag = "system", responses((status = 200, body = Health)))]
#[get("/healthz")]
pub async fn healthz() -> web::Json<Health> {
    web::Json(Health {
        status: "ok".to_owned(),
        version: env!("CARGO_PKG_VERSION").to_owned(),
    })
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
