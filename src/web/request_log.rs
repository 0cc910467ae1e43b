//! One log line per failed request, short and at the right level: 4xx are the caller's
//! business (INFO), 5xx ours (ERROR; the cause was logged once where it happened), but a 503
//! while the index is being built only DEBUG. User input
//! (paths, messages that echo it) is cut to 200 characters, and query strings are never logged.

use actix_web::Error;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use tracing::Span;
use tracing_actix_web::RootSpanBuilder;

/// Longest piece of user input a log line repeats.
const MAX_LOGGED: usize = 200;

fn cut(text: &str) -> String {
    if text.chars().count() > MAX_LOGGED {
        format!("{}…", text.chars().take(MAX_LOGGED).collect::<String>())
    } else {
        text.to_owned()
    }
}

/// The root span of every request: method and (cut) path only.
pub struct RequestLog;

impl RootSpanBuilder for RequestLog {
    fn on_request_start(request: &ServiceRequest) -> Span {
        tracing::info_span!(
            "request",
            method = %request.method(),
            path = %cut(request.path()),
            status = tracing::field::Empty,
        )
    }

    fn on_request_end<B: MessageBody>(span: Span, outcome: &Result<ServiceResponse<B>, Error>) {
        let (status, error) = match outcome {
            Ok(response) => (
                response.status(),
                response.response().error().map(ToString::to_string),
            ),
            Err(error) => (
                error.as_response_error().status_code(),
                Some(error.to_string()),
            ),
        };
        span.record("status", status.as_u16());
        let _entered = span.enter();
        let message = error.as_deref().map(cut).unwrap_or_default();
        if status == actix_web::http::StatusCode::SERVICE_UNAVAILABLE {
            // The index is still being built at start-up: expected, and a load balancer polling
            // `/readyz` would flood the log (the rebuild logs its own progress).
            tracing::debug!(status = status.as_u16(), %message, "request deferred");
        } else if status.is_server_error() {
            tracing::error!(status = status.as_u16(), %message, "request failed");
        } else if status.is_client_error() && !message.is_empty() {
            tracing::info!(status = status.as_u16(), %message, "request refused");
        }
    }
}
