//! Uploads over HTTP (issue 7): streamed model files, metadata from GGUF headers, hostile
//! files, limits, aborted uploads and Range downloads (RELIABILITY T22–T27).

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tokio::io::AsyncWriteExt;

use crate::gguf_files::{FIXTURES, fixture};
use crate::helpers::{TestApp, assert_error, sample_model, spawn_app, spawn_app_with};

async fn upload(app: &TestApp, id: &str, bytes: Vec<u8>) -> reqwest::Response {
    app.client
        .put(format!("{}/{id}/artifact", app.models_url()))
        .bearer_auth(&app.api_key)
        .body(bytes)
        .send()
        .await
        .unwrap()
}

async fn bare_model(app: &TestApp, name: &str) -> String {
    app.register(&json!({ "name": name })).await["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Files left in the upload area or the blob store.
fn stored_files(app: &TestApp) -> (usize, usize) {
    let count = |dir: &str| walk(&app.data_dir.path().join(dir));
    (count("tmp"), count("blobs"))
}

fn walk(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir).map_or(0, |entries| {
        entries
            .flatten()
            .map(|e| {
                if e.path().is_dir() {
                    walk(&e.path())
                } else {
                    1
                }
            })
            .sum()
    })
}

#[tokio::test]
async fn every_fixture_uploads_and_fills_the_models_metadata() {
    let app = spawn_app().await;
    for (file, arch, name, context, _, params, experts) in FIXTURES {
        let id = bare_model(&app, file).await;
        let bytes = std::fs::read(fixture(file)).unwrap();
        let size = bytes.len();
        let response = upload(&app, &id, bytes).await;
        assert_eq!(response.status(), StatusCode::OK, "{file}");
        let answer: Value = response.json().await.unwrap();
        assert_eq!(answer["file"]["format"], "gguf");
        assert_eq!(answer["file"]["name"], *name, "{file}");
        assert_eq!(answer["file"]["expert_count"], json!(experts), "{file}");
        let model: Value = app.get_model(&id).await.json().await.unwrap();
        assert_eq!(model["architecture"], *arch, "{file}");
        assert_eq!(model["context_length"], *context, "{file}");
        assert_eq!(model["parameter_count"], json!(params), "{file}");
        assert_eq!(model["format"], "gguf");
        assert_eq!(model["artifact"]["size"], size);
        assert_eq!(model["file"]["name"], *name);
    }
    assert_eq!(
        stored_files(&app),
        (0, FIXTURES.len()),
        "no temp files, one blob each"
    );
}

#[tokio::test]
async fn declared_values_are_kept_and_shown_beside_the_files() {
    let app = spawn_app().await;
    let id = app.register(&sample_model("Declared Llama")).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let bytes = std::fs::read(fixture("synthetic-llama-f32.gguf")).unwrap();
    let answer: Value = upload(&app, &id, bytes).await.json().await.unwrap();
    assert_eq!(
        answer["model"]["parameter_count_display"], "7B",
        "the operator's value stays"
    );
    assert_eq!(answer["file"]["parameter_count"], 920);
    assert_eq!(answer["file"]["quantization"], "F32");
    let differences = answer["differences"].as_array().unwrap();
    assert!(
        differences
            .iter()
            .any(|d| d["field"] == "parameters" && d["declared"] == "7B" && d["file"] == "920"),
        "{differences:?}"
    );
    assert!(
        answer["filled"]
            .as_array()
            .unwrap()
            .contains(&json!("quantization"))
    );
    let model: Value = app.get_model(&id).await.json().await.unwrap();
    assert_eq!(model["differences"], answer["differences"]);
    app.share(&id).await;
    let page = app
        .client
        .get(format!("{}/models/catalog/{id}", app.address))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("the uploaded file says"),
        "the detail page shows both values"
    );
    assert!(page.contains("GGUF, 5088 bytes"));
}

