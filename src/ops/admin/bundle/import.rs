//! `admin import`: verify a bundle completely, then apply it all or nothing.
//!
//! One pass over the archive: the manifest and its signature come first and are checked against
//! the trusted key, then the format version and the free space; then every blob is hashed as it
//! streams into a temporary file (`tmp/`, emptied at server start). Only when every check has
//! passed are the blobs moved into the content-addressed store and the rows written in one
//! transaction. A crash before that commit leaves at most unreferenced blobs, which collection
//! frees; the store lock keeps collection away from them until the commit references them.

use std::fs::File;
use std::io::{BufReader, Read, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::apply::{self, Plan};
use super::signing::TrustedKey;
use super::{
    BLOB_PREFIX, BundleError, MANIFEST_ENTRY, MAX_MANIFEST_BYTES, Progress, SIGNATURE_ENTRY, hex,
};
use crate::catalog::bundle::{FORMAT, FORMAT_VERSION, FormatHeader, Manifest};
use crate::catalog::ids::ProjectId;
use crate::ops::Services;
use crate::ops::files::BlobStore;
use crate::ops::files::upload::{WRITE_BACK_EVERY, start_write_back};
use crate::store::now;

/// Read buffer over the archive.
const READ_BUFFER: usize = 1 << 20;
/// Space that must stay free beside what the import writes (the database and the index grow).
pub const FREE_SPACE_RESERVE: u64 = 256 * 1024 * 1024;

/// What to import, and how.
#[derive(Debug, Clone)]
pub struct ImportRequest {
    pub bundle: PathBuf,
    pub trusted_key: PathBuf,
    /// Every model goes into this existing project.
    pub project: Option<ProjectId>,
    /// Check and report, write nothing.
    pub dry_run: bool,
    /// The free space to assume instead of asking the filesystem (tests of the refusal).
    pub free_space: Option<u64>,
}

/// What an import did (or would do).
#[derive(Debug, Clone)]
pub struct ImportReport {
    pub plan: Plan,
    pub created_at: String,
    pub files_verified: usize,
    pub bytes_stored: u64,
    pub applied: bool,
}

/// Verifies and applies the bundle; runs on the blocking pool.
pub async fn import(
    services: &Services,
    request: ImportRequest,
    progress: Box<dyn Progress>,
) -> Result<ImportReport, BundleError> {
    let services = services.clone();
    tokio::task::spawn_blocking(move || import_blocking(&services, &request, progress))
        .await
        .map_err(|e| crate::ops::OpsError::task("import", e))?
}

fn import_blocking(
    services: &Services,
    request: &ImportRequest,
    mut progress: Box<dyn Progress>,
) -> Result<ImportReport, BundleError> {
    let trusted = TrustedKey::load(&request.trusted_key)?;
    let path = &request.bundle;
    let file = File::open(path).map_err(BundleError::io(path))?;
    let mut archive = tar::Archive::new(BufReader::with_capacity(READ_BUFFER, file));
    let mut entries = archive.entries().map_err(damaged)?;
    let not_first = |found: String| {
        BundleError::NotABundle(format!("it starts with `{found}`, not `{MANIFEST_ENTRY}`"))
    };
    let manifest_bytes = read_entry(
        entries.next(),
        MANIFEST_ENTRY,
        MAX_MANIFEST_BYTES,
        not_first,
    )?
    .ok_or_else(|| BundleError::NotABundle(format!("it does not start with `{MANIFEST_ENTRY}`")))?;
    let unsigned = || {
        BundleError::Signature(format!(
            "the bundle carries no signature (`{SIGNATURE_ENTRY}` after the manifest)"
        ))
    };
    let signature = read_entry(entries.next(), SIGNATURE_ENTRY, 64 * 1024, |_| unsigned())?
        .ok_or_else(unsigned)?;
    let signature = String::from_utf8(signature)
        .map_err(|_| BundleError::Signature("the signature is not text".into()))?;
    trusted.verify(&manifest_bytes, &signature)?;
    let manifest = parse_manifest(&manifest_bytes)?;
    drop(manifest_bytes);

    let data_dir = &services.data_dir;
    let to_store: u64 = manifest
        .files
        .iter()
        .filter(|f| manifest.with_files && !services.blobs.has(&f.sha256))
        .map(|f| f.size)
        .sum();
    let staging_dir = data_dir.join("tmp");
    std::fs::create_dir_all(&staging_dir).map_err(BundleError::io(&staging_dir))?;
    check_space(&staging_dir, to_store, request.free_space)?;

    let mut staged = Staged::default();
    let carried = if manifest.with_files {
        &manifest.files[..]
    } else {
        &[]
    };
    progress.start(carried.iter().map(|f| f.size).sum());
    for (index, expected) in carried.iter().enumerate() {
        let missing = || {
            BundleError::Truncated(format!(
                "{} of the manifest's {} files are missing (the first is blob {})",
                carried.len() - index,
                carried.len(),
                expected.sha256
            ))
        };
        let mut entry = entries.next().ok_or_else(missing)?.map_err(damaged)?;
        let name = entry_name(&entry)?;
        if name != format!("{BLOB_PREFIX}{}", expected.sha256) {
            return Err(BundleError::NotABundle(format!(
                "entry `{name}` where blob {} was expected",
                expected.sha256
            )));
        }
        if entry.size() != expected.size {
            return Err(BundleError::FileMismatch(format!(
                "blob {}: the archive holds {} bytes, the manifest says {}",
                expected.sha256,
                entry.size(),
                expected.size
            )));
        }
        let keep = !request.dry_run && !services.blobs.has(&expected.sha256);
        let target = keep.then(|| {
            staging_dir.join(format!(
                "import-{}-{}.part",
                std::process::id(),
                expected.sha256
            ))
        });
        if let Some(target) = &target {
            staged.paths.push((target.clone(), expected.sha256.clone()));
        }
        let (size, digest) = copy_hashed(&mut entry, target.as_deref(), progress.as_mut())?;
        if size < expected.size {
            return Err(BundleError::Truncated(format!(
                "blob {} ends after {size} of its {} bytes",
                expected.sha256, expected.size
            )));
        }
        if digest != expected.sha256 {
            return Err(BundleError::FileMismatch(format!(
                "blob {} does not match its digest: its bytes hash to {digest}",
                expected.sha256
            )));
        }
    }
    if let Some(extra) = entries.next() {
        let name = extra.map_err(damaged).and_then(|e| entry_name(&e))?;
        return Err(BundleError::NotABundle(format!(
            "unexpected entry `{name}` after the last file"
        )));
    }
    progress.finish();

    let stored = |sha: &str| services.blobs.has(sha);
    let blobs = apply::Blobs {
        carried: carried.iter().map(|f| f.sha256.as_str()).collect(),
        stored: &stored,
    };
    let forced = request.project.as_ref();
    if request.dry_run {
        let plan = services
            .store
            .snapshot_blocking(|conn| apply::plan(conn, &manifest, forced, &blobs))?;
        return Ok(report(plan, &manifest, carried.len(), 0, false));
    }
    // From here on the blobs are placed and referenced; collection must wait for the commit.
    let _store = services.blobs.hold()?;
    let bytes_stored = staged.place(&services.blobs)?;
    let at = now();
    let plan = services.store.write_blocking(|tx| {
        let plan = apply::plan(tx, &manifest, forced, &blobs)?;
        apply::apply(tx, &manifest, &plan, &at)?;
        Ok::<_, BundleError>(plan)
    })?;
    Ok(report(plan, &manifest, carried.len(), bytes_stored, true))
}

fn report(
    plan: Plan,
    manifest: &Manifest,
    files_verified: usize,
    bytes_stored: u64,
    applied: bool,
) -> ImportReport {
    ImportReport {
        plan,
        created_at: manifest.created_at.clone(),
        files_verified,
        bytes_stored,
        applied,
    }
}

/// Reads a small entry that must be called `name`; `None` when the archive has ended.
fn read_entry<R: Read>(
    entry: Option<std::io::Result<tar::Entry<'_, R>>>,
    name: &str,
    max: u64,
    on_other: impl FnOnce(String) -> BundleError,
) -> Result<Option<Vec<u8>>, BundleError> {
    let Some(entry) = entry else {
        return Ok(None);
    };
    let mut entry = entry.map_err(damaged)?;
    let found = entry_name(&entry)?;
    if found != name {
        return Err(on_other(found));
    }
    if entry.size() > max {
        return Err(BundleError::NotABundle(format!(
            "`{name}` is larger than {max} bytes"
        )));
    }
    let mut bytes = Vec::with_capacity(entry.size() as usize);
    entry.read_to_end(&mut bytes).map_err(damaged)?;
    if (bytes.len() as u64) < entry.size() {
        return Err(BundleError::Truncated(format!(
            "`{name}` ends after {} of its {} bytes",
            bytes.len(),
            entry.size()
        )));
    }
    Ok(Some(bytes))
}

fn entry_name<R: Read>(entry: &tar::Entry<'_, R>) -> Result<String, BundleError> {
    let path = entry.path().map_err(damaged)?;
    Ok(path.to_string_lossy().into_owned())
}

/// A read error of the archive: a short read is a truncation, anything else damage.
fn damaged(error: std::io::Error) -> BundleError {
    if error.kind() == std::io::ErrorKind::UnexpectedEof {
        BundleError::Truncated(error.to_string())
    } else {
        BundleError::NotABundle(error.to_string())
    }
}

/// Parses the manifest after its signature held: the version first, then the whole, then the
/// rules a consistent manifest meets.
fn parse_manifest(bytes: &[u8]) -> Result<Manifest, BundleError> {
    let header: FormatHeader =
        serde_json::from_slice(bytes).map_err(|e| BundleError::InvalidManifest(e.to_string()))?;
    if header.format != FORMAT {
        return Err(BundleError::NotABundle(format!(
            "its manifest is of format `{}`, not `{FORMAT}`",
            header.format
        )));
    }
    if header.format_version > FORMAT_VERSION {
        return Err(BundleError::NewerFormat {
            found: header.format_version,
            known: FORMAT_VERSION,
        });
    }
    let manifest: Manifest =
        serde_json::from_slice(bytes).map_err(|e| BundleError::InvalidManifest(e.to_string()))?;
    check_manifest(&manifest)?;
    Ok(manifest)
}

fn check_manifest(manifest: &Manifest) -> Result<(), BundleError> {
    let invalid = BundleError::InvalidManifest;
    let mut sizes = std::collections::HashMap::new();
    for file in &manifest.files {
        crate::catalog::repo::parse_digest(&file.sha256).map_err(|e| invalid(e.to_string()))?;
        if sizes.insert(file.sha256.as_str(), file.size).is_some() {
            return Err(invalid(format!("blob {} is listed twice", file.sha256)));
        }
    }
    let mut ids = std::collections::HashSet::new();
    let mut revisions = std::collections::HashMap::new();
    for model in &manifest.models {
        if !ids.insert(model.id) {
            return Err(invalid(format!("model {} is listed twice", model.id)));
        }
        for revision in &model.revisions {
            if let Some(first) = revisions.insert(revision.id.as_str(), model.id) {
                return Err(invalid(format!(
                    "revision {} is listed twice (in model {first} and in model {})",
                    revision.id, model.id
                )));
            }
        }
        model.to_model(&model.project_id).map_err(invalid)?;
        model.check_revisions().map_err(invalid)?;
        for (sha256, size) in model.blobs() {
            if sizes.get(sha256) != Some(&size) {
                return Err(invalid(format!(
                    "model {} names blob {sha256} of {size} bytes, which `files` does not list so",
                    model.id
                )));
            }
        }
    }
    Ok(())
}

fn check_space(dir: &Path, needed: u64, assumed: Option<u64>) -> Result<(), BundleError> {
    let free = assumed.or_else(|| crate::ops::files::upload::free_bytes(dir));
    match free {
        Some(free) if free < needed.saturating_add(FREE_SPACE_RESERVE) => {
            Err(BundleError::NotEnoughDisk {
                dir: dir.to_owned(),
                free,
                needed,
                reserve: FREE_SPACE_RESERVE,
            })
        }
        _ => Ok(()),
    }
}

/// Copies an entry to `target` (or nowhere) while hashing it; returns (bytes, sha256).
fn copy_hashed(
    entry: &mut impl Read,
    target: Option<&Path>,
    progress: &mut dyn Progress,
) -> Result<(u64, String), BundleError> {
    let mut out = match target {
        Some(path) => Some(File::create(path).map_err(BundleError::io(path))?),
        None => None,
    };
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; READ_BUFFER];
    let mut total = 0u64;
    let mut flushed = 0u64;
    loop {
        let n = entry.read(&mut buffer).map_err(damaged)?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
        total += n as u64;
        if let (Some(file), Some(path)) = (out.as_mut(), target) {
            file.write_all(&buffer[..n])
                .map_err(BundleError::io(path))?;
            // As uploads do: the disk writes while we read on, so the closing fsync is short.
            if total - flushed >= WRITE_BACK_EVERY {
                start_write_back(file, flushed, total - flushed);
                flushed = total;
            }
        }
        progress.advance(n as u64);
    }
    if let (Some(file), Some(path)) = (out, target) {
        file.sync_all().map_err(BundleError::io(path))?;
    }
    Ok((total, hex(&hasher.finalize())))
}

/// Verified blobs waiting in `tmp/`; removed on drop unless placed.
#[derive(Default)]
struct Staged {
    paths: Vec<(PathBuf, String)>,
}

impl Staged {
    /// Moves every staged blob into the store (one already there is left as it is); returns the
    /// bytes moved.
    fn place(&mut self, store: &BlobStore) -> Result<u64, BundleError> {
        let mut moved = 0;
        let mut directories = Vec::new();
        for (path, sha256) in &self.paths {
            let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
            if store.place(path, sha256).map_err(BundleError::io(path))? {
                moved += size;
                let shard = store.path(sha256).parent().map(Path::to_owned);
                if let Some(shard) = shard.filter(|s| !directories.contains(s)) {
                    directories.push(shard);
                }
            }
        }
        // The renames must be on disk before the commit that names the blobs.
        for directory in directories {
            File::open(&directory)
                .and_then(|d| d.sync_all())
                .map_err(BundleError::io(&directory))?;
        }
        Ok(moved)
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        for (path, _) in &self.paths {
            let _ = std::fs::remove_file(path);
        }
    }
}
