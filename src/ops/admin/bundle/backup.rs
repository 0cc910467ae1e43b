//! `admin backup` and `admin restore`: a whole install (database and blobs) in one tar archive,
//! taken while the server runs. The search index stays out: it is derived, and a restored
//! server rebuilds it at start.
//!
//! Archive: `backup.json` (format, time), `xero.db` (an online-backup snapshot), then every blob
//! the snapshot refers to under `blobs/sha256/`. The blob store is held against collection from
//! before the snapshot until the last blob is copied, so nothing the snapshot names can go.

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::export::partial_path;
use super::{BLOB_PREFIX, BundleError, Progress, hex};
use crate::ops::Services;
use crate::ops::files::BlobStore;
use crate::ops::files::blobs::blob_path;
use crate::store::{self, now};

const FORMAT: &str = "xeroctl-backup";
const FORMAT_VERSION: u32 = 1;
const MARKER_ENTRY: &str = "backup.json";
const DATABASE_ENTRY: &str = "xero.db";
const BUFFER: usize = 1 << 20;

#[derive(Debug, Serialize, Deserialize)]
struct Marker {
    format: String,
    format_version: u32,
    created_at: String,
}

/// What a backup or a restore moved.
#[derive(Debug, Clone)]
pub struct BackupReport {
    pub blobs: usize,
    pub blob_bytes: u64,
    /// Blobs the database names that were not in the store (a damaged store; reported).
    pub missing: Vec<String>,
}

/// Writes the backup of a (possibly running) install; runs on the blocking pool.
pub async fn backup(
    services: &Services,
    output: PathBuf,
    progress: Box<dyn Progress>,
) -> Result<BackupReport, BundleError> {
    let services = services.clone();
    tokio::task::spawn_blocking(move || backup_blocking(&services, &output, progress))
        .await
        .map_err(|e| crate::ops::OpsError::task("backup", e))?
}

fn backup_blocking(
    services: &Services,
    output: &Path,
    mut progress: Box<dyn Progress>,
) -> Result<BackupReport, BundleError> {
    let data_dir = &services.data_dir;
    let _store = services.blobs.hold()?;
    let tmp = data_dir.join("tmp");
    std::fs::create_dir_all(&tmp).map_err(BundleError::io(&tmp))?;
    let snapshot = tmp.join(format!("backup-{}.db", std::process::id()));
    let _ = std::fs::remove_file(&snapshot);
    let result = (|| {
        services.store.backup_to_blocking(&snapshot)?;
        let referenced = store::backup::referenced_blobs(&snapshot)?;
        let (present, missing): (Vec<_>, Vec<_>) = referenced
            .into_iter()
            .partition(|(sha, _)| services.blobs.has(sha));
        let partial = partial_path(output);
        let written = write_backup(
            &partial,
            &services.blobs,
            &snapshot,
            &present,
            progress.as_mut(),
        );
        progress.finish();
        if let Err(error) = written {
            let _ = std::fs::remove_file(&partial);
            return Err(error);
        }
        std::fs::rename(&partial, output).map_err(BundleError::io(output))?;
        Ok(BackupReport {
            blobs: present.len(),
            blob_bytes: present.iter().map(|(_, size)| size).sum(),
            missing: missing.into_iter().map(|(sha, _)| sha).collect(),
        })
    })();
    let _ = std::fs::remove_file(&snapshot);
    result
}

fn write_backup(
    path: &Path,
    store: &BlobStore,
    snapshot: &Path,
    blobs: &[(String, u64)],
    progress: &mut dyn Progress,
) -> Result<(), BundleError> {
    let file = File::create(path).map_err(BundleError::io(path))?;
    let mut archive = tar::Builder::new(BufWriter::with_capacity(BUFFER, file));
    let marker = serde_json::to_vec_pretty(&Marker {
        format: FORMAT.into(),
        format_version: FORMAT_VERSION,
        created_at: now(),
    })
    .map_err(|e| BundleError::Refused(e.to_string()))?;
    let io = |e| BundleError::Io {
        path: path.to_owned(),
        source: e,
    };
    append(&mut archive, MARKER_ENTRY, marker.len() as u64, &marker[..]).map_err(io)?;
    let database = File::open(snapshot).map_err(BundleError::io(snapshot))?;
    let database_size = database
        .metadata()
        .map_err(BundleError::io(snapshot))?
        .len();
    progress.start(database_size + blobs.iter().map(|(_, size)| size).sum::<u64>());
    append(&mut archive, DATABASE_ENTRY, database_size, database).map_err(io)?;
    progress.advance(database_size);
    for (sha256, _) in blobs {
        let source = store.path(sha256);
        let blob = File::open(&source).map_err(BundleError::io(&source))?;
        let size = blob.metadata().map_err(BundleError::io(&source))?.len();
        append(&mut archive, &format!("{BLOB_PREFIX}{sha256}"), size, blob).map_err(io)?;
        progress.advance(size);
    }
    let mut writer = archive.into_inner().map_err(io)?;
    writer.flush().map_err(io)?;
    let file = writer.into_inner().map_err(|e| io(e.into_error()))?;
    file.sync_all().map_err(io)
}

