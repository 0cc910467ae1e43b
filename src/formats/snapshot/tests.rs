//! Scanning fake Hugging Face caches and plain folders built in temporary directories.

use std::fs;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};

use super::*;

const OLD: &str = "1111111111111111111111111111111111111111";
const NEW: &str = "2222222222222222222222222222222222222222";

fn write(path: &Path, bytes: &[u8]) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, bytes).unwrap();
}

/// `models--acme--tiny-llm` with two revisions whose files link into `blobs/`, the way
/// `huggingface_hub` lays them out; `refs/main` names NEW, `refs/v1` names OLD.
fn hf_cache(dir: &Path) -> PathBuf {
    let cache = dir.join("models--acme--tiny-llm");
    for (blob, bytes) in [
        ("b-old-config", &b"{}"[..]),
        ("b-config", b"{\"a\":1}"),
        ("b-tok", b"tok"),
    ] {
        write(&cache.join("blobs").join(blob), bytes);
    }
    let link = |revision: &str, path: &str, blob: &str| {
        let file = cache.join("snapshots").join(revision).join(path);
        fs::create_dir_all(file.parent().unwrap()).unwrap();
        let up = "../".repeat(path.matches('/').count() + 2);
        symlink(format!("{up}blobs/{blob}"), file).unwrap();
    };
    link(OLD, "config.json", "b-old-config");
    link(NEW, "config.json", "b-config");
    link(NEW, "tokenizer/tokenizer.json", "b-tok");
    write(&cache.join("refs/main"), format!("{NEW}\n").as_bytes());
    write(&cache.join("refs/v1"), OLD.as_bytes());
    cache
}

fn paths(snapshot: &Snapshot) -> Vec<&str> {
    snapshot.files.iter().map(|f| f.path.as_str()).collect()
}

#[test]
fn a_cache_folder_is_read_at_refs_main() {
    let dir = tempfile::tempdir().unwrap();
    let cache = hf_cache(dir.path());
    let snapshot = scan(&cache).unwrap();
    assert_eq!(
        paths(&snapshot),
        ["config.json", "tokenizer/tokenizer.json"]
    );
    let canonical = fs::canonicalize(&cache).unwrap();
    assert_eq!(
        snapshot.source,
        SnapshotSource::HfCache {
            cache: canonical.clone(),
            revision: NEW.into()
        }
    );
    assert_eq!(snapshot.root, canonical.join("snapshots").join(NEW));
    let config = snapshot.file("config.json").unwrap();
    assert_eq!(config.source, canonical.join("blobs/b-config"));
    assert_eq!(config.size, 7);
    assert_eq!(snapshot.total_size(), 10);
    assert_eq!(snapshot.suggested_repo.as_deref(), Some("acme/tiny-llm"));
    assert_eq!(snapshot.suggested_name(), Some("tiny-llm"));
}

#[test]
fn an_explicit_revision_picks_the_other_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let cache = hf_cache(dir.path());
    for revision in [OLD, "v1"] {
        let snapshot = scan_revision(&cache, revision).unwrap();
        assert_eq!(paths(&snapshot), ["config.json"], "{revision}");
        assert!(snapshot.files[0].source.ends_with("blobs/b-old-config"));
    }
    let unknown = scan_revision(&cache, "3333").unwrap_err();
    assert!(
        matches!(&unknown, SnapshotError::RevisionNotFound { revision, .. } if revision == "3333")
    );
    assert!(
        unknown
            .to_string()
            .contains(&format!("`{OLD}`, `{NEW}`, ref `main`"))
    );
    for hostile in ["../../etc", "/etc", "a\nb", ""] {
        assert!(
            matches!(
                scan_revision(&cache, hostile),
                Err(SnapshotError::BadRevision(_))
            ),
            "{hostile:?}"
        );
    }
    write(&cache.join("refs/evil"), b"../../../etc");
    assert!(matches!(
        scan_revision(&cache, "evil"),
        Err(SnapshotError::BadRevision(_))
    ));
}

