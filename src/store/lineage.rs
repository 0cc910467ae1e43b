//! The `model_lineage` table: base model, relation and successor of a model (issue 27).

use std::collections::HashMap;

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::StoreError;
use crate::catalog::ids::{ModelId, ProjectId};
use crate::catalog::lineage::{Lineage, Relation};

/// Columns `read` takes: the row's, then the base's name when it is in the same project.
const SELECT: &str = "SELECT l.base_id, l.base_name, l.relation, l.superseded_by,
    CASE WHEN b.project_id = m.project_id THEN b.name END, l.model_id
    FROM model_lineage l JOIN models m ON m.id = l.model_id
    LEFT JOIN models b ON b.id = l.base_id";

/// The same as the catalog may show it: a base or successor only while it is shared (a private
/// model of any project is never named by a public entry), and a relation only with a base.
const PUBLIC_SELECT: &str = "SELECT CASE WHEN b.shared = 1 THEN l.base_id END, l.base_name,
    CASE WHEN b.shared = 1 OR l.base_name IS NOT NULL THEN l.relation END,
    CASE WHEN s.shared = 1 THEN l.superseded_by END,
    CASE WHEN b.project_id = m.project_id AND b.shared = 1 THEN b.name END, l.model_id
    FROM model_lineage l JOIN models m ON m.id = l.model_id
    LEFT JOIN models b ON b.id = l.base_id LEFT JOIN models s ON s.id = l.superseded_by";

fn read(row: &Row<'_>) -> rusqlite::Result<Lineage> {
    let relation: Option<String> = row.get(2)?;
    Ok(Lineage {
        base_id: row.get(0)?,
        base_name: row.get(1)?,
        relation: relation.as_deref().and_then(Relation::parse),
        superseded_by: row.get(3)?,
        base_group_name: row.get(4)?,
    })
}

/// The lineage of one model (empty when nothing is recorded).
pub fn lineage_of(conn: &Connection, id: &ModelId) -> Result<Lineage, StoreError> {
    Ok(conn
        .query_row(
            &format!("{SELECT} WHERE l.model_id = ?1"),
            params![id],
            read,
        )
        .optional()?
        .unwrap_or_default())
}

/// The lineage of one model as the public catalog may show it (see `PUBLIC_SELECT`).
pub fn public_lineage_of(conn: &Connection, id: &ModelId) -> Result<Lineage, StoreError> {
    Ok(conn
        .query_row(
            &format!("{PUBLIC_SELECT} WHERE l.model_id = ?1"),
            params![id],
            read,
        )
        .optional()?
        .unwrap_or_default())
}

/// Every recorded lineage as the public catalog may show it, by model: one read for a
/// whole-catalog pass (the table holds only models with a lineage).
pub fn all_lineage(conn: &Connection) -> Result<HashMap<ModelId, Lineage>, StoreError> {
    let mut statement = conn.prepare(PUBLIC_SELECT)?;
    let rows = statement.query_map([], |row| Ok((row.get::<_, ModelId>(5)?, read(row)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Writes a model's lineage; an empty one removes its row.
pub fn set_lineage(conn: &Connection, id: &ModelId, lineage: &Lineage) -> Result<(), StoreError> {
    if lineage.is_empty() {
        conn.execute("DELETE FROM model_lineage WHERE model_id = ?1", params![id])?;
        return Ok(());
    }
    conn.execute(
        "INSERT INTO model_lineage (model_id, base_id, base_name, relation, superseded_by)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (model_id) DO UPDATE SET base_id = excluded.base_id,
           base_name = excluded.base_name, relation = excluded.relation,
           superseded_by = excluded.superseded_by",
        params![
            id,
            lineage.base_id,
            lineage.base_name,
            lineage.relation.map(Relation::as_str),
            lineage.superseded_by,
        ],
    )?;
    Ok(())
}

/// A model derived from another, as the base's page lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Derived {
    pub id: ModelId,
    pub name: String,
    pub relation: Relation,
    pub project_id: ProjectId,
    pub shared: bool,
}

/// The models derived from `base` that `viewer` may see (shared ones, and its own project's),
/// by name.
pub fn derived_from(
    conn: &Connection,
    base: &ModelId,
    viewer: Option<&ProjectId>,
) -> Result<Vec<Derived>, StoreError> {
    let mut statement = conn.prepare(
        "SELECT m.id, m.name, l.relation, m.project_id, m.shared FROM model_lineage l
         JOIN models m ON m.id = l.model_id
         WHERE l.base_id = ?1 AND (m.shared = 1 OR m.project_id = ?2)
         ORDER BY m.name COLLATE NOCASE, m.id",
    )?;
    let rows = statement.query_map(params![base, viewer], |row| {
        let relation: Option<String> = row.get(2)?;
        Ok(Derived {
            id: row.get(0)?,
            name: row.get(1)?,
            relation: relation
                .as_deref()
                .and_then(Relation::parse)
                .unwrap_or(Relation::Finetune),
            project_id: row.get(3)?,
            shared: row.get(4)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Models whose lineage names this one as base or successor: their catalog entries show it.
pub fn linked_to(conn: &Connection, id: &ModelId) -> Result<Vec<ModelId>, StoreError> {
    let mut statement = conn
        .prepare("SELECT model_id FROM model_lineage WHERE base_id = ?1 OR superseded_by = ?1")?;
    let rows = statement.query_map(params![id], |row| row.get(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}
