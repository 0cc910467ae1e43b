//! API keys managed by people on the keys page, under the rule of `auth::key_management`:
//! owners (and platform administrators in the project) manage every key, plain members only
//! the read keys they created. Each check runs inside the transaction that acts on it.
//! `xeroctl admin create-key` / `revoke-key` act as the local administrator (`ops::admin`).

use crate::auth::KeyScope;
use crate::auth::key_management::{KeyManager, ProjectRole};
use crate::auth::keys::{self, GeneratedKey};
use crate::catalog::ids::ProjectId;
use crate::ops::access::session::Session;
use crate::ops::{OpsError, Services};
use crate::store::audit::{self, AuditEntry};
use crate::store::keys::{KeyRecord, NewKey};
use crate::store::{self, StoreError, now};

/// A key to create: scope, optional label, and who asked for it.
#[derive(Debug, Clone)]
pub struct KeyRequest {
    pub scope: KeyScope,
    pub label: Option<String>,
    /// `None` for the admin command line.
    pub created_by: Option<i64>,
    /// The audit log's actor.
    pub actor: String,
}

/// The key rights of the session's user in the project; `None` when they are not a member.
pub async fn key_manager(
    services: &Services,
    session: &Session,
    project: &ProjectId,
) -> Result<Option<KeyManager>, OpsError> {
    let (user_id, is_admin, project) = (session.user_id, session.is_admin, project.clone());
    let role = services
        .store
        .call(move |conn| store::projects::membership_role(conn, &project, user_id))
        .await?;
    Ok(role
        .as_deref()
        .and_then(ProjectRole::parse)
        .map(|role| KeyManager::for_user(user_id, is_admin, role)))
}

/// The project's keys this user may see: all of them for owners, their own read keys for members.
pub async fn list_keys(
    services: &Services,
    manager: KeyManager,
    project: &ProjectId,
) -> Result<Vec<KeyRecord>, OpsError> {
    let project = project.clone();
    let keys = services
        .store
        .call(move |conn| store::keys::list_keys(conn, &project))
        .await?;
    Ok(keys.into_iter().filter(|k| manager.can_manage(k)).collect())
}

/// Creates a key on behalf of a user; a member asking for a write key is `Forbidden` and
/// nothing is written.
pub async fn create_key(
    services: &Services,
    manager: KeyManager,
    actor: String,
    project: &ProjectId,
    scope: KeyScope,
    label: Option<String>,
) -> Result<GeneratedKey, OpsError> {
    if !manager.can_create(scope) {
        return Err(OpsError::Forbidden(
            "only the project's owners can create write keys".to_owned(),
        ));
    }
    let request = KeyRequest {
        scope,
        label,
        created_by: Some(manager.user_id()),
        actor,
    };
    let project = project.clone();
    services
        .store
        .write(move |tx| insert_new_key(tx, &project, &request))
        .await?
}

/// Revokes one of the project's keys on behalf of a user. A key of another project (or none)
/// is `KeyNotFound`; a key the user may not manage is `Forbidden` and stays valid.
pub async fn revoke_key(
    services: &Services,
    manager: KeyManager,
    actor: String,
    project: &ProjectId,
    key_id: &str,
) -> Result<(), OpsError> {
    let (project, key_id) = (project.clone(), key_id.trim().to_owned());
    services
        .store
        .write(move |tx| {
            let key = store::keys::find_key(tx, &key_id)?.filter(|k| k.project_id == project);
            let Some(key) = key else {
                return Ok(Err(OpsError::KeyNotFound { id: key_id }));
            };
            if !manager.can_manage(&key) {
                return Ok(Err(OpsError::Forbidden(
                    "members can revoke only the read keys they created; ask an owner".to_owned(),
                )));
            }
            let at = now();
            store::keys::revoke_key(tx, &key.id, &at)?;
            audit::append(
                tx,
                &AuditEntry {
                    actor: &actor,
                    project_id: Some(&project),
                    action: "key.revoke",
                    target_kind: "api_key",
                    target_id: &key.id,
                    detail: None,
                },
                &at,
            )?;
            Ok(Ok(()))
        })
        .await?
}

/// Inserts a new key of an existing project with its audit row, in the caller's transaction.
pub(crate) fn insert_new_key(
    conn: &rusqlite::Connection,
    project: &ProjectId,
    request: &KeyRequest,
) -> Result<Result<GeneratedKey, OpsError>, StoreError> {
    let Some(found) = store::projects::find_project(conn, project)? else {
        return Ok(Err(OpsError::ProjectNotFound {
            id: project.to_string(),
        }));
    };
    let key = keys::generate(&found.slug);
    let at = now();
    let row = NewKey {
        project,
        scope: request.scope.as_str(),
        label: request.label.as_deref(),
        created_by: request.created_by,
    };
    store::keys::insert_key(conn, &key.id, &key.secret_hash, &row, &at)?;
    audit::append(
        conn,
        &AuditEntry {
            actor: &request.actor,
            project_id: Some(project),
            action: "key.create",
            target_kind: "api_key",
            target_id: &key.id,
            detail: Some(request.scope.as_str()),
        },
        &at,
    )?;
    Ok(Ok(key))
}
