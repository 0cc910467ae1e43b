//! The HTML error page: the one type page handlers answer a failure with, rendered in the site
//! layout with the status an API client would get for the same failure (STYLE §3). Browsers
//! that reach no route get it as well (`conformance::no_route`); API clients keep the envelope.
//!
//! A 500 logs its cause once, here, and shows none of it: no SQL, paths or panics in a page.

use std::fmt;

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use maud::{Markup, html};

use crate::ops::access::session::Session;
use crate::web::pages::layout;

/// A page that could not be shown: its status, what happened and what to do next.
#[derive(Debug, Clone)]
pub struct PageError {
    // Boxed: handlers return `Result<_, PageError>`, and the session alone is larger than an
    // `Ok` value should have to carry.
    inner: Box<Details>,
}

#[derive(Debug, Clone)]
struct Details {
    status: StatusCode,
    title: String,
    message: String,
    /// Markup built by maud (so escaped), shown under the message.
    hint: Option<Markup>,
    link: Option<(String, String)>,
    /// Whose header the page shows: an error keeps the visitor logged in on screen.
    session: Option<Session>,
    headers: Vec<(HeaderName, HeaderValue)>,
}

impl PageError {
    /// An error page with this status, title and message, linking back to the catalog.
    pub fn new(status: StatusCode, title: impl Into<String>, message: impl Into<String>) -> Self {
        let details = Details {
            status,
            title: title.into(),
            message: message.into(),
            hint: None,
            link: Some((
                "/models/catalog".to_owned(),
                "Browse the catalog".to_owned(),
            )),
            session: None,
            headers: Vec::new(),
        };
        Self {
            inner: Box::new(details),
        }
    }

    /// An error page titled after its status (the pages' wording for API error codes).
    pub fn for_status(status: StatusCode, message: impl Into<String>) -> Self {
        Self::new(status, title_for(status), message)
    }

    /// 404: the page or what it shows does not exist.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::for_status(StatusCode::NOT_FOUND, message)
    }

    /// 400: the address or form asks for something the page cannot read.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::for_status(StatusCode::BAD_REQUEST, message)
    }

    /// 403: the visitor may not do this.
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "Not allowed", message)
    }

    /// 503: the page will work again soon (the index is rebuilding, the server is busy).
    pub fn unavailable(message: impl Into<String>) -> Self {
        Self::for_status(StatusCode::SERVICE_UNAVAILABLE, message)
    }

    /// 500: logs `error` (with its `Debug` chain) under `context` and shows nothing of it.
    pub fn internal(context: &str, error: &(impl fmt::Debug + fmt::Display)) -> Self {
        tracing::error!(error = ?error, "{context}: {error}");
        Self::for_status(
            StatusCode::INTERNAL_SERVER_ERROR,
            "The server could not show this page. Try again in a moment; if it keeps failing, \
             the server's log says why.",
        )
    }

    /// The member pages' 404: another project's page looks exactly like a missing one.
    pub fn not_yours() -> Self {
        Self::not_found("There is no such project or model among yours.")
    }

    /// The CSRF refusal, the same for every form (RELIABILITY T15).
    pub fn stale_form() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "This form could not be accepted",
            "It expired or came from another site. Go back, reload the page and try again.",
        )
        .without_link()
    }

    /// Replaces the title.
    pub fn titled(mut self, title: impl Into<String>) -> Self {
        self.inner.title = title.into();
        self
    }

    /// Adds what the visitor can do about it.
    pub fn with_hint(mut self, hint: Markup) -> Self {
        self.inner.hint = Some(hint);
        self
    }

    /// Replaces the link back to the catalog.
    pub fn with_link(mut self, href: impl Into<String>, label: impl Into<String>) -> Self {
        self.inner.link = Some((href.into(), label.into()));
        self
    }

    /// Drops the link back to the catalog.
    pub fn without_link(mut self) -> Self {
        self.inner.link = None;
        self
    }

    /// Shows the page with this visitor's header.
    pub fn seen_by(mut self, session: Option<&Session>) -> Self {
        self.inner.session = session.cloned();
        self
    }

    /// Adds a response header (`Allow` on a 405, `Retry-After` on a 503).
    pub fn with_header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.inner.headers.push((name, value));
        self
    }

    /// The page's status.
    pub fn status(&self) -> StatusCode {
        self.inner.status
    }

    /// The answer: the page in the site layout, never cached.
    pub fn render(&self) -> HttpResponse {
        let page = &self.inner;
        let body = html! {
            div.empty.page-error {
                h1 { (page.title) }
                p { (page.message) }
                @if let Some(hint) = &page.hint { (hint) }
                @if let Some((href, label)) = &page.link { p { a href=(href) { (label) } } }
            }
        };
        let markup = layout::page(&page.title, page.session.as_ref(), None, body);
        let mut response = crate::web::pages::html(page.status, markup);
        for (name, value) in &page.headers {
            response.headers_mut().insert(name.clone(), value.clone());
        }
        // An error is no page to keep: the next visit may well succeed (RELIABILITY T21).
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        response
    }
}

impl fmt::Display for PageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.inner.title, self.inner.message)
    }
}

impl ResponseError for PageError {
    fn status_code(&self) -> StatusCode {
        self.inner.status
    }

    fn error_response(&self) -> HttpResponse {
        self.render()
    }
}

impl From<PageError> for HttpResponse {
    fn from(error: PageError) -> Self {
        error.render()
    }
}

fn title_for(status: StatusCode) -> &'static str {
    match status {
        StatusCode::NOT_FOUND => "Not found",
        StatusCode::METHOD_NOT_ALLOWED => "Not allowed here",
        StatusCode::PAYLOAD_TOO_LARGE => "Too large",
        StatusCode::SERVICE_UNAVAILABLE => "Not available just now",
        _ if status.is_server_error() => "Something went wrong",
        _ => "This request could not be accepted",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_error_keeps_its_status_and_headers_and_is_not_cached() {
        let response = PageError::unavailable("the index is being rebuilt")
            .with_header(header::RETRY_AFTER, HeaderValue::from_static("2"))
            .render();
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        let value_of = |name| response.headers().get(name).unwrap().to_str().unwrap();
        assert_eq!(value_of(header::RETRY_AFTER), "2");
        assert_eq!(value_of(header::CACHE_CONTROL), "no-store");
        assert!(value_of(header::CONTENT_TYPE).starts_with("text/html"));
    }

    #[test]
    fn titles_follow_the_status() {
        let cases = [
            (StatusCode::NOT_FOUND, "Not found"),
            (
                StatusCode::BAD_REQUEST,
                "This request could not be accepted",
            ),
            (StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong"),
            (StatusCode::BAD_GATEWAY, "Something went wrong"),
        ];
        for (status, title) in cases {
            assert_eq!(
                PageError::for_status(status, "m").inner.title,
                title,
                "{status}"
            );
        }
    }
}
