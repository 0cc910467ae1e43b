//! Repository metadata for Hub clients: `model_info`, `refs` and the paged `tree`.

use super::*;

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

pub(super) async fn model_info(
    request: HttpRequest,
    path: web::Path<(String, String)>,
    query: web::Query<Vec<(String, String)>>,
    services: web::Data<Services>,
) -> HubResult {
    info(&request, &services, &path.0, &path.1, None, &query).await
}

pub(super) async fn model_info_at(
    request: HttpRequest,
    path: web::Path<(String, String, String)>,
    query: web::Query<Vec<(String, String)>>,
    services: web::Data<Services>,
) -> HubResult {
    info(&request, &services, &path.0, &path.1, Some(&path.2), &query).await
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
        None => ops::catalog::hub::hub_revision(services, repo.model.id, None).await?,
    };
    Ok(HttpResponse::Ok().json(info_json(&repo, found.as_ref(), blobs)))
}

pub(super) async fn refs(
    request: HttpRequest,
    path: web::Path<(String, String)>,
    services: web::Data<Services>,
) -> HubResult {
    let repo = repo(&request, &services, &path.0, &path.1).await?;
    let main = ops::catalog::hub::hub_revision(&services, repo.model.id, None).await?;
    let mut branches: Vec<Value> = main
        .map(|(r, _)| vec![json!({"name": "main", "ref": "refs/heads/main", "targetCommit": r.id})])
        .unwrap_or_default();
    let mut tags = Vec::new();
    for (kind, name, target) in ops::files::refs::list_refs(&services, &repo).await? {
        let entry = json!({"name": name, "ref": kind.full_name(&name), "targetCommit": target});
        match kind {
            crate::catalog::repo::RefKind::Branch => branches.push(entry),
            crate::catalog::repo::RefKind::Tag => tags.push(entry),
        }
    }
    Ok(HttpResponse::Ok()
        .json(json!({"branches": branches, "converts": [], "tags": tags, "pullRequests": []})))
}

#[derive(Debug, Deserialize)]
pub(super) struct TreeQuery {
    recursive: Option<String>,
    cursor: Option<String>,
}

pub(super) async fn tree_root(
    request: HttpRequest,
    path: web::Path<(String, String, String)>,
    query: web::Query<TreeQuery>,
    services: web::Data<Services>,
) -> HubResult {
    let (org, name, rev) = path.into_inner();
    tree(&request, &services, &org, &name, &rev, "", &query).await
}

pub(super) async fn tree_path(
    request: HttpRequest,
    path: web::Path<(String, String, String, String)>,
    query: web::Query<TreeQuery>,
    services: web::Data<Services>,
) -> HubResult {
    let (org, name, rev, sub) = path.into_inner();
    tree(&request, &services, &org, &name, &rev, &sub, &query).await
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
        let next = format!(
            "{}{}?recursive={recursive}&cursor={end}",
            crate::web::public_url::base_url(request),
            request.path()
        );
        response.insert_header((header::LINK, format!("<{next}>; rel=\"next\"")));
    }
    Ok(response.json(&all[start..end]))
}

/// `POST /api/models/{repo}/paths-info/{rev}` (form `paths=…&paths=…`, or JSON): the entries of
/// the given paths, files and folders, at a revision; a missing path is left out (the client's
/// `get_paths_info`, which copies and `upload_large_folder` use).
pub(super) async fn paths_info(
    request: HttpRequest,
    path: web::Path<(String, String, String)>,
    body: web::Bytes,
    services: web::Data<Services>,
) -> HubResult {
    let (org, name, rev) = path.into_inner();
    let repo = repo(&request, &services, &org, &name).await?;
    let (_, files) = revision(&services, &repo, &rev).await?;
    let wanted: Vec<String> = match serde_json::from_slice::<Value>(&body) {
        Ok(json) => json["paths"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .filter_map(|p| p.as_str().map(str::to_owned))
            .collect(),
        Err(_) => form_urlencoded::parse(&body)
            .filter(|(k, _)| k == "paths")
            .map(|(_, v)| v.into_owned())
            .collect(),
    };
    let mut entries = Vec::new();
    for wanted in &wanted {
        let wanted = wanted.trim_matches('/');
        if let Some(file) = files.iter().find(|f| f.path == wanted) {
            entries.push(json!({
                "type": "file", "oid": file.sha256, "size": file.size, "path": file.path,
                "lfs": {"oid": file.sha256, "size": file.size, "pointerSize": 134}
            }));
        } else if files
            .iter()
            .any(|f| f.path.starts_with(&format!("{wanted}/")))
        {
            entries.push(json!({"type": "directory", "oid": "0000000000000000000000000000000000000000", "size": 0, "path": wanted}));
        }
    }
    Ok(HttpResponse::Ok().json(entries))
}
