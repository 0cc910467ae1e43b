//! Errors of the use cases; the web room maps each to a status and a stable code.

use std::path::PathBuf;

use crate::auth::AuthError;
use crate::auth::passwords::PasswordError;
use crate::catalog::CatalogError;
use crate::search::SearchError;
use crate::store::StoreError;

/// What a use case can answer besides success.
#[derive(Debug, thiserror::Error)]
pub enum OpsError {
    #[error(transparent)]
    Invalid(#[from] CatalogError),
    #[error("{0}")]
    InvalidInput(String),
    #[error(transparent)]
    Unauthenticated(#[from] AuthError),
    #[error("{0}")]
    Forbidden(String),
    #[error("model `{id}` not found")]
    ModelNotFound { id: String },
    #[error("agent `{id}` not found")]
    AgentNotFound { id: String },
    #[error("endpoint `{id}` not found")]
    EndpointNotFound { id: String },
    #[error("no API key `{id}` in this project")]
    KeyNotFound { id: String },
    /// A shared-tier deploy of a model no active shared agent has loaded.
    #[error("{0}")]
    SharedTierUnavailable(String),
    /// A xim-tier deploy in a project without an active XIM node.
    #[error("{0}")]
    XimNodeRequired(String),
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error("{0}")]
    InvalidModelFile(String),
    #[error("the upload sent nothing for {seconds} s and was aborted")]
    UploadStalled { seconds: u64 },
    #[error("{0}")]
    InsufficientStorage(String),
    #[error("model `{id}` has no uploaded file")]
    ArtifactNotFound { id: String },
    #[error("project `{id}` not found")]
    ProjectNotFound { id: String },
    #[error("{0}")]
    Conflict(String),
    #[error(transparent)]
    Password(#[from] PasswordError),
    #[error("another xeroctl server is already using data directory `{path}`")]
    DataDirInUse { path: String },
    #[error("cannot use data directory `{path}`")]
    DataDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Store(StoreError),
    #[error(transparent)]
    Search(#[from] SearchError),
    #[error("the search index is not available")]
    IndexUnavailable,
    /// The server is still reconciling its index at start-up (a rebuild shows its progress).
    #[error("the search index is not ready yet ({})", .0.phase.as_str())]
    IndexNotReady(super::indexing::readiness::IndexState),
    /// A blocking task panicked or was cancelled: a server fault, never the caller's.
    #[error("{what} task failed: {cause}")]
    TaskFailed { what: &'static str, cause: String },
}

impl OpsError {
    /// The error of a blocking task that did not finish.
    pub fn task(what: &'static str, error: tokio::task::JoinError) -> Self {
        Self::TaskFailed {
            what,
            cause: error.to_string(),
        }
    }
}

impl From<StoreError> for OpsError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Conflict(message) => Self::Conflict(message),
            other => Self::Store(other),
        }
    }
}
