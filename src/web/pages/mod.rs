//! Server-rendered pages (maud lives here only). Every user value goes through maud's escaping;
//! the only `PreEscaped` is the sanitised output of `markdown::to_safe_html`.
//!
//! Grouped by URL: `catalog/` (`/models/catalog`, its feed, compare), `detail/`
//! (`/models/catalog/{id}` and deploying from it), `projects/` (`/projects/{project}/…`: models,
//! edit, upload, keys, endpoints), `account/` (`/login`, `/logout`, `/searches`) and `admin.rs`;
//! the layout, components and error pages they share sit here.

pub mod access;
pub mod account;
pub mod admin;
pub mod catalog;
pub mod components;
pub mod detail;
pub mod fit_cookie;
pub mod layout;
pub mod page_error;
pub mod projects;
pub mod when;

use account::{login, searches};
use actix_web::http::{Method, StatusCode};
use actix_web::{HttpResponse, web};
use catalog::{compare, feed};
use maud::Markup;
use projects::{endpoints, keys, upload};

/// One page route as `configure` mounts it: the HTTP method and the actix path pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRoute {
    pub method: &'static str,
    pub path: &'static str,
}

/// Declares the page routes once: the table [`routes`] returns and the [`configure`] that mounts
/// exactly that table, so a route cannot be mounted without being listed (the authorisation
/// matrix in `tests/api/authz.rs` walks the table).
macro_rules! page_routes {
    ($($method:ident $path:literal => $handler:expr,)*) => {
        const ROUTES: &[PageRoute] = &[$(PageRoute { method: stringify!($method), path: $path },)*];

        /// Mounts the page routes (the table of [`routes`]).
        pub fn configure(config: &mut web::ServiceConfig) {
            $(config.route($path, web::method(Method::$method).to($handler));)*
        }
    };
}

page_routes! {
    GET "/" => redirect_to_catalog,
    GET "/models/catalog" => catalog::catalog_page,
    GET "/models/catalog.atom" => feed::catalog_feed,
    GET "/models/compare" => compare::compare_page,
    GET "/models/catalog/{id}" => detail::detail_page,
    POST "/models/catalog/{id}/deploy" => endpoints::deploy,
    GET "/projects/{project}/endpoints" => endpoints::endpoints_page,
    POST "/projects/{project}/endpoints/{endpoint}/delete" => endpoints::delete_endpoint,
    GET "/admin" => admin::admin_page,
    POST "/admin/agents" => admin::add_agent,
    POST "/admin/agents/{agent}/remove" => admin::remove_agent,
    POST "/admin/feature" => admin::feature,
    GET "/searches" => searches::searches_page,
    POST "/searches" => searches::save_search,
    POST "/searches/{id}/delete" => searches::delete_search,
    GET "/login" => login::show_login,
    POST "/login" => login::submit_login,
    POST "/logout" => login::logout,
    POST "/session/project" => login::switch_project,
    GET "/projects/{project}/models" => projects::models_page,
    POST "/projects/{project}/models" => projects::register,
    GET "/projects/{project}/models/{model}/edit" => projects::edit_page,
    POST "/projects/{project}/models/{model}/edit" => projects::edit,
    POST "/projects/{project}/models/{model}/upload" => upload::upload_form,
    POST "/projects/{project}/models/{model}/{action}" => projects::model_action,
    GET "/projects/{project}/keys" => keys::keys_page,
    POST "/projects/{project}/keys" => keys::create_key,
    POST "/projects/{project}/keys/{key}/revoke" => keys::revoke_key,
}

/// Every page route, in the order `configure` mounts them (order matters: `…/upload` and
/// `…/edit` before `…/{action}`).
pub fn routes() -> &'static [PageRoute] {
    ROUTES
}

/// The page routes as (method, path pattern), for 405 answers.
pub fn route_table() -> Vec<(Method, &'static str)> {
    ROUTES
        .iter()
        .filter_map(|r| Some((r.method.parse().ok()?, r.path)))
        .collect()
}

async fn redirect_to_catalog() -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header(("Location", "/models/catalog"))
        .finish()
}

/// An HTML answer with a status.
pub fn html(status: StatusCode, markup: Markup) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(markup.into_string())
}
