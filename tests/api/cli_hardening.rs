//! The CLI's rough edges (hardening issue, item 8), each as a user meets it: a closed pipe, a
//! malformed or wrong-scheme base URL, a mistyped admin data directory, an ambiguous display
//! id, catalog columns and facet keys, and `catalog show` by name. The real binary throughout.

use std::io::{Read, Write};
use std::process::{Command, Output, Stdio};

use reqwest::Method;
use serde_json::json;

use crate::cli::{BIN, stderr, stdout};
use crate::helpers::{TestApp, spawn_app};

/// The binary with no `XERO_*` settings but the ones given, and backtraces on, so that a panic
/// would show in stderr.
fn xeroctl(base_url: Option<&str>, key: Option<&str>, args: &[&str]) -> Command {
    let mut command = Command::new(BIN);
    command
        .args(args)
        .env("RUST_BACKTRACE", "1")
        .env_remove("XERO_BASE_URL")
        .env_remove("XERO_API_KEY")
        .env_remove("XERO_PROJECT")
        .env_remove("XERO_DATA_DIR");
    if let Some(base_url) = base_url {
        command.env("XERO_BASE_URL", base_url);
    }
    if let Some(key) = key {
        command.env("XERO_API_KEY", key);
    }
    command
}

fn run(mut command: Command) -> Output {
    command.output().unwrap()
}

/// Runs with stdout a pipe whose reader is already gone, as after `| head -1` has read its
/// line: every write the command makes fails with EPIPE.
fn run_into_closed_pipe(mut command: Command) -> Output {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    command
        .stdout(writer)
        .stderr(Stdio::piped())
        .output()
        .unwrap()
}

/// Asserts a failure: the exit code and a first stderr line with `needle`, and no panic.
fn assert_fails(description: &str, output: &Output, code: i32, needle: &str) -> String {
    let err = stderr(output);
    assert_eq!(output.status.code(), Some(code), "{description}: {err}");
    assert!(
        err.starts_with("error: ") && err.contains(needle),
        "{description}: wanted `{needle}` in: {err}"
    );
    assert!(
        !err.contains("panicked") && !err.contains("backtrace"),
        "{description}: {err}"
    );
    err
}

