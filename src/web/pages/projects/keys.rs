//! `/projects/{id}/keys`: a project's API keys. A new key is shown once, in the answer to the
//! form that created it, and never again; revoking takes effect at once.
//!
//! Owners (and platform administrators in the project) list, create and revoke every key; a
//! plain member sees, creates and revokes only the read keys they created (the rule lives in
//! `auth::key_management`). Anything else is a 403 page and changes nothing.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use maud::html;
use serde::Deserialize;

use crate::auth::KeyScope;
use crate::auth::key_management::KeyManager;
use crate::catalog::ids::ProjectId;
use crate::ops::access::session::Session;
use crate::ops::{self, OpsError, Services};
use crate::web::pages::access::{
    CsrfForm, member, member_form, not_allowed, not_found, private, project_name, text,
};
use crate::web::pages::{html as respond, layout};

#[derive(Debug, Deserialize)]
pub struct KeyForm {
    csrf: String,
    scope: String,
    #[serde(default)]
    label: String,
}

/// A member page's session and project, with the user's key rights there.
struct KeyAccess {
    session: Session,
    project: ProjectId,
    manager: KeyManager,
}

async fn key_access(
    services: &Services,
    found: Result<(Session, ProjectId), HttpResponse>,
) -> Result<KeyAccess, HttpResponse> {
    let (session, project) = found?;
    match ops::access::keys::key_manager(services, &session, &project).await {
        Ok(Some(manager)) => Ok(KeyAccess {
            session,
            project,
            manager,
        }),
        _ => Err(not_found(Some(&session))),
    }
}

/// `GET /projects/{id}/keys`.
pub async fn keys_page(
    request: HttpRequest,
    path: web::Path<String>,
    services: web::Data<Services>,
) -> HttpResponse {
    match key_access(&services, member(&request, &path).await).await {
        Ok(access) => render_keys(&services, &access, None).await,
        Err(answer) => answer,
    }
}

async fn render_keys(
    services: &Services,
    access: &KeyAccess,
    new_key: Option<&str>,
) -> HttpResponse {
    let KeyAccess {
        session,
        project,
        manager,
    } = access;
    let keys = ops::access::keys::list_keys(services, *manager, project)
        .await
        .unwrap_or_default();
    let owner = manager.is_owner();
    let body = html! {
        h1 { "API keys of " (project_name(session, project)) }
        @if !owner {
            p.muted { "As a member you see and manage the read-only keys you created. The project's owners manage write keys and everyone's keys." }
        }
        @if let Some(key) = new_key {
            div.notice role="status" {
                p { strong { "Copy this key now: it is shown only once." } }
                code.key { (key) }
                @if let Some(hf) = crate::auth::keys::hf_form(key) {
                    p.muted { "The same key for clients that send only " code { "hf_" } " tokens (llama.cpp): " }
                    code.key { (hf) }
                }
            }
        }
        @if keys.is_empty() { p { "No keys yet." } } @else {
            table {
                thead { tr { th { "Key id" } th { "Scope" } th { "Label" } @if owner { th { "Created by" } } th { "Created" } th { "State" } th {} } }
                tbody {
                    @for key in &keys {
                        tr {
                            td { code { (key.id) } } td { (key.scope) } td { (key.label.as_deref().unwrap_or("")) }
                            @if owner { td { (key.creator.as_deref().unwrap_or("administrator")) } }
                            td { (key.created_at) }
                            td { (if key.revoked { "Revoked" } else { "Active" }) }
                            td { @if !key.revoked {
                                form method="post" action=(format!("/projects/{project}/keys/{}/revoke", key.id)) {
                                    input type="hidden" name="csrf" value=(session.csrf_token);
                                    button.danger type="submit" { "Revoke" }
                                }
                            } }
                        }
                    }
                }
            }
        }
        h2 { "Create a key" }
        form method="post" action=(format!("/projects/{project}/keys")) {
            input type="hidden" name="csrf" value=(session.csrf_token);
            label for="label" { "Label" }
            input id="label" name="label" placeholder="ci pipeline" maxlength="100";
            label for="scope" { "Scope" }
            select id="scope" name="scope" {
                @if manager.can_create(KeyScope::Write) { option value="write" { "write (can change models)" } }
                option value="read" { "read only" }
            }
            button type="submit" { "Create key" }
        }
    };
    private(respond(
        StatusCode::OK,
        layout::page("API keys", Some(session), None, body),
    ))
}

/// `POST /projects/{id}/keys`: the new key is in this answer and nowhere else.
pub async fn create_key(
    request: HttpRequest,
    path: web::Path<String>,
    form: web::Form<KeyForm>,
    services: web::Data<Services>,
) -> HttpResponse {
    let found = member_form(&request, &path, &form.csrf).await;
    let access = match key_access(&services, found).await {
        Ok(access) => access,
        Err(answer) => return answer,
    };
    let scope = KeyScope::parse(&form.scope).unwrap_or(KeyScope::Read);
    let label = text(&form.label).map(|l| l.chars().take(100).collect());
    let actor = access.session.principal().actor();
    match ops::access::keys::create_key(
        &services,
        access.manager,
        actor,
        &access.project,
        scope,
        label,
    )
    .await
    {
        Ok(key) => render_keys(&services, &access, Some(&key.plain)).await,
        Err(OpsError::Forbidden(_)) => not_allowed(
            &access.session,
            "Only the project's owners can create write keys. Create a read-only key, or ask an owner.",
        ),
        Err(_) => not_found(Some(&access.session)),
    }
}

/// `POST /projects/{id}/keys/{key}/revoke`.
pub async fn revoke_key(
    request: HttpRequest,
    path: web::Path<(String, String)>,
    form: web::Form<CsrfForm>,
    services: web::Data<Services>,
) -> HttpResponse {
    let (raw_project, key_id) = path.into_inner();
    let found = member_form(&request, &raw_project, &form.csrf).await;
    let access = match key_access(&services, found).await {
        Ok(access) => access,
        Err(answer) => return answer,
    };
    let actor = access.session.principal().actor();
    match ops::access::keys::revoke_key(&services, access.manager, actor, &access.project, &key_id)
        .await
    {
        Ok(()) => HttpResponse::SeeOther()
            .insert_header(("Location", format!("/projects/{}/keys", access.project)))
            .finish(),
        Err(OpsError::Forbidden(_)) => not_allowed(
            &access.session,
            "Members can revoke only the read-only keys they created. Ask one of the project's owners.",
        ),
        Err(_) => not_found(Some(&access.session)),
    }
}
