//! The one place that maps errors to HTTP statuses and stable codes, and renders the envelope
//! `{"error": {"code": "…", "message": "…"}}` for every failure.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError, error::JsonPayloadError};

use crate::auth::AuthError;
use crate::auth::agent_tokens::AgentAuthError;
use crate::ops::OpsError;
use crate::ops::indexing::readiness::{IndexPhase, IndexState};
use crate::wire::{ErrorBody, ErrorDetail};

/// Seconds a client is told to wait (`Retry-After`) while the index is not available.
pub const INDEX_RETRY_AFTER: &str = "2";

/// Stable error codes: API surface, added to but never renamed or reused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    InvalidRequest,
    InvalidJson,
    InvalidParameter,
    MissingApiKey,
    InvalidApiKey,
    Forbidden,
    ModelNotFound,
    ProjectNotFound,
    AgentNotFound,
    EndpointNotFound,
    KeyNotFound,
    MissingAgentToken,
    InvalidAgentToken,
    SharedTierUnavailable,
    XimNodeRequired,
    InvalidModelFile,
    UploadTimeout,
    BodyTimeout,
    TooManyRequests,
    InsufficientStorage,
    ArtifactNotFound,
    RangeNotSatisfiable,
    RouteNotFound,
    MethodNotAllowed,
    Conflict,
    PayloadTooLarge,
    UnsupportedMediaType,
    IndexUnavailable,
    Internal,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InvalidRequest => "invalid_request",
            Self::InvalidJson => "invalid_json",
            Self::InvalidParameter => "invalid_parameter",
            Self::MissingApiKey => "missing_api_key",
            Self::InvalidApiKey => "invalid_api_key",
            Self::Forbidden => "forbidden",
            Self::ModelNotFound => "model_not_found",
            Self::ProjectNotFound => "project_not_found",
            Self::AgentNotFound => "agent_not_found",
            Self::EndpointNotFound => "endpoint_not_found",
            Self::KeyNotFound => "key_not_found",
            Self::MissingAgentToken => "missing_agent_token",
            Self::InvalidAgentToken => "invalid_agent_token",
            Self::SharedTierUnavailable => "shared_tier_unavailable",
            Self::XimNodeRequired => "xim_node_required",
            Self::InvalidModelFile => "invalid_model_file",
            Self::UploadTimeout => "upload_timeout",
            Self::BodyTimeout => "body_timeout",
            Self::TooManyRequests => "too_many_requests",
            Self::InsufficientStorage => "insufficient_storage",
            Self::ArtifactNotFound => "artifact_not_found",
            Self::RangeNotSatisfiable => "range_not_satisfiable",
            Self::RouteNotFound => "route_not_found",
            Self::MethodNotAllowed => "method_not_allowed",
            Self::Conflict => "conflict",
            Self::PayloadTooLarge => "payload_too_large",
            Self::UnsupportedMediaType => "unsupported_media_type",
            Self::IndexUnavailable => "index_unavailable",
            Self::Internal => "internal",
        }
    }

    pub fn status(self) -> StatusCode {
        match self {
            Self::InvalidRequest
            | Self::InvalidJson
            | Self::InvalidParameter
            | Self::InvalidModelFile => StatusCode::BAD_REQUEST,
            Self::UploadTimeout | Self::BodyTimeout => StatusCode::REQUEST_TIMEOUT,
            Self::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            Self::RangeNotSatisfiable => StatusCode::RANGE_NOT_SATISFIABLE,
            Self::InsufficientStorage => StatusCode::INSUFFICIENT_STORAGE,
            Self::MissingApiKey
            | Self::InvalidApiKey
            | Self::MissingAgentToken
            | Self::InvalidAgentToken => StatusCode::UNAUTHORIZED,
            Self::Forbidden => StatusCode::FORBIDDEN,
            Self::ModelNotFound
            | Self::ProjectNotFound
            | Self::AgentNotFound
            | Self::EndpointNotFound
            | Self::KeyNotFound
            | Self::ArtifactNotFound
            | Self::RouteNotFound => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::Conflict | Self::SharedTierUnavailable | Self::XimNodeRequired => {
                StatusCode::CONFLICT
            }
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::IndexUnavailable => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

/// An error on its way to the client.
#[derive(Debug)]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
    /// Headers the status calls for (`Allow` on 405, `Content-Range` on 416).
    pub headers: Vec<(header::HeaderName, String)>,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            headers: Vec::new(),
        }
    }

    pub fn with_header(mut self, name: header::HeaderName, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    /// The 404 for an id that is not a UUID, such as a CLI display id (SPEC §4).
    pub fn model_id_not_uuid(raw: &str) -> Self {
        let hint = if raw.starts_with("mdl_") {
            "`mdl_` ids are CLI-local display ids from `xeroctl models` and never resolve here"
        } else {
            "it is not a UUID"
        };
        Self::new(
            ErrorCode::ModelNotFound,
            format!(
                "model `{}` not found: REST and web routes take the model's UUID; {hint}",
                truncate(raw)
            ),
        )
    }

    /// Maps a JSON body extractor failure.
    pub fn from_json_error(error: &JsonPayloadError) -> Self {
        match error {
            JsonPayloadError::Overflow { limit }
            | JsonPayloadError::OverflowKnownLength { limit, .. } => Self::new(
                ErrorCode::PayloadTooLarge,
                format!("request body is larger than the {limit}-byte limit"),
            ),
            JsonPayloadError::ContentType => Self::new(
                ErrorCode::UnsupportedMediaType,
                "send the body as `application/json`",
            ),
            JsonPayloadError::Deserialize(e) if e.is_data() => Self::new(
                ErrorCode::InvalidRequest,
                format!("invalid request body: {e}"),
            ),
            JsonPayloadError::Deserialize(e) => {
                Self::new(ErrorCode::InvalidJson, format!("malformed JSON: {e}"))
            }
            other => Self::new(
                ErrorCode::InvalidRequest,
                format!("cannot read the request body: {other}"),
            ),
        }
    }
}

