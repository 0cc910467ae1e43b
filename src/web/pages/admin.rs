//! `/admin`: for platform administrators only: serving agents (add, remove, liveness) and the
//! featured models (feature, unfeature). Everyone else gets the same 404 as a missing page.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use maud::html;
use serde::Deserialize;

use crate::catalog::facet_list::FEATURED;
use crate::catalog::ids::{ModelId, ProjectId};
use crate::catalog::infra::{AgentId, AgentKind};
use crate::catalog::query::{CatalogQuery, Selection};
use crate::ops::access::session::Session;
use crate::ops::{self, AdminActor, Services};
use crate::web::pages::access::{CsrfForm, not_found, private, text};
use crate::web::pages::account::login::forbidden;
use crate::web::pages::{html as respond, layout};
use crate::web::session::{current_session, form_allowed};

/// The administrator's session, or the answer for everyone else.
async fn administrator(request: &HttpRequest) -> Result<(Session, AdminActor), HttpResponse> {
    let Some(session) = current_session(request).await else {
        return Err(HttpResponse::SeeOther()
            .insert_header(("Location", "/login?next=/admin"))
            .finish());
    };
    match AdminActor::from_session(&session) {
        Some(admin) => Ok((session, admin)),
        None => Err(not_found(Some(&session))),
    }
}

async fn administrator_form(
    request: &HttpRequest,
    csrf: &str,
) -> Result<(Session, AdminActor), HttpResponse> {
    let (session, admin) = administrator(request).await?;
    if form_allowed(request, &session, csrf) {
        Ok((session, admin))
    } else {
        Err(forbidden())
    }
}

/// `GET /admin`.
pub async fn admin_page(request: HttpRequest, services: web::Data<Services>) -> HttpResponse {
    match administrator(&request).await {
        Ok((session, _)) => render(&services, &session, None, None).await,
        Err(answer) => answer,
    }
}

async fn render(
    services: &Services,
    session: &Session,
    notice: Option<&str>,
    new_token: Option<&str>,
) -> HttpResponse {
    let agents = ops::infra::agents::list_agents(services, None)
        .await
        .unwrap_or_default();
    let projects = ops::admin::list_projects(services)
        .await
        .unwrap_or_default();
    let project_name = |id: &ProjectId| {
        projects
            .iter()
            .find(|p| &p.project.id == id)
            .map_or_else(|| id.to_string(), |p| p.project.name.clone())
    };
    let featured = ops::catalog::search_catalog(services, {
        let mut query = CatalogQuery {
            per_page: 100,
            ..CatalogQuery::default()
        };
        query.filters[FEATURED] = Selection::Flag(Some(true));
        query
    })
    .await
    .map(|r| r.hits)
    .unwrap_or_default();
    let csrf = &session.csrf_token;
    let body = html! {
        h1 { "Administration" }
        @if let Some(notice) = notice { div.notice role="status" { p { (notice) } } }
        @if let Some(token) = new_token {
            div.notice role="status" {
                p { strong { "Copy this agent token now: it is shown only once." } }
                code.key { (token) }
            }
        }
        h2 { "Agents" }
        @if agents.is_empty() { p { "No agents yet." } } @else {
            table.agents {
                thead { tr { th { "Agent" } th { "Kind" } th { "Project" } th { "State" } th { "Loaded" } th { "Last heartbeat" } th {} } }
                tbody {
                    @for status in &agents {
                        @let a = &status.agent;
                        tr {
                            td { (a.name) br; small.muted { (a.id) } }
                            td { (match a.kind { AgentKind::Shared => "Shared", AgentKind::Xim => "XIM node" }) }
                            td {
                                @match &a.project_id {
                                    Some(id) => { a href=(format!("/projects/{id}/endpoints")) { (project_name(id)) } br; small.muted { (id) } }
                                    None => { "—" }
                                }
                            }
                            td { span class=(if status.active { "status status-active" } else { "status status-unavailable" }) { (if status.active { "Active" } else { "Stale" }) } }
                            td { (a.loaded) }
                            td { @match a.last_heartbeat_at.as_deref() { Some(at) => { (crate::web::pages::when::time_tag(at)) } None => { "never" } } }
                            td { form method="post" action=(format!("/admin/agents/{}/remove", a.id)) {
                                input type="hidden" name="csrf" value=(csrf);
                                button.danger type="submit" { "Remove" }
                            } }
                        }
                    }
                }
            }
        }
        h3 { "Add an agent" }
        form method="post" action="/admin/agents" {
            input type="hidden" name="csrf" value=(csrf);
            label for="agent-name" { "Name" }
            input id="agent-name" name="name" required maxlength="100" placeholder="gpu-pool-1";
            label for="agent-kind" { "Kind" }
            select id="agent-kind" name="kind" { option value="shared" { "Shared infrastructure" } option value="xim" { "XIM node (one project)" } }
            label for="agent-project" { "Project (XIM nodes)" }
            select id="agent-project" name="project" {
                option value="" { "— none (shared agents) —" }
                @for p in &projects { option value=(p.project.id) { (p.project.name) " (" (p.project.slug.as_str()) ")" } }
            }
            button type="submit" { "Add agent" }
        }
        h2 { "Featured models" }
        @if featured.is_empty() { p { "No featured models." } } @else {
            ul.featured {
                @for card in &featured {
                    li {
                        a href=(format!("/models/catalog/{}", card.id)) { (card.name) }
                        " "
                        form.inline method="post" action="/admin/feature" {
                            input type="hidden" name="csrf" value=(csrf);
                            input type="hidden" name="model" value=(card.id);
                            input type="hidden" name="action" value="unfeature";
                            button.secondary type="submit" { "Unfeature" }
                        }
                    }
                }
            }
        }
        form method="post" action="/admin/feature" {
            input type="hidden" name="csrf" value=(csrf);
            input type="hidden" name="action" value="feature";
            label for="feature-model" { "Feature a model: its exact name or UUID" }
            input id="feature-model" name="model" required placeholder="Qwen3-8B";
            button type="submit" { "Feature" }
        }
    };
    private(respond(
        StatusCode::OK,
        layout::page("Administration", Some(session), None, body),
    ))
}

