//! Choosing on a real catalog (issue 27): entries without files get their base model's
//! attention shape from the shapes table, budgets name devices and several GPUs, the KV cache
//! knobs change the answer, and the fit sidebar, device choice and cookie work on the pages.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app};

async fn shared(app: &TestApp, body: Value) -> String {
    let id = app.register(&body).await["id"].as_str().unwrap().to_owned();
    assert_eq!(app.share(&id).await.status(), StatusCode::OK);
    id
}

async fn search(app: &TestApp, query: &str) -> Value {
    let response = reqwest::get(format!("{}/v1/catalog/models?{query}", app.address))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK, "{query}");
    response.json().await.unwrap()
}

fn model<'a>(answer: &'a Value, name: &str) -> &'a Value {
    answer["models"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == name)
        .unwrap_or_else(|| panic!("{name} not in {answer}"))
}

#[tokio::test]
async fn variants_without_files_take_their_base_models_shape_from_the_table() {
    let app = spawn_app().await;
    shared(&app, json!({"name": "Qwen3-8B-GGUF", "parameter_count": "8.2B", "quantization": "Q4_K_M", "context_length": "40K"})).await;
    shared(
        &app,
        json!({"name": "Qwen3-8B-MLX-4bit", "parameter_count": "8B", "quantization": "MLX-4bit"}),
    )
    .await;
    shared(
        &app,
        json!({"name": "gemma-3-27b-it", "parameter_count": "27B", "context_length": "128K"}),
    )
    .await;
    shared(&app, json!({"name": "DeepSeek-V3-0324", "parameter_count": "671B", "quantization": "FP8", "context_length": "160K"})).await;
    // A name that only starts like a base of another size is not given that base's shape.
    shared(
        &app,
        json!({"name": "Qwen3-8B-Tiny-Distill", "parameter_count": "0.5B"}),
    )
    .await;
    let answer = search(&app, "per_page=50").await;
    let qwen = &model(&answer, "Qwen3-8B-GGUF")["memory"];
    // Qwen3-8B: 36 layers × 8 KV heads × 128, keys and values in f16, 32 768 cells.
    assert_eq!(
        qwen["kv_cache_bytes"],
        36u64 * 8 * 128 * 2 * 2 * 32_768,
        "{qwen}"
    );
    assert_eq!(qwen["kv_source"]["kind"], "table");
    assert_eq!(qwen["kv_source"]["base"], "Qwen3-8B");
    assert!(
        qwen["kv_source"]["source"]
            .as_str()
            .unwrap()
            .contains("huggingface.co/Qwen/Qwen3-8B")
    );
    assert!(qwen["total_bytes"].as_u64().is_some());
    assert_eq!(
        model(&answer, "Qwen3-8B-MLX-4bit")["memory"]["kv_source"]["base"],
        "Qwen3-8B"
    );
    // Gemma 3 27B: 52 of 62 layers keep a 1 024-token window (+ one 512-token micro-batch).
    let row = 16u64 * 128 * 2 * 2;
    assert_eq!(
        model(&answer, "gemma-3-27b-it")["memory"]["kv_cache_bytes"],
        10 * row * 32_768 + 52 * row * 1_536
    );
    // DeepSeek V3: one 576-wide latent row per layer and token.
    assert_eq!(
        model(&answer, "DeepSeek-V3-0324")["memory"]["kv_cache_bytes"],
        61u64 * 576 * 2 * 32_768
    );
    assert!(model(&answer, "Qwen3-8B-Tiny-Distill")["memory"]["kv_cache_bytes"].is_null());

    // The knobs: a q8_0 cache holds 34 bytes per 32 values; four sequences hold four caches.
    let q8 = search(&app, "q=Qwen3-8B-GGUF&kv_cache=q8_0&parallel=4").await;
    let memory = &model(&q8, "Qwen3-8B-GGUF")["memory"];
    assert_eq!(memory["kv_cache"], "q8_0");
    assert_eq!(memory["parallel"], 4);
    assert_eq!(
        memory["kv_cache_bytes"],
        36u64 * 8 * 128 * 2 * 2 * 32_768 / 64 * 34 * 4
    );
    assert_eq!(memory["context_capped"], false);
    // Past the model's own 40K the context is capped, and the answer says so.
    let long = search(&app, "q=Qwen3-8B-GGUF&at_context=128K").await;
    let memory = &model(&long, "Qwen3-8B-GGUF")["memory"];
    assert_eq!(
        (
            memory["context"].as_u64(),
            memory["context_capped"].as_bool()
        ),
        (Some(40_960), Some(true))
    );
    // The detail page says where the shape came from and draws the bar.
    let id = model(&answer, "Qwen3-8B-GGUF")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let page = reqwest::get(format!(
        "{}/models/catalog/{id}?device=rtx-4090",
        app.address
    ))
    .await
    .unwrap();
    let cookie = page
        .headers()
        .get("set-cookie")
        .map(|c| c.to_str().unwrap().to_owned());
    let html = page.text().await.unwrap();
    assert!(
        html.contains("attention shape of <strong>Qwen3-8B</strong> (shapes table)"),
        "{html}"
    );
    assert!(html.contains("svg class=\"memory-bar\""), "{html}");
    assert!(html.contains("Fits RTX 4090 (24.0 GB)."), "{html}");
    assert!(cookie.unwrap_or_default().contains("xero_budget=rtx-4090"));
    // The compare page draws each model's bar against the remembered device.
    let other = model(&answer, "gemma-3-27b-it")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let compare = app
        .client
        .get(format!("{}/models/compare?ids={id},{other}", app.address))
        .header("cookie", "xero_budget=rtx-4090")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(compare.contains("against RTX 4090 (24.0 GB)"), "{compare}");
    assert_eq!(
        compare.matches("svg class=\"memory-bar\"").count(),
        2,
        "{compare}"
    );
}

