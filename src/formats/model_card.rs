//! Hugging Face model cards: a `README.md` whose first line is `---` opens a YAML front
//! matter that the next `---` line closes; the rest is the Markdown body. The front matter
//! says license, tags, `pipeline_tag`, `base_model`, `language` and `library_name`.
//!
//! Both parts are bounded before they are parsed ([`MAX_README`], [`MAX_FRONT_MATTER`]), and
//! the YAML parser refuses alias bombs and deep nesting, so a hostile card is an error value.
//! Fields of an unexpected shape are left empty rather than guessed.

use std::io::Read;

use serde_yaml_ng::{Mapping, Value};

/// A model card is a few KB; the longest real ones are a few hundred.
pub const MAX_README: u64 = 1024 * 1024;
/// A front matter is a few hundred bytes; eval results can make it a few KB.
pub const MAX_FRONT_MATTER: usize = 64 * 1024;

/// What a model card says.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ModelCard {
    /// `license`, or `license_name` when the license is `other`.
    pub license: Option<String>,
    pub tags: Vec<String>,
    pub pipeline_tag: Option<String>,
    /// `base_model`, a string or a list.
    pub base_model: Vec<String>,
    /// `base_model_relation`: finetune, quantized, adapter or merge.
    pub base_model_relation: Option<String>,
    /// `language`, a string or a list.
    pub language: Vec<String>,
    pub library_name: Option<String>,
    /// The Markdown after the front matter (the whole text when there is none).
    pub body: String,
}

/// Why a model card could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ModelCardError {
    #[error("README.md is larger than {MAX_README} bytes")]
    TooLong,
    #[error("README.md is not UTF-8 text")]
    NotUtf8,
    #[error("the YAML front matter of README.md is larger than {MAX_FRONT_MATTER} bytes")]
    FrontMatterTooLong,
    #[error("the YAML front matter of README.md is not valid YAML: {0}")]
    BadYaml(String),
    #[error("the YAML front matter of README.md is not a list of `key: value` lines")]
    NotAMapping,
    #[error("cannot read README.md: {0}")]
    Io(String),
}

/// Reads a `README.md` of at most [`MAX_README`] bytes and parses it.
pub fn read_model_card(input: impl Read) -> Result<ModelCard, ModelCardError> {
    parse_model_card(&read_card_text(input)?)
}

/// Reads the text of a `README.md` of at most [`MAX_README`] bytes, without parsing it.
pub fn read_card_text(input: impl Read) -> Result<String, ModelCardError> {
    let mut bytes = Vec::new();
    input
        .take(MAX_README + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| ModelCardError::Io(e.to_string()))?;
    if bytes.len() as u64 > MAX_README {
        return Err(ModelCardError::TooLong);
    }
    String::from_utf8(bytes).map_err(|_| ModelCardError::NotUtf8)
}

/// Parses a model card's text: its front matter (if any) and its body.
pub fn parse_model_card(text: &str) -> Result<ModelCard, ModelCardError> {
    let (front_matter, body) = split_front_matter(text);
    let mut card = match front_matter {
        Some(yaml) => parse_front_matter(yaml)?,
        None => ModelCard::default(),
    };
    card.body = body.to_owned();
    Ok(card)
}

/// Splits a card into its YAML front matter and its body. The front matter runs from a first
/// line `---` to the next line `---` (trailing spaces and `\r` allowed, as `huggingface_hub`
/// allows); without both lines there is none and the whole text is the body.
pub fn split_front_matter(text: &str) -> (Option<&str>, &str) {
    let text_without_bom = text.strip_prefix('\u{feff}').unwrap_or(text);
    let Some((first_line, after_first)) = text_without_bom.split_once('\n') else {
        return (None, text);
    };
    if first_line.trim_end() != "---" {
        return (None, text);
    }
    let mut offset = 0;
    for line in after_first.split_inclusive('\n') {
        if line.trim_end() == "---" {
            let yaml = &after_first[..offset];
            let body = &after_first[offset + line.len()..];
            return (Some(yaml), body.trim_start_matches(['\r', '\n']));
        }
        offset += line.len();
    }
    (None, text)
}

fn parse_front_matter(yaml: &str) -> Result<ModelCard, ModelCardError> {
    if yaml.len() > MAX_FRONT_MATTER {
        return Err(ModelCardError::FrontMatterTooLong);
    }
    let value: Value =
        serde_yaml_ng::from_str(yaml).map_err(|e| ModelCardError::BadYaml(e.to_string()))?;
    let fields = match value {
        Value::Mapping(fields) => fields,
        // `---\n---`, or only comments: a card that says nothing.
        Value::Null => Mapping::new(),
        _ => return Err(ModelCardError::NotAMapping),
    };
    let text = |key: &str| fields.get(key).and_then(scalar_text);
    let license = match text("license") {
        Some(license) if license.eq_ignore_ascii_case("other") => {
            text("license_name").or(Some(license))
        }
        license => license,
    };
    Ok(ModelCard {
        license,
        tags: text_list(fields.get("tags")),
        pipeline_tag: text("pipeline_tag"),
        base_model: text_list(fields.get("base_model")),
        base_model_relation: text("base_model_relation"),
        language: text_list(fields.get("language")),
        library_name: text("library_name"),
        body: String::new(),
    })
}

