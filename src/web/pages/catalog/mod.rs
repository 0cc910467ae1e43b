//! `GET /models/catalog`: search box, filter sidebar with live (disjunctive) counts, results
//! grouped into family sections. Works as a plain GET form; `catalog.js` upgrades it to live
//! updates by fetching the same URL with `fragment=1` and swapping `#catalog-body`.

pub mod catalog_results;
pub mod compare;
pub mod feed;
pub mod filters;
pub mod page_cache;

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use maud::{Markup, html};

use crate::catalog::badge::Viewer;
use crate::catalog::card::CatalogCard;
use crate::catalog::facet_list::FAMILY;
use crate::catalog::query::CatalogQuery;
use crate::catalog::search_results::SearchResults;
use crate::ops::indexing::readiness::{IndexPhase, IndexState};
use crate::ops::{self, Services};
use crate::web::error::INDEX_RETRY_AFTER;
use crate::web::pages::catalog::catalog_results::{
    Section, empty_state, family_section, flat_results, pager, past_the_end,
};
use crate::web::pages::catalog::filters::{active_filters, filters, url_with};
use crate::web::pages::catalog::page_cache::PageCache;
use crate::web::pages::layout;
use crate::web::session::current_session;

/// Family sections shown in the grouped view, and cards per section.
const SECTIONS: usize = 12;
const CARDS_PER_SECTION: usize = 4;

/// The page handler.
pub async fn catalog_page(
    request: HttpRequest,
    pairs: web::Query<Vec<(String, String)>>,
    services: web::Data<Services>,
    cache: web::Data<PageCache>,
) -> HttpResponse {
    let session = current_session(&request).await;
    // A budget or device chosen here is remembered for the detail and compare pages.
    let remembered = pairs
        .iter()
        .rev()
        .find(|(k, v)| (k == "fits_memory" || k == "device") && !v.trim().is_empty())
        .and_then(|(_, v)| crate::catalog::devices::parse_budget(v).ok())
        .map(|budget| crate::web::pages::fit_cookie::cookie(&budget));
    let mut response = catalog_response(&request, &pairs, &services, &cache, session).await;
    if let Some(cookie) = remembered {
        let _ = response.add_cookie(&cookie);
    }
    response
}

async fn catalog_response(
    request: &HttpRequest,
    pairs: &[(String, String)],
    services: &Services,
    cache: &PageCache,
    session: Option<crate::ops::access::session::Session>,
) -> HttpResponse {
    // Anonymous pages depend on the query string and the index only (see `page_cache`).
    let generation = services.search.as_ref().map(|index| index.generation());
    let cache_key = session
        .is_none()
        .then_some(generation)
        .flatten()
        .map(|generation| (request.query_string().to_owned(), generation));
    if let Some((key, generation)) = &cache_key
        && let Some(body) = cache.get(key, *generation)
    {
        return HttpResponse::Ok()
            .content_type("text/html; charset=utf-8")
            .body(body);
    }
    let (status, markup) = render_catalog_page(pairs, services, session).await;
    let body = markup.into_string();
    if let Some((key, generation)) = cache_key
        && status == StatusCode::OK
    {
        cache.put(&key, generation, body.clone().into());
    }
    with_retry_after(
        HttpResponse::build(status)
            .content_type("text/html; charset=utf-8")
            .body(body),
    )
}

