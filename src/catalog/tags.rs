//! Tags: the operator's `workload_type` CSV (trimmed, lower-cased, de-duplicated) united with
//! tags guessed from the model name for `code`, `reasoning`, `embedding` and `multilingual`.
//!
//! Name heuristics match whole tokens, never substrings: a name is split on anything that is
//! not a letter or digit, and each token is also split at camel-case humps (`StarCoder` →
//! `star`, `coder`), but never between a letter and a digit, so `R1` stays one token while
//! `R10` and `R1x` are different tokens and do not mean reasoning.

use std::collections::BTreeSet;

use super::CatalogError;

/// The canonical tags the catalog explains; any other operator value is a tag too.
pub const CANONICAL_TAGS: [&str; 5] = ["chat", "code", "reasoning", "embedding", "multilingual"];

pub const MAX_TAGS: usize = 16;
pub const MAX_TAG_LEN: usize = 32;
pub const MAX_WORKLOAD_LEN: usize = 600;

const HEURISTICS: &[(&str, &[&str])] = &[
    (
        "code",
        &[
            "code",
            "coder",
            "codestral",
            "starcoder",
            "starcoder2",
            "codellama",
            "codegemma",
            "codeqwen",
            "codegeex",
            "codegeex4",
            "devstral",
        ],
    ),
    (
        "reasoning",
        &[
            "r1",
            "qwq",
            "thinking",
            "think",
            "reasoning",
            "reasoner",
            "qvq",
        ],
    ),
    (
        "embedding",
        &["embed", "embedding", "embeddings", "bge", "e5", "gte"],
    ),
    ("multilingual", &["multilingual", "m3", "aya", "xlm"]),
];

/// Parses the operator's workload CSV into its normalised tag list (order of first appearance).
/// Empty entries (`chat,,code`) are ignored; an invalid entry is an error, never dropped.
pub fn parse_workload(csv: &str) -> Result<Vec<String>, CatalogError> {
    if csv.chars().count() > MAX_WORKLOAD_LEN {
        return Err(CatalogError::TooLong {
            field: "workload_type",
            max: MAX_WORKLOAD_LEN,
        });
    }
    let mut tags: Vec<String> = Vec::new();
    for raw in csv.split(',') {
        let tag = raw.trim().to_lowercase();
        if tag.is_empty() {
            continue;
        }
        let valid_char =
            |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || "-_.+".contains(c);
        if tag.chars().count() > MAX_TAG_LEN || !tag.chars().all(valid_char) {
            return Err(CatalogError::InvalidTag {
                input: raw.trim().to_owned(),
                max_len: MAX_TAG_LEN,
            });
        }
        if !tags.contains(&tag) {
            tags.push(tag);
        }
    }
    if tags.len() > MAX_TAGS {
        return Err(CatalogError::TooManyTags { max: MAX_TAGS });
    }
    Ok(tags)
}

/// Returns the tags the name implies, per the token rules of this module.
pub fn name_tags(name: &str) -> BTreeSet<&'static str> {
    let tokens = name_tokens(name);
    HEURISTICS
        .iter()
        .filter(|(_, words)| tokens.iter().any(|token| words.contains(&token.as_str())))
        .map(|(tag, _)| *tag)
        .collect()
}

/// Returns the catalog tags of a model: workload tags first, then name-implied ones not already
/// present. A stored workload CSV that no longer parses contributes nothing rather than failing.
pub fn model_tags(name: &str, workload_csv: Option<&str>) -> Vec<String> {
    let mut tags = workload_csv
        .and_then(|csv| parse_workload(csv).ok())
        .unwrap_or_default();
    for tag in name_tags(name) {
        if !tags.iter().any(|t| t == tag) {
            tags.push(tag.to_owned());
        }
    }
    tags
}

fn name_tokens(name: &str) -> Vec<String> {
    let mut tokens = Vec::new();
    for word in name
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        tokens.push(word.to_lowercase());
        let humps = camel_humps(word);
        if humps.len() > 1 {
            tokens.extend(humps.into_iter().map(|h| h.to_lowercase()));
        }
    }
    tokens
}

