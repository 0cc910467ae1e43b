//! The results part of the catalog page: family sections, the flat ranked list, paging, the
//! empty and past-the-end states, and each card's variants.

use std::collections::HashMap;

use maud::{Markup, html};

use crate::catalog::badge::Viewer;
use crate::catalog::card::CatalogCard;
use crate::catalog::facet_list::FAMILY;
use crate::catalog::family::family_view;
use crate::catalog::ids::ModelId;
use crate::catalog::query::{CatalogQuery, Selection};
use crate::catalog::search_results::SearchResults;
use crate::web::pages::catalog::filters::url_with;
use crate::web::pages::components::{family_logo, model_card};

/// One family of the grouped landing view: its best cards and how many models it has.
pub(crate) struct Section {
    pub(crate) slug: String,
    pub(crate) count: u64,
    pub(crate) cards: Vec<CatalogCard>,
}

pub(crate) fn empty_state(query: &CatalogQuery) -> Markup {
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

/// The other variants of a card's model, as the search found them.
fn variants_of<'a>(
    variants: &'a HashMap<ModelId, Vec<CatalogCard>>,
    card: &CatalogCard,
) -> &'a [CatalogCard] {
    variants.get(&card.id).map_or(&[], Vec::as_slice)
}

pub(crate) fn family_section(
    query: &CatalogQuery,
    section: &Section,
    viewer: Viewer,
    variants: &HashMap<ModelId, Vec<CatalogCard>>,
) -> Markup {
    let family = family_view(&section.slug);
    let heading_id = format!("family-{}", section.slug);
    let all = url_with(query, |q| {
        q.filters[FAMILY] = Selection::Values(vec![section.slug.clone()]);
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
                @for card in &section.cards { (model_card(card, viewer, &fit_of(query), variants_of(variants, card))) }
            }
            @if section.count > section.cards.len() as u64 {
                p.more { a href=(all) data-live="1" { "All " (section.count) " " (family.name) " models →" } }
            }
        }
    }
}

pub(crate) fn flat_results(
    query: &CatalogQuery,
    results: &SearchResults,
    viewer: Viewer,
) -> Markup {
    let pages = results
        .total
        .div_ceil(u64::from(query.per_page))
        .min(crate::catalog::query::MAX_OFFSET / u64::from(query.per_page));
    let family = match query.values(FAMILY) {
        [slug] => Some((slug.clone(), family_view(slug))),
        _ => None,
    };
    html! {
        @if results.hits.is_empty() {
            (past_the_end(query, pages, "results"))
        }
        section.family.list aria-label=(family.as_ref().map_or("Results", |(_, f)| f.name.as_str())) {
            @if let Some((slug, family)) = &family {
                header {
                    (family_logo(slug, 40))
                    div { h2 { (family.name) } p { (family.description) } }
                }
            }
            @if results.match_mode == Some(crate::catalog::search_results::MatchMode::Most) {
                p.match-most data-testid="match-most" {
                    @match results.every_word {
                        0 => { "No model has every word; showing models with most of them." }
                        1 => { "Only 1 model has every word; after it, models with most of them." }
                        n => { "Only " (n) " models have every word; after them, models with most of them." }
                    }
                }
            }
            @if let (Some((fits, weights_only)), Some(budget)) = (results.fit_totals, query.fit().budget) {
                p.fit-order data-testid="fit-order" {
                    @if fits == 0 && weights_only > 0 {
                        "No model's whole estimate is known to fit " (budget.label()) "; showing the " (weights_only) " whose weights fit, their KV cache unknown."
                    } @else {
                        (fits) " fit " (budget.label()) " (weights, KV cache and overhead known)"
                        @if weights_only > 0 { "; after them, " (weights_only) " whose weights fit but whose KV cache is unknown" }
                        "."
                    }
                }
            }
            div.grid { @for card in &results.hits { (model_card(card, viewer, &fit_of(query), variants_of(&results.variants, card))) } }
        }
        (pager(query, pages, "results"))
    }
}

/// Previous / next links over `pages` pages of results or of family sections.
pub(crate) fn pager(query: &CatalogQuery, pages: u64, what: &str) -> Markup {
    html! {
        @if pages > 1 && u64::from(query.page) <= pages {
            nav.pager aria-label=(format!("Pages of {what}")) {
                @if query.page > 1 { a href=(url_with(query, |q| q.page -= 1)) data-live="1" rel="prev" { "← Previous" } }
                span { "Page " (query.page) " of " (pages) }
                @if u64::from(query.page) < pages { a href=(url_with(query, |q| q.page += 1)) data-live="1" rel="next" { "Next →" } }
            }
        }
    }
}

/// A page number past the last page: say so and link to the last one.
pub(crate) fn past_the_end(query: &CatalogQuery, pages: u64, what: &str) -> Markup {
    let last = pages.max(1) as u32;
    html! {
        div.empty role="status" {
            h2 { "Page " (query.page) " is past the end" }
            p { "These " (what) " fill " (last) @if last == 1 { " page" } @else { " pages" } "." }
            p { a href=(url_with(query, |q| q.page = last)) data-live="1" { "Go to page " (last) } }
        }
    }
}

/// The search's fit selection with its context filled in.
fn fit_of(query: &CatalogQuery) -> crate::catalog::query::Fit {
    crate::catalog::query::Fit {
        context: Some(query.fit_context()),
        ..query.fit()
    }
}
