//! Model files once received (see `upload`): the file is checked and its metadata read, then
//! renamed into content-addressed storage (`blobs/sha256/ab/abcd…`) before the database row
//! points at it; downloads read it back. A refused file leaves nothing.

use std::path::PathBuf;

use crate::auth::Principal;
use crate::catalog::file_meta::FileMetadata;
use crate::catalog::ids::{ModelId, ProjectId};
use crate::catalog::model::{Artifact, Model};
use crate::formats::safetensors;
use crate::ops::access::{require_read, require_write};
pub use crate::ops::files::file_metadata::read_metadata;
use crate::ops::files::upload::Received;
use crate::ops::{OpsError, Services, indexing::index_sync};
use crate::store::audit::{self, AuditEntry};
use crate::store::{self, now, outbox};

/// Largest `config.json` accepted by `PUT …/config`.
pub const MAX_CONFIG_BYTES: usize = safetensors::MAX_CONFIG as usize;

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
