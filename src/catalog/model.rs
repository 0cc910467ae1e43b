//! Models as the catalog knows them: the stored record, a validated registration and an edit.

use super::CatalogError;
use super::architecture::Architecture;
use super::ids::{ModelId, ProjectId};
use super::license::License;
use super::tags;
use super::units::{ContextLength, ParameterCount};

pub const MAX_NAME: usize = 200;
pub const MAX_VERSION: usize = 100;
pub const MAX_DESCRIPTION: usize = 65_536;
pub const MAX_SHORT_FIELD: usize = 32;
pub const MAX_URI: usize = 2048;

/// A model as stored: every field of SPEC §2.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    pub id: ModelId,
    pub project_id: ProjectId,
    pub details: ModelDetails,
    pub shared: bool,
    /// RFC 3339 time of the latest share, kept after an unshare for the record.
    pub shared_at: Option<String>,
    pub featured: bool,
    pub artifact: Option<Artifact>,
    pub created_at: String,
    pub updated_at: String,
}

impl Model {
    /// Returns the catalog tags: workload CSV ∪ name heuristics.
    pub fn tags(&self) -> Vec<String> {
        tags::model_tags(&self.details.name, self.details.workload_type.as_deref())
    }
}

/// An uploaded file or an external location of the weights.
#[derive(Debug, Clone, PartialEq)]
pub enum Artifact {
    Uri(String),
    File { size: u64, sha256: String },
}

/// The operator-editable metadata of a model, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelDetails {
    pub name: String,
    pub version: Option<String>,
    pub description: String,
    pub architecture: Option<Architecture>,
    pub parameter_count: Option<ParameterCount>,
    pub active_parameter_count: Option<ParameterCount>,
    pub context_length: Option<ContextLength>,
    pub license: Option<License>,
    pub quantization: Option<String>,
    pub format: Option<String>,
    /// The operator's CSV exactly as given (SPEC §2); tags are derived from it.
    pub workload_type: Option<String>,
}

/// Raw registration input, one text per field; numbers arrive as their decimal text.
#[derive(Debug, Clone, Default)]
pub struct ModelInput {
    pub name: Option<String>,
    pub version: Option<String>,
    pub description: Option<String>,
    pub architecture: Option<String>,
    pub parameter_count: Option<String>,
    pub active_parameter_count: Option<String>,
    pub context_length: Option<String>,
    pub license: Option<String>,
    pub quantization: Option<String>,
    pub format: Option<String>,
    pub workload_type: Option<String>,
    pub artifact_uri: Option<String>,
}

/// A validated registration.
#[derive(Debug, Clone, PartialEq)]
pub struct NewModel {
    pub details: ModelDetails,
    pub artifact_uri: Option<String>,
}

impl NewModel {
    /// Validates and normalises every field; the first bad one is the error.
    pub fn parse(input: ModelInput) -> Result<Self, CatalogError> {
        let name = input.name.ok_or(CatalogError::Empty { field: "name" })?;
        let mut details = ModelDetails {
            name: parse_name(&name)?,
            version: None,
            description: String::new(),
            architecture: None,
            parameter_count: None,
            active_parameter_count: None,
            context_length: None,
            license: None,
            quantization: None,
            format: None,
            workload_type: None,
        };
        let patch = ModelPatch::parse(PatchInput {
            name: None,
            version: input.version.map(Some),
            description: input.description.map(Some),
            architecture: input.architecture.map(Some),
            parameter_count: input.parameter_count.map(Some),
            active_parameter_count: input.active_parameter_count.map(Some),
            context_length: input.context_length.map(Some),
            license: input.license.map(Some),
            quantization: input.quantization.map(Some),
            format: input.format.map(Some),
            workload_type: input.workload_type.map(Some),
        })?;
        patch.apply_to(&mut details)?;
        let artifact_uri = input.artifact_uri.as_deref().map(parse_uri).transpose()?;
        Ok(Self {
            details,
            artifact_uri,
        })
    }
}

/// Raw edit input: `None` leaves a field alone, `Some(None)` clears it, `Some(Some(v))` sets it.
#[derive(Debug, Clone, Default)]
pub struct PatchInput {
    pub name: Option<String>,
    pub version: Option<Option<String>>,
    pub description: Option<Option<String>>,
    pub architecture: Option<Option<String>>,
    pub parameter_count: Option<Option<String>>,
    pub active_parameter_count: Option<Option<String>>,
    pub context_length: Option<Option<String>>,
    pub license: Option<Option<String>>,
    pub quantization: Option<Option<String>>,
    pub format: Option<Option<String>>,
    pub workload_type: Option<Option<String>>,
}

