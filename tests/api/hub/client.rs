//! The real huggingface_hub client (2.4.0 and 0.36.2) and the Hub routes it reads: headers,
//! errors, paging.

use std::process::Command;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::*;

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
    // One page: llama.cpp reads the first page only (up to 10 000 entries).
    assert_eq!((seen, pages), (1_001, 1));
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

/// Hardening 3, fault 10: `author=` filters inside the search, so every page is full and
/// `Link: rel="next"` is there exactly when more of that author's models are.
#[tokio::test]
async fn search_by_author_gives_full_pages_and_an_exact_next_link() {
    let app = spawn_app().await;
    for i in 0..5 {
        model(&app, &format!("Author Probe Mine {i}"), true).await;
    }
    let other = app.other_project("otherteam").await;
    for i in 0..3 {
        let created: Value = app
            .client
            .post(format!("{}/{}/v1/models", app.address, other.project_id))
            .bearer_auth(&other.api_key)
            .json(&json!({"name": format!("Author Probe Theirs {i}")}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let share = app
            .client
            .post(format!(
                "{}/{}/v1/models/{}/share",
                app.address,
                other.project_id,
                created["id"].as_str().unwrap()
            ))
            .bearer_auth(&other.api_key)
            .send()
            .await
            .unwrap();
        assert!(share.status().is_success(), "{}", share.status());
    }
    let page = |query: String| {
        let app = &app;
        async move {
            let response = app
                .client
                .get(format!("{}/api/models?{query}", app.address))
                .send()
                .await
                .unwrap();
            let link = response
                .headers()
                .get("link")
                .map(|l| l.to_str().unwrap().to_owned());
            let ids: Vec<String> = response
                .json::<Vec<Value>>()
                .await
                .unwrap()
                .iter()
                .map(|m| m["id"].as_str().unwrap().to_owned())
                .collect();
            (ids, link)
        }
    };
    let (first, link) = page("search=author+probe&author=otherteam&limit=2".into()).await;
    assert_eq!(first.len(), 2, "{first:?}");
    assert!(
        first.iter().all(|id| id.starts_with("otherteam/")),
        "{first:?}"
    );
    let next = link.expect("a next page of otherteam's models");
    let next = next.trim_start_matches('<').split('>').next().unwrap();
    let cursor = next.split_once('?').unwrap().1.to_owned();
    let (second, link) = page(cursor).await;
    assert_eq!(second.len(), 1, "{second:?}");
    assert!(link.is_none(), "no third page");
    let (mine, _) = page("author=myproject&limit=100".into()).await;
    assert_eq!(mine.len(), 5, "{mine:?}");
    let (nobody, link) = page("author=nobody-here".into()).await;
    assert!(nobody.is_empty() && link.is_none());
}
