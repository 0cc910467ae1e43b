//! `GET /models/catalog`: search box, filter sidebar with live (disjunctive) counts, results
//! grouped into family sections. Works as a plain GET form; `catalog.js` upgrades it to live
//! updates by fetching the same URL with `fragment=1` and swapping `#catalog-body`.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use maud::{Markup, html};

use super::components::{family_logo, model_card};
use super::{html as respond, layout};
use crate::catalog::badge::Viewer;
use crate::catalog::card::CatalogCard;
use crate::catalog::family::family_view;
use crate::catalog::query::{
    Bucket, CONTEXT_BUCKETS, CatalogQuery, PARAM_BUCKETS, Range, SearchResults, Sort,
};
use crate::catalog::units::{ContextLength, ParameterCount};
use crate::ops::{self, Services};
use crate::web::session::current_session;
use crate::wire::catalog::license_label;

/// Family sections shown in the grouped view, and cards per section.
const SECTIONS: usize = 12;
const CARDS_PER_SECTION: usize = 4;

/// The page handler.
pub async fn catalog_page(
    request: HttpRequest,
    pairs: web::Query<Vec<(String, String)>>,
    services: web::Data<Services>,
) -> HttpResponse {
    let session = current_session(&request).await;
    let fragment = pairs.iter().any(|(k, v)| k == "fragment" && v == "1");
    let params = pairs
        .iter()
        .filter(|(k, _)| k != "fragment")
        .map(|(k, v)| (k.as_str(), v.as_str()));
    let viewer = if session.is_some() {
        Viewer::LoggedIn
    } else {
        Viewer::Anonymous
    };
    let (status, body) = match CatalogQuery::from_pairs(params) {
        Err(error) => (
            StatusCode::BAD_REQUEST,
            notice(
                "That search could not be read",
                &error.to_string(),
                &CatalogQuery::default(),
            ),
        ),
        Ok(query) => match results(&services, &query).await {
            Ok(view) => (StatusCode::OK, catalog_body(&query, &view, viewer)),
            Err(error) => {
                tracing::error!(%error, "catalog page search failed");
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    notice("Search is unavailable", "Try again in a moment.", &query),
                )
            }
        },
    };
    if fragment {
        return respond(status, body);
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
    respond(
        status,
        layout::page(
            "Model catalog",
            session.as_ref(),
            Some("catalog.js"),
            page(query_text, sort, body),
        ),
    )
}

/// What the body shows: the main search, plus per-family best cards in the grouped view.
struct CatalogView {
    results: SearchResults,
    sections: Vec<Section>,
}

struct Section {
    slug: String,
    count: u64,
    cards: Vec<CatalogCard>,
}

fn is_grouped(query: &CatalogQuery) -> bool {
    query.families.len() != 1
}

async fn results(services: &Services, query: &CatalogQuery) -> Result<CatalogView, ops::OpsError> {
    if !is_grouped(query) {
        let results = ops::catalog::search_catalog(services, query.clone()).await?;
        return Ok(CatalogView {
            results,
            sections: Vec::new(),
        });
    }
    // One search gives the totals, the facets and the best cards of every family.
    let grouped = CatalogQuery {
        page: 1,
        per_page: 1,
        per_family: CARDS_PER_SECTION as u32,
        ..query.clone()
    };
    let mut results = ops::catalog::search_catalog(services, grouped).await?;
    let mut best: std::collections::HashMap<String, Vec<CatalogCard>> =
        std::mem::take(&mut results.family_hits)
            .into_iter()
            .collect();
    let sections: Vec<Section> = results
        .facets
        .family
        .iter()
        .filter(|(slug, count)| {
            *count > 0 && (query.families.is_empty() || query.families.contains(slug))
        })
        .take(SECTIONS)
        .map(|(slug, count)| Section {
            slug: slug.clone(),
            count: *count,
            cards: best.remove(slug).unwrap_or_default(),
        })
        .collect();
    Ok(CatalogView { results, sections })
}

