//! Repositories and the Hub protocol, with the real `huggingface_hub` client (two pinned
//! versions, installed by scripts/test.sh into target/test-venv): snapshot, one file by
//! revision, a resumed download, metadata, search, a missing file, a private repository.

use std::path::PathBuf;
use std::process::Command;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::helpers::{TestApp, assert_error, spawn_app};

fn venv() -> PathBuf {
    std::env::var_os("XERO_TEST_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/target/test-venv")))
}

fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

async fn put_blob(app: &TestApp, bytes: &[u8]) -> reqwest::Response {
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
async fn upload_folder(app: &TestApp, model: &str, files: &[(&str, Vec<u8>)]) -> Value {
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

async fn model(app: &TestApp, name: &str, share: bool) -> String {
    let id = app.register(&json!({"name": name})).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    if share {
        app.share(&id).await;
    }
    id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_real_hub_client_downloads_our_repositories() {
    let app = spawn_app().await;
    let public = model(&app, "Tiny Hub Model", true).await;
    let weights: Vec<u8> = (0..3_000_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect();
    let files: Vec<(&str, Vec<u8>)> = vec![
        (
            "config.json",
            br#"{"model_type": "qwen3", "architectures": ["Qwen3ForCausalLM"]}"#.to_vec(),
        ),
        ("model.safetensors", weights),
        (
            "README.md",
            b"---\nlicense: apache-2.0\n---\n# Tiny\n".to_vec(),
        ),
        ("tokenizer/vocab.json", b"{\"a\": 1}".to_vec()),
        ("notes.txt", b"first version\n".to_vec()),
    ];
    let first = upload_folder(&app, &public, &files).await;
    let first_revision = first["revision"]["id"].as_str().unwrap().to_owned();
    let repo_id = first["repo_id"].as_str().unwrap().to_owned();
    assert_eq!(repo_id, "myproject/tiny-hub-model");
    // Replacing one file makes a second revision; the first keeps its bytes.
    let replaced = app
        .client
        .put(format!("{}/{public}/files/notes.txt", app.models_url()))
        .bearer_auth(&app.api_key)
        .body("second version\n")
        .send()
        .await
        .unwrap();
    assert_eq!(replaced.status(), StatusCode::CREATED);
    let mut expected = serde_json::Map::new();
    for (path, bytes) in &files {
        expected.insert((*path).to_owned(), json!(sha256(bytes)));
    }
    expected.insert("notes.txt".into(), json!(sha256(b"second version\n")));
    let private = model(&app, "Secret Hub Model", false).await;
    let put = app
        .client
        .put(format!("{}/{private}/files/weights.bin", app.models_url()))
        .bearer_auth(&app.api_key)
        .body(vec![7u8; 1000])
        .send()
        .await
        .unwrap();
    assert_eq!(put.status(), StatusCode::CREATED);

    let address = app.address.clone();
    let key = app.api_key.clone();
    let expected = Value::Object(expected).to_string();
    let outputs = tokio::task::spawn_blocking(move || {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/hub/client_checks.py");
        let python = venv().join("bin/python");
        assert!(
            python.exists(),
            "{} is missing: run `bash scripts/test.sh`",
            python.display()
        );
        [None, Some(venv().join("hf-0.36"))]
            .into_iter()
            .map(|older| {
                let mut command = Command::new(&python);
                command
                    .arg(script)
                    .args([
                        &repo_id,
                        "myproject/secret-hub-model",
                        &key,
                        &expected,
                        &first_revision,
                    ])
                    .env("HF_ENDPOINT", &address)
                    .env("HF_HUB_DISABLE_TELEMETRY", "1")
                    .env("HF_HUB_DISABLE_PROGRESS_BARS", "1")
                    .env("HF_HUB_OFFLINE", "0")
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
        assert!(text.contains("all client checks passed"), "{text}");
    }
}

#[tokio::test]
async fn hub_answers_carry_the_headers_clients_read_and_bad_input_changes_nothing() {
    let app = spawn_app().await;
    let id = model(&app, "Header Model", true).await;
    let bytes = b"0123456789".repeat(100);
    let answer = upload_folder(&app, &id, &[("weights.bin", bytes.clone())]).await;
    let revision = answer["revision"]["id"].as_str().unwrap().to_owned();
    let url = format!(
        "{}/myproject/header-model/resolve/main/weights.bin",
        app.address
    );
    let head = app.client.head(&url).send().await.unwrap();
    assert_eq!(head.status(), StatusCode::OK);
    let h = head.headers();
    assert_eq!(h["x-repo-commit"], revision.as_str());
    assert_eq!(h["etag"], format!("\"{}\"", sha256(&bytes)).as_str());
    assert_eq!(h["x-linked-etag"], h["etag"]);
    assert_eq!(h["x-linked-size"], "1000");
    assert_eq!(h["content-length"], "1000");
    assert!(
        h.keys().all(|k| !k.as_str().starts_with("x-xet")),
        "no Xet headers"
    );
    let part = app
        .client
        .get(&url)
        .header("Range", "bytes=990-")
        .send()
        .await
        .unwrap();
    assert_eq!(part.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(part.headers()["content-range"], "bytes 990-999/1000");
    // Errors carry X-Error-Code.
    for (path, code) in [
        (
            "/myproject/header-model/resolve/0000000000000000000000000000000000000000/weights.bin",
            "RevisionNotFound",
        ),
        (
            "/myproject/header-model/resolve/main/nope.bin",
            "EntryNotFound",
        ),
        (
            "/myproject/no-such-model/resolve/main/weights.bin",
            "RepoNotFound",
        ),
        ("/api/models/myproject/no-such-model", "RepoNotFound"),
    ] {
        let response = app
            .client
            .get(format!("{}{path}", app.address))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
        assert_eq!(response.headers()["x-error-code"], code, "{path}");
        if code == "EntryNotFound" {
            assert_eq!(response.headers()["x-repo-commit"], revision.as_str());
        }
    }
    // Another project's key learns nothing about an unshared model.
    let hidden = model(&app, "Hidden Model", false).await;
    upload_folder(&app, &hidden, &[("a.bin", vec![1, 2, 3])]).await;
    let other = app.other_project("outsider").await;
    let refused = app
        .client
        .get(format!("{}/api/models/myproject/hidden-model", app.address))
        .bearer_auth(&other.api_key)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.headers()["x-error-code"], "RepoNotFound");
    // Bad input: nothing partial, the repository unchanged.
    let files_url = format!("{}/{id}/revisions", app.models_url());
    for bad in [
        json!({"files": [{"path": "../escape", "sha256": sha256(&bytes), "size": 1000}]}),
        json!({"files": [{"path": "/abs", "sha256": sha256(&bytes), "size": 1000}]}),
        json!({"files": [{"path": "a\u{0}b", "sha256": sha256(&bytes), "size": 1000}]}),
        json!({"files": [{"path": "x.bin", "sha256": "f".repeat(64), "size": 1}]}),
        json!({"files": [{"path": "x.bin", "sha256": sha256(&bytes), "size": 999}]}),
        json!({"delete": ["never-there.bin"]}),
    ] {
        let response = app.send(Method::POST, &files_url, Some(&bad)).await;
        assert_error(response, StatusCode::BAD_REQUEST, "invalid_request").await;
    }
    let mismatch = app
        .client
        .put(format!(
            "{}/{}/v1/blobs/{}",
            app.address,
            app.project_id,
            "a".repeat(64)
        ))
        .bearer_auth(&app.api_key)
        .body("not those bytes")
        .send()
        .await
        .unwrap();
    assert_error(mismatch, StatusCode::BAD_REQUEST, "invalid_request").await;
    let listed: Value = app
        .send(
            Method::GET,
            &format!("{}/{id}/revisions", app.models_url()),
            None,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        listed["revisions"].as_array().unwrap().len(),
        1,
        "no revision was added"
    );
    // Deleting the model frees the bytes nothing else uses.
    let blob = app
        .data_dir
        .path()
        .join("blobs/sha256")
        .join(&sha256(&bytes)[..2])
        .join(sha256(&bytes));
    assert!(blob.exists());
    let deleted = app
        .send(Method::DELETE, &format!("{}/{id}", app.models_url()), None)
        .await;
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    assert!(!blob.exists(), "the deleted model's bytes are freed");
}

#[tokio::test]
async fn deleting_a_revision_frees_the_bytes_only_it_used() {
    let app = spawn_app().await;
    let id = model(&app, "Revisions Model", false).await;
    let blob_of = |bytes: &[u8]| {
        let sha = sha256(bytes);
        app.data_dir
            .path()
            .join("blobs/sha256")
            .join(&sha[..2])
            .join(sha)
    };
    let (old, new, kept) = (
        b"old weights".to_vec(),
        b"new weights".to_vec(),
        b"shared".to_vec(),
    );
    upload_folder(
        &app,
        &id,
        &[("w.bin", old.clone()), ("keep.txt", kept.clone())],
    )
    .await;
    let replaced = app
        .client
        .put(format!("{}/{id}/files/w.bin", app.models_url()))
        .bearer_auth(&app.api_key)
        .body(new.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(replaced.status(), StatusCode::CREATED);
    let revisions: Value = app
        .send(
            Method::GET,
            &format!("{}/{id}/revisions", app.models_url()),
            None,
        )
        .await
        .json()
        .await
        .unwrap();
    let first = revisions["revisions"][1]["id"].as_str().unwrap().to_owned();
    assert!(blob_of(&old).exists());
    let deleted = app
        .send(
            Method::DELETE,
            &format!("{}/{id}/revisions/{first}", app.models_url()),
            None,
        )
        .await;
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    assert!(
        !blob_of(&old).exists(),
        "only the deleted revision held the old bytes"
    );
    assert!(
        blob_of(&new).exists() && blob_of(&kept).exists(),
        "main's bytes stay"
    );
    let gone = app
        .send(
            Method::GET,
            &format!("{}/{id}/files?revision={first}", app.models_url()),
            None,
        )
        .await;
    assert_eq!(gone.status(), StatusCode::BAD_REQUEST);
    let unknown = app
        .send(
            Method::DELETE,
            &format!("{}/{id}/revisions/{first}", app.models_url()),
            None,
        )
        .await;
    assert_eq!(unknown.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn models_upload_of_a_folder_makes_one_revision_and_resumes() {
    let app = spawn_app().await;
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("Tiny-Folder-Model");
    std::fs::create_dir_all(root.join("tokenizer")).unwrap();
    std::fs::create_dir_all(root.join(".git")).unwrap();
    std::fs::write(root.join("config.json"), br#"{"model_type": "llama"}"#).unwrap();
    std::fs::write(root.join("tokenizer/vocab.json"), b"{}").unwrap();
    std::fs::write(root.join("weights.bin"), vec![5u8; 200_000]).unwrap();
    std::fs::write(root.join(".git/HEAD"), b"ref: main").unwrap();
    let run = |args: Vec<String>| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_xeroctl"));
        command
            .args(&args)
            .env("XERO_BASE_URL", &app.address)
            .env("XERO_API_KEY", &app.api_key)
            .env_remove("XERO_PROJECT");
        command.output().unwrap()
    };
    let folder = root.to_str().unwrap().to_owned();
    let first =
        tokio::task::block_in_place(|| run(vec!["models".into(), "upload".into(), folder.clone()]));
    let text = String::from_utf8_lossy(&first.stdout).into_owned();
    assert!(
        first.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert!(text.contains("3 files, 3 sent, 0 already there"), "{text}");
    assert!(
        text.contains("hf download myproject/tiny-folder-model"),
        "{text}"
    );
    assert!(!text.contains(".git"), "{text}");
    // Again, into the same model: nothing is sent, and the revision is the same set of files.
    let listed: Value = app
        .send(Method::GET, &app.models_url(), None)
        .await
        .json()
        .await
        .unwrap();
    let id = listed["models"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(listed["models"][0]["name"], "Tiny-Folder-Model");
    let again = tokio::task::block_in_place(|| {
        run(vec![
            "models".into(),
            "upload".into(),
            folder.clone(),
            "--model".into(),
            id.clone(),
        ])
    });
    let text = String::from_utf8_lossy(&again.stdout).into_owned();
    assert!(
        again.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&again.stderr)
    );
    assert!(text.contains("3 files, 0 sent, 3 already there"), "{text}");
    let listed =
        tokio::task::block_in_place(|| run(vec!["models".into(), "files".into(), id.clone()]));
    let text = String::from_utf8_lossy(&listed.stdout).into_owned();
    for path in ["config.json", "tokenizer/vocab.json", "weights.bin"] {
        assert!(text.contains(path), "{path}: {text}");
    }
    assert!(text.contains("200000"), "{text}");
}

/// Builds an HF cache folder: `refs/main`, `snapshots/<rev>/…` linking into `blobs/`.
fn hf_cache(root: &std::path::Path, files: &[(&str, Vec<u8>)]) -> std::path::PathBuf {
    let cache = root.join("models--acme--Tiny-Llama");
    let revision = "0123456789abcdef0123456789abcdef01234567";
    std::fs::create_dir_all(cache.join("refs")).unwrap();
    std::fs::create_dir_all(cache.join("blobs")).unwrap();
    std::fs::write(cache.join("refs/main"), revision).unwrap();
    for (path, bytes) in files {
        let blob = cache.join("blobs").join(sha256(bytes));
        std::fs::write(&blob, bytes).unwrap();
        let link = cache.join("snapshots").join(revision).join(path);
        std::fs::create_dir_all(link.parent().unwrap()).unwrap();
        let depth = path.matches('/').count() + 2;
        let target = format!("{}blobs/{}", "../".repeat(depth), sha256(bytes));
        std::os::unix::fs::symlink(target, &link).unwrap();
    }
    cache
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_hf_turns_a_cache_folder_into_a_described_model() {
    let app = spawn_app().await;
    let dir = tempfile::tempdir().unwrap();
    let mut tensors = std::collections::HashMap::new();
    let data = vec![0u8; 4 * 64];
    tensors.insert(
        "w".to_owned(),
        safetensors::tensor::TensorView::new(safetensors::Dtype::BF16, vec![8, 16], &data[..])
            .unwrap(),
    );
    let weights = safetensors::serialize(&tensors, None).unwrap();
    let files: Vec<(&str, Vec<u8>)> = vec![
        ("config.json", br#"{"model_type": "llama", "architectures": ["LlamaForCausalLM"], "max_position_embeddings": 4096}"#.to_vec()),
        ("model.safetensors", weights),
        ("README.md", b"---\nlicense: apache-2.0\npipeline_tag: text-generation\n---\n# Tiny Llama\n\nA very small llama.\n".to_vec()),
        ("tokenizer/tokenizer.json", b"{}".to_vec()),
    ];
    let cache = hf_cache(dir.path(), &files);
    let output = tokio::task::block_in_place(|| {
        Command::new(env!("CARGO_BIN_EXE_xeroctl"))
            .args(["models", "import-hf"])
            .arg(&cache)
            .arg("--share")
            .env("XERO_BASE_URL", &app.address)
            .env("XERO_API_KEY", &app.api_key)
            .env_remove("XERO_PROJECT")
            .output()
            .unwrap()
    });
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(text.contains("as Tiny-Llama (4 files"), "{text}");
    let answer: Value = app
        .client
        .get(format!("{}/v1/catalog/models?q=tiny llama", app.address))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let card = &answer["models"][0];
    assert_eq!(card["name"], "Tiny-Llama");
    assert_eq!(card["architecture"], "llama");
    assert_eq!(card["context_length"], 4096);
    assert_eq!(card["license"], "apache-2.0");
    assert_eq!(card["parameter_count"], 128);
    let detail: Value = app
        .client
        .get(format!(
            "{}/v1/catalog/models/{}",
            app.address,
            card["id"].as_str().unwrap()
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        detail["description"]
            .as_str()
            .unwrap()
            .contains("A very small llama."),
        "{detail}"
    );
    let info: Value = app
        .client
        .get(format!(
            "{}/api/models/myproject/tiny-llama?blobs=true",
            app.address
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut names: Vec<&str> = info["siblings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["rfilename"].as_str().unwrap())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "README.md",
            "config.json",
            "model.safetensors",
            "tokenizer/tokenizer.json"
        ]
    );
    // A link out of the cache is refused, and nothing is made.
    let evil = dir.path().join("evil");
    let escaped = hf_cache(&evil, &[("config.json", b"{}".to_vec())]);
    let link = escaped.join("snapshots/0123456789abcdef0123456789abcdef01234567/secret.txt");
    std::os::unix::fs::symlink("/etc/hostname", &link).unwrap();
    let refused = tokio::task::block_in_place(|| {
        Command::new(env!("CARGO_BIN_EXE_xeroctl"))
            .args(["models", "import-hf"])
            .arg(&escaped)
            .env("XERO_BASE_URL", &app.address)
            .env("XERO_API_KEY", &app.api_key)
            .env_remove("XERO_PROJECT")
            .output()
            .unwrap()
    });
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("outside"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
    let listed: Value = app
        .send(Method::GET, &app.models_url(), None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed["total"], 1, "the refused import made no model");
}

#[tokio::test]
async fn the_detail_page_lists_files_and_how_to_download_them() {
    let app = spawn_app().await;
    let id = model(&app, "Page Repo Model", true).await;
    upload_folder(
        &app,
        &id,
        &[
            ("config.json", b"{}".to_vec()),
            ("weights/model.bin", vec![3u8; 1_500]),
        ],
    )
    .await;
    let page = app
        .client
        .get(format!("{}/models/catalog/{id}", app.address))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let html = scraper::Html::parse_document(&page);
    let text: String = html.root_element().text().collect();
    assert!(
        text.contains(&format!(
            "HF_ENDPOINT={} hf download myproject/page-repo-model",
            app.address
        )),
        "{text}"
    );
    assert!(
        text.contains("snapshot_download(\"myproject/page-repo-model\")"),
        "{text}"
    );
    let rows: Vec<String> = html
        .select(&scraper::Selector::parse(".files tbody tr").unwrap())
        .map(|r| r.text().collect::<String>())
        .collect();
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert!(
        rows[1].contains("weights/model.bin") && rows[1].contains("1.5 kB"),
        "{rows:?}"
    );
    let link = html
        .select(&scraper::Selector::parse(".files a[download]").unwrap())
        .nth(1)
        .unwrap()
        .value()
        .attr("href")
        .unwrap()
        .to_owned();
    let download = app
        .client
        .get(format!("{}{link}", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(download.status(), StatusCode::OK);
    assert_eq!(download.bytes().await.unwrap().len(), 1_500);
}

#[tokio::test]
async fn repository_files_count_against_the_project_quota() {
    let app = crate::helpers::spawn_app_with(|s| s.uploads.project_quota = Some(10_000)).await;
    let id = model(&app, "Quota Repo", false).await;
    let put = |path: &'static str, bytes: Vec<u8>| {
        let request = app
            .client
            .put(format!("{}/{id}/files/{path}", app.models_url()))
            .bearer_auth(&app.api_key)
            .body(bytes);
        async move { request.send().await.unwrap() }
    };
    assert_eq!(
        put("a.bin", vec![1u8; 6_000]).await.status(),
        StatusCode::CREATED
    );
    let over = put("b.bin", vec![2u8; 6_000]).await;
    assert_eq!(over.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let files: Value = app
        .send(
            Method::GET,
            &format!("{}/{id}/files", app.models_url()),
            None,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        files["files"].as_array().unwrap().len(),
        1,
        "the repository is unchanged"
    );
}

#[tokio::test]
async fn a_repository_fills_empty_fields_and_the_page_marks_declared_differences() {
    let app = spawn_app().await;
    let id = app
        .register(&json!({"name": "Declared Model", "parameter_count": "8B"}))
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.share(&id).await;
    let mut tensors = std::collections::HashMap::new();
    let data = vec![0u8; 2 * 128];
    tensors.insert(
        "w".to_owned(),
        safetensors::tensor::TensorView::new(safetensors::Dtype::BF16, vec![8, 16], &data[..])
            .unwrap(),
    );
    let weights = safetensors::serialize(&tensors, None).unwrap();
    upload_folder(
        &app,
        &id,
        &[
            (
                "config.json",
                br#"{"model_type": "llama", "max_position_embeddings": 4096}"#.to_vec(),
            ),
            ("model.safetensors", weights),
        ],
    )
    .await;
    let model: Value = app.get_model(&id).await.json().await.unwrap();
    assert_eq!(
        model["context_length"], 4096,
        "filled from config.json: {model}"
    );
    assert_eq!(model["architecture"], "llama");
    assert_eq!(
        model["parameter_count"], 8_000_000_000u64,
        "the declared value stays"
    );
    let page = app
        .client
        .get(format!("{}/models/catalog/{id}", app.address))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let text: String = scraper::Html::parse_document(&page)
        .root_element()
        .text()
        .collect();
    assert!(
        text.contains("Declared parameters 8B, the uploaded file says 128."),
        "{text}"
    );
}

#[tokio::test]
async fn tree_and_search_page_with_link_headers() {
    let app = spawn_app().await;
    let id = model(&app, "Many Files", true).await;
    let bytes = b"same bytes".to_vec();
    assert_eq!(put_blob(&app, &bytes).await.status(), StatusCode::OK);
    let files: Vec<Value> = (0..1_001)
        .map(|i| json!({"path": format!("part-{i:04}.txt"), "sha256": sha256(&bytes), "size": bytes.len()}))
        .collect();
    let commit = app
        .send(
            Method::POST,
            &format!("{}/{id}/revisions", app.models_url()),
            Some(&json!({"files": files})),
        )
        .await;
    assert_eq!(commit.status(), StatusCode::CREATED);
    let mut url = format!(
        "{}/api/models/myproject/many-files/tree/main?recursive=true",
        app.address
    );
    let mut seen = 0;
    let mut pages = 0;
    loop {
        let response = app.client.get(&url).send().await.unwrap();
        let next = response
            .headers()
            .get("link")
            .map(|l| l.to_str().unwrap().to_owned());
        seen += response.json::<Vec<Value>>().await.unwrap().len();
        pages += 1;
        match next {
            Some(link) => {
                url = link
                    .trim_start_matches('<')
                    .split('>')
                    .next()
                    .unwrap()
                    .to_owned()
            }
            None => break,
        }
    }
    assert_eq!((seen, pages), (1_001, 2));
    for i in 0..3 {
        let other = model(&app, &format!("Paged Search {i}"), true).await;
        upload_folder(&app, &other, &[("a.txt", format!("{i}").into_bytes())]).await;
    }
    let first = app
        .client
        .get(format!("{}/api/models?search=paged&limit=2", app.address))
        .send()
        .await
        .unwrap();
    let link = first.headers()["link"].to_str().unwrap().to_owned();
    assert_eq!(first.json::<Vec<Value>>().await.unwrap().len(), 2);
    let next = link
        .trim_start_matches('<')
        .split('>')
        .next()
        .unwrap()
        .to_owned();
    let second: Vec<Value> = app
        .client
        .get(next)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(second.len(), 1);
}
