//! Choosing a model in a real browser (issue 14 point 6): the fit filter, the licence filter
//! and the compare flow, each with JavaScript on (live updates) and off (plain links and GET
//! forms).

use fantoccini::Locator;
use serde_json::json;

use crate::browser::{BROWSER, Driver, driver};
use crate::helpers::{TestApp, spawn_app};

/// Two models whose files state their attention shape (they fit in 8 GB), and two whose
/// KV cache is unknown; three licence intents.
async fn fixture(app: &TestApp) {
    for (name, file, license) in [
        ("Pick-Llama", "synthetic-llama-f32.gguf", "apache-2.0"),
        ("Pick-Qwen", "synthetic-qwen3moe-f16.gguf", "llama3"),
    ] {
        crate::choosing::shared_with_file(
            app,
            json!({"name": name, "license": license, "description": "A pick."}),
            file,
        )
        .await;
    }
    for (name, license) in [("Pick-Mistral", "cc-by-nc-4.0"), ("Pick-Phi", "mit")] {
        let id = app
            .register(&json!({"name": name, "license": license, "parameter_count": "7B", "description": "A pick."}))
            .await["id"]
            .as_str()
            .unwrap()
            .to_owned();
        app.share(&id).await;
    }
}

/// Submits the sidebar form: with JavaScript the change already applied, without it the
/// "Apply filters" button sends the GET form.
async fn apply(d: &Driver, javascript: bool) {
    if !javascript {
        d.client
            .find(Locator::Css("button.apply"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
    }
}

async fn choose(javascript: bool) {
    let name = if javascript {
        "choosing_js"
    } else {
        "choosing_no_js"
    };
    let app = spawn_app().await;
    fixture(&app).await;
    let d = driver(name, javascript).await;
    let catalog = format!("{}/models/catalog?q=pick", app.address);
    d.client.goto(&catalog).await.unwrap();
    d.wait_for("four cards", || async { d.card_names().await.len() == 4 })
        .await;

    // Fit: the 8 GB budget keeps the two models whose whole estimate is known.
    d.client
        .find(Locator::Css("fieldset.fit a[href*='fits_memory=8GB']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    d.wait_for("the two models that fit in 8 GB", || async {
        d.card_names().await == ["Pick-Llama", "Pick-Qwen"]
    })
    .await;
    if !d.url().await.contains("fits_memory=8GB") {
        d.fail("the budget is not in the URL").await;
    }
    let chip = d
        .client
        .find(Locator::Css("span.chips a.chip"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    if !chip.starts_with("Fits in: 8.0 GB at 32K") {
        d.fail(&format!("chip says {chip:?}")).await;
    }
    // A context choice: the two still fit at 128K (tiny files), and the URL says so.
    d.client
        .find(Locator::Css("select[name=at_context] option[value='128K']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    apply(&d, javascript).await;
    d.wait_for("at_context in the URL", || async {
        d.url().await.contains("at_context=128K")
    })
    .await;
    d.wait_for("the same two at 128K", || async {
        d.card_names().await == ["Pick-Llama", "Pick-Qwen"]
    })
    .await;

    // Licence intent: commercial use allowed keeps Llama (Apache 2.0) of the two.
    d.client
        .find(Locator::Css("input[name=license_intent][value=commercial]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    apply(&d, javascript).await;
    d.wait_for("the commercial one that fits", || async {
        d.card_names().await == ["Pick-Llama"]
    })
    .await;
    if !d.url().await.contains("license_intent=commercial") {
        d.fail("the licence filter is not in the URL").await;
    }

    // Compare: tick two cards on a fresh search and send the compare form.
    d.client.goto(&catalog).await.unwrap();
    d.wait_for("four cards again", || async {
        d.card_names().await.len() == 4
    })
    .await;
    for pick in ["Pick-Llama", "Pick-Mistral"] {
        let article = d
            .client
            .find(Locator::XPath(&format!(
                "//article[contains(@class,'card')][.//h3[normalize-space()='{pick}']]"
            )))
            .await
            .unwrap();
        article
            .find(Locator::Css("input[name=ids]"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
    }
    d.client
        .find(Locator::Css("button.compare-selected"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    d.wait_for("the compare page", || async {
        d.url().await.contains("/models/compare?ids=")
    })
    .await;
    let table = d
        .client
        .find(Locator::Css("table.compare"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for expected in [
        "Pick-Llama",
        "Pick-Mistral",
        "Commercial use allowed",
        "Non-commercial only",
        "KV cache unknown",
    ] {
        if !table.contains(expected) {
            d.fail(&format!("compare table lacks {expected:?}: {table}"))
                .await;
        }
    }
    let differing = d
        .client
        .find_all(Locator::Css("table.compare tr.differs"))
        .await
        .unwrap()
        .len();
    if differing == 0 {
        d.fail("no row is marked as differing").await;
    }
    d.assert_clean(&app.address).await;
    d.client.clone().close().await.unwrap();
}

#[tokio::test]
async fn fit_licence_and_compare_work_with_javascript() {
    let _turn = BROWSER.lock().await;
    choose(true).await;
}

#[tokio::test]
async fn fit_licence_and_compare_work_without_javascript() {
    let _turn = BROWSER.lock().await;
    choose(false).await;
}
