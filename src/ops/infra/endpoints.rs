//! Deploying catalog models into a project and managing the endpoints (SPEC §2).
//!
//! The rule check and the insert run in one IMMEDIATE transaction, so a deploy can never slip
//! in between an eviction and the role change it causes (RELIABILITY T36).

use crate::auth::Principal;
use crate::catalog::ids::{ModelId, ProjectId};
use crate::catalog::infra::{EndpointId, Tier};
use crate::ops::access::{require_read, require_write};
use crate::ops::{OpsError, Services, indexing::index_sync};
use crate::store::audit::{self, AuditEntry};
/// What the endpoint use cases answer with (handlers see it through `ops`, not `store`).
pub use crate::store::endpoints::EndpointRecord;
use crate::store::endpoints::{self as table, NewEndpoint};
use crate::store::{self, StoreError, now, outbox, presence};

/// Why a deploy was refused inside the transaction.
enum Refusal {
    NotInCatalog,
    SharedTier,
    NoXimNode,
}

/// Deploys a catalog model into the project. Without a tier: `shared` when the model runs on
/// shared infrastructure, otherwise `xim`.
pub async fn deploy(
    services: &Services,
    principal: &Principal,
    project: &ProjectId,
    model: ModelId,
    tier: Option<Tier>,
) -> Result<EndpointRecord, OpsError> {
    require_write(principal, project)?;
    let actor = principal.actor();
    let project = project.clone();
    let cutoff = store::cutoff(services.agent_ttl);
    let in_tx = project.clone();
    let answer = services
        .store
        .write(
            move |tx| -> Result<Result<EndpointRecord, Refusal>, StoreError> {
                let project = in_tx;
                let Some(shared) = store::catalog::find_shared(tx, &model)? else {
                    return Ok(Err(Refusal::NotInCatalog));
                };
                let placement = presence::placement(tx, &model, &cutoff)?;
                let nodes = presence::active_xim_nodes(tx, &project, &model, &cutoff)?;
                let tier = tier.unwrap_or(if placement.on_active_shared_agent {
                    Tier::Shared
                } else {
                    Tier::Xim
                });
                let node_id = match tier {
                    Tier::Shared if !placement.on_active_shared_agent => {
                        return Ok(Err(Refusal::SharedTier));
                    }
                    Tier::Shared => None,
                    Tier::Xim => match nodes.into_iter().next() {
                        Some(node) => Some(node),
                        None => return Ok(Err(Refusal::NoXimNode)),
                    },
                };
                let at = now();
                let endpoint = NewEndpoint {
                    id: EndpointId::generate(),
                    project_id: project.clone(),
                    model_id: model,
                    model_name: shared.model.details.name.clone(),
                    tier,
                    node_id,
                    created_at: at.clone(),
                };
                table::insert_endpoint(tx, &endpoint)?;
                outbox::enqueue(tx, &model, &at)?;
                let target = endpoint.id.to_string();
                let detail = format!("{} tier, model {model}", tier.as_str());
                audit::append(
                    tx,
                    &AuditEntry {
                        actor: &actor,
                        project_id: Some(&project),
                        action: "endpoint.create",
                        target_kind: "endpoint",
                        target_id: &target,
                        detail: Some(&detail),
                    },
                    &at,
                )?;
                let stored = table::find_endpoint(tx, &project, &endpoint.id, &cutoff)?
                    .ok_or_else(|| StoreError::Corrupt("endpoint vanished after insert".into()))?;
                Ok(Ok(stored))
            },
        )
        .await?;
    match answer {
        Ok(endpoint) => {
            index_sync::sync_after_write(services).await;
            Ok(endpoint)
        }
        Err(Refusal::NotInCatalog) => Err(OpsError::ModelNotFound {
            id: model.to_string(),
        }),
        Err(Refusal::SharedTier) => Err(OpsError::SharedTierUnavailable(format!(
            "model `{model}` is not running on shared infrastructure (XIM Only): deploying it requires a XIM node; deploy with tier `xim` to one of your project's XIM nodes"
        ))),
        Err(Refusal::NoXimNode) => Err(OpsError::XimNodeRequired(format!(
            "project `{project}` has no active XIM node: a XIM node is required to deploy on tier `xim`; ask an administrator for one (`xeroctl admin --data DIR agents add --kind xim --project {project} --name NODE-NAME`)"
        ))),
    }
}

/// Which tiers a deploy of `model` into `project` can use right now, and the project's
/// endpoints of that model: the detail page offers only what would work.
#[derive(Debug, Clone, PartialEq)]
pub struct DeployOptions {
    /// The model runs on an active shared agent.
    pub shared: bool,
    /// The project has an active XIM node.
    pub xim: bool,
    pub existing: Vec<EndpointRecord>,
}

/// The deploy options of a catalog model for a project the principal may read.
pub async fn deploy_options(
    services: &Services,
    principal: &Principal,
    project: &ProjectId,
    model: ModelId,
) -> Result<DeployOptions, OpsError> {
    require_read(principal, project)?;
    let project = project.clone();
    let cutoff = store::cutoff(services.agent_ttl);
    Ok(services
        .store
        .call(move |conn| -> Result<DeployOptions, StoreError> {
            let placement = presence::placement(conn, &model, &cutoff)?;
            let nodes = presence::active_xim_nodes(conn, &project, &model, &cutoff)?;
            let existing = table::list_model_endpoints(conn, &project, &model, &cutoff)?;
            Ok(DeployOptions {
                shared: placement.on_active_shared_agent,
                xim: !nodes.is_empty(),
                existing,
            })
        })
        .await?)
}

/// The project's endpoints, newest first, with their current status.
pub async fn list_endpoints(
    services: &Services,
    principal: &Principal,
    project: &ProjectId,
) -> Result<Vec<EndpointRecord>, OpsError> {
    require_read(principal, project)?;
    let project = project.clone();
    let cutoff = store::cutoff(services.agent_ttl);
    Ok(services
        .store
        .call(move |conn| table::list_endpoints(conn, &project, &cutoff))
        .await?)
}

/// Deletes one of the project's endpoints; the model's deployment count drops by one.
pub async fn delete_endpoint(
    services: &Services,
    principal: &Principal,
    project: &ProjectId,
    id: EndpointId,
) -> Result<(), OpsError> {
    require_write(principal, project)?;
    let actor = principal.actor();
    let project = project.clone();
    let deleted = services
        .store
        .write(move |tx| {
            let Some(model) = table::delete_endpoint(tx, &project, &id)? else {
                return Ok(false);
            };
            let at = now();
            outbox::enqueue(tx, &model, &at)?;
            let target = id.to_string();
            audit::append(
                tx,
                &AuditEntry {
                    actor: &actor,
                    project_id: Some(&project),
                    action: "endpoint.delete",
                    target_kind: "endpoint",
                    target_id: &target,
                    detail: None,
                },
                &at,
            )?;
            Ok(true)
        })
        .await?;
    if !deleted {
        return Err(OpsError::EndpointNotFound { id: id.to_string() });
    }
    index_sync::sync_after_write(services).await;
    Ok(())
}
