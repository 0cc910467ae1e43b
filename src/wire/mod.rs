//! JSON bodies shared by the server and the CLI client: serde shapes only, no behaviour
//! beyond converting domain values into views. OpenAPI schemas derive from these types.

pub mod catalog;
pub mod files;
pub mod infra;
pub mod lineage;
pub mod repos;

use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;

use crate::catalog::model::{Artifact, Model, ModelInput, PatchInput};
use crate::catalog::role::CatalogRole;

/// The error envelope every failing request answers with.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

/// A stable snake_case code and a human-readable message.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct ErrorDetail {
    #[schema(example = "model_not_found")]
    pub code: String,
    pub message: String,
}

/// The seed's share / unshare envelope.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct ShareResponse {
    /// The model's UUID.
    pub id: String,
    /// True after share, false after unshare.
    pub shared: bool,
    pub message: String,
    /// `shared`, `deployable`, or null when not in the catalog.
    #[schema(value_type = Option<String>, example = "deployable")]
    pub catalog_role: Option<String>,
}

/// A JSON number or a text such as `"7B"` / `"128K"`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(untagged)]
pub enum NumberOrText {
    Number(serde_json::Number),
    Text(String),
}

impl NumberOrText {
    fn into_text(self) -> String {
        match self {
            Self::Number(n) => n.to_string(),
            Self::Text(t) => t,
        }
    }
}

/// `POST /{project_id}/v1/models`: register a model. Only `name` is required.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterModelRequest {
    #[schema(example = "Qwen3-30B-A3B")]
    pub name: String,
    pub version: Option<String>,
    /// Markdown.
    pub description: Option<String>,
    /// Slug or class name: `qwen3moe`, `Qwen3-MoE`, `LlamaForCausalLM`.
    #[schema(example = "qwen3moe")]
    pub architecture: Option<String>,
    /// `7B`, `1.5b`, `560M` or an integer.
    #[schema(value_type = Option<String>, example = "30B")]
    pub parameter_count: Option<NumberOrText>,
    #[schema(value_type = Option<String>, example = "3B")]
    pub active_parameter_count: Option<NumberOrText>,
    /// `128K`, `1M` or an integer number of tokens.
    #[schema(value_type = Option<String>, example = "128K")]
    pub context_length: Option<NumberOrText>,
    #[schema(example = "apache-2.0")]
    pub license: Option<String>,
    #[schema(example = "Q4_K_M")]
    pub quantization: Option<String>,
    #[schema(example = "gguf")]
    pub format: Option<String>,
    /// Free-form CSV, e.g. `chat,code`.
    #[schema(example = "chat,reasoning")]
    pub workload_type: Option<String>,
    /// Where the weights live, when not uploaded.
    pub artifact_uri: Option<String>,
    /// The model this one derives from: its UUID or `project/model` repo id, a model you can
    /// see (the Hub's `base_model`).
    #[schema(example = "myproject/qwen3-8b")]
    pub base_model: Option<String>,
    /// `finetune`, `quantized`, `adapter` or `merge` (the Hub's `base_model_relation`);
    /// implied from the quantization when a base is given without it.
    #[schema(example = "quantized")]
    pub base_model_relation: Option<String>,
    /// A base that is not in this catalog, as a model card names it (`Qwen/Qwen3-8B`).
    pub base_model_name: Option<String>,
    /// The model that supersedes this one (UUID or repo id).
    pub superseded_by: Option<String>,
}

impl RegisterModelRequest {
    /// The lineage fields, as a change to an empty lineage.
    pub fn lineage(&self) -> crate::catalog::lineage::LineageChange {
        let set = |v: &Option<String>| v.clone().map(Some);
        crate::catalog::lineage::LineageChange {
            base_model: set(&self.base_model),
            relation: set(&self.base_model_relation),
            base_name: set(&self.base_model_name),
            superseded_by: set(&self.superseded_by),
        }
    }
}

impl From<RegisterModelRequest> for ModelInput {
    fn from(r: RegisterModelRequest) -> Self {
        ModelInput {
            name: Some(r.name),
            version: r.version,
            description: r.description,
            architecture: r.architecture,
            parameter_count: r.parameter_count.map(NumberOrText::into_text),
            active_parameter_count: r.active_parameter_count.map(NumberOrText::into_text),
            context_length: r.context_length.map(NumberOrText::into_text),
            license: r.license,
            quantization: r.quantization,
            format: r.format,
            workload_type: r.workload_type,
            artifact_uri: r.artifact_uri,
        }
    }
}

/// `PATCH /{project_id}/v1/models/{id}`: absent fields stay, `null` clears, a value sets.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EditModelRequest {
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub name: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub version: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub architecture: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub parameter_count: Option<Option<NumberOrText>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub active_parameter_count: Option<Option<NumberOrText>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub context_length: Option<Option<NumberOrText>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub license: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub quantization: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub format: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub workload_type: Option<Option<String>>,
}

/// Distinguishes a field set to `null` (`Some(None)`) from an absent one (`None`, the default).
fn present<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

impl EditModelRequest {
    /// Converts to the domain's raw edit; a `null` name is refused (a name cannot be cleared).
    pub fn into_input(self) -> Result<PatchInput, &'static str> {
        let text = |v: Option<Option<NumberOrText>>| v.map(|o| o.map(NumberOrText::into_text));
        let name = match self.name {
            Some(None) => return Err("`name` cannot be cleared"),
            other => other.flatten(),
        };
        Ok(PatchInput {
            name,
            version: self.version,
            description: self.description,
            architecture: self.architecture,
            parameter_count: text(self.parameter_count),
            active_parameter_count: text(self.active_parameter_count),
            context_length: text(self.context_length),
            license: self.license,
            quantization: self.quantization,
            format: self.format,
            workload_type: self.workload_type,
        })
    }
}

