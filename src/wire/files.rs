//! JSON of uploads: what the file says, what it filled, where it disagrees with the operator.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::catalog::file_meta::FileMetadata;
use crate::catalog::model::Model;
use crate::catalog::role::CatalogRole;

use super::ModelView;

/// Metadata read from the uploaded file.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct FileMetadataView {
    /// `gguf`, `safetensors`, `config.json` or `raw`.
    pub format: String,
    pub architecture: Option<String>,
    pub name: Option<String>,
    pub parameter_count: Option<u64>,
    pub parameter_count_display: Option<String>,
    pub context_length: Option<u64>,
    pub quantization: Option<String>,
    pub license: Option<String>,
    pub expert_count: Option<u64>,
    pub tensor_count: Option<u64>,
}

impl From<&FileMetadata> for FileMetadataView {
    fn from(m: &FileMetadata) -> Self {
        Self {
            format: m.format.clone(),
            architecture: m.architecture.clone(),
            name: m.name.clone(),
            parameter_count: m.parameter_count,
            parameter_count_display: m
                .parameter_count
                .and_then(crate::catalog::units::ParameterCount::new)
                .map(|p| p.to_string()),
            context_length: m.context_length,
            quantization: m.quantization.clone(),
            license: m.license.clone(),
            expert_count: m.expert_count,
            tensor_count: m.tensor_count,
        }
    }
}

/// A field where the operator's value and the file's differ.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct Difference {
    pub field: String,
    pub declared: String,
    pub file: String,
}

/// The answer to an upload.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct UploadResponse {
    pub model: ModelView,
    pub file: FileMetadataView,
    /// Fields the file filled because they were empty.
    pub filled: Vec<String>,
    pub differences: Vec<Difference>,
    /// Things the uploader should know (bytes of no known format, the same bytes already in
    /// the project).
    #[serde(default)]
    pub notices: Vec<String>,
}

impl UploadResponse {
    /// The model after the upload, what the file said, and which fields it filled.
    pub fn new(
        model: &Model,
        metadata: &FileMetadata,
        filled: &[&str],
        notices: &[String],
        role: Option<CatalogRole>,
    ) -> Self {
        Self {
            model: ModelView::new(model, role),
            file: FileMetadataView::from(metadata),
            filled: filled.iter().map(|f| (*f).to_owned()).collect(),
            differences: differences(metadata, &model.details),
            notices: notices.to_vec(),
        }
    }
}

pub fn differences(
    metadata: &FileMetadata,
    details: &crate::catalog::model::ModelDetails,
) -> Vec<Difference> {
    metadata
        .differences(details)
        .into_iter()
        .map(|(field, declared, file)| Difference {
            field: field.to_owned(),
            declared,
            file,
        })
        .collect()
}
