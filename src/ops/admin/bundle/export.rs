//! `admin export`: the chosen models as one signed bundle, streamed to a file.
//!
//! The manifest is read in one read transaction (a consistent snapshot while the server keeps
//! writing); blobs are then copied a buffer at a time, each hashed on the way so a damaged store
//! is noticed here rather than at the import. The archive is written beside its name and renamed
//! at the end: a cut-short export never leaves a file that looks like a bundle.

use std::collections::HashSet;
use std::fs::File;
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::signing::SigningKey;
use super::{BLOB_PREFIX, BundleError, MANIFEST_ENTRY, Progress, SIGNATURE_ENTRY, hex};
use crate::catalog::bundle::{
    BundleFile, BundleModel, BundleProject, FORMAT, FORMAT_VERSION, Manifest, Selection,
};
use crate::catalog::ids::ProjectId;
use crate::catalog::query::CatalogQuery;
use crate::catalog::query_filter;
use crate::ops::Services;
use crate::ops::files::BlobStore;
use crate::store::{bundle, now, projects};

/// Copy buffer between a blob and the archive.
const COPY_BUFFER: usize = 1 << 20;

/// What to export.
#[derive(Debug, Clone)]
pub struct ExportRequest {
    pub output: PathBuf,
    pub signing_key: PathBuf,
    pub shared_only: bool,
    pub project: Option<ProjectId>,
    /// A catalog query string (`q=…&family=…`), see `catalog::query_filter`.
    pub query: Option<String>,
    pub with_files: bool,
}

/// What an export wrote.
#[derive(Debug, Clone)]
pub struct ExportReport {
    pub models: usize,
    pub files: usize,
    pub file_bytes: u64,
}

/// Writes the bundle; runs on the blocking pool.
pub async fn export(
    services: &Services,
    request: ExportRequest,
    progress: Box<dyn Progress>,
) -> Result<ExportReport, BundleError> {
    let services = services.clone();
    tokio::task::spawn_blocking(move || export_blocking(&services, request, progress))
        .await
        .map_err(|e| crate::ops::OpsError::task("export", e))?
}

fn export_blocking(
    services: &Services,
    request: ExportRequest,
    mut progress: Box<dyn Progress>,
) -> Result<ExportReport, BundleError> {
    let signer = SigningKey::load(&request.signing_key)?;
    let query = match &request.query {
        None => None,
        Some(raw) => Some(parse_query(raw)?),
    };
    // Blobs of the snapshot must still be there when they are copied: no collection meanwhile.
    let _blobs = services.blobs.hold()?;
    let manifest = read_manifest(services, &request, query.as_ref())?;
    let manifest_bytes = serde_json::to_vec_pretty(&manifest)
        .map_err(|e| BundleError::InvalidManifest(e.to_string()))?;
    let signature = signer.sign(
        &manifest_bytes,
        &format!(
            "xeroctl bundle format {FORMAT_VERSION}: {} models, {} files, made {}",
            manifest.models.len(),
            manifest.files.len(),
            manifest.created_at
        ),
    )?;
    let blobs: &[BundleFile] = if request.with_files {
        &manifest.files
    } else {
        &[]
    };
    for file in blobs {
        if !services.blobs.has(&file.sha256) {
            return Err(BundleError::FileMismatch(format!(
                "blob {} is missing from this install's store",
                file.sha256
            )));
        }
    }
    let file_bytes: u64 = blobs.iter().map(|f| f.size).sum();
    let partial = partial_path(&request.output);
    let written = write_archive(
        &partial,
        &services.blobs,
        &manifest_bytes,
        &signature,
        blobs,
        progress.as_mut(),
        file_bytes,
    );
    progress.finish();
    if let Err(error) = written {
        let _ = std::fs::remove_file(&partial);
        return Err(error);
    }
    std::fs::rename(&partial, &request.output).map_err(BundleError::io(&request.output))?;
    Ok(ExportReport {
        models: manifest.models.len(),
        files: blobs.len(),
        file_bytes,
    })
}

fn parse_query(raw: &str) -> Result<CatalogQuery, BundleError> {
    let pairs: Vec<(String, String)> =
        form_urlencoded::parse(raw.trim_start_matches('?').as_bytes())
            .into_owned()
            .collect();
    let query = CatalogQuery::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .map_err(|e| BundleError::Refused(format!("--query: {e}")))?;
    // An export selects by what a model states; lineage is not part of a bundle yet.
    if query.derived_from.is_some() {
        return Err(BundleError::Refused(
            "--query: `derived_from` is not supported by exports".to_owned(),
        ));
    }
    Ok(query)
}

