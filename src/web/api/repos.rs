//! Repository routes of the project API: blobs, revisions, files of any revision.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, delete, get, post, put, web};
use serde::Deserialize;
use utoipa::IntoParams;

use super::{authorize_project, parse_model_id};
use crate::auth::Principal;
use crate::catalog::repo::{RepoFile, parse_path};
use crate::ops::files::repos::{self as repo_ops, Commit};
use crate::ops::{self, Services};
use crate::web::error::{ApiError, ErrorCode};
use crate::web::transfer;
use crate::wire::ErrorBody;
use crate::wire::repos::{
    BlobView, CommitRequest, FileList, RepoFileView, RevisionList, RevisionView,
};

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct RevisionParam {
    /// `main` (default) or a 40-hex revision id.
    pub revision: Option<String>,
}

/// The answer naming a revision, its files and the Hub repo id.
fn file_list(
    revision: &crate::catalog::repo::Revision,
    files: &[RepoFile],
    repo_id: Option<String>,
) -> FileList {
    FileList {
        revision: Some(RevisionView::from(revision)),
        files: files.iter().map(RepoFileView::from).collect(),
        repo_id,
    }
}

/// Sends bytes as a blob of the project; the path names their sha256, which must match.
#[utoipa::path(
    tag = "repositories",
    params(("project_id" = String, Path), ("sha256" = String, Path, description = "sha256 of the bytes, 64 hex digits")),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 200, body = BlobView), (status = 400, body = ErrorBody), (status = 413, body = ErrorBody), (status = 507, body = ErrorBody)),
    security(("api_key" = []))
)]
#[put("/blobs/{sha256}")]
pub async fn put_blob(
    request: HttpRequest,
    principal: web::ReqData<Principal>,
    path: web::Path<(String, String)>,
    body: web::Payload,
    services: web::Data<Services>,
) -> Result<web::Json<BlobView>, ApiError> {
    let project = authorize_project(&principal, &path.0)?;
    ops::access::require_write(&principal, &project)?;
    crate::catalog::repo::parse_digest(&path.1).map_err(ops::OpsError::from)?;
    let quota = ops::files::upload::quota_left(&services, &project, None).await?;
    let received = transfer::receive(&request, &services, body, quota).await?;
    let blob =
        repo_ops::store_blob(&services, &principal, &project, Some(&path.1), received).await?;
    Ok(web::Json(BlobView {
        sha256: blob.sha256,
        size: blob.size,
    }))
}

/// Whether the project already has a blob (`HEAD` works too): a resumed upload skips it.
#[utoipa::path(
    tag = "repositories",
    params(("project_id" = String, Path), ("sha256" = String, Path)),
    responses((status = 200, body = BlobView), (status = 404, body = ErrorBody)),
    security(("api_key" = []))
)]
#[get("/blobs/{sha256}")]
pub async fn get_blob(
    principal: web::ReqData<Principal>,
    path: web::Path<(String, String)>,
    services: web::Data<Services>,
) -> Result<web::Json<BlobView>, ApiError> {
    let project = authorize_project(&principal, &path.0)?;
    match repo_ops::has_blob(&services, &principal, &project, &path.1).await? {
        Some(size) => Ok(web::Json(BlobView {
            sha256: path.1.to_ascii_lowercase(),
            size,
        })),
        None => Err(ApiError::new(
            ErrorCode::ArtifactNotFound,
            "the project has no blob with this sha256",
        )),
    }
}

