//! The Hub's write side (SPEC §14), as `huggingface_hub` calls it for `create_repo`,
//! `upload_folder`, `upload_file`, `delete_file` and `hf upload` without Xet: create and delete a
//! repo, its `private` setting, `validate-yaml`, `preupload` and the NDJSON commit (LFS objects:
//! `lfs`; branches and tags: `refs`). Each handler parses, then makes one call into
//! `ops::files`.

use actix_web::web::Bytes;
use base64::Engine;

use super::*;
use crate::catalog::repo::parse_digest;
use crate::ops::files::publish::{self, HubOperation};

/// The sha256 of no bytes, and git's id of the empty blob.
const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
const EMPTY_GIT_BLOB: &str = "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391";

pub(super) fn bad_request(message: impl Into<String>) -> HubError {
    HubError::new(StatusCode::BAD_REQUEST, "BadRequest", message)
}

/// The array under `key`, or none.
pub(super) fn array<'a>(value: &'a Value, key: &str) -> &'a [Value] {
    value
        .get(key)
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
}

/// Reads a JSON body, refused in the Hub's shape (never our envelope) when it is not JSON.
pub(super) fn json_body(body: &Bytes) -> Result<Value, HubError> {
    serde_json::from_slice(body).map_err(|e| bad_request(format!("the body is not JSON: {e}")))
}

/// The caller, who must present a key for any write.
pub(super) async fn writer(
    request: &HttpRequest,
    services: &Services,
) -> Result<Principal, HubError> {
    caller(request, services).await?.ok_or_else(|| {
        HubError::new(
            StatusCode::UNAUTHORIZED,
            "Unauthorized",
            "writes need a project write key: `hf auth login` (or HF_TOKEN) with a key of the project",
        )
    })
}

/// A repository the caller may write to, or the Hub's "not found".
pub(super) async fn target(
    request: &HttpRequest,
    services: &Services,
    org: &str,
    name: &str,
) -> Result<(Principal, HubRepo), HubError> {
    let principal = writer(request, services).await?;
    let repo = publish::writable_repo(services, &principal, org, name)
        .await?
        .ok_or_else(HubError::repo_not_found)?;
    Ok((principal, repo))
}

/// Only `main` takes commits: every revision is reachable by its id, and there are no branches.
fn require_main(rev: &str, query: &[(String, String)]) -> Result<(), HubError> {
    if query.iter().any(|(k, v)| k == "create_pr" && v != "0") {
        return Err(bad_request(
            "pull requests are not supported here: commit to main",
        ));
    }
    let rev = percent_decode(rev);
    if rev != "main" && rev != "refs/heads/main" {
        return Err(bad_request(format!(
            "only main takes commits here (got `{}`); every revision stays reachable by its id",
            rev.chars().take(80).collect::<String>()
        )));
    }
    Ok(())
}

/// `private` (bool) or `visibility` ("private" / "public"); absent: private, since sharing puts
/// the model in the public catalog (share it with `private: false` or `xeroctl models --share`).
fn wants_private(body: &Value) -> bool {
    match (
        body.get("private"),
        body.get("visibility").and_then(Value::as_str),
    ) {
        (Some(Value::Bool(private)), _) => *private,
        (_, Some(visibility)) => visibility != "public",
        _ => true,
    }
}

fn repo_type_refused(body: &Value) -> Option<HubError> {
    let kind = body.get("type").and_then(Value::as_str)?;
    (kind != "model")
        .then(|| bad_request(format!("only model repositories exist here, not `{kind}`")))
}

pub(super) async fn create_repo(
    request: HttpRequest,
    body: Bytes,
    services: web::Data<Services>,
) -> HubResult {
    let body = json_body(&body)?;
    if let Some(refused) = repo_type_refused(&body) {
        return Err(refused);
    }
    let principal = writer(&request, &services).await?;
    let name = body.get("name").and_then(Value::as_str).unwrap_or_default();
    let organization = body.get("organization").and_then(Value::as_str);
    let created = publish::create_repo(
        &services,
        &principal,
        organization,
        name,
        wants_private(&body),
    )
    .await?;
    let url = format!(
        "{}/{}",
        crate::web::public_url::base_url(&request),
        created.repo_id
    );
    if !created.created {
        return Ok(HttpResponse::Conflict()
            .insert_header(("X-Error-Code", "RepoExists"))
            .json(json!({"error": "You already created this model repo", "url": url})));
    }
    Ok(HttpResponse::Ok().json(json!({"url": url, "name": created.repo_id})))
}

pub(super) async fn delete_repo(
    request: HttpRequest,
    body: Bytes,
    services: web::Data<Services>,
) -> HubResult {
    let body = json_body(&body)?;
    if let Some(refused) = repo_type_refused(&body) {
        return Err(refused);
    }
    let name = body.get("name").and_then(Value::as_str).unwrap_or_default();
    let organization = body
        .get("organization")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let (principal, repo) = target(&request, &services, organization, name).await?;
    publish::delete_repo(&services, &principal, &repo).await?;
    Ok(HttpResponse::Ok().json(json!({})))
}

pub(super) async fn settings(
    request: HttpRequest,
    path: web::Path<(String, String)>,
    body: Bytes,
    services: web::Data<Services>,
) -> HubResult {
    let body = json_body(&body)?;
    let (principal, repo) = target(&request, &services, &path.0, &path.1).await?;
    if body.get("private").is_some() || body.get("visibility").is_some() {
        publish::set_private(&services, &principal, &repo, wants_private(&body)).await?;
    }
    Ok(HttpResponse::Ok().json(json!({})))
}