/// A validated edit, same three-way meaning as [`PatchInput`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ModelPatch {
    pub name: Option<String>,
    pub version: Option<Option<String>>,
    pub description: Option<String>,
    pub architecture: Option<Option<Architecture>>,
    pub parameter_count: Option<Option<ParameterCount>>,
    pub active_parameter_count: Option<Option<ParameterCount>>,
    pub context_length: Option<Option<ContextLength>>,
    pub license: Option<Option<License>>,
    pub quantization: Option<Option<String>>,
    pub format: Option<Option<String>>,
    pub workload_type: Option<Option<String>>,
}

impl ModelPatch {
    pub fn parse(input: PatchInput) -> Result<Self, CatalogError> {
        Ok(Self {
            name: input.name.as_deref().map(parse_name).transpose()?,
            version: parse_optional(input.version, |v| parse_line("version", v, MAX_VERSION))?,
            description: input
                .description
                .map(|d| parse_description(d.as_deref().unwrap_or("")))
                .transpose()?,
            architecture: parse_optional(input.architecture, Architecture::parse)?,
            parameter_count: parse_optional(input.parameter_count, ParameterCount::parse)?,
            active_parameter_count: parse_optional(
                input.active_parameter_count,
                ParameterCount::parse,
            )?,
            context_length: parse_optional(input.context_length, ContextLength::parse)?,
            license: parse_optional(input.license, License::parse)?,
            quantization: parse_optional(input.quantization, |v| {
                parse_line("quantization", v, MAX_SHORT_FIELD)
            })?,
            format: parse_optional(input.format, |v| {
                parse_line("format", v, MAX_SHORT_FIELD).map(|f| f.to_lowercase())
            })?,
            workload_type: parse_optional(input.workload_type, |v| {
                tags::parse_workload(v)?;
                Ok(v.trim().to_owned())
            })?,
        })
    }

    /// Returns true when the patch changes nothing.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// Applies the edit, then checks the rules that span fields.
    pub fn apply_to(self, details: &mut ModelDetails) -> Result<(), CatalogError> {
        let mut next = details.clone();
        if let Some(name) = self.name {
            next.name = name;
        }
        if let Some(description) = self.description {
            next.description = description;
        }
        set(&mut next.version, self.version);
        set(&mut next.architecture, self.architecture);
        set(&mut next.parameter_count, self.parameter_count);
        set(
            &mut next.active_parameter_count,
            self.active_parameter_count,
        );
        set(&mut next.context_length, self.context_length);
        set(&mut next.license, self.license);
        set(&mut next.quantization, self.quantization);
        set(&mut next.format, self.format);
        set(&mut next.workload_type, self.workload_type);
        if let (Some(active), Some(total)) = (next.active_parameter_count, next.parameter_count)
            && active > total
        {
            return Err(CatalogError::ActiveExceedsTotal {
                active: active.to_string(),
                total: total.to_string(),
            });
        }
        *details = next;
        Ok(())
    }
}

fn set<T>(field: &mut Option<T>, change: Option<Option<T>>) {
    if let Some(value) = change {
        *field = value;
    }
}

/// Parses a clearable field; an empty or blank text clears it just like `null`.
fn parse_optional<T>(
    change: Option<Option<String>>,
    parse: impl Fn(&str) -> Result<T, CatalogError>,
) -> Result<Option<Option<T>>, CatalogError> {
    match change {
        None => Ok(None),
        Some(None) => Ok(Some(None)),
        Some(Some(text)) if text.trim().is_empty() => Ok(Some(None)),
        Some(Some(text)) => parse(&text).map(|value| Some(Some(value))),
    }
}

fn parse_name(input: &str) -> Result<String, CatalogError> {
    let name = parse_line("name", input, MAX_NAME)?;
    if name.is_empty() {
        return Err(CatalogError::Empty { field: "name" });
    }
    Ok(name)
}

/// A one-line text field: trimmed, bounded, free of control characters.
fn parse_line(field: &'static str, input: &str, max: usize) -> Result<String, CatalogError> {
    let trimmed = input.trim();
    if trimmed.chars().count() > max {
        return Err(CatalogError::TooLong { field, max });
    }
    if trimmed.chars().any(char::is_control) {
        return Err(CatalogError::ControlCharacters { field });
    }
    if super::error::has_bidi_controls(trimmed) {
        return Err(CatalogError::BidiControls { field });
    }
    if super::error::has_noncharacters(trimmed) {
        return Err(CatalogError::Noncharacters { field });
    }
    Ok(trimmed.to_owned())
}

fn parse_description(input: &str) -> Result<String, CatalogError> {
    if input.chars().count() > MAX_DESCRIPTION {
        return Err(CatalogError::TooLong {
            field: "description",
            max: MAX_DESCRIPTION,
        });
    }
    // Markdown needs newlines and tabs; other control characters (NUL, escapes) are refused.
    if input
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(CatalogError::ControlCharacters {
            field: "description",
        });
    }
    if super::error::has_noncharacters(input) {
        return Err(CatalogError::Noncharacters {
            field: "description",
        });
    }
    Ok(input.to_owned())
}

