//! Rows in and out of catalog bundles (issue 15): a model with its slug, file metadata and
//! revisions as one `BundleModel`, and the writes an import makes with the ids the bundle keeps.

use rusqlite::{Connection, OptionalExtension, params};

use super::StoreError;
use super::models::{COLUMNS, read_row};
use crate::catalog::architecture::Architecture;
use crate::catalog::bundle::{BundleModel, BundleRevision};
use crate::catalog::ids::{ModelId, ProjectId};
use crate::catalog::license::License;
use crate::catalog::model::{Artifact, Model};
use crate::catalog::repo::{RepoFile, Revision};

/// The models an export may carry, oldest first: the project's (or every project's), shared
/// ones only when asked.
pub fn candidate_models(
    conn: &Connection,
    project: Option<&ProjectId>,
    shared_only: bool,
) -> Result<Vec<Model>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM models WHERE (?1 IS NULL OR project_id = ?1) AND (?2 = 0 OR shared = 1)
         ORDER BY created_at, id"
    );
    let mut statement = conn.prepare(&sql)?;
    let rows = statement.query_map(params![project, shared_only], read_row)?;
    let mut models = Vec::new();
    for row in rows {
        models.push(row??);
    }
    Ok(models)
}

/// Endpoints made from the model, in any project (the catalog's deployment count).
pub fn deployment_count(conn: &Connection, model: &ModelId) -> Result<u64, StoreError> {
    let count: i64 = conn
        .prepare_cached("SELECT count(*) FROM endpoints WHERE model_id = ?1")?
        .query_row(params![model], |r| r.get(0))?;
    Ok(count.max(0) as u64)
}

/// The bundle form of a stored model: its row, slug, file metadata and every revision.
pub fn bundle_model(conn: &Connection, model: &Model) -> Result<BundleModel, StoreError> {
    let slug: Option<String> = conn
        .prepare_cached("SELECT slug FROM models WHERE id = ?1")?
        .query_row(params![model.id], |r| r.get(0))
        .optional()?
        .flatten();
    let metadata = super::files::file_metadata(conn, &model.id)?;
    let mut revisions = Vec::new();
    let mut statement = conn.prepare_cached(
        "SELECT id, parent, seq, message, created_at FROM revisions WHERE model_id = ?1 ORDER BY seq",
    )?;
    let rows = statement.query_map(params![model.id], |r| {
        Ok(Revision {
            id: r.get(0)?,
            parent: r.get(1)?,
            seq: r.get::<_, i64>(2)?.max(0) as u64,
            message: r.get(3)?,
            created_at: r.get(4)?,
        })
    })?;
    for row in rows {
        let revision = row?;
        let files = super::repos::revision_files(conn, &revision.id)?;
        revisions.push(BundleRevision {
            id: revision.id,
            parent: revision.parent,
            seq: revision.seq,
            message: revision.message,
            created_at: revision.created_at,
            files,
        });
    }
    Ok(BundleModel::from_model(model, slug, metadata, revisions))
}

