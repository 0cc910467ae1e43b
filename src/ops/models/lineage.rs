//! A model's lineage (issue 27): its base model and relation, and the model superseding it.
//! A base or successor must be a model the caller can see (shared, or in the caller's
//! project); one it cannot see is refused exactly as one that does not exist, so the answer
//! never tells that a private model is there.

use rusqlite::Connection;

use crate::auth::Principal;
use crate::catalog::ids::{ModelId, ProjectId};
pub use crate::catalog::lineage::LineageChange;
use crate::catalog::lineage::{Lineage, LineageError, Relation, reaches};
use crate::catalog::model::Model;
use crate::ops::access::{require_read, require_write};
use crate::ops::{OpsError, Services, indexing::index_sync};
use crate::store::audit::{self, AuditEntry};
use crate::store::lineage::Derived;
use crate::store::{self, StoreError, now, outbox};

/// Longest base or successor chain followed when looking for a cycle.
const MAX_CHAIN: usize = 64;
/// Longest stated external base name kept.
const MAX_BASE_NAME: usize = 200;

/// The lineage of a model the caller may read, with the models derived from it.
#[derive(Debug, Clone)]
pub struct LineageReport {
    pub lineage: Lineage,
    pub base: Option<Model>,
    pub successor: Option<Model>,
    pub derived: Vec<Derived>,
}

/// A model `project` may see, found by UUID or by Hub repo id; `None` when there is none or
/// it is another project's private model.
fn visible_model(
    conn: &Connection,
    project: Option<&ProjectId>,
    reference: &str,
) -> Result<Option<Model>, StoreError> {
    let reference = reference.trim();
    let found = match ModelId::parse(reference) {
        Some(id) => Some(id),
        None => match reference.split_once('/') {
            Some((owner, name)) if !owner.is_empty() && !name.contains('/') => {
                store::repos::find_by_repo(conn, owner, name)?.map(|(id, _)| id)
            }
            _ => None,
        },
    };
    let Some(id) = found else { return Ok(None) };
    Ok(store::models::find_model_anywhere(conn, &id)?
        .filter(|m| m.shared || Some(&m.project_id) == project))
}

fn not_visible(field: &str, reference: &str) -> OpsError {
    let shown: String = reference.chars().take(80).collect();
    OpsError::InvalidInput(format!(
        "`{field}`: no model `{shown}` that you can see (give its UUID or its `project/model` repo id)"
    ))
}

/// Applies `change` to the lineage of `model` (of `project`), checking every rule; the
/// outer error is the store's, the inner one the caller's.
pub fn apply(
    conn: &Connection,
    project: &ProjectId,
    model: &Model,
    change: &LineageChange,
) -> Result<Result<Lineage, OpsError>, StoreError> {
    let mut lineage = store::lineage::lineage_of(conn, &model.id)?;
    if let Some(base) = &change.base_model {
        lineage.base_id = match base.as_deref().map(str::trim).filter(|b| !b.is_empty()) {
            None => None,
            Some(reference) => match visible_model(conn, Some(project), reference)? {
                Some(base) => {
                    lineage.base_name = None;
                    Some(base.id)
                }
                None => return Ok(Err(not_visible("base_model", reference))),
            },
        };
    }
    if let Some(name) = &change.base_name {
        match name.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
            None => lineage.base_name = None,
            Some(name)
                if name.chars().count() > MAX_BASE_NAME || name.chars().any(char::is_control) =>
            {
                return Ok(Err(OpsError::InvalidInput(format!(
                    "`base_model_name` must be at most {MAX_BASE_NAME} characters of text"
                ))));
            }
            Some(name) => match visible_model(conn, Some(project), name)? {
                // A card naming a model that is here links to it.
                Some(base) if base.id != model.id => {
                    lineage.base_id = Some(base.id);
                    lineage.base_name = None;
                }
                _ => {
                    lineage.base_name = Some(name.to_owned());
                    if change.base_model.is_none() {
                        lineage.base_id = None;
                    }
                }
            },
        }
    }
    if let Some(relation) = &change.relation {
        lineage.relation = match relation.as_deref() {
            None => None,
            Some(text) => match Relation::parse(text) {
                Some(r) => Some(r),
                None => {
                    return Ok(Err(OpsError::InvalidInput(
                        LineageError::BadRelation(text.chars().take(40).collect()).to_string(),
                    )));
                }
            },
        };
    }
    let has_base = lineage.base_id.is_some() || lineage.base_name.is_some();
    if has_base && lineage.relation.is_none() {
        lineage.relation = Some(Relation::implied(
            model.details.quantization.as_deref(),
            model.details.format.as_deref(),
        ));
    }
    if !has_base && change.relation.as_ref().is_some_and(Option::is_some) {
        return Ok(Err(OpsError::InvalidInput(
            LineageError::RelationWithoutBase.to_string(),
        )));
    }
    if !has_base {
        lineage.relation = None;
    }
    if let Some(successor) = &change.superseded_by {
        lineage.superseded_by = match successor
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => None,
            Some(reference) => match visible_model(conn, Some(project), reference)? {
                Some(next) => Some(next.id),
                None => return Ok(Err(not_visible("superseded_by", reference))),
            },
        };
    }
    if let Some(base) = lineage.base_id {
        if base == model.id {
            return Ok(Err(OpsError::InvalidInput(
                LineageError::OwnBase.to_string(),
            )));
        }
        if chain_reaches(conn, model.id, base, |l| l.base_id)? {
            return Ok(Err(OpsError::InvalidInput(
                LineageError::BaseCycle.to_string(),
            )));
        }
    }
    if let Some(next) = lineage.superseded_by {
        if next == model.id {
            return Ok(Err(OpsError::InvalidInput(
                LineageError::OwnSuccessor.to_string(),
            )));
        }
        if chain_reaches(conn, model.id, next, |l| l.superseded_by)? {
            return Ok(Err(OpsError::InvalidInput(
                LineageError::SuccessorCycle.to_string(),
            )));
        }
    }
    store::lineage::set_lineage(conn, &model.id, &lineage)?;
    Ok(Ok(lineage))
}

