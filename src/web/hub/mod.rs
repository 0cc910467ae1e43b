//! The Hugging Face Hub protocol (SPEC §10), so `HF_ENDPOINT=http://our-server` works for
//! `huggingface_hub`, `transformers`, vLLM and llama.cpp unchanged: `model_info`, `tree`,
//! `resolve` (HEAD and GET, with the headers the client reads), `refs`, model search and
//! `whoami-v2`. Repo ids are `{project-slug}/{model-slug}`.
//!
//! Errors follow the Hub, not our envelope: `{"error": "…"}` with `X-Error-Code`
//! (`RepoNotFound`, `RevisionNotFound`, `EntryNotFound`) and `X-Error-Message`, because the
//! client formats `error` as a string. No Xet header is ever sent (it would switch the client
//! to another protocol).

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::auth::Principal;
use crate::catalog::ids::ProjectId;
use crate::catalog::query::CatalogQuery;
use crate::catalog::repo::{RepoFile, Revision, parse_path};
use crate::ops::catalog::hub::HubRepo;
use crate::ops::files::repos as repo_ops;
use crate::ops::{self, Services};
use crate::web::auth_middleware::bearer_token;
use crate::web::transfer;

mod files;
mod info;
mod lfs;
mod publish;
mod refs;
mod search;

/// Tree entries per page, with a `Link` header beyond: llama.cpp reads one page and follows no
/// `Link`, so repositories of up to 10 000 files come back whole.
const TREE_PAGE: usize = 10_000;

/// Mounts the Hub routes.
pub fn configure(config: &mut web::ServiceConfig) {
    config
        .route("/api/whoami-v2", web::get().to(search::whoami))
        .route("/api/models", web::get().to(search::search))
        .route("/api/models/{org}/{name}", web::get().to(info::model_info))
        .route(
            "/api/models/{org}/{name}/revision/{rev:.*}",
            web::get().to(info::model_info_at),
        )
        .route("/api/models/{org}/{name}/refs", web::get().to(info::refs))
        .route(
            "/api/models/{org}/{name}/tree/{rev}",
            web::get().to(info::tree_root),
        )
        .route(
            "/api/models/{org}/{name}/tree/{rev}/{path:.*}",
            web::get().to(info::tree_path),
        )
        .route(
            "/{org}/{name}/resolve/{rev}/{path:.*}",
            web::get().to(files::resolve),
        )
        .route("/api/repos/create", web::post().to(publish::create_repo))
        .route("/api/repos/delete", web::delete().to(publish::delete_repo))
        .route(
            "/api/models/{org}/{name}/settings",
            web::put().to(publish::settings),
        )
        .route("/api/validate-yaml", web::post().to(publish::validate_yaml))
        .route(
            "/api/models/{org}/{name}/preupload/{rev}",
            web::post().to(publish::preupload),
        )
        .route(
            "/{org}/{name}.git/info/lfs/objects/batch",
            web::post().to(lfs::lfs_batch),
        )
        .route("/api/lfs-upload/{token}", web::put().to(lfs::lfs_upload))
        .route("/api/lfs-upload/{token}", web::post().to(lfs::lfs_complete))
        .route(
            "/api/lfs-upload/{token}/part/{number}",
            web::put().to(lfs::lfs_part),
        )
        .route(
            "/api/models/{org}/{name}/commit/{rev}",
            web::post().to(publish::commit),
        )
        .route(
            "/api/models/{org}/{name}/paths-info/{rev}",
            web::post().to(info::paths_info),
        )
        .route("/api/lfs-verify/{token}", web::post().to(lfs::lfs_verify))
        .route(
            "/api/models/{org}/{name}/branch/{ref:.*}",
            web::post().to(refs::create_branch),
        )
        .route(
            "/api/models/{org}/{name}/branch/{ref:.*}",
            web::delete().to(refs::delete_branch),
        )
        .route(
            "/api/models/{org}/{name}/tag/{ref:.*}",
            web::post().to(refs::create_tag),
        )
        .route(
            "/api/models/{org}/{name}/tag/{ref:.*}",
            web::delete().to(refs::delete_tag),
        );
}

