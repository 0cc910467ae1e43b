//! Agents: registered by an administrator, they report what they have loaded; the catalog role,
//! badges and endpoint statuses follow. Every change queues the affected models for the index in
//! the same transaction and answers only once the index shows it.

use std::collections::BTreeSet;

use crate::auth::agent_tokens::{self, AgentAuthError, AgentPrincipal};
use crate::catalog::ids::{ModelId, ProjectId};
use crate::catalog::infra::{AgentId, AgentKind};
use crate::ops::{AdminActor, OpsError, Services, indexing::index_sync};
use crate::store::agents::{self as agents_table, AgentRecord};
use crate::store::audit::{self, AuditEntry};
use crate::store::{self, now, outbox};

/// Longest agent name.
const MAX_NAME: usize = 100;
/// Most model ids in one report.
pub const MAX_REPORT_IDS: usize = 10_000;

/// A new agent and its token, shown once.
#[derive(Debug, Clone)]
pub struct AddedAgent {
    pub agent: AgentRecord,
    pub token: String,
}

/// An agent as listed, with its liveness.
#[derive(Debug, Clone)]
pub struct AgentStatus {
    pub agent: AgentRecord,
    pub active: bool,
}

/// Registers an agent. A XIM node belongs to one project; a shared agent to none.
pub async fn add_agent(
    services: &Services,
    admin: &AdminActor,
    kind: AgentKind,
    project: Option<ProjectId>,
    name: &str,
) -> Result<AddedAgent, OpsError> {
    let name = name.trim().to_owned();
    if name.is_empty()
        || name.chars().count() > MAX_NAME
        || name
            .chars()
            .any(|c| c.is_control() || crate::catalog::error::is_noncharacter(c))
    {
        return Err(OpsError::InvalidInput(format!(
            "agent name must be 1-{MAX_NAME} printable characters"
        )));
    }
    match (kind, &project) {
        (AgentKind::Xim, None) => {
            return Err(OpsError::InvalidInput(
                "a XIM node belongs to one project: pass --project proj_…".to_owned(),
            ));
        }
        (AgentKind::Shared, Some(_)) => {
            return Err(OpsError::InvalidInput(
                "shared agents serve the whole platform and take no --project".to_owned(),
            ));
        }
        _ => {}
    }
    let token = agent_tokens::generate();
    let actor = admin.name().to_owned();
    let agent = AgentRecord {
        id: token.id.clone(),
        kind,
        project_id: project,
        name,
        token_hash: token.token_hash.clone(),
        created_at: now(),
        last_heartbeat_at: None,
        loaded: 0,
    };
    let stored = agent.clone();
    services
        .store
        .write(move |tx| {
            if let Some(project) = &stored.project_id
                && store::projects::find_project(tx, project)?.is_none()
            {
                return Err(store::StoreError::NotFound {
                    entity: "project",
                    id: project.to_string(),
                });
            }
            agents_table::insert_agent(tx, &stored)?;
            audit_agent(tx, &actor, &stored, "agent.add")
        })
        .await
        .map_err(|e| match e {
            store::StoreError::NotFound { id, .. } => OpsError::ProjectNotFound { id },
            other => other.into(),
        })?;
    Ok(AddedAgent {
        agent,
        token: token.plain,
    })
}

fn audit_agent(
    tx: &rusqlite::Transaction<'_>,
    actor: &str,
    agent: &AgentRecord,
    action: &str,
) -> Result<(), store::StoreError> {
    let detail = format!("{} {}", agent.kind.as_str(), agent.name);
    audit::append(
        tx,
        &AuditEntry {
            actor,
            project_id: agent.project_id.as_ref(),
            action,
            target_kind: "agent",
            target_id: agent.id.as_str(),
            detail: Some(&detail),
        },
        &now(),
    )
}

/// Lists agents with their liveness: all of them, or one project's XIM nodes.
pub async fn list_agents(
    services: &Services,
    project: Option<ProjectId>,
) -> Result<Vec<AgentStatus>, OpsError> {
    let cutoff = store::cutoff(services.agent_ttl);
    let agents = services
        .store
        .call(move |conn| agents_table::list_agents(conn, project.as_ref()))
        .await?;
    Ok(agents
        .into_iter()
        .map(|agent| AgentStatus {
            active: agent.is_active(&cutoff),
            agent,
        })
        .collect())
}

