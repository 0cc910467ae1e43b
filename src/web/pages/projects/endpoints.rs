//! `/projects/{id}/endpoints`: the project's deployments with status, tier and model, and its
//! XIM nodes with their liveness; and the detail page's deploy form handler.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use maud::html;
use serde::Deserialize;

use crate::catalog::ids::ModelId;
use crate::catalog::infra::{EndpointId, EndpointStatus, Tier};
use crate::ops::{self, OpsError, Services};
use crate::web::pages::access::{CsrfForm, member, member_form, not_found, private, project_name};
use crate::web::pages::account::login::forbidden;
use crate::web::pages::{html as respond, layout};
use crate::web::session::{current_session, form_allowed};

/// `GET /projects/{id}/endpoints`.
pub async fn endpoints_page(
    request: HttpRequest,
    path: web::Path<String>,
    query: web::Query<EndpointsQuery>,
    services: web::Data<Services>,
) -> HttpResponse {
    let (session, project) = match member(&request, &path).await {
        Ok(found) => found,
        Err(answer) => return answer,
    };
    let principal = session.principal();
    let (endpoints, nodes) = match tokio::join!(
        ops::infra::endpoints::list_endpoints(&services, &principal, &project),
        ops::infra::agents::list_agents(&services, Some(project.clone())),
    ) {
        (Ok(endpoints), Ok(nodes)) => (endpoints, nodes),
        _ => return not_found(Some(&session)),
    };
    let successors = ops::models::lineage::successors(
        &services,
        project.clone(),
        endpoints.iter().map(|e| e.model_id).collect(),
    )
    .await
    .unwrap_or_default();
    let deployed = query
        .deployed
        .as_deref()
        .and_then(|raw| endpoints.iter().find(|e| e.id.to_string() == raw));
    let body = html! {
        h1 { "Endpoints of " (project_name(&session, &project)) }
        @if let Some(e) = deployed {
            div.notice.success role="status" {
                p {
                    strong { "Deployed " (e.model_name) }
                    " on the " (match e.tier { Tier::Shared => "shared", Tier::Xim => "XIM" }) " tier"
                    @if let Some(node) = &e.node_id { " (node " code { (node) } ")" }
                    ": endpoint " code { (e.id) } ", " (e.status.as_str()) "."
                }
            }
        }
        @if endpoints.is_empty() {
            div.empty { p { "No endpoints yet. Open a model in the " a href="/models/catalog" { "catalog" } " and deploy it." } }
        } @else {
            table.endpoints {
                caption { (endpoints.len()) " endpoints" }
                thead { tr { th { "Model" } th { "Tier" } th { "Status" } th { "Node" } th { "Created" } th {} } }
                tbody {
                    @for e in &endpoints {
                        tr {
                            td {
                                a href=(format!("/models/catalog/{}", e.model_id)) { (e.model_name) } br; small.muted { (e.id) }
                                @if let Some(next) = successors.get(&e.model_id) {
                                    br;
                                    span.notice.superseded data-testid="endpoint-superseded" {
                                        "Superseded by "
                                        @if next.shared { a href=(format!("/models/catalog/{}", next.id)) { (next.details.name) } } @else { (next.details.name) }
                                    }
                                }
                            }
                            td { (match e.tier { Tier::Shared => "Shared", Tier::Xim => "XIM" }) }
                            td { span class=(format!("status status-{}", e.status.as_str())) {
                                (match e.status { EndpointStatus::Active => "Active", EndpointStatus::Unavailable => "Unavailable" })
                            } }
                            td { (e.node_id.as_ref().map_or("—".to_owned(), ToString::to_string)) }
                            td { (crate::web::pages::when::time_tag(&e.created_at)) }
                            td { form method="post" action=(format!("/projects/{project}/endpoints/{}/delete", e.id)) {
                                input type="hidden" name="csrf" value=(session.csrf_token);
                                button.danger type="submit" { "Delete" }
                            } }
                        }
                    }
                }
            }
        }
        h2 { "XIM nodes" }
        @if nodes.is_empty() {
            p.muted { "This project has no XIM node. Models that are XIM Only need one; an administrator adds it with "
                code { "xeroctl admin --data DIR agents add --kind xim --project " (project) " --name rack-1" } "." }
        } @else {
            table.nodes {
                thead { tr { th { "Node" } th { "State" } th { "Loaded models" } th { "Last heartbeat" } } }
                tbody {
                    @for node in &nodes {
                        tr {
                            td { (node.agent.name) br; small.muted { (node.agent.id) } }
                            td { span class=(if node.active { "status status-active" } else { "status status-unavailable" }) {
                                (if node.active { "Active" } else { "Stale" })
                            } }
                            td { (node.agent.loaded) }
                            td { @match node.agent.last_heartbeat_at.as_deref() { Some(at) => { (crate::web::pages::when::time_tag(at)) } None => { "never" } } }
                        }
                    }
                }
            }
        }
    };
    private(respond(
        StatusCode::OK,
        layout::page("Endpoints", Some(&session), None, body),
    ))
}

