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

use actix_web::http::{Method, StatusCode};
use actix_web::{HttpResponse, web};
use maud::Markup;

/// Every page route: method, path pattern, handler. `configure` mounts exactly these, and
/// `route_table` lists them (405 answers and the authorisation matrix read it).
fn routes() -> Vec<(Method, &'static str, actix_web::Route)> {
    let home = || async {
        HttpResponse::SeeOther()
            .insert_header(("Location", "/models/catalog"))
            .finish()
    };
    vec![
        (Method::GET, "/", web::get().to(home)),
        (Method::GET, "/models/catalog", web::get().to(catalog::catalog_page)),
        (Method::GET, "/models/catalog/{id}", web::get().to(detail::detail_page)),
        (Method::POST, "/models/catalog/{id}/deploy", web::post().to(endpoints::deploy)),
        (Method::GET, "/projects/{project}/endpoints", web::get().to(endpoints::endpoints_page)),
        (
            Method::POST,
            "/projects/{project}/endpoints/{endpoint}/delete",
            web::post().to(endpoints::delete_endpoint),
        ),
        (Method::GET, "/admin", web::get().to(admin::admin_page)),
        (Method::POST, "/admin/agents", web::post().to(admin::add_agent)),
        (Method::POST, "/admin/agents/{agent}/remove", web::post().to(admin::remove_agent)),
        (Method::POST, "/admin/feature", web::post().to(admin::feature)),
        (Method::GET, "/login", web::get().to(login::show_login)),
        (Method::POST, "/login", web::post().to(login::submit_login)),
        (Method::POST, "/logout", web::post().to(login::logout)),
        (Method::POST, "/session/project", web::post().to(login::switch_project)),
        (Method::GET, "/projects/{project}/models", web::get().to(projects::models_page)),
        (Method::POST, "/projects/{project}/models", web::post().to(projects::register)),
        (
            Method::GET,
            "/projects/{project}/models/{model}/edit",
            web::get().to(projects::edit_page),
        ),
        (Method::POST, "/projects/{project}/models/{model}/edit", web::post().to(projects::edit)),
        (
            Method::POST,
            "/projects/{project}/models/{model}/upload",
            web::post().to(upload::upload_form),
        ),
        (
            Method::POST,
            "/projects/{project}/models/{model}/{action}",
            web::post().to(projects::model_action),
        ),
        (Method::GET, "/projects/{project}/keys", web::get().to(keys::keys_page)),
        (Method::POST, "/projects/{project}/keys", web::post().to(keys::create_key)),
        (Method::POST, "/projects/{project}/keys/{key}/revoke", web::post().to(keys::revoke_key)),
    ]
}

/// Mounts the page routes.
pub fn configure(config: &mut web::ServiceConfig) {
    for (_, path, route) in routes() {
        config.route(path, route);
    }
}

/// The page routes as (method, path pattern).
pub fn route_table() -> Vec<(Method, &'static str)> {
    routes().into_iter().map(|(m, p, _)| (m, p)).collect()
}

/// An HTML answer with a status.
pub fn html(status: StatusCode, markup: Markup) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(markup.into_string())
}
