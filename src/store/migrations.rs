//! Versioned migrations: `schema.sql` holds every released step as a `-- migration N` block;
//! `PRAGMA user_version` records the last one applied. Each step runs in its own transaction.

use rusqlite::Connection;

use super::StoreError;

const SCHEMA: &str = include_str!("../../schema.sql");
const MARKER: &str = "-- migration ";

/// Returns the released steps in order, as (version, SQL). A step starts at a line that is
/// exactly `-- migration N`.
fn steps() -> Vec<(u32, String)> {
    let mut steps: Vec<(u32, String)> = Vec::new();
    for line in SCHEMA.lines() {
        let marker = line
            .strip_prefix(MARKER)
            .and_then(|n| n.trim().parse::<u32>().ok());
        match (marker, steps.last_mut()) {
            (Some(version), _) => steps.push((version, String::new())),
            (None, Some((_, sql))) => {
                sql.push_str(line);
                sql.push('\n');
            }
            (None, None) => {}
        }
    }
    steps
}

/// The schema version this binary writes.
pub fn latest_version() -> u32 {
    steps().last().map_or(0, |(version, _)| *version)
}

/// Applies every step newer than the database's `user_version`.
pub fn migrate(connection: &mut Connection) -> Result<(), StoreError> {
    let current: u32 = connection.pragma_query_value(None, "user_version", |row| row.get(0))?;
    let latest = latest_version();
    if current > latest {
        return Err(StoreError::SchemaTooNew {
            found: current,
            known: latest,
        });
    }
    for (version, sql) in steps()
        .into_iter()
        .filter(|(version, _)| *version > current)
    {
        let tx = connection.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        tx.execute_batch(&sql)
            .map_err(|source| StoreError::Migration {
                step: version,
                source,
            })?;
        tx.pragma_update(None, "user_version", version)
            .map_err(|source| StoreError::Migration {
                step: version,
                source,
            })?;
        tx.commit()?;
        tracing::info!(version, "database migrated");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_are_numbered_from_one_without_gaps() {
        let versions: Vec<u32> = steps().iter().map(|(v, _)| *v).collect();
        assert_eq!(versions, (1..=versions.len() as u32).collect::<Vec<_>>());
    }

    #[test]
    fn migrating_twice_is_a_no_op() {
        let mut connection = Connection::open_in_memory().unwrap();
        migrate(&mut connection).unwrap();
        migrate(&mut connection).unwrap();
        let version: u32 = connection
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(version, latest_version());
    }

    #[test]
    fn a_newer_database_is_refused() {
        let mut connection = Connection::open_in_memory().unwrap();
        connection.pragma_update(None, "user_version", 999).unwrap();
        assert!(matches!(
            migrate(&mut connection),
            Err(StoreError::SchemaTooNew { .. })
        ));
    }
}
