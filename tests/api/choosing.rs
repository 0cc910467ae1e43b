//! Choosing a model (issue 14): the detail page says what the licence allows and what the
//! weights need, and says "unknown" where the inputs are missing.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::spawn_app;

#[tokio::test]
async fn the_detail_page_shows_licence_intent_and_the_memory_estimate() {
    let app = spawn_app().await;
    let llama = app
        .register(&json!({"name": "Fit-Llama-8B-Q4", "architecture": "llama", "parameter_count": "8.03B",
                         "context_length": "128K", "license": "llama3", "quantization": "Q4_K_M", "format": "gguf"}))
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mystery = app
        .register(&json!({"name": "Mystery-Model", "license": "other:home-made"}))
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    for id in [&llama, &mystery] {
        assert_eq!(app.share(id).await.status(), StatusCode::OK);
    }
    let page = |id: String| {
        let url = format!("{}/models/catalog/{id}", app.address);
        async move { reqwest::get(url).await.unwrap().text().await.unwrap() }
    };
    let html = page(llama).await;
    assert!(html.contains("Commercial use with conditions"), "{html}");
    assert!(html.contains("700 M monthly active users"));
    assert!(
        html.contains("Weights <strong>4.9 GB</strong> (4.89 bits per weight)"),
        "{html}"
    );
    assert!(html.contains("KV cache at 32K <strong>unknown</strong>"));

    let html = page(mystery).await;
    assert!(html.contains("Licence terms unknown"));
    assert!(html.contains("a licence the catalog does not know"));
    assert!(html.contains("Unknown: the parameter count"));
}

async fn shared(app: &crate::helpers::TestApp, body: serde_json::Value) -> String {
    let id = app.register(&body).await["id"].as_str().unwrap().to_owned();
    assert_eq!(app.share(&id).await.status(), StatusCode::OK);
    id
}

#[tokio::test]
async fn compare_puts_two_to_four_models_in_one_table_with_differences_marked() {
    let app = spawn_app().await;
    let a = shared(&app, json!({"name": "Cmp-Qwen-7B", "architecture": "qwen2", "parameter_count": "7B",
                               "context_length": "32K", "license": "apache-2.0", "quantization": "AWQ-Int4"})).await;
    let b = shared(
        &app,
        json!({"name": "Cmp-Llama-8B", "architecture": "llama", "parameter_count": "8B",
                               "context_length": "32K", "license": "llama3"}),
    )
    .await;
    let hidden = app.register(&json!({"name": "Cmp-Unshared"})).await["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // JSON.
    let answer: serde_json::Value =
        reqwest::get(format!("{}/v1/catalog/compare?ids={a},{b}", app.address))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
    assert_eq!(answer["models"][0]["name"], "Cmp-Qwen-7B");
    let row = |field: &str| {
        answer["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["field"] == field)
            .unwrap()
            .clone()
    };
    assert_eq!(row("context_length")["differs"], false);
    assert_eq!(
        row("license_intent")["values"],
        json!(["Commercial use allowed", "Commercial use with conditions"])
    );
    assert_eq!(row("license_intent")["differs"], true);
    assert_eq!(
        row("memory")["values"][0],
        "weights 3.7 GB; KV cache unknown"
    );

    // Bad requests name what is wrong.
    for (query, status, needle) in [
        (
            format!("ids={a}"),
            StatusCode::BAD_REQUEST,
            "1 given".to_owned(),
        ),
        (
            format!("ids={a}&ids={a}"),
            StatusCode::BAD_REQUEST,
            "named twice".to_owned(),
        ),
        (
            format!("ids={a},not-a-uuid"),
            StatusCode::BAD_REQUEST,
            "`not-a-uuid`".to_owned(),
        ),
        (
            format!("ids={a},{hidden}"),
            StatusCode::NOT_FOUND,
            hidden.clone(),
        ),
    ] {
        let response = reqwest::get(format!("{}/v1/catalog/compare?{query}", app.address))
            .await
            .unwrap();
        assert_eq!(response.status(), status, "{query}");
        let text = response.text().await.unwrap();
        assert!(text.contains(&needle), "{query}: {text}");
    }

    // The page: cards carry a checkbox of the GET compare form; the table marks differences.
    let catalog = reqwest::get(format!("{}/models/catalog?q=cmp", app.address))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        catalog.contains(&format!("name=\"ids\" value=\"{a}\" form=\"compare-form\"")),
        "{catalog}"
    );
    assert!(
        catalog.contains("<form id=\"compare-form\" method=\"get\" action=\"/models/compare\">")
    );
    let page = reqwest::get(format!("{}/models/compare?ids={a}&ids={b}", app.address))
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let page = page.text().await.unwrap();
    assert!(page.contains("Compare 2 models"));
    assert!(
        page.contains("<tr class=\"differs\"><th scope=\"row\">Family"),
        "{page}"
    );
    assert!(page.contains("Commercial use with conditions"));
    let missing = reqwest::get(format!("{}/models/compare?ids={a},{hidden}", app.address))
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert!(missing.text().await.unwrap().contains(&hidden));

    // The CLI, by name.
    let output = std::process::Command::new(crate::cli::BIN)
        .args(["catalog", "compare", "Cmp-Qwen-7B", &b])
        .env("XERO_BASE_URL", &app.address)
        .env_remove("XERO_API_KEY")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        text.contains("Cmp-Qwen-7B") && text.contains("Cmp-Llama-8B"),
        "{text}"
    );
    assert!(
        text.lines()
            .any(|l| l.starts_with("Family") && l.contains('≠')),
        "{text}"
    );
}