#[test]
fn a_snapshot_folder_can_be_named_directly() {
    let dir = tempfile::tempdir().unwrap();
    let cache = hf_cache(dir.path());
    let old = cache.join("snapshots").join(OLD);
    let snapshot = scan(&old).unwrap();
    assert_eq!(paths(&snapshot), ["config.json"]);
    assert_eq!(snapshot.suggested_repo.as_deref(), Some("acme/tiny-llm"));
    assert!(
        matches!(snapshot.source, SnapshotSource::HfCache { ref revision, .. } if revision == OLD)
    );
    assert!(scan_revision(&old, "v1").is_ok());
    assert!(matches!(
        scan_revision(&old, "main"),
        Err(SnapshotError::RevisionMismatch { .. })
    ));
}

#[test]
fn a_cache_without_refs_main_asks_for_a_revision() {
    let dir = tempfile::tempdir().unwrap();
    let cache = hf_cache(dir.path());
    fs::remove_file(cache.join("refs/main")).unwrap();
    let error = scan(&cache).unwrap_err();
    assert!(matches!(error, SnapshotError::NoMainRef { .. }), "{error}");
    assert!(
        error.to_string().contains("choose one of its revisions"),
        "{error}"
    );
}

#[test]
fn links_out_of_the_cache_are_refused_and_named() {
    let dir = tempfile::tempdir().unwrap();
    let cache = hf_cache(dir.path());
    write(&dir.path().join("secret.txt"), b"secret");
    let snapshot_dir = cache.join("snapshots").join(NEW);
    symlink(
        "../../../secret.txt",
        snapshot_dir.join("model.safetensors"),
    )
    .unwrap();
    let error = scan(&cache).unwrap_err();
    assert!(
        matches!(&error, SnapshotError::LinkOutside { file, .. } if file == "model.safetensors"),
        "{error}"
    );
    assert!(
        error
            .to_string()
            .starts_with("`model.safetensors` links to `"),
        "{error}"
    );
    fs::remove_file(snapshot_dir.join("model.safetensors")).unwrap();

    symlink(dir.path().join("secret.txt"), snapshot_dir.join("abs")).unwrap();
    assert!(matches!(scan(&cache), Err(SnapshotError::LinkOutside { file, .. }) if file == "abs"));
    fs::remove_file(snapshot_dir.join("abs")).unwrap();

    symlink("../../blobs/missing", snapshot_dir.join("gone.bin")).unwrap();
    assert!(matches!(scan(&cache), Err(SnapshotError::BrokenLink { file }) if file == "gone.bin"));
    fs::remove_file(snapshot_dir.join("gone.bin")).unwrap();

    symlink("../../blobs", snapshot_dir.join("folder")).unwrap();
    assert!(matches!(scan(&cache), Err(SnapshotError::LinkToFolder { file }) if file == "folder"));
}

#[test]
fn a_plain_folder_lists_nested_files_and_skips_leftovers() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("Qwen3-0.6B");
    for path in [
        "config.json",
        "README.md",
        ".gitattributes",
        "onnx/model.onnx",
        "onnx/deep/er/weights.bin",
        ".git/HEAD",
        ".cache/huggingface/download/config.json.metadata",
        ".huggingface/download/x",
        "model.safetensors.incomplete",
        "onnx/.git/config",
        "config.json.lock",
    ] {
        write(&root.join(path), b"x");
    }
    symlink("config.json", root.join("alias.json")).unwrap();
    let snapshot = scan(&root).unwrap();
    assert_eq!(
        paths(&snapshot),
        [
            ".gitattributes",
            "README.md",
            "alias.json",
            "config.json",
            "onnx/deep/er/weights.bin",
            "onnx/model.onnx"
        ]
    );
    let canonical = fs::canonicalize(&root).unwrap();
    assert_eq!(
        snapshot.file("alias.json").unwrap().source,
        canonical.join("config.json")
    );
    assert_eq!(snapshot.source, SnapshotSource::Folder);
    assert_eq!(snapshot.suggested_repo, None);
    assert_eq!(snapshot.suggested_name(), Some("Qwen3-0.6B"));

    write(&dir.path().join("outside.txt"), b"x");
    symlink("../../outside.txt", root.join("onnx/escape.txt")).unwrap();
    assert!(matches!(
        scan(&root),
        Err(SnapshotError::LinkOutside { file, .. }) if file == "onnx/escape.txt"
    ));
    assert!(matches!(
        scan_revision(&root, "main"),
        Err(SnapshotError::NotACache(_))
    ));
}

