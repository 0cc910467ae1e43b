//! The Hub's write side (SPEC §14), as `huggingface_hub` calls it for `create_repo`,
//! `upload_folder`, `upload_file`, `delete_file` and `hf upload` without Xet: create and delete a
//! repo, its `private` setting, `validate-yaml`, `preupload`, the LFS batch API with upload URLs
//! that authorise themselves, and the NDJSON commit. Each handler parses, then makes one call
//! into `ops::files::publish`.

use actix_web::web::Bytes;
use base64::Engine;

use super::*;
use crate::catalog::repo::{RefKind, parse_digest};
use crate::ops::files::publish::{self, BatchAnswer, HubOperation};

/// The sha256 of no bytes, and git's id of the empty blob.
const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
const EMPTY_GIT_BLOB: &str = "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391";

fn bad_request(message: impl Into<String>) -> HubError {
    HubError::new(StatusCode::BAD_REQUEST, "BadRequest", message)
}

/// The array under `key`, or none.
fn array<'a>(value: &'a Value, key: &str) -> &'a [Value] {
    value
        .get(key)
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
}

/// Reads a JSON body, refused in the Hub's shape (never our envelope) when it is not JSON.
fn json_body(body: &Bytes) -> Result<Value, HubError> {
    serde_json::from_slice(body).map_err(|e| bad_request(format!("the body is not JSON: {e}")))
}

/// The caller, who must present a key for any write.
async fn writer(request: &HttpRequest, services: &Services) -> Result<Principal, HubError> {
    caller(request, services).await?.ok_or_else(|| {
        HubError::new(
            StatusCode::UNAUTHORIZED,
            "Unauthorized",
            "writes need a project write key: `hf auth login` (or HF_TOKEN) with a key of the project",
        )
    })
}

