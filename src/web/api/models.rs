//! `/{project_id}/v1/models…`: a project's own models, and share / unshare.

use actix_web::{HttpResponse, delete, get, patch, post, web};
use serde::Deserialize;
use utoipa::IntoParams;

use super::{authorize_project, parse_model_id};
use crate::auth::Principal;
use crate::catalog::model::{ModelPatch, NewModel};
use crate::ops::models::share::{Visibility, set_visibility};
use crate::ops::{self, Services};
use crate::web::error::{ApiError, ErrorCode};
use crate::wire::{
    EditModelRequest, ErrorBody, ModelList, ModelView, RegisterModelRequest, ShareResponse,
};

/// Paging of `GET /models`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ListParams {
    /// 1-based page number.
    pub page: Option<u32>,
    /// Models per page (1–200, default 50).
    pub per_page: Option<u32>,
}

/// Lists the project's own models, shared or not, newest first.
#[utoipa::path(
    tag = "models",
    params(("project_id" = String, Path, description = "Project id, `proj_…`"), ListParams),
    responses((status = 200, body = ModelList), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("api_key" = []))
)]
#[get("/models")]
pub async fn list_models(
    principal: web::ReqData<Principal>,
    path: web::Path<String>,
    params: web::Query<ListParams>,
    services: web::Data<Services>,
) -> Result<web::Json<ModelList>, ApiError> {
    let project = authorize_project(&principal, &path)?;
    let page = params.page.unwrap_or(1).max(1);
    let per_page = params
        .per_page
        .unwrap_or(50)
        .clamp(1, ops::models::MAX_PAGE_SIZE);
    let (models, total) =
        ops::models::list_models(&services, &principal, &project, page, per_page).await?;
    let placements =
        ops::models::placement::placements(&services, models.iter().map(|m| m.id).collect())
            .await?;
    let models = models
        .iter()
        .zip(placements)
        .map(|(model, placement)| {
            ModelView::new(model, placement.role()).with_badges(placement.badge_facts())
        })
        .collect();
    Ok(web::Json(ModelList {
        models,
        total,
        page,
        per_page,
    }))
}

/// Registers a model under the project. It starts unshared.
#[utoipa::path(
    tag = "models",
    params(("project_id" = String, Path, description = "Project id, `proj_…`")),
    request_body = RegisterModelRequest,
    responses((status = 201, body = ModelView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 413, body = ErrorBody)),
    security(("api_key" = []))
)]
#[post("/models")]
pub async fn register_model(
    principal: web::ReqData<Principal>,
    path: web::Path<String>,
    body: web::Json<RegisterModelRequest>,
    services: web::Data<Services>,
) -> Result<HttpResponse, ApiError> {
    let project = authorize_project(&principal, &path)?;
    let body = body.into_inner();
    let lineage = body.lineage();
    let new = NewModel::parse(body.into()).map_err(ops::OpsError::from)?;
    let model =
        ops::models::register_model_with(&services, &principal, &project, new, lineage).await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/{project}/v1/models/{}", model.id)))
        .json(ModelView::new(&model, None)))
}

/// Reads one of the project's models.
#[utoipa::path(
    tag = "models",
    params(("project_id" = String, Path), ("id" = String, Path, description = "The model's UUID")),
    responses((status = 200, body = ModelView), (status = 404, body = ErrorBody)),
    security(("api_key" = []))
)]
#[get("/models/{id}")]
pub async fn get_model(
    principal: web::ReqData<Principal>,
    path: web::Path<(String, String)>,
    services: web::Data<Services>,
) -> Result<web::Json<ModelView>, ApiError> {
    let project = authorize_project(&principal, &path.0)?;
    let id = parse_model_id(&path.1)?;
    let model = ops::models::get_model(&services, &principal, &project, id).await?;
    let placement = ops::models::placement::placements(&services, vec![model.id])
        .await?
        .pop()
        .unwrap_or_default();
    let file = ops::files::artifacts::file_metadata(&services, model.id).await?;
    Ok(web::Json(
        ModelView::new(&model, placement.role())
            .with_badges(placement.badge_facts())
            .with_file(&model, file.as_ref()),
    ))
}