fn parse_uri(input: &str) -> Result<String, CatalogError> {
    let uri = parse_line("artifact_uri", input, MAX_URI)?;
    // Only schemes a model file is fetched from: `javascript:`, `file:`, `data:` and the like
    // would be links a visitor could be tricked into following.
    let has_scheme = uri.split_once("://").is_some_and(|(scheme, rest)| {
        ["http", "https", "s3", "hf"]
            .iter()
            .any(|allowed| scheme.eq_ignore_ascii_case(allowed))
            && !rest.is_empty()
    });
    if !has_scheme || uri.contains(char::is_whitespace) {
        return Err(CatalogError::InvalidUri { input: uri });
    }
    Ok(uri)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(name: &str) -> ModelInput {
        ModelInput {
            name: Some(name.into()),
            ..ModelInput::default()
        }
    }

    #[test]
    fn registration_normalises_every_field() {
        let model = NewModel::parse(ModelInput {
            architecture: Some("Qwen3-MoE".into()),
            parameter_count: Some("30B".into()),
            active_parameter_count: Some("3B".into()),
            context_length: Some("128K".into()),
            license: Some("Apache 2.0".into()),
            format: Some("GGUF".into()),
            workload_type: Some(" Chat,code ".into()),
            ..input("  Qwen3-30B-A3B  ")
        })
        .unwrap();
        let d = &model.details;
        assert_eq!(d.name, "Qwen3-30B-A3B");
        assert_eq!(d.architecture.as_ref().unwrap().as_str(), "qwen3moe");
        assert_eq!(d.parameter_count.unwrap().get(), 30_000_000_000);
        assert_eq!(d.context_length.unwrap().get(), 131_072);
        assert_eq!(d.license.as_ref().unwrap().key(), "apache-2.0");
        assert_eq!(d.format.as_deref(), Some("gguf"));
        assert_eq!(d.workload_type.as_deref(), Some("Chat,code"));
    }

    #[test]
    fn registration_rejects_bad_fields() {
        assert!(NewModel::parse(ModelInput::default()).is_err());
        assert!(NewModel::parse(input("   ")).is_err());
        assert!(NewModel::parse(input(&"n".repeat(201))).is_err());
        assert!(
            NewModel::parse(ModelInput {
                parameter_count: Some("7Q".into()),
                ..input("m")
            })
            .is_err()
        );
        assert!(
            NewModel::parse(ModelInput {
                artifact_uri: Some("not a uri".into()),
                ..input("m")
            })
            .is_err()
        );
        for uri in [
            "javascript://alert(1)",
            "file:///etc/passwd",
            "data://x",
            "ftp://host/m.gguf",
            "JavaScript://x",
        ] {
            let refused = NewModel::parse(ModelInput {
                artifact_uri: Some(uri.into()),
                ..input("m")
            });
            assert!(
                matches!(refused, Err(CatalogError::InvalidUri { .. })),
                "{uri}"
            );
        }
        for uri in [
            "https://example.com/m.gguf",
            "s3://bucket/m.gguf",
            "hf://Qwen/Qwen3-8B",
            "HTTP://x/y",
        ] {
            assert!(
                NewModel::parse(ModelInput {
                    artifact_uri: Some(uri.into()),
                    ..input("m")
                })
                .is_ok(),
                "{uri}"
            );
        }
        assert!(matches!(
            NewModel::parse(input("Qwen3\u{202E}B8")),
            Err(CatalogError::BidiControls { field: "name" })
        ));
        assert!(matches!(
            NewModel::parse(ModelInput {
                license: Some("mit\u{2066}".into()),
                ..input("m")
            }),
            Err(CatalogError::BidiControls { field: "license" })
        ));
        let too_active = ModelInput {
            parameter_count: Some("3B".into()),
            active_parameter_count: Some("30B".into()),
            ..input("m")
        };
        assert!(matches!(
            NewModel::parse(too_active),
            Err(CatalogError::ActiveExceedsTotal { .. })
        ));
    }

    #[test]
    fn patches_set_clear_and_leave_fields() {
        let mut details = NewModel::parse(ModelInput {
            version: Some("v1".into()),
            license: Some("mit".into()),
            ..input("m")
        })
        .unwrap()
        .details;
        let patch = ModelPatch::parse(PatchInput {
            version: Some(None),
            context_length: Some(Some("8K".into())),
            ..PatchInput::default()
        })
        .unwrap();
        patch.apply_to(&mut details).unwrap();
        assert_eq!(details.version, None);
        assert_eq!(details.context_length.unwrap().get(), 8192);
        assert_eq!(details.license.unwrap().key(), "mit");
        assert!(ModelPatch::parse(PatchInput::default()).unwrap().is_empty());
    }
}
