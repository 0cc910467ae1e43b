//! Hugging Face cache folders (`models--{org}--{name}/`): which folder is one, which revision
//! a ref or commit id names, and the repository name the folder stands for.

use std::fs;
use std::io::Read;
use std::path::Path;

use super::{MAX_REF_BYTES, SnapshotError, check_repo_path, io_error};

/// A cache folder has `snapshots/` beside `refs/` or `blobs/`.
pub(super) fn is_cache_folder(path: &Path) -> bool {
    path.join("snapshots").is_dir() && (path.join("refs").is_dir() || path.join("blobs").is_dir())
}

/// Returns `org/name` for `models--org--name` (`name` for `models--name`), as
/// `huggingface_hub` names cache folders (`--` never occurs inside a repo id part).
pub(super) fn repo_from_cache_name(folder: &str) -> Option<String> {
    let parts: Vec<&str> = folder.strip_prefix("models--")?.split("--").collect();
    if parts.iter().any(|p| p.is_empty()) {
        return None;
    }
    match parts.as_slice() {
        [name] => Some((*name).to_owned()),
        [org, name] => Some(format!("{org}/{name}")),
        _ => None,
    }
}

/// Resolves a ref name (`refs/<name>` holds a commit id) or a commit id to a downloaded commit,
/// in that order, as `huggingface_hub` does.
pub(super) fn resolve_revision(cache: &Path, revision: &str) -> Result<String, SnapshotError> {
    let bad = || SnapshotError::BadRevision(revision.escape_debug().to_string());
    if revision.len() > MAX_REF_BYTES as usize || check_repo_path(revision).is_err() {
        return Err(bad());
    }
    let ref_file = cache.join("refs").join(revision);
    let not_found = || SnapshotError::RevisionNotFound {
        cache: cache.to_owned(),
        revision: revision.to_owned(),
        available: available_revisions(cache),
    };
    let commit = if ref_file.is_file() {
        let mut text = String::new();
        fs::File::open(&ref_file)
            .and_then(|f| f.take(MAX_REF_BYTES).read_to_string(&mut text))
            .map_err(io_error(&ref_file))?;
        text.trim().to_owned()
    } else if revision.contains('/') {
        // Not a ref, and a commit id is one name.
        return Err(not_found());
    } else {
        revision.to_owned()
    };
    if check_repo_path(&commit).is_err() || commit.contains('/') {
        return Err(SnapshotError::BadRevision(
            commit.escape_debug().to_string(),
        ));
    }
    if !cache.join("snapshots").join(&commit).is_dir() {
        return Err(not_found());
    }
    Ok(commit)
}

/// Names the downloaded revisions and the refs, for error messages.
pub(super) fn available_revisions(cache: &Path) -> String {
    let mut names = Vec::new();
    for (folder, label) in [("snapshots", ""), ("refs", "ref ")] {
        if let Ok(entries) = fs::read_dir(cache.join(folder)) {
            for entry in entries.flatten() {
                names.push(format!("{label}`{}`", entry.file_name().to_string_lossy()));
            }
        }
    }
    names.sort();
    if names.is_empty() {
        "none".into()
    } else {
        names.join(", ")
    }
}
