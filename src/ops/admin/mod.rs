//! Local administration on the data directory: users, projects and API keys.

pub mod bundle;

use crate::auth::keys::GeneratedKey;
use crate::auth::{KeyScope, passwords};
use crate::catalog::ids::{ProjectId, ProjectSlug};
use crate::ops::access::keys::{KeyRequest, insert_new_key};
use crate::ops::{OpsError, Services};
use crate::store::audit::{self, AuditEntry};
use crate::store::keys::KeyRecord;
use crate::store::projects::{Project, ProjectSummary};
use crate::store::{self, now};

const ACTOR: &str = "admin-cli";
const MAX_PROJECT_NAME: usize = 100;
const MAX_USERNAME: usize = 64;

/// Creates a user with an argon2id password hash; returns the user's row id.
pub async fn create_user(
    services: &Services,
    username: &str,
    password: String,
    is_admin: bool,
) -> Result<i64, OpsError> {
    let username = username.trim().to_owned();
    let valid_name = !username.is_empty()
        && username.chars().count() <= MAX_USERNAME
        && username
            .chars()
            .all(|c| c.is_alphanumeric() || "-_.@".contains(c));
    if !valid_name {
        return Err(OpsError::InvalidInput(format!(
            "user name `{username}` must be 1-{MAX_USERNAME} letters, digits, `-`, `_`, `.` or `@`"
        )));
    }
    let hash = tokio::task::spawn_blocking(move || passwords::hash_password(&password))
        .await
        .map_err(|e| OpsError::InvalidInput(format!("password hashing failed: {e}")))??;
    let id = services
        .store
        .write(move |tx| {
            let at = now();
            let id = store::users::insert_user(tx, &username, &hash, is_admin, &at)?;
            audit::append(
                tx,
                &AuditEntry {
                    actor: ACTOR,
                    project_id: None,
                    action: "user.create",
                    target_kind: "user",
                    target_id: &username,
                    detail: None,
                },
                &at,
            )?;
            Ok(id)
        })
        .await?;
    Ok(id)
}

/// Creates a project, optionally owned by an existing user.
pub async fn create_project(
    services: &Services,
    slug: &str,
    name: &str,
    owner: Option<String>,
) -> Result<Project, OpsError> {
    let slug = ProjectSlug::parse(slug).ok_or_else(|| {
        OpsError::InvalidInput(format!(
            "slug `{slug}` must be 2-40 characters of lowercase letters, digits and `-`"
        ))
    })?;
    let name = name.trim().to_owned();
    if name.is_empty()
        || name.chars().count() > MAX_PROJECT_NAME
        || name
            .chars()
            .any(|c| c.is_control() || crate::catalog::error::is_noncharacter(c))
    {
        return Err(OpsError::InvalidInput(format!(
            "project name must be 1-{MAX_PROJECT_NAME} printable characters"
        )));
    }
    services
        .store
        .write(move |tx| {
            let at = now();
            let project = Project { id: ProjectId::generate(), slug, name, created_at: at.clone() };
            store::projects::insert_project(tx, &project)?;
            if let Some(owner) = owner {
                let Some(user) = store::users::find_user_by_name(tx, &owner)? else {
                    return Err(store::StoreError::Conflict(format!("user `{owner}` does not exist: create it first with `xeroctl admin create-user`")));
                };
                store::projects::upsert_membership(tx, &project.id, user.id, "owner", &at)?;
            }
            let id = project.id.to_string();
            audit::append(tx, &AuditEntry { actor: ACTOR, project_id: Some(&project.id), action: "project.create", target_kind: "project", target_id: &id, detail: Some(project.slug.as_str()) }, &at)?;
            Ok(project)
        })
        .await
        .map_err(OpsError::from)
}

/// Lists every project with model counts.
pub async fn list_projects(services: &Services) -> Result<Vec<ProjectSummary>, OpsError> {
    Ok(services.store.call(store::projects::list_projects).await?)
}

/// Creates an API key for a project; the plain key is in the result and nowhere else. The key
/// records no creator: only the project's owners manage it on the keys page.
pub async fn create_key(
    services: &Services,
    project: &ProjectId,
    scope: KeyScope,
    label: Option<String>,
) -> Result<GeneratedKey, OpsError> {
    let project = project.clone();
    let request = KeyRequest {
        scope,
        label,
        created_by: None,
        actor: ACTOR.to_owned(),
    };
    services
        .store
        .write(move |tx| insert_new_key(tx, &project, &request))
        .await?
}

