//! Registering, reading, editing, listing and deleting models.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{assert_error, sample_model, spawn_app};

#[tokio::test]
async fn register_answers_201_with_normalised_metadata() {
    let app = spawn_app().await;
    let body = json!({
        "name": "Qwen3-30B-A3B",
        "architecture": "Qwen3-MoE",
        "parameter_count": "30B",
        "active_parameter_count": 3000000000u64,
        "context_length": 32768,
        "license": "Apache 2.0",
        "quantization": "Q4_K_M",
        "format": "GGUF",
        "workload_type": "Chat, code,chat",
        "version": "2507",
    });
    let model = app.register(&body).await;
    assert_eq!(model["architecture"], "qwen3moe");
    assert_eq!(model["parameter_count"], 30_000_000_000u64);
    assert_eq!(model["parameter_count_display"], "30B");
    assert_eq!(model["active_parameter_count"], 3_000_000_000u64);
    assert_eq!(model["context_length_display"], "32K");
    assert_eq!(model["license"], "apache-2.0");
    assert_eq!(model["license_name"], "Apache 2.0");
    assert_eq!(model["format"], "gguf");
    assert_eq!(model["workload_type"], "Chat, code,chat");
    assert_eq!(model["tags"], json!(["chat", "code"]));
    assert_eq!(model["shared"], false);
    assert_eq!(model["catalog_role"], Value::Null);
    assert!(model["display_id"].as_str().unwrap().starts_with("mdl_"));
    let id = model["id"].as_str().unwrap();
    let fetched: Value = app.get_model(id).await.json().await.unwrap();
    assert_eq!(fetched, model);
}

