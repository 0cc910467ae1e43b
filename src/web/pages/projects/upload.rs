//! `POST /projects/{id}/models/{model}/upload`: the multipart form on a model's edit page.
//! The `csrf` field must come first; the file field streams into the same upload path as the
//! REST `PUT …/artifact` (bounded memory, size limit, idle timeout, nothing left on failure).

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use futures_util::StreamExt;
use maud::{Markup, html};

use crate::catalog::ids::{ModelId, ProjectId};
use crate::catalog::model::Model;
use crate::ops::access::session::Session;
use crate::ops::files::artifacts::store_upload;
use crate::ops::files::upload::Upload;
use crate::ops::{self, OpsError, Services};
use crate::web::pages::access::{member, not_found};
use crate::web::pages::account::login::forbidden;
use crate::web::pages::page_error::PageError;
use crate::web::session::form_allowed;

const MAX_CSRF_FIELD: usize = 256;

pub async fn upload_form(
    request: HttpRequest,
    path: web::Path<(String, String)>,
    mut form: Multipart,
    services: web::Data<Services>,
) -> HttpResponse {
    let (raw_project, raw_model) = path.into_inner();
    let (session, project) = match member(&request, &raw_project).await {
        Ok(found) => found,
        Err(answer) => return answer,
    };
    let Some(id) = ModelId::parse(&raw_model) else {
        return not_found(Some(&session));
    };
    let principal = session.principal();
    if ops::models::get_model(&services, &principal, &project, id)
        .await
        .is_err()
    {
        return not_found(Some(&session));
    }
    let mut csrf_ok = false;
    let idle = services.uploads.idle;
    let outcome: Result<(), OpsError> = async {
        loop {
            let field = match tokio::time::timeout(idle, form.next()).await {
                Err(_) => {
                    return Err(OpsError::UploadStalled {
                        seconds: idle.as_secs(),
                    });
                }
                Ok(None) => return Err(OpsError::InvalidInput("choose a file to upload".into())),
                Ok(Some(Err(e))) => {
                    return Err(OpsError::InvalidInput(format!(
                        "the form could not be read: {e}"
                    )));
                }
                Ok(Some(Ok(field))) => field,
            };
            let mut field = field;
            match field.name() {
                Some("csrf") => {
                    let mut value = Vec::new();
                    while let Some(chunk) = field.next().await {
                        let chunk = chunk.map_err(|e| OpsError::InvalidInput(e.to_string()))?;
                        value.extend_from_slice(&chunk);
                        if value.len() > MAX_CSRF_FIELD {
                            return Err(OpsError::Forbidden("bad form token".into()));
                        }
                    }
                    csrf_ok = form_allowed(&request, &session, &String::from_utf8_lossy(&value));
                    if !csrf_ok {
                        return Err(OpsError::Forbidden("bad form token".into()));
                    }
                }
                Some("file") if csrf_ok => {
                    let quota =
                        ops::files::upload::quota_left(&services, &project, Some(id)).await?;
                    let mut upload = Upload::start(&services, None, quota)?;
                    loop {
                        match tokio::time::timeout(idle, field.next()).await {
                            Err(_) => {
                                return Err(OpsError::UploadStalled {
                                    seconds: idle.as_secs(),
                                });
                            }
                            Ok(None) => break,
                            Ok(Some(Err(e))) => {
                                return Err(OpsError::InvalidInput(format!(
                                    "the upload was interrupted: {e}"
                                )));
                            }
                            Ok(Some(Ok(chunk))) => upload.push(&chunk).await?,
                        }
                    }
                    let received = upload.finish().await?;
                    if received.size == 0 {
                        return Err(OpsError::InvalidInput("the chosen file is empty".into()));
                    }
                    store_upload(&services, &principal, &project, id, received, None).await?;
                    return Ok(());
                }
                _ => return Err(OpsError::Forbidden("bad form token".into())),
            }
        }
    }
    .await;
    match outcome {
        Ok(()) => HttpResponse::SeeOther()
            .insert_header(("Location", format!("/projects/{project}/models/{id}/edit")))
            .finish(),
        Err(OpsError::Forbidden(_)) => forbidden(),
        Err(error) => {
            let error = crate::web::error::ApiError::from(error);
            let status = error.code.status();
            let message = if status == StatusCode::BAD_REQUEST {
                error.message
            } else {
                status_message(status).to_owned()
            };
            PageError::for_status(status, message)
                .titled("The file was not stored")
                .with_link(
                    format!("/projects/{project}/models/{id}/edit"),
                    "Back to the model",
                )
                .seen_by(Some(&session))
                .render()
        }
    }
}

/// The upload form of one model (on its edit page). The token comes before the file, so the
/// server checks it before reading any file bytes.
pub fn file_form(session: &Session, project: &ProjectId, model: &Model) -> Markup {
    let has_file = model.artifact.is_some();
    html! {
        form.upload method="post" action=(format!("/projects/{project}/models/{}/upload", model.id)) enctype="multipart/form-data" {
            input type="hidden" name="csrf" value=(session.csrf_token);
            label for="file" { (if has_file { "Replace the model file" } else { "Model file" }) " (GGUF or safetensors; its metadata fills the fields it states)" }
            input id="file" type="file" name="file" required;
            button type="submit" { "Upload file" }
        }
    }
}

fn status_message(status: StatusCode) -> &'static str {
    match status {
        StatusCode::PAYLOAD_TOO_LARGE => "The file is larger than this server accepts.",
        StatusCode::REQUEST_TIMEOUT => "The upload stalled and was stopped. Try again.",
        StatusCode::INSUFFICIENT_STORAGE => "The server's disk is full.",
        _ => "Something went wrong. Try again in a moment.",
    }
}