/// Revokes a key by its id (`key_…`); the next request with it fails.
pub async fn revoke_key(services: &Services, key_id: &str) -> Result<(), OpsError> {
    let key_id = key_id.trim().to_owned();
    services
        .store
        .write(move |tx| {
            let at = now();
            if !store::keys::revoke_key(tx, &key_id, &at)? {
                return Ok(Err(OpsError::InvalidInput(format!(
                    "no API key with id `{key_id}` (see `xeroctl admin list-keys`)"
                ))));
            }
            audit::append(
                tx,
                &AuditEntry {
                    actor: ACTOR,
                    project_id: None,
                    action: "key.revoke",
                    target_kind: "api_key",
                    target_id: &key_id,
                    detail: None,
                },
                &at,
            )?;
            Ok(Ok(()))
        })
        .await?
}

/// Lists a project's keys (ids and scopes only; secrets are not stored).
pub async fn list_keys(
    services: &Services,
    project: &ProjectId,
) -> Result<Vec<KeyRecord>, OpsError> {
    let project = project.clone();
    Ok(services
        .store
        .call(move |conn| store::keys::list_keys(conn, &project))
        .await?)
}

/// Disables a user and ends every session of theirs (RELIABILITY T13). API keys belong to
/// projects, not users: revoke them with `revoke-key`.
pub async fn disable_user(services: &Services, username: &str) -> Result<(), OpsError> {
    let name = username.trim().to_owned();
    services
        .store
        .write(move |tx| {
            let at = now();
            if !store::sessions::disable_user(tx, &name, &at)? {
                return Ok(Err(OpsError::InvalidInput(format!("no user `{name}`"))));
            }
            audit::append(
                tx,
                &AuditEntry {
                    actor: ACTOR,
                    project_id: None,
                    action: "user.disable",
                    target_kind: "user",
                    target_id: &name,
                    detail: None,
                },
                &at,
            )?;
            Ok(Ok(()))
        })
        .await?
}

/// Clears the login throttle of a user and of all their devices (RELIABILITY T40): their next
/// attempt with the right password gets in, however many failures others caused. The running
/// server reads the counters from the database on every attempt, so this takes effect at once.
/// Address counters are left alone: they belong to no account.
pub async fn unlock_user(services: &Services, username: &str) -> Result<(), OpsError> {
    let name = username.trim().to_owned();
    let account = crate::ops::access::throttle::account_name(&name);
    services
        .store
        .write(move |tx| {
            if store::users::find_user_by_name(tx, &name)?.is_none() {
                return Ok(Err(OpsError::InvalidInput(format!("no user `{name}`"))));
            }
            let cleared = store::throttle::clear_account(tx, &account)?;
            let detail = format!("{cleared} throttle entries cleared");
            audit::append(
                tx,
                &AuditEntry {
                    actor: ACTOR,
                    project_id: None,
                    action: "user.unlock",
                    target_kind: "user",
                    target_id: &name,
                    detail: Some(&detail),
                },
                &now(),
            )?;
            Ok(Ok(()))
        })
        .await?
}

/// Adds an existing user to a project as a member (or owner).
pub async fn add_member(
    services: &Services,
    project: &ProjectId,
    username: &str,
    owner: bool,
) -> Result<(), OpsError> {
    let project = project.clone();
    let name = username.trim().to_owned();
    services
        .store
        .write(move |tx| {
            let Some(user) = store::users::find_user_by_name(tx, &name)? else {
                return Ok(Err(OpsError::InvalidInput(format!("no user `{name}`"))));
            };
            if store::projects::find_project(tx, &project)?.is_none() {
                return Ok(Err(OpsError::ProjectNotFound {
                    id: project.to_string(),
                }));
            }
            let at = now();
            store::projects::upsert_membership(
                tx,
                &project,
                user.id,
                if owner { "owner" } else { "member" },
                &at,
            )?;
            audit::append(
                tx,
                &AuditEntry {
                    actor: ACTOR,
                    project_id: Some(&project),
                    action: "member.add",
                    target_kind: "user",
                    target_id: &name,
                    detail: None,
                },
                &at,
            )?;
            Ok(Ok(()))
        })
        .await?
}
