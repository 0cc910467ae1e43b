//! Project pages for members: `/projects/{id}/models` (register, edit, delete, share, unshare);
//! the keys page is in `keys.rs`, the access checks every member page shares in `access.rs`. Non-members get 404, anonymous
//! visitors are sent to log in. Every form carries the session's CSRF token.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use maud::{Markup, html};
use serde::Deserialize;

use super::access::{CsrfForm, member, member_form, not_found, private, project_name, text};
use super::{html as respond, layout};
use crate::catalog::CatalogError;
use crate::catalog::ids::{ModelId, ProjectId};
use crate::catalog::model::{Model, ModelInput, ModelPatch, NewModel, PatchInput};
use crate::catalog::role::CatalogRole;
use crate::ops::session::Session;
use crate::ops::share::{Visibility, set_visibility};
use crate::ops::{self, OpsError, Services};

/// The model form: every field as typed; empty means "not stated".
#[derive(Debug, Default, Deserialize)]
pub struct ModelForm {
    csrf: String,
    name: String,
    #[serde(default)]
    version: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    architecture: String,
    #[serde(default)]
    parameter_count: String,
    #[serde(default)]
    context_length: String,
    #[serde(default)]
    license: String,
    #[serde(default)]
    quantization: String,
    #[serde(default)]
    format: String,
    #[serde(default)]
    workload_type: String,
}

impl ModelForm {
    fn input(&self) -> ModelInput {
        ModelInput {
            name: Some(self.name.clone()),
            version: text(&self.version),
            description: text(&self.description),
            architecture: text(&self.architecture),
            parameter_count: text(&self.parameter_count),
            active_parameter_count: None,
            context_length: text(&self.context_length),
            license: text(&self.license),
            quantization: text(&self.quantization),
            format: text(&self.format),
            workload_type: text(&self.workload_type),
            artifact_uri: None,
        }
    }

    /// An edit sets every field of the form; an emptied field clears it.
    fn patch(&self) -> PatchInput {
        let set = |v: &str| Some(text(v));
        PatchInput {
            name: Some(self.name.clone()),
            version: set(&self.version),
            description: Some(Some(self.description.clone())),
            architecture: set(&self.architecture),
            parameter_count: set(&self.parameter_count),
            active_parameter_count: None,
            context_length: set(&self.context_length),
            license: set(&self.license),
            quantization: set(&self.quantization),
            format: set(&self.format),
            workload_type: set(&self.workload_type),
        }
    }

    fn from_model(model: &Model) -> Self {
        let d = &model.details;
        Self {
            csrf: String::new(),
            name: d.name.clone(),
            version: d.version.clone().unwrap_or_default(),
            description: d.description.clone(),
            architecture: d
                .architecture
                .as_ref()
                .map(|a| a.as_str().to_owned())
                .unwrap_or_default(),
            parameter_count: d.parameter_count.map(|p| p.to_string()).unwrap_or_default(),
            context_length: d
                .context_length
                .map(|c| c.get().to_string())
                .unwrap_or_default(),
            license: d
                .license
                .as_ref()
                .map(|l| l.key().to_owned())
                .unwrap_or_default(),
            quantization: d.quantization.clone().unwrap_or_default(),
            format: d.format.clone().unwrap_or_default(),
            workload_type: d.workload_type.clone().unwrap_or_default(),
        }
    }
}

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

fn model_form(
    session: &Session,
    action: &str,
    form: &ModelForm,
    error: Option<&CatalogError>,
    submit: &str,
) -> Markup {
    let fields: [(&str, &str, &str, &str); 9] = [
        ("name", "Name", &form.name, "Qwen3-30B-A3B"),
        (
            "architecture",
            "Architecture",
            &form.architecture,
            "qwen3moe or Qwen3MoeForCausalLM",
        ),
        (
            "parameter_count",
            "Parameters",
            &form.parameter_count,
            "30B",
        ),
        (
            "context_length",
            "Context length",
            &form.context_length,
            "128K",
        ),
        ("license", "License", &form.license, "apache-2.0"),
        (
            "workload_type",
            "Workload (comma-separated)",
            &form.workload_type,
            "chat,code",
        ),
        ("quantization", "Quantization", &form.quantization, "Q4_K_M"),
        ("format", "Format", &form.format, "gguf"),
        ("version", "Version", &form.version, "2507"),
    ];
    html! {
        form.model-form method="post" action=(action) novalidate {
            input type="hidden" name="csrf" value=(session.csrf_token);
            @if error.is_some() { p.error role="alert" { "Please fix the field marked below." } }
            @for (name, label, value, placeholder) in fields {
                @let invalid = error.is_some_and(|e| e.field() == name);
                div.field {
                    label for=(name) { (label) }
                    input id=(name) name=(name) value=(value) placeholder=(placeholder) aria-invalid=[invalid.then_some("true")] aria-describedby=[invalid.then(|| format!("{name}-error"))];
                    @if invalid { @if let Some(error) = error { span.field-error id=(format!("{name}-error")) { (error.to_string()) } } }
                }
            }
            div.field {
                label for="description" { "Description (markdown)" }
                textarea id="description" name="description" rows="6" { (form.description) }
                @if let Some(error) = error.filter(|e| e.field() == "description") { span.field-error { (error.to_string()) } }
            }
            button type="submit" { (submit) }
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
