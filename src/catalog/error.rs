//! Errors of the domain parsers: every variant names the offending input for the user.

/// A value an operator supplied that the catalog cannot accept.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CatalogError {
    #[error("parameter count `{input}` is not a number like `7B`, `1.5B`, `560M` or `7000000000`")]
    InvalidParameterCount { input: String },
    #[error("context length `{input}` is not a number like `8K`, `128K`, `1M` or `32768`")]
    InvalidContextLength { input: String },
    #[error(
        "licence intent `{input}` is not one of commercial, conditions, non_commercial, research, unknown"
    )]
    InvalidLicenseIntent { input: String },
    #[error("memory `{input}` is not an amount like `24GB`, `80G`, `1.5TB` or `512MB`")]
    InvalidMemory { input: String },
    #[error("`{input}`: {reason}")]
    InvalidBudget { input: String, reason: String },
    #[error(
        "architecture `{input}` has no letters or digits (use a slug like `llama` or `qwen3moe`)"
    )]
    InvalidArchitecture { input: String },
    #[error(
        "tag `{input}` is not allowed: tags are 1-{max_len} letters, digits, `-`, `_`, `.` or `+`"
    )]
    InvalidTag { input: String, max_len: usize },
    #[error("too many workload tags: at most {max} are allowed")]
    TooManyTags { max: usize },
    #[error("`{field}` is too long: at most {max} characters")]
    TooLong { field: &'static str, max: usize },
    #[error("`{field}` must not be empty")]
    Empty { field: &'static str },
    #[error("`{field}` contains control characters")]
    ControlCharacters { field: &'static str },
    #[error(
        "`{field}` contains bidirectional text controls (U+202A–U+202E, U+2066–U+2069, U+200E/F, U+061C), which can make text display as something else"
    )]
    BidiControls { field: &'static str },
    #[error(
        "`{field}` contains Unicode noncharacters (U+FFFE, U+FFFF, U+FDD0–U+FDEF and the like), which XML and so the Atom feeds cannot carry"
    )]
    Noncharacters { field: &'static str },
    #[error(
        "artifact uri `{input}` is not an absolute uri with scheme http, https, s3 or hf, like `s3://bucket/model.gguf`"
    )]
    InvalidUri { input: String },
    #[error("active parameter count ({active}) cannot exceed the parameter count ({total})")]
    ActiveExceedsTotal { active: String, total: String },
}

impl CatalogError {
    /// The input field the error is about, for showing it next to that field in a form.
    pub fn field(&self) -> &'static str {
        match self {
            Self::InvalidParameterCount { .. } | Self::ActiveExceedsTotal { .. } => {
                "parameter_count"
            }
            Self::InvalidContextLength { .. } => "context_length",
            Self::InvalidLicenseIntent { .. } => "license_intent",
            Self::InvalidMemory { .. } | Self::InvalidBudget { .. } => "fits_memory",
            Self::InvalidArchitecture { .. } => "architecture",
            Self::InvalidTag { .. } | Self::TooManyTags { .. } => "workload_type",
            Self::InvalidUri { .. } => "artifact_uri",
            Self::TooLong { field, .. }
            | Self::Empty { field }
            | Self::ControlCharacters { field }
            | Self::BidiControls { field }
            | Self::Noncharacters { field } => field,
        }
    }
}

/// Unicode's noncharacters (U+FDD0–U+FDEF and the last two code points of every plane): XML 1.0
/// forbids U+FFFE and U+FFFF, and none of them belongs in text anyone typed.
pub fn is_noncharacter(c: char) -> bool {
    matches!(c, '\u{FDD0}'..='\u{FDEF}') || (c as u32) & 0xFFFE == 0xFFFE
}

/// Whether the text holds a noncharacter (see [`is_noncharacter`]).
pub fn has_noncharacters(text: &str) -> bool {
    text.chars().any(is_noncharacter)
}

/// Unicode controls that reorder how text displays (Trojan Source, CVE-2021-42574): a name
/// holding one can show as another model's name.
pub fn has_bidi_controls(text: &str) -> bool {
    text.chars().any(|c| {
        matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
    })
}
