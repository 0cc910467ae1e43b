//! Model files once received (see `upload`): the file is checked and its metadata read, then
//! renamed into content-addressed storage (`blobs/sha256/ab/abcd…`) before the database row
//! points at it; downloads read it back. A refused file leaves nothing.

use std::io::Read;
use std::path::{Path, PathBuf};

use crate::auth::Principal;
use crate::catalog::file_meta::FileMetadata;
use crate::catalog::ids::{ModelId, ProjectId};
use crate::catalog::model::{Artifact, Model};
use crate::formats::{gguf, safetensors};
use crate::ops::access::{require_read, require_write};
use crate::ops::files::upload::{Received, io_error};
use crate::ops::{OpsError, Services, indexing::index_sync};
use crate::store::audit::{self, AuditEntry};
use crate::store::{self, now, outbox};

/// Largest `config.json` accepted by `PUT …/config`.
pub const MAX_CONFIG_BYTES: usize = safetensors::MAX_CONFIG as usize;

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

/// What an upload did.
#[derive(Debug, Clone)]
pub struct Stored {
    pub model: Model,
    pub metadata: FileMetadata,
    pub filled: Vec<&'static str>,
    /// What the uploader should know: the bytes are no known format, or another model of the
    /// project already has them.
    pub notices: Vec<String>,
}

/// Checks the received file, moves it into storage and records it on the model.
pub async fn store_upload(
    services: &Services,
    principal: &Principal,
    project: &ProjectId,
    id: ModelId,
    received: Received,
    declared_format: Option<String>,
) -> Result<Stored, OpsError> {
    require_write(principal, project)?;
    let (metadata, received) = tokio::task::spawn_blocking(move || {
        let metadata = read_metadata(&received.temp.path, declared_format.as_deref())?;
        Ok::<_, OpsError>((metadata, received))
    })
    .await
    .map_err(|e| OpsError::task("upload", e))??;
    // Held until the row naming the blob has committed (collection waits for it).
    let placed = services.blobs.put(received).await?;
    let (size, sha256) = (placed.size, placed.sha256.clone());
    let actor = principal.actor();
    let project = project.clone();
    let meta = metadata.clone();
    let stored = services
        .store
        .write(move |tx| {
            let Some(mut model) = store::models::find_model(tx, &project, &id)? else {
                return Ok(None);
            };
            let filled = meta.fill_empty(&mut model.details);
            let mut notices = Vec::new();
            if meta.format == "raw" {
                notices.push(
                    "the file is neither GGUF nor safetensors: it is stored as an opaque file and no metadata was read from it".to_owned(),
                );
            }
            for (other, name) in store::files::same_bytes_in_project(tx, &project, &id, &sha256)? {
                notices.push(format!(
                    "these bytes (sha256 {}…) are already the file of `{name}` ({other}) in this project",
                    &sha256[..12.min(sha256.len())]
                ));
            }
            let at = now();
            store::models::update_details(tx, &id, &model.details, &at)?;
            store::files::set_file(tx, &id, size, &sha256, &meta, &at)?;
            model.artifact = Some(Artifact::File {
                size,
                sha256: sha256.clone(),
            });
            model.updated_at = at.clone();
            if model.shared {
                outbox::enqueue(tx, &id, &at)?;
            }
            let target = id.to_string();
            let detail = format!("{} bytes, sha256 {sha256}, {}", size, meta.format);
            audit::append(
                tx,
                &AuditEntry {
                    actor: &actor,
                    project_id: Some(&project),
                    action: "model.upload",
                    target_kind: "model",
                    target_id: &target,
                    detail: Some(&detail),
                },
                &at,
            )?;
            Ok(Some(Stored {
                model,
                metadata: meta,
                filled,
                notices,
            }))
        })
        .await?
        .ok_or_else(|| OpsError::ModelNotFound { id: id.to_string() })?;
    drop(placed);
    if let Some(Artifact::File { size, sha256 }) = &stored.model.artifact {
        let name = crate::catalog::repo::file_name_for(
            &stored.model.details.name,
            Some(stored.metadata.format.as_str()).filter(|f| *f != "raw"),
        );
        crate::ops::files::repos::record_single_file(
            services,
            &stored.model,
            name,
            sha256.clone(),
            *size,
        )
        .await?;
    }
    if stored.model.shared {
        index_sync::sync_after_write(services).await;
    }
    Ok(stored)
}

/// A model's stored file, for download.
pub struct StoredFile {
    pub model: Model,
    pub path: PathBuf,
    pub size: u64,
    pub sha256: String,
}

/// The stored file of a model, for download.
pub async fn artifact_file(
    services: &Services,
    principal: &Principal,
    project: &ProjectId,
    id: ModelId,
) -> Result<StoredFile, OpsError> {
    require_read(principal, project)?;
    let owner = project.clone();
    let model = services
        .store
        .call(move |conn| store::models::find_model(conn, &owner, &id))
        .await?
        .ok_or_else(|| OpsError::ModelNotFound { id: id.to_string() })?;
    match &model.artifact {
        Some(Artifact::File { size, sha256 })
            if sha256.len() == 64 && sha256.bytes().all(|b| b.is_ascii_hexdigit()) =>
        {
            Ok(StoredFile {
                path: services.blobs.path(sha256),
                size: *size,
                sha256: sha256.clone(),
                model,
            })
        }
        _ => Err(OpsError::ArtifactNotFound { id: id.to_string() }),
    }
}

/// The file metadata recorded for a model, if a file was uploaded.
pub async fn file_metadata(
    services: &Services,
    id: ModelId,
) -> Result<Option<FileMetadata>, OpsError> {
    Ok(services
        .store
        .call(move |conn| store::files::file_metadata(conn, &id))
        .await?)
}

/// Applies an uploaded Hugging Face `config.json`: its architecture (`model_type`, else the
/// first of `architectures`), context (`max_position_embeddings`) and expert count fill the
/// model's empty fields. The model's stored file, if any, is left as it is.
pub async fn apply_config(
    services: &Services,
    principal: &Principal,
    project: &ProjectId,
    id: ModelId,
    bytes: Vec<u8>,
) -> Result<Stored, OpsError> {
    require_write(principal, project)?;
    let config = safetensors::read_config(&bytes[..])
        .map_err(|e| OpsError::InvalidModelFile(e.to_string()))?;
    let metadata = FileMetadata {
        format: "config.json".into(),
        architecture: config.architecture,
        context_length: config.context_length,
        expert_count: config.expert_count,
        ..FileMetadata::default()
    };
    let actor = principal.actor();
    let project = project.clone();
    let stored = services
        .store
        .write(move |tx| {
            let Some(mut model) = store::models::find_model(tx, &project, &id)? else {
                return Ok(None);
            };
            let filled = metadata.fill_empty(&mut model.details);
            let at = now();
            if !filled.is_empty() {
                store::models::update_details(tx, &id, &model.details, &at)?;
                model.updated_at = at.clone();
                if model.shared {
                    outbox::enqueue(tx, &id, &at)?;
                }
            }
            let target = id.to_string();
            audit::append(
                tx,
                &AuditEntry {
                    actor: &actor,
                    project_id: Some(&project),
                    action: "model.config",
                    target_kind: "model",
                    target_id: &target,
                    detail: Some(&filled.join(",")),
                },
                &at,
            )?;
            Ok(Some(Stored {
                model,
                metadata,
                filled,
                notices: Vec::new(),
            }))
        })
        .await?
        .ok_or_else(|| OpsError::ModelNotFound { id: id.to_string() })?;
    if stored.model.shared {
        index_sync::sync_after_write(services).await;
    }
    Ok(stored)
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
