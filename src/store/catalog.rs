//! Reads for the public catalog: shared models with the name of their project.

use rusqlite::{Connection, OptionalExtension, params};

use super::StoreError;
use super::models::find_model_anywhere;
use crate::catalog::ids::{ModelId, ProjectId};
use crate::catalog::model::Model;

/// A shared model and the display name of its project.
#[derive(Debug, Clone)]
pub struct SharedModel {
    pub model: Model,
    pub project_name: String,
}

fn project_name(conn: &Connection, project: &ProjectId) -> Result<String, StoreError> {
    Ok(conn
        .query_row(
            "SELECT name FROM projects WHERE id = ?1",
            params![project],
            |r| r.get(0),
        )
        .optional()?
        .unwrap_or_default())
}

/// Returns the model if it is in the catalog (shared), wherever it lives.
pub fn find_shared(conn: &Connection, id: &ModelId) -> Result<Option<SharedModel>, StoreError> {
    match find_model_anywhere(conn, id)? {
        Some(model) if model.shared => {
            let project_name = project_name(conn, &model.project_id)?;
            Ok(Some(SharedModel {
                model,
                project_name,
            }))
        }
        _ => Ok(None),
    }
}

/// (id, updated_at) of every shared model: what the start-up audit compares with the index.
pub fn shared_revisions(conn: &Connection) -> Result<Vec<(ModelId, String)>, StoreError> {
    let mut statement = conn.prepare("SELECT id, updated_at FROM models WHERE shared = 1")?;
    let rows = statement.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Calls `each` for every shared model, in id order, streaming rows (no full list in memory).
pub fn for_each_shared<E: From<StoreError>>(
    conn: &Connection,
    mut each: impl FnMut(SharedModel) -> Result<(), E>,
) -> Result<(), E> {
    let mut statement = conn.prepare("SELECT m.id, p.name FROM models m JOIN projects p ON p.id = m.project_id WHERE m.shared = 1 ORDER BY m.id").map_err(StoreError::from)?;
    let mut rows = statement.query([]).map_err(StoreError::from)?;
    while let Some(row) = rows.next().map_err(StoreError::from)? {
        let id: ModelId = row.get(0).map_err(StoreError::from)?;
        let project_name: String = row.get(1).map_err(StoreError::from)?;
        if let Some(model) = find_model_anywhere(conn, &id)? {
            each(SharedModel {
                model,
                project_name,
            })?;
        }
    }
    Ok(())
}

/// Returns the ids of every shared model, sorted: the ground truth the index must match.
pub fn shared_ids(conn: &Connection) -> Result<Vec<ModelId>, StoreError> {
    let mut statement = conn.prepare("SELECT id FROM models WHERE shared = 1")?;
    let rows = statement.query_map([], |r| r.get::<_, ModelId>(0))?;
    let mut ids: Vec<ModelId> = rows.collect::<Result<_, _>>()?;
    ids.sort();
    Ok(ids)
}
