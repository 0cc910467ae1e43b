//! Publishing with the stock Hugging Face client (issue 24): `create_repo`, `upload_folder`,
//! `upload_file`, `delete_file`, `hf upload`, settings and `delete_repo` against our server, with
//! huggingface_hub 2.4 (Xet off: LFS) and 0.36, each upload downloaded back byte-identical.

use std::process::Command;

use reqwest::StatusCode;
use serde_json::{Value, json};
use xeroctl::auth::KeyScope;

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_real_hub_client_publishes_through_lfs_and_reads_it_back() {
    // 1 MiB parts: the 3 MB weights go up in the Hub's multipart transfer, the rest whole.
    let app = crate::helpers::spawn_app_with(|settings| settings.uploads.part_size = 1 << 20).await;
    let read_key = app.key_for(KeyScope::Read).await;
    let other = app.other_project("elsewhere").await;
    let (address, write_key) = (app.address.clone(), app.api_key.clone());
    let outputs = tokio::task::spawn_blocking(move || {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/hub/publish_checks.py");
        let python = venv().join("bin/python");
        assert!(
            python.exists(),
            "{} is missing: run `bash scripts/test.sh`",
            python.display()
        );
        // 2.4 with Xet turned off; 0.36 (LFS only); 1.19 with hf_xet installed, which offers
        // Xet in the batch call and follows the server's choice of `basic`.
        [
            (None, true),
            (Some(venv().join("hf-0.36")), true),
            (Some(venv().join("hf-1.19")), false),
        ]
        .into_iter()
        .map(|(older, xet_off)| {
            let mut command = Command::new(&python);
            if xet_off {
                command.env("HF_HUB_DISABLE_XET", "1");
            } else {
                command.env_remove("HF_HUB_DISABLE_XET");
            }
            command
                .arg(script)
                .args(["myproject", &write_key, &read_key, &other.api_key])
                .env("HF_ENDPOINT", &address)
                .env("HF_HUB_DISABLE_TELEMETRY", "1")
                .env("HF_HUB_DISABLE_PROGRESS_BARS", "1")
                .env("HF_HOME", tempfile::tempdir().unwrap().keep())
                .env_remove("HF_TOKEN");
            if let Some(older) = older {
                command.env("PYTHONPATH", older);
            }
            command.output().unwrap()
        })
        .collect::<Vec<_>>()
    })
    .await
    .unwrap();
    for output in outputs {
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        println!("{text}");
        assert!(output.status.success(), "{text}");
        assert!(text.contains("all publish checks passed"), "{text}");
    }
    // What the client made is a catalog model like any other: shared, with its repository.
    let listed: Value = app
        .client
        .get(format!("{}?per_page=50", app.models_url()))
        .bearer_auth(&app.api_key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let names: Vec<&str> = listed["models"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap())
        .collect();
    for name in ["published-v2", "published-v1", "published-v0"] {
        assert!(names.contains(&name), "{name}: {names:?}");
    }
}

/// Bad input on the write side gets the Hub's error shape and changes nothing.
#[tokio::test]
async fn hub_writes_refuse_bad_input_in_the_hub_shape() {
    let app = spawn_app().await;
    let repo = model(&app, "Target Repo", true).await;
    let _ = repo;
    let post = |path: &str, body: Value| {
        let request = app
            .client
            .post(format!("{}{path}", app.address))
            .bearer_auth(&app.api_key)
            .json(&body);
        async move { request.send().await.unwrap() }
    };
    let never_sent = "ab".repeat(32);
    let cases = [
        (
            "/api/models/myproject/target-repo/commit/main",
            json!(null),
            StatusCode::BAD_REQUEST,
        ),
        (
            "/api/repos/create",
            json!({"name": "Upper Case"}),
            StatusCode::BAD_REQUEST,
        ),
        (
            "/api/repos/create",
            json!({"name": "x", "type": "dataset"}),
            StatusCode::BAD_REQUEST,
        ),
        (
            "/api/models/myproject/target-repo/preupload/dev",
            json!({"files": []}),
            StatusCode::BAD_REQUEST,
        ),
    ];
    for (path, body, status) in cases {
        let response = post(path, body).await;
        assert_eq!(response.status(), status, "{path}");
        assert!(response.headers().contains_key("x-error-code"), "{path}");
    }
    // A commit naming an LFS object nobody sent, or a path with `..`.
    for line in [
        json!({"key": "lfsFile", "value": {"path": "w.bin", "algo": "sha256", "oid": never_sent, "size": 5}}),
        json!({"key": "deletedFile", "value": {"path": "../etc/passwd"}}),
    ] {
        let body = format!(
            "{}\n{}\n",
            json!({"key": "header", "value": {"summary": "bad"}}),
            line
        );
        let response = app
            .client
            .post(format!(
                "{}/api/models/myproject/target-repo/commit/main",
                app.address
            ))
            .bearer_auth(&app.api_key)
            .header("content-type", "application/x-ndjson")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{line}");
        let body: Value = response.json().await.unwrap();
        assert!(body["error"].is_string(), "{body}");
    }
    // A README whose front matter is not YAML: 400 with the errors, always JSON.
    let yaml = post(
        "/api/validate-yaml",
        json!({"content": "---\nlicense: [unclosed\n---\n# x\n", "repoType": "model"}),
    )
    .await;
    assert_eq!(yaml.status(), StatusCode::BAD_REQUEST);
    let body: Value = yaml.json().await.unwrap();
    assert!(body["errors"][0]["message"].is_string(), "{body}");
    // An LFS object only another project holds: the commit is refused, nothing changes.
    let other = app.other_project("holder").await;
    let theirs = b"their private bytes".to_vec();
    let sent = app
        .client
        .put(format!(
            "{}/{}/v1/blobs/{}",
            app.address,
            other.project_id,
            sha256(&theirs)
        ))
        .bearer_auth(&other.api_key)
        .body(theirs.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(sent.status(), StatusCode::OK);
    let body = format!(
        "{}\n{}\n",
        json!({"key": "header", "value": {"summary": "borrow"}}),
        json!({"key": "lfsFile", "value": {"path": "b.bin", "algo": "sha256", "oid": sha256(&theirs), "size": theirs.len()}})
    );
    let borrowed = app
        .client
        .post(format!(
            "{}/api/models/myproject/target-repo/commit/main",
            app.address
        ))
        .bearer_auth(&app.api_key)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(borrowed.status(), StatusCode::BAD_REQUEST);
    // An upload URL that was edited is refused without an Authorization header.
    let batch: Value = post(
        "/myproject/target-repo.git/info/lfs/objects/batch",
        json!({"operation": "upload", "transfers": ["basic"], "objects": [{"oid": sha256(b"hello"), "size": 5}]}),
    )
    .await
    .json()
    .await
    .unwrap();
    let href = batch["objects"][0]["actions"]["upload"]["href"]
        .as_str()
        .unwrap()
        .to_owned();
    let forged = href.replacen(".5.", ".6.", 1);
    let refused = reqwest::Client::new()
        .put(&forged)
        .body("hello!")
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let wrong_bytes = reqwest::Client::new()
        .put(&href)
        .body("world")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong_bytes.status(), StatusCode::BAD_REQUEST);
    let stored = reqwest::Client::new()
        .put(&href)
        .body("hello")
        .send()
        .await
        .unwrap();
    assert_eq!(stored.status(), StatusCode::OK);
}

/// transformers' `push_to_hub` for a config and a tokenizer, then `from_pretrained` of both.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transformers_pushes_a_config_and_a_tokenizer_and_loads_them_back() {
    let app = spawn_app().await;
    let (address, key) = (app.address.clone(), app.api_key.clone());
    let output = tokio::task::spawn_blocking(move || {
        let script = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/hub/transformers_push.py"
        );
        Command::new(venv().join("bin/python"))
            .args([script, "myproject/pushed-tiny-llama", &key])
            .env("HF_ENDPOINT", &address)
            .env("HF_HUB_DISABLE_XET", "1")
            .env("HF_HUB_DISABLE_TELEMETRY", "1")
            .env("HF_HUB_DISABLE_PROGRESS_BARS", "1")
            .env("TRANSFORMERS_NO_ADVISORY_WARNINGS", "1")
            .env_remove("HF_TOKEN")
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.status.success(), "{text}");
    assert!(
        text.contains("transformers push_to_hub checks passed"),
        "{text}"
    );
    // The config's attention shape reached the catalog entry like any upload's.
    let listed: Value = app
        .client
        .get(app.models_url())
        .bearer_auth(&app.api_key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let pushed = listed["models"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == "pushed-tiny-llama")
        .expect("the pushed repository is a model");
    assert_eq!(pushed["architecture"], "llama", "{pushed}");
    assert_eq!(pushed["shared"], true, "private=False shares it");
}

/// The multipart transfer step by step: part URLs and `chunk_size` in the batch answer, an
/// `ETag` per part, a completion that checks them, then the object commits like any other.
#[tokio::test]
async fn a_large_object_goes_up_in_parts_and_a_wrong_etag_stores_nothing() {
    let app = crate::helpers::spawn_app_with(|settings| settings.uploads.part_size = 1 << 20).await;
    model(&app, "Parts Repo", true).await;
    let bytes: Vec<u8> = (0..2_600_000u32).map(|i| (i * 7 % 251) as u8).collect();
    let oid = sha256(&bytes);
    let batch: Value = app
        .client
        .post(format!(
            "{}/myproject/parts-repo.git/info/lfs/objects/batch",
            app.address
        ))
        .bearer_auth(&app.api_key)
        .json(
            &json!({"operation": "upload", "transfers": ["basic", "multipart"],
                      "objects": [{"oid": oid, "size": bytes.len()}], "hash_algo": "sha256"}),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(batch["transfer"], "multipart", "{batch}");
    let upload = &batch["objects"][0]["actions"]["upload"];
    assert_eq!(upload["header"]["chunk_size"], "1048576", "{batch}");
    let client = reqwest::Client::new();
    let mut etags = Vec::new();
    for (n, part) in bytes.chunks(1 << 20).enumerate() {
        let url = upload["header"][(n + 1).to_string()].as_str().unwrap();
        let response = client.put(url).body(part.to_vec()).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        etags.push(response.headers()["etag"].to_str().unwrap().to_owned());
    }
    let href = upload["href"].as_str().unwrap();
    let complete = |parts: Vec<Value>| {
        let request = client.post(href).json(&json!({"oid": oid, "parts": parts}));
        async move { request.send().await.unwrap() }
    };
    let wrong: Vec<Value> = etags
        .iter()
        .enumerate()
        .map(|(i, _)| json!({"partNumber": i + 1, "etag": "\"0000\""}))
        .collect();
    assert_eq!(complete(wrong).await.status(), StatusCode::BAD_REQUEST);
    let missing = app
        .client
        .get(format!("{}/{}/v1/blobs/{oid}", app.address, app.project_id))
        .bearer_auth(&app.api_key)
        .send()
        .await
        .unwrap();
    assert_eq!(
        missing.status(),
        StatusCode::NOT_FOUND,
        "nothing stored on a wrong ETag"
    );
    let right: Vec<Value> = etags
        .iter()
        .enumerate()
        .map(|(i, etag)| json!({"partNumber": i + 1, "etag": etag}))
        .collect();
    assert_eq!(complete(right).await.status(), StatusCode::OK);
    let body = format!(
        "{}\n{}\n",
        json!({"key": "header", "value": {"summary": "parts"}}),
        json!({"key": "lfsFile", "value": {"path": "big.bin", "algo": "sha256", "oid": oid, "size": bytes.len()}})
    );
    let commit = app
        .client
        .post(format!(
            "{}/api/models/myproject/parts-repo/commit/main",
            app.address
        ))
        .bearer_auth(&app.api_key)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(commit.status(), StatusCode::OK);
    let back = app
        .client
        .get(format!(
            "{}/myproject/parts-repo/resolve/main/big.bin",
            app.address
        ))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(back.to_vec(), bytes);
}
