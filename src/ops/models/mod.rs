//! Registering, reading, editing and deleting a project's models.

pub mod feature;
pub mod lineage;
pub mod placement;
pub mod share;

use crate::auth::Principal;
use crate::catalog::ids::{ModelId, ProjectId};
use crate::catalog::model::{Artifact, Model, ModelPatch, NewModel};
use crate::ops::access::{require_read, require_write};
use crate::ops::{OpsError, Services, indexing::index_sync};
use crate::store::audit::{self, AuditEntry};
/// A page of a project's models and its order (handlers see them through `ops`).
pub use crate::store::model_list::{ModelOrder, ModelSlice};
use crate::store::{self, now, outbox};

/// The most models one list page returns.
pub const MAX_PAGE_SIZE: u32 = 200;

/// Registers a model under the project; it starts unshared.
pub async fn register_model(
    services: &Services,
    principal: &Principal,
    project: &ProjectId,
    new: NewModel,
) -> Result<Model, OpsError> {
    register_model_with(
        services,
        principal,
        project,
        new,
        lineage::LineageChange::default(),
    )
    .await
}

/// Registers a model with its lineage in one transaction: a lineage that is refused leaves
/// nothing stored.
pub async fn register_model_with(
    services: &Services,
    principal: &Principal,
    project: &ProjectId,
    new: NewModel,
    change: lineage::LineageChange,
) -> Result<Model, OpsError> {
    require_write(principal, project)?;
    let actor = principal.actor();
    let project = project.clone();
    let model = services
        .store
        .write_as(move |tx| {
            if store::projects::find_project(tx, &project)?.is_none() {
                return Err(OpsError::ProjectNotFound {
                    id: project.to_string(),
                });
            }
            let at = now();
            let model = Model {
                id: ModelId::generate(),
                project_id: project.clone(),
                details: new.details,
                shared: false,
                shared_at: None,
                featured: false,
                artifact: new.artifact_uri.map(Artifact::Uri),
                created_at: at.clone(),
                updated_at: at.clone(),
            };
            store::models::insert_model(tx, &model)?;
            if !change.is_empty() {
                // An error here returns before the commit: the model is not stored either.
                lineage::apply(tx, &project, &model, &change)??;
            }
            let id = model.id.to_string();
            let entry = AuditEntry {
                actor: &actor,
                project_id: Some(&project),
                action: "model.register",
                target_kind: "model",
                target_id: &id,
                detail: Some(&model.details.name),
            };
            audit::append(tx, &entry, &at)?;
            Ok(model)
        })
        .await?;
    tracing::debug!(model_id = %model.id, project_id = %model.project_id, "model registered");
    Ok(model)
}

/// One page of the project's models, newest first, with the total count.
pub async fn list_models(
    services: &Services,
    principal: &Principal,
    project: &ProjectId,
    page: u32,
    per_page: u32,
) -> Result<(Vec<Model>, u64), OpsError> {
    require_read(principal, project)?;
    let project = project.clone();
    let per_page = per_page.clamp(1, MAX_PAGE_SIZE);
    let offset = u64::from(page.max(1) - 1) * u64::from(per_page);
    Ok(services
        .store
        .call(move |conn| {
            Ok((
                store::models::list_models(conn, &project, per_page, offset)?,
                store::models::count_models(conn, &project)?,
            ))
        })
        .await?)
}

/// One page of the project's models as the "My models" page lists them (filtered by name,
/// ordered by a column), with how many match in all.
pub async fn find_models(
    services: &Services,
    principal: &Principal,
    project: &ProjectId,
    mut slice: ModelSlice,
) -> Result<(Vec<Model>, u64), OpsError> {
    require_read(principal, project)?;
    let project = project.clone();
    slice.limit = slice.limit.clamp(1, MAX_PAGE_SIZE);
    Ok(services
        .store
        .call(move |conn| store::model_list::list_models_matching(conn, &project, &slice))
        .await?)
}

/// Reads one of the project's models; another project's model is "not found".
pub async fn get_model(
    services: &Services,
    principal: &Principal,
    project: &ProjectId,
    id: ModelId,
) -> Result<Model, OpsError> {
    require_read(principal, project)?;
    let project = project.clone();
    services
        .store
        .call(move |conn| store::models::find_model(conn, &project, &id))
        .await?
        .ok_or_else(|| OpsError::ModelNotFound { id: id.to_string() })
}

/// Applies an edit; a shared model's new metadata reaches the catalog index before the answer.
pub async fn edit_model(
    services: &Services,
    principal: &Principal,
    project: &ProjectId,
    id: ModelId,
    patch: ModelPatch,
) -> Result<Model, OpsError> {
    require_write(principal, project)?;
    let actor = principal.actor();
    let project = project.clone();
    let model = services
        .store
        .write(move |tx| {
            let Some(mut model) = store::models::find_model(tx, &project, &id)? else {
                return Ok(Err(OpsError::ModelNotFound { id: id.to_string() }));
            };
            if patch.is_empty() {
                return Ok(Ok(model));
            }
            if let Err(e) = patch.apply_to(&mut model.details) {
                return Ok(Err(e.into()));
            }
            let at = now();
            store::models::update_details(tx, &id, &model.details, &at)?;
            model.updated_at = at.clone();
            if model.shared {
                outbox::enqueue(tx, &id, &at)?;
            }
            let target = id.to_string();
            audit::append(
                tx,
                &AuditEntry {
                    actor: &actor,
                    project_id: Some(&project),
                    action: "model.edit",
                    target_kind: "model",
                    target_id: &target,
                    detail: None,
                },
                &at,
            )?;
            Ok(Ok(model))
        })
        .await??;
    if model.shared {
        index_sync::sync_after_write(services).await;
    }
    Ok(model)
}

/// Deletes a model; a shared one leaves the catalog with it.
pub async fn delete_model(
    services: &Services,
    principal: &Principal,
    project: &ProjectId,
    id: ModelId,
) -> Result<(), OpsError> {
    require_write(principal, project)?;
    let actor = principal.actor();
    let project = project.clone();
    let deleted = services
        .store
        .write(move |tx| {
            let Some(model) = store::models::find_model(tx, &project, &id)? else {
                return Ok(None);
            };
            let blobs = store::repos::model_blobs(tx, &id)?;
            let linked = store::lineage::linked_to(tx, &id)?;
            store::models::delete_model(tx, &project, &id)?;
            let at = now();
            if model.shared {
                outbox::enqueue(tx, &id, &at)?;
            }
            for linked in linked {
                outbox::enqueue(tx, &linked, &at)?;
            }
            let target = id.to_string();
            let entry = AuditEntry {
                actor: &actor,
                project_id: Some(&project),
                action: "model.delete",
                target_kind: "model",
                target_id: &target,
                detail: Some(&model.details.name),
            };
            audit::append(tx, &entry, &at)?;
            Ok(Some((model.shared, blobs)))
        })
        .await?;
    match deleted {
        Some((was_shared, blobs)) => {
            tracing::info!(model_id = %id, "model deleted");
            if was_shared {
                index_sync::sync_after_write(services).await;
            }
            // Its revisions went with it (ON DELETE CASCADE); free the bytes nothing else uses.
            if let Err(error) = crate::ops::files::gc::free_blobs(services, blobs).await {
                tracing::error!(%error, "freeing a deleted model's blobs failed; the next start does it");
            }
            Ok(())
        }
        None => Err(OpsError::ModelNotFound { id: id.to_string() }),
    }
}
