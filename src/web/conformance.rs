//! HTTP conformance (RELIABILITY T42): `HEAD` answered as `GET` without the body, 405 with
//! `Allow` for other methods on a known path, and errors a browser reads as a page while API
//! clients keep the JSON envelope.

use std::sync::OnceLock;

use actix_web::body::{BodySize, BoxBody, MessageBody};
use actix_web::dev::{ResourceDef, ServiceRequest, ServiceResponse};
use actix_web::http::{Method, StatusCode, header};
use actix_web::middleware::Next;
use actix_web::{HttpRequest, HttpResponse, ResponseError};
use maud::html;

use super::error::{ApiError, ErrorCode};
use super::pages;

/// Routes HEAD as GET (RFC 9110 §9.3.2). actix-http already writes no body for a HEAD request;
/// the body is also replaced by an empty one of the same size, so a HEAD on a large file reads
/// none of it.
pub async fn head_as_get(
    mut request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let head = request.method() == Method::HEAD;
    if head {
        request.head_mut().method = Method::GET;
    }
    let response = next.call(request).await?;
    if !head {
        return Ok(response.map_into_boxed_body());
    }
    Ok(response.map_body(|_, body| BoxBody::new(Headless(body.size()))))
}

/// A body that declares the size of the one it replaces and yields nothing.
struct Headless(BodySize);

impl MessageBody for Headless {
    type Error = std::convert::Infallible;

    fn size(&self) -> BodySize {
        self.0
    }

    fn poll_next(
        self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<actix_web::web::Bytes, Self::Error>>> {
        std::task::Poll::Ready(None)
    }
}

/// Every route the server mounts, as patterns with their methods.
fn route_patterns() -> &'static [(ResourceDef, Vec<Method>)] {
    static TABLE: OnceLock<Vec<(ResourceDef, Vec<Method>)>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut by_path: Vec<(String, Vec<Method>)> = Vec::new();
        let mut add =
            |path: String, method: Method| match by_path.iter_mut().find(|(p, _)| *p == path) {
                Some((_, methods)) => methods.push(method),
                None => by_path.push((path, vec![method])),
            };
        for (method, path) in pages::route_table() {
            add(path.to_owned(), method);
        }
        for (method, path) in super::hub::route_table() {
            add(path.to_owned(), method);
        }
        for (method, path) in super::server::api_route_table() {
            add(path, method);
        }
        add("/openapi.json".to_owned(), Method::GET);
        add("/assets/{path:.*}".to_owned(), Method::GET);
        by_path
            .into_iter()
            .map(|(path, mut methods)| {
                if methods.contains(&Method::GET) {
                    methods.push(Method::HEAD);
                }
                (ResourceDef::new(path), methods)
            })
            .collect()
    })
}

/// The methods a known path takes; `None` when no route has this path.
pub fn allowed_methods(path: &str) -> Option<Vec<Method>> {
    let mut found: Option<Vec<Method>> = None;
    for (pattern, methods) in route_patterns() {
        if pattern.is_match(path) {
            let list = found.get_or_insert_with(Vec::new);
            for method in methods {
                if !list.contains(method) {
                    list.push(method.clone());
                }
            }
        }
    }
    found
}

/// The answer for a request no route took: 405 with `Allow` on a known path, else 404.
pub async fn no_route(request: HttpRequest) -> HttpResponse {
    let path = request.path();
    let shown: String = path.chars().take(200).collect();
    let error = match allowed_methods(path) {
        Some(methods) if !methods.contains(request.method()) => {
            let allow = methods
                .iter()
                .map(Method::as_str)
                .collect::<Vec<_>>()
                .join(", ");
            ApiError::new(
                ErrorCode::MethodNotAllowed,
                format!(
                    "{} is not allowed on {shown}; allowed: {allow}",
                    request.method()
                ),
            )
            .with_header(header::ALLOW, allow)
        }
        _ => ApiError::new(
            ErrorCode::RouteNotFound,
            format!("no route for {} {shown}", request.method()),
        ),
    };
    negotiated(&request, &error)
}

/// Whether the client asked for a page (a browser's `Accept` names `text/html`).
pub fn wants_html(request: &HttpRequest) -> bool {
    request
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"))
}

/// The error as the JSON envelope, or as an HTML page for a browser (same status and headers).
pub fn negotiated(request: &HttpRequest, error: &ApiError) -> HttpResponse {
    let mut response = error.error_response();
    if !wants_html(request) {
        return response;
    }
    let status = response.status();
    let title = match status {
        StatusCode::NOT_FOUND => "Not found",
        StatusCode::METHOD_NOT_ALLOWED => "Not allowed here",
        StatusCode::PAYLOAD_TOO_LARGE => "Too large",
        _ if status.is_server_error() => "Something went wrong",
        _ => "This request could not be accepted",
    };
    let body = html! {
        div.empty {
            h1 { (title) }
            p { (error.message) }
            p { a href="/models/catalog" { "Browse the catalog" } }
        }
    };
    let mut page = pages::html(status, pages::layout::page(title, None, None, body));
    let headers = std::mem::take(response.headers_mut());
    for (name, value) in headers.iter() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            page.headers_mut().insert(name.clone(), value.clone());
        }
    }
    page
}

/// Form bodies that cannot be read: the envelope for API clients, a page for browsers.
pub fn form_error(
    error: actix_web::error::UrlencodedError,
    request: &HttpRequest,
) -> actix_web::Error {
    let api = match &error {
        actix_web::error::UrlencodedError::Overflow { limit, .. } => ApiError::new(
            ErrorCode::PayloadTooLarge,
            format!("the form is larger than the {limit}-byte limit"),
        ),
        actix_web::error::UrlencodedError::ContentType => ApiError::new(
            ErrorCode::UnsupportedMediaType,
            "send the form as application/x-www-form-urlencoded",
        ),
        other => ApiError::new(
            ErrorCode::InvalidRequest,
            format!("the form could not be read: {other}"),
        ),
    };
    let response = negotiated(request, &api);
    actix_web::error::InternalError::from_response(error, response).into()
}