/// The Hub routes as (method, pattern), for 405 answers and the authorisation matrix.
pub fn route_table() -> Vec<(actix_web::http::Method, &'static str)> {
    use actix_web::http::Method;
    [
        "/api/whoami-v2",
        "/api/models",
        "/api/models/{org}/{name}",
        "/api/models/{org}/{name}/revision/{rev:.*}",
        "/api/models/{org}/{name}/refs",
        "/api/models/{org}/{name}/tree/{rev}",
        "/api/models/{org}/{name}/tree/{rev}/{path:.*}",
        "/{org}/{name}/resolve/{rev}/{path:.*}",
    ]
    .into_iter()
    .map(|p| (Method::GET, p))
    .chain([
        (Method::POST, "/api/repos/create"),
        (Method::DELETE, "/api/repos/delete"),
        (Method::PUT, "/api/models/{org}/{name}/settings"),
        (Method::POST, "/api/validate-yaml"),
        (Method::POST, "/api/models/{org}/{name}/preupload/{rev}"),
        (Method::POST, "/{org}/{name}.git/info/lfs/objects/batch"),
        (Method::PUT, "/api/lfs-upload/{token}"),
        (Method::POST, "/api/lfs-upload/{token}"),
        (Method::PUT, "/api/lfs-upload/{token}/part/{number}"),
        (Method::POST, "/api/models/{org}/{name}/commit/{rev}"),
        (Method::POST, "/api/models/{org}/{name}/paths-info/{rev}"),
        (Method::POST, "/api/lfs-verify/{token}"),
        (Method::POST, "/api/models/{org}/{name}/branch/{ref:.*}"),
        (Method::DELETE, "/api/models/{org}/{name}/branch/{ref:.*}"),
        (Method::POST, "/api/models/{org}/{name}/tag/{ref:.*}"),
        (Method::DELETE, "/api/models/{org}/{name}/tag/{ref:.*}"),
    ])
    .collect()
}

/// Paths in the Hub's protocol: `/api/…`, repo files, LFS, and the dataset and space forms.
pub fn is_hub_path(path: &str) -> bool {
    let mut segments = path.trim_start_matches('/').split('/');
    let first = segments.next().unwrap_or_default();
    let third = segments.nth(1).unwrap_or_default();
    first == "api"
        || third == "resolve"
        || is_dataset_or_space(path)
        || path.contains(".git/info/lfs/")
}

/// `/datasets/…`, `/spaces/…`, `/api/datasets/…`, `/api/spaces/…`.
pub fn is_dataset_or_space(path: &str) -> bool {
    let path = path.trim_start_matches('/');
    let path = path.strip_prefix("api/").unwrap_or(path);
    path.starts_with("datasets/") || path.starts_with("spaces/")
}

/// An error in the Hub's shape, for answers outside a Hub handler (unrouted paths, 405).
pub fn error_response(
    status: StatusCode,
    code: &'static str,
    message: &str,
    headers: &[(header::HeaderName, String)],
) -> HttpResponse {
    let mut error = HubError::new(status, code, message);
    error.headers = headers.to_vec();
    error.response()
}

struct HubError {
    status: StatusCode,
    code: &'static str,
    message: String,
    commit: Option<String>,
    /// Send `Retry-After` (a 503 while the index is not ready).
    retry_after: bool,
    /// Headers the status calls for (`Content-Range` on a 416, `Allow` on a 405).
    headers: Vec<(header::HeaderName, String)>,
}

impl HubError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            commit: None,
            retry_after: false,
            headers: Vec::new(),
        }
    }

    fn repo_not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "RepoNotFound",
            "Repository not found: check the repo id, or give a key of its project for an unshared model",
        )
    }

    fn response(self) -> HttpResponse {
        let mut response = HttpResponse::build(self.status);
        response.insert_header(("X-Error-Code", self.code));
        let header_message: String = self
            .message
            .chars()
            .filter(|c| c.is_ascii() && !c.is_ascii_control())
            .take(300)
            .collect();
        response.insert_header(("X-Error-Message", header_message));
        if let Some(commit) = self.commit {
            response.insert_header(("X-Repo-Commit", commit));
        }
        if self.retry_after {
            response.insert_header((header::RETRY_AFTER, crate::web::error::INDEX_RETRY_AFTER));
        }
        for (name, value) in self.headers {
            response.insert_header((name, value));
        }
        response.json(json!({ "error": self.message }))
    }
}

