//! Branches and tags through the Hub protocol: `create_branch`, `create_tag` and their deletes.

use actix_web::web::Bytes;

use super::publish::{json_body, target};
use super::*;
use crate::catalog::repo::RefKind;
use crate::ops::files::refs;

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
    refs::create_ref(&services, &repo, RefKind::Branch, &branch, start, None).await?;
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
    refs::create_ref(&services, &repo, RefKind::Tag, tag, revision, message).await?;
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
    refs::delete_ref(&services, &repo, kind, percent_decode(&named)).await?;
    Ok(HttpResponse::Ok().json(json!({})))
}
