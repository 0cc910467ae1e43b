//! Project pages for members: `/projects/{id}/models` (register, edit, delete, share, unshare);
//! the keys page is in `keys.rs`, the access checks every member page shares in `access.rs`. Non-members get 404, anonymous
//! visitors are sent to log in. Every form carries the session's CSRF token.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use maud::{Markup, html};

use super::access::{CsrfForm, member, member_form, not_found, private, project_name};
use super::model_form::{ModelForm, model_form};
use super::{html as respond, layout};
use crate::catalog::CatalogError;
use crate::catalog::ids::{ModelId, ProjectId};
use crate::catalog::model::{Model, ModelPatch, NewModel};
use crate::catalog::role::CatalogRole;
use crate::ops::session::Session;
use crate::ops::share::{Visibility, set_visibility};
use crate::ops::{self, OpsError, Services};

fn back_to(project: &ProjectId) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header(("Location", format!("/projects/{project}/models")))
        .finish()
}

/// `GET /projects/{id}/models`.
pub async fn models_page(
    request: HttpRequest,
    path: web::Path<String>,
    services: web::Data<Services>,
) -> HttpResponse {
    let (session, project) = match member(&request, &path).await {
        Ok(found) => found,
        Err(answer) => return answer,
    };
    render_models(
        &services,
        &session,
        &project,
        &ModelForm::default(),
        None,
        StatusCode::OK,
    )
    .await
}

async fn render_models(
    services: &Services,
    session: &Session,
    project: &ProjectId,
    form: &ModelForm,
    error: Option<&CatalogError>,
    status: StatusCode,
) -> HttpResponse {
    let models = match ops::models::list_models(
        services,
        &session.principal(),
        project,
        1,
        ops::models::MAX_PAGE_SIZE,
    )
    .await
    {
        Ok((models, _)) => models,
        Err(_) => return not_found(Some(session)),
    };
    let roles = ops::placement::roles(services, models.iter().map(|m| m.id).collect())
        .await
        .unwrap_or_else(|_| vec![None; models.len()]);
    let action = format!("/projects/{project}/models");
    let body = html! {
        h1 { "Models of " (project_name(session, project)) }
        @if models.is_empty() {
            div.empty { p { "No models yet. Register one below, then share it to put it in the catalog." } }
        } @else {
            table.models {
                caption { (models.len()) " models" }
                thead { tr { th { "Name" } th { "Architecture" } th { "Size" } th { "Context" } th { "License" } th { "Catalog role" } th { "Actions" } } }
                tbody {
                    @for (model, role) in models.iter().zip(roles) { (model_row(session, project, model, role)) }
                }
            }
        }
        h2 id="register" { "Register a model" }
        (model_form(session, &action, form, error, "Register"))
    };
    private(respond(
        status,
        layout::page("My models", Some(session), None, body),
    ))
}

fn model_row(
    session: &Session,
    project: &ProjectId,
    model: &Model,
    role: Option<CatalogRole>,
) -> Markup {
    let d = &model.details;
    let base = format!("/projects/{project}/models/{}", model.id);
    html! {
        tr {
            td {
                @if model.shared { a href=(format!("/models/catalog/{}", model.id)) { (d.name) } } @else { (d.name) }
                br; small.muted { (model.id.display_id()) }
            }
            td { (d.architecture.as_ref().map(|a| a.as_str()).unwrap_or("—")) }
            td { (d.parameter_count.map(|p| p.to_string()).unwrap_or_else(|| "—".into())) }
            td { (d.context_length.map(|c| c.to_string()).unwrap_or_else(|| "—".into())) }
            td { (d.license.as_ref().map(|l| l.display_name()).unwrap_or("—")) }
            td { @match role { Some(r) => { (if r.as_str() == "shared" { "Shared" } else { "XIM Only (deployable)" }) } None => { "Not shared" } } }
            td.actions {
                form method="post" action=(format!("{base}/{}", if model.shared { "unshare" } else { "share" })) {
                    input type="hidden" name="csrf" value=(session.csrf_token);
                    button type="submit" { (if model.shared { "Unshare" } else { "Share" }) }
                }
                a href=(format!("{base}/edit")) { "Edit" }
                form.upload method="post" action=(format!("{base}/upload")) enctype="multipart/form-data" {
                    // The token comes before the file, so the server checks it before reading any file bytes.
                    input type="hidden" name="csrf" value=(session.csrf_token);
                    label { span.visually-hidden { "Model file for " (d.name) } input type="file" name="file" required; }
                    button type="submit" { "Upload file" }
                }
                form method="post" action=(format!("{base}/delete")) {
                    input type="hidden" name="csrf" value=(session.csrf_token);
                    button.danger type="submit" aria-label=(format!("Delete {}", d.name)) { "Delete" }
                }
            }
        }
    }
}

