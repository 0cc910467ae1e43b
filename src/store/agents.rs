//! The `agents` and `agent_models` tables: serving machines and what they report as loaded.
//!
//! Every function that changes what is loaded or whether an agent is live returns the models
//! whose catalog facts may have changed, so the caller can queue them for the search index in
//! the same transaction.

use std::collections::BTreeSet;

use rusqlite::{Connection, OptionalExtension, params};

use super::StoreError;
use crate::catalog::ids::{ModelId, ProjectId};
use crate::catalog::infra::{AgentId, AgentKind};

/// A stored agent.
#[derive(Debug, Clone, PartialEq)]
pub struct AgentRecord {
    pub id: AgentId,
    pub kind: AgentKind,
    pub project_id: Option<ProjectId>,
    pub name: String,
    pub token_hash: Vec<u8>,
    pub created_at: String,
    pub last_heartbeat_at: Option<String>,
    pub loaded: u64,
}

impl AgentRecord {
    /// Active while the last heartbeat is at or after `cutoff` (now minus the TTL).
    pub fn is_active(&self, cutoff: &str) -> bool {
        self.last_heartbeat_at
            .as_deref()
            .is_some_and(|at| at >= cutoff)
    }
}

pub fn insert_agent(conn: &Connection, agent: &AgentRecord) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO agents (id, kind, project_id, name, token_hash, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![agent.id, agent.kind.as_str(), agent.project_id, agent.name, agent.token_hash, agent.created_at],
    )?;
    Ok(())
}

const SELECT: &str = "SELECT a.id, a.kind, a.project_id, a.name, a.token_hash, a.created_at, a.last_heartbeat_at, \
    (SELECT COUNT(*) FROM agent_models am WHERE am.agent_id = a.id) FROM agents a";

fn row_to_agent(row: &rusqlite::Row<'_>) -> rusqlite::Result<AgentRecord> {
    let kind: String = row.get(1)?;
    Ok(AgentRecord {
        id: row.get(0)?,
        kind: AgentKind::parse(&kind).unwrap_or(AgentKind::Xim),
        project_id: row.get(2)?,
        name: row.get(3)?,
        token_hash: row.get(4)?,
        created_at: row.get(5)?,
        last_heartbeat_at: row.get(6)?,
        loaded: row.get(7)?,
    })
}

pub fn find_agent(conn: &Connection, id: &AgentId) -> Result<Option<AgentRecord>, StoreError> {
    Ok(conn
        .query_row(
            &format!("{SELECT} WHERE a.id = ?1"),
            params![id],
            row_to_agent,
        )
        .optional()?)
}

