//! The authorisation matrix (hardening item 10): every route the application mounts × every
//! kind of caller. The routes come from the application itself: the REST routes from the
//! OpenAPI document the server builds (every path × method) and the page routes from
//! `pages::routes()`, the table `pages::configure` is built from. A route without a case below
//! fails the test, so a new route cannot be left out.
//!
//! Each request runs against a seeded fixture (a project with a shared model and its file, an
//! active XIM node, an endpoint, keys of every kind, a neighbouring project). Every denial and
//! every allowed read must leave the database as it was; allowed writes come last, the first on
//! the route's fixture and each further one on a fresh fixture, so none disturbs another case.

mod cases;
mod rules;

use std::collections::BTreeSet;

use reqwest::header::{CONTENT_TYPE, COOKIE, LOCATION, WWW_AUTHENTICATE};
use reqwest::{Method, StatusCode};
use serde_json::Value;

use self::cases::{Body, Case, cases, fill, fill_json};
use self::rules::{Access, CALLERS, Caller, Expect, expect};
use crate::fixture::{Fixture, World};

/// The routes the application mounts: (method, path, OpenAPI security scheme if REST).
fn application_routes() -> Vec<(String, String, Option<Option<String>>)> {
    let document: Value =
        serde_json::from_str(&xeroctl::web::api::openapi_doc::openapi_json()).unwrap();
    let mut routes = Vec::new();
    for (path, operations) in document["paths"].as_object().expect("paths") {
        for (method, operation) in operations.as_object().unwrap() {
            let scheme = operation["security"][0]
                .as_object()
                .and_then(|s| s.keys().next().cloned());
            routes.push((method.to_uppercase(), path.clone(), Some(scheme)));
        }
    }
    for route in xeroctl::web::pages::routes() {
        routes.push((route.method.to_owned(), route.path.to_owned(), None));
    }
    for (method, path) in xeroctl::web::hub::route_table() {
        routes.push((method.to_string(), path.to_owned(), None));
    }
    for (method, path) in xeroctl::web::registry::route_table() {
        routes.push((method.to_string(), path.to_owned(), None));
    }
    for path in ["/openapi.json", "/assets/{path:.*}"] {
        routes.push(("GET".to_owned(), path.to_owned(), None));
    }
    routes
}

#[test]
fn every_mounted_route_has_exactly_one_matrix_case() {
    let cases = cases();
    let mut missing = Vec::new();
    for (method, path, scheme) in application_routes() {
        let found: Vec<&Case> = cases
            .iter()
            .filter(|c| c.method == method && c.path == path)
            .collect();
        match found.as_slice() {
            [] => missing.push(format!("{method} {path}")),
            [case] => {
                if let Some(scheme) = scheme {
                    let documented = match case.access {
                        Access::Open | Access::OpenKeyChecked => None,
                        Access::Agent => Some("agent_token"),
                        _ => Some("api_key"),
                    };
                    assert_eq!(
                        scheme.as_deref(),
                        documented,
                        "{method} {path}: OpenAPI security vs the matrix"
                    );
                }
            }
            _ => panic!("{method} {path} has several cases"),
        }
    }
    assert!(
        missing.is_empty(),
        "routes without a matrix case (add them to `cases()`): {missing:#?}"
    );
    let mounted: BTreeSet<(String, String)> = application_routes()
        .into_iter()
        .map(|(m, p, _)| (m, p))
        .collect();
    for case in &cases {
        assert!(
            mounted.contains(&(case.method.to_owned(), case.path.to_owned())),
            "stale case {} {}: no such route",
            case.method,
            case.path
        );
    }
}

/// Sends one case as one caller.
async fn call(world: &World, fixture: &Fixture, case: &Case, caller: Caller) -> reqwest::Response {
    let url = format!("{}{}", world.app.address, fill(case.path, fixture));
    let method = Method::from_bytes(case.method.as_bytes()).unwrap();
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let mut request = client.request(method, url);
    if let Some(token) = caller.bearer(fixture) {
        request = request.bearer_auth(token);
    }
    let session = caller.session(fixture);
    if let Some(session) = session {
        request = request.header(COOKIE, format!("xero_session={}", session.cookie));
    }
    let csrf = session.map_or_else(|| "no-session".to_owned(), |s| s.csrf.clone());
    request = match &case.body {
        Body::None => request,
        Body::Json(body) => request.json(&fill_json(body, fixture)),
        Body::Raw(bytes) => request.body(bytes.to_vec()),
        Body::Form(fields) => {
            let mut form: Vec<(String, String)> = vec![("csrf".into(), csrf)];
            form.extend(
                fields
                    .iter()
                    .map(|(k, v)| (k.to_string(), fill(v, fixture))),
            );
            request.form(&form)
        }
        Body::Upload => {
            let boundary = "matrixboundary";
            let body = format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n\
                 --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"w.bin\"\r\n\
                 Content-Type: application/octet-stream\r\n\r\nweb weights\r\n--{boundary}--\r\n"
            );
            request
                .header(
                    CONTENT_TYPE,
                    format!("multipart/form-data; boundary={boundary}"),
                )
                .body(body)
        }
    };
    request.send().await.expect("request sent")
}

