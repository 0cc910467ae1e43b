//! Model repositories (SPEC §10): file paths, revision ids and the Hub repo slug. Pure rules,
//! no storage.

use super::error::has_bidi_controls;

/// Longest path of one file in a repository.
pub const MAX_PATH: usize = 1024;
/// Most files one revision holds.
pub const MAX_FILES: usize = 10_000;
/// Longest model slug.
pub const MAX_SLUG: usize = 96;

/// One file of a revision.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RepoFile {
    pub path: String,
    pub sha256: String,
    pub size: u64,
}

/// One immutable revision of a model's repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revision {
    /// 40 lowercase hex digits.
    pub id: String,
    pub parent: Option<String>,
    /// 1 for the first revision of the model; `main` is the highest.
    pub seq: u64,
    pub message: String,
    pub created_at: String,
}

/// Why a repository path cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RepoError {
    #[error(
        "file path `{0}` is not allowed: use a relative path of `/`-separated names, no `..`, no control characters, at most {MAX_PATH} bytes"
    )]
    BadPath(String),
    #[error("a revision may hold at most {MAX_FILES} files")]
    TooManyFiles,
    #[error("`{0}` is not a sha256 digest (64 lowercase hex digits)")]
    BadDigest(String),
    #[error("the same path `{0}` is given twice")]
    DuplicatePath(String),
    #[error(
        "`{0}` is not a branch or tag name here: 1-100 letters, digits, `.`, `_`, `-` and `/`, not `main`, no `..`"
    )]
    BadRefName(String),
}

/// A named revision of a repository.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefKind {
    Branch,
    Tag,
}

impl RefKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Branch => "branch",
            Self::Tag => "tag",
        }
    }

    /// The git form of a name of this kind (`refs/heads/v1`, `refs/tags/v1.0`).
    pub fn full_name(self, name: &str) -> String {
        match self {
            Self::Branch => format!("refs/heads/{name}"),
            Self::Tag => format!("refs/tags/{name}"),
        }
    }
}

/// A branch or tag name as git would take it (and a URL segment can carry once encoded).
pub fn parse_ref_name(raw: &str) -> Result<String, RepoError> {
    let bad = || RepoError::BadRefName(raw.chars().take(100).collect());
    let ok = !raw.is_empty()
        && raw.len() <= 100
        && raw != "main"
        && !raw.contains("..")
        && !raw.starts_with(['/', '.', '-'])
        && !raw.ends_with(['/', '.'])
        && !raw.starts_with("refs/")
        && raw
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '/'));
    if ok { Ok(raw.to_owned()) } else { Err(bad()) }
}

/// The form two paths share when a case-insensitive or normalising file system (macOS, Windows)
/// would store them as one file: NFC, then lower case.
fn folded(path: &str) -> String {
    icu_normalizer::ComposingNormalizerBorrowed::new_nfc()
        .normalize(path)
        .to_lowercase()
}

/// The first two paths that are one file on such a file system (`README.md` and `readme.md`,
/// or the NFC and NFD spellings of one name), if any; a download would lose one of them.
pub fn colliding_paths<'a>(paths: impl IntoIterator<Item = &'a str>) -> Option<(String, String)> {
    let mut seen: std::collections::HashMap<String, &str> = std::collections::HashMap::new();
    for path in paths {
        if let Some(first) = seen.insert(folded(path), path)
            && first != path
        {
            return Some((first.to_owned(), path.to_owned()));
        }
    }
    None
}

/// A validated, normalised repository path (`dir/file.ext`).
pub fn parse_path(raw: &str) -> Result<String, RepoError> {
    let bad = || RepoError::BadPath(raw.chars().take(120).collect());
    if raw.is_empty()
        || raw.len() > MAX_PATH
        || raw.starts_with('/')
        || raw.contains('\\')
        || raw
            .chars()
            .any(|c| c.is_control() || super::error::is_noncharacter(c))
        || has_bidi_controls(raw)
    {
        return Err(bad());
    }
    let parts: Vec<&str> = raw.split('/').collect();
    if parts
        .iter()
        .any(|p| p.is_empty() || *p == "." || *p == ".." || p.trim() != *p)
    {
        return Err(bad());
    }
    Ok(parts.join("/"))
}

/// A sha256 digest as 64 lowercase hex digits.
pub fn parse_digest(raw: &str) -> Result<String, RepoError> {
    let lower = raw.to_ascii_lowercase();
    if lower.len() == 64 && lower.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(lower)
    } else {
        Err(RepoError::BadDigest(raw.chars().take(80).collect()))
    }
}

