//! Hugging Face model snapshots on disk, read without a network: a cache folder
//! (`models--{org}--{name}/` with `refs/main`, `snapshots/<rev>/` whose files link into
//! `blobs/`) or a plain downloaded folder. [`scan`] lists the files of one revision;
//! [`metadata`] reads what `config.json`, the safetensors or GGUF headers and `README.md` say.
//!
//! Invariants: every listed path is a valid repository path ([`check_repo_path`]); every link
//! resolves to a regular file inside the cache folder (or the plain folder); at most
//! [`MAX_FILES`] files. Nothing is hashed here: the uploader hashes while it sends
//! ([`sha256_file`] is there for callers that need a digest first).
//!
//! Everything here blocks on the filesystem: async callers run it on a blocking thread.

mod cache;
mod metadata;
#[cfg(all(test, unix))]
mod tests;

use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use cache::{available_revisions, is_cache_folder, repo_from_cache_name, resolve_revision};
pub use metadata::{SnapshotMetadata, metadata};

/// More files than this is not one model (the largest repositories have a few hundred).
pub const MAX_FILES: usize = 10_000;
/// Longest repository path, in bytes.
pub const MAX_PATH_BYTES: usize = 1024;
const _: () = assert!(
    MAX_PATH_BYTES == 1024,
    "update the message in `check_repo_path`"
);
/// A ref file holds a 40-hex commit id.
const MAX_REF_BYTES: u64 = 256;
/// Folders left by git and by `huggingface-cli download --local-dir`, never repository files.
const SKIPPED_FOLDERS: [&str; 3] = [".git", ".cache", ".huggingface"];
/// Leftovers of interrupted or running downloads.
const SKIPPED_SUFFIXES: [&str; 2] = [".lock", ".incomplete"];

/// One revision of a model's files, as found on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    /// The folder whose files are listed (`…/snapshots/<rev>` or the plain folder), canonical.
    pub root: PathBuf,
    pub source: SnapshotSource,
    /// `org/name` from a cache folder named `models--org--name`.
    pub suggested_repo: Option<String>,
    /// Sorted by path.
    pub files: Vec<SnapshotFile>,
}

/// Where a snapshot was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SnapshotSource {
    /// A Hugging Face cache folder (canonical path) at one revision (a commit id).
    HfCache { cache: PathBuf, revision: String },
    /// A plain folder.
    Folder,
}

/// One file of a snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotFile {
    /// The repository path, `/`-separated, valid per [`check_repo_path`].
    pub path: String,
    /// The file to read: the link target (a blob) for a link, else the file itself.
    pub source: PathBuf,
    pub size: u64,
}

impl Snapshot {
    /// Returns the name part of the suggested repository, else the plain folder's name.
    pub fn suggested_name(&self) -> Option<&str> {
        match (&self.suggested_repo, &self.source) {
            (Some(repo), _) => repo.rsplit('/').next(),
            (None, SnapshotSource::Folder) => self.root.file_name()?.to_str(),
            (None, SnapshotSource::HfCache { .. }) => None,
        }
    }

    /// Returns the file at `path`, if the snapshot has it.
    pub fn file(&self, path: &str) -> Option<&SnapshotFile> {
        self.files
            .binary_search_by(|f| f.path.as_str().cmp(path))
            .ok()
            .map(|i| &self.files[i])
    }

    /// Returns the size of all files together.
    pub fn total_size(&self) -> u64 {
        self.files.iter().map(|f| f.size).sum()
    }
}

/// Why a folder cannot be imported. Messages name the file and say why.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    #[error("`{}` does not exist", .0.display())]
    NotFound(PathBuf),
    #[error("`{}` is not a folder", .0.display())]
    NotAFolder(PathBuf),
    #[error("cannot read `{}`: {source}", .path.display())]
    Io { path: PathBuf, source: io::Error },
    #[error("`{}` has no `refs/main`; choose one of its revisions: {available}", .cache.display())]
    NoMainRef { cache: PathBuf, available: String },
    #[error("revision `{revision}` is not downloaded in `{}`; downloaded: {available}", .cache.display())]
    RevisionNotFound {
        cache: PathBuf,
        revision: String,
        available: String,
    },
    #[error("revision `{0}` is not a valid revision name")]
    BadRevision(String),
    #[error("`{}` holds revision `{actual}`, not `{requested}`", .path.display())]
    RevisionMismatch {
        path: PathBuf,
        actual: String,
        requested: String,
    },
    #[error("`{}` is a plain folder, not a Hugging Face cache folder: it has no revisions", .0.display())]
    NotACache(PathBuf),
    #[error("`{file}` links to `{}`, outside `{}`: refused", .target.display(), .boundary.display())]
    LinkOutside {
        file: String,
        target: PathBuf,
        boundary: PathBuf,
    },
    #[error("`{file}` links to a file that does not exist (an incomplete download?)")]
    BrokenLink { file: String },
    #[error("`{file}` links to a folder; only links to files are followed")]
    LinkToFolder { file: String },
    #[error("`{file}` is not a regular file")]
    NotAFile { file: String },
    #[error("cannot import `{path}`: its name {reason}")]
    BadPath { path: String, reason: &'static str },
    #[error("the snapshot has more than {max} files")]
    TooManyFiles { max: usize },
    #[error("`{}` holds no files", .0.display())]
    NoFiles(PathBuf),
}

