//! Login, sessions, CSRF and project pages (RELIABILITY T12–T17), login throttling (T40).

use std::sync::Arc;
use std::time::Duration;

use reqwest::{Client, StatusCode};
use scraper::{Html, Selector};
use serde_json::json;
use xeroctl::catalog::ids::ProjectId;
use xeroctl::ops;

use xeroctl::ops::access::throttle::{ACCOUNT_RULE, ADDRESS_RULE, BackoffRule};

use crate::helpers::{TestApp, spawn_app, spawn_app_with};

pub const PASSWORD: &str = "correct horse battery";

/// A browser-like client: cookies kept, redirects not followed.
pub fn browser() -> Client {
    Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

pub async fn user(app: &TestApp, name: &str) {
    ops::admin::create_user(&app.services, name, PASSWORD.to_owned(), false)
        .await
        .unwrap();
    ops::admin::add_member(
        &app.services,
        &ProjectId::parse(&app.project_id).unwrap(),
        name,
        false,
    )
    .await
    .unwrap();
}

pub fn field(html: &str, css: &str, attr: &str) -> String {
    let doc = Html::parse_document(html);
    doc.select(&Selector::parse(css).unwrap())
        .next()
        .and_then(|e| e.value().attr(attr))
        .unwrap_or_default()
        .to_owned()
}

pub async fn login(
    app: &TestApp,
    client: &Client,
    name: &str,
    password: &str,
) -> reqwest::Response {
    login_via(app, client, name, password, None).await
}

/// Logs in with `X-Forwarded-For: forwarded_for` on the form post, when given.
async fn login_via(
    app: &TestApp,
    client: &Client,
    name: &str,
    password: &str,
    forwarded_for: Option<&str>,
) -> reqwest::Response {
    let page = client
        .get(format!("{}/login", app.address))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = field(&page, "input[name=csrf]", "value");
    let mut request = client.post(format!("{}/login", app.address)).form(&[
        ("username", name),
        ("password", password),
        ("csrf", &csrf),
        ("next", "/models/catalog"),
    ]);
    if let Some(forwarded_for) = forwarded_for {
        request = request.header("x-forwarded-for", forwarded_for);
    }
    request.send().await.unwrap()
}

/// The whole `Set-Cookie` line of the device cookie, if the response sets one.
fn device_cookie(response: &reqwest::Response) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("xero_device="))
}

/// The device cookie's value alone.
fn device_cookie_value(response: &reqwest::Response) -> String {
    let line = device_cookie(response).expect("device cookie");
    line.split(';').next().unwrap()["xero_device=".len()..].to_owned()
}

/// A browser that already holds `xero_device=value` (as a forger would present it).
fn browser_with_device_cookie(app: &TestApp, value: &str) -> Client {
    let jar = reqwest::cookie::Jar::default();
    let url = reqwest::Url::parse(&app.address).unwrap();
    jar.add_cookie_str(&format!("xero_device={value}; Path=/login"), &url);
    Client::builder()
        .cookie_provider(Arc::new(jar))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// A server whose account backoff starts at a minute: a test sees the backoff without racing
/// the clock (the schedule itself is unit-tested in `ops::access::throttle`).
async fn spawn_app_with_slow_backoff() -> TestApp {
    spawn_app_with(|settings| {
        settings.throttle.account = BackoffRule {
            first_backoff: Duration::from_secs(60),
            ..ACCOUNT_RULE
        };
    })
    .await
}

/// Ten wrong passwords for `name` from one client; returns the statuses.
async fn ten_wrong_passwords(app: &TestApp, name: &str) -> Vec<StatusCode> {
    let attacker = browser();
    let mut statuses = Vec::new();
    for _ in 0..10 {
        statuses.push(login(app, &attacker, name, "guess").await.status());
    }
    statuses
}

fn session_cookie(response: &reqwest::Response) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("xero_session=") || c.starts_with("__Host-xero_session="))
}

