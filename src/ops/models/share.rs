//! Sharing a model to the public catalog and taking it back (the seed's share / unshare).

use crate::auth::Principal;
use crate::catalog::ids::{ModelId, ProjectId};
use crate::catalog::model::Model;
use crate::catalog::role::CatalogRole;
use crate::ops::access::require_write;
use crate::ops::{OpsError, Services, indexing::index_sync};
use crate::store::audit::{self, AuditEntry};
use crate::store::{self, now, outbox, presence};

/// Whether a share call puts a model into the catalog or takes it out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visibility {
    Shared,
    Unshared,
}

/// What a share or unshare did.
#[derive(Debug, Clone)]
pub struct ShareOutcome {
    pub model: Model,
    /// False when the model was already in the requested state (still a success).
    pub changed: bool,
    pub role: Option<CatalogRole>,
}

impl ShareOutcome {
    /// The human-readable line of the seed's envelope.
    pub fn message(&self) -> &'static str {
        match (self.model.shared, self.changed) {
            (true, true) => "model shared to the catalog",
            (true, false) => "model is already shared",
            (false, true) => "model removed from the catalog",
            (false, false) => "model is not shared",
        }
    }
}

/// Shares or unshares one of the project's models. Repeating a call is a success that changes
/// nothing. The check and the write are one conditional UPDATE inside one IMMEDIATE transaction,
/// so concurrent toggles serialise and the last one wins everywhere (RELIABILITY T36).
pub async fn set_visibility(
    services: &Services,
    principal: &Principal,
    project: &ProjectId,
    id: ModelId,
    visibility: Visibility,
) -> Result<ShareOutcome, OpsError> {
    require_write(principal, project)?;
    let actor = principal.actor();
    let project = project.clone();
    let wanted = visibility == Visibility::Shared;
    let cutoff = store::cutoff(services.agent_ttl);
    let outcome = services
        .store
        .write(move |tx| {
            let at = now();
            let changed = store::models::set_shared(tx, &project, &id, wanted, &at)?;
            let Some(model) = store::models::find_model(tx, &project, &id)? else {
                return Ok(None);
            };
            if changed {
                outbox::enqueue(tx, &id, &at)?;
                // Catalog entries naming this model as base or successor show it only while
                // it is shared.
                for linked in store::lineage::linked_to(tx, &id)? {
                    outbox::enqueue(tx, &linked, &at)?;
                }
                let action = if wanted {
                    "model.share"
                } else {
                    "model.unshare"
                };
                let target = id.to_string();
                audit::append(
                    tx,
                    &AuditEntry {
                        actor: &actor,
                        project_id: Some(&project),
                        action,
                        target_kind: "model",
                        target_id: &target,
                        detail: None,
                    },
                    &at,
                )?;
            }
            let role = presence::placement(tx, &id, &cutoff)?.role();
            Ok(Some(ShareOutcome {
                model,
                changed,
                role,
            }))
        })
        .await?
        .ok_or_else(|| OpsError::ModelNotFound { id: id.to_string() })?;
    if outcome.changed {
        tracing::debug!(model_id = %id, shared = wanted, "catalog visibility changed");
        // Answer only once the change is searchable (RELIABILITY T37).
        index_sync::sync_after_write(services).await;
    }
    Ok(outcome)
}