/// A model as its project sees it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct ModelView {
    /// The UUID: the only id the REST API and web routes accept.
    pub id: String,
    /// CLI-local short id (`mdl_…`); never resolved by the server.
    pub display_id: String,
    pub project_id: String,
    pub name: String,
    pub version: Option<String>,
    pub description: String,
    pub architecture: Option<String>,
    pub parameter_count: Option<u64>,
    /// `7B`, `1.5B`, `560M`.
    pub parameter_count_display: Option<String>,
    pub active_parameter_count: Option<u64>,
    pub context_length: Option<u64>,
    /// `8K`, `128K`, `1M`.
    pub context_length_display: Option<String>,
    /// Normalised key, e.g. `apache-2.0`.
    pub license: Option<String>,
    /// Display name, e.g. `Apache 2.0`.
    pub license_name: Option<String>,
    pub quantization: Option<String>,
    pub format: Option<String>,
    /// The operator's CSV as given.
    pub workload_type: Option<String>,
    /// Workload tags ∪ name heuristics.
    pub tags: Vec<String>,
    pub shared: bool,
    pub shared_at: Option<String>,
    pub featured: bool,
    #[schema(value_type = Option<String>)]
    pub catalog_role: Option<String>,
    /// Badge keys as the catalog shows them to a member (SPEC §3), and the same as one line a
    /// person reads (`XIM Only · not deployed`): the web, the JSON and the CLI say the same.
    #[serde(default)]
    pub badges: Vec<String>,
    #[serde(default)]
    pub badge_line: String,
    pub artifact: Option<ArtifactView>,
    /// What the uploaded file says (single-model answers only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<files::FileMetadataView>,
    /// Where the file disagrees with the declared metadata.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub differences: Vec<files::Difference>,
    pub created_at: String,
    pub updated_at: String,
}

/// Where the weights are.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ArtifactView {
    Uri { uri: String },
    File { size: u64, sha256: String },
}

impl ModelView {
    /// Adds the badges a member sees for this model, from its placement.
    pub fn with_badges(mut self, facts: crate::catalog::badge::BadgeFacts) -> Self {
        let shown = crate::catalog::badge::badges(&facts, crate::catalog::badge::Viewer::LoggedIn);
        self.badges = shown.iter().map(|b| b.as_str().to_owned()).collect();
        self.badge_line = crate::catalog::badge::badge_line(&shown);
        self.catalog_role = facts.role.map(|r| r.as_str().to_owned());
        self
    }

    /// Builds the project view; the role is the one SPEC §3 derives for this model.
    pub fn new(model: &Model, role: Option<CatalogRole>) -> Self {
        let d = &model.details;
        Self {
            id: model.id.to_string(),
            display_id: model.id.display_id().to_string(),
            project_id: model.project_id.to_string(),
            name: d.name.clone(),
            version: d.version.clone(),
            description: d.description.clone(),
            architecture: d.architecture.as_ref().map(|a| a.as_str().to_owned()),
            parameter_count: d.parameter_count.map(|p| p.get()),
            parameter_count_display: d.parameter_count.map(|p| p.to_string()),
            active_parameter_count: d.active_parameter_count.map(|p| p.get()),
            context_length: d.context_length.map(|c| c.get()),
            context_length_display: d.context_length.map(|c| c.to_string()),
            license: d.license.as_ref().map(|l| l.key().to_owned()),
            license_name: d.license.as_ref().map(|l| l.display_name().to_owned()),
            quantization: d.quantization.clone(),
            format: d.format.clone(),
            workload_type: d.workload_type.clone(),
            tags: model.tags(),
            shared: model.shared,
            shared_at: model.shared_at.clone(),
            featured: model.featured,
            catalog_role: role.map(|r| r.as_str().to_owned()),
            badges: Vec::new(),
            badge_line: String::new(),
            artifact: model.artifact.as_ref().map(|a| match a {
                Artifact::Uri(uri) => ArtifactView::Uri { uri: uri.clone() },
                Artifact::File { size, sha256 } => ArtifactView::File {
                    size: *size,
                    sha256: sha256.clone(),
                },
            }),
            file: None,
            differences: Vec::new(),
            created_at: model.created_at.clone(),
            updated_at: model.updated_at.clone(),
        }
    }

    /// Adds what the uploaded file says, and where it disagrees with the declared values.
    pub fn with_file(
        mut self,
        model: &Model,
        file: Option<&crate::catalog::file_meta::FileMetadata>,
    ) -> Self {
        if let Some(file) = file {
            self.differences = files::differences(file, &model.details);
            self.file = Some(files::FileMetadataView::from(file));
        }
        self
    }
}

/// A page of a project's models.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct ModelList {
    pub models: Vec<ModelView>,
    pub total: u64,
    pub page: u32,
    pub per_page: u32,
}

/// `GET /healthz`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct Health {
    #[schema(example = "ok")]
    pub status: String,
    pub version: String,
}

/// `GET /readyz`: whether the catalog is served yet, and how far a start-up rebuild has come.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct Readiness {
    /// `ready` (200); `starting`, `rebuilding` or `failed` (503).
    #[schema(example = "rebuilding")]
    pub status: String,
    /// Models indexed so far by the running (or last) rebuild.
    pub indexed: u64,
    /// Shared models that rebuild indexes.
    pub total: u64,
    /// Whole percent of the rebuild done.
    #[schema(maximum = 100)]
    pub percent: u8,
}

/// `GET /v1/auth/key`: what the presented key is (the CLI finds its project this way).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct KeyInfo {
    pub project_id: String,
    pub key_id: String,
    /// `read` or `write`.
    pub scope: String,
}
