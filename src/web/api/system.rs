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