/// `POST /projects/{id}/models`: register.
pub async fn register(
    request: HttpRequest,
    path: web::Path<String>,
    form: web::Form<ModelForm>,
    services: web::Data<Services>,
) -> HttpResponse {
    let (session, project) = match member_form(&request, &path, &form.csrf).await {
        Ok(found) => found,
        Err(answer) => return answer,
    };
    let new = match NewModel::parse(form.input()) {
        Ok(new) => new,
        Err(error) => {
            return render_models(
                &services,
                &session,
                &project,
                &form,
                Some(&error),
                StatusCode::BAD_REQUEST,
            )
            .await;
        }
    };
    match ops::models::register_model(&services, &session.principal(), &project, new).await {
        Ok(_) => back_to(&project),
        Err(_) => not_found(Some(&session)),
    }
}

/// `POST /projects/{id}/models/{model}/{share|unshare|delete}`.
pub async fn model_action(
    request: HttpRequest,
    path: web::Path<(String, String, String)>,
    form: web::Form<CsrfForm>,
    services: web::Data<Services>,
) -> HttpResponse {
    let (raw_project, raw_model, action) = path.into_inner();
    let (session, project) = match member_form(&request, &raw_project, &form.csrf).await {
        Ok(found) => found,
        Err(answer) => return answer,
    };
    let Some(id) = ModelId::parse(&raw_model) else {
        return not_found(Some(&session));
    };
    let principal = session.principal();
    let result = match action.as_str() {
        "share" => set_visibility(&services, &principal, &project, id, Visibility::Shared)
            .await
            .map(|_| ()),
        "unshare" => set_visibility(&services, &principal, &project, id, Visibility::Unshared)
            .await
            .map(|_| ()),
        "delete" => ops::models::delete_model(&services, &principal, &project, id).await,
        _ => Err(OpsError::ModelNotFound { id: id.to_string() }),
    };
    match result {
        Ok(()) => back_to(&project),
        Err(_) => not_found(Some(&session)),
    }
}

/// `GET /projects/{id}/models/{model}/edit`.
pub async fn edit_page(
    request: HttpRequest,
    path: web::Path<(String, String)>,
    services: web::Data<Services>,
) -> HttpResponse {
    let (raw_project, raw_model) = path.into_inner();
    let (session, project) = match member(&request, &raw_project).await {
        Ok(found) => found,
        Err(answer) => return answer,
    };
    let Some(id) = ModelId::parse(&raw_model) else {
        return not_found(Some(&session));
    };
    match ops::models::get_model(&services, &session.principal(), &project, id).await {
        Ok(model) => render_edit(
            &session,
            &project,
            id,
            &ModelForm::from_model(&model),
            None,
            StatusCode::OK,
        ),
        Err(_) => not_found(Some(&session)),
    }
}

fn render_edit(
    session: &Session,
    project: &ProjectId,
    id: ModelId,
    form: &ModelForm,
    error: Option<&CatalogError>,
    status: StatusCode,
) -> HttpResponse {
    let body = html! {
        p { a href=(format!("/projects/{project}/models")) { "← Models of " (project_name(session, project)) } }
        h1 { "Edit " (form.name) }
        (model_form(session, &format!("/projects/{project}/models/{id}/edit"), form, error, "Save"))
    };
    private(respond(
        status,
        layout::page("Edit model", Some(session), None, body),
    ))
}

/// `POST /projects/{id}/models/{model}/edit`.
pub async fn edit(
    request: HttpRequest,
    path: web::Path<(String, String)>,
    form: web::Form<ModelForm>,
    services: web::Data<Services>,
) -> HttpResponse {
    let (raw_project, raw_model) = path.into_inner();
    let (session, project) = match member_form(&request, &raw_project, &form.csrf).await {
        Ok(found) => found,
        Err(answer) => return answer,
    };
    let Some(id) = ModelId::parse(&raw_model) else {
        return not_found(Some(&session));
    };
    let patch = match ModelPatch::parse(form.patch()) {
        Ok(patch) => patch,
        Err(error) => {
            return render_edit(
                &session,
                &project,
                id,
                &form,
                Some(&error),
                StatusCode::BAD_REQUEST,
            );
        }
    };
    match ops::models::edit_model(&services, &session.principal(), &project, id, patch).await {
        Ok(_) => back_to(&project),
        Err(OpsError::Invalid(error)) => render_edit(
            &session,
            &project,
            id,
            &form,
            Some(&error),
            StatusCode::BAD_REQUEST,
        ),
        Err(_) => not_found(Some(&session)),
    }
}
