//! The list on a project's "My models" page: the search box, the table with its sortable
//! column headers, the pager, and the empty state that fits (no models yet, none matching, or
//! a page past the end, which is an empty list with a way back rather than an error). What
//! it lists is in the [`Listing`] read from the address (`model_listing.rs`).

use maud::{Markup, html};

use crate::catalog::ids::ProjectId;
use crate::catalog::model::Model;
use crate::ops::access::session::Session;
use crate::ops::models::ModelOrder;
use crate::web::pages::projects::model_listing::{Listing, PER_PAGE, order_key};

/// One page of the list as loaded: the models with their catalog roles, and every match's count.
pub struct ListedPage<'a> {
    /// The page's models, in the listing's order.
    pub models: &'a [Model],
    /// Each model's badge line as the catalog shows it to members, in the same order.
    pub statuses: &'a [String],
    /// How many models match the search in all.
    pub total: u64,
}

impl ListedPage<'_> {
    fn page_count(&self) -> u64 {
        self.total.div_ceil(u64::from(PER_PAGE)).max(1)
    }
}

/// The search box, the table (or the empty state that fits) and the pager.
pub fn model_list(
    session: &Session,
    project: &ProjectId,
    listing: &Listing,
    listed: &ListedPage,
) -> Markup {
    html! {
        (search_box(project, listing))
        @if listed.models.is_empty() {
            (empty_state(project, listing, listed))
        } @else {
            table.models.stack {
                caption { (caption(listing, listed)) }
                thead { tr {
                    (sortable_header(project, listing, ModelOrder::Name, "Name"))
                    th scope="col" { "Architecture" }
                    (sortable_header(project, listing, ModelOrder::Size, "Size"))
                    th scope="col" { "Context" }
                    th scope="col" { "License" }
                    th scope="col" { "File" }
                    (sortable_header(project, listing, ModelOrder::Shared, "Catalog"))
                    (sortable_header(project, listing, ModelOrder::Newest, "Added"))
                    th scope="col" { "Actions" }
                } }
                tbody {
                    @for (model, status) in listed.models.iter().zip(listed.statuses) {
                        (model_row(session, project, model, status))
                    }
                }
            }
            (pager(project, listing, listed))
        }
    }
}

fn search_box(project: &ProjectId, listing: &Listing) -> Markup {
    html! {
        form.searchbar role="search" method="get" action=(format!("/projects/{project}/models")) {
            label for="model-search" { "Find a model" }
            input id="model-search" type="search" name="q" value=[listing.search.as_deref()] placeholder="Part of its name";
            @if listing.order != ModelOrder::default() {
                input type="hidden" name="sort" value=(order_key(listing.order));
            }
            button type="submit" { "Search" }
        }
    }
}

fn caption(listing: &Listing, listed: &ListedPage) -> String {
    let noun = if listed.total == 1 { "model" } else { "models" };
    match &listing.search {
        Some(search) => format!("{} {noun} matching “{search}”", listed.total),
        None => format!("{} {noun}", listed.total),
    }
}

/// A column header that sorts the list; the active one says so (`aria-sort`) and is not a link.
fn sortable_header(
    project: &ProjectId,
    listing: &Listing,
    order: ModelOrder,
    label: &str,
) -> Markup {
    // Each column sorts one way: names A to Z, the rest biggest, shared or newest first.
    let direction = if order == ModelOrder::Name {
        "ascending"
    } else {
        "descending"
    };
    let active = listing.order == order;
    html! {
        th scope="col" aria-sort=[active.then_some(direction)] {
            @if active {
                (label) " " span aria-hidden="true" { (if order == ModelOrder::Name { "▲" } else { "▼" }) }
            } @else {
                a href=(listing.sorted_by(order).url(project)) { (label) }
            }
        }
    }
}

fn pager(project: &ProjectId, listing: &Listing, listed: &ListedPage) -> Markup {
    let pages = listed.page_count();
    html! {
        @if pages > 1 {
            nav.pager aria-label="Pages" {
                @if listing.page > 1 { a href=(listing.with_page(listing.page - 1).url(project)) rel="prev" { "← Previous" } }
                span { "Page " (listing.page) " of " (pages) }
                @if u64::from(listing.page) < pages { a href=(listing.with_page(listing.page + 1).url(project)) rel="next" { "Next →" } }
            }
        }
    }
}

fn empty_state(project: &ProjectId, listing: &Listing, listed: &ListedPage) -> Markup {
    html! {
        div.empty {
            @if listed.total > 0 {
                // A page past the end (models deleted meanwhile, or an edited address).
                @let last = u32::try_from(listed.page_count()).unwrap_or(u32::MAX);
                p { "Page " (listing.page) " is past the end of the list, which has " (last) (if last == 1 { " page." } else { " pages." }) }
                p { a href=(listing.with_page(last).url(project)) { "Go to the last page" } }
            } @else if let Some(search) = &listing.search {
                p { "No model's name contains “" (search) "”." }
                p { a href=(listing.without_search().url(project)) { "Show all models" } }
            } @else {
                p { "No models yet. Register one above, then share it to put it in the catalog." }
            }
        }
    }
}

fn model_row(session: &Session, project: &ProjectId, model: &Model, status: &str) -> Markup {
    let d = &model.details;
    let base = format!("/projects/{project}/models/{}", model.id);
    let (visibility, visibility_label) = if model.shared {
        ("unshare", "Unshare")
    } else {
        ("share", "Share")
    };
    html! {
        tr {
            td {
                @if model.shared { a href=(format!("/models/catalog/{}", model.id)) { (d.name) } } @else { (d.name) }
                br; small.muted { (model.id.display_id()) }
            }
            td data-label="Architecture" { (d.architecture.as_ref().map(|a| a.as_str()).unwrap_or("—")) }
            td data-label="Size" { (d.parameter_count.map(|p| p.to_string()).unwrap_or_else(|| "—".into())) }
            td data-label="Context" { (d.context_length.map(|c| c.to_string()).unwrap_or_else(|| "—".into())) }
            td data-label="License" { (d.license.as_ref().map(|l| l.display_name()).unwrap_or("—")) }
            td data-label="File" { (if model.artifact.is_some() { "Attached" } else { "None" }) }
            td data-label="Catalog" { (status) }
            td data-label="Added" { time datetime=(model.created_at) { (model.created_at.get(..10).unwrap_or(&model.created_at)) } }
            td.actions {
                form method="post" action=(format!("{base}/{visibility}")) {
                    input type="hidden" name="csrf" value=(session.csrf_token);
                    button type="submit" aria-label=(format!("{visibility_label} {}", d.name)) { (visibility_label) }
                }
                a href=(format!("{base}/edit")) aria-label=(format!("Edit or upload a file to {}", d.name)) { "Edit / upload" }
                // Asks first: this post answers the confirmation page (see `projects::model_action`).
                form method="post" action=(format!("{base}/delete")) {
                    input type="hidden" name="csrf" value=(session.csrf_token);
                    button.danger type="submit" aria-label=(format!("Delete {}", d.name)) { "Delete…" }
                }
            }
        }
    }
}