#[tokio::test]
async fn a_gguf_upload_states_its_kv_shape_and_active_parameters() {
    let app = spawn_app().await;
    let id = app.register(&json!({"name": "Tiny-MoE"})).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let bytes = std::fs::read(crate::gguf_files::fixture("synthetic-qwen3moe-f16.gguf")).unwrap();
    let put = app
        .client
        .put(format!("{}/{id}/artifact", app.models_url()))
        .bearer_auth(&app.api_key)
        .body(bytes)
        .send()
        .await
        .unwrap();
    assert!(put.status().is_success(), "{}", put.text().await.unwrap());
    let model: serde_json::Value = app.get_model(&id).await.json().await.unwrap();
    let active = model["active_parameter_count"]
        .as_u64()
        .expect("filled from the expert tensors");
    assert!(active < 1_344, "2 of 4 experts are used: {active}");
    assert_eq!(app.share(&id).await.status(), StatusCode::OK);
    let html = reqwest::get(format!("{}/models/catalog/{id}", app.address))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("KV cache from the files: 1 layers × 2 KV heads × 4 per head"),
        "{html}"
    );
    assert!(
        html.contains(" = <strong>"),
        "every part is known, so is the total: {html}"
    );
    assert!(html.contains("are active per token"));
}

#[tokio::test]
async fn the_licence_intent_facet_filters_and_counts_like_every_facet() {
    let app = spawn_app().await;
    for (name, license) in [
        ("Intent-A", "apache-2.0"),
        ("Intent-B", "llama3"),
        ("Intent-C", "other:home-made"),
        ("Intent-D", "mit"),
    ] {
        shared(&app, json!({"name": name, "license": license})).await;
    }
    let get = |query: &'static str| {
        let url = format!("{}/v1/catalog/models?q=intent&{query}", app.address);
        async move { reqwest::get(url).await.unwrap() }
    };
    let answer: serde_json::Value = get("license_intent=commercial").await.json().await.unwrap();
    let names: Vec<&str> = answer["models"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap())
        .collect();
    assert_eq!(answer["total"], 2, "{answer}");
    assert!(names.contains(&"Intent-A") && names.contains(&"Intent-D"));
    // Disjunctive: the facet's own counts ignore its selection.
    let counts = answer["facets"]["license_intent"].to_string();
    assert!(
        counts.contains("commercial")
            && counts.contains("conditions")
            && counts.contains("unknown"),
        "{counts}"
    );
    let bad = get("license_intent=free").await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    assert!(bad.text().await.unwrap().contains("license_intent"));
    // The page's sidebar has the group; the CLI has the flag.
    let page = reqwest::get(format!(
        "{}/models/catalog?license_intent=research",
        app.address
    ))
    .await
    .unwrap()
    .text()
    .await
    .unwrap();
    assert!(page.contains("May we use it?"), "{page}");
    let cli = catalog_search(&app, &["intent", "--license-intent", "unknown"]);
    assert_eq!(cli["total"], 1);
    assert_eq!(cli["models"][0]["name"], "Intent-C");
}

/// `xeroctl catalog search ARGS --output json` without a key, as its JSON answer.
fn catalog_search(app: &crate::helpers::TestApp, args: &[&str]) -> serde_json::Value {
    let output = std::process::Command::new(crate::cli::BIN)
        .args(["catalog", "search"])
        .args(args)
        .args(["--output", "json"])
        .env("XERO_BASE_URL", &app.address)
        .env_remove("XERO_API_KEY")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_str(&text).unwrap()
}

/// Registers a model (`body`), uploads a synthetic GGUF to it and shares it.
pub(crate) async fn shared_with_file(
    app: &crate::helpers::TestApp,
    body: serde_json::Value,
    file: &str,
) -> String {
    let id = app.register(&body).await["id"].as_str().unwrap().to_owned();
    let bytes = std::fs::read(crate::gguf_files::fixture(file)).unwrap();
    let put = app
        .client
        .put(format!("{}/{id}/artifact", app.models_url()))
        .bearer_auth(&app.api_key)
        .body(bytes)
        .send()
        .await
        .unwrap();
    assert!(put.status().is_success(), "{}", put.text().await.unwrap());
    assert_eq!(app.share(&id).await.status(), StatusCode::OK);
    id
}

