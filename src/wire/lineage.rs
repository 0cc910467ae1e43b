//! `…/models/{id}/lineage`: a model's base, relation and successor, and what derives from it.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::present;
use crate::catalog::lineage::{LineageChange, Relation};
use crate::catalog::model::Model;

/// `PATCH …/models/{id}/lineage`: absent fields stay, `null` clears, a value sets.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LineageRequest {
    /// A model you can see: its UUID or its `project/model` repo id.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub base_model: Option<Option<String>>,
    /// `finetune`, `quantized`, `adapter` or `merge`.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub base_model_relation: Option<Option<String>>,
    /// A base that is not in this catalog, as a model card names it.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub base_model_name: Option<Option<String>>,
    /// The model that supersedes this one.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub superseded_by: Option<Option<String>>,
}

impl From<LineageRequest> for LineageChange {
    fn from(r: LineageRequest) -> Self {
        LineageChange {
            base_model: r.base_model,
            relation: r.base_model_relation,
            base_name: r.base_model_name,
            superseded_by: r.superseded_by,
        }
    }
}

/// Another model, as a lineage names it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct ModelRef {
    pub id: String,
    pub name: String,
    pub project_id: String,
    pub shared: bool,
}

impl ModelRef {
    pub fn of(model: &Model) -> Self {
        Self {
            id: model.id.to_string(),
            name: model.details.name.clone(),
            project_id: model.project_id.to_string(),
            shared: model.shared,
        }
    }
}

/// A model derived from this one.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct DerivedRef {
    #[serde(flatten)]
    pub model: ModelRef,
    pub relation: String,
}

/// Counts of the models derived from this one, by relation.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct DerivedCounts {
    pub finetune: u64,
    pub quantized: u64,
    pub adapter: u64,
    pub merge: u64,
}

impl DerivedCounts {
    pub fn add(&mut self, relation: Relation) {
        match relation {
            Relation::Finetune => self.finetune += 1,
            Relation::Quantized => self.quantized += 1,
            Relation::Adapter => self.adapter += 1,
            Relation::Merge => self.merge += 1,
        }
    }
}

/// A model's lineage as the caller may see it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct LineageView {
    /// The base in this catalog, when the caller may see it.
    pub base_model: Option<ModelRef>,
    /// A base that is not in this catalog, as stated.
    pub base_model_name: Option<String>,
    pub base_model_relation: Option<String>,
    pub superseded_by: Option<ModelRef>,
    pub derived_counts: DerivedCounts,
    pub derived: Vec<DerivedRef>,
}
