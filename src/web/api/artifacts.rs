//! `PUT`/`GET /{project_id}/v1/models/{id}/artifact` (raw body, streamed; downloads with
//! Range) and `PUT …/config` (a Hugging Face `config.json`).

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, put, web};
use futures_util::StreamExt;
use serde::Deserialize;
use utoipa::IntoParams;

use super::{authorize_project, parse_model_id};
use crate::auth::Principal;
use crate::ops::files::artifacts::{artifact_file, store_upload};
use crate::ops::{self, Services};
use crate::web::error::{ApiError, ErrorCode};
use crate::web::transfer;
use crate::wire::ErrorBody;
use crate::wire::files::UploadResponse;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct UploadParams {
    /// `gguf` or `safetensors`: the file must then parse as that format. Without it the format
    /// is recognised from the bytes, else the model's declared format applies.
    pub format: Option<String>,
}

/// Uploads the model's file as the raw request body. GGUF and safetensors headers fill the
/// model's empty metadata fields; the answer shows what the file says beside what was declared.
#[utoipa::path(
    tag = "models",
    params(("project_id" = String, Path), ("id" = String, Path, description = "The model's UUID"), UploadParams),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 200, body = UploadResponse), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 408, body = ErrorBody), (status = 413, body = ErrorBody), (status = 507, body = ErrorBody)),
    security(("api_key" = []))
)]
#[put("/models/{id}/artifact")]
pub async fn upload_artifact(
    request: HttpRequest,
    principal: web::ReqData<Principal>,
    path: web::Path<(String, String)>,
    params: web::Query<UploadParams>,
    body: web::Payload,
    services: web::Data<Services>,
) -> Result<web::Json<UploadResponse>, ApiError> {
    let project = authorize_project(&principal, &path.0)?;
    let id = parse_model_id(&path.1)?;
    ops::access::require_write(&principal, &project)?;
    // Refuse before reading a byte: unknown model, or a declared length over the limit.
    let model = ops::models::get_model(&services, &principal, &project, id).await?;
    let quota = ops::files::upload::quota_left(&services, &project, Some(id)).await?;
    let received = transfer::receive(&request, &services, body, quota).await?;
    let format = params
        .into_inner()
        .format
        .or_else(|| model.details.format.clone());
    let stored = store_upload(&services, &principal, &project, id, received, format).await?;
    let role = ops::models::placement::role_of(&services, id).await?;
    Ok(web::Json(UploadResponse::new(
        &stored.model,
        &stored.metadata,
        &stored.filled,
        &stored.notices,
        role,
    )))
}

/// Reads a Hugging Face `config.json` (the body, at most 1 MiB): its architecture, context
/// length and expert count fill the model's empty fields.
#[utoipa::path(
    tag = "models",
    params(("project_id" = String, Path), ("id" = String, Path, description = "The model's UUID")),
    request_body(content = Object, content_type = "application/json"),
    responses((status = 200, body = UploadResponse), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 413, body = ErrorBody)),
    security(("api_key" = []))
)]
#[put("/models/{id}/config")]
pub async fn upload_config(
    principal: web::ReqData<Principal>,
    path: web::Path<(String, String)>,
    mut body: web::Payload,
    services: web::Data<Services>,
) -> Result<web::Json<UploadResponse>, ApiError> {
    let project = authorize_project(&principal, &path.0)?;
    let id = parse_model_id(&path.1)?;
    ops::access::require_write(&principal, &project)?;
    let limit = ops::files::artifacts::MAX_CONFIG_BYTES;
    let mut bytes = Vec::new();
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(|e| {
            ApiError::new(
                ErrorCode::InvalidRequest,
                format!("cannot read the body: {e}"),
            )
        })?;
        if bytes.len() + chunk.len() > limit {
            return Err(ApiError::new(
                ErrorCode::PayloadTooLarge,
                format!("config.json is larger than {limit} bytes"),
            ));
        }
        bytes.extend_from_slice(&chunk);
    }
    let stored =
        ops::files::artifacts::apply_config(&services, &principal, &project, id, bytes).await?;
    let role = ops::models::placement::role_of(&services, id).await?;
    Ok(web::Json(UploadResponse::new(
        &stored.model,
        &stored.metadata,
        &stored.filled,
        &stored.notices,
        role,
    )))
}

/// Downloads the model's file. Always an attachment of type `application/octet-stream`, so it
/// can never render as a page; `Range: bytes=…` gets a 206.
#[utoipa::path(
    tag = "models",
    params(("project_id" = String, Path), ("id" = String, Path, description = "The model's UUID")),
    responses((status = 200), (status = 206), (status = 404, body = ErrorBody), (status = 416, body = ErrorBody)),
    security(("api_key" = []))
)]
#[get("/models/{id}/artifact")]
pub async fn download_artifact(
    request: HttpRequest,
    principal: web::ReqData<Principal>,
    path: web::Path<(String, String)>,
    services: web::Data<Services>,
) -> Result<HttpResponse, ApiError> {
    let project = authorize_project(&principal, &path.0)?;
    let id = parse_model_id(&path.1)?;
    let stored = artifact_file(&services, &principal, &project, id).await?;
    let filename = crate::catalog::repo::file_name_for(
        &stored.model.details.name,
        stored.model.details.format.as_deref(),
    );
    transfer::serve_file(
        &request,
        &stored.path,
        stored.size,
        &stored.sha256,
        |response| {
            response.insert_header((
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ));
        },
    )
}
