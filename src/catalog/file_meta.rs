//! What an uploaded model file says about itself, and how that fills a model's metadata:
//! values found in the file fill fields the operator left empty; where the operator declared
//! something else, both are kept and shown (declared 7B, file says 6.74B).

use serde::{Deserialize, Serialize};

use super::architecture::Architecture;
use super::license::License;
use super::model::ModelDetails;
use super::units::{ContextLength, ParameterCount};

/// Metadata read from a model file (never tensor data).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct FileMetadata {
    /// `gguf`, `safetensors`, `config.json` or `raw` (no metadata readable).
    pub format: String,
    pub architecture: Option<String>,
    pub name: Option<String>,
    pub parameter_count: Option<u64>,
    pub context_length: Option<u64>,
    pub quantization: Option<String>,
    pub license: Option<String>,
    pub expert_count: Option<u64>,
    pub tensor_count: Option<u64>,
    /// Parameters used per token (MoE), where the file's tensors say it.
    #[serde(default)]
    pub active_parameter_count: Option<u64>,
    /// The attention shape that sizes the KV cache (SPEC §11), as the file states it.
    #[serde(default)]
    pub layers: Option<u64>,
    #[serde(default)]
    pub kv_heads: Option<u64>,
    #[serde(default)]
    pub head_size: Option<u64>,
    /// Sliding-window layers and their window; multi-head latent attention's ranks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub swa_layers: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub swa_window: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kv_lora_rank: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rope_dim: Option<u64>,
    /// Per-head value size when it differs from the key's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_size: Option<u64>,
    /// What sizes the runtime's compute buffer, when the header states it (`compute_shape`
    /// reads it within bounds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compute: Option<super::compute::ComputeShape>,
}

impl FileMetadata {
    /// The KV-cache shape, when the file states all of it within sane bounds (a header is
    /// uploaded data: `block_count = 2^40` is no shape).
    pub fn kv_shape(&self) -> Option<super::kv::KvShape> {
        let sane = |v: Option<u64>, max: u64| v.filter(|v| *v <= max);
        let layers = sane(self.layers, 1 << 16)?;
        if [
            self.kv_heads,
            self.head_size,
            self.kv_lora_rank,
            self.rope_dim,
            self.value_size,
        ]
        .iter()
        .any(|v| v.is_some_and(|v| v > 1 << 20))
            || self.swa_window.is_some_and(|w| w > 1 << 32)
        {
            return None;
        }
        let mla = match (self.kv_lora_rank, self.rope_dim) {
            (Some(kv_rank), Some(rope_dim)) => Some(super::kv::Mla { kv_rank, rope_dim }),
            _ => None,
        };
        let (swa_layers, swa_window) = match (self.swa_layers, self.swa_window) {
            (Some(n), Some(w)) if n > 0 && n <= layers && w > 0 => (n, w),
            _ => (0, 0),
        };
        Some(super::kv::KvShape {
            layers,
            kv_heads: if mla.is_some() { 1 } else { self.kv_heads? },
            head_size: match mla {
                Some(m) => m.kv_rank + m.rope_dim,
                None => self.head_size?,
            },
            value_size: if mla.is_some() {
                0
            } else {
                self.value_size.unwrap_or(0)
            },
            swa_layers,
            swa_window,
            mla,
        })
    }
}

impl FileMetadata {
    /// Fills the empty fields of `details` from the file; returns the names of the fields filled.
    pub fn fill_empty(&self, details: &mut ModelDetails) -> Vec<&'static str> {
        let mut filled = Vec::new();
        if details.architecture.is_none()
            && let Some(arch) = self
                .architecture
                .as_deref()
                .and_then(|a| Architecture::parse(a).ok())
        {
            details.architecture = Some(arch);
            filled.push("architecture");
        }
        if details.parameter_count.is_none()
            && let Some(count) = self.parameter_count.and_then(ParameterCount::new)
        {
            details.parameter_count = Some(count);
            filled.push("parameter_count");
        }
        if details.active_parameter_count.is_none()
            && let Some(count) = self.active_parameter_count.and_then(ParameterCount::new)
        {
            details.active_parameter_count = Some(count);
            filled.push("active_parameter_count");
        }
        if details.context_length.is_none()
            && let Some(context) = self.context_length.and_then(ContextLength::new)
        {
            details.context_length = Some(context);
            filled.push("context_length");
        }
        if details.quantization.is_none()
            && let Some(q) = &self.quantization
        {
            details.quantization = Some(q.clone());
            filled.push("quantization");
        }
        if details.license.is_none()
            && let Some(license) = self.license.as_deref().and_then(|l| License::parse(l).ok())
        {
            details.license = Some(license);
            filled.push("license");
        }
        if details.format.is_none() && self.format != "raw" && self.format != "config.json" {
            details.format = Some(self.format.clone());
            filled.push("format");
        }
        filled
    }

    /// Where the file disagrees with what the operator declared, as (field, declared, file).
    pub fn differences(&self, details: &ModelDetails) -> Vec<(&'static str, String, String)> {
        let mut out = Vec::new();
        if let (Some(declared), Some(file)) = (
            details.parameter_count,
            self.parameter_count.and_then(ParameterCount::new),
        ) && declared != file
        {
            out.push(("parameters", declared.to_string(), file.to_string()));
        }
        if let (Some(declared), Some(file)) = (
            details.context_length,
            self.context_length.and_then(ContextLength::new),
        ) && declared != file
        {
            out.push(("context length", declared.to_string(), file.to_string()));
        }
        if let (Some(declared), Some(file)) = (
            &details.architecture,
            self.architecture
                .as_deref()
                .and_then(|a| Architecture::parse(a).ok()),
        ) && *declared != file
        {
            out.push((
                "architecture",
                declared.as_str().to_owned(),
                file.as_str().to_owned(),
            ));
        }
        if let (Some(declared), Some(file)) = (&details.quantization, &self.quantization)
            && !declared.eq_ignore_ascii_case(file)
        {
            out.push(("quantization", declared.clone(), file.clone()));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn empty() -> ModelDetails {
        ModelDetails {
            name: "m".into(),
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
        }
    }

    fn meta() -> FileMetadata {
        FileMetadata {
            format: "gguf".into(),
            architecture: Some("llama".into()),
            parameter_count: Some(6_740_000_000),
            context_length: Some(4096),
            quantization: Some("Q4_K_M".into()),
            ..FileMetadata::default()
        }
    }

    #[test]
    fn the_file_fills_only_empty_fields() {
        let mut details = empty();
        details.parameter_count = ParameterCount::new(7_000_000_000);
        let filled = meta().fill_empty(&mut details);
        assert_eq!(
            filled,
            ["architecture", "context_length", "quantization", "format"]
        );
        assert_eq!(
            details.parameter_count.unwrap().get(),
            7_000_000_000,
            "declared value kept"
        );
        let differences = meta().differences(&details);
        assert_eq!(
            differences,
            [("parameters", "7B".to_owned(), "6.74B".to_owned())]
        );
    }
}