/// Always JSON (the client reads the body before the status): errors for front matter that is
/// not YAML, a warning for a README without any.
pub(super) async fn validate_yaml(body: Bytes) -> HubResult {
    let body = json_body(&body)?;
    let content = body
        .get("content")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let (front, _) = crate::formats::model_card::split_front_matter(content);
    let Some(front) = front else {
        return Ok(HttpResponse::Ok().json(json!({"errors": [], "warnings": [
            {"message": "empty or missing yaml metadata in repo card"}
        ]})));
    };
    match crate::formats::model_card::parse_model_card(content) {
        Ok(_) if !front.trim().is_empty() => {
            Ok(HttpResponse::Ok().json(json!({"errors": [], "warnings": []})))
        }
        Ok(_) => Ok(HttpResponse::Ok().json(json!({"errors": [], "warnings": [
            {"message": "empty yaml metadata in repo card"}
        ]}))),
        Err(error) => Ok(HttpResponse::BadRequest()
            .insert_header(("X-Error-Code", "BadRequest"))
            .json(json!({
                "error": format!("Invalid metadata in README.md: {error}"),
                "errors": [{"message": error.to_string()}],
                "warnings": [],
            }))),
    }
}

pub(super) async fn preupload(
    request: HttpRequest,
    path: web::Path<(String, String, String)>,
    query: web::Query<Vec<(String, String)>>,
    body: Bytes,
    services: web::Data<Services>,
) -> HubResult {
    let (org, name, rev) = path.into_inner();
    require_main(&rev, &query)?;
    let body = json_body(&body)?;
    let (_, repo) = target(&request, &services, &org, &name).await?;
    let current = publish::main_digests(&services, &repo).await?;
    let files: Vec<Value> = array(&body, "files")
        .iter()
        .map(|file| {
            let path = file.get("path").and_then(Value::as_str).unwrap_or_default();
            let size = file.get("size").and_then(Value::as_u64).unwrap_or(0);
            // Every file goes to the blob store through LFS; an empty one cannot (the
            // client sends it inline).
            let mode = if size == 0 { "regular" } else { "lfs" };
            // The client compares `oid` with the sha256 of an LFS file and with the git
            // blob id of a regular one; the only regular files are empty.
            let oid = current.get(path).map(|sha| {
                if size == 0 && sha == EMPTY_SHA256 {
                    EMPTY_GIT_BLOB
                } else {
                    sha.as_str()
                }
            });
            json!({
                "path": path,
                "uploadMode": mode,
                "shouldIgnore": false,
                "oid": oid,
            })
        })
        .collect();
    Ok(HttpResponse::Ok().json(json!({ "files": files })))
}

/// `POST /api/models/{repo}/commit/main`, NDJSON: a header line, then one operation a line.
pub(super) async fn commit(
    request: HttpRequest,
    path: web::Path<(String, String, String)>,
    query: web::Query<Vec<(String, String)>>,
    body: Bytes,
    services: web::Data<Services>,
) -> HubResult {
    let (org, name, rev) = path.into_inner();
    require_main(&rev, &query)?;
    let (principal, repo) = target(&request, &services, &org, &name).await?;
    let bad = |message: String| bad_request(message);
    let mut message = String::new();
    let mut parent = None;
    let mut operations = Vec::new();
    for (number, line) in body.split(|b| *b == b'\n').enumerate() {
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let line: Value = serde_json::from_slice(line)
            .map_err(|e| bad(format!("commit line {}: not JSON: {e}", number + 1)))?;
        let value = &line["value"];
        let text = |key: &str| value.get(key).and_then(Value::as_str).map(str::to_owned);
        let path =
            || text("path").ok_or_else(|| bad(format!("commit line {}: no path", number + 1)));
        match line.get("key").and_then(Value::as_str) {
            Some("header") => {
                let summary = text("summary").unwrap_or_default();
                let description = text("description").unwrap_or_default();
                message = if description.is_empty() {
                    summary
                } else {
                    format!("{summary}\n\n{description}")
                };
                parent = text("parentCommit");
            }
            Some("file") => {
                let path = path()?;
                if text("encoding").as_deref() != Some("base64") {
                    return Err(bad(format!("`{path}`: only base64 content is accepted")));
                }
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(text("content").unwrap_or_default())
                    .map_err(|e| bad(format!("`{path}`: content is not base64: {e}")))?;
                let project = repo.model.project_id.clone();
                let stored = publish::store_bytes(&services, &principal, &project, bytes).await?;
                operations.push(HubOperation::File(RepoFile {
                    path,
                    sha256: stored.sha256,
                    size: stored.size,
                }));
            }
            Some("lfsFile") => {
                let path = path()?;
                let oid = text("oid").unwrap_or_default();
                let sha256 = parse_digest(&oid).map_err(|e| bad(format!("`{path}`: {e}")))?;
                let size = value.get("size").and_then(Value::as_u64).unwrap_or(0);
                operations.push(HubOperation::LfsFile(RepoFile { path, sha256, size }));
            }
            Some("deletedFile") => operations.push(HubOperation::DeleteFile(path()?)),
            Some("deletedFolder") => operations.push(HubOperation::DeleteFolder(path()?)),
            other => {
                return Err(bad(format!(
                    "commit line {}: unknown key {:?}",
                    number + 1,
                    other.unwrap_or("")
                )));
            }
        }
    }
    let (revision, _) =
        publish::hub_commit(&services, &principal, &repo, message, parent, operations).await?;
    let base = crate::web::public_url::base_url(&request);
    Ok(HttpResponse::Ok().json(json!({
        "commitUrl": format!("{base}/{}/commit/{}", repo.repo_id, revision.id),
        "commitOid": revision.id,
        "commitMessage": revision.message,
        "pullRequestUrl": Value::Null,
        "success": true,
    })))
}