#[tokio::test]
async fn bad_registrations_are_400_with_the_envelope() {
    let app = spawn_app().await;
    let cases: Vec<(&str, Value, &str)> = vec![
        (
            "missing name",
            json!({"architecture": "llama"}),
            "invalid_request",
        ),
        ("blank name", json!({"name": "   "}), "invalid_request"),
        ("wrong type", json!({"name": 42}), "invalid_request"),
        (
            "unknown field",
            json!({"name": "m", "params": "7B"}),
            "invalid_request",
        ),
        (
            "bad parameter count",
            json!({"name": "m", "parameter_count": "7Q"}),
            "invalid_request",
        ),
        (
            "negative parameter count",
            json!({"name": "m", "parameter_count": -1}),
            "invalid_request",
        ),
        (
            "float parameter count",
            json!({"name": "m", "parameter_count": 1.5}),
            "invalid_request",
        ),
        (
            "huge parameter count",
            json!({"name": "m", "parameter_count": "18446744073709551616"}),
            "invalid_request",
        ),
        (
            "bad context",
            json!({"name": "m", "context_length": "128Q"}),
            "invalid_request",
        ),
        (
            "architecture without letters",
            json!({"name": "m", "architecture": "--"}),
            "invalid_request",
        ),
        (
            "bad tag",
            json!({"name": "m", "workload_type": "chat,<b>"}),
            "invalid_request",
        ),
        (
            "too many tags",
            json!({"name": "m", "workload_type": (0..20).map(|i| format!("t{i}")).collect::<Vec<_>>().join(",")}),
            "invalid_request",
        ),
        (
            "name too long",
            json!({"name": "n".repeat(201)}),
            "invalid_request",
        ),
        (
            "control characters",
            json!({"name": "a\u{0}b"}),
            "invalid_request",
        ),
        (
            "active above total",
            json!({"name": "m", "parameter_count": "3B", "active_parameter_count": "30B"}),
            "invalid_request",
        ),
    ];
    for (description, body, code) in cases {
        let response = app.send(Method::POST, &app.models_url(), Some(&body)).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{description}");
        let envelope: Value = response.json().await.unwrap();
        assert_eq!(envelope["error"]["code"], code, "{description}: {envelope}");
    }
    let total: Value = app
        .send(Method::GET, &app.models_url(), None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(total["total"], 0, "nothing was stored");
}

#[tokio::test]
async fn malformed_and_oversized_bodies_are_rejected() {
    let app = spawn_app().await;
    let malformed = app
        .client
        .post(app.models_url())
        .bearer_auth(&app.api_key)
        .header("content-type", "application/json")
        .body("{\"name\": ")
        .send()
        .await
        .unwrap();
    assert_error(malformed, StatusCode::BAD_REQUEST, "invalid_json").await;
    let empty = app
        .client
        .post(app.models_url())
        .bearer_auth(&app.api_key)
        .send()
        .await
        .unwrap();
    assert_error(empty, StatusCode::BAD_REQUEST, "invalid_json").await;
    let huge = json!({"name": "m", "description": "x".repeat(2 * 1024 * 1024)});
    let response = app.send(Method::POST, &app.models_url(), Some(&huge)).await;
    assert_error(response, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large").await;
}

#[tokio::test]
async fn curl_style_bodies_without_a_content_type_are_accepted() {
    let app = spawn_app().await;
    let response = app
        .client
        .post(app.models_url())
        .bearer_auth(&app.api_key)
        .body(r#"{"name":"plain"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn list_shows_only_the_projects_own_models_with_paging() {
    let app = spawn_app().await;
    for i in 0..3 {
        app.register_sample(&format!("mine-{i}")).await;
    }
    let other = app.other_project("otherproj").await;
    let url = format!("{}/{}/v1/models", app.address, other.project_id);
    let response = app
        .send_with_key(
            Method::POST,
            &url,
            Some(&sample_model("theirs")),
            Some(&other.api_key),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);

    let page: Value = app
        .send(
            Method::GET,
            &format!("{}?per_page=2", app.models_url()),
            None,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(page["total"], 3);
    assert_eq!(page["models"].as_array().unwrap().len(), 2);
    let names: Vec<&str> = page["models"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["mine-2", "mine-1"], "newest first");
    let second: Value = app
        .send(
            Method::GET,
            &format!("{}?page=2&per_page=2", app.models_url()),
            None,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(second["models"][0]["name"], "mine-0");
    let bad = app
        .send(
            Method::GET,
            &format!("{}?per_page=abc", app.models_url()),
            None,
        )
        .await;
    assert_error(bad, StatusCode::BAD_REQUEST, "invalid_parameter").await;
}

#[tokio::test]
async fn edit_sets_clears_and_keeps_fields() {
    let app = spawn_app().await;
    let id = app.register_sample("editable").await;
    let url = format!("{}/{id}", app.models_url());
    let response = app
        .send(
            Method::PATCH,
            &url,
            Some(&json!({"context_length": "8K", "license": null, "name": "renamed"})),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let model: Value = response.json().await.unwrap();
    assert_eq!(model["name"], "renamed");
    assert_eq!(model["context_length"], 8192);
    assert_eq!(model["license"], Value::Null);
    assert_eq!(
        model["parameter_count_display"], "7B",
        "untouched field kept"
    );
    let bad = app
        .send(
            Method::PATCH,
            &url,
            Some(&json!({"parameter_count": "lots"})),
        )
        .await;
    assert_error(bad, StatusCode::BAD_REQUEST, "invalid_request").await;
    let cleared_name = app
        .send(Method::PATCH, &url, Some(&json!({"name": null})))
        .await;
    assert_error(cleared_name, StatusCode::BAD_REQUEST, "invalid_request").await;
    let after: Value = app.get_model(&id).await.json().await.unwrap();
    assert_eq!(after["name"], "renamed", "a rejected edit changes nothing");
}

#[tokio::test]
async fn delete_removes_the_model() {
    let app = spawn_app().await;
    let id = app.register_sample("doomed").await;
    let url = format!("{}/{id}", app.models_url());
    assert_eq!(
        app.send(Method::DELETE, &url, None).await.status(),
        StatusCode::NO_CONTENT
    );
    assert_error(
        app.get_model(&id).await,
        StatusCode::NOT_FOUND,
        "model_not_found",
    )
    .await;
    assert_error(
        app.send(Method::DELETE, &url, None).await,
        StatusCode::NOT_FOUND,
        "model_not_found",
    )
    .await;
}

#[tokio::test]
async fn every_change_is_in_the_audit_log() {
    let app = spawn_app().await;
    let id = app.register_sample("audited").await;
    app.share(&id).await;
    app.unshare(&id).await;
    app.send(
        Method::PATCH,
        &format!("{}/{id}", app.models_url()),
        Some(&json!({"version": "2"})),
    )
    .await;
    app.send(Method::DELETE, &format!("{}/{id}", app.models_url()), None)
        .await;
    let entries = app
        .services
        .store
        .call(move |conn| xeroctl::store::audit::entries_for(conn, "model", &id))
        .await
        .unwrap();
    let actions: Vec<&str> = entries.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "model.register",
            "model.share",
            "model.unshare",
            "model.edit",
            "model.delete"
        ]
    );
    assert!(
        entries.iter().all(|e| e.actor.starts_with("key:key_")),
        "actor is the key id"
    );
}

#[tokio::test]
async fn unknown_routes_get_the_envelope_and_healthz_answers() {
    let app = spawn_app().await;
    let response = app
        .client
        .get(format!("{}/no/such/route", app.address))
        .send()
        .await
        .unwrap();
    assert_error(response, StatusCode::NOT_FOUND, "route_not_found").await;
    let health: Value = app
        .client
        .get(format!("{}/healthz", app.address))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(health["status"], "ok");
}
