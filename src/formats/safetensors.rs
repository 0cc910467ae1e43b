//! safetensors headers (an 8-byte little-endian length, then a JSON table of tensors) and
//! Hugging Face `config.json` files. Both are bounded before they are parsed.
//!
//! The tensor table is parsed and validated by Hugging Face's own `safetensors` crate (its
//! `TensorInfo`, `Dtype` and `Metadata::new`: contiguous offsets, sizes that match shape and
//! dtype, no overflow). Only the header is read: `SafeTensors::read_metadata` wants the whole
//! file in memory, so the byte count it checks is returned as [`TensorTable::file_size`] for
//! callers that know the file's size.

use std::collections::{BTreeMap, HashMap};
use std::io::Read;

use safetensors::tensor::{Metadata, TensorInfo};
use safetensors::{Dtype, SafeTensorError};
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

/// Why a safetensors header or a `config.json` was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FormatError {
    #[error("the file is too short to be a safetensors file")]
    Truncated,
    #[error("the safetensors header claims {0} bytes, more than the {MAX_HEADER} allowed")]
    HeaderTooLong(u64),
    #[error("the safetensors header is not valid JSON: {0}")]
    BadHeader(String),
    #[error("the safetensors header does not describe its tensors consistently: {0}")]
    InconsistentHeader(String),
    #[error("tensor `{0}` has a shape whose size overflows")]
    Overflow(String),
    #[error("config.json is larger than {MAX_CONFIG} bytes")]
    ConfigTooLong,
    #[error("config.json is not valid JSON: {0}")]
    BadConfig(String),
    #[error("cannot read the file: {0}")]
    Io(String),
}

/// The tensor table of one safetensors file, counted by dtype.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TensorTable {
    pub tensor_count: u64,
    pub parameter_count: u64,
    /// Parameters (elements) per dtype name, e.g. `{"BF16": 7_000_000_000}`.
    pub parameters_by_dtype: BTreeMap<String, u64>,
    /// The size the file must have: 8 + header length + the data the offsets describe.
    pub file_size: u64,
}

impl TensorTable {
    /// Returns the dtype holding most parameters (ties: the first name in order).
    pub fn precision(&self) -> Option<String> {
        majority_dtype(&self.parameters_by_dtype)
    }
}

/// Returns the key with the largest count; ties go to the smallest key.
pub fn majority_dtype(counts: &BTreeMap<String, u64>) -> Option<String> {
    counts
        .iter()
        .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
        .map(|(dtype, _)| dtype.clone())
}

/// The header as the crate's private `HashMetadata` has it: `__metadata__` (strings only)
/// beside one `TensorInfo` per tensor name.
#[derive(Deserialize)]
struct Header {
    /// Parsed only so that a malformed one is refused, as the crate refuses it.
    #[serde(rename = "__metadata__")]
    _metadata: Option<HashMap<String, String>>,
    #[serde(flatten)]
    tensors: HashMap<String, TensorInfo>,
}

