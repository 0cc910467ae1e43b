//! Receiving an upload body: chunks go through a bounded channel to a blocking writer that
//! hashes them into a temporary file in the data directory. Size limit, project quota and the
//! free-space reserve are enforced while receiving; any failure removes the temporary file.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use sha2::{Digest, Sha256};
use tokio::sync::mpsc;

use crate::catalog::ids::{ModelId, ProjectId};
use crate::ops::{OpsError, Services};
use crate::store;

/// Upload bounds (configurable with `serve --max-upload`, `--upload-idle-timeout`,
/// `--min-free-disk`).
#[derive(Debug, Clone, Copy)]
pub struct UploadLimits {
    pub max_bytes: u64,
    /// A body that sends nothing for this long is aborted (actix has no body timeout).
    pub idle: Duration,
    /// An upload that would leave less free space than this on the data disk is refused, so an
    /// upload can never starve the database and the index of room.
    pub min_free: u64,
    /// Bytes of uploaded files one project may hold (`None`: no quota).
    pub project_quota: Option<u64>,
    /// LFS objects larger than this are sent in parts of this size (the Hub's multipart
    /// transfer), so a failed part is retried alone.
    pub part_size: u64,
}

/// The LFS part size: objects up to it go in one `PUT`; a 140 GB model is 140 parts, each
/// retried alone.
pub const DEFAULT_PART_SIZE: u64 = 1024 * 1024 * 1024;

impl Default for UploadLimits {
    fn default() -> Self {
        Self {
            max_bytes: 64 * 1024 * 1024 * 1024,
            idle: Duration::from_secs(30),
            min_free: 1024 * 1024 * 1024,
            project_quota: None,
            part_size: DEFAULT_PART_SIZE,
        }
    }
}

/// How often (in received bytes) the free space is checked again during an upload.
const FREE_SPACE_CHECK_EVERY: u64 = 64 * 1024 * 1024;

/// Free bytes for unprivileged users on the filesystem holding `path`.
pub(crate) fn free_bytes(path: &Path) -> Option<u64> {
    use std::os::unix::ffi::OsStrExt;
    let c_path = std::ffi::CString::new(path.as_os_str().as_bytes()).ok()?;
    let mut stats = std::mem::MaybeUninit::<libc::statvfs>::uninit();
    // SAFETY: `c_path` is a valid NUL-terminated string and `stats` is written by statvfs
    // before it is read; on failure (non-zero return) it is not read at all.
    let stats = unsafe {
        if libc::statvfs(c_path.as_ptr(), stats.as_mut_ptr()) != 0 {
            return None;
        }
        stats.assume_init()
    };
    Some((stats.f_bavail as u64).saturating_mul(stats.f_frsize as u64))
}

fn check_space(dir: &Path, limits: &UploadLimits, more: u64) -> Result<(), OpsError> {
    match free_bytes(dir) {
        Some(free) if free < more.saturating_add(limits.min_free) => {
            Err(OpsError::InsufficientStorage(format!(
                "not enough free disk space on the server: {free} bytes free, this upload needs {more} more and {} must stay free",
                limits.min_free
            )))
        }
        _ => Ok(()),
    }
}

/// Chunks in flight between the network and the disk: memory stays at a few chunks.
const CHANNEL_CHUNKS: usize = 4;
/// Network chunks (often 8 KiB) are gathered into blocks this large before they cross to the
/// writer thread: one hand-over per MiB instead of one per packet triples the upload speed.
const BLOCK: usize = 1 << 20;

/// Received bytes are handed to the disk in steps this large while the body still arrives.
pub(crate) const WRITE_BACK_EVERY: u64 = 8 << 20;

/// Starts writing a range of the file to disk without waiting for it (Linux
/// `sync_file_range(SYNC_FILE_RANGE_WRITE)`), so the closing `fsync` finds little left and
/// receiving and the disk's own writing overlap instead of following each other. Only a hint:
/// durability still comes from the `fsync` at the end, so a failure here is ignored.
pub(crate) fn start_write_back(file: &std::fs::File, offset: u64, length: u64) {
    use std::os::fd::AsRawFd;
    let (Ok(offset), Ok(length)) = (i64::try_from(offset), i64::try_from(length)) else {
        return;
    };
    // SAFETY: the descriptor belongs to `file`, which outlives the call; the call reads no
    // memory of ours.
    unsafe {
        libc::sync_file_range(
            file.as_raw_fd(),
            offset,
            length,
            libc::SYNC_FILE_RANGE_WRITE,
        );
    }
}

