//! Where a model is loaded and deployed, read in one statement: the inputs of its catalog role,
//! badges and endpoint statuses. "Active" means a heartbeat at or after `cutoff` (now − TTL).

use rusqlite::{Connection, params};

use super::StoreError;
use crate::catalog::ids::{ModelId, ProjectId};
use crate::catalog::infra::{AgentId, Placement};

const PLACEMENT: &str = "SELECT \
    EXISTS (SELECT 1 FROM agent_models am JOIN agents a ON a.id = am.agent_id \
            WHERE am.model_id = ?1 AND a.kind = 'shared' AND a.last_heartbeat_at >= ?2), \
    EXISTS (SELECT 1 FROM agent_models am JOIN agents a ON a.id = am.agent_id \
            WHERE am.model_id = ?1 AND a.kind = 'xim' AND a.last_heartbeat_at >= ?2), \
    EXISTS (SELECT 1 FROM endpoints e JOIN agents a ON a.id = e.node_id \
            JOIN agent_models am ON am.agent_id = a.id AND am.model_id = e.model_id \
            WHERE e.model_id = ?1 AND e.tier = 'xim' AND a.last_heartbeat_at >= ?2), \
    EXISTS (SELECT 1 FROM endpoints e JOIN agents a ON a.id = e.node_id \
            WHERE e.model_id = ?1 AND e.tier = 'xim' AND a.last_heartbeat_at >= ?2), \
    EXISTS (SELECT 1 FROM endpoints e WHERE e.model_id = ?1 AND e.tier = 'shared'), \
    (SELECT COUNT(*) FROM endpoints e WHERE e.model_id = ?1), \
    COALESCE((SELECT shared FROM models WHERE id = ?1), 0), \
    COALESCE((SELECT featured FROM models WHERE id = ?1), 0)";

/// Reads the placement of one model (a model that does not exist reads as nowhere).
pub fn placement(
    conn: &Connection,
    model: &ModelId,
    cutoff: &str,
) -> Result<Placement, StoreError> {
    let mut statement = conn.prepare_cached(PLACEMENT)?;
    Ok(statement.query_row(params![model, cutoff], |r| {
        Ok(Placement {
            on_active_shared_agent: r.get(0)?,
            on_active_xim_node: r.get(1)?,
            has_active_anchor: r.get(2)?,
            has_active_xim_endpoint: r.get(3)?,
            has_shared_endpoint: r.get(4)?,
            deployment_count: r.get(5)?,
            is_shared: r.get(6)?,
            featured: r.get(7)?,
        })
    })?)
}

/// The project's active XIM nodes, those that have `model` loaded first.
pub fn active_xim_nodes(
    conn: &Connection,
    project: &ProjectId,
    model: &ModelId,
    cutoff: &str,
) -> Result<Vec<AgentId>, StoreError> {
    let mut statement = conn.prepare_cached(
        "SELECT a.id FROM agents a WHERE a.project_id = ?1 AND a.kind = 'xim' AND a.last_heartbeat_at >= ?3 \
         ORDER BY EXISTS (SELECT 1 FROM agent_models am WHERE am.agent_id = a.id AND am.model_id = ?2) DESC, a.id",
    )?;
    let rows = statement.query_map(params![project, model, cutoff], |r| r.get::<_, AgentId>(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}
