//! The `endpoints` table: deployments of catalog models into projects. Status is derived on
//! read from the agents (see `catalog::infra::EndpointStatus::derive`), never stored.

use rusqlite::{Connection, OptionalExtension, params};

use super::StoreError;
use crate::catalog::ids::{ModelId, ProjectId};
use crate::catalog::infra::{AgentId, EndpointId, EndpointStatus, Tier};

/// A new endpoint row.
#[derive(Debug, Clone)]
pub struct NewEndpoint {
    pub id: EndpointId,
    pub project_id: ProjectId,
    pub model_id: ModelId,
    pub model_name: String,
    pub tier: Tier,
    pub node_id: Option<AgentId>,
    pub created_at: String,
}

/// A stored endpoint with its derived status.
#[derive(Debug, Clone, PartialEq)]
pub struct EndpointRecord {
    pub id: EndpointId,
    pub project_id: ProjectId,
    pub model_id: ModelId,
    pub model_name: String,
    pub tier: Tier,
    pub node_id: Option<AgentId>,
    pub status: EndpointStatus,
    pub created_at: String,
}

pub fn insert_endpoint(conn: &Connection, e: &NewEndpoint) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO endpoints (id, project_id, model_id, model_name, tier, node_id, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![e.id, e.project_id, e.model_id, e.model_name, e.tier.as_str(), e.node_id, e.created_at],
    )?;
    Ok(())
}

/// `?2` is the liveness cutoff.
const SELECT: &str = "SELECT e.id, e.project_id, e.model_id, e.model_name, e.tier, e.node_id, e.created_at, \
    EXISTS (SELECT 1 FROM agent_models am JOIN agents a ON a.id = am.agent_id \
            WHERE am.model_id = e.model_id AND a.kind = 'shared' AND a.last_heartbeat_at >= ?2), \
    EXISTS (SELECT 1 FROM agents n WHERE n.id = e.node_id AND n.last_heartbeat_at >= ?2) \
    FROM endpoints e";

fn row_to_endpoint(row: &rusqlite::Row<'_>) -> rusqlite::Result<EndpointRecord> {
    let tier: String = row.get(4)?;
    let tier = Tier::parse(&tier).unwrap_or(Tier::Xim);
    Ok(EndpointRecord {
        id: row.get(0)?,
        project_id: row.get(1)?,
        model_id: row.get(2)?,
        model_name: row.get(3)?,
        tier,
        node_id: row.get(5)?,
        created_at: row.get(6)?,
        status: EndpointStatus::derive(tier, row.get(7)?, row.get(8)?),
    })
}

/// The project's endpoints, newest first.
pub fn list_endpoints(
    conn: &Connection,
    project: &ProjectId,
    cutoff: &str,
) -> Result<Vec<EndpointRecord>, StoreError> {
    let mut statement = conn.prepare(&format!(
        "{SELECT} WHERE e.project_id = ?1 ORDER BY e.created_at DESC, e.id"
    ))?;
    let rows = statement.query_map(params![project, cutoff], row_to_endpoint)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The project's endpoints of one model, newest first.
pub fn list_model_endpoints(
    conn: &Connection,
    project: &ProjectId,
    model: &ModelId,
    cutoff: &str,
) -> Result<Vec<EndpointRecord>, StoreError> {
    let mut statement = conn.prepare_cached(&format!(
        "{SELECT} WHERE e.project_id = ?1 AND e.model_id = ?3 ORDER BY e.created_at DESC, e.id"
    ))?;
    let rows = statement.query_map(params![project, cutoff, model], row_to_endpoint)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn find_endpoint(
    conn: &Connection,
    project: &ProjectId,
    id: &EndpointId,
    cutoff: &str,
) -> Result<Option<EndpointRecord>, StoreError> {
    Ok(conn
        .query_row(
            &format!("{SELECT} WHERE e.project_id = ?1 AND e.id = ?3"),
            params![project, cutoff, id],
            row_to_endpoint,
        )
        .optional()?)
}

/// Deletes one of the project's endpoints; returns its model when there was one.
pub fn delete_endpoint(
    conn: &Connection,
    project: &ProjectId,
    id: &EndpointId,
) -> Result<Option<ModelId>, StoreError> {
    Ok(conn
        .query_row(
            "DELETE FROM endpoints WHERE project_id = ?1 AND id = ?2 RETURNING model_id",
            params![project, id],
            |r| r.get(0),
        )
        .optional()?)
}
