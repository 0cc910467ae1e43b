//! RFC 9110 conformance (RELIABILITY T42): HEAD on every GET route, 405 with `Allow`, Range
//! handling, and form errors in the envelope or as a page.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::gguf_files::fixture;
use crate::helpers::{assert_error, spawn_app};

/// A concrete URL for a route pattern: every `{param}` filled with a real id.
fn fill(pattern: &str, project: &str, model: &str) -> String {
    let mut out = String::new();
    for segment in pattern.split('/').filter(|s| !s.is_empty()) {
        out.push('/');
        out.push_str(match segment {
            "{project_id}" | "{project}" => project,
            "{id}" | "{model}" => model,
            s if s.starts_with('{') => "x",
            s => s,
        });
    }
    if out.is_empty() { "/".to_owned() } else { out }
}

#[tokio::test]
async fn head_answers_every_get_route_like_get_without_a_body() {
    let app = spawn_app().await;
    let model = app.register_sample("Head Model").await;
    app.share(&model).await;
    let mut routes: Vec<(Method, String)> = xeroctl::web::api::route_table()
        .into_iter()
        .map(|(m, p)| (Method::from_bytes(m.as_str().as_bytes()).unwrap(), p))
        .collect();
    routes.extend(
        xeroctl::web::pages::route_table()
            .into_iter()
            .map(|(m, p)| {
                (
                    Method::from_bytes(m.as_str().as_bytes()).unwrap(),
                    p.to_owned(),
                )
            }),
    );
    routes.push((Method::GET, "/openapi.json".to_owned()));
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let mut checked = 0;
    for (method, pattern) in routes.iter().filter(|(m, _)| *m == Method::GET) {
        let url = format!("{}{}", app.address, fill(pattern, &app.project_id, &model));
        let get = client
            .get(&url)
            .bearer_auth(&app.api_key)
            .send()
            .await
            .unwrap();
        let head = client
            .request(Method::HEAD, &url)
            .bearer_auth(&app.api_key)
            .send()
            .await
            .unwrap();
        assert_eq!(head.status(), get.status(), "HEAD {pattern} ({method})");
        assert_eq!(
            head.headers().get("content-type"),
            get.headers().get("content-type"),
            "HEAD {pattern}"
        );
        let declared = head.headers().get("content-length").cloned();
        assert!(
            head.bytes().await.unwrap().is_empty(),
            "HEAD {pattern} sent a body"
        );
        if let Some(length) = declared {
            let body = get.bytes().await.unwrap();
            // Pages embed a fresh CSRF token, so only the length of static answers must agree.
            if pattern.starts_with("/v1/catalog") || pattern == "/healthz" {
                assert_eq!(
                    length.to_str().unwrap(),
                    body.len().to_string(),
                    "HEAD {pattern}"
                );
            }
        }
        checked += 1;
    }
    assert!(checked >= 10, "only {checked} GET routes found");
}