fn page(query_text: &str, sort: &str, body: Markup) -> Markup {
    let sorts = [
        ("", "Best match / popular"),
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

fn catalog_body(query: &CatalogQuery, view: &CatalogView, viewer: Viewer) -> Markup {
    html! {
        div.catalog {
            (filters(query, &view.results))
            section.results aria-live="polite" aria-label="Results" {
                p.total { (count_text(view.results.total)) (active_filters(query)) }
                @if view.results.total == 0 {
                    (empty_state(query))
                } @else if is_grouped(query) {
                    @for section in &view.sections { (family_section(query, section, viewer)) }
                } @else {
                    (flat_results(query, &view.results, viewer))
                }
            }
        }
    }
}

fn count_text(total: u64) -> String {
    match total {
        1 => "1 model".to_owned(),
        n => format!("{n} models"),
    }
}

fn active_filters(query: &CatalogQuery) -> Markup {
    let mut chips: Vec<(String, String)> = Vec::new();
    for f in &query.families {
        chips.push((
            format!("Family: {}", family_view(f).name),
            url_with(query, |q| q.families.retain(|x| x != f)),
        ));
    }
    for l in &query.licenses {
        chips.push((
            format!("License: {}", license_label(l)),
            url_with(query, |q| q.licenses.retain(|x| x != l)),
        ));
    }
    for t in &query.tags {
        chips.push((
            format!("Tag: {t}"),
            url_with(query, |q| q.tags.retain(|x| x != t)),
        ));
    }
    if let Some(moe) = query.moe {
        chips.push((
            if moe {
                "Mixture of experts"
            } else {
                "Dense only"
            }
            .to_owned(),
            url_with(query, |q| q.moe = None),
        ));
    }
    if query.params.is_set() {
        chips.push((
            format!(
                "Size: {}",
                range_text(query.params, |v| ParameterCount::new(v)
                    .map(|p| p.to_string()))
            ),
            url_with(query, |q| q.params = Range::default()),
        ));
    }
    if query.context.is_set() {
        chips.push((
            format!(
                "Context: {}",
                range_text(query.context, |v| ContextLength::new(v)
                    .map(|c| c.to_string()))
            ),
            url_with(query, |q| q.context = Range::default()),
        ));
    }
    html! {
        @if !chips.is_empty() {
            span.chips {
                @for (label, href) in chips {
                    a.chip href=(href) data-live="1" aria-label=(format!("Remove filter {label}")) { (label) " ×" }
                }
                a.chip.clear href=(url_with(query, |q| { let text = q.text.clone(); *q = CatalogQuery { text, ..CatalogQuery::default() }; })) data-live="1" { "Clear filters" }
            }
        }
    }
}

fn range_text(range: Range, show: impl Fn(u64) -> Option<String>) -> String {
    match (range.min.and_then(&show), range.max.and_then(&show)) {
        (Some(min), Some(max)) => format!("{min}–{max}"),
        (Some(min), None) => format!("{min} and up"),
        (None, Some(max)) => format!("up to {max}"),
        (None, None) => String::new(),
    }
}

fn empty_state(query: &CatalogQuery) -> Markup {
    let filtered = !query.text.is_empty()
        || query
            != &CatalogQuery {
                sort: query.sort,
                page: query.page,
                per_page: query.per_page,
                ..CatalogQuery::default()
            };
    html! {
        div.empty {
            @if filtered {
                h2 { "No models match" }
                p { "Try fewer words, check the spelling, or remove a filter above." }
                p { a href="/models/catalog" data-live="1" { "Show the whole catalog" } }
            } @else {
                h2 { "The catalog is empty" }
                p { "Models appear here when a project shares them: register a model, then run " code { "xeroctl models <model-id> --share" } " or call " code { "POST /{project}/v1/models/{uuid}/share" } "." }
            }
        }
    }
}

fn family_section(query: &CatalogQuery, section: &Section, viewer: Viewer) -> Markup {
    let family = family_view(&section.slug);
    let heading_id = format!("family-{}", section.slug);
    let all = url_with(query, |q| {
        q.families = vec![section.slug.clone()];
        q.page = 1;
    });
    html! {
        section.family aria-labelledby=(heading_id) {
            header {
                (family_logo(&section.slug, 40))
                div {
                    h2 id=(heading_id) { (family.name) " " span.count { "(" (section.count) ")" } @if family.moe { " " abbr.moe title="Mixture of experts" { "MoE" } } }
                    p { (family.description) }
                }
            }
            div.grid {
                @for card in &section.cards { (model_card(card, viewer)) }
            }
            @if section.count > section.cards.len() as u64 {
                p.more { a href=(all) data-live="1" { "All " (section.count) " " (family.name) " models →" } }
            }
        }
    }
}

fn flat_results(query: &CatalogQuery, results: &SearchResults, viewer: Viewer) -> Markup {
    let pages = results
        .total
        .div_ceil(u64::from(query.per_page))
        .min(crate::catalog::query::MAX_OFFSET / u64::from(query.per_page));
    let slug = query.families.first().cloned().unwrap_or_default();
    let family = family_view(&slug);
    html! {
        section.family aria-label=(family.name) {
            header {
                (family_logo(&slug, 40))
                div { h2 { (family.name) } p { (family.description) } }
            }
            div.grid { @for card in &results.hits { (model_card(card, viewer)) } }
        }
        @if pages > 1 {
            nav.pager aria-label="Pages" {
                @if query.page > 1 { a href=(url_with(query, |q| q.page -= 1)) data-live="1" rel="prev" { "← Previous" } }
                span { "Page " (query.page) " of " (pages) }
                @if u64::from(query.page) < pages { a href=(url_with(query, |q| q.page += 1)) data-live="1" rel="next" { "Next →" } }
            }
        }
    }
}

fn filters(query: &CatalogQuery, results: &SearchResults) -> Markup {
    let f = &results.facets;
    html! {
        aside.filters aria-label="Filters" {
            h2 { "Filters" }
            (checkboxes("Family", "family", f.family.iter().map(|(v, c)| (v.clone(), family_view(v).name, *c)), &query.families))
            (buckets("Parameters", "params", &PARAM_BUCKETS, &f.params, query, query.params, |q, r| q.params = r))
            (buckets("Context length", "context", &CONTEXT_BUCKETS, &f.context, query, query.context, |q, r| q.context = r))
            fieldset {
                legend { "Architecture type" }
                @for (value, label, count) in [("", "Any", f.moe[0] + f.moe[1]), ("true", "Mixture of experts", f.moe[1]), ("false", "Dense", f.moe[0])] {
                    @let checked = match query.moe { None => value.is_empty(), Some(m) => value == if m { "true" } else { "false" } };
                    label.option {
                        input type="radio" name="moe" value=(value) checked[checked];
                        " " (label) " " span.count { (count) }
                    }
                }
            }
            (checkboxes("License", "license", f.license.iter().map(|(v, c)| (v.clone(), license_label(v), *c)), &query.licenses))
            (checkboxes("Workload", "tag", f.tag.iter().map(|(v, c)| (v.clone(), v.clone(), *c)), &query.tags))
            fieldset.ranges {
                legend { "Exact ranges" }
                label for="min_params" { "Min parameters" }
                input id="min_params" name="min_params" value=(query.params.min.and_then(ParameterCount::new).map(|p| p.to_string()).unwrap_or_default()) placeholder="7B" size="6";
                label for="max_params" { "Max parameters" }
                input id="max_params" name="max_params" value=(query.params.max.and_then(ParameterCount::new).map(|p| p.to_string()).unwrap_or_default()) placeholder="70B" size="6";
                label for="min_context" { "Min context" }
                input id="min_context" name="min_context" value=(query.context.min.and_then(ContextLength::new).map(|c| c.to_string()).unwrap_or_default()) placeholder="32K" size="6";
                label for="max_context" { "Max context" }
                input id="max_context" name="max_context" value=(query.context.max.and_then(ContextLength::new).map(|c| c.to_string()).unwrap_or_default()) placeholder="1M" size="6";
            }
            button.apply type="submit" { "Apply filters" }
        }
    }
}

fn checkboxes(
    legend: &str,
    name: &str,
    values: impl Iterator<Item = (String, String, u64)>,
    selected: &[String],
) -> Markup {
    let values: Vec<(String, String, u64)> = values.collect();
    html! {
        @if !values.is_empty() {
            fieldset {
                legend { (legend) }
                @for (value, label, count) in values {
                    label.option {
                        input type="checkbox" name=(name) value=(value) checked[selected.contains(&value)];
                        " " (label) " " span.count { (count) }
                    }
                }
            }
        }
    }
}

fn buckets(
    legend: &str,
    _key: &str,
    defined: &[Bucket],
    counts: &[u64],
    query: &CatalogQuery,
    current: Range,
    set: impl Fn(&mut CatalogQuery, Range),
) -> Markup {
    html! {
        fieldset {
            legend { (legend) }
            ul.buckets {
                @for (bucket, count) in defined.iter().zip(counts) {
                    @let active = current == bucket.range;
                    li {
                        @if active {
                            a.active href=(url_with(query, |q| { set(q, Range::default()); q.page = 1; })) data-live="1" aria-current="true" { (bucket.label) " " span.count { (count) } }
                        } @else if *count > 0 {
                            a href=(url_with(query, |q| { set(q, bucket.range); q.page = 1; })) data-live="1" { (bucket.label) " " span.count { (count) } }
                        } @else {
                            span.disabled { (bucket.label) " " span.count { "0" } }
                        }
                    }
                }
            }
        }
    }
}

/// The catalog URL of a modified copy of the query.
fn url_with(query: &CatalogQuery, change: impl FnOnce(&mut CatalogQuery)) -> String {
    let mut next = query.clone();
    change(&mut next);
    let mut pairs: Vec<(&str, String)> = Vec::new();
    if !next.text.is_empty() {
        pairs.push(("q", next.text.clone()));
    }
    pairs.extend(next.families.iter().map(|v| ("family", v.clone())));
    pairs.extend(next.licenses.iter().map(|v| ("license", v.clone())));
    pairs.extend(next.tags.iter().map(|v| ("tag", v.clone())));
    if let Some(moe) = next.moe {
        pairs.push(("moe", moe.to_string()));
    }
    for (key, value) in [
        ("min_params", next.params.min),
        ("max_params", next.params.max),
        ("min_context", next.context.min),
        ("max_context", next.context.max),
    ] {
        if let Some(v) = value {
            pairs.push((key, v.to_string()));
        }
    }
    let default_sort = if next.text.is_empty() {
        Sort::Popular
    } else {
        Sort::Relevance
    };
    if next.sort != default_sort {
        pairs.push(("sort", next.sort.as_str().to_owned()));
    }
    if next.page > 1 {
        pairs.push(("page", next.page.to_string()));
    }
    let encoded: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", form_encode(v)))
        .collect();
    if encoded.is_empty() {
        "/models/catalog".to_owned()
    } else {
        format!("/models/catalog?{}", encoded.join("&"))
    }
}

fn form_encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            b' ' => "+".to_owned(),
            other => format!("%{other:02X}"),
        })
        .collect()
}