/// The endpoints page's query: the endpoint a deploy just made, to confirm it.
#[derive(Debug, Deserialize)]
pub struct EndpointsQuery {
    #[serde(default)]
    deployed: Option<String>,
}

/// `POST /projects/{id}/endpoints/{endpoint}/delete`.
pub async fn delete_endpoint(
    request: HttpRequest,
    path: web::Path<(String, String)>,
    form: web::Form<CsrfForm>,
    services: web::Data<Services>,
) -> HttpResponse {
    let (raw_project, raw_endpoint) = path.into_inner();
    let (session, project) = match member_form(&request, &raw_project, &form.csrf).await {
        Ok(found) => found,
        Err(answer) => return answer,
    };
    let Some(id) = EndpointId::parse(&raw_endpoint) else {
        return not_found(Some(&session));
    };
    match ops::infra::endpoints::delete_endpoint(&services, &session.principal(), &project, id)
        .await
    {
        Ok(()) => HttpResponse::SeeOther()
            .insert_header(("Location", format!("/projects/{project}/endpoints")))
            .finish(),
        Err(_) => not_found(Some(&session)),
    }
}

#[derive(Debug, Deserialize)]
pub struct DeployForm {
    csrf: String,
    #[serde(default)]
    tier: String,
}

/// `POST /models/catalog/{id}/deploy`: deploys into the session's active project, then shows
/// the project's endpoints; a refusal goes back to the detail page with the reason.
pub async fn deploy(
    request: HttpRequest,
    path: web::Path<String>,
    form: web::Form<DeployForm>,
    services: web::Data<Services>,
) -> HttpResponse {
    let raw = path.into_inner();
    let Some(session) = current_session(&request).await else {
        return HttpResponse::SeeOther()
            .insert_header((
                "Location",
                format!("/login?next=/models/catalog/{}", urlsafe(&raw)),
            ))
            .finish();
    };
    if !form_allowed(&request, &session, &form.csrf) {
        return forbidden();
    }
    let Some(model) = ModelId::parse(&raw) else {
        return not_found(Some(&session));
    };
    let Some(project) = session.active_project.clone() else {
        return back_with(model, "no_project");
    };
    let tier = match form.tier.as_str() {
        "" | "auto" => None,
        other => match Tier::parse(other) {
            Some(tier) => Some(tier),
            None => return back_with(model, "bad_tier"),
        },
    };
    // A second deploy of the same model on the same tier from the page is almost always a
    // double click: say it exists instead of making another (the API still makes replicas).
    if let Some(tier) = tier
        && let Ok(options) =
            ops::infra::endpoints::deploy_options(&services, &session.principal(), &project, model)
                .await
        && options.existing.iter().any(|e| e.tier == tier)
    {
        return back_with(model, "already_deployed");
    }
    match ops::infra::endpoints::deploy(&services, &session.principal(), &project, model, tier)
        .await
    {
        Ok(endpoint) => HttpResponse::SeeOther()
            .insert_header((
                "Location",
                format!(
                    "/projects/{project}/endpoints?deployed={}#{}",
                    endpoint.id, endpoint.id
                ),
            ))
            .finish(),
        Err(OpsError::SharedTierUnavailable(_)) => back_with(model, "shared_tier_unavailable"),
        Err(OpsError::XimNodeRequired(_)) => back_with(model, "xim_node_required"),
        Err(OpsError::ModelNotFound { .. }) => not_found(Some(&session)),
        Err(error) => {
            tracing::error!(%error, "deploy from the detail page failed");
            back_with(model, "failed")
        }
    }
}

fn back_with(model: ModelId, code: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((
            "Location",
            format!("/models/catalog/{model}?deploy_error={code}"),
        ))
        .finish()
}

fn urlsafe(raw: &str) -> String {
    raw.chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .take(64)
        .collect()
}

/// The sentence the detail page shows for a deploy refusal code.
pub fn deploy_error_text(code: &str) -> Option<&'static str> {
    Some(match code {
        "shared_tier_unavailable" => {
            "This model is not running on shared infrastructure right now (XIM Only): deploying it requires a XIM node. Choose the XIM tier."
        }
        "xim_node_required" => {
            "Your project has no active XIM node, and a XIM node is required to deploy this model on the XIM tier. Ask an administrator to add one."
        }
        "no_project" => "Choose an active project first (the switcher at the top).",
        "bad_tier" => "Choose the Shared or the XIM tier.",
        "already_deployed" => {
            "This model already has an endpoint on that tier in your project (listed below); no second one was made."
        }
        "failed" => "The deployment could not be created. Try again in a moment.",
        _ => return None,
    })
}
