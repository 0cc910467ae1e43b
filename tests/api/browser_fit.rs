//! Issue 27 in a real browser, with JavaScript on (live updates) and off (GET forms): the fit
//! sidebar lists what fits then what fits by weights only, a device is chosen from the picker
//! and remembered for the detail page, and the model tree links a base to its derivatives.

use fantoccini::Locator;
use serde_json::json;

use crate::browser::{BROWSER, Driver, driver};
use crate::helpers::{TestApp, spawn_app};

/// Qwen3-8B's shape comes from the table (it fits 24 GB whole); a 7B of unknown shape fits
/// by weights only; a 70B in 16 bits fits nowhere near. The quantization names its base.
async fn fixture(app: &TestApp) -> (String, String) {
    let mut ids = Vec::new();
    for body in [
        json!({"name": "Qwen3-8B", "parameter_count": "8.2B", "context_length": "40K", "description": "Base."}),
        json!({"name": "Mystery-7B", "parameter_count": "7B", "quantization": "Q4_K_M", "description": "Unknown shape."}),
        json!({"name": "Huge-70B", "parameter_count": "70B", "description": "Big."}),
    ] {
        let id = app.register(&body).await["id"].as_str().unwrap().to_owned();
        app.share(&id).await;
        ids.push(id);
    }
    let quant = app
        .register(&json!({"name": "Qwen3-8B-GGUF", "parameter_count": "8.2B", "quantization": "Q4_K_M", "base_model": ids[0], "description": "Quantized."}))
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.share(&quant).await;
    (ids[0].clone(), quant)
}

async fn click(d: &Driver, css: &str) {
    match d.client.find(Locator::Css(css)).await {
        Ok(element) => element.click().await.unwrap(),
        Err(_) => d.fail(&format!("no {css}")).await,
    }
}

async fn body_text(d: &Driver) -> String {
    d.client
        .find(Locator::Css("body"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

async fn choose_hardware(javascript: bool) {
    let name = if javascript { "fit_js" } else { "fit_no_js" };
    let app = spawn_app().await;
    let (base, quant) = fixture(&app).await;
    let d = driver(name, javascript).await;
    d.client
        .goto(&format!("{}/models/catalog?sort=name", app.address))
        .await
        .unwrap();
    // The quantization folds into its base's card (lineage, and the name rule agrees).
    d.wait_for("three cards", || async { d.card_names().await.len() == 3 })
        .await;

    // A device from the picker: those that fit first, then the weights-only one, labelled.
    click(&d, "select[name=device] option[value='rtx-4090']").await;
    if !javascript {
        click(&d, "button.apply").await;
    }
    d.wait_for("device=rtx-4090 in the URL", || async {
        d.url().await.contains("device=rtx-4090")
    })
    .await;
    d.wait_for("what fits, then what fits by weights", || async {
        in_order(&d).await == ["Qwen3-8B", "Mystery-7B"]
    })
    .await;
    let summary = d
        .client
        .find(Locator::Css("[data-testid=fit-summary]"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    if summary != "RTX 4090 (24.0 GB) · 2 fit · 1 weights only" {
        d.fail(&format!("the sidebar says {summary:?}")).await;
    }
    if !body_text(&d)
        .await
        .contains("weights only — KV cache unknown")
    {
        d.fail("the weights-only card is not labelled").await;
    }

    // The device is remembered: the detail page draws the estimate against it.
    d.client
        .goto(&format!("{}/models/catalog/{base}", app.address))
        .await
        .unwrap();
    let text = body_text(&d).await;
    if !text.contains("Fits RTX 4090 (24.0 GB).") || !text.contains("attention shape of Qwen3-8B") {
        d.fail(&format!("the detail page: {text}")).await;
    }
    if d.client
        .find(Locator::Css("svg.memory-bar rect[data-part='KV cache']"))
        .await
        .is_err()
    {
        d.fail("no KV cache part in the bar").await;
    }
    // The knobs: a q8_0 cache at 128K (the form is a plain GET form in both modes).
    click(&d, "form.knobs select[name=kv_cache] option[value='q8_0']").await;
    click(&d, "form.knobs button[type=submit]").await;
    d.wait_for("kv_cache=q8_0 in the URL", || async {
        d.url().await.contains("kv_cache=q8_0")
    })
    .await;
    if !body_text(&d).await.contains("(q8_0)") {
        d.fail("the estimate does not say its cache type").await;
    }

    // The model tree: the base counts its quantization and links to it.
    click(&d, "section.lineage ul.derived a").await;
    d.wait_for("derived_from in the URL", || async {
        d.url().await.contains(&format!("derived_from={base}"))
    })
    .await;
    d.wait_for("the quantization alone", || async {
        d.card_names().await == ["Qwen3-8B-GGUF"]
    })
    .await;
    d.client
        .goto(&format!("{}/models/catalog/{quant}", app.address))
        .await
        .unwrap();
    if !body_text(&d).await.contains("Quantized from Qwen3-8B") {
        d.fail("the quantization does not name its base").await;
    }
    d.assert_clean(&app.address).await;
    d.client.clone().close().await.unwrap();
}

/// The cards' names in page order.
async fn in_order(d: &Driver) -> Vec<String> {
    let mut names = Vec::new();
    if let Ok(cards) = d.client.find_all(Locator::Css("article.card h3")).await {
        for card in cards {
            names.push(card.text().await.unwrap_or_default());
        }
    }
    names
}

#[tokio::test]
async fn fit_sidebar_device_and_model_tree_work_with_javascript() {
    let _turn = BROWSER.lock().await;
    choose_hardware(true).await;
}

#[tokio::test]
async fn fit_sidebar_device_and_model_tree_work_without_javascript() {
    let _turn = BROWSER.lock().await;
    choose_hardware(false).await;
}
