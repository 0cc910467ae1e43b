//! `/api/models` over the catalog search (with `Link` paging) and `/api/whoami-v2`.

use super::*;

pub(super) async fn whoami(request: HttpRequest, services: web::Data<Services>) -> HubResult {
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

pub(super) async fn search(
    request: HttpRequest,
    query: web::Query<Vec<(String, String)>>,
    services: web::Data<Services>,
) -> HubResult {
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
                        // Library and task tags every catalog model would carry: no
                        // narrowing, rather than a workload tag nobody uses.
                        continue;
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
    let mut catalog_query =
        CatalogQuery::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .map_err(|e| HubError::new(StatusCode::BAD_REQUEST, "BadRequest", e.to_string()))?;
    let _ = caller(&request, &services).await?;
    // The author filter runs inside the search, so pages are full and `Link` is exact.
    if let Some(author) = author {
        match ops::catalog::hub::author_project(&services, author).await? {
            Some(project) => catalog_query.project = Some(project),
            None => return Ok(HttpResponse::Ok().json(Vec::<Value>::new())),
        }
    }
    let results = ops::catalog::search_catalog(&services, catalog_query).await?;
    let ids: Vec<_> = results.hits.iter().map(|c| c.id).collect();
    let repo_ids = ops::catalog::hub::repo_ids(&services, ids).await?;
    let models: Vec<Value> = results
        .hits
        .iter()
        .zip(repo_ids)
        .filter_map(|(card, repo_id)| {
            let repo_id = repo_id?;
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
        let mut query: Vec<String> = query
            .iter()
            .filter(|(k, _)| k != "cursor")
            .map(|(k, v)| format!("{}={}", k, urlencode(v)))
            .collect();
        query.push(format!("cursor={}", page + 1));
        response.insert_header((
            header::LINK,
            format!(
                "<{}/api/models?{}>; rel=\"next\"",
                crate::web::public_url::base_url(&request),
                query.join("&")
            ),
        ));
    }
    Ok(response.json(models))
}