/// Makes a new revision: files (blobs already sent) added or replaced, paths removed.
#[utoipa::path(
    tag = "repositories",
    params(("project_id" = String, Path), ("id" = String, Path, description = "The model's UUID")),
    request_body = CommitRequest,
    responses((status = 201, body = FileList), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("api_key" = []))
)]
#[post("/models/{id}/revisions")]
pub async fn commit(
    principal: web::ReqData<Principal>,
    path: web::Path<(String, String)>,
    body: web::Json<CommitRequest>,
    services: web::Data<Services>,
) -> Result<HttpResponse, ApiError> {
    let project = authorize_project(&principal, &path.0)?;
    let id = parse_model_id(&path.1)?;
    let body = body.into_inner();
    let change = Commit {
        message: body.message,
        files: body
            .files
            .into_iter()
            .map(|f| RepoFile {
                path: f.path,
                sha256: f.sha256,
                size: f.size,
            })
            .collect(),
        delete: body.delete,
        replace_all: body.replace_all,
        parent: None,
    };
    let (revision, files) = repo_ops::commit(&services, &principal, &project, id, change).await?;
    let repo_id = repo_ops::repo_id(&services, id).await?;
    Ok(HttpResponse::Created().json(file_list(&revision, &files, repo_id)))
}

/// The model's revisions, newest (`main`) first.
#[utoipa::path(
    tag = "repositories",
    params(("project_id" = String, Path), ("id" = String, Path, description = "The model's UUID")),
    responses((status = 200, body = RevisionList), (status = 404, body = ErrorBody)),
    security(("api_key" = []))
)]
#[get("/models/{id}/revisions")]
pub async fn list_revisions(
    principal: web::ReqData<Principal>,
    path: web::Path<(String, String)>,
    services: web::Data<Services>,
) -> Result<web::Json<RevisionList>, ApiError> {
    let project = authorize_project(&principal, &path.0)?;
    let id = parse_model_id(&path.1)?;
    let revisions = repo_ops::revisions(&services, &principal, &project, id).await?;
    Ok(web::Json(RevisionList {
        revisions: revisions.iter().map(RevisionView::from).collect(),
    }))
}

/// Deletes a revision (`main` or a 40-hex id); blobs no revision uses any more are freed.
#[utoipa::path(
    tag = "repositories",
    params(("project_id" = String, Path), ("id" = String, Path, description = "The model's UUID"), ("revision" = String, Path, description = "`main` or a 40-hex revision id")),
    responses((status = 204), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("api_key" = []))
)]
#[delete("/models/{id}/revisions/{revision}")]
pub async fn delete_revision(
    principal: web::ReqData<Principal>,
    path: web::Path<(String, String, String)>,
    services: web::Data<Services>,
) -> Result<HttpResponse, ApiError> {
    let project = authorize_project(&principal, &path.0)?;
    let id = parse_model_id(&path.1)?;
    repo_ops::delete_revision(&services, &principal, &project, id, path.2.clone()).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The files of a revision (`main` by default).
#[utoipa::path(
    tag = "repositories",
    params(("project_id" = String, Path), ("id" = String, Path, description = "The model's UUID"), RevisionParam),
    responses((status = 200, body = FileList), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("api_key" = []))
)]
#[get("/models/{id}/files")]
pub async fn list_files(
    principal: web::ReqData<Principal>,
    path: web::Path<(String, String)>,
    query: web::Query<RevisionParam>,
    services: web::Data<Services>,
) -> Result<web::Json<FileList>, ApiError> {
    let project = authorize_project(&principal, &path.0)?;
    let id = parse_model_id(&path.1)?;
    let found = repo_ops::files(
        &services,
        &principal,
        &project,
        id,
        query.into_inner().revision,
    )
    .await?;
    let repo_id = repo_ops::repo_id(&services, id).await?;
    Ok(web::Json(match found {
        Some((revision, files)) => file_list(&revision, &files, repo_id),
        None => FileList {
            revision: None,
            files: Vec::new(),
            repo_id,
        },
    }))
}

