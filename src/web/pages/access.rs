//! Access to member pages: the session and project of a member (anonymous visitors are sent to
//! log in, others get the same 404 as a missing page), the CSRF check of their forms, and the
//! small answers every member page shares.

use actix_web::{HttpRequest, HttpResponse};
use serde::Deserialize;

use crate::catalog::ids::ProjectId;
use crate::ops::access::session::Session;
use crate::web::pages::account::login::forbidden;
use crate::web::pages::page_error::PageError;
use crate::web::session::{current_session, form_allowed};

/// A form that carries nothing but its CSRF token.
#[derive(Debug, Deserialize)]
pub struct CsrfForm {
    pub(crate) csrf: String,
}

/// The member's session and project, or the answer for everyone else.
pub(crate) async fn member(
    request: &HttpRequest,
    raw_project: &str,
) -> Result<(Session, ProjectId), HttpResponse> {
    let Some(session) = current_session(request).await else {
        let next = request.uri().path().to_owned();
        return Err(HttpResponse::SeeOther()
            .insert_header(("Location", format!("/login?next={next}")))
            .finish());
    };
    match ProjectId::parse(raw_project).filter(|p| session.principal().can_read(p)) {
        Some(project) => Ok((session, project)),
        None => Err(not_found(Some(&session))),
    }
}

/// [`member`] for a state-changing form: also checks the CSRF token (RELIABILITY T15).
pub(crate) async fn member_form(
    request: &HttpRequest,
    raw_project: &str,
    csrf: &str,
) -> Result<(Session, ProjectId), HttpResponse> {
    let (session, project) = member(request, raw_project).await?;
    if form_allowed(request, &session, csrf) {
        Ok((session, project))
    } else {
        Err(forbidden())
    }
}

/// The member pages' 404 (another project's page looks exactly like a missing one).
pub(crate) fn not_found(session: Option<&Session>) -> HttpResponse {
    PageError::not_yours().seen_by(session).render()
}

/// The 403 page for a member asking for what only the project's owners may do.
pub(crate) fn not_allowed(session: &Session, reason: &str) -> HttpResponse {
    PageError::forbidden(reason).seen_by(Some(session)).render()
}

/// Authenticated pages are never cached (RELIABILITY T21).
pub(crate) fn private(mut response: HttpResponse) -> HttpResponse {
    response.headers_mut().insert(
        actix_web::http::header::CACHE_CONTROL,
        actix_web::http::header::HeaderValue::from_static("no-store"),
    );
    response
}

pub(crate) fn project_name(session: &Session, project: &ProjectId) -> String {
    session
        .projects
        .iter()
        .find(|(id, _)| id == project)
        .map(|(_, n)| n.clone())
        .unwrap_or_else(|| project.to_string())
}

/// A form field as typed, or `None` when blank.
pub(crate) fn text(value: &str) -> Option<String> {
    let trimmed = value.trim();
    (!trimmed.is_empty()).then(|| value.to_owned())
}