/// Removes an agent: what it had loaded stops counting at once, and the endpoints on it (XIM)
/// become unavailable; the endpoints themselves stay.
pub async fn remove_agent(
    services: &Services,
    admin: &AdminActor,
    id: AgentId,
) -> Result<(), OpsError> {
    let actor = admin.name().to_owned();
    let shown = id.to_string();
    let removed = services
        .store
        .write(move |tx| {
            let Some(agent) = agents_table::find_agent(tx, &id)? else {
                return Ok(false);
            };
            let Some(affected) = agents_table::delete_agent(tx, &id)? else {
                return Ok(false);
            };
            enqueue_all(tx, &affected)?;
            audit_agent(tx, &actor, &agent, "agent.remove")?;
            Ok(true)
        })
        .await?;
    if !removed {
        return Err(OpsError::AgentNotFound { id: shown });
    }
    index_sync::sync_after_write(services).await;
    Ok(())
}

fn enqueue_all(
    tx: &rusqlite::Transaction<'_>,
    models: &BTreeSet<ModelId>,
) -> Result<(), store::StoreError> {
    let at = now();
    for model in models {
        outbox::enqueue(tx, model, &at)?;
    }
    Ok(())
}

/// Authenticates an agent token.
pub async fn authenticate_agent(
    services: &Services,
    token: &str,
) -> Result<AgentPrincipal, AgentAuthError> {
    let (id, digest) = agent_tokens::parse_presented(token)?;
    let record = services
        .store
        .call(move |conn| agents_table::find_agent(conn, &id))
        .await
        .map_err(|error| {
            tracing::error!(%error, "agent lookup failed");
            AgentAuthError::Invalid
        })?;
    agent_tokens::verify(&digest, record.as_ref())
}

/// What an agent reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportKind {
    /// The complete set of loaded models: anything not in it is evicted.
    Heartbeat,
    Load,
    Evict,
}

/// The answer to a report.
#[derive(Debug, Clone)]
pub struct ReportOutcome {
    /// Everything the agent now has loaded, as the server sees it.
    pub loaded: Vec<ModelId>,
    /// Ids that are not UUIDs or name no model: ignored, the rest of the report still applies.
    pub ignored: Vec<String>,
}

/// Applies an agent's report; every report is also a sign of life.
pub async fn report(
    services: &Services,
    agent: &AgentPrincipal,
    kind: ReportKind,
    ids: Vec<String>,
) -> Result<ReportOutcome, OpsError> {
    if ids.len() > MAX_REPORT_IDS {
        return Err(OpsError::InvalidInput(format!(
            "a report may name at most {MAX_REPORT_IDS} models"
        )));
    }
    let mut ignored = Vec::new();
    let mut parsed = BTreeSet::new();
    for raw in ids {
        match ModelId::parse(&raw) {
            Some(id) => {
                parsed.insert(id);
            }
            None => ignored.push(raw.chars().take(64).collect()),
        }
    }
    let cutoff = store::cutoff(services.agent_ttl);
    let id = agent.id.clone();
    let (outcome, changed) = services
        .store
        .write(move |tx| {
            let known = agents_table::existing_models(tx, &parsed)?;
            let unknown: Vec<String> = parsed.difference(&known).map(|m| m.to_string()).collect();
            let at = now();
            let mut affected = agents_table::touch(tx, &id, &at, &cutoff)?;
            affected.extend(match kind {
                ReportKind::Heartbeat => agents_table::replace_loaded(tx, &id, &known, &at)?,
                ReportKind::Load => agents_table::load(tx, &id, &known, &at)?,
                ReportKind::Evict => agents_table::evict(tx, &id, &known)?,
            });
            enqueue_all(tx, &affected)?;
            let loaded = agents_table::loaded_models(tx, &id)?.into_iter().collect();
            Ok((
                ReportOutcome {
                    loaded,
                    ignored: unknown,
                },
                !affected.is_empty(),
            ))
        })
        .await?;
    if changed {
        index_sync::sync_after_write(services).await;
    }
    let mut outcome = outcome;
    ignored.extend(outcome.ignored);
    outcome.ignored = ignored;
    Ok(outcome)
}

/// Notices agents whose heartbeat is older than the TTL; returns how many models changed.
pub async fn sweep_stale(services: &Services) -> Result<usize, OpsError> {
    let cutoff = store::cutoff(services.agent_ttl);
    let affected = services
        .store
        .write(move |tx| {
            let affected = agents_table::sweep_stale(tx, &cutoff)?;
            enqueue_all(tx, &affected)?;
            Ok(affected.len())
        })
        .await?;
    if affected > 0 {
        index_sync::sync_after_write(services).await;
    }
    Ok(affected)
}

/// Runs the staleness sweep every `interval`, forever.
pub async fn sweep_periodically(services: Services, interval: std::time::Duration) {
    loop {
        tokio::time::sleep(interval).await;
        if let Err(error) = sweep_stale(&services).await {
            tracing::error!(%error, "agent staleness sweep failed; will retry");
        }
    }
}
