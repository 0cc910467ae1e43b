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
use crate::ops::repos::{self as repo_ops, HubRepo};
use crate::ops::{self, Services};
use crate::web::auth_middleware::bearer_token;
use crate::web::transfer;

/// Tree entries per page (the Hub pages its tree the same way, with a `Link` header).
const TREE_PAGE: usize = 1_000;

/// Mounts the Hub routes.
pub fn configure(config: &mut web::ServiceConfig) {
    config
        .route("/api/whoami-v2", web::get().to(whoami))
        .route("/api/models", web::get().to(search))
        .route("/api/models/{org}/{name}", web::get().to(model_info))
        .route(
            "/api/models/{org}/{name}/revision/{rev:.*}",
            web::get().to(model_info_at),
        )
        .route("/api/models/{org}/{name}/refs", web::get().to(refs))
        .route(
            "/api/models/{org}/{name}/tree/{rev}",
            web::get().to(tree_root),
        )
        .route(
            "/api/models/{org}/{name}/tree/{rev}/{path:.*}",
            web::get().to(tree_path),
        )
        .route(
            "/{org}/{name}/resolve/{rev}/{path:.*}",
            web::get().to(resolve),
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
    .collect()
}

struct HubError {
    status: StatusCode,
    code: &'static str,
    message: String,
    commit: Option<String>,
}

impl HubError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            commit: None,
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
        response.json(json!({ "error": self.message }))
    }
}

impl From<ops::OpsError> for HubError {
    fn from(error: ops::OpsError) -> Self {
        match error {
            ops::OpsError::Unauthenticated(e) => {
                Self::new(StatusCode::UNAUTHORIZED, "Unauthorized", e.to_string())
            }
            other => {
                tracing::error!(error = %other, "hub request failed");
                Self::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "InternalError",
                    "internal error",
                )
            }
        }
    }
}

type HubResult = Result<HttpResponse, HubError>;

fn answer(result: HubResult) -> HttpResponse {
    result.unwrap_or_else(HubError::response)
}