/// A temporary file removed on drop unless it was moved into storage.
pub(crate) struct TempFile {
    pub(crate) path: PathBuf,
    pub(crate) keep: bool,
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if !self.keep {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// A completely received body, still in its temporary file.
pub struct Received {
    pub(crate) temp: TempFile,
    pub size: u64,
    pub sha256: String,
}

/// A body being received.
pub struct Upload {
    sender: Option<mpsc::Sender<Vec<u8>>>,
    /// Bytes received but not yet handed to the writer (less than [`BLOCK`]).
    pending: Vec<u8>,
    writer: tokio::task::JoinHandle<Result<Received, std::io::Error>>,
    received: u64,
    /// The smaller of the size limit and what is left of the project's quota.
    max: u64,
    over_quota: bool,
    limits: UploadLimits,
    dir: PathBuf,
    next_space_check: u64,
}

pub(crate) fn tmp_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("tmp")
}

/// Removes temporary files left by a server killed mid-upload.
pub fn clean_temporary_files(data_dir: &Path) {
    if let Ok(entries) = std::fs::read_dir(tmp_dir(data_dir)) {
        for entry in entries.flatten() {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

pub(crate) fn io_error(error: std::io::Error) -> OpsError {
    if error.kind() == std::io::ErrorKind::StorageFull {
        OpsError::InsufficientStorage("the server's disk is full: the upload was not stored".into())
    } else {
        OpsError::InvalidInput(format!("cannot store the upload: {error}"))
    }
}

impl Upload {
    /// Opens the temporary file; `declared` is the body's Content-Length, when given, and
    /// `quota_left` what the project may still store (see [`quota_left`]).
    pub fn start(
        services: &Services,
        declared: Option<u64>,
        quota_left: Option<u64>,
    ) -> Result<Self, OpsError> {
        let limits = services.uploads;
        let over_quota = quota_left.is_some_and(|left| left < limits.max_bytes);
        let max = quota_left.map_or(limits.max_bytes, |left| left.min(limits.max_bytes));
        if let Some(length) = declared
            && length > max
        {
            return Err(limit_error(max, over_quota));
        }
        let dir = tmp_dir(&services.data_dir);
        std::fs::create_dir_all(&dir).map_err(io_error)?;
        check_space(&dir, &limits, declared.unwrap_or(0))?;
        let path = dir.join(format!("upload-{}.part", uuid::Uuid::new_v4()));
        let file = std::fs::File::create(&path).map_err(io_error)?;
        let temp = TempFile { path, keep: false };
        let (sender, mut receiver) = mpsc::channel::<Vec<u8>>(CHANNEL_CHUNKS);
        let writer = tokio::task::spawn_blocking(move || {
            let mut out = file;
            let mut hasher = Sha256::new();
            let mut size = 0u64;
            let mut flushed = 0u64;
            while let Some(chunk) = receiver.blocking_recv() {
                hasher.update(&chunk);
                out.write_all(&chunk)?;
                size += chunk.len() as u64;
                if size - flushed >= WRITE_BACK_EVERY {
                    start_write_back(&out, flushed, size - flushed);
                    flushed = size;
                }
            }
            out.sync_all()?;
            Ok(Received {
                temp,
                size,
                sha256: hex(&hasher.finalize()),
            })
        });
        Ok(Self {
            sender: Some(sender),
            pending: Vec::with_capacity(BLOCK),
            writer,
            received: 0,
            max,
            over_quota,
            limits,
            dir,
            next_space_check: FREE_SPACE_CHECK_EVERY,
        })
    }

    /// Passes one chunk on; refuses the body once it exceeds the limit.
    pub async fn push(&mut self, chunk: &[u8]) -> Result<(), OpsError> {
        self.received += chunk.len() as u64;
        if self.received > self.max {
            return Err(limit_error(self.max, self.over_quota));
        }
        if self.received >= self.next_space_check {
            self.next_space_check = self.received + FREE_SPACE_CHECK_EVERY;
            check_space(&self.dir, &self.limits, FREE_SPACE_CHECK_EVERY)?;
        }
        self.pending.extend_from_slice(chunk);
        if self.pending.len() >= BLOCK {
            self.hand_over().await?;
        }
        Ok(())
    }

    /// Sends the gathered bytes to the writer.
    async fn hand_over(&mut self) -> Result<(), OpsError> {
        let block = std::mem::replace(&mut self.pending, Vec::with_capacity(BLOCK));
        let sender = self
            .sender
            .as_ref()
            .ok_or_else(|| OpsError::InvalidInput("upload closed".into()))?;
        if sender.send(block).await.is_err() {
            // The writer stopped: its error says why.
            self.sender = None;
            return Err(self.writer_error().await);
        }
        Ok(())
    }

    async fn writer_error(&mut self) -> OpsError {
        match (&mut self.writer).await {
            Ok(Err(error)) => io_error(error),
            _ => OpsError::InvalidInput("the upload writer stopped".into()),
        }
    }

    /// Ends the body: the file is flushed and synced.
    pub async fn finish(mut self) -> Result<Received, OpsError> {
        if !self.pending.is_empty() {
            self.hand_over().await?;
        }
        self.sender = None;
        match (&mut self.writer).await {
            Ok(Ok(received)) => Ok(received),
            Ok(Err(error)) => Err(io_error(error)),
            Err(e) => Err(OpsError::task("upload", e)),
        }
    }
}

fn limit_error(max: u64, over_quota: bool) -> OpsError {
    OpsError::PayloadTooLarge(if over_quota {
        format!(
            "the file does not fit in the project's storage quota: {max} bytes are left (delete or replace other models' files)"
        )
    } else {
        format!("the file is larger than this server's upload limit of {max} bytes")
    })
}

/// What the project may still store; `replacing` names the model whose single file the upload
/// replaces (that file does not count). Repository uploads replace nothing: revisions keep
/// their bytes.
pub async fn quota_left(
    services: &Services,
    project: &ProjectId,
    replacing: Option<ModelId>,
) -> Result<Option<u64>, OpsError> {
    let Some(quota) = services.uploads.project_quota else {
        return Ok(None);
    };
    let project = project.clone();
    let used = services
        .store
        .call(move |conn| {
            Ok(
                store::files::stored_bytes(conn, &project, replacing.as_ref())?
                    + store::repos::repository_bytes(conn, &project)?,
            )
        })
        .await?;
    Ok(Some(quota.saturating_sub(used)))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
