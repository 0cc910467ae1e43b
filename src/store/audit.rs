//! The append-only `audit_log` table: who did what to which object, and when.

use rusqlite::{Connection, params};

use super::StoreError;
use crate::catalog::ids::ProjectId;

/// One audit entry to append.
#[derive(Debug, Clone)]
pub struct AuditEntry<'a> {
    pub actor: &'a str,
    pub project_id: Option<&'a ProjectId>,
    pub action: &'a str,
    pub target_kind: &'a str,
    pub target_id: &'a str,
    pub detail: Option<&'a str>,
}

pub fn append(conn: &Connection, entry: &AuditEntry<'_>, now: &str) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO audit_log (at, actor, project_id, action, target_kind, target_id, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![now, entry.actor, entry.project_id, entry.action, entry.target_kind, entry.target_id, entry.detail],
    )?;
    Ok(())
}

/// A stored audit entry.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditRecord {
    pub at: String,
    pub actor: String,
    pub action: String,
    pub target_id: String,
}

/// Returns the entries about one target, oldest first.
pub fn entries_for(
    conn: &Connection,
    target_kind: &str,
    target_id: &str,
) -> Result<Vec<AuditRecord>, StoreError> {
    let mut statement = conn.prepare("SELECT at, actor, action, target_id FROM audit_log WHERE target_kind = ?1 AND target_id = ?2 ORDER BY id")?;
    let rows = statement.query_map(params![target_kind, target_id], |row| {
        Ok(AuditRecord {
            at: row.get(0)?,
            actor: row.get(1)?,
            action: row.get(2)?,
            target_id: row.get(3)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}