/// Keeps echoed input short, so a huge id does not come back in full.
fn truncate(raw: &str) -> String {
    if raw.chars().count() > 64 {
        format!("{}…", raw.chars().take(64).collect::<String>())
    } else {
        raw.to_owned()
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code.as_str(), self.message)
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.code.status()
    }

    fn error_response(&self) -> HttpResponse {
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code.as_str().to_owned(),
                message: self.message.clone(),
            },
        };
        let mut response = HttpResponse::build(self.status_code());
        if self.code == ErrorCode::IndexUnavailable {
            response.insert_header((
                header::RETRY_AFTER,
                HeaderValue::from_static(INDEX_RETRY_AFTER),
            ));
        }
        if self.status_code() == StatusCode::UNAUTHORIZED {
            response.insert_header((
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"xeroctl\""),
            ));
        }
        for (name, value) in &self.headers {
            if let Ok(value) = HeaderValue::from_str(value) {
                response.insert_header((name.clone(), value));
            }
        }
        response.json(body)
    }
}

impl From<AuthError> for ApiError {
    fn from(error: AuthError) -> Self {
        let code = match error {
            AuthError::MissingKey => ErrorCode::MissingApiKey,
            AuthError::InvalidKey | AuthError::RevokedKey | AuthError::AgentTokenGiven => {
                ErrorCode::InvalidApiKey
            }
        };
        Self::new(code, error.to_string())
    }
}

impl From<AgentAuthError> for ApiError {
    fn from(error: AgentAuthError) -> Self {
        let code = match error {
            AgentAuthError::Missing => ErrorCode::MissingAgentToken,
            AgentAuthError::ApiKeyGiven | AgentAuthError::Invalid => ErrorCode::InvalidAgentToken,
        };
        Self::new(code, error.to_string())
    }
}

impl From<OpsError> for ApiError {
    fn from(error: OpsError) -> Self {
        let message = error.to_string();
        match error {
            OpsError::Invalid(_) | OpsError::InvalidInput(_) | OpsError::Password(_) => {
                Self::new(ErrorCode::InvalidRequest, message)
            }
            OpsError::Unauthenticated(auth) => auth.into(),
            OpsError::Forbidden(_) => Self::new(ErrorCode::Forbidden, message),
            OpsError::ModelNotFound { .. } => Self::new(ErrorCode::ModelNotFound, message),
            OpsError::ProjectNotFound { .. } => Self::new(ErrorCode::ProjectNotFound, message),
            OpsError::AgentNotFound { .. } => Self::new(ErrorCode::AgentNotFound, message),
            OpsError::EndpointNotFound { .. } => Self::new(ErrorCode::EndpointNotFound, message),
            OpsError::KeyNotFound { .. } => Self::new(ErrorCode::KeyNotFound, message),
            OpsError::SharedTierUnavailable(_) => {
                Self::new(ErrorCode::SharedTierUnavailable, message)
            }
            OpsError::XimNodeRequired(_) => Self::new(ErrorCode::XimNodeRequired, message),
            OpsError::PayloadTooLarge(_) => Self::new(ErrorCode::PayloadTooLarge, message),
            OpsError::InvalidModelFile(_) => Self::new(ErrorCode::InvalidModelFile, message),
            OpsError::UploadStalled { .. } => Self::new(ErrorCode::UploadTimeout, message),
            OpsError::InsufficientStorage(_) => Self::new(ErrorCode::InsufficientStorage, message),
            OpsError::ArtifactNotFound { .. } => Self::new(ErrorCode::ArtifactNotFound, message),
            OpsError::Conflict(_) => Self::new(ErrorCode::Conflict, message),
            OpsError::IndexUnavailable => Self::new(
                ErrorCode::IndexUnavailable,
                "the search index is not available; try again shortly",
            ),
            OpsError::IndexNotReady(state) => {
                Self::new(ErrorCode::IndexUnavailable, not_ready_message(&state))
            }
            OpsError::DataDir { .. }
            | OpsError::TaskFailed { .. }
            | OpsError::DataDirInUse { .. }
            | OpsError::Store(_)
            | OpsError::Search(_) => {
                // Details go to the log once, never to the client.
                tracing::error!(error = ?error_chain(&error), "request failed");
                Self::new(ErrorCode::Internal, "internal error")
            }
        }
    }
}

/// What a catalog read is told while the index is being reconciled at start-up.
pub fn not_ready_message(state: &IndexState) -> String {
    match state.phase {
        IndexPhase::Rebuilding => format!(
            "the search index is being rebuilt ({} of {} models, {} %); try again shortly",
            state.indexed,
            state.total,
            state.percent()
        ),
        _ => "the search index is starting; try again shortly".to_owned(),
    }
}

fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