fn append(
    archive: &mut tar::Builder<impl Write>,
    name: &str,
    size: u64,
    data: impl Read,
) -> std::io::Result<()> {
    let mut header = tar::Header::new_gnu();
    header.set_size(size);
    header.set_mode(0o600);
    header.set_entry_type(tar::EntryType::Regular);
    archive.append_data(&mut header, name, data)
}

/// Restores a backup into `target`, which must be missing or empty. Everything is written into a
/// sibling directory first and renamed at the end: a failed restore leaves no half install.
pub fn restore(
    backup: &Path,
    target: &Path,
    progress: &mut dyn Progress,
) -> Result<BackupReport, BundleError> {
    if let Ok(mut entries) = std::fs::read_dir(target)
        && entries.next().is_some()
    {
        return Err(BundleError::Refused(format!(
            "`{}` is not empty: restore into a new or empty directory",
            target.display()
        )));
    }
    let name = target
        .file_name()
        .map_or("data".into(), |n| n.to_string_lossy().into_owned());
    let staging = target.with_file_name(format!(".{name}.restoring-{}", std::process::id()));
    std::fs::create_dir_all(&staging).map_err(BundleError::io(&staging))?;
    let result = unpack(backup, &staging, progress).and_then(|report| {
        store::backup::check_integrity(&staging.join(DATABASE_ENTRY))?;
        if target.exists() {
            std::fs::remove_dir(target).map_err(BundleError::io(target))?;
        }
        std::fs::rename(&staging, target).map_err(BundleError::io(target))?;
        Ok(report)
    });
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&staging);
    }
    result
}

fn unpack(
    backup: &Path,
    staging: &Path,
    progress: &mut dyn Progress,
) -> Result<BackupReport, BundleError> {
    let file = File::open(backup).map_err(BundleError::io(backup))?;
    progress.start(file.metadata().map(|m| m.len()).unwrap_or(0));
    let mut archive = tar::Archive::new(BufReader::with_capacity(BUFFER, file));
    let not_backup = |why: String| BundleError::NotABundle(format!("not a xeroctl backup: {why}"));
    let mut entries = archive.entries().map_err(|e| not_backup(e.to_string()))?;
    let mut report = BackupReport {
        blobs: 0,
        blob_bytes: 0,
        missing: Vec::new(),
    };
    let mut seen_marker = false;
    let mut seen_database = false;
    for entry in entries.by_ref() {
        let mut entry = entry.map_err(|e| BundleError::Truncated(e.to_string()))?;
        let name = entry
            .path()
            .map_err(|e| not_backup(e.to_string()))?
            .to_string_lossy()
            .into_owned();
        let expected = entry.size();
        if !seen_marker {
            if name != MARKER_ENTRY || expected > 64 * 1024 {
                return Err(not_backup(format!("it starts with `{name}`")));
            }
            let mut bytes = Vec::new();
            entry
                .read_to_end(&mut bytes)
                .map_err(|e| BundleError::Truncated(e.to_string()))?;
            let marker: Marker =
                serde_json::from_slice(&bytes).map_err(|e| not_backup(e.to_string()))?;
            if marker.format != FORMAT {
                return Err(not_backup(format!("format `{}`", marker.format)));
            }
            if marker.format_version > FORMAT_VERSION {
                return Err(BundleError::NewerFormat {
                    found: marker.format_version,
                    known: FORMAT_VERSION,
                });
            }
            seen_marker = true;
            continue;
        }
        let (target, digest_wanted) = if name == DATABASE_ENTRY {
            seen_database = true;
            (staging.join(DATABASE_ENTRY), None)
        } else if let Some(sha256) = name.strip_prefix(BLOB_PREFIX) {
            let sha256 = crate::catalog::repo::parse_digest(sha256)
                .map_err(|e| not_backup(e.to_string()))?;
            (blob_path(staging, &sha256), Some(sha256))
        } else {
            return Err(not_backup(format!("unexpected entry `{name}`")));
        };
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(BundleError::io(parent))?;
        }
        let (written, digest) = copy_to(&mut entry, &target, progress)?;
        if written < expected {
            return Err(BundleError::Truncated(format!(
                "`{name}` ends after {written} of its {expected} bytes"
            )));
        }
        if let Some(wanted) = digest_wanted {
            if digest != wanted {
                return Err(BundleError::FileMismatch(format!(
                    "blob {wanted} does not match its digest: its bytes hash to {digest}"
                )));
            }
            report.blobs += 1;
            report.blob_bytes += written;
        }
    }
    if !seen_database {
        return Err(BundleError::Truncated(format!(
            "the backup holds no `{DATABASE_ENTRY}`"
        )));
    }
    progress.finish();
    Ok(report)
}

fn copy_to(
    entry: &mut impl Read,
    target: &Path,
    progress: &mut dyn Progress,
) -> Result<(u64, String), BundleError> {
    let mut out = File::create(target).map_err(BundleError::io(target))?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; BUFFER];
    let mut total = 0u64;
    loop {
        let n = entry
            .read(&mut buffer)
            .map_err(|e| BundleError::Truncated(e.to_string()))?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
        out.write_all(&buffer[..n])
            .map_err(BundleError::io(target))?;
        total += n as u64;
        progress.advance(n as u64);
    }
    out.sync_all().map_err(BundleError::io(target))?;
    Ok((total, hex(&hasher.finalize())))
}
