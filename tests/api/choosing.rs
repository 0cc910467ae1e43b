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
