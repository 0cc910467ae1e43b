//! Repositories over the project API: revisions, deletes and garbage collection, bad input,
//! quota, metadata from the files, the detail page.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::*;

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
    assert!(
        text.contains(&format!(
            "HF_ENDPOINT={} HF_HUB_DISABLE_XET=1 hf upload myproject/page-repo-model ./folder",
            app.address
        )),
        "the box says how to push: {text}"
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

/// Hardening 3, fault 6 (RELIABILITY T52): paths that are one file on a case-insensitive or
/// normalising file system are refused with 409 naming both, in one commit or across commits.
#[tokio::test]
async fn paths_that_collide_on_common_disks_are_refused_naming_both() {
    let app = spawn_app().await;
    let id = model(&app, "Colliding Paths", false).await;
    let bytes = b"readme".to_vec();
    assert_eq!(put_blob(&app, &bytes).await.status(), StatusCode::OK);
    let file = |path: &str| json!({"path": path, "sha256": sha256(&bytes), "size": bytes.len()});
    let commit = |files: Vec<Value>| {
        let app = &app;
        let id = id.clone();
        async move {
            app.send(
                Method::POST,
                &format!("{}/{id}/revisions", app.models_url()),
                Some(&json!({ "files": files })),
            )
            .await
        }
    };
    let both = commit(vec![file("README.md"), file("readme.md")]).await;
    let message = crate::helpers::assert_error(both, StatusCode::CONFLICT, "conflict").await;
    assert!(
        message.contains("README.md") && message.contains("readme.md"),
        "{message}"
    );
    let nfc = "caf\u{e9}.txt";
    let nfd = "cafe\u{301}.txt";
    assert_eq!(commit(vec![file(nfc)]).await.status(), StatusCode::CREATED);
    let later = commit(vec![file(nfd)]).await;
    let message = crate::helpers::assert_error(later, StatusCode::CONFLICT, "conflict").await;
    assert!(message.contains(nfc) && message.contains(nfd), "{message}");
}

/// Issue 24, point 3: errors the real client reads. Dataset and space paths are repositories
/// that do not exist (`RepoNotFound`, not a bare 404 the client calls a connection problem); a
/// 416 keeps `Content-Range` and is no missing entry; a 405 under a Hub path is in Hub shape.
#[tokio::test]
async fn hub_paths_answer_errors_in_the_hub_shape_the_client_reads() {
    let app = spawn_app().await;
    let id = model(&app, "Shaped Errors", true).await;
    upload_folder(&app, &id, &[("a.bin", vec![1u8; 100])]).await;
    for path in [
        "/datasets/myproject/shaped-errors/resolve/main/a.bin",
        "/api/datasets/myproject/shaped-errors",
        "/api/spaces/myproject/shaped-errors/revision/main",
    ] {
        let response = app
            .client
            .get(format!("{}{path}", app.address))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
        assert_eq!(response.headers()["x-error-code"], "RepoNotFound", "{path}");
    }
    let range = app
        .client
        .get(format!(
            "{}/myproject/shaped-errors/resolve/main/a.bin",
            app.address
        ))
        .header("range", "bytes=500-")
        .send()
        .await
        .unwrap();
    assert_eq!(range.status(), StatusCode::RANGE_NOT_SATISFIABLE);
    assert_eq!(range.headers()["content-range"], "bytes */100");
    assert_ne!(range.headers()["x-error-code"], "EntryNotFound");
    let wrong = app
        .client
        .delete(format!(
            "{}/api/models/myproject/shaped-errors",
            app.address
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(wrong.headers()["x-error-code"], "MethodNotAllowed");
    assert!(wrong.headers().contains_key("allow"));
    let body: Value = wrong.json().await.unwrap();
    assert!(body["error"].is_string(), "{body}");
}