/// Edits metadata: absent fields stay, `null` clears, a value sets.
#[utoipa::path(
    tag = "models",
    params(("project_id" = String, Path), ("id" = String, Path, description = "The model's UUID")),
    request_body = EditModelRequest,
    responses((status = 200, body = ModelView), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("api_key" = []))
)]
#[patch("/models/{id}")]
pub async fn edit_model(
    principal: web::ReqData<Principal>,
    path: web::Path<(String, String)>,
    body: web::Json<EditModelRequest>,
    services: web::Data<Services>,
) -> Result<web::Json<ModelView>, ApiError> {
    let project = authorize_project(&principal, &path.0)?;
    let id = parse_model_id(&path.1)?;
    let input = body
        .into_inner()
        .into_input()
        .map_err(|message| ApiError::new(ErrorCode::InvalidRequest, message))?;
    let patch = ModelPatch::parse(input).map_err(ops::OpsError::from)?;
    let model = ops::models::edit_model(&services, &principal, &project, id, patch).await?;
    let role = ops::models::placement::role_of(&services, model.id).await?;
    Ok(web::Json(ModelView::new(&model, role)))
}

/// Deletes a model; if it was shared it leaves the catalog.
#[utoipa::path(
    tag = "models",
    params(("project_id" = String, Path), ("id" = String, Path, description = "The model's UUID")),
    responses((status = 204), (status = 404, body = ErrorBody)),
    security(("api_key" = []))
)]
#[delete("/models/{id}")]
pub async fn delete_model(
    principal: web::ReqData<Principal>,
    path: web::Path<(String, String)>,
    services: web::Data<Services>,
) -> Result<HttpResponse, ApiError> {
    let project = authorize_project(&principal, &path.0)?;
    let id = parse_model_id(&path.1)?;
    ops::models::delete_model(&services, &principal, &project, id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Shares the model to the public catalog. Sharing a shared model is a 200 that changes nothing.
#[utoipa::path(
    tag = "models",
    params(("project_id" = String, Path), ("id" = String, Path, description = "The model's UUID")),
    responses((status = 200, body = ShareResponse), (status = 404, body = ErrorBody)),
    security(("api_key" = []))
)]
#[post("/models/{id}/share")]
pub async fn share_model(
    principal: web::ReqData<Principal>,
    path: web::Path<(String, String)>,
    services: web::Data<Services>,
) -> Result<web::Json<ShareResponse>, ApiError> {
    toggle(principal, path, services, Visibility::Shared).await
}

/// Removes the model from the catalog; existing deployments are untouched.
#[utoipa::path(
    tag = "models",
    params(("project_id" = String, Path), ("id" = String, Path, description = "The model's UUID")),
    responses((status = 200, body = ShareResponse), (status = 404, body = ErrorBody)),
    security(("api_key" = []))
)]
#[post("/models/{id}/unshare")]
pub async fn unshare_model(
    principal: web::ReqData<Principal>,
    path: web::Path<(String, String)>,
    services: web::Data<Services>,
) -> Result<web::Json<ShareResponse>, ApiError> {
    toggle(principal, path, services, Visibility::Unshared).await
}

async fn toggle(
    principal: web::ReqData<Principal>,
    path: web::Path<(String, String)>,
    services: web::Data<Services>,
    visibility: Visibility,
) -> Result<web::Json<ShareResponse>, ApiError> {
    let project = authorize_project(&principal, &path.0)?;
    let id = parse_model_id(&path.1)?;
    let outcome = set_visibility(&services, &principal, &project, id, visibility).await?;
    Ok(web::Json(ShareResponse {
        id: outcome.model.id.to_string(),
        shared: outcome.model.shared,
        message: outcome.message().to_owned(),
        catalog_role: outcome.role.map(|r| r.as_str().to_owned()),
    }))
}
