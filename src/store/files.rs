//! The uploaded file of a model: size and digest on the model row, what the file says in
//! `model_files`.

use rusqlite::{Connection, OptionalExtension, params};

use super::StoreError;
use crate::catalog::file_meta::FileMetadata;
use crate::catalog::ids::{ModelId, ProjectId};

/// Records the stored file of a model and what it says; replaces any earlier file or URI.
pub fn set_file(
    conn: &Connection,
    id: &ModelId,
    size: u64,
    sha256: &str,
    metadata: &FileMetadata,
    now: &str,
) -> Result<(), StoreError> {
    let json = serde_json::to_string(metadata).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    conn.execute(
        "UPDATE models SET artifact_uri = NULL, artifact_size = ?2, artifact_sha256 = ?3, updated_at = ?4 WHERE id = ?1",
        params![id, size as i64, sha256, now],
    )?;
    conn.execute(
        "INSERT INTO model_files (model_id, metadata, uploaded_at) VALUES (?1, ?2, ?3) \
         ON CONFLICT (model_id) DO UPDATE SET metadata = excluded.metadata, uploaded_at = excluded.uploaded_at",
        params![id, json, now],
    )?;
    Ok(())
}

/// Bytes of uploaded files the project's models hold, not counting `except`'s (which an upload
/// is about to replace).
pub fn stored_bytes(
    conn: &Connection,
    project: &crate::catalog::ids::ProjectId,
    except: Option<&ModelId>,
) -> Result<u64, StoreError> {
    let total: i64 = conn.query_row(
        "SELECT COALESCE(SUM(artifact_size), 0) FROM models
          WHERE project_id = ?1 AND (?2 IS NULL OR id <> ?2) AND artifact_sha256 IS NOT NULL",
        params![project, except],
        |r| r.get(0),
    )?;
    Ok(total.max(0) as u64)
}

pub fn file_metadata(conn: &Connection, id: &ModelId) -> Result<Option<FileMetadata>, StoreError> {
    let json: Option<String> = conn
        .query_row(
            "SELECT metadata FROM model_files WHERE model_id = ?1",
            params![id],
            |r| r.get(0),
        )
        .optional()?;
    json.map(|j| serde_json::from_str(&j).map_err(|e| StoreError::Corrupt(e.to_string())))
        .transpose()
}

/// Other models of the project whose file has these bytes, as (id, name).
pub fn same_bytes_in_project(
    conn: &Connection,
    project: &ProjectId,
    except: &ModelId,
    sha256: &str,
) -> Result<Vec<(String, String)>, StoreError> {
    let mut statement = conn.prepare(
        "SELECT id, name FROM models WHERE project_id = ?1 AND id <> ?2 AND artifact_sha256 = ?3 ORDER BY created_at LIMIT 5",
    )?;
    let rows = statement.query_map(params![project, except, sha256], |row| {
        Ok((row.get(0)?, row.get(1)?))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Records what a model's repository files say, without touching its single-file columns.
pub fn set_metadata(
    conn: &Connection,
    id: &ModelId,
    metadata: &FileMetadata,
    now: &str,
) -> Result<(), StoreError> {
    let json = serde_json::to_string(metadata).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    conn.execute(
        "INSERT INTO model_files (model_id, metadata, uploaded_at) VALUES (?1, ?2, ?3) \
         ON CONFLICT (model_id) DO UPDATE SET metadata = excluded.metadata, uploaded_at = excluded.uploaded_at",
        params![id, json, now],
    )?;
    Ok(())
}
