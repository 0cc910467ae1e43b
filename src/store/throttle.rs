//! The `login_throttle` and `server_secrets` tables: failure counters the login throttle reads
//! (and `admin unlock-user` clears), and the secret that signs device cookies.

use rusqlite::{Connection, OptionalExtension, params};

use super::StoreError;

/// Failures counted under one key within its current window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FailureCount {
    pub failures: u32,
    /// Unix milliseconds.
    pub last_failure_at: i64,
}

/// The failures counted under `key`, unless its window ended at or before `now` (ms).
pub fn find_failures(
    conn: &Connection,
    key: &str,
    now: i64,
) -> Result<Option<FailureCount>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT failures, last_failure_at FROM login_throttle WHERE key = ?1 AND window_ends_at > ?2",
            params![key, now],
            |row| {
                Ok(FailureCount {
                    failures: row.get(0)?,
                    last_failure_at: row.get(1)?,
                })
            },
        )
        .optional()?)
}

/// Counts one failure under `key`: a key without a live window starts a new one of
/// `window_ms` with one failure. Also prunes every row whose window has ended.
pub fn record_failure(
    conn: &Connection,
    key: &str,
    account: Option<&str>,
    now: i64,
    window_ms: i64,
) -> Result<(), StoreError> {
    // SQLite evaluates every right-hand side on the old row, so the CASEs agree.
    conn.execute(
        "INSERT INTO login_throttle (key, account, failures, last_failure_at, window_ends_at) VALUES (?1, ?2, 1, ?3, ?3 + ?4) \
         ON CONFLICT (key) DO UPDATE SET \
           failures = CASE WHEN window_ends_at <= ?3 THEN 1 ELSE failures + 1 END, \
           window_ends_at = CASE WHEN window_ends_at <= ?3 THEN ?3 + ?4 ELSE window_ends_at END, \
           last_failure_at = ?3",
        params![key, account, now, window_ms],
    )?;
    conn.execute(
        "DELETE FROM login_throttle WHERE window_ends_at <= ?1",
        params![now],
    )?;
    Ok(())
}

/// Forgets the failures under these keys (a successful login).
pub fn clear_failures(conn: &Connection, keys: &[String]) -> Result<(), StoreError> {
    for key in keys {
        conn.execute("DELETE FROM login_throttle WHERE key = ?1", params![key])?;
    }
    Ok(())
}

/// Forgets the failures of an account and of all its devices; returns how many rows went.
pub fn clear_account(conn: &Connection, account: &str) -> Result<usize, StoreError> {
    Ok(conn.execute(
        "DELETE FROM login_throttle WHERE account = ?1",
        params![account],
    )?)
}

/// The secret called `name`, stored as `candidate` first if there was none; concurrent
/// first calls (server and admin command) agree on one value.
pub fn ensure_secret(
    conn: &Connection,
    name: &str,
    candidate: &[u8],
    now: &str,
) -> Result<Vec<u8>, StoreError> {
    conn.execute(
        "INSERT OR IGNORE INTO server_secrets (name, value, created_at) VALUES (?1, ?2, ?3)",
        params![name, candidate, now],
    )?;
    Ok(conn.query_row(
        "SELECT value FROM server_secrets WHERE name = ?1",
        params![name],
        |row| row.get(0),
    )?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn database() -> Connection {
        let mut conn = Connection::open_in_memory().unwrap();
        super::super::migrations::migrate(&mut conn).unwrap();
        conn
    }

    #[test]
    fn failures_count_within_a_window_and_restart_after_it() {
        let conn = database();
        assert_eq!(find_failures(&conn, "account:a", 0).unwrap(), None);
        record_failure(&conn, "account:a", Some("a"), 1_000, 10_000).unwrap();
        record_failure(&conn, "account:a", Some("a"), 2_000, 10_000).unwrap();
        let count = find_failures(&conn, "account:a", 3_000).unwrap().unwrap();
        assert_eq!((count.failures, count.last_failure_at), (2, 2_000));
        assert_eq!(find_failures(&conn, "account:a", 11_000).unwrap(), None);
        record_failure(&conn, "account:a", Some("a"), 12_000, 10_000).unwrap();
        let count = find_failures(&conn, "account:a", 12_000).unwrap().unwrap();
        assert_eq!(count.failures, 1, "a new window");
    }

    #[test]
    fn clearing_an_account_takes_its_devices_but_not_addresses() {
        let conn = database();
        for (key, account) in [
            ("account:a", Some("a")),
            ("device:a:n1", Some("a")),
            ("account:b", Some("b")),
            ("address:10.0.0.1", None),
        ] {
            record_failure(&conn, key, account, 1, 1_000).unwrap();
        }
        assert_eq!(clear_account(&conn, "a").unwrap(), 2);
        assert!(find_failures(&conn, "account:b", 2).unwrap().is_some());
        assert!(
            find_failures(&conn, "address:10.0.0.1", 2)
                .unwrap()
                .is_some()
        );
    }

    #[test]
    fn a_secret_is_created_once() {
        let conn = database();
        let first = ensure_secret(&conn, "device_cookie", &[1; 32], "t").unwrap();
        let second = ensure_secret(&conn, "device_cookie", &[2; 32], "t").unwrap();
        assert_eq!(first, vec![1; 32]);
        assert_eq!(second, first);
    }
}
