//! `spawn_app()` and the `TestApp` whose methods hide URLs and headers.

use reqwest::{Method, Response, StatusCode};
use serde_json::{Value, json};
use tempfile::TempDir;
use xeroctl::auth::KeyScope;
use xeroctl::catalog::ids::ProjectId;
use xeroctl::config::Settings;
use xeroctl::ops::{self, Services};
use xeroctl::web::server::Application;

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub project_id: String,
    pub api_key: String,
    pub services: Services,
    /// Deleted when the test ends.
    pub data_dir: TempDir,
}

/// A second project on the same server, with its own key.
pub struct OtherProject {
    pub project_id: String,
    pub api_key: String,
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with_ttl(ops::DEFAULT_AGENT_TTL).await
}

/// A server whose agents go stale `ttl` after their last heartbeat.
pub async fn spawn_app_with_ttl(ttl: std::time::Duration) -> TestApp {
    spawn_app_with(|settings| settings.agent_ttl = ttl).await
}

/// A server with adjusted settings.
pub async fn spawn_app_with(adjust: impl FnOnce(&mut Settings)) -> TestApp {
    let data_dir = tempfile::tempdir().expect("temp dir");
    let mut settings = Settings::for_tests(data_dir.path().to_path_buf());
    adjust(&mut settings);
    let app = Application::build(settings).await.expect("server builds");
    let address = format!("http://127.0.0.1:{}", app.port());
    let services = app.services().clone();
    tokio::spawn(app.run_until_stopped());
    let client = reqwest::Client::new();
    // The server listens before its index is reconciled: tests search right away, so wait.
    wait_until_ready(&client, &address).await;
    let (project_id, api_key) = create_project(&services, "myproject", KeyScope::Write).await;
    TestApp {
        address,
        client,
        project_id,
        api_key,
        services,
        data_dir,
    }
}

/// Polls `/readyz` until the catalog is served (a fresh data directory takes milliseconds).
pub async fn wait_until_ready(client: &reqwest::Client, address: &str) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while std::time::Instant::now() < deadline {
        if let Ok(response) = client.get(format!("{address}/readyz")).send().await
            && response.status() == StatusCode::OK
        {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!("the server at {address} did not become ready");
}

pub async fn create_project(services: &Services, slug: &str, scope: KeyScope) -> (String, String) {
    let project = ops::admin::create_project(services, slug, "Test project", None)
        .await
        .expect("project");
    let key = ops::admin::create_key(services, &project.id, scope, None)
        .await
        .expect("key");
    (project.id.to_string(), key.plain)
}

/// A valid model registration body.
pub fn sample_model(name: &str) -> Value {
    json!({
        "name": name,
        "description": "A **test** model.",
        "architecture": "LlamaForCausalLM",
        "parameter_count": "7B",
        "context_length": "128K",
        "license": "apache-2.0",
        "workload_type": "chat",
    })
}

impl TestApp {
    pub fn models_url(&self) -> String {
        format!("{}/{}/v1/models", self.address, self.project_id)
    }

    pub async fn other_project(&self, slug: &str) -> OtherProject {
        let (project_id, api_key) = create_project(&self.services, slug, KeyScope::Write).await;
        OtherProject {
            project_id,
            api_key,
        }
    }

    pub async fn key_for(&self, scope: KeyScope) -> String {
        let project = ProjectId::parse(&self.project_id).unwrap();
        ops::admin::create_key(&self.services, &project, scope, None)
            .await
            .unwrap()
            .plain
    }

    /// Sends a request with this app's key.
    pub async fn send(&self, method: Method, url: &str, body: Option<&Value>) -> Response {
        self.send_with_key(method, url, body, Some(&self.api_key))
            .await
    }

    pub async fn send_with_key(
        &self,
        method: Method,
        url: &str,
        body: Option<&Value>,
        key: Option<&str>,
    ) -> Response {
        let mut request = self.client.request(method, url);
        if let Some(key) = key {
            request = request.bearer_auth(key);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        request.send().await.expect("request sent")
    }

    /// Registers a model and returns its JSON view.
    pub async fn register(&self, body: &Value) -> Value {
        let response = self
            .send(Method::POST, &self.models_url(), Some(body))
            .await;
        assert_eq!(response.status(), StatusCode::CREATED, "register failed");
        response.json().await.unwrap()
    }

    pub async fn register_sample(&self, name: &str) -> String {
        self.register(&sample_model(name)).await["id"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    pub async fn share(&self, id: &str) -> Response {
        self.send(
            Method::POST,
            &format!("{}/{id}/share", self.models_url()),
            None,
        )
        .await
    }

    pub async fn unshare(&self, id: &str) -> Response {
        self.send(
            Method::POST,
            &format!("{}/{id}/unshare", self.models_url()),
            None,
        )
        .await
    }

    pub async fn get_model(&self, id: &str) -> Response {
        self.send(Method::GET, &format!("{}/{id}", self.models_url()), None)
            .await
    }
}

/// Asserts status and the whole error envelope's code; returns the message.
pub async fn assert_error(response: Response, status: StatusCode, code: &str) -> String {
    assert_eq!(response.status(), status, "unexpected status");
    let body: Value = response.json().await.expect("JSON envelope");
    assert_eq!(body["error"]["code"], code, "body: {body}");
    assert_eq!(
        body.as_object().unwrap().len(),
        1,
        "envelope has only `error`: {body}"
    );
    body["error"]["message"]
        .as_str()
        .expect("message")
        .to_owned()
}
