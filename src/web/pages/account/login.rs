//! `/login`, `/logout` and the project switcher.
//!
//! Login CSRF uses a double-submit token: a random cookie set with the form, which the form must
//! echo. A successful login always makes a new session (the old cookie's session, if any, is
//! deleted), so a session id planted before login is worthless (RELIABILITY T12). A successful
//! login also sets the signed `xero_device` cookie, which the throttle reads on later logins
//! from this browser (T40); the client address comes from `web::client_address`.

use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use maud::html;
use serde::Deserialize;

use crate::auth::sessions::{new_token, same_secret};
use crate::catalog::ids::ProjectId;
use crate::ops::access::session::{LoggedIn, LoginAttempt, LoginRefusal};
use crate::ops::{self, Services};
use crate::web::client_address::client_address;
use crate::web::pages::page_error::PageError;
use crate::web::pages::{html as respond, layout};
use crate::web::session::{CookiePolicy, DEVICE_COOKIE, current_session, form_allowed};

const LOGIN_CSRF_COOKIE: &str = "xero_login_csrf";

#[derive(Debug, Deserialize)]
pub struct NextParam {
    next: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    csrf: String,
    next: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct CsrfForm {
    csrf: String,
}

#[derive(Debug, Deserialize)]
pub struct SwitchForm {
    csrf: String,
    project: String,
}

/// Where a login goes when `next` is missing or not a same-site path.
const DEFAULT_NEXT: &str = "/models/catalog";

/// Only a same-site path is followed after login (RELIABILITY T41): `/` then a character that is
/// neither `/` nor `\` (browsers read `//host` and `/\host` as another site), no backslash, no
/// control character or tab anywhere (browsers strip tabs and newlines, turning `/\t/host` into
/// `//host`, and control characters cannot go into a `Location` header). Anything else is ignored.
fn safe_next(next: Option<&str>) -> String {
    let acceptable = |path: &str| {
        let mut chars = path.chars();
        chars.next() == Some('/')
            && !matches!(chars.next(), Some('/' | '\\'))
            && path.len() <= 2_048
            && !path.chars().any(|c| c == '\\' || c.is_control())
    };
    match next {
        Some(path) if acceptable(path) => path.to_owned(),
        _ => DEFAULT_NEXT.to_owned(),
    }
}

fn login_page(
    services: &Services,
    status: StatusCode,
    next: &str,
    error: Option<&str>,
) -> HttpResponse {
    let token = new_token();
    let signed = crate::auth::device::sign_login_token(&services.device_key, &token);
    let cookie = Cookie::build(LOGIN_CSRF_COOKIE, signed)
        .path("/login")
        .http_only(true)
        .same_site(SameSite::Strict)
        .finish();
    let body = html! {
        div.narrow {
            h1 { "Log in" }
            @if let Some(error) = error { p.error role="alert" { (error) } }
            form method="post" action="/login" {
                input type="hidden" name="csrf" value=(token);
                input type="hidden" name="next" value=(next);
                label for="username" { "User name" }
                input id="username" name="username" autocomplete="username" required;
                label for="password" { "Password" }
                input id="password" type="password" name="password" autocomplete="current-password" required;
                button type="submit" { "Log in" }
            }
            p.muted { "Accounts are created by an administrator: " code { "xeroctl admin create-user NAME" } "." }
        }
    };
    let mut response = respond(status, layout::page("Log in", None, None, body));
    let _ = response.add_cookie(&cookie);
    response
}

/// `GET /login`.
pub async fn show_login(
    query: web::Query<NextParam>,
    services: web::Data<Services>,
) -> HttpResponse {
    login_page(
        &services,
        StatusCode::OK,
        &safe_next(query.next.as_deref()),
        None,
    )
}

/// `POST /login`.
pub async fn submit_login(
    request: HttpRequest,
    form: web::Form<LoginForm>,
    services: web::Data<Services>,
    policy: web::Data<CookiePolicy>,
) -> HttpResponse {
    let next = safe_next(form.next.as_deref());
    // Only a token this server signed counts: a planted cookie carries the attacker's.
    let cookie_token = request
        .cookie(LOGIN_CSRF_COOKIE)
        .and_then(|c| crate::auth::device::verify_login_token(&services.device_key, c.value()))
        .unwrap_or_default();
    let cross_site = request
        .headers()
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
        == Some("cross-site");
    if cross_site || cookie_token.is_empty() || !same_secret(&cookie_token, &form.csrf) {
        return login_page(
            &services,
            StatusCode::FORBIDDEN,
            &next,
            Some("The form expired. Please try again."),
        );
    }
    let presented_device = request.cookie(DEVICE_COOKIE);
    let attempt = LoginAttempt {
        username: &form.username,
        password: &form.password,
        client: client_address(&request),
        device_cookie: presented_device.as_ref().map(|c| c.value()),
    };
    let outcome = match ops::access::session::login(&services, attempt).await {
        Ok(outcome) => outcome,
        Err(error) => {
            tracing::error!(%error, "login failed");
            return login_page(
                &services,
                StatusCode::INTERNAL_SERVER_ERROR,
                &next,
                Some("Something went wrong; try again."),
            );
        }
    };
    match outcome {
        Ok(LoggedIn {
            token,
            device_cookie,
            ..
        }) => {
            if let Some(old) = current_session(&request).await {
                let _ = ops::access::session::logout(&services, &old).await;
            }
            HttpResponse::SeeOther()
                .insert_header(("Location", next))
                .insert_header(("Cache-Control", "no-store"))
                .cookie(policy.session_cookie(&token))
                .cookie(policy.device_cookie(&device_cookie))
                .finish()
        }
        Err(LoginRefusal::BadCredentials) => login_page(
            &services,
            StatusCode::UNAUTHORIZED,
            &next,
            Some("Wrong user name or password."),
        ),
        Err(LoginRefusal::TooManyAttempts { retry_after }) => {
            let seconds = retry_after.as_secs().max(1);
            let mut response = login_page(
                &services,
                StatusCode::TOO_MANY_REQUESTS,
                &next,
                Some(&format!(
                    "Too many failed attempts. Try again in {seconds} s."
                )),
            );
            if let Ok(value) = actix_web::http::header::HeaderValue::from_str(&seconds.to_string())
            {
                response
                    .headers_mut()
                    .insert(actix_web::http::header::RETRY_AFTER, value);
            }
            response
        }
        Err(LoginRefusal::Busy) => login_page(
            &services,
            StatusCode::SERVICE_UNAVAILABLE,
            &next,
            Some("The server is busy; try again in a moment."),
        ),
    }
}

/// `POST /logout`.
pub async fn logout(
    request: HttpRequest,
    form: web::Form<CsrfForm>,
    services: web::Data<Services>,
    policy: web::Data<CookiePolicy>,
) -> HttpResponse {
    let Some(session) = current_session(&request).await else {
        return HttpResponse::SeeOther()
            .insert_header(("Location", "/models/catalog"))
            .cookie(policy.expired_cookie())
            .finish();
    };
    if !form_allowed(&request, &session, &form.csrf) {
        return forbidden();
    }
    if let Err(error) = ops::access::session::logout(&services, &session).await {
        tracing::error!(%error, "logout failed");
    }
    HttpResponse::SeeOther()
        .insert_header(("Location", "/models/catalog"))
        .cookie(policy.expired_cookie())
        .finish()
}

/// `POST /session/project`: the project switcher.
pub async fn switch_project(
    request: HttpRequest,
    form: web::Form<SwitchForm>,
    services: web::Data<Services>,
) -> HttpResponse {
    let Some(session) = current_session(&request).await else {
        return HttpResponse::SeeOther()
            .insert_header(("Location", "/login"))
            .finish();
    };
    if !form_allowed(&request, &session, &form.csrf) {
        return forbidden();
    }
    let Some(project) = ProjectId::parse(&form.project) else {
        return forbidden();
    };
    match ops::access::session::switch_project(&services, &session, &project).await {
        Ok(()) => HttpResponse::SeeOther()
            .insert_header(("Location", format!("/projects/{project}/models")))
            .finish(),
        Err(_) => forbidden(),
    }
}

/// The CSRF refusal: same status for every form.
pub fn forbidden() -> HttpResponse {
    PageError::stale_form().render()
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_same_site_paths_are_followed() {
        for ok in [
            "/",
            "/models/catalog?q=qwen",
            "/projects/proj_X/models",
            "/%2F%2Fhost",
        ] {
            assert_eq!(safe_next(Some(ok)), ok);
        }
        for bad in [
            "//host/x",
            "/\\host",
            "\\\\host",
            "https://host",
            "/\n/x",
            "/x\r\nSet-Cookie: a=b",
            "/\t/host/x",
            "/\0",
            "/x\u{7f}",
            "",
            "models",
            "/\u{85}x",
        ] {
            assert_eq!(safe_next(Some(bad)), "/models/catalog", "{bad:?}");
        }
        assert_eq!(safe_next(None), "/models/catalog");
    }
}