#[tokio::test]
async fn the_fit_facet_keeps_what_fits_at_a_context_and_counts_the_rest() {
    let app = spawn_app().await;
    // Two files state their attention shape (tiny weights: they fit anywhere); a declared 1B
    // in Q4_K_M without a file may fit in 8 GB (its KV cache is unknown), a 70B model in 16
    // bits may fit in 160 GB; a model without a size is unknown.
    shared_with_file(
        &app,
        json!({"name": "Fit-Llama"}),
        "synthetic-llama-f32.gguf",
    )
    .await;
    shared_with_file(
        &app,
        json!({"name": "Fit-Qwen"}),
        "synthetic-qwen3moe-f16.gguf",
    )
    .await;
    shared(
        &app,
        json!({"name": "Fit-Small", "parameter_count": "1B", "quantization": "Q4_K_M"}),
    )
    .await;
    shared(&app, json!({"name": "Fit-Big", "parameter_count": "70B"})).await;
    shared(&app, json!({"name": "Fit-Unsized"})).await;
    let get = |query: &'static str| {
        let url = format!("{}/v1/catalog/models?q=fit&{query}", app.address);
        async move { reqwest::get(url).await.unwrap() }
    };
    let answer: serde_json::Value = get("fits_memory=8GB&at_context=128K")
        .await
        .json()
        .await
        .unwrap();
    let mut names: Vec<&str> = answer["models"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap())
        .collect();
    // Those that fit first, then those whose weights fit with the KV cache unknown (issue 27).
    assert_eq!(names.pop(), Some("Fit-Small"), "{answer}");
    names.sort_unstable();
    assert_eq!(names, ["Fit-Llama", "Fit-Qwen"], "{answer}");
    assert_eq!(answer["fit"]["fits"], 2, "{answer}");
    assert_eq!(answer["fit"]["weights_only"], 1, "{answer}");
    assert_eq!(answer["total"], 3);
    let fits: Vec<&str> = answer["models"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["fit"].as_str().unwrap())
        .collect();
    assert_eq!(fits, ["yes", "yes", "weights_only"]);
    for model in answer["models"].as_array().unwrap().iter().take(2) {
        let memory = &model["memory"];
        assert!(
            memory["total_bytes"].as_u64().unwrap() < 8_000_000_000,
            "{memory}"
        );
        assert!(memory["kv_cache_bytes"].as_u64().is_some(), "{memory}");
    }
    // Disjunctive and cumulative: every budget counts what fits in it, ignoring the selection.
    let facet = answer["facets"]["memory"].as_array().unwrap();
    let budget = |key: &str| facet.iter().find(|v| v["value"] == key).unwrap().clone();
    assert_eq!(budget("8GB")["count"], 2, "{facet:?}");
    assert_eq!(budget("160GB")["count"], 2);
    assert_eq!(
        budget("8GB")["may_fit"],
        1,
        "DeepSeek's weights fit, its KV is unknown"
    );
    assert_eq!(budget("160GB")["may_fit"], 2, "the 70B model too");
    assert_eq!(budget("unknown")["count"], 1, "the model without a size");
    // A card without a KV shape states what is known and no total.
    let all: serde_json::Value = get("max_params=100B").await.json().await.unwrap();
    let big = all["models"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == "Fit-Big")
        .unwrap();
    assert_eq!(big["memory"]["weights_bytes"], 140_000_000_000u64);
    assert!(big["memory"]["total_bytes"].is_null());
    // Bad budgets and contexts are named.
    for bad in [
        "fits_memory=lots",
        "at_context=0",
        "fits_memory=-2GB",
        "fits_memory=0GB",
        "fits_memory=2x",
        "fits_memory=0x24GB",
        "fits_memory=999x24GB",
        "device=GTX%209999",
        "kv_cache=q5_1",
        "parallel=0",
        "parallel=100000",
        "fits_memory=1e30",
    ] {
        let url = format!("{}/v1/catalog/models?{bad}", app.address);
        let response = reqwest::get(url).await.unwrap();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{bad}");
        let text = response.text().await.unwrap();
        assert!(text.contains(bad.split('=').next().unwrap()), "{text}");
    }
    // The page: a "Fits in" group with a context choice, the chip, the cards' figure.
    let page = reqwest::get(format!(
        "{}/models/catalog?q=fit&fits_memory=8GB&at_context=8K",
        app.address
    ))
    .await
    .unwrap()
    .text()
    .await
    .unwrap();
    assert!(page.contains("<legend>Fits in</legend>"), "{page}");
    assert!(page.contains("name=\"at_context\""), "{page}");
    assert!(page.contains("Fits in: 8.0 GB at 8K"), "{page}");
    assert!(
        page.contains(" at 8K</span>"),
        "cards show the estimate: {page}"
    );
    assert!(!page.contains("Fit-Big"), "{page}");
    assert!(
        page.contains("8.0 GB</strong> · 2 fit · 1 weights only"),
        "{page}"
    );
    assert!(page.contains("weights only — KV cache unknown"), "{page}");
    // The CLI flags.
    let cli = catalog_search(&app, &["fit", "--fits", "8GB", "--at-context", "32K"]);
    assert_eq!(cli["total"], 3);
    assert_eq!(cli["fit"]["fits"], 2);
}