/// A repository the caller may write to, or the Hub's "not found".
async fn target(
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

/// The `/{org}/{name}.git/info/lfs/objects/batch` path carries the repo name with `.git`.
pub(super) async fn lfs_batch(
    request: HttpRequest,
    path: web::Path<(String, String)>,
    body: Bytes,
    services: web::Data<Services>,
) -> HubResult {
    let body = json_body(&body)?;
    let (org, name) = path.into_inner();
    let (principal, repo) = target(&request, &services, &org, &name).await?;
    if body.get("operation").and_then(Value::as_str) != Some("upload") {
        return Err(bad_request(
            "only the upload operation is served here; downloads use resolve",
        ));
    }
    let objects: Vec<(String, u64)> = array(&body, "objects")
        .iter()
        .map(|o| {
            let oid = o.get("oid").and_then(Value::as_str).unwrap_or_default();
            let size = o.get("size").and_then(Value::as_u64).unwrap_or(0);
            (oid.to_owned(), size)
        })
        .collect();
    let multipart = body
        .get("transfers")
        .and_then(Value::as_array)
        .is_some_and(|t| t.iter().any(|t| t == "multipart"));
    let answers = publish::lfs_batch(&services, &principal, &repo, objects.clone()).await?;
    let base = crate::web::public_url::base_url(&request);
    let objects: Vec<Value> = objects
        .into_iter()
        .zip(answers)
        .map(|((oid, size), answer)| match answer {
            BatchAnswer::Stored => json!({"oid": oid, "size": size}),
            BatchAnswer::Upload { token, parts, .. } if parts == 1 || !multipart => json!({
                "oid": oid, "size": size, "authenticated": true,
                "actions": {
                    "upload": {
                        "href": format!("{base}/api/lfs-upload/{token}"),
                        "expires_in": publish::UPLOAD_URL_TTL.whole_seconds(),
                    },
                    "verify": {"href": format!("{base}/api/lfs-verify/{token}")},
                },
            }),
            // The Hub's multipart transfer: part URLs under "1", "2", …, the part size
            // as `chunk_size`, and `href` for the completion call.
            BatchAnswer::Upload {
                token,
                parts,
                part_size,
            } => {
                let mut header = serde_json::Map::new();
                header.insert("chunk_size".into(), json!(part_size.to_string()));
                for n in 1..=parts {
                    header.insert(
                        n.to_string(),
                        json!(format!("{base}/api/lfs-upload/{token}/part/{n}")),
                    );
                }
                json!({
                    "oid": oid, "size": size, "authenticated": true,
                    "actions": {"upload": {
                        "href": format!("{base}/api/lfs-upload/{token}"),
                        "header": header,
                        "expires_in": publish::UPLOAD_URL_TTL.whole_seconds(),
                    }},
                })
            }
            BatchAnswer::Refused(message) => json!({
                "oid": oid, "size": size, "error": {"code": 422, "message": message},
            }),
        })
        .collect();
    let transfer = if multipart { "multipart" } else { "basic" };
    Ok(HttpResponse::Ok()
        .content_type("application/vnd.git-lfs+json")
        .json(json!({"transfer": transfer, "objects": objects, "hash_algo": "sha256"})))
}

/// The body sent to an upload URL, streamed into the upload area under the project's quota,
/// with the grant the URL carries and the principal it acts as.
async fn receive_granted(
    request: &HttpRequest,
    services: &Services,
    token: &str,
    body: web::Payload,
) -> Result<
    (
        crate::auth::upload_url::UploadGrant,
        Principal,
        ProjectId,
        ops::files::upload::Received,
    ),
    HubError,
> {
    let (grant, principal) = publish::upload_grant(services, token)?;
    let project = ProjectId::parse(&grant.project).ok_or_else(HubError::repo_not_found)?;
    let quota = ops::files::upload::quota_left(services, &project, None).await?;
    let received = transfer::receive(request, services, body, quota)
        .await
        .map_err(|e| HubError::new(e.code.status(), "BadRequest", e.message))?;
    Ok((grant, principal, project, received))
}

/// `PUT {href}` from a batch answer: no Authorization header, the URL is the grant.
pub(super) async fn lfs_upload(
    request: HttpRequest,
    path: web::Path<String>,
    body: web::Payload,
    services: web::Data<Services>,
) -> HubResult {
    let (grant, principal, project, received) =
        receive_granted(&request, &services, &path, body).await?;
    if received.size != grant.size {
        return Err(bad_request(format!(
            "the upload has {} bytes, the batch asked for {}: nothing was stored",
            received.size, grant.size
        )));
    }
    repo_ops::store_blob(
        &services,
        &principal,
        &project,
        Some(&grant.sha256),
        received,
    )
    .await?;
    Ok(HttpResponse::Ok().finish())
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

/// `create_branch` (`POST …/branch/{name}`, `{startingPoint?}`) and `create_tag`
/// (`POST …/tag/{revision}`, `{tag, message?}`); `DELETE` of either removes the name.
pub(super) async fn create_branch(
    request: HttpRequest,
    path: web::Path<(String, String, String)>,
    body: Bytes,
    services: web::Data<Services>,
) -> HubResult {
    let (org, name, branch) = path.into_inner();
    let body = if body.is_empty() {
        json!({})
    } else {
        json_body(&body)?
    };
    let (_, repo) = target(&request, &services, &org, &name).await?;
    let start = body
        .get("startingPoint")
        .and_then(Value::as_str)
        .map(str::to_owned);
    let branch = percent_decode(&branch);
    publish::create_ref(&services, &repo, RefKind::Branch, &branch, start, None).await?;
    Ok(HttpResponse::Ok().json(json!({})))
}

pub(super) async fn create_tag(
    request: HttpRequest,
    path: web::Path<(String, String, String)>,
    body: Bytes,
    services: web::Data<Services>,
) -> HubResult {
    let (org, name, revision) = path.into_inner();
    let body = json_body(&body)?;
    let (_, repo) = target(&request, &services, &org, &name).await?;
    let tag = body.get("tag").and_then(Value::as_str).unwrap_or_default();
    let message = body
        .get("message")
        .and_then(Value::as_str)
        .map(str::to_owned);
    let revision = Some(percent_decode(&revision));
    publish::create_ref(&services, &repo, RefKind::Tag, tag, revision, message).await?;
    Ok(HttpResponse::Ok().json(json!({})))
}

pub(super) async fn delete_branch(
    request: HttpRequest,
    path: web::Path<(String, String, String)>,
    services: web::Data<Services>,
) -> HubResult {
    delete_named(request, path, services, RefKind::Branch).await
}

pub(super) async fn delete_tag(
    request: HttpRequest,
    path: web::Path<(String, String, String)>,
    services: web::Data<Services>,
) -> HubResult {
    delete_named(request, path, services, RefKind::Tag).await
}

async fn delete_named(
    request: HttpRequest,
    path: web::Path<(String, String, String)>,
    services: web::Data<Services>,
    kind: RefKind,
) -> HubResult {
    let (org, name, named) = path.into_inner();
    let (_, repo) = target(&request, &services, &org, &name).await?;
    publish::delete_ref(&services, &repo, kind, percent_decode(&named)).await?;
    Ok(HttpResponse::Ok().json(json!({})))
}

/// `PUT {part URL}`: one part of a multipart upload; the answer's `ETag` goes into the
/// completion call.
pub(super) async fn lfs_part(
    request: HttpRequest,
    path: web::Path<(String, u64)>,
    body: web::Payload,
    services: web::Data<Services>,
) -> HubResult {
    let (token, number) = path.into_inner();
    let (grant, _, _, received) = receive_granted(&request, &services, &token, body).await?;
    let etag = publish::store_part(&services, &grant, number, received).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, format!("\"{etag}\"")))
        .finish())
}