/// Reads the header of a safetensors file: the 8-byte length (bounded by [`MAX_HEADER`]
/// before anything is allocated), then that many bytes, parsed and validated by the crate.
pub fn read_tensor_table(mut input: impl Read) -> Result<TensorTable, FormatError> {
    let mut len = [0u8; 8];
    input
        .read_exact(&mut len)
        .map_err(|_| FormatError::Truncated)?;
    let len = u64::from_le_bytes(len);
    if len > MAX_HEADER {
        return Err(FormatError::HeaderTooLong(len));
    }
    // `take` + `read_to_end` grows with the bytes that arrive, never to the claimed length.
    let mut header = Vec::new();
    input
        .take(len)
        .read_to_end(&mut header)
        .map_err(|e| FormatError::Io(e.to_string()))?;
    if (header.len() as u64) < len {
        return Err(FormatError::Truncated);
    }
    let header: Header =
        serde_json::from_slice(&header).map_err(|e| FormatError::BadHeader(e.to_string()))?;
    let mut tensors: Vec<(String, TensorInfo)> = header.tensors.into_iter().collect();
    // `Metadata::new` wants offset order, as `SafeTensors::read_metadata` sorts them.
    tensors.sort_by(|a, b| a.1.data_offsets.cmp(&b.1.data_offsets).then(a.0.cmp(&b.0)));
    // The crate's overflow error names no tensor; find it first so the message can.
    for (name, info) in &tensors {
        if bits_of(&info.shape, info.dtype).is_none() {
            return Err(FormatError::Overflow(name.clone()));
        }
    }
    let metadata = Metadata::new(None, tensors).map_err(inconsistent)?;
    let mut table = TensorTable {
        file_size: (metadata.data_len() as u64)
            .checked_add(8 + len)
            .ok_or_else(|| FormatError::InconsistentHeader("data offsets overflow".into()))?,
        ..TensorTable::default()
    };
    for name in metadata.offset_keys() {
        let Some(info) = metadata.info(&name) else {
            continue;
        };
        let elements = info
            .shape
            .iter()
            .try_fold(1u64, |acc, d| acc.checked_mul(*d as u64))
            .ok_or_else(|| FormatError::Overflow(name.clone()))?;
        // Every per-dtype count is at most the total, so only the total needs checking.
        table.parameter_count = table
            .parameter_count
            .checked_add(elements)
            .ok_or_else(|| FormatError::Overflow(name.clone()))?;
        *table
            .parameters_by_dtype
            .entry(info.dtype.to_string())
            .or_default() += elements;
        table.tensor_count += 1;
    }
    Ok(table)
}

/// Reads a safetensors header: tensor count, parameter count and majority dtype.
pub fn read_safetensors(input: impl Read) -> Result<SafetensorsInfo, FormatError> {
    let table = read_tensor_table(input)?;
    Ok(SafetensorsInfo {
        tensor_count: table.tensor_count,
        parameter_count: table.parameter_count,
        precision: table.precision(),
    })
}

/// Returns the size in bits of a tensor, `None` where the crate's validation would overflow.
fn bits_of(shape: &[usize], dtype: Dtype) -> Option<usize> {
    shape
        .iter()
        .try_fold(1usize, |acc, d| acc.checked_mul(*d))?
        .checked_mul(dtype.bitsize())
}

fn inconsistent(error: SafeTensorError) -> FormatError {
    let reason = match error {
        SafeTensorError::InvalidOffset(name) => {
            format!("tensor `{name}` does not start where the previous one ends")
        }
        SafeTensorError::TensorInvalidInfo => {
            "a tensor's offsets do not match its shape and dtype".into()
        }
        SafeTensorError::MisalignedSlice => "a tensor does not end on a byte boundary".into(),
        other => other.to_string(),
    };
    FormatError::InconsistentHeader(reason)
}

/// What a Hugging Face `config.json` says.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HfConfig {
    /// `model_type`, else the first of `architectures`.
    pub architecture: Option<String>,
    /// `max_position_embeddings`.
    pub context_length: Option<u64>,
    /// `num_local_experts`, `num_experts` or `n_routed_experts`, when more than one.
    pub expert_count: Option<u64>,
    /// `num_experts_per_tok`, only beside an expert count.
    pub active_expert_count: Option<u64>,
    /// `num_hidden_layers`.
    pub layers: Option<u64>,
    /// `num_key_value_heads`, else `num_attention_heads` (no grouped-query attention).
    pub kv_heads: Option<u64>,
    /// `head_dim`, else `hidden_size / num_attention_heads`.
    pub head_size: Option<u64>,
}

/// The size fields, found at the top or, for multimodal models (Gemma 3, Llama 4, Mistral 3),
/// under `text_config`.
#[derive(Deserialize, Default)]
struct RawSizes {
    max_position_embeddings: Option<u64>,
    num_local_experts: Option<u64>,
    num_experts: Option<u64>,
    n_routed_experts: Option<u64>,
    num_experts_per_tok: Option<u64>,
    num_hidden_layers: Option<u64>,
    num_attention_heads: Option<u64>,
    num_key_value_heads: Option<u64>,
    head_dim: Option<u64>,
    hidden_size: Option<u64>,
}

