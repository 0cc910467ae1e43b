//! LFS objects sent by the Hub client (SPEC §14): the batch answer, upload URLs that authorise
//! themselves, and objects sent in parts, joined and checked before they become the project's.

use super::repos;
use crate::auth::Principal;
use crate::auth::upload_url::UploadGrant;
use crate::catalog::ids::ProjectId;
use crate::catalog::repo::parse_digest;
use crate::ops::catalog::hub::HubRepo;
use crate::ops::{OpsError, Services};
use crate::store::{self, repos as repo_rows};

/// How long an LFS upload URL stays valid.
pub const UPLOAD_URL_TTL: time::Duration = time::Duration::hours(1);

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
