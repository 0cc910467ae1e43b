//! A model's lineage (issue 27): the model it was derived from and how (Hugging Face's
//! `base_model` and `base_model_relation` model-card fields), and the model that supersedes it.

use serde::{Deserialize, Serialize};

use super::ids::ModelId;

/// How a model was made from its base (the Hub's `base_model_relation`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Relation {
    Finetune,
    Quantized,
    Adapter,
    Merge,
}

impl Relation {
    pub const ALL: [Relation; 4] = [
        Relation::Finetune,
        Relation::Quantized,
        Relation::Adapter,
        Relation::Merge,
    ];

    pub fn parse(input: &str) -> Option<Self> {
        match input.trim().to_ascii_lowercase().as_str() {
            "finetune" | "fine-tune" | "finetuned" => Some(Self::Finetune),
            "quantized" | "quantised" | "quantization" => Some(Self::Quantized),
            "adapter" | "lora" => Some(Self::Adapter),
            "merge" | "merged" => Some(Self::Merge),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Finetune => "finetune",
            Self::Quantized => "quantized",
            Self::Adapter => "adapter",
            Self::Merge => "merge",
        }
    }

    /// Plural for the detail page's counts ("3 quantizations").
    pub fn plural(self) -> &'static str {
        match self {
            Self::Finetune => "finetunes",
            Self::Quantized => "quantizations",
            Self::Adapter => "adapters",
            Self::Merge => "merges",
        }
    }

    /// The relation a model card implies when it names a base but no relation, as the Hub
    /// infers it: a GGUF/AWQ/GPTQ/MLX quantization label makes it a quantization, else a
    /// finetune.
    pub fn implied(quantization: Option<&str>, format: Option<&str>) -> Self {
        if quantization.is_some() || format.is_some_and(|f| f.eq_ignore_ascii_case("gguf")) {
            Self::Quantized
        } else {
            Self::Finetune
        }
    }
}

/// What is stored about a model's lineage.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lineage {
    /// The base in this catalog, when it is here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_id: Option<ModelId>,
    /// The base as the model card names it (`Qwen/Qwen3-8B`), kept when it is not in this
    /// catalog.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relation: Option<Relation>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub superseded_by: Option<ModelId>,
    /// The base's name when the base is in the same project: a quantization joins the base's
    /// variant group (filled by the store's reads, not stored).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_group_name: Option<String>,
}

impl Lineage {
    pub fn is_empty(&self) -> bool {
        self.base_id.is_none() && self.base_name.is_none() && self.superseded_by.is_none()
    }
}

/// A change to a lineage: `None` leaves a field, `Some(None)` clears it, `Some(Some(v))` sets it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LineageChange {
    /// A model here: its UUID or its Hub repo id (`project/model`).
    pub base_model: Option<Option<String>>,
    pub relation: Option<Option<String>>,
    /// A base that is not in this catalog, as a model card names it (`Qwen/Qwen3-8B`); when
    /// it names a model here that the caller can see, that model becomes the base.
    pub base_name: Option<Option<String>>,
    pub superseded_by: Option<Option<String>>,
}

impl LineageChange {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// Why a lineage change is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LineageError {
    #[error("a model cannot be its own base")]
    OwnBase,
    #[error("a model cannot be superseded by itself")]
    OwnSuccessor,
    #[error("that base would make a cycle: the base already derives from this model")]
    BaseCycle,
    #[error("that successor would make a cycle: it is already superseded by this model")]
    SuccessorCycle,
    #[error("`{0}` is not one of finetune, quantized, adapter, merge")]
    BadRelation(String),
    #[error("a relation needs a base_model")]
    RelationWithoutBase,
}

/// Checks that following `next` from `start` never reaches `model` (the chain is walked at most
/// `limit` steps: a longer chain is refused too, as a cycle would be).
pub fn reaches(
    model: ModelId,
    start: ModelId,
    limit: usize,
    mut next: impl FnMut(ModelId) -> Option<ModelId>,
) -> bool {
    let mut at = Some(start);
    for _ in 0..limit {
        match at {
            Some(current) if current == model => return true,
            Some(current) => at = next(current),
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relations_read_the_hub_spellings() {
        for r in Relation::ALL {
            assert_eq!(Relation::parse(r.as_str()), Some(r));
        }
        assert_eq!(Relation::parse("Fine-tune"), Some(Relation::Finetune));
        assert_eq!(Relation::parse("distill"), None);
        assert_eq!(Relation::implied(Some("Q4_K_M"), None), Relation::Quantized);
        assert_eq!(
            Relation::implied(None, Some("safetensors")),
            Relation::Finetune
        );
    }

    #[test]
    fn chains_that_come_back_are_cycles() {
        let ids: Vec<ModelId> = (0..4).map(|_| ModelId::generate()).collect();
        // 0 → 1 → 2 (→ nothing).
        let next = |id: ModelId| {
            ids.iter()
                .position(|i| *i == id)
                .and_then(|p| ids.get(p + 1).copied())
                .filter(|_| id != ids[2])
        };
        assert!(reaches(ids[2], ids[0], 10, next), "0 reaches 2");
        assert!(!reaches(ids[3], ids[0], 10, next), "3 is not on the chain");
        assert!(
            reaches(ids[3], ids[0], 1, next),
            "a chain longer than the limit counts as one"
        );
    }
}
