//! Project pages for members: `/projects/{id}/models` (search, sort and page the list; register,
//! share, unshare, delete after a confirmation) and a model's edit page (its metadata and its
//! file upload). The list is in `model_list.rs` (its address in `model_listing.rs`), the model form in `model_form.rs`, the keys
//! page in `keys.rs`, the access checks every member page shares in `access.rs`. Non-members
//! get 404, anonymous visitors are sent to log in. Every form carries the session's CSRF token.

pub mod endpoints;
pub mod keys;
pub mod model_form;
pub mod model_list;
pub mod model_listing;
pub mod upload;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use maud::html;
use serde::Deserialize;

use crate::catalog::CatalogError;
use crate::catalog::ids::{ModelId, ProjectId};
use crate::catalog::model::{Artifact, Model, ModelPatch, NewModel};
use crate::ops::access::session::Session;
use crate::ops::models::share::{Visibility, set_visibility};
use crate::ops::{self, OpsError, Services};
use crate::web::pages::access::{member, member_form, not_found, private, project_name};
use crate::web::pages::page_error::PageError;
use crate::web::pages::projects::model_form::{ModelForm, model_form};
use crate::web::pages::projects::model_list::{ListedPage, model_list};
use crate::web::pages::projects::model_listing::Listing;
use crate::web::pages::{html as respond, layout};

/// The value of `confirmed` that makes a delete happen.
const CONFIRMED: &str = "yes";

fn back_to(project: &ProjectId) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header(("Location", format!("/projects/{project}/models")))
        .finish()
}

/// The register form as the models page shows it: empty, or as sent with what was refused.
struct Registering<'a> {
    form: &'a ModelForm,
    error: Option<&'a CatalogError>,
}

/// `GET /projects/{id}/models?q=…&sort=…&page=N`.
pub async fn models_page(
    request: HttpRequest,
    path: web::Path<String>,
    services: web::Data<Services>,
) -> HttpResponse {
    let (session, project) = match member(&request, &path).await {
        Ok(found) => found,
        Err(answer) => return answer,
    };
    let listing = match Listing::from_query(request.query_string()) {
        Ok(listing) => listing,
        Err(error) => return error.seen_by(Some(&session)).render(),
    };
    let registering = Registering {
        form: &ModelForm::default(),
        error: None,
    };
    render_models(&services, &session, &project, &listing, registering).await
}

async fn render_models(
    services: &Services,
    session: &Session,
    project: &ProjectId,
    listing: &Listing,
    registering: Registering<'_>,
) -> HttpResponse {
    let principal = session.principal();
    let (models, total) =
        match ops::models::find_models(services, &principal, project, listing.slice()).await {
            Ok(found) => found,
            Err(OpsError::Forbidden(_)) => return not_found(Some(session)),
            Err(error) => {
                return PageError::internal("models page failed", &error)
                    .seen_by(Some(session))
                    .render();
            }
        };
    // The badge line the catalog shows members (one wording everywhere); a placement that
    // cannot be read shows as "—", and the list itself is still right.
    let statuses: Vec<String> =
        match ops::models::placement::placements(services, models.iter().map(|m| m.id).collect())
            .await
        {
            Ok(placements) => models
                .iter()
                .zip(placements)
                .map(|(model, placement)| {
                    if !model.shared {
                        return "Not shared".to_owned();
                    }
                    let shown = crate::catalog::badge::badges(
                        &placement.badge_facts(),
                        crate::catalog::badge::Viewer::LoggedIn,
                    );
                    crate::catalog::badge::badge_line(&shown)
                })
                .collect(),
            Err(_) => vec!["—".to_owned(); models.len()],
        };
    // Open for a project without models (a new member's first step) and for a refused form.
    let is_first_model = total == 0 && listing.search.is_none() && listing.page == 1;
    let open = is_first_model || registering.error.is_some();
    let status = if registering.error.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    let listed = ListedPage {
        models: &models,
        statuses: &statuses,
        total,
    };
    let action = format!("/projects/{project}/models");
    let body = html! {
        h1 { "Models of " (project_name(session, project)) }
        details.register id="register" open[open] {
            summary { h2 { "Register a model" } }
            (model_form(session, &action, registering.form, registering.error, "Register"))
        }
        (model_list(session, project, listing, &listed))
    };
    private(respond(
        status,
        layout::page("My models", Some(session), None, body),
    ))
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
            let registering = Registering {
                form: &form,
                error: Some(&error),
            };
            let first_page = Listing::default();
            return render_models(&services, &session, &project, &first_page, registering).await;
        }
    };
    match ops::models::register_model(&services, &session.principal(), &project, new).await {
        Ok(_) => back_to(&project),
        Err(_) => not_found(Some(&session)),
    }
}

