//! Authentication: API keys and passwords, turned into a [`Principal`].
//!
//! No actix types here; the web room calls in. Imports `store` and `catalog`.

pub mod agent_tokens;
pub mod device;
pub mod hashing;
pub mod key_management;
pub mod keys;
pub mod passwords;
pub mod sessions;
pub mod upload_url;

use crate::catalog::ids::ProjectId;

/// The scope of an API key (SPEC §2): a read key cannot change anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyScope {
    Read,
    Write,
}

impl KeyScope {
    pub fn parse(input: &str) -> Option<Self> {
        match input {
            "read" => Some(Self::Read),
            "write" => Some(Self::Write),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Read => "read",
            Self::Write => "write",
        }
    }
}

/// Who is making a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    /// A project API key.
    ApiKey {
        project_id: ProjectId,
        key_id: String,
        scope: KeyScope,
    },
    /// A user logged in through the browser; may act on the projects they are a member of.
    User {
        user_id: i64,
        username: String,
        projects: Vec<ProjectId>,
    },
    /// The local administrator running `xeroctl admin` (or `serve --demo`) on the data directory.
    LocalAdmin,
}

impl Principal {
    /// The name written to the audit log.
    pub fn actor(&self) -> String {
        match self {
            Self::ApiKey { key_id, .. } => format!("key:{key_id}"),
            Self::User { username, .. } => format!("user:{username}"),
            Self::LocalAdmin => "admin-cli".to_owned(),
        }
    }

    /// Returns true when this principal may read the project's private data.
    pub fn can_read(&self, project: &ProjectId) -> bool {
        match self {
            Self::ApiKey { project_id, .. } => project_id == project,
            Self::User { projects, .. } => projects.contains(project),
            Self::LocalAdmin => true,
        }
    }

    /// Returns true when this principal may change the project's data.
    pub fn can_write(&self, project: &ProjectId) -> bool {
        match self {
            Self::ApiKey {
                project_id, scope, ..
            } => project_id == project && *scope == KeyScope::Write,
            Self::User { projects, .. } => projects.contains(project),
            Self::LocalAdmin => true,
        }
    }
}

/// Why a credential was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum AuthError {
    #[error("missing API key: send `Authorization: Bearer xero_<project>_<secret>`")]
    MissingKey,
    #[error("invalid API key")]
    InvalidKey,
    #[error("this API key has been revoked")]
    RevokedKey,
    #[error("an agent token (`xagt_…`) cannot call the project API: send an API key")]
    AgentTokenGiven,
}
