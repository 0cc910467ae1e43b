//! The `xeroctl models` client against a real server: list, share by display id, unshare by
//! UUID, JSON output, and every failure mode with its message and exit code. The hardening
//! cases (closed pipes, base URLs, ambiguity lists, catalog names) are in `cli_hardening`.

use std::process::{Command, Output};

use serde_json::Value;

use crate::helpers::{TestApp, spawn_app};

pub const BIN: &str = env!("CARGO_BIN_EXE_xeroctl");

pub(crate) fn xeroctl(app: &TestApp, key: Option<&str>, args: &[&str]) -> Output {
    let mut command = Command::new(BIN);
    command
        .arg("models")
        .args(args)
        .env("XERO_BASE_URL", &app.address)
        .env_remove("XERO_PROJECT")
        .env_remove("XERO_API_KEY");
    if let Some(key) = key {
        command.env("XERO_API_KEY", key);
    }
    command.output().unwrap()
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

async fn catalog_total(app: &TestApp, q: &str) -> u64 {
    let answer: Value = app
        .client
        .get(format!("{}/v1/catalog/models?q={q}", app.address))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    answer["total"].as_u64().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_share_by_display_id_and_unshare_by_uuid() {
    let app = spawn_app().await;
    let id = app.register_sample("Osprey-13B").await;
    let key = app.api_key.clone();
    let list = tokio::task::spawn_blocking({
        let (address, key) = (app.address.clone(), key.clone());
        move || {
            Command::new(BIN)
                .args(["models"])
                .env("XERO_BASE_URL", address)
                .env("XERO_API_KEY", key)
                .output()
                .unwrap()
        }
    })
    .await
    .unwrap();
    assert!(list.status.success(), "{}", stderr(&list));
    let display_id = format!("mdl_{}", &id.replace('-', "")[..6]);
    assert!(
        stdout(&list).contains(&display_id) && stdout(&list).contains("Osprey-13B"),
        "{}",
        stdout(&list)
    );

    let shared = xeroctl(&app, Some(&key), &[&display_id, "--share"]);
    assert!(shared.status.success(), "{}", stderr(&shared));
    assert!(stdout(&shared).contains("model shared to the catalog"));
    assert_eq!(
        catalog_total(&app, "osprey").await,
        1,
        "shared by display id, visible in the catalog"
    );
    // The server itself refuses the display id; only the CLI resolves it.
    let direct = app.share(&display_id).await;
    assert_eq!(direct.status(), 404);

    let unshared = xeroctl(&app, Some(&key), &[&id, "--unshare", "--output", "json"]);
    assert!(unshared.status.success(), "{}", stderr(&unshared));
    let json: Value = serde_json::from_str(&stdout(&unshared)).expect("JSON output");
    assert_eq!(
        json,
        serde_json::json!({"id": id, "shared": false, "message": "model removed from the catalog", "catalog_role": null})
    );
    assert_eq!(catalog_total(&app, "osprey").await, 0);

    let listed = xeroctl(&app, Some(&key), &["--output", "json"]);
    let models: Value = serde_json::from_str(&stdout(&listed)).unwrap();
    let rest: Value = app.get_model(&id).await.json().await.unwrap();
    assert_eq!(models[0], rest, "JSON output is the API's JSON");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_failure_is_one_line_with_a_distinct_exit_code() {
    let app = spawn_app().await;
    app.register_sample("First").await;
    app.register_sample("Second").await;
    let key = app.api_key.clone();
    let cases: Vec<(&str, Output, i32, &str)> = vec![
        ("missing key", xeroctl(&app, None, &[]), 3, "XERO_API_KEY"),
        (
            "invalid key",
            xeroctl(
                &app,
                Some("xero_myproject_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
                &[],
            ),
            1,
            "invalid API key",
        ),
        (
            "unknown display id",
            xeroctl(&app, Some(&key), &["mdl_zzzzzz", "--share"]),
            2,
            "no model `mdl_zzzzzz`",
        ),
        (
            "share and unshare",
            xeroctl(&app, Some(&key), &["mdl_", "--share", "--unshare"]),
            2,
            "choose one",
        ),
    ];
    for (description, output, code, message) in cases {
        assert_eq!(
            output.status.code(),
            Some(code),
            "{description}: {}",
            stderr(&output)
        );
        let err = stderr(&output);
        assert!(
            err.starts_with("error: ") && err.contains(message),
            "{description}: {err}"
        );
        assert_eq!(
            err.trim_end().lines().count(),
            1,
            "{description}: one line, no backtrace: {err}"
        );
    }
    let refused = Command::new(BIN)
        .args(["models"])
        .env("XERO_BASE_URL", "http://127.0.0.1:9")
        .env("XERO_API_KEY", &key)
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(4));
    assert!(
        stderr(&refused).contains("http://127.0.0.1:9"),
        "names the URL it tried: {}",
        stderr(&refused)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn catalog_search_and_show_work_without_a_key() {
    let app = spawn_app().await;
    for body in [
        serde_json::json!({"name": "Kingfisher-Coder-7B", "architecture": "qwen2", "parameter_count": "7B", "license": "apache-2.0", "description": "Writes **code**."}),
        serde_json::json!({"name": "Kingfisher-Chat-70B", "architecture": "llama", "parameter_count": "70B", "license": "llama3"}),
    ] {
        let id = app.register(&body).await["id"].as_str().unwrap().to_owned();
        app.share(&id).await;
    }
    let catalog = |args: &[&str]| {
        Command::new(BIN)
            .arg("catalog")
            .args(args)
            .env("XERO_BASE_URL", &app.address)
            .env_remove("XERO_API_KEY")
            .output()
            .unwrap()
    };
    let table = catalog(&["search", "kingfisher", "--max-params", "10B"]);
    assert!(table.status.success(), "{}", stderr(&table));
    let text = stdout(&table);
    assert!(
        text.contains("Kingfisher-Coder-7B") && !text.contains("Kingfisher-Chat-70B"),
        "{text}"
    );
    assert!(
        text.contains("1 models")
            && text.contains("license:")
            && text.contains("apache-2.0 (Apache 2.0): 1"),
        "{text}"
    );
    let json: Value = serde_json::from_str(&stdout(&catalog(&[
        "search",
        "kingfisher",
        "--output",
        "json",
    ])))
    .unwrap();
    let rest: Value = app
        .client
        .get(format!(
            "{}/v1/catalog/models?q=kingfisher&page=1&per_page=20",
            app.address
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(json, rest, "JSON output is the API's answer");
    let id = json["models"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == "Kingfisher-Coder-7B")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let shown = catalog(&["show", &id]);
    assert!(
        stdout(&shown).contains("Writes code.") && stdout(&shown).contains("Apache 2.0"),
        "{}",
        stdout(&shown)
    );
    let slug = catalog(&["show", "mdl_abc123"]);
    assert_eq!(slug.status.code(), Some(2));
    assert!(stderr(&slug).contains("UUID"));
    let bad = catalog(&["search", "--min-params", "lots"]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(stderr(&bad).contains("min_params"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn register_edit_show_and_delete_from_the_command_line() {
    let app = spawn_app().await;
    let key = app.api_key.clone();
    let dir = tempfile::tempdir().unwrap();
    let readme = dir.path().join("README.md");
    std::fs::write(&readme, "# Pelican\n\nFishes **well**.").unwrap();
    let readme = readme.to_str().unwrap().to_owned();
    let registered = xeroctl(
        &app,
        Some(&key),
        &[
            "register",
            "Pelican-3B",
            "--architecture",
            "LlamaForCausalLM",
            "--params",
            "3B",
            "--context",
            "8K",
            "--license",
            "mit",
            "--workload",
            "chat",
            "--description-file",
            &readme,
            "--output",
            "json",
        ],
    );
    assert!(registered.status.success(), "{}", stderr(&registered));
    let model: Value = serde_json::from_str(&stdout(&registered)).unwrap();
    assert_eq!(model["architecture"], "llama");
    assert_eq!(model["description"], "# Pelican\n\nFishes **well**.");
    let display_id = model["display_id"].as_str().unwrap().to_owned();

    let edited = xeroctl(
        &app,
        Some(&key),
        &[
            "edit",
            &display_id,
            "--context",
            "32K",
            "--name",
            "Pelican-3B-v2",
        ],
    );
    assert!(edited.status.success(), "{}", stderr(&edited));
    let shown = xeroctl(&app, Some(&key), &["show", &display_id, "--output", "json"]);
    let shown: Value = serde_json::from_str(&stdout(&shown)).unwrap();
    assert_eq!(
        (shown["name"].as_str(), shown["context_length"].as_u64()),
        (Some("Pelican-3B-v2"), Some(32_768))
    );

    let invalid = xeroctl(&app, Some(&key), &["register", "Broken", "--params", "7Q"]);
    assert_eq!(invalid.status.code(), Some(1));
    assert!(stderr(&invalid).contains("7Q"));
    let nothing = xeroctl(&app, Some(&key), &["edit", &display_id]);
    assert_eq!(nothing.status.code(), Some(2));

    let unconfirmed = xeroctl(&app, Some(&key), &["delete", &display_id]);
    assert_eq!(
        unconfirmed.status.code(),
        Some(2),
        "no terminal, no --yes: refused"
    );
    assert!(stderr(&unconfirmed).contains("--yes"));
    let deleted = xeroctl(&app, Some(&key), &["delete", &display_id, "--yes"]);
    assert!(deleted.status.success(), "{}", stderr(&deleted));
    assert_eq!(
        app.get_model(model["id"].as_str().unwrap()).await.status(),
        404
    );
}