/// The form of the list's actions: the CSRF token, and for a delete whether it was confirmed.
#[derive(Debug, Deserialize)]
pub struct ActionForm {
    csrf: String,
    #[serde(default)]
    confirmed: String,
}

/// `POST /projects/{id}/models/{model}/{share|unshare|delete}`. A delete without
/// `confirmed=yes` answers the confirmation page instead (no JavaScript needed); only the post
/// from that page deletes.
pub async fn model_action(
    request: HttpRequest,
    path: web::Path<(String, String, String)>,
    form: web::Form<ActionForm>,
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
        "delete" if form.confirmed != CONFIRMED => {
            return match ops::models::get_model(&services, &principal, &project, id).await {
                Ok(model) => confirm_delete(&session, &project, &model),
                Err(_) => not_found(Some(&session)),
            };
        }
        "delete" => ops::models::delete_model(&services, &principal, &project, id).await,
        _ => Err(OpsError::ModelNotFound { id: id.to_string() }),
    };
    match result {
        Ok(()) => back_to(&project),
        Err(_) => not_found(Some(&session)),
    }
}

fn confirm_delete(session: &Session, project: &ProjectId, model: &Model) -> HttpResponse {
    let name = &model.details.name;
    let models = format!("/projects/{project}/models");
    let body = html! {
        p { a href=(models) { "← Models of " (project_name(session, project)) } }
        div.confirm role="alertdialog" aria-labelledby="confirm-title" aria-describedby="confirm-text" {
            h1 id="confirm-title" { "Delete model " (name) "?" }
            p id="confirm-text" {
                "This cannot be undone. Its files are deleted with it"
                @if model.shared { ", and it leaves the catalog" }
                "."
            }
            form method="post" action=(format!("{models}/{}/delete", model.id)) {
                input type="hidden" name="csrf" value=(session.csrf_token);
                input type="hidden" name="confirmed" value=(CONFIRMED);
                button.danger type="submit" { "Delete " (name) }
                " "
                a href=(models) { "Cancel" }
            }
        }
    };
    private(respond(
        StatusCode::OK,
        layout::page("Delete model", Some(session), None, body),
    ))
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
            &model,
            &ModelForm::from_model(&model),
            None,
        ),
        Err(_) => not_found(Some(&session)),
    }
}

/// The edit page: `form` as typed (with `error` marked, 400) beside the model's file.
fn render_edit(
    session: &Session,
    project: &ProjectId,
    model: &Model,
    form: &ModelForm,
    error: Option<&CatalogError>,
) -> HttpResponse {
    let status = if error.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    let action = format!("/projects/{project}/models/{}/edit", model.id);
    let body = html! {
        p { a href=(format!("/projects/{project}/models")) { "← Models of " (project_name(session, project)) } }
        h1 { "Edit " (form.name) }
        (model_form(session, &action, form, error, "Save"))
        section.model-file aria-labelledby="model-file" {
            h2 id="model-file" { "Model file" }
            @match &model.artifact {
                Some(Artifact::File { size, sha256 }) => {
                    p { "Stored: " (crate::web::pages::detail::repo_section::human_size(*size)) ", sha256 " code { (sha256.get(..12).unwrap_or(sha256)) "…" } }
                }
                Some(Artifact::Uri(uri)) => { p { "Points to " code { (uri) } "; an upload replaces it." } }
                None => { p.muted { "No file yet." } }
            }
            (crate::web::pages::projects::upload::file_form(session, project, model))
        }
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
    let principal = session.principal();
    let refused = match ModelPatch::parse(form.patch()) {
        Ok(patch) => {
            match ops::models::edit_model(&services, &principal, &project, id, patch).await {
                Ok(_) => return back_to(&project),
                Err(OpsError::Invalid(error)) => error,
                Err(_) => return not_found(Some(&session)),
            }
        }
        Err(error) => error,
    };
    // The page shows the model's file beside the refused form.
    match ops::models::get_model(&services, &principal, &project, id).await {
        Ok(model) => render_edit(&session, &project, &model, &form, Some(&refused)),
        Err(_) => not_found(Some(&session)),
    }
}
