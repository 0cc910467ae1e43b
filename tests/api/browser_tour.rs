//! The catalog as a new user meets it (issue 16), in Chromium: `serve --demo` started as the
//! README says, the printed login, then the catalog, a search, a detail page and My models at
//! desktop (1366 px) and phone (390 px) widths. Screenshots land in `target/screenshots/` for
//! a reviewer; the assertions are what a user would notice (results first on a phone, no
//! sideways scrolling, one ranked list for a search).

use fantoccini::Locator;

use crate::browser::{BROWSER, Driver, driver};
use crate::process::{free_port, start_with};

async fn screenshot(d: &Driver, name: &str) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    let png = d.client.screenshot().await.unwrap();
    std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
}

/// How far the page scrolls sideways (0: it fits the window).
async fn overflow(d: &Driver) -> i64 {
    d.client
        .execute(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth;",
            vec![],
        )
        .await
        .unwrap()
        .as_i64()
        .unwrap_or(i64::MAX)
}

async fn top_of(d: &Driver, css: &str) -> i64 {
    d.client
        .execute(
            "const e = document.querySelector(arguments[0]); return e ? Math.round(e.getBoundingClientRect().top + window.scrollY) : -1;",
            vec![serde_json::json!(css)],
        )
        .await
        .unwrap()
        .as_i64()
        .unwrap_or(-1)
}

#[tokio::test]
async fn a_new_user_logs_into_the_demo_and_finds_every_page_usable_at_desktop_and_phone_width() {
    let _turn = BROWSER.lock().await;
    let dir = tempfile::tempdir().unwrap();
    // As the README says: `serve --demo --data ./demo-data`.
    let mut server = start_with(
        &dir.path().join("demo-data"),
        free_port(),
        &dir.path().join("log"),
        &["--demo"],
    );
    server.wait_ready(&reqwest::Client::new()).await;
    let base = server.base.clone();
    let d = driver("tour", true).await;

    // The printed demo login works in the browser.
    d.client.goto(&format!("{base}/login")).await.unwrap();
    d.client
        .find(Locator::Css("input[name=username]"))
        .await
        .unwrap()
        .send_keys("demo")
        .await
        .unwrap();
    d.client
        .find(Locator::Css("input[name=password]"))
        .await
        .unwrap()
        .send_keys("demo-password")
        .await
        .unwrap();
    d.client
        .find(Locator::Css("form button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    d.wait_for("the logged-in header", || async {
        d.client.find(Locator::LinkText("My models")).await.is_ok()
    })
    .await;
    let my_models = d
        .client
        .find(Locator::LinkText("My models"))
        .await
        .unwrap()
        .attr("href")
        .await
        .unwrap()
        .unwrap();

    // A search is one ranked list: the exact name first, no family sections.
    d.client
        .goto(&format!("{base}/models/catalog?q=qwen3+8b"))
        .await
        .unwrap();
    d.wait_for("search results", || async {
        d.client.find(Locator::Css("article.card h3")).await.is_ok()
    })
    .await;
    let first = d
        .client
        .find(Locator::Css("article.card h3"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    if first != "Qwen3-8B" {
        d.fail(&format!("the first hit of `qwen3 8b` is {first}"))
            .await;
    }
    let sections = d
        .client
        .find_all(Locator::Css("section.family > header"))
        .await
        .unwrap();
    if !sections.is_empty() {
        d.fail("a keyword search is grouped by family").await;
    }
    let detail = d
        .client
        .find(Locator::Css("article.card h3 a"))
        .await
        .unwrap()
        .attr("href")
        .await
        .unwrap()
        .unwrap();

    let pages = [
        ("catalog", "/models/catalog".to_owned()),
        ("search", "/models/catalog?q=qwen+coder".to_owned()),
        ("detail", detail.clone()),
        ("my-models", my_models.clone()),
    ];
    for width in [1366u32, 390] {
        d.client.set_window_size(width, 900).await.unwrap();
        for (name, path) in &pages {
            d.client.goto(&format!("{base}{path}")).await.unwrap();
            d.wait_for("the page", || async {
                d.client.find(Locator::Css("main")).await.is_ok()
            })
            .await;
            screenshot(&d, &format!("{name}-{width}")).await;
            let sideways = overflow(&d).await;
            if sideways > 0 {
                let wide = d
                    .client
                    .execute(
                        "const w = document.documentElement.clientWidth; return [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > w + 1).slice(0, 12).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right)).join(', ');",
                        vec![],
                    )
                    .await
                    .unwrap();
                d.fail(&format!(
                    "{name} at {width} px scrolls sideways by {sideways} px: {wide}"
                ))
                .await;
            }
        }
        if width == 390 {
            // Results first: the filters wait behind their toggle.
            d.client
                .goto(&format!("{base}/models/catalog?q=qwen+coder"))
                .await
                .unwrap();
            let card = top_of(&d, "article.card").await;
            if !(0..700).contains(&card) {
                d.fail(&format!("the first result is {card} px down on a phone"))
                    .await;
            }
            d.client
                .find(Locator::Css("label[for=filter-toggle]"))
                .await
                .unwrap()
                .click()
                .await
                .unwrap();
            d.wait_for("the opened filters", || async {
                d.client
                    .find(Locator::Css("input[name=license]"))
                    .await
                    .unwrap()
                    .is_displayed()
                    .await
                    .unwrap_or(false)
            })
            .await;
        }
    }
    d.assert_clean(&base).await;
    d.client.clone().close().await.unwrap();
}