/// The manifest of the selected models, from one read transaction.
fn read_manifest(
    services: &Services,
    request: &ExportRequest,
    query: Option<&CatalogQuery>,
) -> Result<Manifest, BundleError> {
    let project = request.project.clone();
    let shared_only = request.shared_only;
    let (projects, models) = services.store.snapshot_blocking(|snapshot| {
        if let Some(project) = &project
            && projects::find_project(snapshot, project)?.is_none()
        {
            return Err(BundleError::Refused(format!(
                "project `{project}` not found"
            )));
        }
        let mut models: Vec<BundleModel> = Vec::new();
        for model in bundle::candidate_models(snapshot, project.as_ref(), shared_only)? {
            if let Some(query) = query {
                let deployments = bundle::deployment_count(snapshot, &model.id)?;
                let kv_shape = crate::store::files::file_metadata(snapshot, &model.id)?
                    .and_then(|m| m.kv_shape());
                if !query_filter::matches(query, &model, deployments, kv_shape) {
                    continue;
                }
            }
            models.push(bundle::bundle_model(snapshot, &model)?);
        }
        let mut seen = HashSet::new();
        let mut projects = Vec::new();
        for model in &models {
            if seen.insert(model.project_id.clone())
                && let Some(p) = projects::find_project(snapshot, &model.project_id)?
            {
                projects.push(BundleProject {
                    id: p.id,
                    slug: p.slug.as_str().to_owned(),
                    name: p.name,
                });
            }
        }
        Ok::<_, BundleError>((projects, models))
    })?;
    let mut seen = HashSet::new();
    let mut files = Vec::new();
    for model in &models {
        for (sha256, size) in model.blobs() {
            if seen.insert(sha256.to_owned()) {
                files.push(BundleFile {
                    sha256: sha256.to_owned(),
                    size,
                });
            }
        }
    }
    Ok(Manifest {
        format: FORMAT.to_owned(),
        format_version: FORMAT_VERSION,
        created_at: now(),
        generator: format!("xeroctl {}", env!("CARGO_PKG_VERSION")),
        selection: Selection {
            shared_only,
            project: request.project.as_ref().map(ToString::to_string),
            query: request.query.clone(),
        },
        with_files: request.with_files,
        projects,
        models,
        files,
    })
}

fn write_archive(
    path: &Path,
    store: &BlobStore,
    manifest: &[u8],
    signature: &str,
    blobs: &[BundleFile],
    progress: &mut dyn Progress,
    total: u64,
) -> Result<(), BundleError> {
    let file = File::create(path).map_err(BundleError::io(path))?;
    let mut archive = tar::Builder::new(BufWriter::with_capacity(COPY_BUFFER, file));
    let mtime = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    append(
        &mut archive,
        MANIFEST_ENTRY,
        manifest.len() as u64,
        mtime,
        manifest,
    )
    .map_err(BundleError::io(path))?;
    append(
        &mut archive,
        SIGNATURE_ENTRY,
        signature.len() as u64,
        mtime,
        signature.as_bytes(),
    )
    .map_err(BundleError::io(path))?;
    progress.start(total);
    for blob in blobs {
        let source = store.path(&blob.sha256);
        let reader = File::open(&source).map_err(BundleError::io(&source))?;
        let stored = reader.metadata().map_err(BundleError::io(&source))?.len();
        if stored != blob.size {
            return Err(BundleError::FileMismatch(format!(
                "the stored blob {} has {stored} bytes, not {} as recorded",
                blob.sha256, blob.size
            )));
        }
        let mut hashing = HashingReader {
            inner: reader,
            hasher: Sha256::new(),
            progress: &mut *progress,
        };
        let name = format!("{BLOB_PREFIX}{}", blob.sha256);
        append(&mut archive, &name, blob.size, mtime, &mut hashing)
            .map_err(BundleError::io(path))?;
        let digest = hex(&hashing.hasher.finalize());
        if digest != blob.sha256 {
            return Err(BundleError::FileMismatch(format!(
                "the stored blob {} is damaged: its bytes hash to {digest}",
                blob.sha256
            )));
        }
    }
    let mut writer = archive.into_inner().map_err(BundleError::io(path))?;
    writer.flush().map_err(BundleError::io(path))?;
    let file = writer.into_inner().map_err(|e| BundleError::Io {
        path: path.to_owned(),
        source: e.into_error(),
    })?;
    file.sync_all().map_err(BundleError::io(path))
}

fn append(
    archive: &mut tar::Builder<impl Write>,
    name: &str,
    size: u64,
    mtime: u64,
    data: impl Read,
) -> std::io::Result<()> {
    let mut header = tar::Header::new_gnu();
    header.set_size(size);
    header.set_mode(0o644);
    header.set_mtime(mtime);
    header.set_entry_type(tar::EntryType::Regular);
    archive.append_data(&mut header, name, data)
}

/// Hashes what passes through and reports it.
struct HashingReader<'a, R> {
    inner: R,
    hasher: Sha256,
    progress: &'a mut dyn Progress,
}

impl<R: Read> Read for HashingReader<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        self.progress.advance(n as u64);
        Ok(n)
    }
}

/// `bundle.tar` is written as `bundle.tar.partial` first.
pub(super) fn partial_path(output: &Path) -> PathBuf {
    let mut name = output.as_os_str().to_owned();
    name.push(".partial");
    PathBuf::from(name)
}