/// Splits `StarCoder` into `Star`, `Coder` and `DeepSeekR1` into `Deep`, `Seek`, `R1`: a new hump
/// starts at an uppercase letter that follows a lowercase letter or a digit.
fn camel_humps(word: &str) -> Vec<&str> {
    let mut humps = Vec::new();
    let mut start = 0;
    let mut previous: Option<char> = None;
    for (index, c) in word.char_indices() {
        if let Some(p) = previous
            && c.is_uppercase()
            && (p.is_lowercase() || p.is_ascii_digit())
        {
            humps.push(&word[start..index]);
            start = index;
        }
        previous = Some(c);
    }
    humps.push(&word[start..]);
    humps
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workload_csv_is_trimmed_lowercased_and_deduplicated() {
        assert_eq!(
            parse_workload(" Chat, code ,chat,,Reasoning").unwrap(),
            ["chat", "code", "reasoning"]
        );
        assert_eq!(parse_workload("").unwrap(), Vec::<String>::new());
        assert_eq!(
            parse_workload("tool-use,vision").unwrap(),
            ["tool-use", "vision"]
        );
    }

    #[test]
    fn bad_workload_csv_is_an_error() {
        assert!(matches!(
            parse_workload("chat,<script>"),
            Err(CatalogError::InvalidTag { .. })
        ));
        assert!(matches!(
            parse_workload(&"x".repeat(40)),
            Err(CatalogError::InvalidTag { .. })
        ));
        let many: Vec<String> = (0..17).map(|i| format!("t{i}")).collect();
        assert_eq!(
            parse_workload(&many.join(",")),
            Err(CatalogError::TooManyTags { max: MAX_TAGS })
        );
        assert!(matches!(
            parse_workload(&"a,".repeat(400)),
            Err(CatalogError::TooLong { .. })
        ));
    }

    #[test]
    fn name_heuristics_hit_the_intended_models() {
        let cases: &[(&str, &[&str])] = &[
            ("Qwen2.5-Coder-7B-Instruct", &["code"]),
            ("StarCoder2-15B", &["code"]),
            ("CodeLlama-34b", &["code"]),
            ("Codestral-22B-v0.1", &["code"]),
            ("DeepSeek-R1-Distill-Qwen-7B", &["reasoning"]),
            ("DeepSeekR1", &["reasoning"]),
            ("QwQ-32B", &["reasoning"]),
            ("Qwen3-4B-Thinking-2507", &["reasoning"]),
            ("bge-large-en-v1.5", &["embedding"]),
            ("multilingual-e5-large", &["embedding", "multilingual"]),
            ("gte-Qwen2-7B-instruct", &["embedding"]),
            ("nomic-embed-text-v1.5", &["embedding"]),
            ("bge-m3", &["embedding", "multilingual"]),
            ("aya-expanse-8b", &["multilingual"]),
        ];
        for (name, expected) in cases {
            let got: Vec<&str> = name_tags(name).into_iter().collect();
            let mut want = expected.to_vec();
            want.sort();
            assert_eq!(got, want, "{name}");
        }
    }

    #[test]
    fn name_heuristics_ignore_near_misses() {
        for name in [
            "Score-Model-7B",
            "Encoder-Only-Base",
            "Decoder-LM",
            "Llama-3-R10-Instruct",
            "ViT-R1x-Large",
            "Barcode-Reader",
            "Embedded-Systems-Assistant",
            "Gemma-3-12B",
            "Reasonable-Chat",
            "M32-Base",
            "Mistral-7B-Instruct-v0.3",
        ] {
            assert!(
                name_tags(name).is_empty(),
                "{name} should have no name tags, got {:?}",
                name_tags(name)
            );
        }
    }

    #[test]
    fn model_tags_unite_workload_and_name_tags_once() {
        assert_eq!(
            model_tags("Qwen2.5-Coder-7B", Some("chat,code")),
            ["chat", "code"]
        );
        assert_eq!(
            model_tags("DeepSeek-R1", Some("chat")),
            ["chat", "reasoning"]
        );
        assert_eq!(model_tags("Plain", None), Vec::<String>::new());
    }
}
