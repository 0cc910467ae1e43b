//! The write side of the Hub protocol (SPEC §14) over the same repositories, blob store and use
//! cases as our own API: `create_repo` registers (and, when public, shares) a model, LFS objects
//! land in the blob store as the project's blobs, and a Hub commit is one `repos::commit`. So an
//! `hf upload` and an `xeroctl models upload` of one folder store the same bytes once, make the
//! same revision and write the same audit rows.

use std::collections::BTreeMap;

use super::repos::{self, Commit};
use crate::auth::Principal;
use crate::auth::upload_url::UploadGrant;
use crate::catalog::ids::ProjectId;
use crate::catalog::model::{ModelInput, NewModel};
use crate::catalog::repo::{RefKind, RepoFile, Revision, parse_digest, parse_ref_name, slugify};
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

/// How long an LFS upload URL stays valid.
pub const UPLOAD_URL_TTL: time::Duration = time::Duration::hours(1);

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

/// One object of an LFS batch: already stored, to upload at a signed URL (in `parts` parts of
/// `part_size` bytes when more than one), or refused.
pub enum BatchAnswer {
    Stored,
    Upload {
        token: String,
        parts: u64,
        part_size: u64,
    },
    Refused(String),
}

/// `POST {repo}.git/info/lfs/objects/batch`: an object the project already holds (same digest
/// and size) needs no upload; the others get an upload URL bound to project, digest and size.
pub async fn lfs_batch(
    services: &Services,
    principal: &Principal,
    repo: &HubRepo,
    objects: Vec<(String, u64)>,
) -> Result<Vec<BatchAnswer>, OpsError> {
    let project = repo.model.project_id.clone();
    let key_id = match principal {
        Principal::ApiKey { key_id, .. } => key_id.clone(),
        _ => "session".to_owned(),
    };
    let expires = (time::OffsetDateTime::now_utc() + UPLOAD_URL_TTL).unix_timestamp();
    let max = services.uploads.max_bytes;
    let part_size = services.uploads.part_size.max(1);
    let blobs = services.blobs.clone();
    let device_key = services.device_key.clone();
    Ok(services
        .store
        .call(move |conn| {
            let mut answers = Vec::with_capacity(objects.len());
            for (oid, size) in objects {
                let Ok(sha256) = parse_digest(&oid) else {
                    answers.push(BatchAnswer::Refused(format!(
                        "`{}` is not a sha256 digest",
                        oid.chars().take(80).collect::<String>()
                    )));
                    continue;
                };
                if size > max {
                    answers.push(BatchAnswer::Refused(format!(
                        "{size} bytes is over this server's upload limit of {max} bytes"
                    )));
                    continue;
                }
                let held = repo_rows::project_blob(conn, &project, &sha256)? == Some(size);
                if held && blobs.has(&sha256) {
                    answers.push(BatchAnswer::Stored);
                    continue;
                }
                let grant = UploadGrant {
                    project: project.to_string(),
                    key_id: key_id.clone(),
                    sha256,
                    size,
                    expires,
                };
                answers.push(BatchAnswer::Upload {
                    token: grant.token(&device_key),
                    parts: size.div_ceil(part_size).max(1),
                    part_size,
                });
            }
            Ok::<_, store::StoreError>(answers)
        })
        .await?)
}

/// The grant behind an upload URL, and the principal it acts as (the key that asked for it).
pub fn upload_grant(
    services: &Services,
    token: &str,
) -> Result<(UploadGrant, Principal), OpsError> {
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let grant = UploadGrant::verify(&services.device_key, token, now)
        .map_err(|reason| OpsError::Forbidden(reason.to_owned()))?;
    let project = ProjectId::parse(&grant.project)
        .ok_or_else(|| OpsError::Forbidden("not an upload URL".into()))?;
    let principal = Principal::ApiKey {
        project_id: project,
        key_id: grant.key_id.clone(),
        scope: crate::auth::KeyScope::Write,
    };
    Ok((grant, principal))
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
    let current = main_digests(services, repo).await?;
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
                    .cloned()
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
            .all(|f| current.get(&f.path) == Some(&f.sha256));
    if unchanged
        && !change.files.is_empty()
        && let Some(main) = hub_revision(services, repo.model.id, None).await?
        && change.parent.as_ref().is_none_or(|p| *p == main.0.id)
    {
        return Ok(main);
    }
    let project = repo.model.project_id.clone();
    repos::commit(services, principal, &project, repo.model.id, change).await
}