async fn share_as(app: &TestApp, project_id: &str, key: &str, body: serde_json::Value) -> String {
    let url = format!("{}/{project_id}/v1/models", app.address);
    let model: serde_json::Value = app
        .send_with_key(Method::POST, &url, Some(&body), Some(key))
        .await
        .json()
        .await
        .unwrap();
    let id = model["id"].as_str().unwrap().to_owned();
    let shared = app
        .send_with_key(Method::POST, &format!("{url}/{id}/share"), None, Some(key))
        .await;
    assert!(shared.status().is_success(), "share {body}");
    id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_closed_pipe_ends_every_command_quietly_with_exit_0() {
    // Arrange: something to list for each client command and for admin.
    let app = spawn_app().await;
    let id = app.register_sample("Plover-7B").await;
    app.share(&id).await;
    let (address, key) = (app.address.as_str(), app.api_key.as_str());
    let data_dir = app.data_dir.path().to_str().unwrap();
    let cases: Vec<(&str, Command)> = vec![
        (
            "completions bash",
            xeroctl(None, None, &["completions", "bash"]),
        ),
        (
            "completions fish",
            xeroctl(None, None, &["completions", "fish"]),
        ),
        ("help", xeroctl(None, None, &["--help"])),
        ("models", xeroctl(Some(address), Some(key), &["models"])),
        (
            "models json",
            xeroctl(Some(address), Some(key), &["models", "--output", "json"]),
        ),
        (
            "catalog search",
            xeroctl(Some(address), None, &["catalog", "search", "plover"]),
        ),
        (
            "catalog show",
            xeroctl(Some(address), None, &["catalog", "show", &id]),
        ),
        (
            "endpoints",
            xeroctl(Some(address), Some(key), &["endpoints"]),
        ),
        (
            "admin list-projects",
            xeroctl(None, None, &["admin", "--data", data_dir, "list-projects"]),
        ),
    ];
    for (description, command) in cases {
        // Act
        let output = run_into_closed_pipe(command);
        // Assert
        assert_eq!(
            (output.status.code(), stderr(&output).as_str()),
            (Some(0), ""),
            "{description}: quiet exit 0, no panic (was exit 101 with a backtrace)"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_malformed_or_wrong_scheme_base_url_is_a_configuration_error() {
    let app = spawn_app().await;
    let key = app.api_key.as_str();
    let from_env = run(xeroctl(Some("not-a-url"), Some(key), &["models"]));
    let err = assert_fails("env", &from_env, 3, "XERO_BASE_URL `not-a-url`");
    assert!(
        !err.contains("cannot reach"),
        "not a transport error: {err}"
    );
    let from_flag = run(xeroctl(
        None,
        None,
        &["catalog", "search", "x", "--base-url", "localhost:8080"],
    ));
    assert_fails("flag", &from_flag, 3, "--base-url `localhost:8080`");

    // https:// to the plain-HTTP test server: rustls' "corrupt message" becomes what to do.
    let plain = app.address.clone();
    let tls_url = plain.replace("http://", "https://");
    let https = run(xeroctl(Some(&tls_url), None, &["catalog", "search", "x"]));
    let err = assert_fails(
        "https to http",
        &https,
        3,
        &format!("the server at {tls_url} does not speak TLS: use {plain}"),
    );
    assert!(!err.contains("InvalidContentType"), "{err}");

    // http:// to a TLS server: it answers a plain request with a TLS alert record.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let tls_server = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        let _ = stream.read(&mut [0; 1024]);
        let _ = stream.write_all(&[0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x32]);
    });
    let http_url = format!("http://127.0.0.1:{port}");
    let http = run(xeroctl(Some(&http_url), None, &["catalog", "search", "x"]));
    assert_fails(
        "http to https",
        &http,
        3,
        &format!("use https://127.0.0.1:{port}"),
    );
    tls_server.join().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_refuses_a_missing_data_directory_unless_the_command_creates_one() {
    let parent = tempfile::tempdir().unwrap();
    let missing = parent.path().join("typo");
    let missing_arg = missing.to_str().unwrap();
    for command in [
        vec!["list-projects"],
        vec!["list-keys", "--project", "proj_ABC123"],
        vec!["reindex"],
        vec!["agents", "list"],
    ] {
        let mut args = vec!["admin", "--data", missing_arg];
        args.extend(&command);
        let output = run(xeroctl(None, None, &args));
        assert_fails(&command.join(" "), &output, 3, missing_arg);
        assert!(stderr(&output).contains("--data"), "{}", stderr(&output));
        assert!(!missing.exists(), "{command:?} created the directory");
    }
    // An existing directory that holds no database is refused the same way, left untouched.
    let empty = parent.path();
    let output = run(xeroctl(
        None,
        None,
        &["admin", "--data", empty.to_str().unwrap(), "list-projects"],
    ));
    assert_fails("empty directory", &output, 3, "xero.db");
    assert!(!empty.join("xero.db").exists());

    // create-project starts a new data directory, and list-projects then works.
    let created = run(xeroctl(
        None,
        None,
        &[
            "admin",
            "--data",
            missing_arg,
            "create-project",
            "--slug",
            "fresh",
            "--name",
            "Fresh",
        ],
    ));
    assert!(created.status.success(), "{}", stderr(&created));
    assert!(stdout(&created).starts_with("proj_"));
    let listed = run(xeroctl(
        None,
        None,
        &["admin", "--data", missing_arg, "list-projects"],
    ));
    assert!(stdout(&listed).contains("fresh"), "{}", stderr(&listed));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_ambiguous_display_id_lists_ten_candidates_one_per_line_and_counts_the_rest() {
    let app = spawn_app().await;
    for i in 0..13 {
        app.register_sample(&format!("Sandpiper-{i}")).await;
    }
    let output = run(xeroctl(
        Some(&app.address),
        Some(&app.api_key),
        &["models", "mdl_", "--share"],
    ));
    let err = assert_fails("ambiguous", &output, 2, "ambiguous: 13 models match");
    let lines: Vec<&str> = err.trim_end().lines().collect();
    assert_eq!(lines.len(), 12, "header, ten candidates, the rest: {err}");
    for line in &lines[1..11] {
        assert!(
            line.starts_with("  mdl_") && line.contains("Sandpiper-"),
            "one candidate per line: {line}"
        );
    }
    assert_eq!(lines[11], "  and 3 more");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn catalog_search_keeps_names_whole_with_badges_in_a_column_and_facet_keys() {
    let app = spawn_app().await;
    let long_name = "Cormorant-Mixture-Of-Experts-Instruct-30B-A3B-2507-GGUF";
    let id = app
        .register(&json!({"name": long_name, "architecture": "qwen3moe", "parameter_count": "30B", "license": "apache-2.0"}))
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.share(&id).await;
    // With a key the infrastructure badges show: a fresh share is `xim_only,not_deployed`.
    let output = run(xeroctl(
        Some(&app.address),
        Some(&app.api_key),
        &["catalog", "search", "cormorant"],
    ));
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    let lines: Vec<&str> = text.lines().collect();
    let (header, row) = (lines[0], lines[1]);
    assert!(
        row.starts_with(&format!("{long_name} ")),
        "the name is whole: {text}"
    );
    let badges = "xim_only,not_deployed";
    assert_eq!(
        header.find("BADGES"),
        row.find(badges),
        "badges sit under their own header: {text}"
    );
    assert!(
        !row.contains('['),
        "badges are not glued to the name: {row}"
    );
    assert!(
        text.contains("family:  qwen3moe (Qwen3 MoE): 1")
            && text.contains("license: apache-2.0 (Apache 2.0): 1"),
        "facets show the keys the flags take: {text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn catalog_show_takes_an_exact_name_in_any_case() {
    let app = spawn_app().await;
    let (project, key) = (app.project_id.clone(), app.api_key.clone());
    let heron = share_as(&app, &project, &key, json!({"name": "Heron-7B"})).await;
    share_as(&app, &project, &key, json!({"name": "Heron-7B-Instruct"})).await;
    let egret = share_as(&app, &project, &key, json!({"name": "Egret-3B"})).await;
    let other = app.other_project("otherproject").await;
    let other_egret = share_as(
        &app,
        &other.project_id,
        &other.api_key,
        json!({"name": "egret-3b"}),
    )
    .await;
    let show = |name: &str| {
        run(xeroctl(
            Some(&app.address),
            None,
            &["catalog", "show", name],
        ))
    };

    let by_name = show("HERON-7b");
    assert!(by_name.status.success(), "{}", stderr(&by_name));
    assert!(
        stdout(&by_name).starts_with("Heron-7B\n")
            && stdout(&by_name).contains(&format!("id:           {heron}")),
        "the exact name, not the longer one: {}",
        stdout(&by_name)
    );

    let ambiguous = show("Egret-3B");
    let err = assert_fails(
        "two of that name",
        &ambiguous,
        2,
        "2 catalog models are named",
    );
    assert!(
        err.contains(&format!("\n  {egret}")) && err.contains(&format!("\n  {other_egret}")),
        "both listed, one per line: {err}"
    );
    let unknown = show("Heron");
    assert_fails(
        "no exact match",
        &unknown,
        2,
        "no catalog model is named `Heron`",
    );
}
