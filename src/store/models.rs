//! The `models` table.

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::StoreError;
use crate::catalog::architecture::Architecture;
use crate::catalog::ids::{ModelId, ProjectId};
use crate::catalog::license::License;
use crate::catalog::model::{Artifact, Model, ModelDetails};
use crate::catalog::units::{ContextLength, ParameterCount};

pub(super) const COLUMNS: &str = "id, project_id, name, version, description, architecture, parameter_count, \
    active_parameter_count, context_length, license, quantization, format, workload_type, shared, \
    shared_at, featured, artifact_uri, artifact_size, artifact_sha256, created_at, updated_at";

/// Inserts a new model row.
pub fn insert_model(conn: &Connection, model: &Model) -> Result<(), StoreError> {
    let d = &model.details;
    let (uri, size, sha) = artifact_columns(model.artifact.as_ref());
    conn.execute(
        &format!("INSERT INTO models ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21)"),
        params![
            model.id,
            model.project_id,
            d.name,
            d.version,
            d.description,
            d.architecture.as_ref().map(Architecture::as_str),
            d.parameter_count.map(|p| p.get() as i64),
            d.active_parameter_count.map(|p| p.get() as i64),
            d.context_length.map(|c| c.get() as i64),
            d.license.as_ref().map(License::key),
            d.quantization,
            d.format,
            d.workload_type,
            model.shared,
            model.shared_at,
            model.featured,
            uri,
            size,
            sha,
            model.created_at,
            model.updated_at,
        ],
    )?;
    super::repos::assign_slug(conn, &model.project_id, &model.id, &d.name)?;
    Ok(())
}

/// Writes the editable metadata of an existing model.
pub fn update_details(
    conn: &Connection,
    id: &ModelId,
    details: &ModelDetails,
    now: &str,
) -> Result<(), StoreError> {
    conn.execute(
        "UPDATE models SET name = ?2, version = ?3, description = ?4, architecture = ?5, parameter_count = ?6, \
         active_parameter_count = ?7, context_length = ?8, license = ?9, quantization = ?10, format = ?11, \
         workload_type = ?12, updated_at = ?13 WHERE id = ?1",
        params![
            id,
            details.name,
            details.version,
            details.description,
            details.architecture.as_ref().map(Architecture::as_str),
            details.parameter_count.map(|p| p.get() as i64),
            details.active_parameter_count.map(|p| p.get() as i64),
            details.context_length.map(|c| c.get() as i64),
            details.license.as_ref().map(License::key),
            details.quantization,
            details.format,
            details.workload_type,
            now,
        ],
    )?;
    Ok(())
}

/// Marks a model changed (its lineage, say) so the index and its audit see a new revision.
pub fn touch(conn: &Connection, id: &ModelId, now: &str) -> Result<(), StoreError> {
    conn.execute(
        "UPDATE models SET updated_at = ?2 WHERE id = ?1",
        params![id, now],
    )?;
    Ok(())
}

/// Returns the model if it exists in that project.
pub fn find_model(
    conn: &Connection,
    project: &ProjectId,
    id: &ModelId,
) -> Result<Option<Model>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM models WHERE id = ?1 AND project_id = ?2");
    let row = conn
        .query_row(&sql, params![id, project], read_row)
        .optional()?;
    row.transpose()
}

/// Returns the model wherever it lives, for the catalog and the index.
pub fn find_model_anywhere(conn: &Connection, id: &ModelId) -> Result<Option<Model>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM models WHERE id = ?1");
    let row = conn.query_row(&sql, params![id], read_row).optional()?;
    row.transpose()
}

/// Returns the project's models, newest first.
pub fn list_models(
    conn: &Connection,
    project: &ProjectId,
    limit: u32,
    offset: u64,
) -> Result<Vec<Model>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM models WHERE project_id = ?1 ORDER BY created_at DESC, id LIMIT ?2 OFFSET ?3"
    );
    let mut statement = conn.prepare(&sql)?;
    let rows = statement.query_map(params![project, limit, offset as i64], read_row)?;
    let mut models = Vec::new();
    for row in rows {
        models.push(row??);
    }
    Ok(models)
}

/// Counts the project's models.
pub fn count_models(conn: &Connection, project: &ProjectId) -> Result<u64, StoreError> {
    let count: i64 = conn.query_row(
        "SELECT count(*) FROM models WHERE project_id = ?1",
        params![project],
        |r| r.get(0),
    )?;
    Ok(count as u64)
}

