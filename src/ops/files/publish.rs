//! The write side of the Hub protocol (SPEC §14) over the same repositories, blob store and use
//! cases as our own API: `create_repo` registers (and, when public, shares) a model, LFS objects
//! land in the blob store as the project's blobs (`lfs`), and a Hub commit is one
//! `repos::commit`. So an `hf upload` and an `xeroctl models upload` of one folder store the same
//! bytes once, make the same revision and write the same audit rows. Branches and tags: `refs`.

use std::collections::BTreeMap;

use super::repos::{self, Commit};
use crate::auth::Principal;
use crate::catalog::ids::ProjectId;
use crate::catalog::model::{ModelInput, NewModel};
use crate::catalog::repo::{RepoFile, Revision, slugify};
use crate::ops::access::require_write;
use crate::ops::catalog::hub::{HubRepo, hub_repo, hub_revision};
use crate::ops::models::share::{Visibility, set_visibility};
use crate::ops::{OpsError, Services};
use crate::store::{self, repos as repo_rows};

/// The `.gitattributes` a new repository starts with (the Hub's, shortened to what matters:
/// weights are LFS files).
const GITATTRIBUTES: &[u8] = b"*.bin filter=lfs diff=lfs merge=lfs -text\n*.gguf filter=lfs diff=lfs merge=lfs -text\n*.safetensors filter=lfs diff=lfs merge=lfs -text\n*.pt filter=lfs diff=lfs merge=lfs -text\n*.onnx filter=lfs diff=lfs merge=lfs -text\n";

/// Stores bytes that arrived whole (an inline file of a commit) as a blob of the project, like
/// any upload.
pub async fn store_bytes(
    services: &Services,
    principal: &Principal,
    project: &ProjectId,
    bytes: Vec<u8>,
) -> Result<RepoFile, OpsError> {
    let quota = super::upload::quota_left(services, project, None).await?;
    let mut upload = super::upload::Upload::start(services, Some(bytes.len() as u64), quota)?;
    upload.push(&bytes).await?;
    let received = upload.finish().await?;
    repos::store_blob(services, principal, project, None, received).await
}

/// The project a write key belongs to, with its slug (the Hub's organisation).
async fn key_project(
    services: &Services,
    principal: &Principal,
) -> Result<(ProjectId, String), OpsError> {
    let Principal::ApiKey { project_id, .. } = principal else {
        return Err(OpsError::Forbidden(
            "Hub writes need a project API key (`hf auth login` with a write key)".into(),
        ));
    };
    require_write(principal, project_id)?;
    let id = project_id.clone();
    let project = services
        .store
        .call(move |conn| store::projects::find_project(conn, &id))
        .await?
        .ok_or_else(|| OpsError::ProjectNotFound {
            id: project_id.to_string(),
        })?;
    Ok((project.id, project.slug.to_string()))
}

/// What `create_repo` did.
pub struct CreatedRepo {
    pub repo_id: String,
    /// False: it existed already (the Hub answers 409, which `exist_ok` accepts).
    pub created: bool,
}

/// `POST /api/repos/create`: a model named `name` in the key's project (the organisation, when
/// given, must be that project's slug), shared unless `private`.
pub async fn create_repo(
    services: &Services,
    principal: &Principal,
    organization: Option<&str>,
    name: &str,
    private: bool,
) -> Result<CreatedRepo, OpsError> {
    let (project, slug) = key_project(services, principal).await?;
    if let Some(organization) = organization
        && organization != slug
    {
        return Err(OpsError::Forbidden(format!(
            "this key belongs to `{slug}`: create repositories as `{slug}/{name}`"
        )));
    }
    if slugify(name) != name {
        return Err(OpsError::InvalidInput(format!(
            "`{name}` is not a repository name here: use lowercase letters, digits, `-`, `_` and `.` (for example `{}`)",
            slugify(name)
        )));
    }
    let repo_id = format!("{slug}/{name}");
    let (org, model_slug) = (slug.clone(), name.to_owned());
    let existing = services
        .store
        .call(move |conn| repo_rows::find_by_repo(conn, &org, &model_slug))
        .await?;
    if existing.is_some() {
        return Ok(CreatedRepo {
            repo_id,
            created: false,
        });
    }
    let new = NewModel::parse(ModelInput {
        name: Some(name.to_owned()),
        ..ModelInput::default()
    })?;
    let model = crate::ops::models::register_model(services, principal, &project, new).await?;
    // As on the Hub, a new repository starts with a commit holding `.gitattributes`: clients
    // that read `main` right after creating it (transformers' model card step) find a revision.
    let attributes = store_bytes(services, principal, &project, GITATTRIBUTES.to_vec()).await?;
    let first = Commit {
        message: "initial commit".into(),
        files: vec![RepoFile {
            path: ".gitattributes".into(),
            ..attributes
        }],
        ..Commit::default()
    };
    repos::commit(services, principal, &project, model.id, first).await?;
    if !private {
        set_visibility(services, principal, &project, model.id, Visibility::Shared).await?;
    }
    Ok(CreatedRepo {
        repo_id,
        created: true,
    })
}