/// The page (or the live update's fragment) and its status.
async fn render_catalog_page(
    pairs: &[(String, String)],
    services: &Services,
    session: Option<crate::ops::access::session::Session>,
) -> (StatusCode, Markup) {
    let fragment = pairs.iter().any(|(k, v)| k == "fragment" && v == "1");
    let params = pairs
        .iter()
        // A blank box or an "any" choice of the filter form means no filter, so the page drops
        // empty fields (the JSON API refuses them).
        .filter(|(k, v)| k != "fragment" && !v.trim().is_empty())
        .map(|(k, v)| (k.as_str(), v.as_str()));
    let viewer = if session.is_some() {
        Viewer::LoggedIn
    } else {
        Viewer::Anonymous
    };
    // A bad filter value is dropped and named above the results; the other filters still apply.
    let mut kept: Vec<(&str, &str)> = params.collect();
    let mut problems: Vec<String> = Vec::new();
    let query = loop {
        match CatalogQuery::from_pairs(kept.iter().copied()) {
            Ok(query) => match query.members_only_filter() {
                Some(param) if viewer == Viewer::Anonymous => {
                    problems.push(format!(
                        "`{param}` filters on infrastructure badges: log in to use it"
                    ));
                    kept.retain(|(k, _)| *k != param);
                }
                _ => break query,
            },
            Err(error) => {
                // Past the 10 000 results any search can page through is past the end of this
                // one too: say that, not how deep paging may go.
                problems.push(
                    if error.parameter == "page" && error.reason.starts_with("is too deep") {
                        "`page` is past the end of these results; showing the first page".to_owned()
                    } else {
                        error.to_string()
                    },
                );
                let before = kept.len();
                kept.retain(|(k, _)| *k != error.parameter);
                if kept.len() == before || problems.len() > 8 {
                    break CatalogQuery::default();
                }
            }
        }
    };
    let (status, body) = match results(services, &query).await {
        Ok(view) => (
            if problems.is_empty() {
                StatusCode::OK
            } else {
                StatusCode::BAD_REQUEST
            },
            catalog_body(
                &query,
                &view,
                viewer,
                session.as_ref().map(|s| s.csrf_token.as_str()),
                &problems,
            ),
        ),
        Err(ops::OpsError::IndexNotReady(state)) => (
            StatusCode::SERVICE_UNAVAILABLE,
            notice(
                "The catalog is being prepared",
                &preparing_text(&state),
                &query,
            ),
        ),
        Err(error) => {
            tracing::error!(%error, "catalog page search failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                notice("Search is unavailable", "Try again in a moment.", &query),
            )
        }
    };
    if fragment {
        return (status, body);
    }
    let query_text = pairs
        .iter()
        .find(|(k, _)| k == "q")
        .map(|(_, v)| v.as_str())
        .unwrap_or("");
    let sort = pairs
        .iter()
        .find(|(k, _)| k == "sort")
        .map(|(_, v)| v.as_str())
        .unwrap_or("");
    (
        status,
        layout::page(
            "Model catalog",
            session.as_ref(),
            Some("catalog.js"),
            page(query_text, sort, body),
        ),
    )
}

/// A 503 (the index is not ready, or search failed) says when to come back, as the API does.
fn with_retry_after(mut response: HttpResponse) -> HttpResponse {
    if response.status() == StatusCode::SERVICE_UNAVAILABLE {
        response.headers_mut().insert(
            header::RETRY_AFTER,
            HeaderValue::from_static(INDEX_RETRY_AFTER),
        );
    }
    response
}

/// The notice while the index is being brought up to date at start-up.
fn preparing_text(state: &IndexState) -> String {
    match state.phase {
        IndexPhase::Rebuilding => format!(
            "The search index is being rebuilt: {} of {} models so far ({} %). This page works again in a moment.",
            state.indexed,
            state.total,
            state.percent()
        ),
        _ => "The server has just started and is bringing its search index up to date. This page works again in a moment.".to_owned(),
    }
}

/// What the body shows: the main search, plus per-family best cards in the grouped view.
struct CatalogView {
    results: SearchResults,
    sections: Vec<Section>,
    /// Families with hits, in the grouped view (the sections are one page of them).
    families: u64,
}

/// The landing view groups by family: no keywords, no sort asked for, not one family chosen.
/// Keywords give one ranked list; a chosen sort one list sorted across the whole catalog.
fn is_grouped(query: &CatalogQuery) -> bool {
    query.text.is_empty() && !query.sort_chosen && query.values(FAMILY).len() != 1
}

async fn results(services: &Services, query: &CatalogQuery) -> Result<CatalogView, ops::OpsError> {
    if !is_grouped(query) {
        let folded = CatalogQuery {
            collapse_variants: true,
            partial: true,
            ..query.clone()
        };
        let results = ops::catalog::search_catalog(services, folded).await?;
        return Ok(CatalogView {
            results,
            sections: Vec::new(),
            families: 0,
        });
    }
    // One search gives the totals, the facets and the best cards of every family; `page`
    // pages through the families, SECTIONS at a time.
    let grouped = CatalogQuery {
        page: 1,
        per_page: 1,
        per_family: CARDS_PER_SECTION as u32,
        collapse_variants: true,
        ..query.clone()
    };
    let mut results = ops::catalog::search_catalog(services, grouped).await?;
    let mut best: std::collections::HashMap<String, Vec<CatalogCard>> =
        std::mem::take(&mut results.family_hits)
            .into_iter()
            .collect();
    let selected = query.values(FAMILY);
    let with_hits: Vec<(String, u64)> = results
        .facets
        .values(FAMILY)
        .iter()
        .filter(|(slug, count)| *count > 0 && (selected.is_empty() || selected.contains(slug)))
        .cloned()
        .collect();
    let skip = (query.page.saturating_sub(1) as usize).saturating_mul(SECTIONS);
    let sections: Vec<Section> = with_hits
        .iter()
        .skip(skip)
        .take(SECTIONS)
        .map(|(slug, count)| Section {
            slug: slug.clone(),
            count: *count,
            cards: best.remove(slug).unwrap_or_default(),
        })
        .collect();
    Ok(CatalogView {
        results,
        sections,
        families: with_hits.len() as u64,
    })
}

