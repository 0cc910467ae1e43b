//! Branches and tags of a repository (Hub `create_branch`, `create_tag`, `list_repo_refs`).

use super::repos;
use crate::catalog::repo::{RefKind, Revision, parse_ref_name};
use crate::ops::catalog::hub::HubRepo;
use crate::ops::{OpsError, Services};
use crate::store;

/// `create_branch` / `create_tag`: names `revision` (default `main`) of a repository the
/// principal may write to; a name taken already is a conflict.
pub async fn create_ref(
    services: &Services,
    repo: &HubRepo,
    kind: RefKind,
    name: &str,
    revision: Option<String>,
    message: Option<String>,
) -> Result<Revision, OpsError> {
    let name = parse_ref_name(name)?;
    let id = repo.model.id;
    services
        .store
        .write_as(move |tx| {
            let Some((target, _)) = repos::revision_of(tx, &id, revision.as_deref())? else {
                return Err(OpsError::InvalidInput(format!(
                    "revision `{}` not found",
                    revision
                        .unwrap_or_default()
                        .chars()
                        .take(60)
                        .collect::<String>()
                )));
            };
            store::refs::insert_ref(
                tx,
                &id,
                kind,
                &name,
                &target.id,
                message.as_deref(),
                &store::now(),
            )?;
            Ok(target)
        })
        .await
}

/// `delete_branch` / `delete_tag`.
pub async fn delete_ref(
    services: &Services,
    repo: &HubRepo,
    kind: RefKind,
    name: String,
) -> Result<(), OpsError> {
    let id = repo.model.id;
    let deleted = services
        .store
        .write(move |tx| store::refs::delete_ref(tx, &id, kind, &name))
        .await?;
    if deleted {
        Ok(())
    } else {
        Err(OpsError::InvalidInput(format!(
            "no {} of that name in this repository",
            kind.as_str()
        )))
    }
}

/// Every branch and tag of a repository as (kind, name, revision id).
pub async fn list_refs(
    services: &Services,
    repo: &HubRepo,
) -> Result<Vec<(RefKind, String, String)>, OpsError> {
    let id = repo.model.id;
    Ok(services
        .store
        .call(move |conn| store::refs::list_refs(conn, &id))
        .await?)
}