/// Whether `raw` is a revision id: 40 lowercase hex digits.
pub fn is_revision_id(raw: &str) -> bool {
    raw.len() == 40
        && raw
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// The slug a model name suggests: lowercase `[a-z0-9._-]`, runs of anything else as one `-`,
/// at most [`MAX_SLUG`] characters, never empty, never a route word of our own.
pub fn slugify(name: &str) -> String {
    let mut slug = String::with_capacity(name.len());
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
            slug.push(c);
        } else if !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let mut slug: String = slug
        .trim_matches(|c| c == '-' || c == '.')
        .chars()
        .take(MAX_SLUG)
        .collect();
    while slug.ends_with(['-', '.']) {
        slug.pop();
    }
    // `v1` would read as the project API (`/{project}/v1/…`); dots alone are path tricks.
    if slug.is_empty() || slug == "v1" || slug.chars().all(|c| c == '.') {
        slug = format!("model-{slug}").trim_end_matches('-').to_owned();
    }
    slug
}

/// The slug with a numeric suffix, for the `n`th model that wants the same one.
pub fn numbered_slug(base: &str, n: u32) -> String {
    let suffix = format!("-{n}");
    let keep = MAX_SLUG.saturating_sub(suffix.len());
    format!("{}{suffix}", base.chars().take(keep).collect::<String>())
}

/// The file name a model's single uploaded file takes (in downloads and as its one-file
/// repository): letters, digits, `.-_` of the name, then the format's extension.
pub fn file_name_for(name: &str, format: Option<&str>) -> String {
    let stem: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '_'
            }
        })
        .take(100)
        .collect();
    let extension = match format.map(str::to_ascii_lowercase).as_deref() {
        Some("gguf") => ".gguf",
        Some("safetensors") => ".safetensors",
        _ => ".bin",
    };
    format!("{stem}{extension}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_that_are_one_file_on_common_disks_collide() {
        assert_eq!(
            colliding_paths(["README.md", "config.json", "readme.md"]),
            Some(("README.md".into(), "readme.md".into()))
        );
        let nfc = "caf\u{e9}.txt";
        let nfd = "cafe\u{301}.txt";
        assert_eq!(
            colliding_paths([nfc, nfd]),
            Some((nfc.to_owned(), nfd.to_owned()))
        );
        assert_eq!(colliding_paths(["a/b.txt", "a/c.txt", "b/b.txt"]), None);
    }

    #[test]
    fn paths_are_relative_clean_and_bounded() {
        for ok in [
            "config.json",
            "tokenizer/vocab.json",
            "model-00001-of-00002.safetensors",
            "a b.txt",
        ] {
            assert_eq!(parse_path(ok).unwrap(), ok);
        }
        let long = "a/".repeat(600) + "b";
        for bad in [
            "",
            "/etc/passwd",
            "../x",
            "a/../b",
            "a//b",
            "./a",
            "a\\b",
            "a\0b",
            "a\nb",
            "x\u{202E}y",
            " a",
            long.as_str(),
        ] {
            assert!(parse_path(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn digests_and_revisions() {
        assert!(parse_digest(&"A".repeat(64)).is_ok());
        assert!(parse_digest("abc").is_err());
        assert!(is_revision_id(&"0a".repeat(20)));
        assert!(!is_revision_id("main") && !is_revision_id(&"A".repeat(40)));
    }

    #[test]
    fn slugs_follow_the_hub_rules() {
        assert_eq!(slugify("Qwen3-8B"), "qwen3-8b");
        assert_eq!(
            slugify("Llama 3.1 8B Instruct (GGUF)"),
            "llama-3.1-8b-instruct-gguf"
        );
        assert_eq!(slugify("v1"), "model-v1");
        assert_eq!(slugify("日本語"), "model");
        assert_eq!(slugify(&"x".repeat(200)).len(), MAX_SLUG);
        assert_eq!(numbered_slug(&"y".repeat(96), 2).len(), MAX_SLUG);
        assert!(numbered_slug("qwen3-8b", 2).ends_with("-2"));
    }

    #[test]
    fn file_names_are_header_and_path_safe() {
        let name = file_name_for("../../etc\"passwd\r\n", Some("gguf"));
        assert_eq!(name, ".._.._etc_passwd__.gguf");
        assert!(parse_path(&name).is_ok());
    }
}
