//! Reads for the public catalog: shared models with the name of their project.

use rusqlite::{Connection, OptionalExtension, params};

use std::collections::HashMap;

use super::StoreError;
use super::models::{COLUMNS, find_model_anywhere, read_row};
use crate::catalog::ids::{ModelId, ProjectId};
use crate::catalog::memory::KvShape;
use crate::catalog::model::Model;

/// A shared model and the display name of its project.
#[derive(Debug, Clone)]
pub struct SharedModel {
    pub model: Model,
    pub project_name: String,
    /// The KV-cache shape its files state (SPEC §11), for the memory estimate and fit facet.
    pub kv_shape: Option<KvShape>,
    /// What sizes the compute buffer, as the files state it.
    pub compute: Option<crate::catalog::compute::ComputeShape>,
    pub lineage: crate::catalog::lineage::Lineage,
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
            let meta = super::files::file_metadata(conn, id)?;
            let kv_shape = meta.as_ref().and_then(|m| m.kv_shape());
            let compute = meta.and_then(|m| m.compute);
            let lineage = super::lineage::public_lineage_of(conn, id)?;
            Ok(Some(SharedModel {
                model,
                project_name,
                kv_shape,
                compute,
                lineage,
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

/// Calls `each` for every shared model, streaming rows (no full list in memory): one scan of
/// `models` and one read of the project names, never a query per model. Rows come in table
/// (insertion) order: an `ORDER BY id` would sort every whole row before the first one arrives
/// (minutes at a million models).
pub fn for_each_shared<E: From<StoreError>>(
    conn: &Connection,
    mut each: impl FnMut(SharedModel) -> Result<(), E>,
) -> Result<(), E> {
    let names = project_names(conn)?;
    let shapes = kv_shapes(conn)?;
    let mut lineages = super::lineage::all_lineage(conn)?;
    let sql = format!("SELECT {COLUMNS} FROM models WHERE shared = 1");
    let mut statement = conn.prepare(&sql).map_err(StoreError::from)?;
    let mut rows = statement.query([]).map_err(StoreError::from)?;
    while let Some(row) = rows.next().map_err(StoreError::from)? {
        let model = read_row(row).map_err(StoreError::from)??;
        let project_name = names.get(&model.project_id).cloned().unwrap_or_default();
        let (kv_shape, compute) = match shapes.get(&model.id) {
            Some((kv, compute)) => (Some(*kv), *compute),
            None => (None, None),
        };
        let lineage = lineages.remove(&model.id).unwrap_or_default();
        each(SharedModel {
            model,
            project_name,
            kv_shape,
            compute,
            lineage,
        })?;
    }
    Ok(())
}

/// How many models are shared.
pub fn count_shared(conn: &Connection) -> Result<u64, StoreError> {
    let count: i64 = conn.query_row("SELECT COUNT(*) FROM models WHERE shared = 1", [], |r| {
        r.get(0)
    })?;
    Ok(count as u64)
}

fn project_names(conn: &Connection) -> Result<HashMap<ProjectId, String>, StoreError> {
    let mut statement = conn.prepare("SELECT id, name FROM projects")?;
    let rows = statement.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The KV-cache shapes the stored files state, by model: one read of `model_files` (only
/// models with files have a row, so this stays small beside the catalog).
type FileShapes = HashMap<ModelId, (KvShape, Option<crate::catalog::compute::ComputeShape>)>;

fn kv_shapes(conn: &Connection) -> Result<FileShapes, StoreError> {
    let mut statement = conn.prepare("SELECT model_id, metadata FROM model_files")?;
    let mut rows = statement.query([])?;
    let mut shapes = HashMap::new();
    while let Some(row) = rows.next()? {
        let id: ModelId = row.get(0)?;
        let json: String = row.get(1)?;
        // A row the server cannot read stays "unknown" here; the detail page reports it.
        if let Ok(meta) = serde_json::from_str::<crate::catalog::file_meta::FileMetadata>(&json)
            && let Some(shape) = meta.kv_shape()
        {
            shapes.insert(id, (shape, meta.compute));
        }
    }
    Ok(shapes)
}

/// Returns the ids of every shared model, sorted: the ground truth the index must match.
pub fn shared_ids(conn: &Connection) -> Result<Vec<ModelId>, StoreError> {
    let mut statement = conn.prepare("SELECT id FROM models WHERE shared = 1")?;
    let rows = statement.query_map([], |r| r.get::<_, ModelId>(0))?;
    let mut ids: Vec<ModelId> = rows.collect::<Result<_, _>>()?;
    ids.sort();
    Ok(ids)
}
