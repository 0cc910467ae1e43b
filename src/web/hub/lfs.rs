//! The LFS side of `hf upload` (SPEC §14): the batch call, `PUT`s to upload URLs that
//! authorise themselves (no Authorization header reaches them), parts and their completion, and
//! `verify`.

use actix_web::web::Bytes;

use super::publish::{array, bad_request, json_body, target};
use super::*;
use crate::ops::files::lfs::{self, BatchAnswer};

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
    let answers = lfs::lfs_batch(&services, &principal, &repo, objects.clone()).await?;
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
                        "expires_in": lfs::UPLOAD_URL_TTL.whole_seconds(),
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
                        "expires_in": lfs::UPLOAD_URL_TTL.whole_seconds(),
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
    let (grant, principal) = lfs::upload_grant(services, token)?;
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
    let etag = lfs::store_part(&services, &grant, number, received).await?;
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
    let (grant, principal) = lfs::upload_grant(&services, &path)?;
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
    lfs::complete_parts(&services, &principal, &grant, parts).await?;
    Ok(HttpResponse::Ok().json(json!({})))
}

/// `POST {verify.href}` `{oid, size}` after an upload: 200 when the project now holds exactly
/// these bytes, 404 otherwise (the client then reports the upload as failed).
pub(super) async fn lfs_verify(
    path: web::Path<String>,
    body: Bytes,
    services: web::Data<Services>,
) -> HubResult {
    let (grant, principal) = lfs::upload_grant(&services, &path)?;
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
