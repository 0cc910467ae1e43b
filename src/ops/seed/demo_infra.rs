//! The demo's infrastructure: a simulated shared agent that loads some demo models, demo teams
//! with XIM nodes that deploy, and a few featured models, so every badge can be seen. All of it
//! goes through the same use cases as the agent API, the endpoints API and the admin commands.

use std::time::Duration;

use crate::auth::Principal;
use crate::auth::agent_tokens::AgentPrincipal;
use crate::catalog::ids::{ModelId, ProjectId};
use crate::catalog::infra::{AgentKind, Tier};
use crate::ops::infra::agents::{self, ReportKind};
use crate::ops::{AdminActor, OpsError, Services, admin, infra::endpoints, models::feature};
use crate::store;

/// Agents whose name ends with this are heartbeated by the server itself in demo mode.
pub const SIMULATED: &str = " (simulated)";
const TEAMS: usize = 12;

/// Creates the demo infrastructure over the demo project's shared models (in catalog order).
pub async fn seed(
    services: &Services,
    demo_project: &ProjectId,
    models: &[ModelId],
) -> Result<(), OpsError> {
    if models.len() < 40 {
        return Ok(());
    }
    let admin = AdminActor::local();
    // The demo login's own project gets a XIM node, so a XIM Only model deploys from the detail
    // page as it would on a real install with one.
    let rack = agents::add_agent(
        services,
        &admin,
        AgentKind::Xim,
        Some(demo_project.clone()),
        &format!("demo-rack-1{SIMULATED}"),
    )
    .await?;
    agents::report(
        services,
        &principal_of(&rack.agent),
        ReportKind::Heartbeat,
        Vec::new(),
    )
    .await?;
    let pool = agents::add_agent(
        services,
        &admin,
        AgentKind::Shared,
        None,
        &format!("shared-pool-1{SIMULATED}"),
    )
    .await?;
    // Every 25th model runs on the shared pool: role `shared`, badge Shared.
    let on_pool: Vec<String> = models.iter().step_by(25).map(ToString::to_string).collect();
    agents::report(
        services,
        &principal_of(&pool.agent),
        ReportKind::Heartbeat,
        on_pool,
    )
    .await?;

    let popular_shared = models[0];
    let popular_xim = models[1];
    let anchored = models[2];
    let xim_endpoint_only = models[3];
    let mut teams: Vec<(ProjectId, AgentPrincipal)> = Vec::new();
    for n in 1..=TEAMS {
        let project = admin::create_project(
            services,
            &format!("demo-team-{n:02}"),
            &format!("Demo team {n}"),
            None,
        )
        .await?;
        let node = agents::add_agent(
            services,
            &admin,
            AgentKind::Xim,
            Some(project.id.clone()),
            &format!("team-{n:02}-node{SIMULATED}"),
        )
        .await?;
        teams.push((project.id, principal_of(&node.agent)));
    }
    // Team 1's node has `anchored` loaded: an anchor endpoint makes it Shared though it is on
    // no shared agent. The others' nodes report nothing loaded yet.
    for (i, (_, node)) in teams.iter().enumerate() {
        let loaded = if i == 0 {
            vec![anchored.to_string()]
        } else {
            Vec::new()
        };
        agents::report(services, node, ReportKind::Heartbeat, loaded).await?;
    }
    let local = Principal::LocalAdmin;
    for (i, (project, _)) in teams.iter().enumerate() {
        // Popular (≥ 10 deployments) on both tiers.
        endpoints::deploy(
            services,
            &local,
            project,
            popular_shared,
            Some(Tier::Shared),
        )
        .await?;
        if i < 10 {
            endpoints::deploy(services, &local, project, popular_xim, Some(Tier::Xim)).await?;
        }
    }
    endpoints::deploy(services, &local, &teams[0].0, anchored, Some(Tier::Xim)).await?;
    endpoints::deploy(
        services,
        &local,
        &teams[1].0,
        xim_endpoint_only,
        Some(Tier::Xim),
    )
    .await?;
    for id in [
        popular_shared,
        anchored,
        models[7],
        models[11],
        models[30],
        models[33],
    ] {
        feature::set_featured(services, &admin, id, true).await?;
    }
    Ok(())
}

fn principal_of(agent: &store::agents::AgentRecord) -> AgentPrincipal {
    AgentPrincipal {
        id: agent.id.clone(),
        kind: agent.kind,
        project_id: agent.project_id.clone(),
    }
}

/// Keeps the simulated agents alive: a heartbeat with their current loaded set every third of
/// the TTL, as a real agent would send.
pub async fn heartbeat_simulated(services: Services) {
    let interval = (services.agent_ttl / 3).max(Duration::from_millis(200));
    loop {
        if let Err(error) = beat_once(&services).await {
            tracing::warn!(%error, "simulated agent heartbeat failed");
        }
        tokio::time::sleep(interval).await;
    }
}

async fn beat_once(services: &Services) -> Result<(), OpsError> {
    for status in agents::list_agents(services, None).await? {
        if !status.agent.name.ends_with(SIMULATED) {
            continue;
        }
        let id = status.agent.id.clone();
        let loaded = services
            .store
            .call(move |conn| store::agents::loaded_models(conn, &id))
            .await?;
        let loaded = loaded.iter().map(ToString::to_string).collect();
        agents::report(
            services,
            &principal_of(&status.agent),
            ReportKind::Heartbeat,
            loaded,
        )
        .await?;
    }
    Ok(())
}
