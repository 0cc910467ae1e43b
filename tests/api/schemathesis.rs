//! schemathesis (the real tool, pinned in scripts/test-requirements.txt and installed by
//! scripts/test.sh into target/test-venv) over `/openapi.json`, anonymous and with a write key
//! of a real project: any 5xx, an undocumented status, a wrong content type or a body that
//! does not match its schema fails the test. Bounded: 20 examples per operation (no `--max-time`: with it the fuzzing phase runs until
//! the budget is spent).

use std::path::PathBuf;
use std::process::Command;

use crate::helpers::spawn_app;

fn schemathesis() -> PathBuf {
    let path = std::env::var_os("XERO_TEST_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/target/test-venv")))
        .join("bin/schemathesis");
    assert!(
        path.exists(),
        "{} is missing: run `bash scripts/test.sh`, which installs the pinned test clients",
        path.display()
    );
    path
}

fn run(base: &str, config: &std::path::Path, key: Option<&str>) -> (bool, String) {
    let mut command = Command::new(schemathesis());
    command
        .arg("--config-file")
        .arg(config)
        .args(["run", &format!("{base}/openapi.json")])
        .args([
            "--checks",
            "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance",
            "--max-examples",
            "20",
            "--seed",
            "17",
            "--no-color",
        ])
        .env("SCHEMATHESIS_HOOKS", "")
        .env("NO_COLOR", "1")
        // schemathesis keeps a cache in its working directory: not in the repository.
        .current_dir(config.parent().unwrap_or(std::path::Path::new("/tmp")));
    if let Some(key) = key {
        command.args(["--header", &format!("Authorization: Bearer {key}")]);
    }
    let output = command.output().expect("schemathesis runs");
    let text = format!(
        "{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), text)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schemathesis_finds_no_server_error_or_undocumented_answer() {
    let app = spawn_app().await;
    let model = app.register_sample("Schemathesis Target 7B").await;
    app.share(&model).await;
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("schemathesis.toml");
    std::fs::write(
        &config,
        format!(
            "[parameters]\n\"path.project_id\" = \"{}\"\n",
            app.project_id
        ),
    )
    .unwrap();
    let base = app.address.clone();
    let key = app.api_key.clone();
    let (anonymous, keyed) = tokio::task::spawn_blocking(move || {
        (run(&base, &config, None), run(&base, &config, Some(&key)))
    })
    .await
    .unwrap();
    for (who, (ok, text)) in [("anonymous", anonymous), ("with a key", keyed)] {
        let summary: String = text
            .lines()
            .filter(|l| l.contains("generated") || l.contains("passed") || l.contains("failed"))
            .collect::<Vec<_>>()
            .join("\n");
        println!("schemathesis {who}:\n{summary}");
        assert!(ok, "schemathesis {who} failed:\n{text}");
        assert!(
            text.contains("generated"),
            "schemathesis {who} ran nothing:\n{text}"
        );
    }
}
