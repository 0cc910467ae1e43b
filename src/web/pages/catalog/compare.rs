//! `GET /models/compare?ids=…`: 2–4 shared models side by side (SPEC §11), one table of every
//! field with the rows that differ marked, memory estimates at one context, licence intent.
//! Reached from the catalog's "Compare" checkboxes, a plain GET form.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use maud::html;

use crate::catalog::card::CatalogCard;
use crate::catalog::compare::{CONTEXT, parse_ids, rows};
use crate::catalog::units::ContextLength;
use crate::ops::{self, OpsError, Services};
use crate::web::pages::page_error::PageError;
use crate::web::pages::{html as respond, layout};
use crate::web::session::current_session;

/// The handler.
pub async fn compare_page(
    request: HttpRequest,
    pairs: web::Query<Vec<(String, String)>>,
    services: web::Data<Services>,
) -> Result<HttpResponse, PageError> {
    let session = current_session(&request).await;
    let cards = load_cards(&services, &pairs)
        .await
        .map_err(|error| error.seen_by(session.as_ref()))?;
    let table = rows(&cards);
    let differing = table.iter().filter(|r| r.differs).count();
    let context = ContextLength::new(CONTEXT).map_or(CONTEXT.to_string(), |c| c.to_string());
    // The viewer's remembered budget or device, if any: each bar is drawn against it.
    let budget = crate::web::pages::fit_cookie::read(&request);
    let body = html! {
        nav.crumbs aria-label="Breadcrumb" { a href="/models/catalog" { "Model catalog" } " / Compare" }
        h1 { "Compare " (cards.len()) " models" }
        p.lead { (differing) " of " (table.len()) " fields differ (marked ≠). Memory estimates are at " (context) " tokens of context." }
        div.compare-scroll {
            table.compare {
                thead {
                    tr {
                        th scope="col" { span.visually-hidden { "Field" } }
                        @for card in &cards {
                            th scope="col" { a href=(format!("/models/catalog/{}", card.id)) { (card.name) } }
                        }
                    }
                }
                tbody {
                    @for row in &table {
                        tr class=[row.differs.then_some("differs")] {
                            th scope="row" {
                                (row.label)
                                @if row.differs { " " span.marker title="The models differ here" { "≠" } }
                            }
                            @for value in &row.values { td { (value) } }
                        }
                    }
                    tr.memory-bars {
                        th scope="row" { "Memory at " (context) @if let Some(b) = &budget { " against " (b.label()) } }
                        @for card in &cards {
                            @let e = card.memory(CONTEXT);
                            td { (crate::web::pages::detail::choosing::bar(e.weights, e.kv_cache, e.runtime(), budget.map(|b| (b.bytes(), b.label())))) }
                        }
                    }
                }
            }
        }
    };
    Ok(respond(
        StatusCode::OK,
        layout::page("Compare models", session.as_ref(), None, body),
    ))
}

async fn load_cards(
    services: &Services,
    pairs: &[(String, String)],
) -> Result<Vec<CatalogCard>, PageError> {
    let values = pairs
        .iter()
        .filter(|(k, _)| k == "ids")
        .map(|(_, v)| v.as_str());
    let problem = |error: PageError| {
        error
            .titled("These models cannot be compared")
            .with_hint(html! {
                p { "Tick 2 to 4 models on the catalog's cards, then choose " strong { "Compare selected" } "." }
            })
            .with_link("/models/catalog", "Back to the catalog")
    };
    let ids = parse_ids(values).map_err(|message| problem(PageError::bad_request(message)))?;
    match ops::catalog::compare(services, ids).await {
        Ok(cards) => Ok(cards),
        Err(OpsError::ModelNotFound { id }) => Err(problem(PageError::not_found(format!(
            "No shared model has the id `{id}`: it may have been unshared or deleted."
        )))),
        Err(error) => Err(PageError::internal("compare failed", &error)),
    }
}
