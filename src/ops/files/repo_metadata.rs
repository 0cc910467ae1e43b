//! What a repository's files say about the model: read from the blob store after each commit,
//! filling the fields the operator left empty and kept beside the declared ones.

use crate::catalog::ids::ModelId;
use crate::catalog::repo::RepoFile;
use crate::ops::files::BlobStore;
use crate::ops::{OpsError, Services};
use crate::store::{self, now};

/// Reads what a revision's files say (config.json, safetensors and GGUF headers, the README's
/// front matter) from the blob store; `None` when no file of a known kind is there.
fn repository_metadata(
    blobs: &BlobStore,
    files: &[RepoFile],
) -> Option<crate::catalog::file_meta::FileMetadata> {
    use crate::formats::snapshot::{Snapshot, SnapshotFile, SnapshotSource, metadata};
    let format = if files.iter().any(|f| f.path.ends_with(".gguf")) {
        "gguf"
    } else if files.iter().any(|f| f.path.ends_with(".safetensors")) {
        "safetensors"
    } else if files.iter().any(|f| f.path == "config.json") {
        "config.json"
    } else {
        return None;
    };
    let snapshot = Snapshot {
        root: blobs.data_dir().to_owned(),
        source: SnapshotSource::Folder,
        suggested_repo: None,
        files: files
            .iter()
            .map(|f| SnapshotFile {
                path: f.path.clone(),
                source: blobs.path(&f.sha256),
                size: f.size,
            })
            .collect(),
    };
    let found = metadata(&snapshot);
    // A GGUF-only repository: its first model file's header states the whole attention shape
    // (sliding windows, MLA, the compute buffer's shape), read as an upload reads it.
    let header = (format == "gguf")
        .then(|| {
            files.iter().find(|f| {
                f.path.ends_with(".gguf")
                    && !f
                        .path
                        .rsplit('/')
                        .next()
                        .unwrap_or("")
                        .starts_with("mmproj")
            })
        })
        .flatten()
        .and_then(|f| {
            super::file_metadata::read_metadata(&blobs.path(&f.sha256), Some("gguf")).ok()
        })
        .filter(|m| m.layers.is_some());
    if let Some(header) = &header {
        return Some(crate::catalog::file_meta::FileMetadata {
            format: format.to_owned(),
            architecture: found.architecture.or(header.architecture.clone()),
            name: found.name.or(header.name.clone()),
            parameter_count: found.parameter_count.or(header.parameter_count),
            context_length: found.context_length.or(header.context_length),
            quantization: found.quantization.or(header.quantization.clone()),
            license: found.license.or(header.license.clone()),
            expert_count: found.expert_count.or(header.expert_count),
            tensor_count: None,
            active_parameter_count: found
                .active_parameter_count
                .or(header.active_parameter_count),
            ..header.clone()
        });
    }
    Some(crate::catalog::file_meta::FileMetadata {
        format: format.to_owned(),
        architecture: found.architecture,
        name: found.name,
        parameter_count: found.parameter_count,
        context_length: found.context_length,
        quantization: found
            .quantization
            .or(found.precision.filter(|_| format == "safetensors")),
        license: found.license,
        expert_count: found.expert_count,
        tensor_count: None,
        active_parameter_count: found.active_parameter_count,
        layers: found.layers,
        kv_heads: found.kv_heads,
        head_size: found.head_size,
        ..Default::default()
    })
}

/// After a commit: what the files say fills the model's empty fields, and is kept beside the
/// declared values so the detail page marks where they differ ("declared 8B, files say 7.6B").
pub async fn absorb_metadata(
    services: &Services,
    id: ModelId,
    files: Vec<RepoFile>,
) -> Result<(), OpsError> {
    let blobs = services.blobs.clone();
    let found = tokio::task::spawn_blocking(move || repository_metadata(&blobs, &files))
        .await
        .map_err(|e| OpsError::task("metadata", e))?;
    let Some(meta) = found else { return Ok(()) };
    let shared = services
        .store
        .write(move |tx| {
            let Some(mut model) = store::models::find_model_anywhere(tx, &id)? else {
                return Ok(false);
            };
            let at = now();
            let filled = meta.fill_empty(&mut model.details);
            if !filled.is_empty() {
                store::models::update_details(tx, &id, &model.details, &at)?;
                if model.shared {
                    store::outbox::enqueue(tx, &id, &at)?;
                }
            }
            store::files::set_metadata(tx, &id, &meta, &at)?;
            Ok(model.shared && !filled.is_empty())
        })
        .await?;
    if shared {
        crate::ops::indexing::index_sync::sync_after_write(services).await;
    }
    Ok(())
}