fn chain_reaches(
    conn: &Connection,
    model: ModelId,
    start: ModelId,
    link: fn(&Lineage) -> Option<ModelId>,
) -> Result<bool, StoreError> {
    let mut failure = None;
    let found = reaches(
        model,
        start,
        MAX_CHAIN,
        |at| match store::lineage::lineage_of(conn, &at) {
            Ok(l) => link(&l),
            Err(e) => {
                failure = Some(e);
                None
            }
        },
    );
    match failure {
        Some(e) => Err(e),
        None => Ok(found),
    }
}

/// Changes a model's lineage (REST `PATCH …/lineage`, CLI `models lineage`, the owner's page).
pub async fn set_lineage(
    services: &Services,
    principal: &Principal,
    project: &ProjectId,
    id: ModelId,
    change: LineageChange,
) -> Result<Lineage, OpsError> {
    require_write(principal, project)?;
    let actor = principal.actor();
    let project = project.clone();
    let (lineage, shared) = services
        .store
        .write(move |tx| {
            let Some(model) = store::models::find_model(tx, &project, &id)? else {
                return Ok(Err(OpsError::ModelNotFound { id: id.to_string() }));
            };
            let lineage = match apply(tx, &project, &model, &change)? {
                Ok(lineage) => lineage,
                Err(e) => return Ok(Err(e)),
            };
            let at = now();
            store::models::touch(tx, &id, &at)?;
            if model.shared {
                outbox::enqueue(tx, &id, &at)?;
            }
            let target = id.to_string();
            audit::append(
                tx,
                &AuditEntry {
                    actor: &actor,
                    project_id: Some(&project),
                    action: "model.lineage",
                    target_kind: "model",
                    target_id: &target,
                    detail: None,
                },
                &at,
            )?;
            Ok(Ok((lineage, model.shared)))
        })
        .await??;
    if shared {
        index_sync::sync_after_write(services).await;
    }
    Ok(lineage)
}

/// The lineage of a model as `viewer` sees it: the base and successor only when visible, and
/// the derived models it may see.
pub fn report(
    conn: &Connection,
    viewer: Option<&ProjectId>,
    id: &ModelId,
) -> Result<LineageReport, StoreError> {
    let lineage = store::lineage::lineage_of(conn, id)?;
    let visible = |other: Option<ModelId>| -> Result<Option<Model>, StoreError> {
        Ok(match other {
            Some(other) => store::models::find_model_anywhere(conn, &other)?
                .filter(|m| m.shared || Some(&m.project_id) == viewer),
            None => None,
        })
    };
    Ok(LineageReport {
        base: visible(lineage.base_id)?,
        successor: visible(lineage.superseded_by)?,
        derived: store::lineage::derived_from(conn, id, viewer)?,
        lineage,
    })
}

/// The lineage report of one of the caller's project's models.
pub async fn lineage_report(
    services: &Services,
    principal: &Principal,
    project: &ProjectId,
    id: ModelId,
) -> Result<LineageReport, OpsError> {
    require_read(principal, project)?;
    let project = project.clone();
    services
        .store
        .call(move |conn| {
            if store::models::find_model(conn, &project, &id)?.is_none() {
                return Ok(Err(OpsError::ModelNotFound { id: id.to_string() }));
            }
            Ok(Ok(report(conn, Some(&project), &id)?))
        })
        .await?
}

/// The visible successors of these models, by model: the endpoints page tells the owners of
/// endpoints on a superseded model what replaced it.
pub async fn successors(
    services: &Services,
    viewer: ProjectId,
    ids: Vec<ModelId>,
) -> Result<std::collections::HashMap<ModelId, Model>, OpsError> {
    Ok(services
        .store
        .call(move |conn| {
            let mut found = std::collections::HashMap::new();
            for id in ids {
                if let Some(next) = store::lineage::lineage_of(conn, &id)?.superseded_by
                    && let Some(model) = store::models::find_model_anywhere(conn, &next)?
                        .filter(|m| m.shared || m.project_id == viewer)
                {
                    found.insert(id, model);
                }
            }
            Ok::<_, StoreError>(found)
        })
        .await?)
}