/// The caller's project: none when anonymous; a bad key is refused (as on the project API).
async fn caller(request: &HttpRequest, services: &Services) -> Result<Option<Principal>, HubError> {
    let token = bearer_token(request.headers())
        .map_err(|e| HubError::new(StatusCode::UNAUTHORIZED, "Unauthorized", e.message))?;
    let Some(token) = token else { return Ok(None) };
    Ok(Some(
        ops::authenticate::authenticate_key(services, &token).await?,
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
    repo_ops::hub_repo(
        services,
        caller_project(&principal),
        org.to_owned(),
        name.to_owned(),
    )
    .await?
    .ok_or_else(HubError::repo_not_found)
}

/// The revision the URL names, URL-decoded (`main`, `refs/heads/main` or a 40-hex id).
fn decode_revision(raw: &str) -> String {
    percent_decode(raw)
}

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
    let rev = decode_revision(rev);
    repo_ops::hub_revision(services, repo.model.id, Some(rev.clone()))
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

fn info_json(repo: &HubRepo, found: Option<&(Revision, Vec<RepoFile>)>, blobs: bool) -> Value {
    let model = &repo.model;
    let d = &model.details;
    let mut tags = model.tags();
    if let Some(format) = &d.format {
        tags.push(format.to_lowercase());
    }
    if let Some(license) = &d.license {
        tags.push(format!("license:{}", license.key()));
    }
    let siblings: Vec<Value> = found
        .map(|(_, files)| files.as_slice())
        .unwrap_or_default()
        .iter()
        .map(|f| {
            if blobs {
                json!({"rfilename": f.path, "size": f.size, "blobId": f.sha256,
                       "lfs": {"sha256": f.sha256, "size": f.size, "pointerSize": 134}})
            } else {
                json!({"rfilename": f.path})
            }
        })
        .collect();
    let last_modified = found.map_or(model.updated_at.as_str(), |(r, _)| r.created_at.as_str());
    json!({
        "_id": model.id.to_string(),
        "id": repo.repo_id,
        "modelId": repo.repo_id,
        "author": repo.repo_id.split('/').next().unwrap_or_default(),
        "sha": found.map(|(r, _)| r.id.clone()),
        "lastModified": last_modified,
        "createdAt": model.created_at,
        "private": !model.shared,
        "gated": false,
        "disabled": false,
        "downloads": 0,
        "likes": 0,
        "library_name": Value::Null,
        "tags": tags,
        "pipeline_tag": Value::Null,
        "cardData": { "license": d.license.as_ref().map(|l| l.key().to_owned()) },
        "siblings": siblings,
        "spaces": [],
        "usedStorage": found.map_or(0, |(_, files)| files.iter().map(|f| f.size).sum::<u64>()),
    })
}

async fn model_info(
    request: HttpRequest,
    path: web::Path<(String, String)>,
    query: web::Query<Vec<(String, String)>>,
    services: web::Data<Services>,
) -> HttpResponse {
    answer(info(&request, &services, &path.0, &path.1, None, &query).await)
}

async fn model_info_at(
    request: HttpRequest,
    path: web::Path<(String, String, String)>,
    query: web::Query<Vec<(String, String)>>,
    services: web::Data<Services>,
) -> HttpResponse {
    answer(info(&request, &services, &path.0, &path.1, Some(&path.2), &query).await)
}

async fn info(
    request: &HttpRequest,
    services: &Services,
    org: &str,
    name: &str,
    rev: Option<&str>,
    query: &[(String, String)],
) -> HubResult {
    let blobs = query
        .iter()
        .any(|(k, v)| k == "blobs" && matches!(v.as_str(), "true" | "True" | "1"));
    let repo = repo(request, services, org, name).await?;
    let found = match rev {
        Some(rev) => Some(revision(services, &repo, rev).await?),
        None => repo_ops::hub_revision(services, repo.model.id, None).await?,
    };
    Ok(HttpResponse::Ok().json(info_json(&repo, found.as_ref(), blobs)))
}

async fn refs(
    request: HttpRequest,
    path: web::Path<(String, String)>,
    services: web::Data<Services>,
) -> HttpResponse {
    answer(
        async {
            let repo = repo(&request, &services, &path.0, &path.1).await?;
            let main = repo_ops::hub_revision(&services, repo.model.id, None).await?;
            let branches: Vec<Value> = main
                .map(|(r, _)| {
                    vec![json!({"name": "main", "ref": "refs/heads/main", "targetCommit": r.id})]
                })
                .unwrap_or_default();
            Ok(HttpResponse::Ok().json(
                json!({"branches": branches, "converts": [], "tags": [], "pullRequests": []}),
            ))
        }
        .await,
    )
}

#[derive(Debug, Deserialize)]
struct TreeQuery {
    recursive: Option<String>,
    cursor: Option<String>,
    expand: Option<String>,
}

async fn tree_root(
    request: HttpRequest,
    path: web::Path<(String, String, String)>,
    query: web::Query<TreeQuery>,
    services: web::Data<Services>,
) -> HttpResponse {
    let (org, name, rev) = path.into_inner();
    answer(tree(&request, &services, &org, &name, &rev, "", &query).await)
}

async fn tree_path(
    request: HttpRequest,
    path: web::Path<(String, String, String, String)>,
    query: web::Query<TreeQuery>,
    services: web::Data<Services>,
) -> HttpResponse {
    let (org, name, rev, sub) = path.into_inner();
    answer(tree(&request, &services, &org, &name, &rev, &sub, &query).await)
}

async fn tree(
    request: &HttpRequest,
    services: &Services,
    org: &str,
    name: &str,
    rev: &str,
    sub: &str,
    query: &TreeQuery,
) -> HubResult {
    let _ = &query.expand;
    let repo = repo(request, services, org, name).await?;
    let (revision, files) = revision(services, &repo, rev).await?;
    let recursive = matches!(query.recursive.as_deref(), Some("true" | "1" | "True"));
    let prefix = sub.trim_matches('/');
    let prefix = if prefix.is_empty() {
        String::new()
    } else {
        format!("{prefix}/")
    };
    let mut entries: Vec<Value> = Vec::new();
    let mut directories: std::collections::BTreeSet<String> = std::collections::BTreeSet::new();
    for file in &files {
        let Some(rest) = file.path.strip_prefix(&prefix) else {
            continue;
        };
        let parts: Vec<&str> = rest.split('/').collect();
        for depth in 1..parts.len() {
            if recursive || depth == 1 {
                directories.insert(format!("{prefix}{}", parts[..depth].join("/")));
            }
        }
        if recursive || parts.len() == 1 {
            entries.push(json!({
                "type": "file", "oid": file.sha256, "size": file.size, "path": file.path,
                "lfs": {"oid": file.sha256, "size": file.size, "pointerSize": 134}
            }));
        }
    }
    if !prefix.is_empty() && entries.is_empty() && directories.is_empty() {
        let mut error = HubError::new(
            StatusCode::NOT_FOUND,
            "EntryNotFound",
            format!(
                "{} does not exist on \"{rev}\"",
                prefix.trim_end_matches('/')
            ),
        );
        error.commit = Some(revision.id);
        return Err(error);
    }
    let mut all: Vec<Value> = directories
        .into_iter()
        .map(|d| json!({"type": "directory", "oid": "0000000000000000000000000000000000000000", "size": 0, "path": d}))
        .collect();
    all.extend(entries);
    let start: usize = query
        .cursor
        .as_deref()
        .and_then(|c| c.parse().ok())
        .unwrap_or(0)
        .min(all.len());
    let end = (start + TREE_PAGE).min(all.len());
    let mut response = HttpResponse::Ok();
    if end < all.len() {
        let info = request.connection_info();
        let next = format!(
            "{}://{}{}?recursive={recursive}&cursor={end}",
            info.scheme(),
            info.host(),
            request.path()
        );
        response.insert_header((header::LINK, format!("<{next}>; rel=\"next\"")));
    }
    Ok(response.json(&all[start..end]))
}

async fn resolve(
    request: HttpRequest,
    path: web::Path<(String, String, String, String)>,
    services: web::Data<Services>,
) -> HttpResponse {
    let (org, name, rev, file_path) = path.into_inner();
    answer(
        async {
            let repo = repo(&request, &services, &org, &name).await?;
            let (revision, files) = revision(&services, &repo, &rev).await?;
            let wanted = parse_path(&percent_decode(&file_path)).ok();
            let Some(file) = wanted.and_then(|w| files.into_iter().find(|f| f.path == w)) else {
                let mut error = HubError::new(
                    StatusCode::NOT_FOUND,
                    "EntryNotFound",
                    format!(
                        "{} does not exist on \"{}\"",
                        file_path.chars().take(200).collect::<String>(),
                        revision.id
                    ),
                );
                error.commit = Some(revision.id);
                return Err(error);
            };
            let etag = format!("\"{}\"", file.sha256);
            transfer::serve_file(
                &request,
                &repo_ops::blob_file(&services, &file.sha256),
                file.size,
                &file.sha256,
                |response| {
                    response
                        .insert_header(("X-Repo-Commit", revision.id.as_str()))
                        .insert_header(("X-Linked-Etag", etag.as_str()))
                        .insert_header(("X-Linked-Size", file.size.to_string()));
                },
            )
            .map_err(|e| HubError::new(e.code.status(), "EntryNotFound", e.message))
        }
        .await,
    )
}

async fn whoami(request: HttpRequest, services: web::Data<Services>) -> HttpResponse {
    answer(
        async {
            let Some(principal) = caller(&request, &services).await? else {
                return Err(HubError::new(
                    StatusCode::UNAUTHORIZED,
                    "Unauthorized",
                    "Invalid credentials in Authorization header",
                ));
            };
            let project = caller_project(&Some(principal.clone()));
            let role = match &principal {
                Principal::ApiKey {
                    scope: crate::auth::KeyScope::Write,
                    ..
                } => "write",
                _ => "read",
            };
            let name = project
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default();
            Ok(HttpResponse::Ok().json(json!({
                "type": "user",
                "name": name,
                "fullname": name,
                "auth": {"type": "access_token", "accessToken": {"role": role}},
                "orgs": [],
            })))
        }
        .await,
    )
}

async fn search(
    request: HttpRequest,
    query: web::Query<Vec<(String, String)>>,
    services: web::Data<Services>,
) -> HttpResponse {
    answer(
        async {
            let mut pairs: Vec<(String, String)> = Vec::new();
            let mut limit: u32 = 100;
            let mut page: u32 = 1;
            let mut author: Option<String> = None;
            for (key, value) in query.iter() {
                match key.as_str() {
                    "search" if !value.trim().is_empty() => pairs.push(("q".into(), value.clone())),
                    "author" => author = Some(value.clone()),
                    "filter" => {
                        for tag in value.split(',').filter(|t| !t.is_empty()) {
                            if let Some(license) = tag.strip_prefix("license:") {
                                pairs.push(("license".into(), license.into()));
                            } else if matches!(
                                tag,
                                "gguf" | "safetensors" | "transformers" | "text-generation"
                            ) {
                            } else {
                                pairs.push(("tag".into(), tag.into()));
                            }
                        }
                    }
                    "sort" => {
                        let sort = match value.as_str() {
                            "lastModified" | "createdAt" => "newest",
                            "downloads" | "likes" | "trending_score" => "popular",
                            _ => "",
                        };
                        if !sort.is_empty() {
                            pairs.push(("sort".into(), sort.into()));
                        }
                    }
                    "limit" => {
                        limit = value
                            .parse()
                            .ok()
                            .filter(|l| (1..=1000).contains(l))
                            .unwrap_or(100)
                    }
                    // Our own cursor: the page the `Link` header names.
                    "cursor" => page = value.parse().ok().filter(|p| *p >= 1).unwrap_or(1),
                    _ => {}
                }
            }
            let per_page = limit.min(100);
            pairs.push(("per_page".into(), per_page.to_string()));
            pairs.push(("page".into(), page.to_string()));
            let catalog_query =
                CatalogQuery::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
                    .map_err(|e| {
                        HubError::new(StatusCode::BAD_REQUEST, "BadRequest", e.to_string())
                    })?;
            let _ = caller(&request, &services).await?;
            let results = ops::catalog::search_catalog(&services, catalog_query).await?;
            let ids: Vec<_> = results.hits.iter().map(|c| c.id).collect();
            let repo_ids = repo_ops::repo_ids(&services, ids).await?;
            let models: Vec<Value> = results
                .hits
                .iter()
                .zip(repo_ids)
                .filter_map(|(card, repo_id)| {
                    let repo_id = repo_id?;
                    if author
                        .as_deref()
                        .is_some_and(|a| !repo_id.starts_with(&format!("{a}/")))
                    {
                        return None;
                    }
                    Some(json!({
                        "_id": card.id.to_string(), "id": repo_id, "modelId": repo_id,
                        "private": false, "downloads": card.facts.deployment_count, "likes": 0,
                        "tags": card.tags, "pipeline_tag": Value::Null, "library_name": Value::Null,
                        "createdAt": Value::Null,
                    }))
                })
                .collect();
            let mut response = HttpResponse::Ok();
            // More than one page of hits: the client follows `Link: rel="next"` (limit caps it).
            let shown = u64::from(page) * u64::from(per_page);
            if results.total > shown && shown + u64::from(per_page) <= 10_000 {
                let info = request.connection_info();
                let mut query: Vec<String> = query
                    .iter()
                    .filter(|(k, _)| k != "cursor")
                    .map(|(k, v)| format!("{}={}", k, urlencode(v)))
                    .collect();
                query.push(format!("cursor={}", page + 1));
                response.insert_header((
                    header::LINK,
                    format!(
                        "<{}://{}/api/models?{}>; rel=\"next\"",
                        info.scheme(),
                        info.host(),
                        query.join("&")
                    ),
                ));
            }
            Ok(response.json(models))
        }
        .await,
    )
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