#[tokio::test]
async fn other_methods_on_a_known_path_get_405_with_allow() {
    let app = spawn_app().await;
    let client = reqwest::Client::new();
    let cases = [
        (Method::DELETE, "/models/catalog".to_owned(), "GET, HEAD"),
        (Method::PUT, "/login".to_owned(), "GET, POST, HEAD"),
        (Method::POST, "/healthz".to_owned(), "GET, HEAD"),
        (Method::PATCH, "/v1/catalog/models".to_owned(), "GET, HEAD"),
    ];
    for (method, path, allow) in cases {
        let response = client
            .request(method.clone(), format!("{}{path}", app.address))
            .send()
            .await
            .unwrap();
        assert_eq!(response.headers()["allow"], allow, "{method} {path}");
        assert_error(
            response,
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
        )
        .await;
    }
    // A key's own project routes: the scope authenticates first, then 405.
    let url = format!("{}/{}/v1/models", app.address, app.project_id);
    let response = app.send(Method::PUT, &url, None).await;
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert!(
        response.headers()["allow"]
            .to_str()
            .unwrap()
            .contains("POST")
    );
    let unknown = client
        .delete(format!("{}/no/such/path", app.address))
        .send()
        .await
        .unwrap();
    assert_error(unknown, StatusCode::NOT_FOUND, "route_not_found").await;
    // A browser gets a page, with the same status and Allow.
    let page = client
        .delete(format!("{}/models/catalog", app.address))
        .header("Accept", "text/html,application/xhtml+xml")
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert!(
        page.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(page.headers().contains_key("allow"));
    assert!(page.text().await.unwrap().contains("Not allowed here"));
}

#[tokio::test]
async fn ranges_follow_rfc_9110() {
    let app = spawn_app().await;
    let id = app.register(&json!({ "name": "Ranged" })).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let bytes = std::fs::read(fixture("synthetic-qwen3moe-f16.gguf")).unwrap();
    let url = format!("{}/{id}/artifact", app.models_url());
    let put = app
        .client
        .put(&url)
        .bearer_auth(&app.api_key)
        .body(bytes.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(put.status(), StatusCode::OK);
    let size = bytes.len();
    let get = |range: &'static str| {
        let request = app
            .client
            .get(&url)
            .bearer_auth(&app.api_key)
            .header("Range", range);
        async move { request.send().await.unwrap() }
    };
    for ignored in ["bytes=0-1,4-5", "items=0-3", "bytes=5-2", "bytes=abc"] {
        let response = get(ignored).await;
        assert_eq!(response.status(), StatusCode::OK, "{ignored} is ignored");
        assert!(response.headers().get("content-range").is_none());
        assert_eq!(response.bytes().await.unwrap().len(), size, "{ignored}");
    }
    let clamped = get("bytes=4-99999999999999999999999").await;
    assert_eq!(clamped.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(
        clamped.headers()["content-range"],
        format!("bytes 4-{}/{size}", size - 1).as_str()
    );
    for unsatisfiable in [
        "bytes=99999999-",
        "bytes=-0",
        "bytes=99999999999999999999999-",
    ] {
        let response = get(unsatisfiable).await;
        assert_eq!(
            response.headers()["content-range"],
            format!("bytes */{size}").as_str(),
            "{unsatisfiable}"
        );
        assert_error(
            response,
            StatusCode::RANGE_NOT_SATISFIABLE,
            "range_not_satisfiable",
        )
        .await;
    }
    let head = app
        .client
        .head(&url)
        .bearer_auth(&app.api_key)
        .send()
        .await
        .unwrap();
    assert_eq!(head.status(), StatusCode::OK);
    assert_eq!(head.headers()["content-length"], size.to_string().as_str());
    assert!(head.bytes().await.unwrap().is_empty());
}

#[tokio::test]
async fn unreadable_forms_answer_in_the_envelope_or_as_a_page() {
    let app = spawn_app().await;
    let client = reqwest::Client::new();
    let url = format!("{}/login", app.address);
    let api = client
        .post(&url)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("username=%ZZ")
        .send()
        .await
        .unwrap();
    assert_error(api, StatusCode::BAD_REQUEST, "invalid_request").await;
    let browser = client
        .post(&url)
        .header("Accept", "text/html")
        .header("Content-Type", "application/json")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(browser.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert!(browser.text().await.unwrap().contains("<!DOCTYPE html>"));
}

/// RELIABILITY T41: after login only a same-site path is followed; never a 500.
#[tokio::test]
async fn login_follows_only_same_site_next_paths() {
    use crate::sessions::{PASSWORD, browser, field, user};
    let app = spawn_app().await;
    user(&app, "nextuser").await;
    let cases = [
        ("/projects", "/projects"),
        ("/\n/x", "/models/catalog"),
        ("/\r\nSet-Cookie: a=b", "/models/catalog"),
        ("/\t/evil.example/x", "/models/catalog"),
        ("/\0", "/models/catalog"),
        ("//evil.example", "/models/catalog"),
        ("/\\evil.example", "/models/catalog"),
        ("https://evil.example", "/models/catalog"),
        ("%2F%2Fevil.example", "/models/catalog"),
    ];
    for (next, expected) in cases {
        let client = browser();
        let page = client
            .get(format!("{}/login", app.address))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let csrf = field(&page, "input[name=csrf]", "value");
        let response = client
            .post(format!("{}/login", app.address))
            .form(&[
                ("username", "nextuser"),
                ("password", PASSWORD),
                ("csrf", &csrf),
                ("next", next),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{next:?}");
        assert_eq!(response.headers()["location"], expected, "{next:?}");
        assert!(
            response.headers().get("set-cookie").is_some(),
            "{next:?}: logged in with a cookie"
        );
    }
}
