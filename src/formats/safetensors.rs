//! safetensors headers (an 8-byte little-endian length, then a JSON table of tensors) and
//! Hugging Face `config.json` files. Both are bounded before they are parsed.

use std::collections::HashMap;
use std::io::Read;

use serde::Deserialize;

/// Headers are a few hundred KB even for the largest checkpoints.
pub const MAX_HEADER: u64 = 100 * 1024 * 1024;
/// A `config.json` is a few KB.
pub const MAX_CONFIG: u64 = 1024 * 1024;

/// What a safetensors header says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SafetensorsInfo {
    pub tensor_count: u64,
    pub parameter_count: u64,
    /// The dtype holding most parameters, e.g. `BF16`.
    pub precision: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FormatError {
    #[error("the file is too short to be a safetensors file")]
    Truncated,
    #[error("the safetensors header claims {0} bytes, more than the {MAX_HEADER} allowed")]
    HeaderTooLong(u64),
    #[error("the safetensors header is not valid JSON: {0}")]
    BadHeader(String),
    #[error("tensor `{0}` has a shape whose size overflows")]
    Overflow(String),
    #[error("config.json is larger than {MAX_CONFIG} bytes")]
    ConfigTooLong,
    #[error("config.json is not valid JSON: {0}")]
    BadConfig(String),
    #[error("cannot read the file: {0}")]
    Io(String),
}

#[derive(Deserialize)]
struct TensorEntry {
    dtype: String,
    shape: Vec<u64>,
}

pub fn read_safetensors(mut input: impl Read) -> Result<SafetensorsInfo, FormatError> {
    let mut len = [0u8; 8];
    input
        .read_exact(&mut len)
        .map_err(|_| FormatError::Truncated)?;
    let len = u64::from_le_bytes(len);
    if len > MAX_HEADER {
        return Err(FormatError::HeaderTooLong(len));
    }
    let mut header = Vec::new();
    input
        .take(len)
        .read_to_end(&mut header)
        .map_err(|e| FormatError::Io(e.to_string()))?;
    if (header.len() as u64) < len {
        return Err(FormatError::Truncated);
    }
    let table: HashMap<String, serde_json::Value> =
        serde_json::from_slice(&header).map_err(|e| FormatError::BadHeader(e.to_string()))?;
    let mut parameters: u64 = 0;
    let mut by_dtype: HashMap<String, u64> = HashMap::new();
    let mut tensors = 0;
    for (name, value) in table {
        if name == "__metadata__" {
            continue;
        }
        let entry: TensorEntry = serde_json::from_value(value)
            .map_err(|e| FormatError::BadHeader(format!("tensor `{name}`: {e}")))?;
        let elements = entry
            .shape
            .iter()
            .try_fold(1u64, |acc, d| acc.checked_mul(*d))
            .ok_or_else(|| FormatError::Overflow(name.clone()))?;
        parameters = parameters
            .checked_add(elements)
            .ok_or_else(|| FormatError::Overflow(name.clone()))?;
        *by_dtype.entry(entry.dtype).or_default() += elements;
        tensors += 1;
    }
    let precision = by_dtype
        .into_iter()
        .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))
        .map(|(dtype, _)| dtype);
    Ok(SafetensorsInfo {
        tensor_count: tensors,
        parameter_count: parameters,
        precision,
    })
}

/// What a Hugging Face `config.json` says.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HfConfig {
    /// `model_type`, else the first of `architectures`.
    pub architecture: Option<String>,
    pub context_length: Option<u64>,
    pub expert_count: Option<u64>,
}

#[derive(Deserialize)]
struct RawConfig {
    model_type: Option<String>,
    #[serde(default)]
    architectures: Vec<String>,
    max_position_embeddings: Option<u64>,
    num_local_experts: Option<u64>,
    num_experts: Option<u64>,
    n_routed_experts: Option<u64>,
}

pub fn read_config(input: impl Read) -> Result<HfConfig, FormatError> {
    let mut bytes = Vec::new();
    input
        .take(MAX_CONFIG + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| FormatError::Io(e.to_string()))?;
    if bytes.len() as u64 > MAX_CONFIG {
        return Err(FormatError::ConfigTooLong);
    }
    let raw: RawConfig =
        serde_json::from_slice(&bytes).map_err(|e| FormatError::BadConfig(e.to_string()))?;
    Ok(HfConfig {
        architecture: raw
            .model_type
            .filter(|m| !m.trim().is_empty())
            .or_else(|| raw.architectures.into_iter().next()),
        context_length: raw.max_position_embeddings.filter(|&c| c > 0),
        expert_count: raw
            .num_local_experts
            .or(raw.num_experts)
            .or(raw.n_routed_experts)
            .filter(|&n| n > 1),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(header: &str) -> Vec<u8> {
        let mut bytes = (header.len() as u64).to_le_bytes().to_vec();
        bytes.extend(header.as_bytes());
        bytes
    }

    #[test]
    fn parameters_and_precision_come_from_the_header() {
        let bytes = file(
            r#"{"__metadata__":{"format":"pt"},"a":{"dtype":"BF16","shape":[4,8],"data_offsets":[0,64]},"b":{"dtype":"F32","shape":[3],"data_offsets":[64,76]}}"#,
        );
        let info = read_safetensors(&bytes[..]).unwrap();
        assert_eq!(info.parameter_count, 35);
        assert_eq!(info.precision.as_deref(), Some("BF16"));
    }

    #[test]
    fn hostile_headers_are_refused() {
        assert_eq!(read_safetensors(&[1u8, 2][..]), Err(FormatError::Truncated));
        let huge = (1u64 << 50).to_le_bytes();
        assert_eq!(
            read_safetensors(&huge[..]),
            Err(FormatError::HeaderTooLong(1 << 50))
        );
        assert!(matches!(
            read_safetensors(&file("not json")[..]),
            Err(FormatError::BadHeader(_))
        ));
        let overflow =
            file(r#"{"w":{"dtype":"F16","shape":[18446744073709551615,2],"data_offsets":[0,0]}}"#);
        assert_eq!(
            read_safetensors(&overflow[..]),
            Err(FormatError::Overflow("w".into()))
        );
    }

    #[test]
    fn config_json_gives_architecture_and_context() {
        let config = br#"{"architectures":["Qwen3MoeForCausalLM"],"model_type":"qwen3_moe","max_position_embeddings":40960,"num_experts":128}"#;
        let parsed = read_config(&config[..]).unwrap();
        assert_eq!(parsed.architecture.as_deref(), Some("qwen3_moe"));
        assert_eq!(
            (parsed.context_length, parsed.expert_count),
            (Some(40960), Some(128))
        );
    }
}