fn page(query_text: &str, sort: &str, body: Markup) -> Markup {
    let sorts = [
        (
            "",
            if query_text.is_empty() {
                "By family, most deployed"
            } else {
                "Best match"
            },
        ),
        ("popular", "Most deployed"),
        ("newest", "Newest"),
        ("name", "Name"),
        ("params", "Largest"),
        ("context", "Longest context"),
    ];
    html! {
        h1 { "Model catalog" }
        p.lead { "Every model an operator has shared. Filter by family, size, context length, license and workload; open a model to deploy it." }
        form id="catalog-form" method="get" action="/models/catalog" role="search" {
            div.searchbar {
                label for="q" { "Search models" }
                input id="q" type="search" name="q" value=(query_text) placeholder="e.g. qwen coder, llama 70b" autocomplete="off" maxlength="500";
                label for="sort" { "Sort" }
                select id="sort" name="sort" {
                    @for (value, label) in sorts {
                        option value=(value) selected[value == sort] { (label) }
                    }
                }
                button type="submit" { "Search" }
            }
            div id="catalog-body" { (body) }
        }
        form id="save-search" method="post" action="/searches" {}
        form id="compare-form" method="get" action="/models/compare" {}
    }
}

fn notice(title: &str, message: &str, query: &CatalogQuery) -> Markup {
    html! {
        div.catalog {
            section.results aria-live="polite" {
                div.empty role="alert" {
                    h2 { (title) }
                    p { (message) }
                    p { a href="/models/catalog" { "Start over" } }
                }
                @if query.page > 1 { p { "Page " (query.page) } }
            }
        }
    }
}

fn catalog_body(
    query: &CatalogQuery,
    view: &CatalogView,
    viewer: Viewer,
    csrf: Option<&str>,
    problems: &[String],
) -> Markup {
    html! {
        div.catalog {
            (filters(query, &view.results, viewer))
            section.results aria-live="polite" aria-label="Results" {
                @if !problems.is_empty() {
                    div.problems role="alert" {
                        p { strong { "Part of this search could not be read and was left out:" } }
                        ul { @for problem in problems { li { (with_code(problem)) } } }
                    }
                }
                p.total { (count_text(view.results.total)) (active_filters(query)) }
                (search_tools(query, csrf))
                @if view.results.total == 0 {
                    (empty_state(query))
                } @else if is_grouped(query) {
                    @let pages = view.families.div_ceil(SECTIONS as u64);
                    @if view.sections.is_empty() {
                        (past_the_end(query, pages, "families"))
                    }
                    @for section in &view.sections { (family_section(query, section, viewer, &view.results.variants)) }
                    (pager(query, pages, "families"))
                } @else {
                    (flat_results(query, &view.results, viewer))
                }
            }
        }
    }
}

/// The search's Atom feed and, for a logged-in user, saving it by name. The save fields belong
/// to the `save-search` form outside the catalog's GET form (forms cannot nest), and live in the
/// body so a live update carries the new query along.
fn search_tools(query: &CatalogQuery, csrf: Option<&str>) -> Markup {
    let search = url_with(query, |q| q.page = 1);
    let query_string = search.split_once('?').map_or("", |(_, q)| q).to_owned();
    let feed = if query_string.is_empty() {
        "/models/catalog.atom".to_owned()
    } else {
        format!("/models/catalog.atom?{query_string}")
    };
    html! {
        div.search-tools {
            button.compare-selected type="submit" form="compare-form" { "Compare selected" }
            a.feed href=(feed) type="application/atom+xml" { "Atom feed of this search" }
            @if let Some(csrf) = csrf {
                span.save-search {
                    input type="hidden" form="save-search" name="csrf" value=(csrf);
                    input type="hidden" form="save-search" name="query" value=(query_string);
                    label for="save-name" { "Save this search as" }
                    input id="save-name" form="save-search" name="name" required maxlength="80" placeholder="e.g. Small coders";
                    button type="submit" form="save-search" { "Save" }
                    " "
                    a href="/searches" { "Saved searches" }
                }
            }
        }
    }
}

/// A message with `backticked` parts shown as code rather than as literal backticks.
fn with_code(message: &str) -> Markup {
    html! {
        @for (i, part) in message.split('`').enumerate() {
            @if i % 2 == 1 { code { (part) } } @else { (part) }
        }
    }
}

fn count_text(total: u64) -> String {
    match total {
        1 => "1 model".to_owned(),
        n => format!("{n} models"),
    }
}
