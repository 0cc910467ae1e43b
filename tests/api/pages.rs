//! The HTML pages, parsed: catalog sections and filters without JavaScript, the detail page's
//! sanitising and escaping, the friendly 404, security headers, assets.

use reqwest::StatusCode;
use scraper::{Html, Selector};
use serde_json::json;

use crate::helpers::{TestApp, spawn_app};

async fn page(app: &TestApp, path: &str) -> (StatusCode, reqwest::header::HeaderMap, Html) {
    let response = app
        .client
        .get(format!("{}{path}", app.address))
        .send()
        .await
        .unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    (
        status,
        headers,
        Html::parse_document(&response.text().await.unwrap()),
    )
}

fn select<'a>(html: &'a Html, css: &str) -> Vec<scraper::ElementRef<'a>> {
    html.select(&Selector::parse(css).unwrap()).collect()
}

fn text(element: &scraper::ElementRef) -> String {
    element.text().collect::<String>()
}

async fn share_model(app: &TestApp, body: serde_json::Value) -> String {
    let id = app.register(&body).await["id"].as_str().unwrap().to_owned();
    app.share(&id).await;
    id
}

#[tokio::test]
async fn the_catalog_groups_cards_into_family_sections_and_filters_with_a_plain_get() {
    let app = spawn_app().await;
    share_model(&app, json!({"name": "Llama-3-8B", "architecture": "llama", "parameter_count": "8B", "context_length": "8K", "license": "llama3", "workload_type": "chat"})).await;
    share_model(&app, json!({"name": "Qwen3-30B-A3B", "architecture": "qwen3moe", "parameter_count": "30B", "context_length": "128K", "license": "apache-2.0", "workload_type": "chat,reasoning"})).await;
    share_model(&app, json!({"name": "Qwen3-Coder-480B", "architecture": "qwen3moe", "parameter_count": "480B", "license": "apache-2.0"})).await;
    app.register(&json!({"name": "Private-Model", "architecture": "llama"}))
        .await;

    let (status, headers, html) = page(&app, "/models/catalog").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let sections: Vec<String> = select(&html, "section.family h2")
        .iter()
        .map(text)
        .collect();
    assert_eq!(sections.len(), 2, "{sections:?}");
    assert!(
        sections[0].starts_with("Qwen3 MoE") && sections[0].contains("(2)"),
        "largest family first: {sections:?}"
    );
    let cards: Vec<String> = select(&html, "article.card h3").iter().map(text).collect();
    assert_eq!(cards.len(), 3);
    assert!(
        !cards.iter().any(|c| c.contains("Private")),
        "unshared models never render"
    );
    let card = select(&html, "article.card")
        .into_iter()
        .find(|c| text(c).contains("Qwen3-30B-A3B"))
        .unwrap();
    let card_text = text(&card);
    for field in [
        "30B",
        "128K",
        "Apache 2.0",
        "Qwen3 MoE",
        "MoE",
        "chat",
        "reasoning",
    ] {
        assert!(card_text.contains(field), "card lacks {field}: {card_text}");
    }
    assert!(select(&html, "img.logo").iter().all(|img| {
        img.value()
            .attr("src")
            .unwrap()
            .starts_with("/assets/logos/")
    }));
    assert!(
        select(&html, "label[for=q]").len() == 1,
        "the search box is labelled"
    );

    // Without JavaScript the form is a GET: the URL carries the state.
    let (_, _, filtered) = page(
        &app,
        "/models/catalog?q=qwen&license=apache-2.0&min_params=100B",
    )
    .await;
    let names: Vec<String> = select(&filtered, "article.card h3")
        .iter()
        .map(text)
        .collect();
    assert_eq!(names, ["Qwen3-Coder-480B"]);
    let checked: Vec<&str> = select(&filtered, "input[name=license][checked]")
        .iter()
        .map(|i| i.value().attr("value").unwrap())
        .collect();
    assert_eq!(checked, ["apache-2.0"], "the selection is kept in the form");
    // Disjunctive counts: with a license selected, every license still shows its count.
    let licenses: Vec<String> = select(&filtered, "input[name=license]")
        .iter()
        .map(|i| i.value().attr("value").unwrap().to_owned())
        .collect();
    assert!(licenses.contains(&"apache-2.0".to_owned()));

    let (status, _, bad) = page(&app, "/models/catalog?min_params=lots").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(text(&select(&bad, "[role=alert]")[0]).contains("min_params"));
    // A bad value is named (as code, not in backticks) and dropped; the other filters hold.
    let (status, _, kept) = page(&app, "/models/catalog?min_params=lots&family=llama").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let alert = text(&select(&kept, "[role=alert]")[0]);
    assert!(
        alert.contains("min_params") && !alert.contains('`'),
        "{alert}"
    );
    assert!(!select(&kept, "[role=alert] code").is_empty());
    assert_eq!(
        select(&kept, "article.card").len(),
        1,
        "the family filter still applies"
    );
    let (_, _, none) = page(&app, "/models/catalog?q=zzzzzzzz").await;
    assert!(text(&select(&none, ".empty")[0]).contains("No models match"));
    let (_, _, fragment) = page(&app, "/models/catalog?family=llama&fragment=1").await;
    assert!(
        select(&fragment, "header.top").is_empty(),
        "a fragment has no page frame"
    );
    assert_eq!(select(&fragment, "article.card").len(), 1);
}

