//! Errors a browser reads as a page in the site layout, while API clients keep the JSON envelope
//! (issue 16, point 8): unknown routes, a page handler's internal error, bad page input.

use reqwest::{Client, StatusCode};
use scraper::{Html, Selector};

use crate::helpers::{TestApp, assert_error, spawn_app};
use crate::sessions::{PASSWORD, browser, login, user};

const BROWSER_ACCEPT: &str = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

/// Fetches `path`, with `accept` when given; returns the status, the content type and the body.
async fn fetch(
    app: &TestApp,
    client: &Client,
    path: &str,
    accept: Option<&str>,
) -> reqwest::Response {
    let mut request = client.get(format!("{}{path}", app.address));
    if let Some(accept) = accept {
        request = request.header("Accept", accept);
    }
    request.send().await.unwrap()
}

/// Asserts an HTML error page with this status; returns it parsed.
async fn assert_page(response: reqwest::Response, status: StatusCode, what: &str) -> Html {
    assert_eq!(response.status(), status, "{what}");
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        content_type.starts_with("text/html"),
        "{what}: {content_type}"
    );
    assert_eq!(response.headers()["cache-control"], "no-store", "{what}");
    let html = Html::parse_document(&response.text().await.unwrap());
    let layout = Selector::parse("header.top a.brand").unwrap();
    assert!(
        html.select(&layout).next().is_some(),
        "{what}: in the site layout"
    );
    html
}

fn text_of(html: &Html, css: &str) -> String {
    let selector = Selector::parse(css).unwrap();
    html.select(&selector)
        .next()
        .map(|e| e.text().collect::<String>())
        .unwrap_or_default()
}

#[tokio::test]
async fn browsers_get_a_404_page_for_unknown_routes_and_api_clients_the_envelope() {
    let app = spawn_app().await;
    let client = Client::new();
    for path in ["/nope", "/models", "/projects/nope/deeper/still"] {
        let page = fetch(&app, &client, path, Some(BROWSER_ACCEPT)).await;
        let html = assert_page(page, StatusCode::NOT_FOUND, path).await;
        assert_eq!(text_of(&html, ".page-error h1"), "Not found", "{path}");
        let link = Selector::parse(".page-error a[href='/models/catalog']").unwrap();
        assert!(
            html.select(&link).next().is_some(),
            "{path}: a way to the catalog"
        );
    }
    let api_clients = [
        ("/nope", None, "no Accept"),
        ("/nope", Some("*/*"), "curl"),
        ("/nope", Some("application/json"), "JSON"),
        (
            "/nope",
            Some("application/json, text/html"),
            "JSON first, HTML tolerated",
        ),
        (
            "/v1/nope",
            Some(BROWSER_ACCEPT),
            "a browser on the REST API",
        ),
    ];
    for (path, accept, description) in api_clients {
        let response = fetch(&app, &client, path, accept).await;
        let message = assert_error(response, StatusCode::NOT_FOUND, "route_not_found").await;
        assert!(message.contains(path), "{description}: {message}");
    }
    // The Hub's paths answer in the Hub's shape, browser or not.
    let response = fetch(&app, &client, "/api/nope", Some(BROWSER_ACCEPT)).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert!(response.headers().contains_key("x-error-code"));
    let body: serde_json::Value = response.json().await.unwrap();
    assert!(
        body["error"].as_str().unwrap().contains("/api/nope"),
        "{body}"
    );
}

#[tokio::test]
async fn a_page_handlers_internal_error_is_a_500_page_that_tells_nothing_of_it() {
    // Arrange: a logged-in member, then a database the pages cannot read.
    let app = spawn_app().await;
    let id = app.register_sample("Unreadable").await;
    app.share(&id).await;
    user(&app, "nora").await;
    let client = browser();
    login(&app, &client, "nora", PASSWORD).await;
    app.services
        .store
        .write(|tx| Ok(tx.execute_batch("ALTER TABLE models RENAME TO models_gone")?))
        .await
        .unwrap();
    for path in [
        format!("/projects/{}/models", app.project_id),
        format!("/models/catalog/{id}"),
    ] {
        // Act
        let response = fetch(&app, &client, &path, Some(BROWSER_ACCEPT)).await;
        // Assert
        let html = assert_page(response, StatusCode::INTERNAL_SERVER_ERROR, &path).await;
        assert_eq!(
            text_of(&html, ".page-error h1"),
            "Something went wrong",
            "{path}"
        );
        let shown = html.html();
        for secret in ["models_gone", "no such table", "SELECT", "sqlite"] {
            assert!(!shown.contains(secret), "{path} shows `{secret}`");
        }
        assert!(
            !text_of(&html, "header.top .user").is_empty(),
            "{path}: still logged in"
        );
    }
}

#[tokio::test]
async fn bad_page_input_is_a_400_page_for_browsers_and_the_envelope_for_others() {
    let app = spawn_app().await;
    let client = Client::new();
    let compare = fetch(
        &app,
        &client,
        "/models/compare?ids=not-a-uuid",
        Some(BROWSER_ACCEPT),
    )
    .await;
    let html = assert_page(compare, StatusCode::BAD_REQUEST, "compare").await;
    assert_eq!(
        text_of(&html, ".page-error h1"),
        "These models cannot be compared"
    );
    // A query no extractor can read: a page for a browser, the envelope for an API client.
    let duplicated = format!(
        "/models/catalog/{}?deploy_error=a&deploy_error=b",
        uuid::Uuid::new_v4()
    );
    let page = fetch(&app, &client, &duplicated, Some(BROWSER_ACCEPT)).await;
    let html = assert_page(page, StatusCode::BAD_REQUEST, "duplicated query").await;
    assert!(text_of(&html, ".page-error").contains("invalid query parameters"));
    let api = fetch(&app, &client, &duplicated, None).await;
    assert_error(api, StatusCode::BAD_REQUEST, "invalid_parameter").await;
}
