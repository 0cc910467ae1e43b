//! Issue 12 point 4: start-up at any size. The server listens before its index is rebuilt;
//! `/healthz` answers throughout, `/readyz` and the catalog answer 503 with `Retry-After` until
//! the rebuild is done, writes keep working, and then the catalog is complete. The hidden
//! rebuild pause (`XERO_TEST_REBUILD_DELAY_MS` for the binary) keeps the rebuild running long
//! enough to look at; nothing here asserts how long anything takes.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};
use xeroctl::auth::KeyScope;
use xeroctl::config::Settings;
use xeroctl::ops::{self, Services};
use xeroctl::web::server::Application;

use crate::helpers::{create_project, wait_until_ready};

/// Models the catalog holds before the server starts (one rebuild batch).
const MODELS: usize = 30;

/// A data directory with `MODELS` shared models and no index, plus a project and write key.
async fn catalog_without_index(dir: &std::path::Path) -> (String, String) {
    let services = Services::open(dir).unwrap();
    ops::seed::generate::generate(&services, MODELS, 2, 11)
        .await
        .unwrap();
    create_project(&services, "latecomer", KeyScope::Write).await
}

async fn catalog_total(client: &reqwest::Client, base: &str) -> u64 {
    let answer: Value = client
        .get(format!("{base}/v1/catalog/models"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    answer["total"].as_u64().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_answers_while_its_index_is_rebuilt_and_is_complete_once_ready() {
    // Arrange
    let dir = tempfile::tempdir().unwrap();
    let (project, key) = catalog_without_index(dir.path()).await;
    let mut settings = Settings::for_tests(dir.path().to_path_buf());
    settings.rebuild_pause = Some(Duration::from_secs(3));
    let app = Application::build(settings).await.unwrap();
    let base = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    let client = reqwest::Client::new();

    // Act: look while the rebuild runs (it may, on a slow machine, already be done).
    let health = client.get(format!("{base}/healthz")).send().await.unwrap();
    assert_eq!(health.status(), StatusCode::OK, "live at once");
    let ready = client.get(format!("{base}/readyz")).send().await.unwrap();
    let mut late = None;
    if ready.status() == StatusCode::SERVICE_UNAVAILABLE {
        assert_eq!(ready.headers()["retry-after"], "2");
        let body: Value = ready.json().await.unwrap();
        assert!(
            ["starting", "rebuilding"].contains(&body["status"].as_str().unwrap()),
            "{body}"
        );
        assert!(body["percent"].as_u64().unwrap() < 100, "{body}");
        assert_unavailable_while_rebuilding(&client, &base).await;
        // A write answers without waiting for the rebuild, and is searchable once ready.
        late = Some(register_and_share(&client, &base, &project, &key).await);
        let health = client.get(format!("{base}/healthz")).send().await.unwrap();
        assert_eq!(health.status(), StatusCode::OK, "live throughout");
    }
    wait_until_ready(&client, &base).await;

    // Assert
    let ready = client.get(format!("{base}/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), StatusCode::OK);
    let body: Value = ready.json().await.unwrap();
    let shared = MODELS as u64 + u64::from(late.is_some());
    assert_eq!(
        body,
        json!({"status": "ready", "indexed": shared, "total": shared, "percent": 100})
    );
    assert_eq!(catalog_total(&client, &base).await, shared, "complete");
    if let Some(name) = late {
        let found: Value = client
            .get(format!("{base}/v1/catalog/models?q={name}"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(found["models"][0]["name"], name.as_str(), "{found}");
    }
}

/// Every reader of the index answers 503 with `Retry-After`, each in its own style.
async fn assert_unavailable_while_rebuilding(client: &reqwest::Client, base: &str) {
    for path in ["/v1/catalog/models?q=llama", "/v1/catalog/families"] {
        let response = client.get(format!("{base}{path}")).send().await.unwrap();
        assert_eq!(response.headers()["retry-after"], "2", "{path}");
        let message = crate::helpers::assert_error(
            response,
            StatusCode::SERVICE_UNAVAILABLE,
            "index_unavailable",
        )
        .await;
        assert!(message.contains("try again"), "{path}: {message}");
    }
    let page = client
        .get(format!("{base}/models/catalog"))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(page.headers()["retry-after"], "2");
    let html = scraper::Html::parse_document(&page.text().await.unwrap());
    let heading = scraper::Selector::parse("[role=alert] h2").unwrap();
    let title: String = html.select(&heading).next().unwrap().text().collect();
    assert_eq!(title, "The catalog is being prepared");
    let hub = client
        .get(format!("{base}/api/models?search=llama"))
        .send()
        .await
        .unwrap();
    assert_eq!(hub.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(hub.headers()["retry-after"], "2");
    assert_eq!(hub.headers()["x-error-code"], "IndexUnavailable");
    let body: Value = hub.json().await.unwrap();
    assert!(body["error"].is_string(), "{body}");
}

async fn register_and_share(
    client: &reqwest::Client,
    base: &str,
    project: &str,
    key: &str,
) -> String {
    let name = "Latecomer-7B";
    let model: Value = client
        .post(format!("{base}/{project}/v1/models"))
        .bearer_auth(key)
        .json(&json!({"name": name}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let shared = client
        .post(format!(
            "{base}/{project}/v1/models/{}/share",
            model["id"].as_str().unwrap()
        ))
        .bearer_auth(key)
        .send()
        .await
        .unwrap();
    assert_eq!(
        shared.status(),
        StatusCode::OK,
        "a share during the rebuild"
    );
    name.to_owned()
}