/// Returns a scalar as the text the card wrote (`2024` stays `2024`); `None` for empty
/// strings, nulls, lists and mappings.
fn scalar_text(value: &Value) -> Option<String> {
    let text = match value {
        Value::String(s) => s.trim().to_owned(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Tagged(tagged) => return scalar_text(&tagged.value),
        Value::Null | Value::Sequence(_) | Value::Mapping(_) => return None,
    };
    Some(text).filter(|t| !t.is_empty())
}

/// Returns a string or a list of strings as a list; other shapes give nothing.
fn text_list(value: Option<&Value>) -> Vec<String> {
    match value {
        Some(Value::Sequence(items)) => items.iter().filter_map(scalar_text).collect(),
        Some(value) => scalar_text(value).into_iter().collect(),
        None => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn front_matter_gives_license_tags_base_models_and_language() {
        let readme = "---\nlicense: apache-2.0\ntags:\n  - text-generation\n  - moe\npipeline_tag: text-generation\nbase_model:\n  - Qwen/Qwen3-8B\n  - Qwen/Qwen3-8B-Base\nlanguage: en\nlibrary_name: transformers\n---\n\n# Qwen3 fine-tune\n\nIt answers.\n";
        let card = parse_model_card(readme).unwrap();
        assert_eq!(
            card,
            ModelCard {
                license: Some("apache-2.0".into()),
                tags: vec!["text-generation".into(), "moe".into()],
                pipeline_tag: Some("text-generation".into()),
                base_model: vec!["Qwen/Qwen3-8B".into(), "Qwen/Qwen3-8B-Base".into()],
                base_model_relation: None,
                language: vec!["en".into()],
                library_name: Some("transformers".into()),
                body: "# Qwen3 fine-tune\n\nIt answers.\n".into(),
            }
        );
    }

    #[test]
    fn other_license_takes_its_name() {
        let card =
            parse_model_card("---\nlicense: other\nlicense_name: llama3.1\n---\nbody").unwrap();
        assert_eq!(card.license.as_deref(), Some("llama3.1"));
        let unnamed = parse_model_card("---\nlicense: other\n---\nbody").unwrap();
        assert_eq!(unnamed.license.as_deref(), Some("other"));
    }

    #[test]
    fn bad_yaml_is_an_error_not_a_panic() {
        let cases = [
            ("unclosed flow list", "---\ntags: [a, b\n---\nbody"),
            ("tab indentation", "---\ntags:\n\t- a\n---\n"),
            ("duplicate key", "---\nlicense: mit\nlicense: mit\n---\n"),
            (
                "alias bomb",
                "---\na: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\ng: [*f, *f, *f, *f, *f, *f, *f, *f, *f]\n---\n",
            ),
        ];
        for (description, readme) in cases {
            let result = parse_model_card(readme);
            assert!(
                matches!(result, Err(ModelCardError::BadYaml(_))),
                "{description}: {result:?}"
            );
        }
        let deep = format!(
            "---\na: {}{}\n---\n",
            "[".repeat(10_000),
            "]".repeat(10_000)
        );
        assert!(matches!(
            parse_model_card(&deep),
            Err(ModelCardError::BadYaml(_))
        ));
        assert_eq!(
            parse_model_card("---\n- a\n- b\n---\n"),
            Err(ModelCardError::NotAMapping)
        );
    }

    #[test]
    fn without_front_matter_everything_is_body() {
        for readme in [
            "# A model\n\nNo metadata here.\n",
            "---\nnever closed\n",
            "text\n---\nlicense: mit\n---\n",
            "",
        ] {
            let card = parse_model_card(readme).unwrap();
            assert_eq!(
                card,
                ModelCard {
                    body: readme.into(),
                    ..ModelCard::default()
                }
            );
        }
    }

    #[test]
    fn odd_shapes_are_left_empty_and_plain_words_stay_words() {
        let readme = "\u{feff}---\r\nlicense: [mit]\r\ntags: 2024\r\nlanguage: no\r\nbase_model: {a: b}\r\n---  \r\nbody\r\n";
        let card = parse_model_card(readme).unwrap();
        assert_eq!(card.license, None);
        assert_eq!(card.tags, vec!["2024".to_string()]);
        // YAML 1.2: `no` is Norwegian, not `false`.
        assert_eq!(card.language, vec!["no".to_string()]);
        assert!(card.base_model.is_empty());
        assert_eq!(card.body, "body\r\n");
        assert_eq!(
            parse_model_card("---\n---\nbody").unwrap().body,
            "body".to_string()
        );
    }

    #[test]
    fn oversized_cards_are_refused() {
        let long = format!("---\ndescription: {}\n---\n", "x".repeat(MAX_FRONT_MATTER));
        assert_eq!(
            parse_model_card(&long),
            Err(ModelCardError::FrontMatterTooLong)
        );
        let huge = vec![b'a'; MAX_README as usize + 1];
        assert_eq!(read_model_card(&huge[..]), Err(ModelCardError::TooLong));
        assert_eq!(
            read_model_card(&[0xff, 0xfe][..]),
            Err(ModelCardError::NotUtf8)
        );
    }

    proptest::proptest! {
        #[test]
        fn random_front_matter_never_panics(yaml in "[a-z:\\-\\[\\]{}&*!|>'\" \n\t#]{0,200}") {
            let _ = parse_model_card(&format!("---\n{yaml}\n---\nbody"));
        }
    }
}