async fn page_csrf(app: &TestApp, client: &Client, path: &str) -> String {
    let html = client
        .get(format!("{}{path}", app.address))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    field(&html, "input[name=csrf]", "value")
}

#[tokio::test]
async fn login_sets_a_fresh_hardened_cookie_and_logout_kills_it() {
    let app = spawn_app().await;
    user(&app, "alice").await;
    let client = browser();
    // T12: a planted pre-login cookie is not adopted.
    let planted = Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let response = login(&app, &client, "alice", PASSWORD).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let cookie = session_cookie(&response).expect("session cookie");
    // T14 (plain HTTP mode): HttpOnly, SameSite=Lax, Path=/, no Domain.
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(cookie.contains(attribute), "{cookie}");
    }
    assert!(!cookie.to_lowercase().contains("domain="));
    let value = cookie.split(';').next().unwrap().to_owned();
    let fixated = planted
        .get(format!(
            "{}/projects/{}/models",
            app.address, app.project_id
        ))
        .header("cookie", "xero_session=attacker-chosen")
        .send()
        .await
        .unwrap();
    assert_eq!(
        fixated.status(),
        StatusCode::SEE_OTHER,
        "an unknown session id is not a session"
    );

    let models = client
        .get(format!(
            "{}/projects/{}/models",
            app.address, app.project_id
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(models.status(), StatusCode::OK);
    assert_eq!(
        models.headers()["cache-control"],
        "no-store",
        "authenticated pages are not cached"
    );

    // T13: after logout the old cookie is dead server-side.
    let csrf = page_csrf(&app, &client, "/models/catalog").await;
    let out = client
        .post(format!("{}/logout", app.address))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), StatusCode::SEE_OTHER);
    let replay = planted
        .get(format!(
            "{}/projects/{}/models",
            app.address, app.project_id
        ))
        .header("cookie", value.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(
        replay.status(),
        StatusCode::SEE_OTHER,
        "replayed cookie sends to login"
    );
    assert!(
        replay.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with("/login")
    );

    // Disabling a user ends their sessions.
    let again = login(&app, &client, "alice", PASSWORD).await;
    let value = session_cookie(&again)
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    ops::admin::disable_user(&app.services, "alice")
        .await
        .unwrap();
    let after = planted
        .get(format!(
            "{}/projects/{}/models",
            app.address, app.project_id
        ))
        .header("cookie", value)
        .send()
        .await
        .unwrap();
    assert_eq!(after.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        login(&app, &browser(), "alice", PASSWORD).await.status(),
        StatusCode::UNAUTHORIZED
    );
}

/// T16: throttling before 100 failures, the same answer for unknown users and wrong passwords.
#[tokio::test]
async fn failed_logins_are_throttled_and_do_not_reveal_accounts() {
    let app = spawn_app().await;
    user(&app, "bob").await;
    let client = browser();
    let wrong = login(&app, &client, "bob", "wrong password").await;
    let unknown = login(&app, &client, "nobody-here", "wrong password").await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(unknown.status(), StatusCode::UNAUTHORIZED);
    let a = field(&wrong.text().await.unwrap(), "p.error", "role");
    let b = field(&unknown.text().await.unwrap(), "p.error", "role");
    assert_eq!(a, b);
    let mut throttled_at = None;
    for attempt in 3..=30 {
        if login(&app, &client, "bob", "still wrong").await.status()
            == StatusCode::TOO_MANY_REQUESTS
        {
            throttled_at = Some(attempt);
            break;
        }
    }
    let attempt = throttled_at.expect("throttled before 30 failures");
    assert!(attempt <= 12, "throttled at attempt {attempt}");
    let blocked = login(&app, &client, "bob", PASSWORD).await;
    assert_eq!(
        blocked.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "without a device cookie even the right password waits out the backoff"
    );
    assert!(blocked.headers().contains_key("retry-after"));
}