#[tokio::test]
async fn budgets_name_devices_and_several_gpus() {
    let app = spawn_app().await;
    // 70B in 16 bits: 140 GB of weights; with the table's Llama 3.1 70B shape the whole
    // estimate at 32K is about 151 GB.
    shared(&app, json!({"name": "Meta-Llama-3.1-70B-Instruct", "parameter_count": "70.6B", "context_length": "128K"})).await;
    shared(&app, json!({"name": "Meta-Llama-3.1-8B-Instruct", "parameter_count": "8B", "quantization": "Q4_K_M", "context_length": "128K"})).await;
    let names = |answer: &Value| -> Vec<String> {
        answer["models"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["name"].as_str().unwrap().to_owned())
            .collect()
    };
    let one = search(&app, "device=h100").await;
    assert_eq!(names(&one), ["Meta-Llama-3.1-8B-Instruct"], "{one}");
    assert_eq!(one["fit"]["budget"], "h100");
    assert_eq!(one["fit"]["budget_bytes"], 80_000_000_000u64);
    let two = search(&app, "fits_memory=2x%20h100").await;
    assert_eq!(two["fit"]["budget_bytes"], 159_500_000_000u64, "{two}");
    assert_eq!(two["fit"]["fits"], 2, "{two}");
    assert_eq!(two["fit"]["budget"], "2xh100");
    let sized = search(&app, "fits_memory=2x24GB").await;
    assert_eq!(sized["fit"]["budget_bytes"], 47_500_000_000u64);
    assert_eq!(sized["fit"]["budget_label"], "2× 24.0 GB (47.5 GB)");
    // The CLI reads the same.
    let output = std::process::Command::new(crate::cli::BIN)
        .args([
            "catalog", "search", "--device", "2x H100", "--output", "json",
        ])
        .env("XERO_BASE_URL", &app.address)
        .output()
        .unwrap();
    let cli: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        cli["fit"]["fits"],
        2,
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let output = std::process::Command::new(crate::cli::BIN)
        .args(["catalog", "devices"])
        .output()
        .unwrap();
    let table = String::from_utf8_lossy(&output.stdout);
    assert!(
        table.contains("rtx-4090") && table.contains("mac-128gb"),
        "{table}"
    );
    // Unknown devices and absurd sizes are named, with the envelope.
    for bad in [
        "device=gtx-9999",
        "fits_memory=2x",
        "fits_memory=0",
        "fits_memory=65x24GB",
        "fits_memory=101TB",
    ] {
        let response = reqwest::get(format!("{}/v1/catalog/models?{bad}", app.address))
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{bad}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"]["code"], "invalid_parameter", "{bad}: {body}");
    }
}
