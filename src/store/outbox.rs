//! The `catalog_outbox` table: models whose catalog entry changed, waiting for the search index.
//! A row is written in the same transaction as the change, and removed only after the index
//! commit that reflects it, so a crash between the two loses nothing (SPEC §7).

use rusqlite::{Connection, params};

use super::StoreError;
use crate::catalog::ids::ModelId;

pub fn enqueue(conn: &Connection, model: &ModelId, now: &str) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO catalog_outbox (model_id, enqueued_at) VALUES (?1, ?2)",
        params![model, now],
    )?;
    Ok(())
}

/// Returns up to `limit` pending rows as (sequence, model), oldest first.
pub fn pending(conn: &Connection, limit: u32) -> Result<Vec<(i64, ModelId)>, StoreError> {
    let mut statement =
        conn.prepare("SELECT seq, model_id FROM catalog_outbox ORDER BY seq LIMIT ?1")?;
    let rows = statement.query_map(params![limit], |row| Ok((row.get(0)?, row.get(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Removes every row up to and including `seq`.
pub fn acknowledge(conn: &Connection, seq: i64) -> Result<usize, StoreError> {
    Ok(conn.execute("DELETE FROM catalog_outbox WHERE seq <= ?1", params![seq])?)
}

/// The newest sequence number, or 0 when the outbox is empty.
pub fn max_seq(conn: &Connection) -> Result<i64, StoreError> {
    Ok(conn.query_row(
        "SELECT coalesce(max(seq), 0) FROM catalog_outbox",
        [],
        |r| r.get(0),
    )?)
}

/// How many rows wait.
pub fn pending_count(conn: &Connection) -> Result<u64, StoreError> {
    let count: i64 = conn.query_row("SELECT count(*) FROM catalog_outbox", [], |r| r.get(0))?;
    Ok(count as u64)
}