/// `create_branch` / `create_tag`: names `revision` (default `main`) of a repository the
/// principal may write to; a name taken already is a conflict.
pub async fn create_ref(
    services: &Services,
    repo: &HubRepo,
    kind: RefKind,
    name: &str,
    revision: Option<String>,
    message: Option<String>,
) -> Result<Revision, OpsError> {
    let name = parse_ref_name(name)?;
    let id = repo.model.id;
    services
        .store
        .write_as(move |tx| {
            let Some((target, _)) = repos::revision_of(tx, &id, revision.as_deref())? else {
                return Err(OpsError::InvalidInput(format!(
                    "revision `{}` not found",
                    revision
                        .unwrap_or_default()
                        .chars()
                        .take(60)
                        .collect::<String>()
                )));
            };
            store::refs::insert_ref(
                tx,
                &id,
                kind,
                &name,
                &target.id,
                message.as_deref(),
                &store::now(),
            )?;
            Ok(target)
        })
        .await
}

/// `delete_branch` / `delete_tag`.
pub async fn delete_ref(
    services: &Services,
    repo: &HubRepo,
    kind: RefKind,
    name: String,
) -> Result<(), OpsError> {
    let id = repo.model.id;
    let deleted = services
        .store
        .write(move |tx| store::refs::delete_ref(tx, &id, kind, &name))
        .await?;
    if deleted {
        Ok(())
    } else {
        Err(OpsError::InvalidInput(format!(
            "no {} of that name in this repository",
            kind.as_str()
        )))
    }
}

/// Every branch and tag of a repository as (kind, name, revision id).
pub async fn list_refs(
    services: &Services,
    repo: &HubRepo,
) -> Result<Vec<(RefKind, String, String)>, OpsError> {
    let id = repo.model.id;
    Ok(services
        .store
        .call(move |conn| store::refs::list_refs(conn, &id))
        .await?)
}

/// Where part `n` of an object being sent in parts waits (in `tmp/`, emptied at start-up).
fn part_path(services: &Services, grant: &UploadGrant, n: u64) -> std::path::PathBuf {
    super::upload::tmp_dir(&services.data_dir).join(format!(
        "lfs-{}-{}-{}-{n}.part",
        grant.sha256, grant.size, grant.expires
    ))
}

/// `PUT {part URL}`: one part of an object, kept until the completion call; its `ETag` is the
/// sha256 of its bytes.
pub async fn store_part(
    services: &Services,
    grant: &UploadGrant,
    number: u64,
    received: super::upload::Received,
) -> Result<String, OpsError> {
    let part_size = services.uploads.part_size.max(1);
    let parts = grant.size.div_ceil(part_size).max(1);
    if number == 0 || number > parts {
        return Err(OpsError::InvalidInput(format!(
            "part {number} of an object sent in {parts} parts"
        )));
    }
    let expected = if number == parts {
        grant.size - part_size * (parts - 1)
    } else {
        part_size
    };
    if received.size != expected {
        return Err(OpsError::InvalidInput(format!(
            "part {number} has {} bytes, not {expected}",
            received.size
        )));
    }
    let target = part_path(services, grant, number);
    let mut received = received;
    std::fs::rename(&received.temp.path, &target).map_err(super::upload::io_error)?;
    received.temp.keep = true;
    Ok(received.sha256.clone())
}

