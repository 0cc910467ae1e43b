//! What a model file says about itself, read from its bytes (GGUF or safetensors headers):
//! shared by uploads (`artifacts`) and repository commits (`repo_metadata`), so neither
//! depends on the other.

use std::io::Read;
use std::path::Path;

use crate::catalog::file_meta::FileMetadata;
use crate::formats::{gguf, safetensors};
use crate::ops::OpsError;
use crate::ops::files::upload::io_error;

/// Reads what the file says. A file that starts like GGUF (or is declared GGUF / safetensors)
/// must parse as such; anything else is kept as an opaque artifact.
pub fn read_metadata(path: &Path, declared: Option<&str>) -> Result<FileMetadata, OpsError> {
    let invalid = |e: &dyn std::fmt::Display| OpsError::InvalidModelFile(e.to_string());
    let open = || std::fs::File::open(path).map_err(io_error);
    let mut head = [0u8; 9];
    let read = open()?.read(&mut head).map_err(io_error)?;
    let declared = declared.map(str::to_ascii_lowercase);
    let is_gguf = read >= 4 && &head[..4] == b"GGUF";
    if is_gguf || declared.as_deref() == Some("gguf") {
        let info = gguf::read_header(open()?).map_err(|e| invalid(&e))?;
        let swa_layers = info.sliding_window.and_then(|_| {
            crate::catalog::kv::swa_layers_of(info.architecture.as_deref()?, info.layers?)
        });
        let compute = compute_shape(&info);
        return Ok(FileMetadata {
            format: "gguf".into(),
            quantization: info.quantization().map(str::to_owned),
            architecture: info.architecture,
            name: info.name,
            parameter_count: info.parameter_count,
            context_length: info.context_length,
            license: info.license,
            expert_count: info.expert_count,
            tensor_count: Some(info.tensor_count),
            active_parameter_count: info.active_parameter_count,
            swa_layers,
            swa_window: info.sliding_window,
            // llama.cpp caches the latent only when the file marks its attention as MLA.
            kv_lora_rank: info.kv_lora_rank.filter(|_| info.key_length_mla.is_some()),
            rope_dim: info
                .rope_dim
                .filter(|_| info.kv_lora_rank.is_some() && info.key_length_mla.is_some()),
            value_size: info.value_length.filter(|v| Some(*v) != info.head_size),
            compute,
            layers: info.layers,
            kv_heads: info.kv_heads,
            head_size: info.head_size,
        });
    }
    let looks_safetensors = read == 9 && head[8] == b'{';
    if looks_safetensors || declared.as_deref() == Some("safetensors") {
        match safetensors::read_safetensors(open()?) {
            Ok(info) => {
                return Ok(FileMetadata {
                    format: "safetensors".into(),
                    parameter_count: Some(info.parameter_count).filter(|&p| p > 0),
                    quantization: info.precision,
                    tensor_count: Some(info.tensor_count),
                    ..FileMetadata::default()
                });
            }
            Err(e) if declared.as_deref() == Some("safetensors") => return Err(invalid(&e)),
            Err(_) => {}
        }
    }
    Ok(FileMetadata {
        format: "raw".into(),
        ..FileMetadata::default()
    })
}

/// What sizes llama.cpp's compute buffer for this file, when its header states all of it.
pub fn compute_shape(info: &gguf::GgufInfo) -> Option<crate::catalog::compute::ComputeShape> {
    // A header is uploaded data: figures past any real model's are no shape.
    let sane = |v: Option<u64>| v.filter(|v| *v <= 1 << 24);
    Some(crate::catalog::compute::ComputeShape {
        embedding: sane(info.embedding_length)?,
        feed_forward: sane(info.feed_forward)?,
        heads: sane(info.head_count)?,
        head_size: sane(info.key_length_mla.or(info.head_size))?,
    })
}