/// `POST {href}` after the parts: `{oid, parts: [{partNumber, etag}]}` joins them into the blob.
pub(super) async fn lfs_complete(
    path: web::Path<String>,
    body: Bytes,
    services: web::Data<Services>,
) -> HubResult {
    let (grant, principal) = publish::upload_grant(&services, &path)?;
    let body = json_body(&body)?;
    if body.get("oid").and_then(Value::as_str) != Some(grant.sha256.as_str()) {
        return Err(bad_request(
            "the completion names another object than its URL",
        ));
    }
    let parts: Vec<(u64, String)> = array(&body, "parts")
        .iter()
        .map(|p| {
            let number = p.get("partNumber").and_then(Value::as_u64).unwrap_or(0);
            let etag = p.get("etag").and_then(Value::as_str).unwrap_or_default();
            (number, etag.to_owned())
        })
        .collect();
    publish::complete_parts(&services, &principal, &grant, parts).await?;
    Ok(HttpResponse::Ok().json(json!({})))
}

/// `POST {verify.href}` `{oid, size}` after an upload: 200 when the project now holds exactly
/// these bytes, 404 otherwise (the client then reports the upload as failed).
pub(super) async fn lfs_verify(
    path: web::Path<String>,
    body: Bytes,
    services: web::Data<Services>,
) -> HubResult {
    let (grant, principal) = publish::upload_grant(&services, &path)?;
    let body = json_body(&body)?;
    let asked = (
        body.get("oid").and_then(Value::as_str),
        body.get("size").and_then(Value::as_u64),
    );
    if asked != (Some(grant.sha256.as_str()), Some(grant.size)) {
        return Err(bad_request(
            "the verify call names another object than its URL",
        ));
    }
    let project = ProjectId::parse(&grant.project).ok_or_else(HubError::repo_not_found)?;
    match repo_ops::has_blob(&services, &principal, &project, &grant.sha256).await? {
        Some(size) if size == grant.size => Ok(HttpResponse::Ok().json(json!({}))),
        _ => Err(HubError::new(
            StatusCode::NOT_FOUND,
            "EntryNotFound",
            "the object was not stored: upload it again",
        )),
    }
}
