//! Featuring a model: platform administrators only. Featured is public, shown to everyone.

use crate::catalog::ids::ModelId;
use crate::ops::{AdminActor, OpsError, Services, indexing::index_sync};
use crate::store::audit::{self, AuditEntry};
use crate::store::{self, now, outbox};

/// Sets or clears `featured`; returns whether it changed.
pub async fn set_featured(
    services: &Services,
    admin: &AdminActor,
    id: ModelId,
    featured: bool,
) -> Result<bool, OpsError> {
    let actor = admin.name().to_owned();
    let changed = services
        .store
        .write(move |tx| {
            let at = now();
            let Some(changed) = store::models::set_featured(tx, &id, featured, &at)? else {
                return Ok(None);
            };
            if changed {
                outbox::enqueue(tx, &id, &at)?;
                let target = id.to_string();
                audit::append(
                    tx,
                    &AuditEntry {
                        actor: &actor,
                        project_id: None,
                        action: if featured {
                            "model.feature"
                        } else {
                            "model.unfeature"
                        },
                        target_kind: "model",
                        target_id: &target,
                        detail: None,
                    },
                    &at,
                )?;
            }
            Ok(Some(changed))
        })
        .await?
        .ok_or_else(|| OpsError::ModelNotFound { id: id.to_string() })?;
    if changed {
        index_sync::sync_after_write(services).await;
    }
    Ok(changed)
}