#[tokio::test]
async fn malformed_files_are_400s_and_store_nothing() {
    let app = spawn_app().await;
    let id = app
        .register(&json!({"name": "Target", "format": "gguf"}))
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let header = |version: u32, tensors: u64, kvs: u64| {
        let mut b = b"GGUF".to_vec();
        b.extend(version.to_le_bytes());
        b.extend(tensors.to_le_bytes());
        b.extend(kvs.to_le_bytes());
        b
    };
    let mut huge_string = header(3, 0, 1);
    huge_string.extend((1u64 << 50).to_le_bytes());
    let mut truncated = std::fs::read(fixture("ggml-vocab-gpt-2.gguf")).unwrap();
    truncated.truncate(truncated.len() / 2);
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "wrong magic",
            b"<html><script>alert(1)</script></html>".to_vec(),
            "magic",
        ),
        ("empty", Vec::new(), "magic"),
        ("version 99", header(99, 0, 0), "version 99"),
        ("2^60 tensors", header(3, 1 << 60, 0), "tensors"),
        ("2^50-byte key", huge_string, "bytes"),
        ("truncated", truncated, "truncated"),
    ];
    for (name, bytes, message) in cases {
        let response = upload(&app, &id, bytes).await;
        let text = assert_error(response, StatusCode::BAD_REQUEST, "invalid_model_file").await;
        assert!(text.contains(message), "{name}: {text}");
    }
    let model: Value = app.get_model(&id).await.json().await.unwrap();
    assert_eq!(model["artifact"], Value::Null, "nothing recorded");
    assert_eq!(stored_files(&app), (0, 0), "nothing left on disk");
}

