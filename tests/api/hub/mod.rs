//! Repositories and the Hub protocol, with the real `huggingface_hub` client (two pinned
//! versions, installed by scripts/test.sh into target/test-venv): snapshot, one file by
//! revision, a resumed download, metadata, search, a missing file, a private repository.

use std::path::PathBuf;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

pub(super) use crate::helpers::{TestApp, assert_error, spawn_app};

mod cli;
mod client;
mod publish;
mod repos;

pub(super) fn venv() -> PathBuf {
    std::env::var_os("XERO_TEST_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/target/test-venv")))
}

pub(super) fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

pub(super) async fn put_blob(app: &TestApp, bytes: &[u8]) -> reqwest::Response {
    app.client
        .put(format!(
            "{}/{}/v1/blobs/{}",
            app.address,
            app.project_id,
            sha256(bytes)
        ))
        .bearer_auth(&app.api_key)
        .body(bytes.to_vec())
        .send()
        .await
        .unwrap()
}

/// Uploads a folder the way `xeroctl models upload DIR` does: blobs, then one commit.
pub(super) async fn upload_folder(app: &TestApp, model: &str, files: &[(&str, Vec<u8>)]) -> Value {
    let mut listed = Vec::new();
    for (path, bytes) in files {
        assert_eq!(
            put_blob(app, bytes).await.status(),
            StatusCode::OK,
            "{path}"
        );
        listed.push(json!({"path": path, "sha256": sha256(bytes), "size": bytes.len()}));
    }
    let response = app
        .send(
            Method::POST,
            &format!("{}/{model}/revisions", app.models_url()),
            Some(&json!({"message": "first", "files": listed})),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    response.json().await.unwrap()
}

pub(super) async fn model(app: &TestApp, name: &str, share: bool) -> String {
    let id = app.register(&json!({"name": name})).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    if share {
        app.share(&id).await;
    }
    id
}
