//! `xeroctl deploy`, `xeroctl endpoints` and `xeroctl completions` against a real server. The
//! tests block on child processes, so they run on a multi-threaded runtime: the server's
//! background tasks live on the test's runtime and must not stall behind a blocked thread.

use std::process::{Command, Output};

use serde_json::Value;
use xeroctl::catalog::infra::AgentKind;

use crate::helpers::{TestApp, spawn_app};
use crate::infra::{agent, endpoints, report};

const BIN: &str = env!("CARGO_BIN_EXE_xeroctl");

fn run(app: &TestApp, key: Option<&str>, args: &[&str]) -> Output {
    let mut command = Command::new(BIN);
    command
        .args(args)
        .env("XERO_BASE_URL", &app.address)
        .env_remove("XERO_PROJECT")
        .env_remove("XERO_API_KEY")
        .env_remove("NO_COLOR");
    if let Some(key) = key {
        command.env("XERO_API_KEY", key);
    }
    command.output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deploy_list_and_delete_endpoints_from_the_command_line() {
    let app = spawn_app().await;
    let id = app.register_sample("Deployable-7B").await;
    app.share(&id).await;
    let token = agent(&app, AgentKind::Shared, None, "pool").await;
    report(&app, &token, "heartbeat", &[&id]).await;
    let key = app.api_key.clone();

    let deployed = run(&app, Some(&key), &["deploy", &id]);
    assert!(deployed.status.success(), "{}", text(&deployed.stderr));
    let out = text(&deployed.stdout);
    assert!(
        out.contains("deployed Deployable-7B") && out.contains("shared tier"),
        "{out}"
    );
    assert!(
        !out.contains('\u{1b}'),
        "no colour when stdout is not a terminal: {out:?}"
    );

    let json = run(
        &app,
        Some(&key),
        &["deploy", &id, "--tier", "shared", "--output", "json"],
    );
    assert!(json.status.success(), "{}", text(&json.stderr));
    let created: Value = serde_json::from_slice(&json.stdout).expect("JSON output parses");
    assert_eq!(created["status"], "active");

    let listed = run(&app, Some(&key), &["endpoints", "--output", "json"]);
    let listed: Value = serde_json::from_slice(&listed.stdout).unwrap();
    let rest = endpoints(&app, &app.project_id, &app.api_key).await;
    assert_eq!(
        listed["endpoints"].as_array().unwrap(),
        &rest,
        "the CLI's JSON is the API's JSON"
    );

    let table = run(&app, Some(&key), &["endpoints"]);
    let table = text(&table.stdout);
    assert!(
        table.starts_with("ID") && table.contains("active") && table.contains("Deployable-7B"),
        "{table}"
    );

    let endpoint = created["id"].as_str().unwrap();
    let deleted = run(&app, Some(&key), &["endpoints", "delete", endpoint]);
    assert!(deleted.status.success(), "{}", text(&deleted.stderr));
    assert_eq!(
        endpoints(&app, &app.project_id, &app.api_key).await.len(),
        1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deploy_failures_are_one_line_with_distinct_exit_codes() {
    let app = spawn_app().await;
    let id = app.register_sample("Xim-Only-3B").await;
    app.share(&id).await;
    let key = app.api_key.clone();
    let cases: Vec<(&str, Output, i32, &str)> = vec![
        (
            "display id",
            run(&app, Some(&key), &["deploy", "mdl_abc123"]),
            2,
            "is not a model UUID",
        ),
        (
            "shared tier refused",
            run(&app, Some(&key), &["deploy", &id, "--tier", "shared"]),
            1,
            "requires a XIM node",
        ),
        (
            "no XIM node",
            run(&app, Some(&key), &["deploy", &id]),
            1,
            "XIM node is required",
        ),
        (
            "missing key",
            run(&app, None, &["endpoints"]),
            3,
            "XERO_API_KEY",
        ),
        (
            "bad endpoint id",
            run(&app, Some(&key), &["endpoints", "delete", "nope"]),
            2,
            "UUID",
        ),
        (
            "unknown endpoint",
            run(
                &app,
                Some(&key),
                &["endpoints", "delete", &uuid::Uuid::new_v4().to_string()],
            ),
            1,
            "not found",
        ),
    ];
    for (description, output, code, message) in cases {
        let err = text(&output.stderr);
        assert_eq!(output.status.code(), Some(code), "{description}: {err}");
        assert!(
            err.starts_with("error: ") && err.contains(message),
            "{description}: {err}"
        );
        assert_eq!(err.trim_end().lines().count(), 1, "{description}: {err}");
    }
    let refused = Command::new(BIN)
        .args(["endpoints"])
        .env("XERO_BASE_URL", "http://127.0.0.1:9")
        .env("XERO_API_KEY", &key)
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(4));
    assert!(text(&refused.stderr).contains("http://127.0.0.1:9"));
}

#[test]
fn completions_are_generated_for_every_shell() {
    for (shell, marker) in [
        ("bash", "complete"),
        ("zsh", "#compdef xeroctl"),
        ("fish", "complete -c xeroctl"),
    ] {
        let output = Command::new(BIN)
            .args(["completions", shell])
            .output()
            .unwrap();
        assert!(output.status.success());
        let script = text(&output.stdout);
        assert!(
            script.contains(marker) && script.contains("deploy"),
            "{shell}"
        );
    }
}

#[test]
fn every_command_has_help_with_an_example() {
    for args in [
        vec!["models"],
        vec!["catalog"],
        vec!["deploy"],
        vec!["endpoints"],
        vec!["completions"],
        vec!["admin", "agents", "add"],
        vec!["admin", "feature"],
    ] {
        let mut full = args.clone();
        full.push("--help");
        let output = Command::new(BIN).args(&full).output().unwrap();
        let help = text(&output.stdout);
        assert!(output.status.success(), "{args:?}");
        assert!(help.contains("xeroctl "), "{args:?} has an example: {help}");
        assert!(help.contains("Example"), "{args:?}: {help}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn models_upload_creates_the_model_prints_what_the_file_says_and_shares() {
    let app = spawn_app().await;
    let key = app.api_key.clone();
    let file = crate::gguf_files::fixture("synthetic-qwen3moe-f16.gguf");
    let file = file.to_str().unwrap();
    let table = run(&app, Some(&key), &["models", "upload", file, "--share"]);
    assert!(table.status.success(), "{}", text(&table.stderr));
    let out = text(&table.stdout);
    for expected in [
        "to Synthetic Tiny Qwen3 MoE (",
        "architecture: qwen3moe",
        "experts: 4",
        "context: 40960",
        "model shared to the catalog",
    ] {
        assert!(out.contains(expected), "{expected}: {out}");
    }
    let json = run(
        &app,
        Some(&key),
        &[
            "models",
            "upload",
            file,
            "--name",
            "Second copy",
            "--output",
            "json",
        ],
    );
    assert!(json.status.success(), "{}", text(&json.stderr));
    let answer: Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(answer["model"]["name"], "Second copy");
    assert_eq!(answer["file"]["parameter_count"], 1344);
    assert!(
        answer["notices"][0]
            .as_str()
            .unwrap()
            .contains("are already the file of"),
        "{answer}"
    );
    // The same file again, with no name: nothing new, and the model keeps the file's own name.
    let again = run(&app, Some(&key), &["models", "upload", file]);
    assert!(again.status.success(), "{}", text(&again.stderr));
    assert!(
        text(&again.stdout).contains("already there"),
        "{}",
        text(&again.stdout)
    );
    let listed = run(&app, Some(&key), &["models", "--output", "json"]);
    let listed = text(&listed.stdout);
    assert_eq!(
        listed.matches("\"sha256\"").count(),
        2,
        "no third model: {listed}"
    );
    let raw = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(raw.path(), b"just some bytes, not a model format").unwrap();
    let opaque = run(
        &app,
        Some(&key),
        &["models", "upload", raw.path().to_str().unwrap()],
    );
    assert!(opaque.status.success(), "{}", text(&opaque.stderr));
    assert!(
        text(&opaque.stdout).contains("neither GGUF nor safetensors"),
        "{}",
        text(&opaque.stdout)
    );
    let missing = run(
        &app,
        Some(&key),
        &["models", "upload", "/nonexistent/file.gguf"],
    );
    assert_eq!(missing.status.code(), Some(2));
    assert!(text(&missing.stderr).contains("cannot read"));
    let bad = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(bad.path(), b"GGUF\x63\x00\x00\x00").unwrap();
    let refused = run(
        &app,
        Some(&key),
        &["models", "upload", bad.path().to_str().unwrap()],
    );
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        text(&refused.stderr).contains("version 99"),
        "{}",
        text(&refused.stderr)
    );
    let listed: Value = app
        .send(reqwest::Method::GET, &app.models_url(), None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        listed["total"], 3,
        "two copies and the opaque file; the model made for the refused file was removed again"
    );
}
