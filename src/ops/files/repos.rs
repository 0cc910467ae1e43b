//! Model repositories (SPEC §10): blobs sent by a project, revisions made from them, reading
//! any file of any revision, and collecting blobs nothing refers to.
//!
//! A folder upload is: send each file's bytes as a blob (skipping the ones the project already
//! has, so an interrupted upload resumes), then one commit that names them. A commit is one
//! transaction: the revision is all there or not at all.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::auth::Principal;
use crate::catalog::ids::{ModelId, ProjectId};
use crate::catalog::model::Model;
use crate::catalog::repo::{
    MAX_FILES, RepoError, RepoFile, Revision, colliding_paths, parse_digest, parse_path,
};
use crate::ops::access::{require_read, require_write};
use crate::ops::files::Placed;
use crate::ops::files::upload::Received;
use crate::ops::{OpsError, Services};
use crate::store::audit::{self, AuditEntry};
use crate::store::{self, now, repos};

impl From<RepoError> for OpsError {
    fn from(error: RepoError) -> Self {
        Self::InvalidInput(error.to_string())
    }
}

/// Stores received bytes as a blob of the project. With `expected`, the bytes must have that
/// digest (nothing is kept otherwise).
pub async fn store_blob(
    services: &Services,
    principal: &Principal,
    project: &ProjectId,
    expected: Option<&str>,
    received: Received,
) -> Result<RepoFile, OpsError> {
    require_write(principal, project)?;
    if let Some(expected) = expected {
        let expected = parse_digest(expected)?;
        if expected != received.sha256 {
            return Err(OpsError::InvalidInput(format!(
                "the bytes sent have sha256 {}, not {expected}: nothing was stored",
                received.sha256
            )));
        }
    }
    let placed = services.blobs.put(received).await?;
    let project = project.clone();
    let (sha, size) = (placed.sha256.clone(), placed.size);
    services
        .store
        .write(move |tx| repos::record_blob(tx, &project, &sha, size, &now()))
        .await?;
    let Placed { sha256, size, .. } = placed;
    Ok(RepoFile {
        path: String::new(),
        sha256,
        size,
    })
}

/// Whether the project already has these bytes (so a client need not send them).
pub async fn has_blob(
    services: &Services,
    principal: &Principal,
    project: &ProjectId,
    sha256: &str,
) -> Result<Option<u64>, OpsError> {
    require_read(principal, project)?;
    let sha = parse_digest(sha256)?;
    let present = services.blobs.has(&sha);
    let project = project.clone();
    let size = services
        .store
        .call(move |conn| repos::project_blob(conn, &project, &sha))
        .await?;
    Ok(size.filter(|_| present))
}

/// A change of a model's file set.
#[derive(Debug, Clone, Default)]
pub struct Commit {
    pub message: String,
    /// Files added or replaced (path, sha256 of a blob the project has, size).
    pub files: Vec<RepoFile>,
    /// Paths removed.
    pub delete: Vec<String>,
    /// The new revision holds exactly `files` (an upload of a whole folder).
    pub replace_all: bool,
    /// The revision the change was made from (a Hub `parentCommit`): refused when `main` has
    /// moved on since, so two clients cannot overwrite each other unseen.
    pub parent: Option<String>,
}

