//! `/{project_id}/v1/endpoints`: deploy catalog models into the project and manage endpoints.

use actix_web::{HttpResponse, delete, get, post, web};

use super::{authorize_project, parse_model_id};
use crate::auth::Principal;
use crate::catalog::infra::{EndpointId, Tier};
use crate::ops::infra::endpoints::EndpointRecord;
use crate::ops::{self, Services};
use crate::web::error::{ApiError, ErrorCode};
use crate::wire::ErrorBody;
use crate::wire::infra::{DeployRequest, EndpointList, EndpointView};

/// The project's endpoints, newest first, with their current status.
#[utoipa::path(
    tag = "endpoints",
    params(("project_id" = String, Path, description = "Project id, `proj_…`")),
    responses((status = 200, body = EndpointList), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("api_key" = []))
)]
#[get("/endpoints")]
pub async fn list_endpoints(
    principal: web::ReqData<Principal>,
    path: web::Path<String>,
    services: web::Data<Services>,
) -> Result<web::Json<EndpointList>, ApiError> {
    let project = authorize_project(&principal, &path)?;
    let endpoints = ops::infra::endpoints::list_endpoints(&services, &principal, &project).await?;
    Ok(web::Json(EndpointList {
        endpoints: endpoints.iter().map(EndpointView::from).collect(),
    }))
}

/// Deploys a catalog model. Tier `shared` needs the model on shared infrastructure, tier `xim`
/// an active XIM node in the project; otherwise a 409 that says which.
#[utoipa::path(
    tag = "endpoints",
    params(("project_id" = String, Path, description = "Project id, `proj_…`")),
    request_body = DeployRequest,
    responses((status = 201, body = EndpointView), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("api_key" = []))
)]
#[post("/endpoints")]
pub async fn create_endpoint(
    principal: web::ReqData<Principal>,
    path: web::Path<String>,
    body: web::Json<DeployRequest>,
    services: web::Data<Services>,
) -> Result<HttpResponse, ApiError> {
    let project = authorize_project(&principal, &path)?;
    let body = body.into_inner();
    let model = parse_model_id(&body.model_id)?;
    let tier = parse_tier(body.tier.as_deref())?;
    let endpoint =
        ops::infra::endpoints::deploy(&services, &principal, &project, model, tier).await?;
    Ok(HttpResponse::Created()
        .insert_header((
            "Location",
            format!("/{project}/v1/endpoints/{}", endpoint.id),
        ))
        .json(EndpointView::from(&endpoint)))
}

/// `shared`, `xim` or absent.
pub fn parse_tier(raw: Option<&str>) -> Result<Option<Tier>, ApiError> {
    raw.map(|raw| {
        Tier::parse(raw).ok_or_else(|| {
            ApiError::new(
                ErrorCode::InvalidRequest,
                format!(
                    "tier `{}` is not one of `shared`, `xim`",
                    raw.chars().take(32).collect::<String>()
                ),
            )
        })
    })
    .transpose()
}

/// Deletes one of the project's endpoints.
#[utoipa::path(
    tag = "endpoints",
    params(("project_id" = String, Path), ("id" = String, Path, description = "The endpoint's UUID")),
    responses((status = 204), (status = 404, body = ErrorBody)),
    security(("api_key" = []))
)]
#[delete("/endpoints/{id}")]
pub async fn delete_endpoint(
    principal: web::ReqData<Principal>,
    path: web::Path<(String, String)>,
    services: web::Data<Services>,
) -> Result<HttpResponse, ApiError> {
    let project = authorize_project(&principal, &path.0)?;
    let id = EndpointId::parse(&path.1).ok_or_else(|| {
        ApiError::new(
            ErrorCode::EndpointNotFound,
            "endpoint not found: endpoint ids are UUIDs",
        )
    })?;
    ops::infra::endpoints::delete_endpoint(&services, &principal, &project, id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The wire view of a stored endpoint (here, so `wire` knows nothing of storage).
impl From<&EndpointRecord> for EndpointView {
    fn from(e: &EndpointRecord) -> Self {
        Self {
            id: e.id.to_string(),
            project_id: e.project_id.to_string(),
            model_id: e.model_id.to_string(),
            model_name: e.model_name.clone(),
            tier: e.tier.as_str().to_owned(),
            status: e.status.as_str().to_owned(),
            node_id: e.node_id.as_ref().map(|n| n.to_string()),
            created_at: e.created_at.clone(),
        }
    }
}
