//! Architecture slugs: `Qwen3-MoE` → `qwen3moe`, `deepseek_v3` → `deepseekv3`,
//! `LlamaForCausalLM` → `llama`. A slug is the family key of the catalog.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::CatalogError;

/// Class-name endings of Hugging Face `architectures` entries that say how the model is used,
/// not what it is. Longest first, so `ForConditionalGeneration` wins over `Model`.
const CLASS_SUFFIXES: [&str; 9] = [
    "ForConditionalGeneration",
    "ForSequenceClassification",
    "ForTokenClassification",
    "ForQuestionAnswering",
    "ForCausalLM",
    "ForMaskedLM",
    "LMHeadModel",
    "Model",
    "LM",
];

const MAX_INPUT: usize = 128;
const MAX_SLUG: usize = 64;

/// A lowercase `[a-z0-9]+` architecture slug.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Architecture(String);

impl Architecture {
    /// Normalises operator input or a Hugging Face class name into a slug. A comma-separated
    /// list (as in `config.json` `architectures`) takes its first entry.
    pub fn parse(input: &str) -> Result<Self, CatalogError> {
        if input.chars().count() > MAX_INPUT {
            return Err(CatalogError::TooLong {
                field: "architecture",
                max: MAX_INPUT,
            });
        }
        let first = input.split(',').next().unwrap_or_default().trim();
        let mut stem = first;
        for suffix in CLASS_SUFFIXES {
            if let Some(rest) = stem.strip_suffix(suffix) {
                // Only strip a suffix that leaves a name behind: `Model` alone stays `model`.
                if rest.chars().any(|c| c.is_ascii_alphanumeric()) {
                    stem = rest;
                    break;
                }
            }
        }
        let slug: String = stem
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .map(|c| c.to_ascii_lowercase())
            .take(MAX_SLUG)
            .collect();
        if slug.is_empty() {
            return Err(CatalogError::InvalidArchitecture {
                input: input.to_owned(),
            });
        }
        Ok(Self(slug))
    }

    /// Wraps a slug that was validated before it was stored.
    pub fn from_stored(slug: String) -> Self {
        Self(slug)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Architecture {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_examples_normalise() {
        let cases = [
            ("Qwen3-MoE", "qwen3moe"),
            ("deepseek_v3", "deepseekv3"),
            ("LlamaForCausalLM", "llama"),
            ("Qwen3_5MoeForConditionalGeneration", "qwen35moe"),
            ("GPT2LMHeadModel", "gpt2"),
            ("InternVLChatModel", "internvlchat"),
            (
                "Gemma4ForConditionalGeneration,Gemma4UnifiedForConditionalGeneration",
                "gemma4",
            ),
            ("  mistral ", "mistral"),
            ("Model", "model"),
        ];
        for (input, slug) in cases {
            assert_eq!(
                Architecture::parse(input).unwrap().as_str(),
                slug,
                "{input}"
            );
        }
    }

    #[test]
    fn inputs_without_letters_are_rejected() {
        for bad in ["", "  ", "-_-", ","] {
            assert!(
                Architecture::parse(bad).is_err(),
                "{bad:?} should be rejected"
            );
        }
        assert!(Architecture::parse(&"x".repeat(200)).is_err());
    }

    /// Every `source_architecture` in the real data set normalises to the slug recorded beside it.
    #[test]
    fn real_data_class_names_normalise_to_their_recorded_slugs() {
        let data = include_str!("../../demo/models-real.jsonl");
        let mut checked = 0;
        for line in data.lines() {
            let row: serde_json::Value = serde_json::from_str(line).unwrap();
            if let (Some(source), Some(slug)) = (
                row["source_architecture"].as_str(),
                row["architecture"].as_str(),
            ) {
                assert_eq!(
                    Architecture::parse(source).unwrap().as_str(),
                    slug,
                    "{source}"
                );
                checked += 1;
            }
        }
        assert!(checked > 1000);
    }
}