impl RawSizes {
    fn expert_count(&self) -> Option<u64> {
        self.num_local_experts
            .or(self.num_experts)
            .or(self.n_routed_experts)
            .filter(|&n| n > 1)
    }
}

#[derive(Deserialize)]
struct RawConfig {
    model_type: Option<String>,
    #[serde(default)]
    architectures: Vec<String>,
    #[serde(flatten)]
    sizes: RawSizes,
    text_config: Option<RawSizes>,
}

/// Reads a `config.json` of at most [`MAX_CONFIG`] bytes.
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
    let text = raw.text_config.unwrap_or_default();
    let sizes = &raw.sizes;
    let expert_count = sizes.expert_count().or_else(|| text.expert_count());
    let active_expert_count = sizes
        .num_experts_per_tok
        .or(text.num_experts_per_tok)
        .filter(|&n| n > 0 && expert_count.is_some());
    let positive = |n: Option<u64>| n.filter(|&n| n > 0);
    let pick = |f: fn(&RawSizes) -> Option<u64>| positive(f(sizes)).or(positive(f(&text)));
    let heads = pick(|s| s.num_attention_heads);
    let head_size = pick(|s| s.head_dim).or_else(|| {
        let hidden = pick(|s| s.hidden_size)?;
        positive(Some(hidden / heads?))
    });
    Ok(HfConfig {
        layers: pick(|s| s.num_hidden_layers),
        kv_heads: pick(|s| s.num_key_value_heads).or(heads),
        head_size,
        architecture: raw
            .model_type
            .filter(|m| !m.trim().is_empty())
            .or_else(|| raw.architectures.into_iter().next()),
        context_length: sizes
            .max_position_embeddings
            .or(text.max_position_embeddings)
            .filter(|&c| c > 0),
        expert_count,
        active_expert_count,
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

    #[test]
    fn files_written_by_the_crate_are_read_back() {
        let bytes = test_files::safetensors(&[
            ("embed", Dtype::BF16, &[16, 4]),
            ("norm", Dtype::F32, &[4]),
            ("head", Dtype::BF16, &[4, 16]),
        ]);
        let table = read_tensor_table(&bytes[..]).unwrap();
        assert_eq!((table.tensor_count, table.parameter_count), (3, 132));
        assert_eq!(table.file_size, bytes.len() as u64);
        assert_eq!(table.parameters_by_dtype["BF16"], 128);
        assert_eq!(table.precision().as_deref(), Some("BF16"));
    }

    #[test]
    fn inconsistent_tables_are_refused_by_the_crate() {
        let cases = [
            (
                "offsets too short for the shape",
                r#"{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,8]}}"#,
            ),
            (
                "a gap between tensors",
                r#"{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"b":{"dtype":"U8","shape":[1],"data_offsets":[2,3]}}"#,
            ),
        ];
        for (description, header) in cases {
            let result = read_safetensors(&file(header)[..]);
            assert!(
                matches!(result, Err(FormatError::InconsistentHeader(_))),
                "{description}: {result:?}"
            );
        }
        let unknown_dtype = file(r#"{"a":{"dtype":"Q4","shape":[2],"data_offsets":[0,1]}}"#);
        assert!(matches!(
            read_safetensors(&unknown_dtype[..]),
            Err(FormatError::BadHeader(_))
        ));
    }

    #[test]
    fn a_header_shorter_than_its_length_is_truncated() {
        let mut bytes = file(r#"{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}"#);
        bytes.truncate(20);
        assert_eq!(read_safetensors(&bytes[..]), Err(FormatError::Truncated));
    }

    #[test]
    fn config_json_gives_the_attention_shape() {
        // Llama 3.1 8B: 32 layers, 8 KV heads, 4096 / 32 = 128 per head.
        let llama = br#"{"model_type":"llama","num_hidden_layers":32,"num_attention_heads":32,"num_key_value_heads":8,"hidden_size":4096}"#;
        let parsed = read_config(&llama[..]).unwrap();
        assert_eq!(
            (parsed.layers, parsed.kv_heads, parsed.head_size),
            (Some(32), Some(8), Some(128))
        );
        // Qwen3 states head_dim itself; without num_key_value_heads every head is cached.
        let qwen = br#"{"model_type":"qwen3","num_hidden_layers":36,"num_attention_heads":32,"head_dim":128,"hidden_size":4096}"#;
        let parsed = read_config(&qwen[..]).unwrap();
        assert_eq!(
            (parsed.layers, parsed.kv_heads, parsed.head_size),
            (Some(36), Some(32), Some(128))
        );
        let bare = br#"{"model_type":"llama"}"#;
        assert_eq!(read_config(&bare[..]).unwrap().layers, None);
    }

    #[test]
    fn config_json_of_a_mixture_of_experts_gives_active_experts() {
        let config = br#"{"architectures":["MixtralForCausalLM"],"max_position_embeddings":32768,"num_local_experts":8,"num_experts_per_tok":2}"#;
        let parsed = read_config(&config[..]).unwrap();
        assert_eq!(parsed.architecture.as_deref(), Some("MixtralForCausalLM"));
        assert_eq!(
            (parsed.expert_count, parsed.active_expert_count),
            (Some(8), Some(2))
        );
        let dense = br#"{"model_type":"llama","num_experts_per_tok":2}"#;
        assert_eq!(read_config(&dense[..]).unwrap().active_expert_count, None);
        let nested = br#"{"model_type":"llama4","text_config":{"max_position_embeddings":10485760,"num_local_experts":16,"num_experts_per_tok":1}}"#;
        let parsed = read_config(&nested[..]).unwrap();
        assert_eq!(
            (
                parsed.context_length,
                parsed.expert_count,
                parsed.active_expert_count
            ),
            (Some(10485760), Some(16), Some(1))
        );
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]

        #[test]
        fn random_bytes_never_panic(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..256)) {
            let _ = read_safetensors(&bytes[..]);
        }

        #[test]
        fn random_tables_never_panic(
            tensors in proptest::collection::vec(
                (0usize..4, proptest::collection::vec(proptest::prelude::any::<usize>(), 0..3), proptest::prelude::any::<usize>(), proptest::prelude::any::<usize>()),
                0..4,
            )
        ) {
            let dtypes = ["U8", "F4", "BF16", "F64"];
            let entries: Vec<String> = tensors
                .iter()
                .enumerate()
                .map(|(i, (dtype, shape, start, end))| {
                    format!(r#""t{i}":{{"dtype":"{}","shape":{shape:?},"data_offsets":[{start},{end}]}}"#, dtypes[*dtype])
                })
                .collect();
            let _ = read_safetensors(&file(&format!("{{{}}}", entries.join(",")))[..]);
        }
    }
}

/// Tiny valid safetensors files for the tests of this room, written by the crate itself.
#[cfg(test)]
pub(crate) mod test_files {
    use safetensors::Dtype;
    use safetensors::tensor::TensorView;

    /// Returns a file holding zero-filled tensors of the given dtypes and shapes.
    pub(crate) fn safetensors(tensors: &[(&str, Dtype, &[usize])]) -> Vec<u8> {
        let buffers: Vec<Vec<u8>> = tensors
            .iter()
            .map(|(_, dtype, shape)| {
                vec![0u8; shape.iter().product::<usize>() * dtype.bitsize() / 8]
            })
            .collect();
        let views = tensors
            .iter()
            .zip(&buffers)
            .map(|((name, dtype, shape), data)| {
                let view = TensorView::new(*dtype, shape.to_vec(), data).expect("sizes match");
                (name.to_string(), view)
            });
        safetensors::serialize(views, None).expect("a tiny table serializes")
    }
}
