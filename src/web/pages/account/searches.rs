//! `/searches`: the searches a logged-in user saved (issue 15), each with its catalog link and
//! its Atom feed; saved from the catalog page, deleted here.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use maud::{Markup, html};
use serde::Deserialize;

use crate::ops::access::session::Session;
use crate::ops::{self, OpsError, Services};
use crate::web::pages::access::{CsrfForm, private};
use crate::web::pages::account::login::forbidden;
use crate::web::pages::{html as respond, layout};
use crate::web::session::{current_session, form_allowed};

#[derive(Debug, Deserialize)]
pub struct SaveForm {
    csrf: String,
    #[serde(default)]
    name: String,
    /// The catalog query string the page was showing.
    #[serde(default)]
    query: String,
}

async fn logged_in(request: &HttpRequest) -> Result<Session, HttpResponse> {
    current_session(request).await.ok_or_else(|| {
        HttpResponse::SeeOther()
            .insert_header(("Location", "/login?next=/searches"))
            .finish()
    })
}

/// `GET /searches`.
pub async fn searches_page(request: HttpRequest, services: web::Data<Services>) -> HttpResponse {
    match logged_in(&request).await {
        Ok(session) => render(&services, &session, StatusCode::OK, None).await,
        Err(redirect) => redirect,
    }
}

/// `POST /searches`: saves the search the catalog page showed.
pub async fn save_search(
    request: HttpRequest,
    form: web::Form<SaveForm>,
    services: web::Data<Services>,
) -> HttpResponse {
    let session = match logged_in(&request).await {
        Ok(session) => session,
        Err(redirect) => return redirect,
    };
    if !form_allowed(&request, &session, &form.csrf) {
        return forbidden();
    }
    let pairs: Vec<(String, String)> = form_urlencoded::parse(form.query.as_bytes())
        .into_owned()
        .collect();
    match ops::catalog::saved_searches::save(&services, &session, &form.name, pairs).await {
        Ok(_) => HttpResponse::SeeOther()
            .insert_header(("Location", "/searches"))
            .finish(),
        Err(error @ (OpsError::InvalidInput(_) | OpsError::Conflict(_))) => {
            render(
                &services,
                &session,
                StatusCode::BAD_REQUEST,
                Some(&error.to_string()),
            )
            .await
        }
        Err(error) => {
            tracing::error!(%error, "saving a search failed");
            render(
                &services,
                &session,
                StatusCode::SERVICE_UNAVAILABLE,
                Some("The search could not be saved. Try again in a moment."),
            )
            .await
        }
    }
}

/// `POST /searches/{id}/delete`.
pub async fn delete_search(
    request: HttpRequest,
    path: web::Path<String>,
    form: web::Form<CsrfForm>,
    services: web::Data<Services>,
) -> HttpResponse {
    let session = match logged_in(&request).await {
        Ok(session) => session,
        Err(redirect) => return redirect,
    };
    if !form_allowed(&request, &session, &form.csrf) {
        return forbidden();
    }
    match ops::catalog::saved_searches::delete(&services, &session, path.into_inner()).await {
        Ok(true) => HttpResponse::SeeOther()
            .insert_header(("Location", "/searches"))
            .finish(),
        Ok(false) => {
            render(
                &services,
                &session,
                StatusCode::NOT_FOUND,
                Some("There is no such saved search among yours."),
            )
            .await
        }
        Err(error) => {
            tracing::error!(%error, "deleting a saved search failed");
            render(
                &services,
                &session,
                StatusCode::SERVICE_UNAVAILABLE,
                Some("The search could not be deleted. Try again in a moment."),
            )
            .await
        }
    }
}

async fn render(
    services: &Services,
    session: &Session,
    status: StatusCode,
    message: Option<&str>,
) -> HttpResponse {
    let searches = match ops::catalog::saved_searches::list(services, session).await {
        Ok(searches) => searches,
        Err(error) => {
            tracing::error!(%error, "listing saved searches failed");
            Vec::new()
        }
    };
    let body: Markup = html! {
        h1 { "Saved searches" }
        @if let Some(message) = message {
            p.notice role="alert" { (message) }
        }
        @if searches.is_empty() {
            div.empty {
                p { "You have no saved searches yet. Search the catalog, then use "
                    strong { "Save this search" } " beside the results." }
                p { a href="/models/catalog" { "Go to the catalog" } }
            }
        } @else {
            p { "Each search has an Atom feed of the newest shared models that match it: add its link to a feed reader to hear about new models." }
            table.saved {
                thead { tr { th { "Name" } th { "Search" } th { "Feed" } th { span.visually-hidden { "Actions" } } } }
                tbody {
                    @for search in &searches {
                        tr {
                            td { a href=(format!("/models/catalog?{}", search.query)) { (search.name) } }
                            td { code { (describe(&search.query)) } }
                            td { a href=(format!("/models/catalog.atom?{}", search.query)) type="application/atom+xml" { "Atom feed" } }
                            td {
                                form method="post" action=(format!("/searches/{}/delete", search.id)) {
                                    input type="hidden" name="csrf" value=(session.csrf_token);
                                    button.link type="submit" aria-label=(format!("Delete the saved search {}", search.name)) { "Delete" }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    private(respond(
        status,
        layout::page("Saved searches", Some(session), None, body),
    ))
}

/// A query string as a reader sees it: `q=qwen coder, license=apache-2.0`; "everything" for none.
pub fn describe(query: &str) -> String {
    let parts: Vec<String> = form_urlencoded::parse(query.as_bytes())
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    if parts.is_empty() {
        "every shared model".to_owned()
    } else {
        parts.join(", ")
    }
}
