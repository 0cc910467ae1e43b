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
use super::pages::page_error::PageError;

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
        for (method, path) in super::registry::route_table() {
            add(path.to_owned(), method);
        }
        for (method, path) in super::api::route_table() {
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

/// The answer for a request no route took: 405 with `Allow` on a known path, else 404. Under
/// the Hub's prefixes both come in the Hub's shape (`{"error"}`, `X-Error-Code`), which is what
/// its client reads; a dataset or space path is a repository that does not exist here.
pub async fn no_route(request: HttpRequest) -> HttpResponse {
    let path = request.path();
    let shown: String = path.chars().take(200).collect();
    if super::hub::is_hub_path(path) {
        return match allowed_methods(path) {
            Some(methods) if !methods.contains(request.method()) => {
                let allow = methods
                    .iter()
                    .map(Method::as_str)
                    .collect::<Vec<_>>()
                    .join(", ");
                super::hub::error_response(
                    actix_web::http::StatusCode::METHOD_NOT_ALLOWED,
                    "MethodNotAllowed",
                    &format!(
                        "{} is not allowed on {shown}; allowed: {allow}",
                        request.method()
                    ),
                    &[(header::ALLOW, allow.clone())],
                )
            }
            _ if super::hub::is_dataset_or_space(path) => super::hub::error_response(
                actix_web::http::StatusCode::NOT_FOUND,
                "RepoNotFound",
                "Repository not found: only model repositories exist on this server",
                &[],
            ),
            _ => super::hub::error_response(
                actix_web::http::StatusCode::NOT_FOUND,
                "NotFound",
                &format!("no route for {} {shown}", request.method()),
                &[],
            ),
        };
    }
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

/// Whether the error should be a page: the client is a browser (its `Accept` prefers HTML) and
/// the path is no API's. API paths keep the envelope whatever the `Accept` says, so a
/// misconfigured client never has to parse a page.
pub fn wants_html(request: &HttpRequest) -> bool {
    let accept = request
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    !is_api_path(request.path()) && prefers_html(accept)
}

/// The REST scopes (`/v1/…`, `/{project_id}/v1/…`, `/agents/v1/…`), the Hub protocol
/// (`/api/…`, `/{org}/{name}/resolve/…`) and the machine-read documents.
fn is_api_path(path: &str) -> bool {
    if matches!(path, "/openapi.json" | "/healthz" | "/readyz") {
        return true;
    }
    let mut segments = path.trim_start_matches('/').split('/');
    let first = segments.next().unwrap_or_default();
    let second = segments.next().unwrap_or_default();
    let third = segments.next().unwrap_or_default();
    first == "v1" || first == "v2" || first == "api" || second == "v1" || third == "resolve"
}

/// Whether an `Accept` header ranks HTML above JSON (RFC 9110 §12.5.1 quality values). A tie
/// goes to JSON: `application/json, text/html` is an API client being tolerant.
fn prefers_html(accept: &str) -> bool {
    let mut html: f32 = 0.0;
    let mut json: f32 = 0.0;
    for range in accept.split(',') {
        let mut parts = range.split(';');
        let media = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
        let mut quality: f32 = 1.0;
        for parameter in parts {
            if let Some((name, value)) = parameter.split_once('=')
                && name.trim().eq_ignore_ascii_case("q")
            {
                quality = value.trim().parse().unwrap_or(0.0);
            }
        }
        match media.as_str() {
            "text/html" | "application/xhtml+xml" => html = html.max(quality),
            "application/json" | "application/problem+json" => json = json.max(quality),
            _ => {}
        }
    }
    html > 0.0 && html > json
}

/// The error as the JSON envelope, or as an HTML page for a browser (same status and headers).
pub fn negotiated(request: &HttpRequest, error: &ApiError) -> HttpResponse {
    let response = error.error_response();
    if !wants_html(request) {
        return response;
    }
    let mut page = PageError::for_status(response.status(), error.message.clone());
    if response.status() == StatusCode::NOT_FOUND {
        page = page.with_hint(html! {
            p { "Check the address for a typo, or find the model from the catalog." }
        });
    }
    for (name, value) in response.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            page = page.with_header(name.clone(), value.clone());
        }
    }
    page.render()
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

#[cfg(test)]
mod tests {
    use super::{is_api_path, prefers_html};

    #[test]
    fn browsers_prefer_html_and_api_clients_do_not() {
        let cases = [
            (
                "Firefox",
                "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
                true,
            ),
            (
                "Chrome",
                "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7",
                true,
            ),
            ("HTML alone", "text/html", true),
            ("curl", "*/*", false),
            ("none", "", false),
            ("JSON", "application/json", false),
            (
                "JSON first, HTML tolerated",
                "application/json, text/html;q=0.5",
                false,
            ),
            ("a tie", "application/json, text/html", false),
            ("HTML refused", "text/html;q=0", false),
            (
                "HTML ranked higher",
                "application/json;q=0.5, TEXT/HTML",
                true,
            ),
            ("a bad quality", "text/html;q=high", false),
        ];
        for (description, accept, expected) in cases {
            assert_eq!(prefers_html(accept), expected, "{description}: {accept}");
        }
    }

    #[test]
    fn api_paths_are_told_from_pages() {
        for path in [
            "/v1/nope",
            "/v1",
            "/proj_X/v1/models/nope",
            "/agents/v1/nope",
            "/api/nope",
            "/org/name/resolve/main/x",
            "/openapi.json",
            "/healthz",
        ] {
            assert!(is_api_path(path), "{path}");
        }
        for path in [
            "/",
            "/nope",
            "/models",
            "/models/catalog/x",
            "/projects/p/v2",
        ] {
            assert!(!is_api_path(path), "{path}");
        }
    }
}