#[tokio::test]
async fn oversized_uploads_are_413_before_or_while_reading() {
    let app = spawn_app_with(|s| s.uploads.max_bytes = 4096).await;
    let id = bare_model(&app, "Small only").await;
    let declared = upload(&app, &id, vec![0u8; 10_000]).await;
    assert_error(declared, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large").await;
    // Chunked, with no length: refused once past the limit.
    let mut stream = tokio::net::TcpStream::connect(app.address.trim_start_matches("http://"))
        .await
        .unwrap();
    let head = format!(
        "PUT /{}/v1/models/{id}/artifact HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
        app.project_id, app.api_key
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    for _ in 0..10 {
        if stream.write_all(b"400\r\n").await.is_err()
            || stream.write_all(&[1u8; 1024]).await.is_err()
            || stream.write_all(b"\r\n").await.is_err()
        {
            break;
        }
    }
    let _ = stream.write_all(b"0\r\n\r\n").await;
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(
        Duration::from_secs(5),
        tokio::io::AsyncReadExt::read_to_end(&mut stream, &mut answer),
    )
    .await;
    assert!(
        String::from_utf8_lossy(&answer).starts_with("HTTP/1.1 413"),
        "{}",
        String::from_utf8_lossy(&answer)
    );
    let fits = upload(&app, &id, vec![7u8; 4096]).await;
    assert_eq!(fits.status(), StatusCode::OK, "exactly the limit is fine");
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(stored_files(&app), (0, 1));
}

#[tokio::test]
async fn stalled_and_aborted_uploads_leave_nothing_behind() {
    let app = spawn_app_with(|s| s.uploads.idle = Duration::from_secs(1)).await;
    let id = bare_model(&app, "Interrupted").await;
    let address = app.address.trim_start_matches("http://").to_owned();
    // T25: the client goes away at 10 %, 50 % and 99 % of the declared body, or stalls.
    for (abort_after, stall) in [
        (10_000usize, false),
        (50_000, false),
        (99_000, false),
        (100, true),
    ] {
        let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
        let head = format!(
            "PUT /{}/v1/models/{id}/artifact HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\nContent-Length: 100000\r\n\r\n",
            app.project_id, app.api_key
        );
        stream.write_all(head.as_bytes()).await.unwrap();
        stream.write_all(&vec![b'x'; abort_after]).await.unwrap();
        if stall {
            // Keep the connection open and silent past the idle timeout: the server answers 408.
            let mut answer = vec![0u8; 512];
            let read = tokio::time::timeout(
                Duration::from_secs(10),
                tokio::io::AsyncReadExt::read(&mut stream, &mut answer),
            )
            .await
            .expect("the server gives up on a stalled body")
            .unwrap();
            assert!(
                String::from_utf8_lossy(&answer[..read]).contains("408"),
                "{}",
                String::from_utf8_lossy(&answer[..read])
            );
        }
        drop(stream);
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(stored_files(&app), (0, 0), "no partial file anywhere");
    let model: Value = app.get_model(&id).await.json().await.unwrap();
    assert_eq!(model["artifact"], Value::Null);
    let retry = upload(
        &app,
        &id,
        std::fs::read(fixture("synthetic-llama-f32.gguf")).unwrap(),
    )
    .await;
    assert_eq!(retry.status(), StatusCode::OK, "a re-upload succeeds");
}

#[tokio::test]
async fn downloads_are_attachments_with_ranges_for_the_owner_only() {
    let app = spawn_app().await;
    let id = bare_model(&app, "Download Me").await;
    let bytes = std::fs::read(fixture("synthetic-qwen3moe-f16.gguf")).unwrap();
    upload(&app, &id, bytes.clone()).await;
    let url = format!("{}/{id}/artifact", app.models_url());
    let whole = app.send(Method::GET, &url, None).await;
    assert_eq!(whole.status(), StatusCode::OK);
    assert_eq!(whole.headers()["content-type"], "application/octet-stream");
    assert!(
        whole.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    assert_eq!(whole.headers()["x-content-type-options"], "nosniff");
    assert_eq!(whole.bytes().await.unwrap().to_vec(), bytes);
    let part = app
        .client
        .get(&url)
        .bearer_auth(&app.api_key)
        .header("Range", "bytes=0-3")
        .send()
        .await
        .unwrap();
    assert_eq!(part.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(
        part.headers()["content-range"],
        format!("bytes 0-3/{}", bytes.len()).as_str()
    );
    assert_eq!(&part.bytes().await.unwrap()[..], b"GGUF");
    let tail = app
        .client
        .get(&url)
        .bearer_auth(&app.api_key)
        .header("Range", "bytes=-10")
        .send()
        .await
        .unwrap();
    assert_eq!(
        tail.bytes().await.unwrap().to_vec(),
        bytes[bytes.len() - 10..].to_vec()
    );
    let beyond = app
        .client
        .get(&url)
        .bearer_auth(&app.api_key)
        .header("Range", "bytes=999999-")
        .send()
        .await
        .unwrap();
    assert_error(
        beyond,
        StatusCode::RANGE_NOT_SATISFIABLE,
        "range_not_satisfiable",
    )
    .await;
    let other = app.other_project("outsider").await;
    let refused = app
        .send_with_key(Method::GET, &url, None, Some(&other.api_key))
        .await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let read_key = app.key_for(xeroctl::auth::KeyScope::Read).await;
    let readable = app
        .send_with_key(Method::GET, &url, None, Some(&read_key))
        .await;
    assert_eq!(readable.status(), StatusCode::OK, "a read key may download");
    let upload_with_read = app
        .client
        .put(&url)
        .bearer_auth(&read_key)
        .body(bytes)
        .send()
        .await
        .unwrap();
    assert_error(upload_with_read, StatusCode::FORBIDDEN, "forbidden").await;
}

fn multipart(csrf: &str, file: &[u8]) -> (String, Vec<u8>) {
    let boundary = "xeroctl-test-boundary";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"../../etc/passwd\"\r\nContent-Type: application/octet-stream\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

#[tokio::test]
async fn the_edit_page_form_uploads_with_csrf_and_a_server_chosen_path() {
    use crate::sessions::{PASSWORD, browser, field, login, user};
    let app = spawn_app().await;
    let id = bare_model(&app, "Form Upload").await;
    user(&app, "uma").await;
    let client = browser();
    login(&app, &client, "uma", PASSWORD).await;
    // The upload form is on the model's edit page (issue 16: not one file picker per row).
    let page = client
        .get(format!(
            "{}/projects/{}/models/{id}/edit",
            app.address, app.project_id
        ))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = field(&page, "form.upload input[name=csrf]", "value");
    assert!(!csrf.is_empty(), "an upload form on the edit page");
    let url = format!(
        "{}/projects/{}/models/{id}/upload",
        app.address, app.project_id
    );
    let gguf = std::fs::read(fixture("synthetic-deepseek2-q8_0.gguf")).unwrap();
    let (content_type, forged) = multipart("forged", &gguf);
    let refused = client
        .post(&url)
        .header("Content-Type", content_type)
        .body(forged)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        stored_files(&app),
        (0, 0),
        "nothing read or stored without the token"
    );
    let (content_type, body) = multipart(&csrf, &gguf);
    let stored = client
        .post(&url)
        .header("Content-Type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(stored.status(), StatusCode::SEE_OTHER);
    let model: Value = app.get_model(&id).await.json().await.unwrap();
    assert_eq!(model["architecture"], "deepseek2");
    assert_eq!(model["quantization"], "Q8_0");
    assert_eq!(model["parameter_count"], 9088);
    // T27: the stored path comes from the content hash, never from the client's file name.
    let sha = model["artifact"]["sha256"].as_str().unwrap();
    assert!(
        app.data_dir
            .path()
            .join("blobs/sha256")
            .join(&sha[..2])
            .join(sha)
            .exists()
    );
    assert!(!app.data_dir.path().join("etc").exists());
    let (content_type, body) = multipart(&csrf, b"GGUF\x01\x00\x00\x00");
    let bad = client
        .post(&url)
        .header("Content-Type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    assert!(
        bad.text()
            .await
            .unwrap()
            .contains("version 1 is not supported")
    );
}

#[tokio::test]
async fn traversal_probes_on_file_routes_are_refused() {
    let app = spawn_app().await;
    for probe in [
        "../../etc/passwd",
        "..%2F..%2Fetc%2Fpasswd",
        "%2e%2e%2f",
        "..%c0%af",
        "a%00b",
        &"x".repeat(4096),
    ] {
        let url = format!("{}/{probe}/artifact", app.models_url());
        let status = app.send(Method::GET, &url, None).await.status();
        assert!(
            status == StatusCode::NOT_FOUND || status == StatusCode::BAD_REQUEST,
            "{probe}: {status}"
        );
    }
}

#[tokio::test]
async fn an_upload_that_would_fill_the_disk_is_507_and_stores_nothing() {
    // T24: the reserve is larger than any disk here, so every upload would eat into it.
    let app = spawn_app_with(|s| s.uploads.min_free = u64::MAX / 2).await;
    let id = bare_model(&app, "No room").await;
    let response = upload(
        &app,
        &id,
        std::fs::read(fixture("synthetic-llama-f32.gguf")).unwrap(),
    )
    .await;
    let message = assert_error(
        response,
        StatusCode::INSUFFICIENT_STORAGE,
        "insufficient_storage",
    )
    .await;
    assert!(message.contains("free disk space"), "{message}");
    assert_eq!(stored_files(&app), (0, 0));
    let model: Value = app.get_model(&id).await.json().await.unwrap();
    assert_eq!(model["artifact"], Value::Null);
}

#[tokio::test]
async fn a_config_json_fills_architecture_and_context() {
    let app = spawn_app().await;
    let id = bare_model(&app, "HF snapshot").await;
    let url = format!("{}/{id}/config", app.models_url());
    let config = json!({"architectures": ["Qwen2ForCausalLM"], "model_type": "qwen2", "max_position_embeddings": 32768});
    let answer: Value = app
        .send(Method::PUT, &url, Some(&config))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(answer["filled"], json!(["architecture", "context_length"]));
    let model: Value = app.get_model(&id).await.json().await.unwrap();
    assert_eq!(
        (
            model["architecture"].as_str(),
            model["context_length"].as_u64()
        ),
        (Some("qwen2"), Some(32768))
    );
    let broken = app
        .client
        .put(&url)
        .bearer_auth(&app.api_key)
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_error(broken, StatusCode::BAD_REQUEST, "invalid_model_file").await;
    // T22: whatever bytes a file holds, a download is never served as a page.
    let raw = bare_model(&app, "Raw bytes").await;
    upload(
        &app,
        &raw,
        b"<html><script>alert(1)</script></html>".to_vec(),
    )
    .await;
    let download = app
        .send(
            Method::GET,
            &format!("{}/{raw}/artifact", app.models_url()),
            None,
        )
        .await;
    assert_eq!(
        download.headers()["content-type"],
        "application/octet-stream"
    );
}

#[tokio::test]
async fn a_project_quota_limits_stored_bytes_and_a_replacement_fits() {
    // T24: 6 000 bytes hold one 5 088-byte file, not two; replacing the file still fits.
    let app = spawn_app_with(|s| s.uploads.project_quota = Some(6_000)).await;
    let file = std::fs::read(fixture("synthetic-llama-f32.gguf")).unwrap();
    let first = bare_model(&app, "First").await;
    assert_eq!(
        upload(&app, &first, file.clone()).await.status(),
        StatusCode::OK
    );
    let second = bare_model(&app, "Second").await;
    let refused = upload(&app, &second, file.clone()).await;
    let message = assert_error(refused, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large").await;
    assert!(message.contains("quota"), "{message}");
    assert_eq!(
        upload(&app, &first, file).await.status(),
        StatusCode::OK,
        "a replacement fits"
    );
    assert_eq!(stored_files(&app).0, 0);
}

/// Hardening 3, fault 9: model A holds bytes X; model B uploads X (nothing to move, X exists);
/// A is deleted while B's upload is paused between placing X and recording it. X must survive:
/// the upload holds the blob store until its row commits, so the delete's collection waits.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_blob_is_not_freed_while_an_upload_that_needs_it_is_recording() {
    use std::sync::Arc;
    use xeroctl::auth::Principal;
    use xeroctl::catalog::ids::{ModelId, ProjectId};
    use xeroctl::ops::files::blobs::PutPause;
    use xeroctl::ops::{files::artifacts, files::upload::Upload, models};

    // Arrange
    let app = spawn_app().await;
    let bytes = std::fs::read(fixture(FIXTURES[0].0)).unwrap();
    let a = bare_model(&app, "Holder-A").await;
    assert_eq!(
        upload(&app, &a, bytes.clone()).await.status(),
        StatusCode::OK
    );
    let b = bare_model(&app, "Uploader-B").await;
    let project = ProjectId::parse(&app.project_id).unwrap();
    let pause = Arc::new(PutPause::default());
    let mut paused = app.services.clone();
    paused.blobs = app.services.blobs.with_pause(pause.clone());
    let mut body = Upload::start(&paused, Some(bytes.len() as u64), None).unwrap();
    body.push(&bytes).await.unwrap();
    let received = body.finish().await.unwrap();
    let b_id = ModelId::parse(&b).unwrap();
    let uploading = {
        let (services, project) = (paused.clone(), project.clone());
        tokio::spawn(async move {
            artifacts::store_upload(
                &services,
                &Principal::LocalAdmin,
                &project,
                b_id,
                received,
                None,
            )
            .await
        })
    };
    pause.placed.notified().await;

    // Act: delete A while B's upload sits between placing and recording its blob.
    let deleting = {
        let (services, project) = (app.services.clone(), project.clone());
        let a_id = ModelId::parse(&a).unwrap();
        tokio::spawn(async move {
            models::delete_model(&services, &Principal::LocalAdmin, &project, a_id).await
        })
    };
    tokio::time::sleep(Duration::from_millis(500)).await;
    pause.resume.notify_one();
    uploading.await.unwrap().unwrap();
    deleting.await.unwrap().unwrap();

    // Assert: B's file is whole.
    let response = app
        .client
        .get(format!("{}/{b}/artifact", app.models_url()))
        .bearer_auth(&app.api_key)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.bytes().await.unwrap().to_vec(), bytes);
}

/// Hardening 3, fault 4 (RELIABILITY T51): ordinary bodies have a deadline (408 after it), one
/// address may have only so many bodies in flight (429 beyond), and the server keeps answering.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_ordinary_bodies_get_408_and_one_address_cannot_hold_every_connection() {
    use tokio::io::AsyncReadExt;
    let app = spawn_app_with(|settings| {
        settings.body_timeout = Duration::from_secs(1);
        settings.bodies_per_address = 4;
    })
    .await;
    let host = app.address.trim_start_matches("http://").to_owned();
    let open = |path: &str, content_type: &str| {
        let (host, path, content_type) = (host.clone(), path.to_owned(), content_type.to_owned());
        async move {
            let mut stream = tokio::net::TcpStream::connect(&host).await.unwrap();
            let head = format!(
                "POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: {content_type}\r\nContent-Length: 100\r\n\r\n{{"
            );
            stream.write_all(head.as_bytes()).await.unwrap();
            stream
        }
    };
    let status_of = |mut stream: tokio::net::TcpStream| async move {
        let mut answer = vec![0u8; 1024];
        let read = tokio::time::timeout(Duration::from_secs(10), stream.read(&mut answer))
            .await
            .expect("an answer before 10 s")
            .unwrap();
        String::from_utf8_lossy(&answer[..read])
            .split(' ')
            .nth(1)
            .unwrap_or_default()
            .to_owned()
    };

    // A JSON POST and a login form that stop after one byte.
    let models = format!("/{}/v1/models", app.project_id);
    let json_post = open(&models, "application/json").await;
    let form_post = open("/login", "application/x-www-form-urlencoded").await;
    let started = std::time::Instant::now();
    assert_eq!(status_of(json_post).await, "408");
    assert_eq!(status_of(form_post).await, "408");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );

    // Four slow bodies from this address are held; a fifth is refused at once.
    let mut held = Vec::new();
    for _ in 0..4 {
        held.push(open("/login", "application/x-www-form-urlencoded").await);
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let fifth = open("/login", "application/x-www-form-urlencoded").await;
    assert_eq!(status_of(fifth).await, "429");
    let health = reqwest::get(format!("{}/healthz", app.address))
        .await
        .unwrap();
    assert_eq!(health.status(), StatusCode::OK);
    for stream in held {
        assert_eq!(status_of(stream).await, "408");
    }
    // Their places are free again: an ordinary request goes through.
    let registered = app.register(&json!({"name": "After-Slow-Bodies"})).await;
    assert!(registered["id"].is_string());
}
