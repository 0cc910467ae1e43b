//! Catalog bundles and backups for installs that cannot see each other (SPEC §12, issue 15).
//!
//! A bundle is one uncompressed tar archive, written and read as a stream so memory stays
//! bounded whatever its size:
//!
//! 1. `manifest.json` — the `catalog::bundle::Manifest` (every model, revision, file digest);
//! 2. `manifest.json.minisig` — a minisign signature of exactly those bytes, so the standard
//!    `minisign -V` verifies an extracted manifest as well as `admin import` does;
//! 3. `blobs/sha256/<digest>` — each blob once, in the manifest's `files` order (with files only).
//!
//! An import checks the signature, the format version, the free space and every blob's digest
//! before anything becomes visible; then it places the blobs (unreferenced bytes are harmless:
//! garbage collection frees them) and writes every row in one transaction. The minisign crate
//! lives here only (`signing`), as does the tar crate.

pub mod apply;
pub mod backup;
pub mod export;
pub mod import;
pub mod signing;

use std::path::PathBuf;

use super::OpsError;
use crate::store::StoreError;

/// Archive entry names.
pub const MANIFEST_ENTRY: &str = "manifest.json";
pub const SIGNATURE_ENTRY: &str = "manifest.json.minisig";
pub const BLOB_PREFIX: &str = "blobs/sha256/";

/// The largest manifest an import reads into memory (a million models fit).
const MAX_MANIFEST_BYTES: u64 = 1 << 30;

/// Why a bundle, a key or a backup was refused; each names the check that failed.
#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    #[error("signature check failed: {0}")]
    Signature(String),
    #[error("the manifest does not match its signature: it was changed after signing (or damaged)")]
    TamperedManifest,
    #[error("the manifest is not valid: {0}")]
    InvalidManifest(String),
    #[error(
        "the bundle has format version {found}, newer than this xeroctl reads ({known}): upgrade xeroctl on this side"
    )]
    NewerFormat { found: u32, known: u32 },
    #[error("file check failed: {0}")]
    FileMismatch(String),
    #[error("the archive is truncated: {0}")]
    Truncated(String),
    #[error("the archive is not a bundle: {0}")]
    NotABundle(String),
    #[error(
        "not enough free disk space in `{}`: {free} bytes free, the import needs {needed} (and keeps {reserve} free)",
        dir.display()
    )]
    NotEnoughDisk {
        dir: PathBuf,
        free: u64,
        needed: u64,
        reserve: u64,
    },
    #[error("{0}")]
    Refused(String),
    #[error("`{}`: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Ops(#[from] OpsError),
}

impl From<StoreError> for BundleError {
    fn from(error: StoreError) -> Self {
        Self::Ops(OpsError::from(error))
    }
}

impl BundleError {
    /// An I/O error on `path`.
    pub fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Self {
        let path = path.into();
        move |source| Self::Io { path, source }
    }
}

/// Progress over the bytes of a long operation (the CLI draws a bar; tests pass `()`).
pub trait Progress: Send {
    /// The operation will move `total` bytes.
    fn start(&mut self, total: u64);
    fn advance(&mut self, bytes: u64);
    fn finish(&mut self);
}

impl Progress for () {
    fn start(&mut self, _: u64) {}
    fn advance(&mut self, _: u64) {}
    fn finish(&mut self) {}
}

/// Lowercase hex of a digest.
fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