impl From<ops::OpsError> for HubError {
    fn from(error: ops::OpsError) -> Self {
        match error {
            ops::OpsError::Unauthenticated(e) => {
                Self::new(StatusCode::UNAUTHORIZED, "Unauthorized", e.to_string())
            }
            // Model search while the index is being built at start-up: the client retries
            // 503 answers (huggingface_hub's `http_backoff`), `Retry-After` says when.
            ops::OpsError::IndexNotReady(state) => Self {
                retry_after: true,
                ..Self::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "IndexUnavailable",
                    crate::web::error::not_ready_message(&state),
                )
            },
            ops::OpsError::ModelNotFound { .. } => Self::repo_not_found(),
            // Everything else takes its status from the one code table of the REST API.
            other => {
                let api = crate::web::error::ApiError::from(other);
                let status = api.code.status();
                if status.is_server_error() {
                    tracing::error!(error = %api.message, "hub request failed");
                    return Self::new(status, "InternalError", "internal error");
                }
                let code = match status {
                    StatusCode::FORBIDDEN => "Forbidden",
                    StatusCode::CONFLICT => "Conflict",
                    StatusCode::PAYLOAD_TOO_LARGE => "PayloadTooLarge",
                    _ => "BadRequest",
                };
                Self::new(status, code, api.message)
            }
        }
    }
}

type HubResult = Result<HttpResponse, HubError>;

// Handlers return `HubResult`; actix turns the error into the Hub's answer through this.
impl std::fmt::Debug for HubError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.status, self.code, self.message)
    }
}

impl std::fmt::Display for HubError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl actix_web::ResponseError for HubError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        HubError {
            status: self.status,
            code: self.code,
            message: self.message.clone(),
            commit: self.commit.clone(),
            retry_after: self.retry_after,
            headers: self.headers.clone(),
        }
        .response()
    }
}

/// The caller's project: none when anonymous; a bad key is refused (as on the project API).
async fn caller(request: &HttpRequest, services: &Services) -> Result<Option<Principal>, HubError> {
    let token = bearer_token(request.headers())
        .map_err(|e| HubError::new(StatusCode::UNAUTHORIZED, "Unauthorized", e.message))?;
    let Some(token) = token else { return Ok(None) };
    Ok(Some(
        ops::access::authenticate::authenticate_key(services, &token).await?,
    ))
}

fn caller_project(principal: &Option<Principal>) -> Option<ProjectId> {
    match principal {
        Some(Principal::ApiKey { project_id, .. }) => Some(project_id.clone()),
        _ => None,
    }
}

async fn repo(
    request: &HttpRequest,
    services: &Services,
    org: &str,
    name: &str,
) -> Result<HubRepo, HubError> {
    let principal = caller(request, services).await?;
    ops::catalog::hub::hub_repo(
        services,
        caller_project(&principal),
        org.to_owned(),
        name.to_owned(),
    )
    .await?
    .ok_or_else(HubError::repo_not_found)
}

/// Percent-decodes a path segment (a revision arrives as `refs%2Fheads%2Fmain`).
fn percent_decode(raw: &str) -> String {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let (Some(h), Some(l)) = (hex(bytes.get(i + 1)), hex(bytes.get(i + 2)))
        {
            out.push(h * 16 + l);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(b: Option<&u8>) -> Option<u8> {
    (*b? as char).to_digit(16).map(|d| d as u8)
}

async fn revision(
    services: &Services,
    repo: &HubRepo,
    rev: &str,
) -> Result<(Revision, Vec<RepoFile>), HubError> {
    let rev = percent_decode(rev);
    ops::catalog::hub::hub_revision(services, repo.model.id, Some(rev.clone()))
        .await?
        .ok_or_else(|| {
            HubError::new(
                StatusCode::NOT_FOUND,
                "RevisionNotFound",
                format!(
                    "Invalid rev id: {}",
                    rev.chars().take(80).collect::<String>()
                ),
            )
        })
}

fn urlencode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
