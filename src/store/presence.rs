//! Where a model is loaded and deployed, read in one statement: the inputs of its catalog role,
//! badges and endpoint statuses. "Active" means a heartbeat at or after `cutoff` (now − TTL).

use std::collections::HashMap;

use rusqlite::{Connection, named_params, params};

use super::StoreError;
use crate::catalog::ids::{ModelId, ProjectId};
use crate::catalog::infra::{AgentId, Placement};

/// The placement columns of the model `m.id`, for heartbeats at or after `:cutoff`: one text for
/// the one-model read and the bulk read, so the two can never disagree.
macro_rules! placement_columns {
    () => {
        "EXISTS (SELECT 1 FROM agent_models am JOIN agents a ON a.id = am.agent_id \
                WHERE am.model_id = m.id AND a.kind = 'shared' AND a.last_heartbeat_at >= :cutoff), \
        EXISTS (SELECT 1 FROM agent_models am JOIN agents a ON a.id = am.agent_id \
                WHERE am.model_id = m.id AND a.kind = 'xim' AND a.last_heartbeat_at >= :cutoff), \
        EXISTS (SELECT 1 FROM endpoints e JOIN agents a ON a.id = e.node_id \
                JOIN agent_models am ON am.agent_id = a.id AND am.model_id = e.model_id \
                WHERE e.model_id = m.id AND e.tier = 'xim' AND a.last_heartbeat_at >= :cutoff), \
        EXISTS (SELECT 1 FROM endpoints e JOIN agents a ON a.id = e.node_id \
                WHERE e.model_id = m.id AND e.tier = 'xim' AND a.last_heartbeat_at >= :cutoff), \
        EXISTS (SELECT 1 FROM endpoints e WHERE e.model_id = m.id AND e.tier = 'shared'), \
        (SELECT COUNT(*) FROM endpoints e WHERE e.model_id = m.id), \
        COALESCE((SELECT shared FROM models WHERE id = m.id), 0), \
        COALESCE((SELECT featured FROM models WHERE id = m.id), 0)"
    };
}

const PLACEMENT: &str = concat!(
    "SELECT ",
    placement_columns!(),
    " FROM (SELECT :model AS id) AS m"
);

/// Every model that is loaded somewhere or has an endpoint: the only ones whose placement is
/// more than their own `shared` and `featured` columns.
const PLACED: &str = concat!(
    "SELECT m.id, ",
    placement_columns!(),
    " FROM (SELECT model_id AS id FROM agent_models UNION SELECT model_id FROM endpoints) AS m"
);

fn read_placement(row: &rusqlite::Row<'_>, first: usize) -> rusqlite::Result<Placement> {
    Ok(Placement {
        on_active_shared_agent: row.get(first)?,
        on_active_xim_node: row.get(first + 1)?,
        has_active_anchor: row.get(first + 2)?,
        has_active_xim_endpoint: row.get(first + 3)?,
        has_shared_endpoint: row.get(first + 4)?,
        deployment_count: row.get(first + 5)?,
        is_shared: row.get(first + 6)?,
        featured: row.get(first + 7)?,
    })
}

/// Reads the placement of one model (a model that does not exist reads as nowhere).
pub fn placement(
    conn: &Connection,
    model: &ModelId,
    cutoff: &str,
) -> Result<Placement, StoreError> {
    let mut statement = conn.prepare_cached(PLACEMENT)?;
    Ok(
        statement.query_row(named_params! {":model": model, ":cutoff": cutoff}, |r| {
            read_placement(r, 0)
        })?,
    )
}

/// Reads the placement of every placed model in one statement (an index rebuild reads these
/// instead of one query per model). A model missing from the map is on no agent and has no
/// endpoint: its placement is `Placement::unplaced` of its own row.
pub fn placements(
    conn: &Connection,
    cutoff: &str,
) -> Result<HashMap<ModelId, Placement>, StoreError> {
    let mut statement = conn.prepare(PLACED)?;
    let rows = statement.query_map(named_params! {":cutoff": cutoff}, |r| {
        Ok((r.get::<_, ModelId>(0)?, read_placement(r, 1)?))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
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