/// The completion call: the parts, in order and with the `ETag`s their `PUT`s answered, become
/// one blob of the project. They are read once to check every part and the whole object's
/// sha256, then joined onto the first part's file in the kernel (`copy_file_range`), so the
/// object is written once more at most, never copied through memory; nothing is kept on a
/// mismatch (the parts stay for a retry of the completion until the next start).
pub async fn complete_parts(
    services: &Services,
    principal: &Principal,
    grant: &UploadGrant,
    etags: Vec<(u64, String)>,
) -> Result<(), OpsError> {
    let part_size = services.uploads.part_size.max(1);
    let parts = grant.size.div_ceil(part_size).max(1);
    let mut etags = etags;
    etags.sort_by_key(|(n, _)| *n);
    let numbers: Vec<u64> = etags.iter().map(|(n, _)| *n).collect();
    if numbers != (1..=parts).collect::<Vec<_>>() {
        return Err(OpsError::InvalidInput(format!(
            "the completion lists parts {numbers:?}; the object has parts 1 to {parts}"
        )));
    }
    let project = ProjectId::parse(&grant.project)
        .ok_or_else(|| OpsError::Forbidden("not an upload URL".into()))?;
    let paths: Vec<_> = (1..=parts).map(|n| part_path(services, grant, n)).collect();
    let joined = super::upload::tmp_dir(&services.data_dir)
        .join(format!("upload-{}.part", uuid::Uuid::new_v4()));
    let (grant_sha, grant_size) = (grant.sha256.clone(), grant.size);
    let received = tokio::task::spawn_blocking(move || {
        join_parts(&paths, &etags, &joined, &grant_sha, grant_size)
    })
    .await
    .map_err(|e| OpsError::task("multipart completion", e))??;
    repos::store_blob(services, principal, &project, Some(&grant.sha256), received)
        .await
        .map(|_| ())
}

/// Checks each part against its `ETag` and the whole against the grant, then joins them.
fn join_parts(
    paths: &[std::path::PathBuf],
    etags: &[(u64, String)],
    joined: &std::path::Path,
    sha256: &str,
    size: u64,
) -> Result<super::upload::Received, OpsError> {
    use sha2::Digest;
    use std::io::Read;
    let io = super::upload::io_error;
    let mut whole = sha2::Sha256::new();
    let mut total = 0u64;
    let mut buffer = vec![0u8; 1 << 20];
    for ((number, etag), path) in etags.iter().zip(paths) {
        let mut file = std::fs::File::open(path).map_err(|_| {
            OpsError::InvalidInput(format!("part {number} was never sent (or has expired)"))
        })?;
        let mut part = sha2::Sha256::new();
        loop {
            let read = file.read(&mut buffer).map_err(io)?;
            if read == 0 {
                break;
            }
            part.update(&buffer[..read]);
            whole.update(&buffer[..read]);
            total += read as u64;
        }
        if etag.trim_matches('"') != crate::auth::device::hex(&part.finalize()) {
            return Err(OpsError::InvalidInput(format!(
                "part {number}: the ETag given is not the one its upload answered"
            )));
        }
    }
    let digest = crate::auth::device::hex(&whole.finalize());
    if total != size || digest != sha256 {
        return Err(OpsError::InvalidInput(format!(
            "the parts make {total} bytes with sha256 {digest}, not the {size} bytes of {sha256}"
        )));
    }
    std::fs::rename(&paths[0], joined).map_err(io)?;
    let temp = super::upload::TempFile {
        path: joined.to_owned(),
        keep: false,
    };
    let mut out = std::fs::OpenOptions::new()
        .append(true)
        .open(joined)
        .map_err(io)?;
    for path in &paths[1..] {
        let mut part = std::fs::File::open(path).map_err(io)?;
        std::io::copy(&mut part, &mut out).map_err(io)?;
        let _ = std::fs::remove_file(path);
    }
    out.sync_all().map_err(io)?;
    Ok(super::upload::Received {
        temp,
        size,
        sha256: digest,
    })
}
