//! The `projects` and `memberships` tables.

use rusqlite::{Connection, OptionalExtension, params};

use super::StoreError;
use crate::catalog::ids::{ProjectId, ProjectSlug};

/// A project row.
#[derive(Debug, Clone, PartialEq)]
pub struct Project {
    pub id: ProjectId,
    pub slug: ProjectSlug,
    pub name: String,
    pub created_at: String,
}

/// A project with how many models it has, for listings.
#[derive(Debug, Clone, PartialEq)]
pub struct ProjectSummary {
    pub project: Project,
    pub model_count: u64,
    pub shared_count: u64,
}

/// Inserts a project; a taken slug is a `Conflict`.
pub fn insert_project(conn: &Connection, project: &Project) -> Result<(), StoreError> {
    let result = conn.execute(
        "INSERT INTO projects (id, slug, name, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![
            project.id,
            project.slug.as_str(),
            project.name,
            project.created_at
        ],
    );
    match result.map_err(StoreError::from) {
        Err(e) if e.is_unique_violation() => Err(StoreError::Conflict(format!(
            "a project with slug `{}` already exists",
            project.slug
        ))),
        other => other.map(|_| ()),
    }
}

pub fn find_project(conn: &Connection, id: &ProjectId) -> Result<Option<Project>, StoreError> {
    conn.query_row(
        "SELECT id, slug, name, created_at FROM projects WHERE id = ?1",
        params![id],
        read_project,
    )
    .optional()?
    .transpose()
}

pub fn find_project_by_slug(
    conn: &Connection,
    slug: &ProjectSlug,
) -> Result<Option<Project>, StoreError> {
    conn.query_row(
        "SELECT id, slug, name, created_at FROM projects WHERE slug = ?1",
        params![slug.as_str()],
        read_project,
    )
    .optional()?
    .transpose()
}

/// Returns every project with its model counts, oldest first.
pub fn list_projects(conn: &Connection) -> Result<Vec<ProjectSummary>, StoreError> {
    let mut statement = conn.prepare(
        "SELECT p.id, p.slug, p.name, p.created_at, count(m.id), coalesce(sum(m.shared), 0) \
         FROM projects p LEFT JOIN models m ON m.project_id = p.id GROUP BY p.id ORDER BY p.created_at, p.id",
    )?;
    let rows = statement.query_map([], |row| {
        let project = read_project(row)?;
        let model_count: i64 = row.get(4)?;
        let shared_count: i64 = row.get(5)?;
        Ok(project.map(|project| ProjectSummary {
            project,
            model_count: model_count as u64,
            shared_count: shared_count as u64,
        }))
    })?;
    let mut summaries = Vec::new();
    for row in rows {
        summaries.push(row??);
    }
    Ok(summaries)
}

/// Adds a user to a project (or changes their role).
pub fn upsert_membership(
    conn: &Connection,
    project: &ProjectId,
    user_id: i64,
    role: &str,
    now: &str,
) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO memberships (project_id, user_id, role, created_at) VALUES (?1, ?2, ?3, ?4) \
         ON CONFLICT (project_id, user_id) DO UPDATE SET role = excluded.role",
        params![project, user_id, role, now],
    )?;
    Ok(())
}

/// The user's role in the project (`owner` or `member`), or `None` when not a member.
pub fn membership_role(
    conn: &Connection,
    project: &ProjectId,
    user_id: i64,
) -> Result<Option<String>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT role FROM memberships WHERE project_id = ?1 AND user_id = ?2",
            params![project, user_id],
            |row| row.get(0),
        )
        .optional()?)
}

fn read_project(row: &rusqlite::Row<'_>) -> rusqlite::Result<Result<Project, StoreError>> {
    let slug: String = row.get(1)?;
    let Some(slug) = ProjectSlug::parse(&slug) else {
        return Ok(Err(StoreError::Corrupt(format!("project slug `{slug}`"))));
    };
    Ok(Ok(Project {
        id: row.get(0)?,
        slug,
        name: row.get(2)?,
        created_at: row.get(3)?,
    }))
}