fn io_error(path: &Path) -> impl FnOnce(io::Error) -> SnapshotError + '_ {
    move |source| SnapshotError::Io {
        path: path.to_owned(),
        source,
    }
}

/// Lists the files of a snapshot: a cache folder at the revision `refs/main` names, a cache's
/// `snapshots/<rev>` folder, or a plain folder.
pub fn scan(path: &Path) -> Result<Snapshot, SnapshotError> {
    scan_at(path, None)
}

/// Lists the files of a cache folder at `revision` (a commit id or a name under `refs/`).
pub fn scan_revision(path: &Path, revision: &str) -> Result<Snapshot, SnapshotError> {
    scan_at(path, Some(revision))
}

fn scan_at(path: &Path, revision: Option<&str>) -> Result<Snapshot, SnapshotError> {
    let folder = match fs::metadata(path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return Err(SnapshotError::NotFound(path.to_owned()));
        }
        other => other.map_err(io_error(path))?,
    };
    if !folder.is_dir() {
        return Err(SnapshotError::NotAFolder(path.to_owned()));
    }
    let root = fs::canonicalize(path).map_err(io_error(path))?;
    if let Some((cache, commit)) = locate_revision(&root, revision)? {
        return scan_cache(cache, commit);
    }
    if revision.is_some() {
        return Err(SnapshotError::NotACache(root));
    }
    let files = list_files(&root, &root, MAX_FILES)?;
    Ok(Snapshot {
        root,
        source: SnapshotSource::Folder,
        suggested_repo: None,
        files,
    })
}

/// Returns the cache folder and commit `root` stands for: `root` is a cache's
/// `snapshots/<commit>` (an explicit revision must name the same commit) or a cache folder
/// (at `revision`, else `refs/main`). `None` for a plain folder.
fn locate_revision(
    root: &Path,
    revision: Option<&str>,
) -> Result<Option<(PathBuf, String)>, SnapshotError> {
    let snapshot_of = root
        .parent()
        .filter(|parent| parent.file_name().is_some_and(|n| n == "snapshots"))
        .and_then(Path::parent)
        .filter(|cache| is_cache_folder(cache));
    if let Some(cache) = snapshot_of {
        let actual = file_name_text(root)?;
        if let Some(requested) = revision
            && resolve_revision(cache, requested)? != actual
        {
            return Err(SnapshotError::RevisionMismatch {
                path: root.to_owned(),
                actual,
                requested: requested.to_owned(),
            });
        }
        return Ok(Some((cache.to_owned(), actual)));
    }
    if !is_cache_folder(root) {
        return Ok(None);
    }
    let commit = match revision {
        Some(requested) => resolve_revision(root, requested)?,
        None if root.join("refs/main").is_file() => resolve_revision(root, "main")?,
        None => {
            return Err(SnapshotError::NoMainRef {
                cache: root.to_owned(),
                available: available_revisions(root),
            });
        }
    };
    Ok(Some((root.to_owned(), commit)))
}

/// Lists `snapshots/<commit>` of a (canonical) cache folder; every link must stay inside it.
fn scan_cache(cache: PathBuf, commit: String) -> Result<Snapshot, SnapshotError> {
    let snapshot_link = cache.join("snapshots").join(&commit);
    let snapshot_root = fs::canonicalize(&snapshot_link).map_err(io_error(&snapshot_link))?;
    if !snapshot_root.starts_with(&cache) {
        return Err(SnapshotError::LinkOutside {
            file: format!("snapshots/{commit}"),
            target: snapshot_root,
            boundary: cache,
        });
    }
    let files = list_files(&snapshot_root, &cache, MAX_FILES)?;
    Ok(Snapshot {
        root: snapshot_root,
        suggested_repo: cache
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(repo_from_cache_name),
        source: SnapshotSource::HfCache {
            cache,
            revision: commit,
        },
        files,
    })
}

fn file_name_text(path: &Path) -> Result<String, SnapshotError> {
    match path.file_name().and_then(|n| n.to_str()) {
        Some(name) => Ok(name.to_owned()),
        None => Err(SnapshotError::BadPath {
            path: path.display().to_string(),
            reason: "is not UTF-8",
        }),
    }
}

