//! Server-rendered pages (maud lives here only). Every user value goes through maud's escaping;
//! the only `PreEscaped` is the sanitised output of `markdown::to_safe_html`.

pub mod access;
pub mod admin;
pub mod catalog;
pub mod components;
pub mod detail;
pub mod endpoints;
pub mod filters;
pub mod keys;
pub mod layout;
pub mod login;
pub mod projects;
pub mod upload;

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
        .route("/models/catalog/{id}", web::get().to(detail::detail_page))
        .route(
            "/models/catalog/{id}/deploy",
            web::post().to(endpoints::deploy),
        )
        .route(
            "/projects/{project}/endpoints",
            web::get().to(endpoints::endpoints_page),
        )
        .route(
            "/projects/{project}/endpoints/{endpoint}/delete",
            web::post().to(endpoints::delete_endpoint),
        )
        .route("/admin", web::get().to(admin::admin_page))
        .route("/admin/agents", web::post().to(admin::add_agent))
        .route(
            "/admin/agents/{agent}/remove",
            web::post().to(admin::remove_agent),
        )
        .route("/admin/feature", web::post().to(admin::feature))
        .route("/login", web::get().to(login::show_login))
        .route("/login", web::post().to(login::submit_login))
        .route("/logout", web::post().to(login::logout))
        .route("/session/project", web::post().to(login::switch_project))
        .route(
            "/projects/{project}/models",
            web::get().to(projects::models_page),
        )
        .route(
            "/projects/{project}/models",
            web::post().to(projects::register),
        )
        .route(
            "/projects/{project}/models/{model}/edit",
            web::get().to(projects::edit_page),
        )
        .route(
            "/projects/{project}/models/{model}/edit",
            web::post().to(projects::edit),
        )
        .route(
            "/projects/{project}/models/{model}/upload",
            web::post().to(upload::upload_form),
        )
        .route(
            "/projects/{project}/models/{model}/{action}",
            web::post().to(projects::model_action),
        )
        .route("/projects/{project}/keys", web::get().to(keys::keys_page))
        .route("/projects/{project}/keys", web::post().to(keys::create_key))
        .route(
            "/projects/{project}/keys/{key}/revoke",
            web::post().to(keys::revoke_key),
        );
}

/// An HTML answer with a status.
pub fn html(status: StatusCode, markup: Markup) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(markup.into_string())
}