#[tokio::test]
async fn an_empty_catalog_says_how_to_fill_it() {
    let app = spawn_app().await;
    let (_, _, html) = page(&app, "/models/catalog").await;
    assert!(text(&select(&html, ".empty")[0]).contains("--share"));
}

/// RELIABILITY T19: hostile markdown renders harmlessly on the detail page.
#[tokio::test]
async fn the_detail_page_renders_hostile_markdown_harmlessly() {
    let app = spawn_app().await;
    let description = "# Title\n\n<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n[click](javascript:alert(1)) [entity](java&#115;cript:alert(2)) [data](data:text/html,hi)\n\n<svg><script>alert(3)</script></svg><iframe src=\"http://evil\"></iframe><style>*{}</style><form action=\"http://evil\"></form><meta http-equiv=\"refresh\" content=\"0\">\n\n--><script>alert(4)</script>\n\n[fine](https://example.com)";
    let id = share_model(&app, json!({"name": "Hostile", "description": description})).await;
    let (status, _, html) = page(&app, &format!("/models/catalog/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    let markdown = &select(&html, "div.markdown")[0];
    assert!(
        select(&html, "script")
            .iter()
            .all(|s| s.value().attr("src").is_some()),
        "no inline script anywhere"
    );
    assert!(
        markdown
            .select(&Selector::parse("script, iframe, style, form, meta, svg, img").unwrap())
            .next()
            .is_none()
    );
    for element in markdown.descendants().filter_map(scraper::ElementRef::wrap) {
        for (name, value) in element.value().attrs() {
            assert!(!name.starts_with("on"), "event handler attribute {name}");
            let lower = value.to_lowercase();
            assert!(
                !lower.contains("javascript:") && !lower.starts_with("data:"),
                "{name}={value}"
            );
        }
    }
    let link = markdown
        .select(&Selector::parse("a[href^='https://example.com']").unwrap())
        .next()
        .expect("safe link kept");
    assert!(link.value().attr("rel").unwrap().contains("noopener"));
    assert_eq!(text(&select(&html, "h1")[0]).trim(), "Hostile");
}

/// RELIABILITY T20: every non-markdown field is escaped, in text and in attributes and the title.
#[tokio::test]
async fn user_fields_are_escaped_everywhere() {
    let app = spawn_app().await;
    let payload = "<b onmouseover=alert(1)>x</b>\"'</script>";
    let id = share_model(&app, json!({"name": payload, "version": payload, "license": "<i>lic</i>", "quantization": "<b onmouseover=x>q"})).await;
    for path in [
        format!("/models/catalog/{id}"),
        "/models/catalog".to_owned(),
        format!("/models/catalog?q={}", "%3Cb%3E"),
    ] {
        let response = app
            .client
            .get(format!("{}{path}", app.address))
            .send()
            .await
            .unwrap();
        let body = response.text().await.unwrap();
        assert!(
            !body.contains("<b onmouseover"),
            "{path} rendered markup from a user field"
        );
        assert!(!body.contains("<i>lic</i>"));
        let html = Html::parse_document(&body);
        assert!(select(&html, "b[onmouseover]").is_empty() && select(&html, "i").is_empty());
    }
    let (_, _, html) = page(&app, &format!("/models/catalog/{id}")).await;
    assert!(
        text(&select(&html, "title")[0]).contains("<b onmouseover"),
        "shown as text in the title"
    );
}

#[tokio::test]
async fn unknown_unshared_and_slug_ids_get_a_friendly_404_page() {
    let app = spawn_app().await;
    let private = app.register_sample("private").await;
    for id in [
        "mdl_abc123".to_owned(),
        uuid::Uuid::new_v4().to_string(),
        private,
    ] {
        let (status, headers, html) = page(&app, &format!("/models/catalog/{id}")).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{id}");
        assert!(
            headers["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
        let message = text(&select(&html, ".empty")[0]);
        assert!(
            message.contains("UUID") && message.contains("mdl_"),
            "{message}"
        );
    }
}

#[tokio::test]
async fn anonymous_visitors_see_log_in_to_deploy_and_no_infrastructure_badges() {
    let app = spawn_app().await;
    let id = share_model(&app, json!({"name": "Visible"})).await;
    let (_, _, html) = page(&app, &format!("/models/catalog/{id}")).await;
    assert_eq!(text(&select(&html, ".deploy a")[0]), "Log in to deploy");
    assert!(select(&html, ".badge-xim_only, .badge-not_deployed, .badge-shared").is_empty());
    let (_, _, catalog) = page(&app, "/models/catalog").await;
    assert!(
        select(
            &catalog,
            ".badge-xim_only, .badge-not_deployed, .badge-shared"
        )
        .is_empty()
    );
}

/// RELIABILITY T21: security headers on every kind of response, assets included.
#[tokio::test]
async fn security_headers_are_on_every_response() {
    let app = spawn_app().await;
    let (_, _, html) = page(&app, "/models/catalog").await;
    let css = select(&html, "link[rel=stylesheet]")[0]
        .value()
        .attr("href")
        .unwrap()
        .to_owned();
    let script = select(&html, "script[src]")[0]
        .value()
        .attr("src")
        .unwrap()
        .to_owned();
    for path in [
        "/models/catalog",
        "/models/catalog/nope",
        "/v1/catalog/models",
        "/v1/catalog/models?per_page=0",
        "/healthz",
        "/nowhere",
        css.as_str(),
        script.as_str(),
        "/assets/logos/qwen.svg",
    ] {
        let response = app
            .client
            .get(format!("{}{path}", app.address))
            .send()
            .await
            .unwrap();
        let headers = response.headers();
        let csp = headers
            .get("content-security-policy")
            .unwrap_or_else(|| panic!("no CSP on {path}"))
            .to_str()
            .unwrap();
        for directive in [
            "object-src 'none'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
        ] {
            assert!(csp.contains(directive), "{path}: {csp}");
        }
        assert!(!csp.contains("unsafe-inline"), "{path}");
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        assert!(headers.contains_key("referrer-policy"), "{path}");
    }
    let response = app
        .client
        .get(format!("{}{css}", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.headers()["content-type"],
        "text/css; charset=utf-8"
    );
    assert!(
        response.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("immutable"),
        "fingerprinted assets cache for long"
    );
    let etag = response.headers()["etag"].clone();
    let again = app
        .client
        .get(format!("{}{css}", app.address))
        .header("if-none-match", etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(
        app.client
            .get(format!("{}{script}", app.address))
            .send()
            .await
            .unwrap()
            .headers()["content-type"],
        "text/javascript; charset=utf-8"
    );
}

/// RELIABILITY T39: a description nested past the cap renders flat, keeps its text, and only the
/// owning project is told it was simplified.
#[tokio::test]
async fn a_deeply_nested_description_renders_flat_and_only_its_owner_is_told() {
    use crate::sessions::{PASSWORD, browser, login, user};
    let app = spawn_app().await;
    let id = share_model(
        &app,
        json!({"name": "Deep Quote", "description": format!("{}the words survive", ">".repeat(60_000))}),
    )
    .await;
    let path = format!("/models/catalog/{id}");
    let (status, _, anonymous) = page(&app, &path).await;
    assert_eq!(status, StatusCode::OK);
    let text = anonymous.root_element().text().collect::<String>();
    assert!(text.contains("the words survive"));
    assert!(!text.contains("shown flattened"), "strangers are not told");
    let quotes = anonymous
        .select(&Selector::parse(".markdown blockquote").unwrap())
        .count();
    assert_eq!(quotes, xeroctl::markdown::MAX_DEPTH);
    user(&app, "owner-of-deep").await;
    let client = browser();
    login(&app, &client, "owner-of-deep", PASSWORD).await;
    let owner_view = client
        .get(format!("{}{path}", app.address))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        owner_view.contains("shown flattened or as text"),
        "the project's member is told"
    );
}

/// Anonymous catalog pages are kept between index commits (`page_cache`): a share is on the
/// next visit, and a member never gets the anonymous copy.
#[tokio::test]
async fn a_kept_catalog_page_follows_the_next_share() {
    let app = spawn_app().await;
    let page = || async {
        reqwest::get(format!("{}/models/catalog?q=keptpage", app.address))
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    };
    let first = app
        .register(&serde_json::json!({"name": "Keptpage-One"}))
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.share(&first).await;
    let before = page().await;
    assert!(before.contains("Keptpage-One") && before == page().await);
    let second = app
        .register(&serde_json::json!({"name": "Keptpage-Two"}))
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.share(&second).await;
    let after = page().await;
    assert!(
        after.contains("Keptpage-Two"),
        "the share is on the next visit"
    );
    crate::sessions::user(&app, "kim").await;
    let member = crate::sessions::browser();
    crate::sessions::login(&app, &member, "kim", crate::sessions::PASSWORD).await;
    let theirs = member
        .get(format!("{}/models/catalog?q=keptpage", app.address))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        theirs.contains("badge-xim_only"),
        "a member's page has their badges"
    );
}

/// Variants (issue 16 point 3): the quantizations and formats of one model are one card with a
/// chip each on the page, the detail page lists them, and the JSON API and the counts still
/// count every model.
#[tokio::test]
async fn variants_of_one_model_are_one_card_with_chips() {
    let app = spawn_app().await;
    for (name, quantization, format) in [
        ("Foldmodel-7B", None, Some("safetensors")),
        ("Foldmodel-7B-GGUF", Some("Q4_K_M"), Some("gguf")),
        ("Foldmodel-7B-AWQ", Some("AWQ-Int4"), Some("safetensors")),
        ("Foldmodel-7B-Base", None, None),
    ] {
        let id = app
            .register(
                &json!({"name": name, "parameter_count": "7B", "architecture": "llama",
                              "quantization": quantization, "format": format}),
            )
            .await["id"]
            .as_str()
            .unwrap()
            .to_owned();
        app.share(&id).await;
    }
    let page = reqwest::get(format!("{}/models/catalog?q=foldmodel", app.address))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let html = Html::parse_document(&page);
    let cards: Vec<String> = html
        .select(&Selector::parse("article.card h3").unwrap())
        .map(|e| e.text().collect())
        .collect();
    assert_eq!(cards.len(), 2, "one card per base model: {cards:?}");
    assert!(
        cards.contains(&"Foldmodel-7B-Base".to_owned()),
        "Base is a model of its own"
    );
    let chips: Vec<String> = html
        .select(&Selector::parse("ul.variant-chips li a").unwrap())
        .map(|e| e.text().collect())
        .collect();
    assert_eq!(chips.len(), 2, "{chips:?}");
    assert!(
        chips.iter().any(|c| c.starts_with("Q4_K_M · ")),
        "{chips:?}"
    );
    assert!(page.contains("4 models"), "the count is of models");
    // The grouped landing folds them too.
    let landing = reqwest::get(format!("{}/models/catalog", app.address))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(
        Html::parse_document(&landing)
            .select(&Selector::parse("article.card").unwrap())
            .count(),
        2
    );
    // JSON lists every model.
    let answer: serde_json::Value =
        reqwest::get(format!("{}/v1/catalog/models?q=foldmodel", app.address))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
    assert_eq!(answer["total"], 4);
    assert_eq!(answer["models"].as_array().unwrap().len(), 4);
    // The detail page lists the other variants.
    let lead = answer["models"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == "Foldmodel-7B")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let detail = reqwest::get(format!("{}/models/catalog/{lead}", app.address))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(detail.contains("Variants of Foldmodel-7B"), "{detail}");
    assert!(detail.contains("Foldmodel-7B-GGUF") && detail.contains("Foldmodel-7B-AWQ"));
    assert!(!detail.contains(">Foldmodel-7B-Base<"));
}
