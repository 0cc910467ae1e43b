//! Server-rendered pages (maud lives here only). Every user value goes through maud's escaping;
//! the only `PreEscaped` is the sanitised output of `markdown::to_safe_html`.

pub mod catalog;
pub mod components;
pub mod detail;
pub mod layout;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use maud::Markup;

/// Mounts the page routes.
pub fn configure(config: &mut web::ServiceConfig) {
    config
        .route(
            "/",
            web::get().to(|| async {
                HttpResponse::SeeOther()
                    .insert_header(("Location", "/models/catalog"))
                    .finish()
            }),
        )
        .route("/models/catalog", web::get().to(catalog::catalog_page))
        .route("/models/catalog/{id}", web::get().to(detail::detail_page));
}

/// An HTML answer with a status.
pub fn html(status: StatusCode, markup: Markup) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(markup.into_string())
}