/// Makes a new revision from `main` and the change; the answer is the new `main`.
pub async fn commit(
    services: &Services,
    principal: &Principal,
    project: &ProjectId,
    id: ModelId,
    change: Commit,
) -> Result<(Revision, Vec<RepoFile>), OpsError> {
    require_write(principal, project)?;
    let mut upserts: BTreeMap<String, RepoFile> = BTreeMap::new();
    for file in change.files {
        let path = parse_path(&file.path)?;
        let sha256 = parse_digest(&file.sha256)?;
        if upserts.contains_key(&path) {
            return Err(RepoError::DuplicatePath(path).into());
        }
        upserts.insert(
            path.clone(),
            RepoFile {
                path,
                sha256,
                size: file.size,
            },
        );
    }
    let deletes: Vec<String> = change
        .delete
        .iter()
        .map(|p| parse_path(p))
        .collect::<Result<_, _>>()?;
    let message: String = change.message.chars().take(500).collect();
    let actor = principal.actor();
    let project = project.clone();
    let blobs = services.blobs.clone();
    let (revision, files) = services
        .store
        .write(move |tx| {
            if store::models::find_model(tx, &project, &id)?.is_none() {
                return Ok(Err(OpsError::ModelNotFound { id: id.to_string() }));
            }
            if let Some(parent) = &change.parent {
                let main = repos::latest_revision(tx, &id)?.map(|r| r.id);
                if main.as_deref() != Some(parent.as_str()) {
                    return Ok(Err(OpsError::Conflict(format!(
                        "the commit was made from {parent}, but main is now {}: fetch and try again",
                        main.as_deref().unwrap_or("empty")
                    ))));
                }
            }
            for file in upserts.values() {
                match repos::project_blob(tx, &project, &file.sha256)? {
                    Some(size) if size == file.size && blobs.has(&file.sha256) => {}
                    Some(size) if size != file.size => {
                        return Ok(Err(OpsError::InvalidInput(format!(
                            "`{}`: the blob {} has {size} bytes, not {}",
                            file.path, file.sha256, file.size
                        ))));
                    }
                    _ => {
                        return Ok(Err(OpsError::InvalidInput(format!(
                            "`{}`: blob {} was never sent: PUT its bytes to …/v1/blobs/{} first",
                            file.path, file.sha256, file.sha256
                        ))));
                    }
                }
            }
            let mut files = if change.replace_all {
                BTreeMap::new()
            } else {
                main_files(tx, &id)?
            };
            for path in &deletes {
                if files.remove(path).is_none() && !upserts.contains_key(path) {
                    return Ok(Err(OpsError::InvalidInput(format!(
                        "`{path}` is not a file of the repository"
                    ))));
                }
            }
            files.extend(upserts);
            if let Some((first, second)) =
                colliding_paths(files.keys().map(String::as_str))
            {
                return Ok(Err(OpsError::Conflict(format!(
                    "`{first}` and `{second}` would be one file on case-insensitive or normalising file systems (macOS, Windows): rename or delete one"
                ))));
            }
            if files.len() > MAX_FILES {
                return Ok(Err(RepoError::TooManyFiles.into()));
            }
            let files: Vec<RepoFile> = files.into_values().collect();
            let at = now();
            let message = if message.trim().is_empty() {
                format!("{} files", files.len())
            } else {
                message
            };
            let revision = repos::insert_revision(tx, &id, &files, &message, &at)?;
            for file in &files {
                repos::forget_upload(tx, &project, &file.sha256)?;
            }
            let target = id.to_string();
            let detail = format!("revision {} ({} files)", revision.id, files.len());
            audit::append(
                tx,
                &AuditEntry {
                    actor: &actor,
                    project_id: Some(&project),
                    action: "model.revision",
                    target_kind: "model",
                    target_id: &target,
                    detail: Some(&detail),
                },
                &at,
            )?;
            Ok(Ok((revision, files)))
        })
        .await??;
    // The revision stands whatever its files say; reading them is a bonus, never a failure.
    if let Err(error) =
        crate::ops::files::repo_metadata::absorb_metadata(services, id, files.clone()).await
    {
        tracing::warn!(%error, "reading the repository's metadata failed");
    }
    Ok((revision, files))
}

/// Deletes one revision (`main` names the newest; the one before it becomes `main`), then frees
/// the blobs nothing else uses. Other revisions are untouched: each holds its own file list.
pub async fn delete_revision(
    services: &Services,
    principal: &Principal,
    project: &ProjectId,
    id: ModelId,
    revision: String,
) -> Result<(), OpsError> {
    require_write(principal, project)?;
    let actor = principal.actor();
    let project = project.clone();
    let blobs = services
        .store
        .write(move |tx| {
            if store::models::find_model(tx, &project, &id)?.is_none() {
                return Ok(Err(OpsError::ModelNotFound { id: id.to_string() }));
            }
            let Some((found, files)) = revision_of(tx, &id, Some(&revision))? else {
                return Ok(Err(OpsError::InvalidInput(format!(
                    "revision `{}` not found",
                    revision.chars().take(60).collect::<String>()
                ))));
            };
            repos::delete_revision(tx, &found.id)?;
            let blobs: Vec<String> = files.into_iter().map(|f| f.sha256).collect();
            let target = id.to_string();
            let detail = format!("revision {} deleted", found.id);
            audit::append(
                tx,
                &AuditEntry {
                    actor: &actor,
                    project_id: Some(&project),
                    action: "model.revision.delete",
                    target_kind: "model",
                    target_id: &target,
                    detail: Some(&detail),
                },
                &now(),
            )?;
            Ok(Ok(blobs))
        })
        .await??;
    if let Err(error) = crate::ops::files::gc::free_blobs(services, blobs).await {
        tracing::error!(%error, "freeing a deleted revision's blobs failed; the next start does it");
    }
    Ok(())
}

