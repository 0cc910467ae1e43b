//! `/agents/v1/…`: serving agents report what they have loaded (token auth, not API keys).

use actix_web::{post, web};

use crate::auth::agent_tokens::AgentPrincipal;
use crate::ops::Services;
use crate::ops::infra::agents::{ReportKind, report};
use crate::web::error::ApiError;
use crate::wire::ErrorBody;
use crate::wire::infra::{AgentReport, AgentReportResponse};

/// Full-state heartbeat: `models` is everything loaded; anything else counts as evicted.
#[utoipa::path(
    tag = "agents",
    request_body = AgentReport,
    responses((status = 200, body = AgentReportResponse), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)),
    security(("agent_token" = []))
)]
#[post("/heartbeat")]
pub async fn heartbeat(
    agent: web::ReqData<AgentPrincipal>,
    body: web::Json<AgentReport>,
    services: web::Data<Services>,
) -> Result<web::Json<AgentReportResponse>, ApiError> {
    answer(agent, body, services, ReportKind::Heartbeat).await
}

/// The agent loaded these models (the others stay as they were).
#[utoipa::path(
    tag = "agents",
    request_body = AgentReport,
    responses((status = 200, body = AgentReportResponse), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)),
    security(("agent_token" = []))
)]
#[post("/load")]
pub async fn load(
    agent: web::ReqData<AgentPrincipal>,
    body: web::Json<AgentReport>,
    services: web::Data<Services>,
) -> Result<web::Json<AgentReportResponse>, ApiError> {
    answer(agent, body, services, ReportKind::Load).await
}

/// The agent evicted these models.
#[utoipa::path(
    tag = "agents",
    request_body = AgentReport,
    responses((status = 200, body = AgentReportResponse), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)),
    security(("agent_token" = []))
)]
#[post("/evict")]
pub async fn evict(
    agent: web::ReqData<AgentPrincipal>,
    body: web::Json<AgentReport>,
    services: web::Data<Services>,
) -> Result<web::Json<AgentReportResponse>, ApiError> {
    answer(agent, body, services, ReportKind::Evict).await
}

async fn answer(
    agent: web::ReqData<AgentPrincipal>,
    body: web::Json<AgentReport>,
    services: web::Data<Services>,
    kind: ReportKind,
) -> Result<web::Json<AgentReportResponse>, ApiError> {
    let outcome = report(&services, &agent, kind, body.into_inner().models).await?;
    Ok(web::Json(AgentReportResponse {
        agent_id: agent.id.to_string(),
        kind: agent.kind.as_str().to_owned(),
        ttl_seconds: services.agent_ttl.as_secs(),
        loaded: outcome.loaded.iter().map(ToString::to_string).collect(),
        ignored: outcome.ignored,
    }))
}