/// Overwrites every stored field of an existing model with `model`'s (an import's update).
pub fn replace_model(conn: &Connection, model: &Model) -> Result<(), StoreError> {
    let d = &model.details;
    let (uri, size, sha) = match &model.artifact {
        None => (None, None, None),
        Some(Artifact::Uri(uri)) => (Some(uri.as_str()), None, None),
        Some(Artifact::File { size, sha256 }) => (None, Some(*size as i64), Some(sha256.as_str())),
    };
    conn.execute(
        "UPDATE models SET name = ?2, version = ?3, description = ?4, architecture = ?5,
           parameter_count = ?6, active_parameter_count = ?7, context_length = ?8, license = ?9,
           quantization = ?10, format = ?11, workload_type = ?12, shared = ?13, shared_at = ?14,
           featured = ?15, artifact_uri = ?16, artifact_size = ?17, artifact_sha256 = ?18,
           created_at = ?19, updated_at = ?20
         WHERE id = ?1",
        params![
            model.id,
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
    Ok(())
}

/// Gives the model `slug` when no other model of its project holds it; returns whether it did
/// (otherwise the slug derived from the name, set on insert, stays).
pub fn take_slug_if_free(
    conn: &Connection,
    project: &ProjectId,
    model: &ModelId,
    slug: &str,
) -> Result<bool, StoreError> {
    let taken = conn
        .prepare_cached("SELECT 1 FROM models WHERE project_id = ?1 AND slug = ?2 AND id <> ?3")?
        .exists(params![project, slug, model])?;
    if !taken {
        conn.execute(
            "UPDATE models SET slug = ?2 WHERE id = ?1",
            params![model, slug],
        )?;
    }
    Ok(!taken)
}

/// The model a revision id belongs to here, if any.
pub fn revision_owner(conn: &Connection, revision: &str) -> Result<Option<ModelId>, StoreError> {
    Ok(conn
        .prepare_cached("SELECT model_id FROM revisions WHERE id = ?1")?
        .query_row(params![revision], |r| r.get(0))
        .optional()?)
}

/// The model's revisions as (seq, id), oldest first.
pub fn revision_ids(conn: &Connection, model: &ModelId) -> Result<Vec<(u64, String)>, StoreError> {
    let mut statement =
        conn.prepare_cached("SELECT seq, id FROM revisions WHERE model_id = ?1 ORDER BY seq")?;
    let rows = statement.query_map(params![model], |r| {
        Ok((r.get::<_, i64>(0)?.max(0) as u64, r.get(1)?))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Records a revision exactly as another install made it (id, parent, seq and time kept).
pub fn insert_revision_as_is(
    conn: &Connection,
    model: &ModelId,
    revision: &Revision,
    files: &[RepoFile],
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO revisions (id, model_id, parent, seq, message, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        revision.id,
        model,
        revision.parent,
        revision.seq as i64,
        revision.message,
        revision.created_at
    ])?;
    let mut statement = conn.prepare_cached(
        "INSERT INTO revision_files (revision_id, path, sha256, size) VALUES (?1, ?2, ?3, ?4)",
    )?;
    for file in files {
        statement.execute(params![
            revision.id,
            file.path,
            file.sha256,
            file.size as i64
        ])?;
    }
    Ok(())
}

/// Removes the model's file metadata (an import of a model whose files say nothing).
pub fn clear_file_metadata(conn: &Connection, model: &ModelId) -> Result<(), StoreError> {
    conn.execute(
        "DELETE FROM model_files WHERE model_id = ?1",
        params![model],
    )?;
    Ok(())
}

/// The project that holds the model, if any project does.
pub fn model_project(conn: &Connection, model: &ModelId) -> Result<Option<ProjectId>, StoreError> {
    Ok(conn
        .prepare_cached("SELECT project_id FROM models WHERE id = ?1")?
        .query_row(params![model], |r| r.get(0))
        .optional()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::ids::ProjectSlug;
    use crate::catalog::model::{Model, ModelDetails};
    use crate::store::projects::{Project, insert_project};

    fn setup() -> (Connection, ProjectId, Model) {
        let mut conn = Connection::open_in_memory().unwrap();
        crate::store::migrations::migrate(&mut conn).unwrap();
        let project = ProjectId::parse("proj_A").unwrap();
        insert_project(
            &conn,
            &Project {
                id: project.clone(),
                slug: ProjectSlug::parse("alpha").unwrap(),
                name: "A".into(),
                created_at: "t".into(),
            },
        )
        .unwrap();
        let model = Model {
            id: ModelId::generate(),
            project_id: project.clone(),
            details: ModelDetails {
                name: "M".into(),
                version: None,
                description: String::new(),
                architecture: None,
                parameter_count: None,
                active_parameter_count: None,
                context_length: None,
                license: None,
                quantization: None,
                format: None,
                workload_type: None,
            },
            shared: true,
            shared_at: Some("t".into()),
            featured: false,
            artifact: None,
            created_at: "t".into(),
            updated_at: "t".into(),
        };
        crate::store::models::insert_model(&conn, &model).unwrap();
        (conn, project, model)
    }

    #[test]
    fn a_model_round_trips_through_its_bundle_form() {
        let (conn, project, model) = setup();
        let revision = Revision {
            id: "b".repeat(40),
            parent: None,
            seq: 1,
            message: "first".into(),
            created_at: "t".into(),
        };
        let file = RepoFile {
            path: "config.json".into(),
            sha256: "c".repeat(64),
            size: 3,
        };
        insert_revision_as_is(&conn, &model.id, &revision, std::slice::from_ref(&file)).unwrap();
        let bundled = bundle_model(&conn, &model).unwrap();
        assert_eq!(bundled.slug.as_deref(), Some("m"));
        assert_eq!(bundled.revisions.len(), 1);
        assert_eq!(bundled.revisions[0].files, vec![file]);
        assert_eq!(bundled.to_model(&project).unwrap(), model);
    }

    #[test]
    fn a_taken_slug_is_not_taken_twice() {
        let (conn, project, model) = setup();
        let other = Model {
            id: ModelId::generate(),
            ..model.clone()
        };
        crate::store::models::insert_model(&conn, &other).unwrap();
        assert!(!take_slug_if_free(&conn, &project, &other.id, "m").unwrap());
        assert!(take_slug_if_free(&conn, &project, &other.id, "fresh").unwrap());
    }
}
