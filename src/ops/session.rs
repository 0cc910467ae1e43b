//! Browser sessions: log in (throttled, with a bound on password hashes in flight), look up the
//! session behind a cookie, switch the active project, log out.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use super::{OpsError, Services};
use crate::auth::sessions::{new_token, same_secret, token_hash};
use crate::auth::{Principal, passwords};
use crate::catalog::ids::ProjectId;
use crate::store::{self, now};

/// How long a session lives.
pub const SESSION_DAYS: i64 = 14;
/// Failed logins allowed per account and per address in [`FAILURE_WINDOW`] before 429s.
const MAX_FAILURES: usize = 10;
const FAILURE_WINDOW: Duration = Duration::from_secs(15 * 60);

/// A logged-in browser session.
#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    pub token_hash: Vec<u8>,
    pub user_id: i64,
    pub username: String,
    pub is_admin: bool,
    pub csrf_token: String,
    /// The user's projects, by name.
    pub projects: Vec<(ProjectId, String)>,
    pub active_project: Option<ProjectId>,
}

impl Session {
    /// The principal this session acts as.
    pub fn principal(&self) -> Principal {
        Principal::User {
            user_id: self.user_id,
            username: self.username.clone(),
            projects: self.projects.iter().map(|(id, _)| id.clone()).collect(),
        }
    }

    /// Checks a form's CSRF token.
    pub fn csrf_matches(&self, presented: &str) -> bool {
        same_secret(&self.csrf_token, presented)
    }
}

/// Sliding-window failure counters per account and per client address (RELIABILITY T16).
#[derive(Default)]
pub struct LoginThrottle {
    failures: Mutex<HashMap<String, Vec<Instant>>>,
}

impl LoginThrottle {
    /// Returns how long to wait when any of the keys has too many recent failures.
    fn blocked_for(&self, keys: &[String]) -> Option<Duration> {
        let mut failures = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        let mut wait = None;
        for key in keys {
            let list = failures.entry(key.clone()).or_default();
            list.retain(|t| now.duration_since(*t) < FAILURE_WINDOW);
            if list.len() >= MAX_FAILURES {
                let until = FAILURE_WINDOW - now.duration_since(list[0]);
                wait = Some(wait.map_or(until, |w: Duration| w.max(until)));
            }
        }
        wait
    }

    fn record_failure(&self, keys: &[String]) {
        let mut failures = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        for key in keys {
            failures
                .entry(key.clone())
                .or_default()
                .push(Instant::now());
        }
        // Bound memory under a flood of distinct names: forget the oldest keys.
        if failures.len() > 100_000 {
            failures.clear();
        }
    }

    fn record_success(&self, account_key: &str) {
        self.failures
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(account_key);
    }
}

/// Why a login was refused.
#[derive(Debug)]
pub enum LoginRefusal {
    /// Unknown user or wrong password: the same answer for both.
    BadCredentials,
    TooManyAttempts {
        retry_after: Duration,
    },
    Busy,
}

/// Logs a user in: a new session (never reusing a presented one), token returned once.
pub async fn login(
    services: &Services,
    username: &str,
    password: &str,
    client: Option<IpAddr>,
) -> Result<Result<(String, Session), LoginRefusal>, OpsError> {
    let account_key = format!("user:{}", username.trim().to_lowercase());
    let mut keys = vec![account_key.clone()];
    if let Some(ip) = client {
        keys.push(format!("ip:{ip}"));
    }
    if let Some(retry_after) = services.login_throttle.blocked_for(&keys) {
        return Ok(Err(LoginRefusal::TooManyAttempts { retry_after }));
    }
    let name = username.trim().to_owned();
    let user = services
        .store
        .call(move |conn| store::users::find_user_by_name(conn, &name))
        .await?;
    // An unknown user costs the same argon2 verification as a known one (no timing oracle).
    let hash = user
        .as_ref()
        .filter(|u| !u.disabled)
        .map_or_else(|| dummy_hash().to_owned(), |u| u.password_hash.clone());
    let Ok(matched) = services
        .password_pool
        .verify(password.to_owned(), hash)
        .await
    else {
        return Ok(Err(LoginRefusal::Busy));
    };
    let verified = matched && user.as_ref().is_some_and(|u| !u.disabled);
    let Some(user) = user.filter(|_| verified) else {
        services.login_throttle.record_failure(&keys);
        return Ok(Err(LoginRefusal::BadCredentials));
    };
    services.login_throttle.record_success(&account_key);
    let token = new_token();
    let hash = token_hash(&token);
    let csrf = new_token();
    let user_id = user.id;
    let session = services
        .store
        .write(move |tx| {
            let projects = store::sessions::user_projects(tx, user_id)?;
            let active = projects.first().map(|(id, _)| id.clone());
            let at = now();
            let expires = expiry();
            store::sessions::insert_session(
                tx,
                &hash,
                user_id,
                &csrf,
                active.as_ref(),
                &at,
                &expires,
            )?;
            Ok(Session {
                token_hash: hash,
                user_id,
                username: user.username,
                is_admin: user.is_admin,
                csrf_token: csrf,
                projects,
                active_project: active,
            })
        })
        .await?;
    tracing::info!(user = %session.username, "logged in");
    Ok(Ok((token, session)))
}

fn expiry() -> String {
    let later = time::OffsetDateTime::now_utc() + time::Duration::days(SESSION_DAYS);
    let format = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z"
    );
    later.format(&format).unwrap_or_default()
}

fn dummy_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| passwords::hash_password("dummy password for timing").unwrap_or_default())
}

/// The session behind a cookie value, if it is live.
pub async fn find_session(services: &Services, token: &str) -> Result<Option<Session>, OpsError> {
    let hash = token_hash(token);
    Ok(services
        .store
        .call(move |conn| {
            let Some(record) = store::sessions::find_session(conn, &hash, &now())? else {
                return Ok(None);
            };
            let projects = store::sessions::user_projects(conn, record.user_id)?;
            let active = record
                .active_project
                .filter(|p| projects.iter().any(|(id, _)| id == p))
                .or_else(|| projects.first().map(|(id, _)| id.clone()));
            Ok(Some(Session {
                token_hash: hash,
                user_id: record.user_id,
                username: record.username,
                is_admin: record.is_admin,
                csrf_token: record.csrf_token,
                projects,
                active_project: active,
            }))
        })
        .await?)
}

/// Ends a session; its cookie value never works again.
pub async fn logout(services: &Services, session: &Session) -> Result<(), OpsError> {
    let hash = session.token_hash.clone();
    Ok(services
        .store
        .write(move |tx| store::sessions::delete_session(tx, &hash))
        .await?)
}

/// Makes one of the user's projects the active one.
pub async fn switch_project(
    services: &Services,
    session: &Session,
    project: &ProjectId,
) -> Result<(), OpsError> {
    if !session.projects.iter().any(|(id, _)| id == project) {
        return Err(OpsError::ProjectNotFound {
            id: project.to_string(),
        });
    }
    let hash = session.token_hash.clone();
    let project = project.clone();
    Ok(services
        .store
        .write(move |tx| store::sessions::set_active_project(tx, &hash, &project))
        .await?)
}
