//! Typed identifiers: projects (`proj_…`), their slugs, models (UUIDs) and the CLI-local
//! display ids (`mdl_…`) that the server never resolves.

use std::fmt;

use rand::Rng;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

const PROJECT_PREFIX: &str = "proj_";
const PROJECT_ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

/// A project id like `proj_7KQ2M9XW4C`, used in REST paths.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ProjectId(String);

impl ProjectId {
    /// Makes a fresh random id (10 characters from an unambiguous alphabet, ~50 bits).
    pub fn generate() -> Self {
        let mut rng = rand::thread_rng();
        let tail: String = (0..10)
            .map(|_| PROJECT_ALPHABET[rng.gen_range(0..PROJECT_ALPHABET.len())] as char)
            .collect();
        Self(format!("{PROJECT_PREFIX}{tail}"))
    }

    /// Parses `proj_` followed by 1–40 ASCII letters or digits.
    pub fn parse(input: &str) -> Option<Self> {
        let tail = input.strip_prefix(PROJECT_PREFIX)?;
        let valid =
            !tail.is_empty() && tail.len() <= 40 && tail.bytes().all(|b| b.is_ascii_alphanumeric());
        valid.then(|| Self(input.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for ProjectId {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
            .ok_or_else(|| format!("`{value}` is not a project id like `proj_ABC123`"))
    }
}

impl From<ProjectId> for String {
    fn from(value: ProjectId) -> Self {
        value.0
    }
}

impl fmt::Display for ProjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&self.0)
    }
}

/// A project slug like `myproject`: the middle part of its API keys.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ProjectSlug(String);

impl ProjectSlug {
    /// Parses 2–40 characters of `[a-z0-9-]`, starting with a letter or digit. Underscores are
    /// excluded because they separate the parts of `xero_<slug>_<secret>`.
    pub fn parse(input: &str) -> Option<Self> {
        let bytes = input.as_bytes();
        let valid = (2..=40).contains(&bytes.len())
            && bytes[0].is_ascii_alphanumeric()
            && bytes
                .iter()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-');
        valid.then(|| Self(input.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for ProjectSlug {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value).ok_or_else(|| {
            format!("slug `{value}` must be 2-40 characters of lowercase letters, digits and `-`")
        })
    }
}

impl From<ProjectSlug> for String {
    fn from(value: ProjectSlug) -> Self {
        value.0
    }
}

impl fmt::Display for ProjectSlug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&self.0)
    }
}

/// A model id: always a UUID. The REST API and the web routes accept nothing else.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ModelId(Uuid);

impl ModelId {
    pub fn generate() -> Self {
        Self(Uuid::new_v4())
    }

    /// Parses a UUID in any of its usual spellings; `mdl_…` display ids are rejected.
    pub fn parse(input: &str) -> Option<Self> {
        Uuid::parse_str(input).ok().map(Self)
    }

    pub fn as_uuid(&self) -> Uuid {
        self.0
    }

    /// Returns the CLI-local display id (`mdl_` + the first 6 hex digits of the UUID).
    pub fn display_id(&self) -> DisplayId {
        DisplayId(format!("mdl_{}", &self.0.simple().to_string()[..6]))
    }
}

impl fmt::Display for ModelId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.hyphenated().fmt(f)
    }
}

/// A CLI-local display id like `mdl_3f2a9c`; only the CLI resolves it, to a UUID.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DisplayId(String);

impl DisplayId {
    /// Recognises the `mdl_` shape, so that the server can explain why it will not resolve one.
    pub fn looks_like(input: &str) -> bool {
        input.starts_with("mdl_")
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for DisplayId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn project_ids_round_trip_and_reject_other_shapes() {
        let id = ProjectId::generate();
        assert_eq!(ProjectId::parse(id.as_str()), Some(id.clone()));
        assert!(ProjectId::parse("proj_ABC123").is_some());
        for bad in ["", "proj_", "ABC123", "proj_AB-C", "proj_../x", "PROJ_ABC"] {
            assert!(
                ProjectId::parse(bad).is_none(),
                "{bad:?} should be rejected"
            );
        }
    }

    #[test]
    fn slugs_exclude_underscores_and_uppercase() {
        assert!(ProjectSlug::parse("myproject").is_some());
        assert!(ProjectSlug::parse("team-42").is_some());
        for bad in ["my_project", "MyProject", "-x", "a", "", "x y"] {
            assert!(
                ProjectSlug::parse(bad).is_none(),
                "{bad:?} should be rejected"
            );
        }
    }

    #[test]
    fn model_ids_are_uuids_only() {
        assert!(ModelId::parse("mdl_abc123").is_none());
        let id = ModelId::generate();
        assert_eq!(ModelId::parse(&id.to_string()), Some(id));
        assert!(id.display_id().as_str().starts_with("mdl_"));
        assert_eq!(id.display_id().as_str().len(), 10);
    }
}