/// Checks one answer against the matrix; returns whether the call was allowed.
async fn check(response: reqwest::Response, case: &Case, caller: Caller) -> bool {
    let what = format!("{caller:?} {} {}", case.method, case.path);
    let status = response.status();
    // Every REST path but `/healthz` (open to all) is under a `/v1` scope; pages never are.
    // The Hub protocol answers in its own error shape: `{"error": "…"}` and `X-Error-Code`.
    let is_hub = case.path.starts_with("/api/")
        || case.path.contains("/resolve/")
        || case.path.contains(".git/");
    let is_registry = case.path.starts_with("/v2");
    let is_page = !case.path.contains("/v1") && !is_hub && !is_registry;
    match expect(case.access, caller) {
        Expect::Allowed => {
            if status.as_u16() != case.allowed {
                let body = response.text().await.unwrap_or_default();
                panic!("{what}: allowed, answered {status}: {body}");
            }
            true
        }
        Expect::Denied(expected) => {
            assert_eq!(status, expected, "{what}: denied, answered {status}");
            if is_page {
                if status == StatusCode::SEE_OTHER {
                    let location = response.headers()[LOCATION].to_str().unwrap().to_owned();
                    assert!(
                        location.starts_with("/login") || location == "/models/catalog",
                        "{what}: sent to {location}"
                    );
                } else {
                    let content_type = response.headers()[CONTENT_TYPE]
                        .to_str()
                        .unwrap()
                        .to_owned();
                    assert!(
                        content_type.starts_with("text/html"),
                        "{what}: an HTML error page, got {content_type}"
                    );
                }
            } else if is_registry {
                let body: Value = response.json().await.expect("registry error body");
                assert!(
                    body["errors"][0]["code"].is_string(),
                    "{what}: registry error {body}"
                );
            } else if is_hub {
                assert!(
                    response.headers().contains_key("x-error-code"),
                    "{what}: X-Error-Code"
                );
                let body: Value = response.json().await.expect("hub error body");
                assert!(body["error"].is_string(), "{what}: hub error {body}");
            } else {
                if status == StatusCode::UNAUTHORIZED {
                    assert!(response.headers().contains_key(WWW_AUTHENTICATE), "{what}");
                }
                let body: Value = response.json().await.expect("error envelope");
                assert!(body["error"]["code"].is_string(), "{what}: envelope {body}");
                assert_eq!(
                    body.as_object().unwrap().len(),
                    1,
                    "{what}: envelope {body}"
                );
            }
            false
        }
    }
}

fn changes_state(case: &Case) -> bool {
    case.method != "GET"
}

#[tokio::test]
async fn every_route_answers_every_caller_as_the_rules_say_and_denials_change_nothing() {
    // Arrange
    let world = World::new().await;
    let mut checked = 0;
    for case in cases() {
        let fixture = world.fixture().await;
        let seeded = world.snapshot().await;
        assert!(
            seeded.iter().any(|row| row.starts_with("endpoints:")),
            "the snapshot sees the fixture"
        );
        // Act + Assert: denials and allowed reads first; none of them may change anything.
        let mut allowed_writes = Vec::new();
        for caller in CALLERS {
            if changes_state(&case) && expect(case.access, caller) == Expect::Allowed {
                allowed_writes.push(caller);
                continue;
            }
            let before = world.snapshot().await;
            let response = call(&world, &fixture, &case, caller).await;
            check(response, &case, caller).await;
            assert_eq!(
                before,
                world.snapshot().await,
                "{caller:?} {} {} changed state",
                case.method,
                case.path
            );
            checked += 1;
        }
        // Allowed writes: the first on the route's fixture (still as seeded, since nothing
        // above changed it), each further one on a fresh fixture.
        let mut unused = Some(fixture);
        for caller in allowed_writes {
            let target = match unused.take() {
                Some(fixture) => fixture,
                None => world.fixture().await,
            };
            let response = call(&world, &target, &case, caller).await;
            assert!(check(response, &case, caller).await);
            checked += 1;
        }
    }
    assert!(checked > 500, "{checked} calls");
}