/// T15: every state-changing form refuses a missing, wrong or other session's token, and
/// cross-site requests; nothing changes.
#[tokio::test]
async fn forms_without_the_sessions_csrf_token_change_nothing() {
    let app = spawn_app().await;
    user(&app, "carol").await;
    user(&app, "dave").await;
    let id = app.register_sample("guarded").await;
    let carol = browser();
    login(&app, &carol, "carol", PASSWORD).await;
    let dave = browser();
    login(&app, &dave, "dave", PASSWORD).await;
    let carols = page_csrf(
        &app,
        &carol,
        &format!("/projects/{}/models", app.project_id),
    )
    .await;
    let daves = page_csrf(&app, &dave, &format!("/projects/{}/models", app.project_id)).await;
    let share = format!(
        "{}/projects/{}/models/{id}/share",
        app.address, app.project_id
    );
    for (description, token, cross_site) in [
        ("missing", "", false),
        ("wrong", "nope", false),
        ("another session's", daves.as_str(), false),
        ("cross-site", carols.as_str(), true),
    ] {
        let mut request = carol.post(&share).form(&[("csrf", token)]);
        if cross_site {
            request = request.header("sec-fetch-site", "cross-site");
        }
        assert_eq!(
            request.send().await.unwrap().status(),
            StatusCode::FORBIDDEN,
            "{description}"
        );
    }
    let key_create = carol
        .post(format!("{}/projects/{}/keys", app.address, app.project_id))
        .form(&[("csrf", "nope"), ("scope", "write")])
        .send()
        .await
        .unwrap();
    assert_eq!(key_create.status(), StatusCode::FORBIDDEN);
    // An API key is not accepted on the cookie forms.
    let with_key = Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(&share)
        .bearer_auth(&app.api_key)
        .form(&[("csrf", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(
        with_key.status(),
        StatusCode::SEE_OTHER,
        "no session: sent to log in"
    );
    let model: serde_json::Value = app.get_model(&id).await.json().await.unwrap();
    assert_eq!(model["shared"], false, "nothing changed");
    // With the right token it works.
    let ok = carol
        .post(&share)
        .form(&[("csrf", carols.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), StatusCode::SEE_OTHER);
    let model: serde_json::Value = app.get_model(&id).await.json().await.unwrap();
    assert_eq!(model["shared"], true);
}

#[tokio::test]
async fn members_register_edit_share_and_manage_keys_from_the_project_pages() {
    let app = spawn_app().await;
    user(&app, "erin").await;
    let client = browser();
    login(&app, &client, "erin", PASSWORD).await;
    let base = format!("{}/projects/{}", app.address, app.project_id);
    let csrf = page_csrf(
        &app,
        &client,
        &format!("/projects/{}/models", app.project_id),
    )
    .await;
    // Validation errors are shown next to the field, with the same rules as the API.
    let bad = client
        .post(format!("{base}/models"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("name", "Web-Model"),
            ("parameter_count", "7Q"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    let html = bad.text().await.unwrap();
    assert_eq!(field(&html, "#parameter_count", "aria-invalid"), "true");
    assert!(html.contains("7Q"));
    let ok = client
        .post(format!("{base}/models"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("name", "Web-Model"),
            ("parameter_count", "7B"),
            ("architecture", "llama"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), StatusCode::SEE_OTHER);
    let list: serde_json::Value = app
        .send(reqwest::Method::GET, &app.models_url(), None)
        .await
        .json()
        .await
        .unwrap();
    let id = list["models"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(list["models"][0]["parameter_count"], 7_000_000_000u64);

    let edit = client
        .post(format!("{base}/models/{id}/edit"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("name", "Web-Model-Renamed"),
            ("parameter_count", "8B"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(edit.status(), StatusCode::SEE_OTHER);
    client
        .post(format!("{base}/models/{id}/share"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    let found: serde_json::Value = app
        .client
        .get(format!("{}/v1/catalog/models?q=renamed", app.address))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        found["total"], 1,
        "shared from the page, found in the catalog"
    );

    // Logged-in users see the infrastructure badges.
    let detail = client
        .get(format!("{}/models/catalog/{id}", app.address))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(detail.contains("badge-xim_only"));
    assert!(!detail.contains("Log in to deploy"));

    let created = client
        .post(format!("{base}/keys"))
        .form(&[("csrf", csrf.as_str()), ("scope", "read"), ("label", "web")])
        .send()
        .await
        .unwrap();
    let html = created.text().await.unwrap();
    let doc = Html::parse_document(&html);
    let key = doc
        .select(&Selector::parse("code.key").unwrap())
        .next()
        .unwrap()
        .text()
        .collect::<String>();
    assert!(key.starts_with("xero_myproject_"), "shown once: {key}");
    let listing = client
        .get(format!("{base}/keys"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!listing.contains(&key), "never shown again");
    let key_id = format!("key_{}", &key.rsplit('_').next().unwrap()[..8]);
    let revoked = client
        .post(format!("{base}/keys/{key_id}/revoke"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), StatusCode::SEE_OTHER);
    let refused = app
        .client
        .get(app.models_url())
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn non_members_get_404_and_anonymous_visitors_are_sent_to_log_in() {
    let app = spawn_app().await;
    let other = app.other_project("elsewhere").await;
    ops::admin::create_user(&app.services, "frank", PASSWORD.to_owned(), false)
        .await
        .unwrap();
    let client = browser();
    let anonymous = client
        .get(format!(
            "{}/projects/{}/models",
            app.address, app.project_id
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), StatusCode::SEE_OTHER);
    login(&app, &client, "frank", PASSWORD).await;
    for path in [
        format!("/projects/{}/models", other.project_id),
        format!("/projects/{}/keys", app.project_id),
        "/projects/proj_NOPE/models".to_owned(),
    ] {
        assert_eq!(
            client
                .get(format!("{}{path}", app.address))
                .send()
                .await
                .unwrap()
                .status(),
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    let _ = json!({});
}

/// T14 with TLS configured: the `__Host-` prefix and `Secure`.
#[tokio::test]
async fn behind_tls_the_session_cookie_is_host_prefixed_and_secure() {
    let dir = tempfile::tempdir().unwrap();
    let mut settings = xeroctl::config::Settings::for_tests(dir.path().to_path_buf());
    settings.secure_cookies = true;
    let server = xeroctl::web::server::Application::build(settings)
        .await
        .unwrap();
    let address = format!("http://127.0.0.1:{}", server.port());
    let services = server.services().clone();
    tokio::spawn(server.run_until_stopped());
    ops::admin::create_user(&services, "heidi", PASSWORD.to_owned(), false)
        .await
        .unwrap();
    let client = browser();
    let page = client
        .get(format!("{address}/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = field(&page, "input[name=csrf]", "value");
    let response = client
        .post(format!("{address}/login"))
        .form(&[
            ("username", "heidi"),
            ("password", PASSWORD),
            ("csrf", &csrf),
        ])
        .send()
        .await
        .unwrap();
    let cookie = session_cookie(&response).expect("cookie");
    assert!(cookie.starts_with("__Host-xero_session="), "{cookie}");
    for attribute in ["Secure", "HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(cookie.contains(attribute), "{cookie}");
    }
    let device = device_cookie(&response).expect("device cookie");
    assert!(device.contains("Secure"), "T40: {device}");
}

/// T15: no GET route changes state: every state-changing path refuses GET and nothing moves.
#[tokio::test]
async fn no_get_request_changes_anything() {
    let app = spawn_app().await;
    user(&app, "ivan").await;
    let id = app.register_sample("still").await;
    let client = browser();
    login(&app, &client, "ivan", PASSWORD).await;
    let key_id = format!("key_{}", &app.api_key.rsplit('_').next().unwrap()[..8]);
    let p = &app.project_id;
    for path in [
        format!("/projects/{p}/models/{id}/share"),
        format!("/projects/{p}/models/{id}/unshare"),
        format!("/projects/{p}/models/{id}/delete"),
        format!("/projects/{p}/keys/{key_id}/revoke"),
        "/logout".to_owned(),
        "/session/project".to_owned(),
        format!("/{p}/v1/models/{id}/share"),
    ] {
        let status = client
            .get(format!("{}{path}", app.address))
            .send()
            .await
            .unwrap()
            .status();
        let refused = [
            StatusCode::NOT_FOUND,
            StatusCode::METHOD_NOT_ALLOWED,
            StatusCode::UNAUTHORIZED,
        ];
        assert!(refused.contains(&status), "GET {path} answered {status}");
    }
    let model: serde_json::Value = app.get_model(&id).await.json().await.unwrap();
    assert_eq!(model["shared"], false);
    assert_eq!(
        app.send(reqwest::Method::GET, &app.models_url(), None)
            .await
            .status(),
        StatusCode::OK,
        "key still valid"
    );
    let still_in = client
        .get(format!("{}/projects/{p}/models", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(still_in.status(), StatusCode::OK, "still logged in");
}

/// T40 (a): a browser that logged in before is judged by its own failures only: ten wrong
/// passwords from another client on the same address do not keep it out.
#[tokio::test]
async fn t40_a_browser_that_logged_in_before_gets_in_after_ten_failures_by_others() {
    // Arrange
    let app = spawn_app_with_slow_backoff().await;
    user(&app, "grace").await;
    let trusted = browser();
    let first = login(&app, &trusted, "grace", PASSWORD).await;
    assert_eq!(first.status(), StatusCode::SEE_OTHER);
    let cookie = device_cookie(&first).expect("device cookie on success");
    for attribute in [
        "HttpOnly",
        "SameSite=Lax",
        "Path=/login",
        "Max-Age=31536000",
    ] {
        assert!(cookie.contains(attribute), "{cookie}");
    }
    // Act
    let statuses = ten_wrong_passwords(&app, "grace").await;
    // Assert
    assert_eq!(
        &statuses[..5],
        [StatusCode::UNAUTHORIZED; 5],
        "five free failures"
    );
    assert_eq!(
        &statuses[5..],
        [StatusCode::TOO_MANY_REQUESTS; 5],
        "then backoff"
    );
    assert_eq!(
        login(&app, &browser(), "grace", PASSWORD).await.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "a fresh client meets the backoff"
    );
    let again = login(&app, &trusted, "grace", PASSWORD).await;
    assert_eq!(
        again.status(),
        StatusCode::SEE_OTHER,
        "the known browser gets in"
    );
    assert!(
        device_cookie(&again).is_some(),
        "and its device cookie is renewed"
    );
}

/// T40: five failures of its own make a device cookie count for nothing, until a success; its
/// failures meanwhile do not count against the account.
#[tokio::test]
async fn t40_a_device_with_five_failures_of_its_own_is_no_longer_trusted() {
    let app = spawn_app_with_slow_backoff().await;
    user(&app, "heidi").await;
    let device = browser();
    login(&app, &device, "heidi", PASSWORD).await;
    for attempt in 1..=5 {
        let status = login(&app, &device, "heidi", "typo").await.status();
        assert_eq!(status, StatusCode::UNAUTHORIZED, "device failure {attempt}");
    }
    assert_eq!(
        login(&app, &browser(), "heidi", PASSWORD).await.status(),
        StatusCode::SEE_OTHER,
        "the device's failures did not put the account into backoff"
    );
    let statuses = ten_wrong_passwords(&app, "heidi").await;
    assert_eq!(statuses[9], StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        login(&app, &device, "heidi", PASSWORD).await.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "the untrusted device meets the account's backoff"
    );
}

/// T40 (b): a client without a device cookie meets backoff (429 + Retry-After), not a
/// 15-minute lock; once the backoff has passed the right password works.
#[tokio::test]
async fn t40_a_fresh_client_meets_backoff_and_gets_in_once_it_has_passed() {
    let app = spawn_app().await;
    user(&app, "ivy").await;
    let statuses = ten_wrong_passwords(&app, "ivy").await;
    assert!(
        statuses.contains(&StatusCode::TOO_MANY_REQUESTS),
        "{statuses:?}"
    );
    let fresh = browser();
    let refused = login(&app, &fresh, "ivy", PASSWORD).await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry_after: u64 = refused.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        (1..=300).contains(&retry_after),
        "Retry-After: {retry_after}"
    );
    tokio::time::sleep(Duration::from_secs(retry_after) + Duration::from_millis(200)).await;
    assert_eq!(
        login(&app, &fresh, "ivy", PASSWORD).await.status(),
        StatusCode::SEE_OTHER,
        "the backoff passed"
    );
}

/// A server behind the proxy at 127.0.0.1 (when `trusted`), whose address limit is three
/// failures (fifty argon2 verifications would make a slow test).
async fn spawn_app_with_address_limit(trusted: bool) -> TestApp {
    spawn_app_with(|settings| {
        if trusted {
            settings.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
        }
        settings.throttle.address = BackoffRule {
            free_failures: 3,
            first_backoff: Duration::from_secs(60),
            ..ADDRESS_RULE
        };
    })
    .await
}

/// Three failures from `forwarded_for`, each for another (unknown) account so that only the
/// address counts.
async fn fail_from(app: &TestApp, forwarded_for: &str) {
    let client = browser();
    for i in 0..3 {
        let name = format!("ghost-{i}");
        let status = login_via(app, &client, &name, "guess", Some(forwarded_for))
            .await
            .status();
        assert_eq!(
            status,
            StatusCode::UNAUTHORIZED,
            "failure {i} from {forwarded_for}"
        );
    }
}

/// T40 (c): through a trusted proxy, each client address reported in `X-Forwarded-For` (the
/// right-most untrusted entry) has its own backoff.
#[tokio::test]
async fn t40_behind_a_trusted_proxy_forwarded_addresses_are_throttled_separately() {
    let app = spawn_app_with_address_limit(true).await;
    user(&app, "judy").await;
    // The left entry is the client's own claim; only the right-most one counts.
    fail_from(&app, "198.51.100.77, 203.0.113.5").await;
    for (description, forwarded_for, expected) in [
        ("same address", "203.0.113.5", StatusCode::TOO_MANY_REQUESTS),
        (
            "same address, another claim",
            "192.0.2.1, 203.0.113.5",
            StatusCode::TOO_MANY_REQUESTS,
        ),
        (
            "the claimed address was not counted",
            "198.51.100.77",
            StatusCode::SEE_OTHER,
        ),
        ("another address", "203.0.113.6", StatusCode::SEE_OTHER),
    ] {
        // A fresh browser each time: a device cookie from a success would bypass the backoff.
        let status = login_via(&app, &browser(), "judy", PASSWORD, Some(forwarded_for))
            .await
            .status();
        assert_eq!(status, expected, "{description}");
    }
}

/// T40 (c): from a peer that is not a trusted proxy, `X-Forwarded-For` is ignored: changing
/// it does not escape the peer's backoff.
#[tokio::test]
async fn t40_forwarded_for_from_an_untrusted_peer_is_ignored() {
    let app = spawn_app_with_address_limit(false).await;
    user(&app, "ken").await;
    fail_from(&app, "203.0.113.5").await;
    let status = login_via(&app, &browser(), "ken", PASSWORD, Some("203.0.113.6"))
        .await
        .status();
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
}

/// T40 (d): `xeroctl admin unlock-user`, run beside the live server, lets the right password
/// in at once.
#[tokio::test]
async fn t40_admin_unlock_user_lets_the_right_password_in_at_once() {
    let app = spawn_app_with_slow_backoff().await;
    user(&app, "liam").await;
    ten_wrong_passwords(&app, "liam").await;
    let fresh = browser();
    assert_eq!(
        login(&app, &fresh, "liam", PASSWORD).await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    let data_dir = app.data_dir.path().to_owned();
    let unlock = |name: &'static str| {
        let data_dir = data_dir.clone();
        tokio::task::spawn_blocking(move || {
            std::process::Command::new(env!("CARGO_BIN_EXE_xeroctl"))
                .arg("admin")
                .arg("--data")
                .arg(&data_dir)
                .args(["unlock-user", name])
                .output()
                .unwrap()
        })
    };
    let unknown = unlock("nobody").await.unwrap();
    assert!(!unknown.status.success(), "an unknown user is an error");
    let output = unlock("LIAM").await.unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(stderr.contains("unlocked"), "{stderr}");
    assert_eq!(
        login(&app, &fresh, "liam", PASSWORD).await.status(),
        StatusCode::SEE_OTHER
    );
}

/// T40 (e): a device cookie that is forged, tampered with or made for another account gives no
/// advantage: the attempt meets the account's backoff like any fresh client.
#[tokio::test]
async fn t40_a_forged_or_tampered_device_cookie_gives_no_advantage() {
    let app = spawn_app_with_slow_backoff().await;
    user(&app, "mia").await;
    user(&app, "mallory").await;
    let genuine = device_cookie_value(&login(&app, &browser(), "mia", PASSWORD).await);
    let mallorys = device_cookie_value(&login(&app, &browser(), "mallory", PASSWORD).await);
    ten_wrong_passwords(&app, "mia").await;
    let parts: Vec<&str> = genuine.splitn(3, '.').collect();
    let (nonce, mac, account) = (parts[0], parts[1], parts[2]);
    let flipped = if mac.starts_with('0') { "1" } else { "0" };
    let mallory_parts: Vec<&str> = mallorys.splitn(3, '.').collect();
    let forgeries = [
        (
            "tampered signature",
            format!("{nonce}.{flipped}{}.{account}", &mac[1..]),
        ),
        ("another account's cookie", mallorys.clone()),
        (
            "another account's cookie relabelled",
            format!("{}.{}.{account}", mallory_parts[0], mallory_parts[1]),
        ),
        ("made up", format!("{nonce}.{}.{account}", "ab".repeat(32))),
        ("garbage", "trust-me".to_owned()),
    ];
    for (description, value) in forgeries {
        let client = browser_with_device_cookie(&app, &value);
        let status = login(&app, &client, "mia", PASSWORD).await.status();
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{description}");
    }
    let client = browser_with_device_cookie(&app, &genuine);
    assert_eq!(
        login(&app, &client, "mia", PASSWORD).await.status(),
        StatusCode::SEE_OTHER,
        "the genuine cookie, presented the same way, works"
    );
}

/// Hardening 3, fault 5: a login whose CSRF cookie was planted (same attacker-chosen value in
/// the cookie and the form) is refused; the cookie the server signed still works.
#[tokio::test]
async fn a_planted_login_csrf_cookie_does_not_count() {
    let app = spawn_app().await;
    user(&app, "carol").await;
    let planted = "attacker-chosen-token-0123456789";
    let client = Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let refused = client
        .post(format!("{}/login", app.address))
        .header("cookie", format!("xero_login_csrf={planted}"))
        .form(&[
            ("csrf", planted),
            ("username", "carol"),
            ("password", PASSWORD),
            ("next", "/models/catalog"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let accepted = login(&app, &browser(), "carol", PASSWORD).await;
    assert_eq!(accepted.status(), StatusCode::SEE_OTHER);
}