/// Downloads one file of a revision (an attachment; `Range` as for the model file).
#[utoipa::path(
    tag = "repositories",
    params(("project_id" = String, Path), ("id" = String, Path, description = "The model's UUID"), ("path" = String, Path, description = "The file's path in the repository"), RevisionParam),
    responses((status = 200), (status = 206), (status = 404, body = ErrorBody), (status = 416, body = ErrorBody)),
    security(("api_key" = []))
)]
#[get("/models/{id}/files/{path:.*}")]
pub async fn download_file(
    request: HttpRequest,
    principal: web::ReqData<Principal>,
    path: web::Path<(String, String, String)>,
    query: web::Query<RevisionParam>,
    services: web::Data<Services>,
) -> Result<HttpResponse, ApiError> {
    let project = authorize_project(&principal, &path.0)?;
    let id = parse_model_id(&path.1)?;
    let wanted = parse_path(&path.2).map_err(ops::OpsError::from)?;
    let found = repo_ops::files(
        &services,
        &principal,
        &project,
        id,
        query.into_inner().revision,
    )
    .await?;
    let file = found
        .and_then(|(_, files)| files.into_iter().find(|f| f.path == wanted))
        .ok_or_else(|| {
            ApiError::new(
                ErrorCode::ArtifactNotFound,
                format!("no file `{wanted}` in this revision"),
            )
        })?;
    let file_name = wanted.rsplit('/').next().unwrap_or("file").to_owned();
    transfer::serve_file(
        &request,
        &repo_ops::blob_file(&services, &file.sha256),
        file.size,
        &file.sha256,
        |response| {
            response.insert_header((
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"{}\"",
                    crate::catalog::repo::file_name_for(&file_name, None).trim_end_matches(".bin")
                ),
            ));
        },
    )
}

/// Adds or replaces one file (the raw body), making a new revision.
#[utoipa::path(
    tag = "repositories",
    params(("project_id" = String, Path), ("id" = String, Path, description = "The model's UUID"), ("path" = String, Path)),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 201, body = FileList), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 413, body = ErrorBody)),
    security(("api_key" = []))
)]
#[put("/models/{id}/files/{path:.*}")]
pub async fn put_file(
    request: HttpRequest,
    principal: web::ReqData<Principal>,
    path: web::Path<(String, String, String)>,
    body: web::Payload,
    services: web::Data<Services>,
) -> Result<HttpResponse, ApiError> {
    let project = authorize_project(&principal, &path.0)?;
    let id = parse_model_id(&path.1)?;
    ops::access::require_write(&principal, &project)?;
    let file_path = parse_path(&path.2).map_err(ops::OpsError::from)?;
    ops::models::get_model(&services, &principal, &project, id).await?;
    let quota = ops::files::upload::quota_left(&services, &project, None).await?;
    let received = transfer::receive(&request, &services, body, quota).await?;
    let blob = repo_ops::store_blob(&services, &principal, &project, None, received).await?;
    let change = Commit {
        message: format!("upload {file_path}"),
        files: vec![RepoFile {
            path: file_path,
            sha256: blob.sha256,
            size: blob.size,
        }],
        ..Commit::default()
    };
    let (revision, files) = repo_ops::commit(&services, &principal, &project, id, change).await?;
    let repo_id = repo_ops::repo_id(&services, id).await?;
    Ok(HttpResponse::Created().json(file_list(&revision, &files, repo_id)))
}

/// Removes one file, making a new revision (older revisions keep it).
#[utoipa::path(
    tag = "repositories",
    params(("project_id" = String, Path), ("id" = String, Path, description = "The model's UUID"), ("path" = String, Path)),
    responses((status = 200, body = FileList), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("api_key" = []))
)]
#[delete("/models/{id}/files/{path:.*}")]
pub async fn delete_file(
    principal: web::ReqData<Principal>,
    path: web::Path<(String, String, String)>,
    services: web::Data<Services>,
) -> Result<web::Json<FileList>, ApiError> {
    let project = authorize_project(&principal, &path.0)?;
    let id = parse_model_id(&path.1)?;
    let change = Commit {
        message: format!("delete {}", path.2.chars().take(200).collect::<String>()),
        delete: vec![path.2.clone()],
        ..Commit::default()
    };
    let (revision, files) = repo_ops::commit(&services, &principal, &project, id, change).await?;
    let repo_id = repo_ops::repo_id(&services, id).await?;
    Ok(web::Json(file_list(&revision, &files, repo_id)))
}
