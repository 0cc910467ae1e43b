//! `/projects/{id}/keys`: a project's API keys for its members. A new key is shown once, in
//! the answer to the form that created it, and never again; revoking takes effect at once.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use maud::html;
use serde::Deserialize;

use super::access::{CsrfForm, member, member_form, not_found, private, project_name, text};
use super::{html as respond, layout};
use crate::auth::KeyScope;
use crate::catalog::ids::ProjectId;
use crate::ops::session::Session;
use crate::ops::{self, Services};

#[derive(Debug, Deserialize)]
pub struct KeyForm {
    csrf: String,
    scope: String,
    #[serde(default)]
    label: String,
}

/// `GET /projects/{id}/keys`.
pub async fn keys_page(
    request: HttpRequest,
    path: web::Path<String>,
    services: web::Data<Services>,
) -> HttpResponse {
    let (session, project) = match member(&request, &path).await {
        Ok(found) => found,
        Err(answer) => return answer,
    };
    render_keys(&services, &session, &project, None).await
}

async fn render_keys(
    services: &Services,
    session: &Session,
    project: &ProjectId,
    new_key: Option<&str>,
) -> HttpResponse {
    let keys = ops::admin::list_keys(services, project)
        .await
        .unwrap_or_default();
    let body = html! {
        h1 { "API keys of " (project_name(session, project)) }
        @if let Some(key) = new_key {
            div.notice role="status" {
                p { strong { "Copy this key now: it is shown only once." } }
                code.key { (key) }
            }
        }
        @if keys.is_empty() { p { "No keys yet." } } @else {
            table {
                thead { tr { th { "Key id" } th { "Scope" } th { "Label" } th { "Created" } th { "State" } th {} } }
                tbody {
                    @for key in &keys {
                        tr {
                            td { code { (key.id) } } td { (key.scope) } td { (key.label.as_deref().unwrap_or("")) } td { (key.created_at) }
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
            select id="scope" name="scope" { option value="write" { "write (can change models)" } option value="read" { "read only" } }
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
    let (session, project) = match member_form(&request, &path, &form.csrf).await {
        Ok(found) => found,
        Err(answer) => return answer,
    };
    let scope = KeyScope::parse(&form.scope).unwrap_or(KeyScope::Read);
    let label = text(&form.label).map(|l| l.chars().take(100).collect());
    match ops::admin::create_key(&services, &project, scope, label).await {
        Ok(key) => render_keys(&services, &session, &project, Some(&key.plain)).await,
        Err(_) => not_found(Some(&session)),
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
    let (session, project) = match member_form(&request, &raw_project, &form.csrf).await {
        Ok(found) => found,
        Err(answer) => return answer,
    };
    let belongs = ops::admin::list_keys(&services, &project)
        .await
        .unwrap_or_default()
        .iter()
        .any(|k| k.id == key_id);
    if !belongs || ops::admin::revoke_key(&services, &key_id).await.is_err() {
        return not_found(Some(&session));
    }
    HttpResponse::SeeOther()
        .insert_header(("Location", format!("/projects/{project}/keys")))
        .finish()
}