#[test]
fn bad_names_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("sub/bell\u{7}.txt"), b"x");
    let error = scan(dir.path()).unwrap_err();
    assert!(
        matches!(&error, SnapshotError::BadPath { path, reason } if path == "sub/bell\\u{7}.txt" && *reason == "contains a control character"),
        "{error}"
    );
    let long = "a".repeat(MAX_PATH_BYTES + 1);
    let cases = [
        ("parent part", "../x"),
        ("parent part inside", "a/../../x"),
        ("absolute", "/etc/passwd"),
        ("empty part", "a//b"),
        ("dot part", "a/./b"),
        ("backslash", "a\\..\\b"),
        ("control character", "a\tb"),
        ("too long", long.as_str()),
        ("empty", ""),
    ];
    for (description, path) in cases {
        assert!(
            matches!(check_repo_path(path), Err(SnapshotError::BadPath { .. })),
            "{description}"
        );
    }
    for good in [
        "config.json",
        "a/b/c.safetensors",
        "..hidden",
        "x..y",
        &"a".repeat(MAX_PATH_BYTES),
    ] {
        assert!(check_repo_path(good).is_ok(), "{good}");
    }
}

#[test]
fn non_utf8_names_and_special_files_are_refused() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    write(
        &dir.path().join(std::ffi::OsStr::from_bytes(b"bad\xff.bin")),
        b"x",
    );
    assert!(matches!(
        scan(dir.path()),
        Err(SnapshotError::BadPath {
            reason: "is not UTF-8",
            ..
        })
    ));
    let dir = tempfile::tempdir().unwrap();
    let fifo = std::ffi::CString::new(dir.path().join("pipe").as_os_str().as_bytes()).unwrap();
    // SAFETY: a valid NUL-terminated path; mkfifo only creates a file.
    assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o600) }, 0);
    assert!(matches!(scan(dir.path()), Err(SnapshotError::NotAFile { file }) if file == "pipe"));
}

#[test]
fn too_many_files_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..3 {
        write(&dir.path().join(format!("d{}/f{i}", i % 2)), b"");
    }
    let root = fs::canonicalize(dir.path()).unwrap();
    assert_eq!(list_files(&root, &root, 3).unwrap().len(), 3);
    assert!(matches!(
        list_files(&root, &root, 2),
        Err(SnapshotError::TooManyFiles { max: 2 })
    ));
    for i in 3..=MAX_FILES {
        fs::write(root.join(format!("f{i}")), b"").unwrap();
    }
    let error = scan(&root).unwrap_err();
    assert!(matches!(
        error,
        SnapshotError::TooManyFiles { max: MAX_FILES }
    ));
    assert_eq!(error.to_string(), "the snapshot has more than 10000 files");
}

#[test]
fn missing_empty_and_file_paths_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    assert!(matches!(
        scan(&dir.path().join("nope")),
        Err(SnapshotError::NotFound(_))
    ));
    assert!(matches!(scan(dir.path()), Err(SnapshotError::NoFiles(_))));
    write(&dir.path().join("file"), b"x");
    assert!(matches!(
        scan(&dir.path().join("file")),
        Err(SnapshotError::NotAFolder(_))
    ));
}

#[test]
fn sha256_is_streamed_over_chunks() {
    let dir = tempfile::tempdir().unwrap();
    let small = dir.path().join("abc");
    fs::write(&small, b"abc").unwrap();
    assert_eq!(
        sha256_file(&small).unwrap(),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
    let big = dir.path().join("big");
    let bytes: Vec<u8> = (0..(5 * 1024 * 1024 / 2 + 7))
        .map(|i| (i % 251) as u8)
        .collect();
    fs::write(&big, &bytes).unwrap();
    assert_eq!(
        sha256_file(&big).unwrap(),
        format!("{:x}", Sha256::digest(&bytes))
    );
    assert!(sha256_file(&dir.path().join("missing")).is_err());
}