#[derive(Debug, Deserialize)]
pub struct AgentForm {
    csrf: String,
    name: String,
    kind: String,
    #[serde(default)]
    project: String,
}

/// `POST /admin/agents`: the token is in this answer and nowhere else.
pub async fn add_agent(
    request: HttpRequest,
    form: web::Form<AgentForm>,
    services: web::Data<Services>,
) -> HttpResponse {
    let (session, admin) = match administrator_form(&request, &form.csrf).await {
        Ok(found) => found,
        Err(answer) => return answer,
    };
    let Some(kind) = AgentKind::parse(&form.kind) else {
        return render(&services, &session, Some("Choose the kind of agent."), None).await;
    };
    let project = match text(&form.project).map(|p| ProjectId::parse(p.trim())) {
        None => None,
        Some(Some(project)) => Some(project),
        Some(None) => {
            return render(
                &services,
                &session,
                Some("The project must be an id like proj_ABC123."),
                None,
            )
            .await;
        }
    };
    match ops::infra::agents::add_agent(&services, &admin, kind, project, &form.name).await {
        Ok(added) => {
            let notice = format!("Agent {} registered.", added.agent.id);
            render(&services, &session, Some(&notice), Some(&added.token)).await
        }
        Err(error) => render(&services, &session, Some(&error.to_string()), None).await,
    }
}

/// `POST /admin/agents/{id}/remove`.
pub async fn remove_agent(
    request: HttpRequest,
    path: web::Path<String>,
    form: web::Form<CsrfForm>,
    services: web::Data<Services>,
) -> HttpResponse {
    let (session, admin) = match administrator_form(&request, &form.csrf).await {
        Ok(found) => found,
        Err(answer) => return answer,
    };
    let Some(id) = AgentId::parse(&path) else {
        return not_found(Some(&session));
    };
    match ops::infra::agents::remove_agent(&services, &admin, id).await {
        Ok(()) => HttpResponse::SeeOther()
            .insert_header(("Location", "/admin"))
            .finish(),
        Err(_) => not_found(Some(&session)),
    }
}

#[derive(Debug, Deserialize)]
pub struct FeatureForm {
    csrf: String,
    model: String,
    action: String,
    /// Where to go afterwards: the detail page's button comes back to it.
    #[serde(default)]
    back: String,
}

/// A shared model by UUID, or by its exact name (any case) when exactly one has it.
async fn model_named(services: &Services, given: &str) -> Option<ModelId> {
    if let Some(id) = ModelId::parse(given) {
        return Some(id);
    }
    let query = CatalogQuery::from_pairs([("q", given), ("per_page", "50")]).ok()?;
    let hits = ops::catalog::search_catalog(services, query)
        .await
        .ok()?
        .hits;
    let mut named = hits.iter().filter(|c| c.name.eq_ignore_ascii_case(given));
    match (named.next(), named.next()) {
        (Some(card), None) => Some(card.id),
        _ => None,
    }
}

/// `POST /admin/feature`: `action` is `feature` or `unfeature`.
pub async fn feature(
    request: HttpRequest,
    form: web::Form<FeatureForm>,
    services: web::Data<Services>,
) -> HttpResponse {
    let (session, admin) = match administrator_form(&request, &form.csrf).await {
        Ok(found) => found,
        Err(answer) => return answer,
    };
    let Some(model) = model_named(&services, form.model.trim()).await else {
        return render(
            &services,
            &session,
            Some("No shared model has that exact name or UUID (display ids are CLI-local)."),
            None,
        )
        .await;
    };
    let featured = form.action == "feature";
    if form.back == "detail" {
        let code =
            match ops::models::feature::set_featured(&services, &admin, model, featured).await {
                Ok(_) => "",
                Err(_) => "?feature_error=1",
            };
        return HttpResponse::SeeOther()
            .insert_header(("Location", format!("/models/catalog/{model}{code}")))
            .finish();
    }
    let notice = match ops::models::feature::set_featured(&services, &admin, model, featured).await
    {
        Ok(_) if featured => "Model featured.".to_owned(),
        Ok(_) => "Model no longer featured.".to_owned(),
        Err(error) => error.to_string(),
    };
    render(&services, &session, Some(&notice), None).await
}