/// `main`'s files by path (empty before the first revision): what a change starts from.
fn main_files(
    conn: &rusqlite::Connection,
    id: &ModelId,
) -> Result<BTreeMap<String, RepoFile>, store::StoreError> {
    let Some(main) = repos::latest_revision(conn, id)? else {
        return Ok(BTreeMap::new());
    };
    Ok(repos::revision_files(conn, &main.id)?
        .into_iter()
        .map(|f| (f.path.clone(), f))
        .collect())
}

/// A model's revisions, newest first.
pub async fn revisions(
    services: &Services,
    principal: &Principal,
    project: &ProjectId,
    id: ModelId,
) -> Result<Vec<Revision>, OpsError> {
    require_read(principal, project)?;
    let project = project.clone();
    services
        .store
        .call_as(move |conn| {
            if store::models::find_model(conn, &project, &id)?.is_none() {
                return Err(OpsError::ModelNotFound { id: id.to_string() });
            }
            Ok(repos::list_revisions(conn, &id)?)
        })
        .await
}

/// How a revision is named: `main` (or `refs/heads/main`) or a 40-hex id.
pub fn is_main(revision: &str) -> bool {
    matches!(revision, "main" | "refs/heads/main")
}

/// A model's revision (`main` when `revision` is None) and its files; `Ok(None)` when the model
/// has no repository yet or no such revision.
pub fn revision_of(
    conn: &rusqlite::Connection,
    id: &ModelId,
    revision: Option<&str>,
) -> Result<Option<(Revision, Vec<RepoFile>)>, store::StoreError> {
    let found = match revision {
        None => repos::latest_revision(conn, id)?,
        Some(r) if is_main(r) => repos::latest_revision(conn, id)?,
        Some(r) => match repos::find_revision(conn, id, r)? {
            Some(found) => Some(found),
            None => store::refs::find_ref(conn, id, r)?,
        },
    };
    let Some(found) = found else { return Ok(None) };
    let files = repos::revision_files(conn, &found.id)?;
    Ok(Some((found, files)))
}

/// A project model's files at a revision.
pub async fn files(
    services: &Services,
    principal: &Principal,
    project: &ProjectId,
    id: ModelId,
    revision: Option<String>,
) -> Result<Option<(Revision, Vec<RepoFile>)>, OpsError> {
    require_read(principal, project)?;
    let project = project.clone();
    services
        .store
        .call_as(move |conn| {
            if store::models::find_model(conn, &project, &id)?.is_none() {
                return Err(OpsError::ModelNotFound { id: id.to_string() });
            }
            match revision_of(conn, &id, revision.as_deref())? {
                Some(found) => Ok(Some(found)),
                None if revision.is_some() => Err(OpsError::InvalidInput(format!(
                    "revision `{}` not found",
                    revision
                        .unwrap_or_default()
                        .chars()
                        .take(60)
                        .collect::<String>()
                ))),
                None => Ok(None),
            }
        })
        .await
}

/// The Hub repo id of a model, `{project-slug}/{model-slug}`.
pub async fn repo_id(services: &Services, id: ModelId) -> Result<Option<String>, OpsError> {
    Ok(services
        .store
        .call(move |conn| repos::repo_id(conn, &id))
        .await?)
}

/// Where a blob's bytes are.
pub fn blob_file(services: &Services, sha256: &str) -> PathBuf {
    services.blobs.path(sha256)
}

/// The model a one-file upload made into a one-file repository: the file under its download
/// name, replacing what `main` held under that name.
pub async fn record_single_file(
    services: &Services,
    model: &Model,
    file_name: String,
    sha256: String,
    size: u64,
) -> Result<(), OpsError> {
    let id = model.id;
    services
        .store
        .write(move |tx| {
            let at = now();
            let mut files = main_files(tx, &id)?;
            files.insert(
                file_name.clone(),
                RepoFile {
                    path: file_name.clone(),
                    sha256,
                    size,
                },
            );
            let files: Vec<RepoFile> = files.into_values().collect();
            repos::insert_revision(tx, &id, &files, &format!("upload {file_name}"), &at)?;
            Ok(())
        })
        .await?;
    Ok(())
}
