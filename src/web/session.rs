//! The browser side of sessions: the cookie, the session behind a request, CSRF checks.
//! API keys are never accepted here, and cookies are never accepted by the REST API.

use actix_web::cookie::{Cookie, SameSite};
use actix_web::{HttpRequest, web};

use crate::auth::device::DEVICE_COOKIE_DAYS;
use crate::ops::access::session::{SESSION_DAYS, Session};
use crate::ops::{self, Services};

/// The device cookie (RELIABILITY T40): sent only to `/login`, where the throttle reads it.
pub const DEVICE_COOKIE: &str = "xero_device";

/// Cookie settings fixed at start-up.
#[derive(Debug, Clone, Copy)]
pub struct CookiePolicy {
    pub secure: bool,
}

impl CookiePolicy {
    /// `__Host-` requires `Secure`, `Path=/` and no `Domain`, so it is used only with TLS.
    pub fn name(self) -> &'static str {
        if self.secure {
            "__Host-xero_session"
        } else {
            "xero_session"
        }
    }

    pub fn session_cookie(self, token: &str) -> Cookie<'static> {
        Cookie::build(self.name(), token.to_owned())
            .path("/")
            .http_only(true)
            .secure(self.secure)
            .same_site(SameSite::Lax)
            .max_age(actix_web::cookie::time::Duration::days(SESSION_DAYS))
            .finish()
    }

    /// The signed device cookie a successful login sets; it outlives sessions and logouts.
    pub fn device_cookie(self, value: &str) -> Cookie<'static> {
        Cookie::build(DEVICE_COOKIE, value.to_owned())
            .path("/login")
            .http_only(true)
            .secure(self.secure)
            .same_site(SameSite::Lax)
            .max_age(actix_web::cookie::time::Duration::days(DEVICE_COOKIE_DAYS))
            .finish()
    }

    pub fn expired_cookie(self) -> Cookie<'static> {
        let mut cookie = self.session_cookie("");
        cookie.make_removal();
        cookie
    }
}

/// The live session of this request, if any.
pub async fn current_session(request: &HttpRequest) -> Option<Session> {
    let policy = request.app_data::<web::Data<CookiePolicy>>()?;
    let token = request.cookie(policy.name())?.value().to_owned();
    let services = request.app_data::<web::Data<Services>>()?;
    match ops::access::session::find_session(services, &token).await {
        Ok(session) => session,
        Err(error) => {
            tracing::error!(%error, "session lookup failed");
            None
        }
    }
}

/// A state-changing form is accepted only with this session's CSRF token and not from another
/// site (Fetch Metadata), RELIABILITY T15.
pub fn form_allowed(request: &HttpRequest, session: &Session, presented: &str) -> bool {
    let cross_site = request
        .headers()
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
        == Some("cross-site");
    !cross_site && session.csrf_matches(presented)
}
