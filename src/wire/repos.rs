//! JSON of repositories: revisions, their files, commits, blobs.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::catalog::repo::{RepoFile, Revision};

/// One file of a revision.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct RepoFileView {
    pub path: String,
    pub sha256: String,
    pub size: u64,
}

impl From<&RepoFile> for RepoFileView {
    fn from(f: &RepoFile) -> Self {
        Self {
            path: f.path.clone(),
            sha256: f.sha256.clone(),
            size: f.size,
        }
    }
}

/// A revision of a model's repository.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct RevisionView {
    /// 40 hex digits.
    pub id: String,
    pub parent: Option<String>,
    pub message: String,
    pub created_at: String,
}

impl From<&Revision> for RevisionView {
    fn from(r: &Revision) -> Self {
        Self {
            id: r.id.clone(),
            parent: r.parent.clone(),
            message: r.message.clone(),
            created_at: r.created_at.clone(),
        }
    }
}

/// `GET …/revisions`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct RevisionList {
    /// Newest first; the first is `main`.
    pub revisions: Vec<RevisionView>,
}

/// `GET …/files`: a revision and its files (`revision` null and no files before the first).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct FileList {
    pub revision: Option<RevisionView>,
    pub files: Vec<RepoFileView>,
    /// The Hub repo id, `{project-slug}/{model-slug}`, for `HF_ENDPOINT` clients.
    pub repo_id: Option<String>,
}

/// `POST …/revisions`: files by the sha256 of blobs already sent, paths to remove.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CommitRequest {
    #[serde(default)]
    pub message: String,
    #[serde(default)]
    pub files: Vec<RepoFileView>,
    #[serde(default)]
    pub delete: Vec<String>,
    /// The new revision holds exactly `files` (a whole-folder upload); default false.
    #[serde(default)]
    pub replace_all: bool,
}

/// A blob the project has.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct BlobView {
    pub sha256: String,
    pub size: u64,
}