/// Checks a repository path: relative, `/`-separated, no `.`/`..`/empty parts, no control
/// characters or backslashes, at most [`MAX_PATH_BYTES`] bytes.
pub fn check_repo_path(path: &str) -> Result<(), SnapshotError> {
    let reason = if path.is_empty() {
        Some("is empty")
    } else if path.len() > MAX_PATH_BYTES {
        Some("is longer than 1024 bytes")
    } else if path.starts_with('/') {
        Some("is an absolute path")
    } else if path.chars().any(char::is_control) {
        Some("contains a control character")
    } else if path.contains('\\') {
        Some("contains a backslash")
    } else if path.split('/').any(|part| part == "..") {
        Some("contains `..`")
    } else if path.split('/').any(|part| part.is_empty() || part == ".") {
        Some("has an empty or `.` part")
    } else {
        None
    };
    match reason {
        None => Ok(()),
        Some(reason) => Err(SnapshotError::BadPath {
            path: path.escape_debug().to_string(),
            reason,
        }),
    }
}

fn is_skipped(name: &str) -> bool {
    SKIPPED_FOLDERS.contains(&name) || SKIPPED_SUFFIXES.iter().any(|s| name.ends_with(s))
}

/// Lists the files under `root` (not following links to folders), each link resolved and
/// required to stay inside `boundary`.
fn list_files(
    root: &Path,
    boundary: &Path,
    max_files: usize,
) -> Result<Vec<SnapshotFile>, SnapshotError> {
    let mut files = Vec::new();
    // A stack, not recursion: depth is bounded only by MAX_PATH_BYTES.
    let mut pending = vec![(root.to_owned(), String::new())];
    while let Some((folder, prefix)) = pending.pop() {
        for entry in fs::read_dir(&folder).map_err(io_error(&folder))? {
            let entry = entry.map_err(io_error(&folder))?;
            let name = entry.file_name();
            let Some(name) = name.to_str() else {
                return Err(SnapshotError::BadPath {
                    path: Path::new(&prefix)
                        .join(&name)
                        .to_string_lossy()
                        .into_owned(),
                    reason: "is not UTF-8",
                });
            };
            if is_skipped(name) {
                continue;
            }
            let relative = if prefix.is_empty() {
                name.to_owned()
            } else {
                format!("{prefix}/{name}")
            };
            check_repo_path(&relative)?;
            let path = entry.path();
            let kind = entry.file_type().map_err(io_error(&path))?;
            if kind.is_dir() {
                pending.push((path, relative));
                continue;
            }
            let (source, size) = if kind.is_symlink() {
                resolve_link(&path, &relative, boundary)?
            } else if kind.is_file() {
                let size = entry.metadata().map_err(io_error(&path))?.len();
                (path, size)
            } else {
                return Err(SnapshotError::NotAFile { file: relative });
            };
            if files.len() == max_files {
                return Err(SnapshotError::TooManyFiles { max: max_files });
            }
            files.push(SnapshotFile {
                path: relative,
                source,
                size,
            });
        }
    }
    if files.is_empty() {
        return Err(SnapshotError::NoFiles(root.to_owned()));
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

/// Resolves a link fully and returns its target and size, if it is a regular file inside
/// `boundary` (canonical).
fn resolve_link(
    link: &Path,
    relative: &str,
    boundary: &Path,
) -> Result<(PathBuf, u64), SnapshotError> {
    let target = match fs::canonicalize(link) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return Err(SnapshotError::BrokenLink {
                file: relative.to_owned(),
            });
        }
        other => other.map_err(io_error(link))?,
    };
    if !target.starts_with(boundary) {
        return Err(SnapshotError::LinkOutside {
            file: relative.to_owned(),
            target,
            boundary: boundary.to_owned(),
        });
    }
    let found = fs::metadata(&target).map_err(io_error(&target))?;
    if found.is_dir() {
        return Err(SnapshotError::LinkToFolder {
            file: relative.to_owned(),
        });
    }
    if !found.is_file() {
        return Err(SnapshotError::NotAFile {
            file: relative.to_owned(),
        });
    }
    Ok((target, found.len()))
}

/// Returns the lowercase hex sha256 of a file, read in 1 MiB chunks.
pub fn sha256_file(path: &Path) -> io::Result<String> {
    let mut file = fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut chunk = vec![0u8; 1024 * 1024];
    loop {
        let read = match file.read(&mut chunk) {
            Ok(0) => break,
            Ok(read) => read,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        hasher.update(&chunk[..read]);
    }
    Ok(format!("{:x}", hasher.finalize()))
}