/// A repository the principal may write to: visible to it, and of its own project.
pub async fn writable_repo(
    services: &Services,
    principal: &Principal,
    organization: &str,
    name: &str,
) -> Result<Option<HubRepo>, OpsError> {
    let caller = match principal {
        Principal::ApiKey { project_id, .. } => Some(project_id.clone()),
        _ => None,
    };
    let Some(repo) = hub_repo(services, caller, organization.into(), name.into()).await? else {
        return Ok(None);
    };
    require_write(principal, &repo.model.project_id)?;
    Ok(Some(repo))
}

/// `DELETE /api/repos/delete` (the model and what only it used) and the repo settings'
/// `private` switch (unshare / share, through the same use case as the API).
pub async fn delete_repo(
    services: &Services,
    principal: &Principal,
    repo: &HubRepo,
) -> Result<(), OpsError> {
    let project = repo.model.project_id.clone();
    crate::ops::models::delete_model(services, principal, &project, repo.model.id).await
}

pub async fn set_private(
    services: &Services,
    principal: &Principal,
    repo: &HubRepo,
    private: bool,
) -> Result<(), OpsError> {
    let visibility = if private {
        Visibility::Unshared
    } else {
        Visibility::Shared
    };
    let project = repo.model.project_id.clone();
    set_visibility(services, principal, &project, repo.model.id, visibility).await?;
    Ok(())
}

/// The sha256 of every file of `main` by path (what `preupload` answers as `oid`, so the client
/// skips unchanged files).
pub async fn main_digests(
    services: &Services,
    repo: &HubRepo,
) -> Result<BTreeMap<String, String>, OpsError> {
    Ok(hub_revision(services, repo.model.id, None)
        .await?
        .map(|(_, files)| files.into_iter().map(|f| (f.path, f.sha256)).collect())
        .unwrap_or_default())
}

/// One operation of a Hub commit, as the client sends it (NDJSON lines after the header).
pub enum HubOperation {
    /// An inline file (its bytes already stored as a blob of the project).
    File(RepoFile),
    /// An LFS file: the blob must be the project's.
    LfsFile(RepoFile),
    DeleteFile(String),
    DeleteFolder(String),
}

/// `POST /api/models/{repo}/commit/main`: one revision from `main`, all or nothing; with
/// `parent`, refused when `main` has moved on since.
pub async fn hub_commit(
    services: &Services,
    principal: &Principal,
    repo: &HubRepo,
    message: String,
    parent: Option<String>,
    operations: Vec<HubOperation>,
) -> Result<(Revision, Vec<RepoFile>), OpsError> {
    // `main` as it is now, read once: folders to delete expand against it, and an unchanged
    // commit answers with it.
    let main = hub_revision(services, repo.model.id, None).await?;
    let current: BTreeMap<&str, &str> = main
        .iter()
        .flat_map(|(_, files)| files.iter().map(|f| (f.path.as_str(), f.sha256.as_str())))
        .collect();
    let mut change = Commit {
        message,
        parent,
        ..Commit::default()
    };
    for operation in operations {
        match operation {
            HubOperation::File(file) | HubOperation::LfsFile(file) => change.files.push(file),
            HubOperation::DeleteFile(path) => change.delete.push(path),
            HubOperation::DeleteFolder(folder) => {
                let prefix = format!("{}/", folder.trim_end_matches('/'));
                let inside: Vec<String> = current
                    .keys()
                    .filter(|path| path.starts_with(&prefix))
                    .map(|path| (*path).to_owned())
                    .collect();
                if inside.is_empty() {
                    return Err(OpsError::InvalidInput(format!(
                        "folder `{folder}` holds no file of the repository"
                    )));
                }
                change.delete.extend(inside);
            }
        }
    }
    // A commit that changes nothing makes no revision (the Hub answers with `main`), so an
    // unchanged folder uploaded again leaves the history as it was.
    let unchanged = change.delete.is_empty()
        && change
            .files
            .iter()
            .all(|f| current.get(f.path.as_str()) == Some(&f.sha256.as_str()));
    if unchanged
        && !change.files.is_empty()
        && let Some(main) = main
        && change.parent.as_ref().is_none_or(|p| *p == main.0.id)
    {
        return Ok(main);
    }
    let project = repo.model.project_id.clone();
    repos::commit(services, principal, &project, repo.model.id, change).await
}
