//! One page of a project's models for the "My models" page: a name filter, an order, a slice
//! and the count of every match, in SQL so that a project of any size pages cheaply.

use rusqlite::{Connection, params};

use super::StoreError;
use super::models::{COLUMNS, read_row};
use crate::catalog::ids::ProjectId;
use crate::catalog::model::Model;

/// The orders of a project's model list (the "My models" page's sortable columns).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ModelOrder {
    /// Most recently registered first.
    #[default]
    Newest,
    /// By name, A to Z, ignoring ASCII case.
    Name,
    /// Most parameters first; models that state none come last.
    Size,
    /// Shared models first, then by name.
    Shared,
}

impl ModelOrder {
    fn order_by(self) -> &'static str {
        // `id` last: rows that tie keep one order from page to page.
        match self {
            Self::Newest => "created_at DESC, id",
            Self::Name => "name COLLATE NOCASE, id",
            Self::Size => "parameter_count IS NULL, parameter_count DESC, id",
            Self::Shared => "shared DESC, name COLLATE NOCASE, id",
        }
    }
}

/// Which of a project's models one list page shows.
#[derive(Debug, Clone, Default)]
pub struct ModelSlice {
    /// Keeps the models whose name contains this text, ignoring ASCII case (SQLite's `LIKE`);
    /// `None` keeps them all.
    pub name_contains: Option<String>,
    /// The order of the rows, which the slice is cut from.
    pub order: ModelOrder,
    /// At most this many rows.
    pub limit: u32,
    /// Rows skipped before the first one returned.
    pub offset: u64,
}

/// Returns one slice of the project's models and how many match in all.
pub fn list_models_matching(
    conn: &Connection,
    project: &ProjectId,
    slice: &ModelSlice,
) -> Result<(Vec<Model>, u64), StoreError> {
    let pattern = slice.name_contains.as_deref().map(like_pattern);
    let filter = r"project_id = ?1 AND (?2 IS NULL OR name LIKE ?2 ESCAPE '\')";
    let sql = format!(
        "SELECT {COLUMNS} FROM models WHERE {filter} ORDER BY {} LIMIT ?3 OFFSET ?4",
        slice.order.order_by()
    );
    let mut statement = conn.prepare(&sql)?;
    let offset = i64::try_from(slice.offset).unwrap_or(i64::MAX);
    let rows = statement.query_map(params![project, pattern, slice.limit, offset], read_row)?;
    let mut models = Vec::new();
    for row in rows {
        models.push(row??);
    }
    let total: i64 = conn.query_row(
        &format!("SELECT count(*) FROM models WHERE {filter}"),
        params![project, pattern],
        |r| r.get(0),
    )?;
    Ok((models, total as u64))
}

/// A `LIKE` pattern matching `text` anywhere, its own `%`, `_` and `\` taken literally.
fn like_pattern(text: &str) -> String {
    let mut pattern = String::with_capacity(text.len() + 2);
    pattern.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::ids::ModelId;
    use crate::catalog::ids::ProjectSlug;
    use crate::catalog::model::ModelDetails;
    use crate::catalog::units::ParameterCount;
    use crate::store::models::insert_model;
    use crate::store::projects::{Project, insert_project};

    fn project_with(names: &[(&str, Option<u64>, bool)]) -> (Connection, ProjectId) {
        let mut conn = Connection::open_in_memory().unwrap();
        crate::store::migrations::migrate(&mut conn).unwrap();
        let project = ProjectId::parse("proj_A").unwrap();
        let project_row = Project {
            id: project.clone(),
            slug: ProjectSlug::parse("alpha").unwrap(),
            name: "A".into(),
            created_at: "t".into(),
        };
        insert_project(&conn, &project_row).unwrap();
        for (n, (name, parameters, shared)) in names.iter().enumerate() {
            let details = ModelDetails {
                name: (*name).to_owned(),
                version: None,
                description: String::new(),
                architecture: None,
                parameter_count: parameters.and_then(ParameterCount::new),
                active_parameter_count: None,
                context_length: None,
                license: None,
                quantization: None,
                format: None,
                workload_type: None,
            };
            let created = format!("2025-01-0{n}");
            let model = Model {
                id: ModelId::generate(),
                project_id: project.clone(),
                details,
                shared: *shared,
                shared_at: None,
                featured: false,
                artifact: None,
                created_at: created.clone(),
                updated_at: created,
            };
            insert_model(&conn, &model).unwrap();
        }
        (conn, project)
    }

    fn names(conn: &Connection, project: &ProjectId, slice: &ModelSlice) -> (Vec<String>, u64) {
        let (models, total) = list_models_matching(conn, project, slice).unwrap();
        (models.into_iter().map(|m| m.details.name).collect(), total)
    }

    fn slice(name_contains: Option<&str>, order: ModelOrder) -> ModelSlice {
        ModelSlice {
            name_contains: name_contains.map(str::to_owned),
            order,
            limit: 10,
            offset: 0,
        }
    }

    #[test]
    fn each_order_sorts_as_its_column_says() {
        let (conn, project) = project_with(&[
            ("beta", Some(7_000_000_000), false),
            ("Alpha", None, true),
            ("gamma", Some(70_000_000_000), false),
        ]);
        let cases = [
            (ModelOrder::Newest, ["gamma", "Alpha", "beta"]),
            (ModelOrder::Name, ["Alpha", "beta", "gamma"]),
            (ModelOrder::Size, ["gamma", "beta", "Alpha"]),
            (ModelOrder::Shared, ["Alpha", "beta", "gamma"]),
        ];
        for (order, expected) in cases {
            let (found, total) = names(&conn, &project, &slice(None, order));
            assert_eq!(found, expected, "{order:?}");
            assert_eq!(total, 3, "{order:?}");
        }
    }

    #[test]
    fn the_name_filter_ignores_case_and_takes_wildcards_literally() {
        let (conn, project) = project_with(&[
            ("Qwen3-30B", None, false),
            ("my_model", None, false),
            ("myXmodel", None, false),
            ("100%", None, false),
            (r"back\slash", None, false),
        ]);
        let cases = [
            ("qWEN", vec!["Qwen3-30B"]),
            ("my_", vec!["my_model"]),
            ("%", vec!["100%"]),
            (r"\", vec![r"back\slash"]),
            ("nothing", vec![]),
        ];
        for (text, expected) in cases {
            let (found, total) = names(&conn, &project, &slice(Some(text), ModelOrder::Name));
            assert_eq!(found, expected, "`{text}`");
            assert_eq!(total, expected.len() as u64, "`{text}`");
        }
    }

    #[test]
    fn a_slice_past_the_end_is_empty_but_still_counts() {
        let (conn, project) = project_with(&[("a", None, false), ("b", None, false)]);
        let past = ModelSlice {
            offset: 50,
            ..slice(None, ModelOrder::Newest)
        };
        assert_eq!(names(&conn, &project, &past), (vec![], 2));
        let huge = ModelSlice {
            offset: u64::MAX,
            ..slice(None, ModelOrder::Newest)
        };
        assert_eq!(names(&conn, &project, &huge), (vec![], 2));
    }
}
