//! `xeroctl models import FILE.jsonl [--share]` against a real server (issue 12): every good
//! line becomes a model, bad lines are reported by number without stopping the import, and the
//! exit code says whether any line failed.

use std::process::{Command, Output};

use serde_json::Value;

use crate::cli::{BIN, stderr, stdout};
use crate::helpers::{TestApp, spawn_app};

/// Runs the binary on this thread; the server goes on answering on the runtime's other worker.
fn import(app: &TestApp, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(["models", "import"])
        .args(args)
        .env("XERO_BASE_URL", &app.address)
        .env("XERO_API_KEY", &app.api_key)
        .env_remove("XERO_PROJECT")
        .output()
        .unwrap()
}

/// The project's models by name: (shared, architecture).
async fn models_by_name(app: &TestApp) -> std::collections::BTreeMap<String, (bool, Value)> {
    let list: Value = app
        .send(reqwest::Method::GET, &app.models_url(), None)
        .await
        .json()
        .await
        .unwrap();
    list["models"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            let name = m["name"].as_str().unwrap().to_owned();
            (name, (m["shared"] == true, m["architecture"].clone()))
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_registers_and_shares_the_good_lines_and_reports_the_bad_ones() {
    // Arrange: a line as in demo/models-real.jsonl (extra fields, the class name beside a
    // null architecture), a blank line, a malformed line and one the server refuses.
    let app = spawn_app().await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("models.jsonl");
    let lines = [
        r#"{"name": "Heron-22B", "description": "Wades.", "architecture": null, "source_architecture": "MistralForCausalLM", "parameter_count": 22000000000, "context_length": 32768, "license": "apache-2.0", "quantization": null, "format": "pytorch", "workload_type": "generate,code", "version": null, "source": "xinference", "source_path": "llm_family.json"}"#,
        r#"{"name": "Heron-7B", "parameter_count": "7B", "context_length": "128K"}"#,
        r#"{"name": "Heron-broken", "#,
        "",
        r#"{"name": "Heron-bad-size", "parameter_count": "7Q"}"#,
        r#"{"name": "Heron-1B", "architecture": "llama"}"#,
    ];
    std::fs::write(&file, lines.join("\n")).unwrap();
    let path = file.to_str().unwrap().to_owned();

    // Act
    let output = tokio::task::block_in_place(|| import(&app, &[&path, "--share", "--jobs", "3"]));

    // Assert
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let errors = stderr(&output);
    assert!(errors.contains("line 3: not valid JSON"), "{errors}");
    assert!(
        errors.contains("line 5: ") && errors.contains("7Q"),
        "{errors}"
    );
    assert!(errors.contains("error: 2 of 5 lines failed"), "{errors}");
    assert_eq!(stdout(&output).trim(), "registered 3, shared 3, failed 2");
    let models = models_by_name(&app).await;
    assert_eq!(
        models.keys().map(String::as_str).collect::<Vec<_>>(),
        ["Heron-1B", "Heron-22B", "Heron-7B"]
    );
    assert!(models.values().all(|(shared, _)| *shared), "{models:?}");
    assert_eq!(models["Heron-22B"].1, "mistral", "class name mapped");
    let catalog: Value = app
        .client
        .get(format!("{}/v1/catalog/models?q=heron", app.address))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(catalog["total"], 3, "shared models are in the catalog");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_without_share_registers_only_and_exits_zero() {
    let app = spawn_app().await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("one.jsonl");
    std::fs::write(
        &file,
        "\n{\"name\": \"Egret-3B\", \"license\": \"mit\"}\n\n",
    )
    .unwrap();
    let path = file.to_str().unwrap().to_owned();
    let output = tokio::task::block_in_place(|| import(&app, &[&path, "--output", "json"]));
    assert!(output.status.success(), "{}", stderr(&output));
    let summary: Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(
        summary,
        serde_json::json!({"registered": 1, "shared": 0, "failed": 0, "errors": []})
    );
    let models = models_by_name(&app).await;
    assert_eq!(models.get("Egret-3B").map(|m| m.0), Some(false));
}