/// Every agent, or only one project's XIM nodes.
pub fn list_agents(
    conn: &Connection,
    project: Option<&ProjectId>,
) -> Result<Vec<AgentRecord>, StoreError> {
    let mut statement = conn.prepare(&format!(
        "{SELECT} WHERE ?1 IS NULL OR a.project_id = ?1 ORDER BY a.kind, a.name, a.id"
    ))?;
    let rows = statement.query_map(params![project], row_to_agent)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The models whose facts depend on this agent: those it has loaded and those deployed on it.
pub fn dependent_models(conn: &Connection, id: &AgentId) -> Result<BTreeSet<ModelId>, StoreError> {
    let mut statement = conn.prepare(
        "SELECT model_id FROM agent_models WHERE agent_id = ?1 UNION SELECT model_id FROM endpoints WHERE node_id = ?1",
    )?;
    let rows = statement.query_map(params![id], |r| r.get::<_, ModelId>(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Removes an agent; returns the models that depended on it, or `None` when there was none.
pub fn delete_agent(
    conn: &Connection,
    id: &AgentId,
) -> Result<Option<BTreeSet<ModelId>>, StoreError> {
    let affected = dependent_models(conn, id)?;
    let deleted = conn.execute("DELETE FROM agents WHERE id = ?1", params![id])?;
    Ok((deleted > 0).then_some(affected))
}

/// The ids among `ids` that name an existing model.
pub fn existing_models(
    conn: &Connection,
    ids: &BTreeSet<ModelId>,
) -> Result<BTreeSet<ModelId>, StoreError> {
    let mut statement = conn.prepare_cached("SELECT 1 FROM models WHERE id = ?1")?;
    let mut found = BTreeSet::new();
    for id in ids {
        if statement.exists(params![id])? {
            found.insert(*id);
        }
    }
    Ok(found)
}

pub fn loaded_models(conn: &Connection, agent: &AgentId) -> Result<BTreeSet<ModelId>, StoreError> {
    let mut statement =
        conn.prepare_cached("SELECT model_id FROM agent_models WHERE agent_id = ?1")?;
    let rows = statement.query_map(params![agent], |r| r.get::<_, ModelId>(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Records a sign of life. Returns the dependent models when the agent was not live before
/// (it just came up or came back), since all their facts change with it.
pub fn touch(
    conn: &Connection,
    agent: &AgentId,
    now: &str,
    cutoff: &str,
) -> Result<BTreeSet<ModelId>, StoreError> {
    let was_active: bool = conn
        .query_row(
            "SELECT live = 1 AND last_heartbeat_at IS NOT NULL AND last_heartbeat_at >= ?2 FROM agents WHERE id = ?1",
            params![agent, cutoff],
            |r| r.get(0),
        )
        .optional()?
        .unwrap_or(false);
    conn.execute(
        "UPDATE agents SET last_heartbeat_at = ?2, live = 1 WHERE id = ?1",
        params![agent, now],
    )?;
    if was_active {
        Ok(BTreeSet::new())
    } else {
        dependent_models(conn, agent)
    }
}

/// Marks the given models loaded; returns those that were not loaded before.
pub fn load(
    conn: &Connection,
    agent: &AgentId,
    models: &BTreeSet<ModelId>,
    now: &str,
) -> Result<BTreeSet<ModelId>, StoreError> {
    let mut statement = conn.prepare_cached(
        "INSERT OR IGNORE INTO agent_models (agent_id, model_id, loaded_at) VALUES (?1, ?2, ?3)",
    )?;
    let mut changed = BTreeSet::new();
    for model in models {
        if statement.execute(params![agent, model, now])? > 0 {
            changed.insert(*model);
        }
    }
    Ok(changed)
}

/// Marks the given models evicted; returns those that were loaded.
pub fn evict(
    conn: &Connection,
    agent: &AgentId,
    models: &BTreeSet<ModelId>,
) -> Result<BTreeSet<ModelId>, StoreError> {
    let mut statement =
        conn.prepare_cached("DELETE FROM agent_models WHERE agent_id = ?1 AND model_id = ?2")?;
    let mut changed = BTreeSet::new();
    for model in models {
        if statement.execute(params![agent, model])? > 0 {
            changed.insert(*model);
        }
    }
    Ok(changed)
}

/// Replaces the loaded set with `models` (a full-state heartbeat); returns what changed.
pub fn replace_loaded(
    conn: &Connection,
    agent: &AgentId,
    models: &BTreeSet<ModelId>,
    now: &str,
) -> Result<BTreeSet<ModelId>, StoreError> {
    let before = loaded_models(conn, agent)?;
    let gone: BTreeSet<ModelId> = before.difference(models).copied().collect();
    let mut changed = evict(conn, agent, &gone)?;
    changed.extend(load(conn, agent, models, now)?);
    Ok(changed)
}

/// Marks live agents whose last heartbeat is older than `cutoff` as stale; returns the models
/// that depended on them. Each staleness is noticed once.
pub fn sweep_stale(conn: &Connection, cutoff: &str) -> Result<BTreeSet<ModelId>, StoreError> {
    let mut statement = conn.prepare(
        "UPDATE agents SET live = 0 WHERE live = 1 AND (last_heartbeat_at IS NULL OR last_heartbeat_at < ?1) RETURNING id",
    )?;
    let stale = statement
        .query_map(params![cutoff], |r| r.get::<_, AgentId>(0))?
        .collect::<Result<Vec<_>, _>>()?;
    let mut affected = BTreeSet::new();
    for agent in &stale {
        tracing::info!(agent = %agent, "agent went stale");
        affected.extend(dependent_models(conn, agent)?);
    }
    Ok(affected)
}
