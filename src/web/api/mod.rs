//! REST routes. Every handler is collected into the OpenAPI document by `utoipa-actix-web`
//! as it is mounted, so the document cannot drift from the routes.

pub mod agents;
pub mod artifacts;
pub mod catalog;
pub mod endpoints;
pub mod lineage;
pub mod models;
pub mod openapi_doc;
pub mod repos;
pub mod system;

use actix_web::middleware::from_fn;
use utoipa::openapi::OpenApi;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa_actix_web::service_config::ServiceConfig;

use super::auth_middleware::{require_agent_token, require_api_key};
use super::error::ApiError;
use crate::auth::Principal;
use crate::catalog::ids::{ModelId, ProjectId};
use crate::ops::OpsError;

/// Mounts every REST route.
pub fn configure(config: &mut ServiceConfig) {
    config
        .service(system::healthz)
        .service(system::readyz)
        .service(catalog::search_models)
        .service(catalog::get_catalog_model)
        .service(catalog::list_families)
        .service(catalog::compare_models)
        .service(
            utoipa_actix_web::scope("/agents/v1")
                .wrap(from_fn(require_agent_token))
                .service(agents::heartbeat)
                .service(agents::load)
                .service(agents::evict),
        )
        .service(
            utoipa_actix_web::scope("/v1/auth")
                .wrap(from_fn(require_api_key))
                .service(system::key_info),
        )
        .service(
            utoipa_actix_web::scope("/{project_id}/v1")
                .wrap(from_fn(require_api_key))
                .service(models::list_models)
                .service(models::register_model)
                .service(models::get_model)
                .service(models::edit_model)
                .service(models::delete_model)
                .service(models::share_model)
                .service(models::unshare_model)
                .service(lineage::get_lineage)
                .service(lineage::edit_lineage)
                .service(artifacts::upload_artifact)
                .service(artifacts::download_artifact)
                .service(artifacts::upload_config)
                .service(repos::put_blob)
                .service(repos::get_blob)
                .service(repos::commit)
                .service(repos::list_revisions)
                .service(repos::delete_revision)
                .service(repos::list_files)
                .service(repos::download_file)
                .service(repos::put_file)
                .service(repos::delete_file)
                .service(endpoints::list_endpoints)
                .service(endpoints::create_endpoint)
                .service(endpoints::delete_endpoint),
        );
}

/// Fills in what the routes cannot say about themselves: title, version, the Bearer scheme.
pub fn finish_document(mut api: OpenApi) -> OpenApi {
    api.info.title = "xeroctl".to_owned();
    api.info.version = env!("CARGO_PKG_VERSION").to_owned();
    api.info.contact = None;
    api.info.license = Some(utoipa::openapi::License::new("Apache-2.0"));
    api.info.description = Some(
        "Self-hosted model catalog: project models, sharing, and the public catalog.".to_owned(),
    );
    let components = api.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        "api_key",
        SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
    );
    components.add_security_scheme(
        "agent_token",
        SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
    );
    api
}

/// Parses the project segment and checks the caller may read it, before anything else about
/// the request is looked at. A malformed id gets the same refusal as another project's id, so
/// the answer says nothing about which projects exist.
pub fn authorize_project(principal: &Principal, raw: &str) -> Result<ProjectId, ApiError> {
    let shown: String = raw.chars().take(64).collect();
    let refusal =
        || OpsError::Forbidden(format!("this API key does not belong to project `{shown}`"));
    let project = ProjectId::parse(raw).ok_or_else(refusal)?;
    if !principal.can_read(&project) {
        return Err(refusal().into());
    }
    Ok(project)
}

/// Parses a model id: UUIDs only (SPEC §4).
pub fn parse_model_id(raw: &str) -> Result<ModelId, ApiError> {
    ModelId::parse(raw).ok_or_else(|| ApiError::model_id_not_uuid(raw))
}

/// The REST routes as (method, path pattern), read from the OpenAPI document the server builds.
pub fn route_table() -> Vec<(actix_web::http::Method, String)> {
    let document: serde_json::Value =
        serde_json::from_str(&openapi_doc::openapi_json()).unwrap_or_default();
    let mut routes = Vec::new();
    if let Some(paths) = document.get("paths").and_then(|p| p.as_object()) {
        for (path, item) in paths {
            for method in item.as_object().into_iter().flat_map(|o| o.keys()) {
                if let Ok(method) = method.to_uppercase().parse() {
                    routes.push((method, path.clone()));
                }
            }
        }
    }
    routes
}
