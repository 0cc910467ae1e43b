//! License keys and their display names: `apache-2.0` → "Apache 2.0", `llama3` → "Llama 3".
//! Unknown values are kept exactly as given (trimmed), both as key and as display name.

use serde::{Deserialize, Serialize};

use super::CatalogError;

const MAX_LEN: usize = 64;

/// Known license keys (lowercase) and how the catalog names them.
const KNOWN: &[(&str, &str)] = &[
    ("apache-2.0", "Apache 2.0"),
    ("mit", "MIT"),
    ("llama2", "Llama 2"),
    ("llama3", "Llama 3"),
    ("llama3.1", "Llama 3.1"),
    ("llama3.2", "Llama 3.2"),
    ("llama3.3", "Llama 3.3"),
    ("llama4", "Llama 4"),
    ("gemma", "Gemma"),
    ("deepseek", "DeepSeek"),
    ("qwen", "Qwen"),
    ("qwen-research", "Qwen Research"),
    // Kept for rows stored before these became aliases of `qwen` / `qwen-research`.
    ("other:tongyi-qianwen", "Qwen"),
    ("other:tongyi-qianwen-research", "Qwen Research"),
    ("other:telechat-community", "TeleChat Community"),
    ("other:seallms", "SeaLLMs"),
    ("other:glm-4", "GLM-4"),
    ("other:glm-edge", "GLM-Edge"),
    ("other:codegeex4", "CodeGeeX4"),
    ("other:cogagent", "CogAgent"),
    ("other:baichuan2-community", "Baichuan 2 Community"),
    ("other:orion-14b-community", "Orion-14B Community"),
    ("other:mnpl", "Mistral AI Non-Production"),
    ("other:mrl", "Mistral AI Research"),
    ("other:minimax", "MiniMax"),
    ("other:minimax-non-commercial", "MiniMax Non-Commercial"),
    ("other:modified-mit", "Modified MIT"),
    ("bsd-3-clause", "BSD 3-Clause"),
    ("bsd-2-clause", "BSD 2-Clause"),
    ("gpl-3.0", "GPL 3.0"),
    ("agpl-3.0", "AGPL 3.0"),
    ("lgpl-3.0", "LGPL 3.0"),
    ("mpl-2.0", "MPL 2.0"),
    ("cc-by-4.0", "CC BY 4.0"),
    ("cc-by-sa-4.0", "CC BY-SA 4.0"),
    ("cc-by-nc-4.0", "CC BY-NC 4.0"),
    ("cc-by-nc-sa-4.0", "CC BY-NC-SA 4.0"),
    ("cc0-1.0", "CC0 1.0"),
    ("openrail", "OpenRAIL"),
    ("openrail++", "OpenRAIL++"),
    ("bigscience-openrail-m", "BigScience OpenRAIL-M"),
    ("creativeml-openrail-m", "CreativeML OpenRAIL-M"),
    ("bigcode-openrail-m", "BigCode OpenRAIL-M"),
    ("unlicense", "Unlicense"),
    ("other", "Other"),
];

/// Common spellings people type for the known keys.
const ALIASES: &[(&str, &str)] = &[
    ("apache 2.0", "apache-2.0"),
    ("apache2", "apache-2.0"),
    ("apache-2", "apache-2.0"),
    ("apache license 2.0", "apache-2.0"),
    ("llama 2", "llama2"),
    ("llama 3", "llama3"),
    ("llama 3.1", "llama3.1"),
    ("llama 3.2", "llama3.2"),
    ("llama 3.3", "llama3.3"),
    ("mit license", "mit"),
    // The Qwen licence was published as the Tongyi Qianwen licence agreement: one licence.
    ("other:tongyi-qianwen", "qwen"),
    ("tongyi-qianwen", "qwen"),
    ("other:tongyi-qianwen-research", "qwen-research"),
    ("tongyi-qianwen-research", "qwen-research"),
];

/// A normalised license key.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct License(String);

impl License {
    /// Normalises a known license (case-insensitively, aliases included) to its key; keeps an
    /// unknown one as given.
    pub fn parse(input: &str) -> Result<Self, CatalogError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(CatalogError::Empty { field: "license" });
        }
        if trimmed.chars().count() > MAX_LEN {
            return Err(CatalogError::TooLong {
                field: "license",
                max: MAX_LEN,
            });
        }
        if trimmed.chars().any(char::is_control) {
            return Err(CatalogError::ControlCharacters { field: "license" });
        }
        if super::error::has_bidi_controls(trimmed) {
            return Err(CatalogError::BidiControls { field: "license" });
        }
        if super::error::has_noncharacters(trimmed) {
            return Err(CatalogError::Noncharacters { field: "license" });
        }
        let lower = trimmed.to_lowercase();
        let key = ALIASES
            .iter()
            .find(|(alias, _)| *alias == lower)
            .map(|(_, key)| *key);
        let key = key.or_else(|| {
            KNOWN
                .iter()
                .find(|(known, _)| *known == lower)
                .map(|(k, _)| *k)
        });
        Ok(Self(key.map_or_else(|| trimmed.to_owned(), str::to_owned)))
    }

    /// Wraps a key that was normalised before it was stored.
    pub fn from_stored(key: String) -> Self {
        Self(key)
    }

    pub fn key(&self) -> &str {
        &self.0
    }

    /// Returns the name the catalog shows: "Apache 2.0" for `apache-2.0`; an unknown key as
    /// given, without the Hub's `other:` prefix (`other:acme-v2` → `acme-v2`).
    pub fn display_name(&self) -> &str {
        KNOWN.iter().find(|(key, _)| *key == self.0).map_or_else(
            || {
                self.0
                    .strip_prefix("other:")
                    .filter(|rest| !rest.trim().is_empty())
                    .unwrap_or(&self.0)
            },
            |(_, name)| name,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_licenses_get_keys_and_display_names() {
        let cases = [
            ("apache-2.0", "apache-2.0", "Apache 2.0"),
            ("Apache 2.0", "apache-2.0", "Apache 2.0"),
            ("MIT", "mit", "MIT"),
            ("llama3", "llama3", "Llama 3"),
            ("Llama 3.1", "llama3.1", "Llama 3.1"),
            ("other:tongyi-qianwen", "qwen", "Qwen"),
            (
                "other:tongyi-qianwen-research",
                "qwen-research",
                "Qwen Research",
            ),
            (
                "other:telechat-community",
                "other:telechat-community",
                "TeleChat Community",
            ),
        ];
        for (input, key, name) in cases {
            let license = License::parse(input).unwrap();
            assert_eq!(
                (license.key(), license.display_name()),
                (key, name),
                "{input}"
            );
        }
    }

    #[test]
    fn unknown_licenses_are_kept_as_given() {
        let license = License::parse(" Acme Model License v2 ").unwrap();
        assert_eq!(license.key(), "Acme Model License v2");
        assert_eq!(license.display_name(), "Acme Model License v2");
        let hub_style = License::parse("other:acme-v2").unwrap();
        assert_eq!(
            (hub_style.key(), hub_style.display_name()),
            ("other:acme-v2", "acme-v2")
        );
    }

    #[test]
    fn empty_or_oversized_licenses_are_rejected() {
        assert!(License::parse("  ").is_err());
        assert!(License::parse(&"x".repeat(65)).is_err());
        assert!(License::parse("mit\u{0}").is_err());
    }
}