/// Sets `shared` when it differs, in one statement, so that the check and the write cannot be
/// separated by another writer (RELIABILITY T36). Returns whether anything changed.
pub fn set_shared(
    conn: &Connection,
    project: &ProjectId,
    id: &ModelId,
    shared: bool,
    now: &str,
) -> Result<bool, StoreError> {
    let changed = if shared {
        conn.execute(
            "UPDATE models SET shared = 1, shared_at = ?3, updated_at = ?3 WHERE id = ?1 AND project_id = ?2 AND shared = 0",
            params![id, project, now],
        )?
    } else {
        conn.execute(
            "UPDATE models SET shared = 0, updated_at = ?3 WHERE id = ?1 AND project_id = ?2 AND shared = 1",
            params![id, project, now],
        )?
    };
    Ok(changed == 1)
}

/// Sets `featured` when it differs (administrators only, checked by the caller). Returns
/// `None` when there is no such model, else whether anything changed.
pub fn set_featured(
    conn: &Connection,
    id: &ModelId,
    featured: bool,
    now: &str,
) -> Result<Option<bool>, StoreError> {
    let changed = conn.execute(
        "UPDATE models SET featured = ?2, updated_at = ?3 WHERE id = ?1 AND featured <> ?2",
        params![id, featured, now],
    )?;
    if changed == 1 {
        return Ok(Some(true));
    }
    let exists = conn
        .prepare_cached("SELECT 1 FROM models WHERE id = ?1")?
        .exists(params![id])?;
    Ok(exists.then_some(false))
}

/// Deletes the model; returns whether it existed in that project.
pub fn delete_model(
    conn: &Connection,
    project: &ProjectId,
    id: &ModelId,
) -> Result<bool, StoreError> {
    Ok(conn.execute(
        "DELETE FROM models WHERE id = ?1 AND project_id = ?2",
        params![id, project],
    )? == 1)
}

fn artifact_columns(artifact: Option<&Artifact>) -> (Option<&str>, Option<i64>, Option<&str>) {
    match artifact {
        None => (None, None, None),
        Some(Artifact::Uri(uri)) => (Some(uri), None, None),
        Some(Artifact::File { size, sha256 }) => (None, Some(*size as i64), Some(sha256)),
    }
}

/// Reads one row; a value that no longer validates is reported as corrupt rather than panicking.
pub(super) fn read_row(row: &Row<'_>) -> rusqlite::Result<Result<Model, StoreError>> {
    let positive = |value: Option<i64>| value.and_then(|v| u64::try_from(v).ok());
    let parameter_count = positive(row.get(6)?).map(ParameterCount::new);
    let active_parameter_count = positive(row.get(7)?).map(ParameterCount::new);
    let context_length = positive(row.get(8)?).map(ContextLength::new);
    let uri: Option<String> = row.get(16)?;
    let size: Option<i64> = row.get(17)?;
    let sha: Option<String> = row.get(18)?;
    let artifact = match (uri, size, sha) {
        (Some(uri), _, _) => Some(Artifact::Uri(uri)),
        (None, Some(size), Some(sha256)) => Some(Artifact::File {
            size: size.max(0) as u64,
            sha256,
        }),
        _ => None,
    };
    let id: ModelId = row.get(0)?;
    let corrupt = |what: &str| StoreError::Corrupt(format!("model {id}: {what}"));
    let details = ModelDetails {
        name: row.get(2)?,
        version: row.get(3)?,
        description: row.get(4)?,
        architecture: row
            .get::<_, Option<String>>(5)?
            .map(Architecture::from_stored),
        parameter_count: match parameter_count {
            Some(None) => return Ok(Err(corrupt("parameter_count"))),
            other => other.flatten(),
        },
        active_parameter_count: active_parameter_count.flatten(),
        context_length: match context_length {
            Some(None) => return Ok(Err(corrupt("context_length"))),
            other => other.flatten(),
        },
        license: row.get::<_, Option<String>>(9)?.map(License::from_stored),
        quantization: row.get(10)?,
        format: row.get(11)?,
        workload_type: row.get(12)?,
    };
    Ok(Ok(Model {
        id,
        project_id: row.get(1)?,
        details,
        shared: row.get(13)?,
        shared_at: row.get(14)?,
        featured: row.get(15)?,
        artifact,
        created_at: row.get(19)?,
        updated_at: row.get(20)?,
    }))
}
