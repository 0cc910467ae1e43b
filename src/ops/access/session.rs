//! Browser sessions: log in (throttled by `ops::access::throttle`, with a bound on password hashes in
//! flight), look up the session behind a cookie, switch the active project, log out.

use std::net::IpAddr;
use std::sync::OnceLock;
use std::time::Duration;

use crate::auth::sessions::{new_token, same_secret, token_hash};
use crate::auth::{Principal, passwords};
use crate::catalog::ids::ProjectId;
use crate::ops::access::throttle::{self, AttemptKeys, Verdict};
use crate::ops::{OpsError, Services};
use crate::store::{self, now};

/// How long a session lives.
pub const SESSION_DAYS: i64 = 14;

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

/// Why a login was refused.
#[derive(Debug)]
pub enum LoginRefusal {
    /// Unknown user or wrong password: the same answer for both.
    BadCredentials,
    /// Backoff in force (`ops::access::throttle`): whole seconds, for `Retry-After`.
    TooManyAttempts {
        retry_after: Duration,
    },
    Busy,
}

/// One login attempt as the browser made it (no `Debug`: it holds the password).
pub struct LoginAttempt<'a> {
    pub username: &'a str,
    pub password: &'a str,
    /// The client address (see `web::client_address`), when known.
    pub client: Option<IpAddr>,
    /// The `xero_device` cookie value the browser sent, if any.
    pub device_cookie: Option<&'a str>,
}

/// A successful login.
#[derive(Debug)]
pub struct LoggedIn {
    /// The new session's cookie value, returned once.
    pub token: String,
    pub session: Session,
    /// A fresh device cookie value for this account (RELIABILITY T40).
    pub device_cookie: String,
}

/// Logs a user in: a new session (never reusing a presented one), token returned once.
pub async fn login(
    services: &Services,
    attempt: LoginAttempt<'_>,
) -> Result<Result<LoggedIn, LoginRefusal>, OpsError> {
    let keys = AttemptKeys::new(
        &services.device_key,
        attempt.username,
        attempt.client,
        attempt.device_cookie,
    );
    let verdict = throttle::judge(services, &keys).await?;
    if let Verdict::Wait(retry_after) = verdict {
        return Ok(Err(LoginRefusal::TooManyAttempts { retry_after }));
    }
    let name = attempt.username.trim().to_owned();
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
        .verify(attempt.password.to_owned(), hash)
        .await
    else {
        return Ok(Err(LoginRefusal::Busy));
    };
    let verified = matched && user.as_ref().is_some_and(|u| !u.disabled);
    let Some(user) = user.filter(|_| verified) else {
        throttle::record_failure(services, &keys, verdict).await?;
        return Ok(Err(LoginRefusal::BadCredentials));
    };
    throttle::record_success(services, &keys).await?;
    let device_cookie = throttle::issue_device_cookie(&services.device_key, &user.username);
    let (token, session) = start_session(services, user).await?;
    tracing::info!(user = %session.username, known_device = keys.has_device(), "logged in");
    Ok(Ok(LoggedIn {
        token,
        session,
        device_cookie,
    }))
}

/// Creates a session for a verified user; returns its cookie value and the session.
async fn start_session(
    services: &Services,
    user: store::users::User,
) -> Result<(String, Session), OpsError> {
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
    Ok((token, session))
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
