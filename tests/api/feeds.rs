//! Atom feeds of catalog searches and saved searches (issue 15), read with the real `feedparser`
//! (installed into the test virtual environment by scripts/test.sh).

use std::process::Command;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::spawn_app;
use crate::hub::venv;
use crate::sessions::{PASSWORD, browser, field, login, user};

fn read_feed(url: &str) -> Value {
    let python = venv().join("bin/python");
    assert!(
        python.exists(),
        "{} is missing: run `bash scripts/test.sh`",
        python.display()
    );
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/feeds/parse_feed.py");
    let output = Command::new(python).arg(script).arg(url).output().unwrap();
    assert!(
        output.status.success(),
        "feedparser: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

async fn feed(url: String) -> Value {
    tokio::task::spawn_blocking(move || read_feed(&url))
        .await
        .unwrap()
}

fn titles(feed: &Value) -> Vec<String> {
    feed["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["title"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_search_feed_follows_shares_and_unshares() {
    let app = spawn_app().await;
    let register = |name: &str, license: &str| {
        json!({"name": name, "architecture": "qwen2", "parameter_count": "7B",
               "context_length": "32K", "license": license, "description": "A **coder** model."})
    };
    let coder = app
        .register(&register("Feedy-Coder-7B", "apache-2.0"))
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let other = app.register(&register("Feedy-Chat-7B", "mit")).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let url = format!(
        "{}/models/catalog.atom?q=feedy&license=apache-2.0",
        app.address
    );
    assert!(
        titles(&feed(url.clone()).await).is_empty(),
        "nothing is shared yet"
    );

    assert_eq!(app.share(&coder).await.status(), StatusCode::OK);
    assert_eq!(app.share(&other).await.status(), StatusCode::OK);
    let read = feed(url.clone()).await;
    assert_eq!(
        titles(&read),
        ["Feedy-Coder-7B"],
        "the filter holds: {read}"
    );
    let entry = &read["entries"][0];
    assert_eq!(
        entry["link"].as_str().unwrap(),
        format!("{}/models/catalog/{coder}", app.address)
    );
    let summary = entry["summary"].as_str().unwrap();
    assert!(
        summary.contains("Apache"),
        "licence in the summary: {summary}"
    );
    assert!(
        summary.contains("7B parameters"),
        "size in the summary: {summary}"
    );
    assert!(
        entry["categories"]
            .as_array()
            .unwrap()
            .contains(&json!("apache-2.0"))
    );
    assert!(read["title"].as_str().unwrap().contains("q=feedy"));

    // Without filters: both, newest share first.
    let all = feed(format!("{}/models/catalog.atom?q=feedy", app.address)).await;
    assert_eq!(titles(&all), ["Feedy-Chat-7B", "Feedy-Coder-7B"]);

    assert_eq!(app.unshare(&coder).await.status(), StatusCode::OK);
    assert!(
        titles(&feed(url).await).is_empty(),
        "an unshared model leaves the feed"
    );

    let bad = reqwest::get(format!(
        "{}/models/catalog.atom?min_params=lots",
        app.address
    ))
    .await
    .unwrap();
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    assert!(bad.text().await.unwrap().contains("min_params"));
}

#[tokio::test]
async fn a_user_saves_lists_and_deletes_searches_each_with_its_feed() {
    let app = spawn_app().await;
    user(&app, "saver").await;
    user(&app, "other").await;
    let client = browser();
    assert_eq!(
        login(&app, &client, "saver", PASSWORD).await.status(),
        StatusCode::SEE_OTHER
    );

    // The catalog page links the feed of the search it shows and offers to save it.
    let page = client
        .get(format!(
            "{}/models/catalog?q=qwen+coder&license=apache-2.0&page=1",
            app.address
        ))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let feed_link = field(&page, "a.feed", "href");
    assert_eq!(
        feed_link,
        "/models/catalog.atom?q=qwen+coder&license=apache-2.0"
    );
    let csrf = field(&page, "input[form=save-search][name=csrf]", "value");
    let query = field(&page, "input[form=save-search][name=query]", "value");
    assert_eq!(query, "q=qwen+coder&license=apache-2.0");

    let saved = client
        .post(format!("{}/searches", app.address))
        .form(&[
            ("csrf", csrf.as_str()),
            ("name", "Open coders"),
            ("query", query.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let list = client
        .get(format!("{}/searches", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(list.headers()["cache-control"], "no-store");
    let list = list.text().await.unwrap();
    assert!(list.contains("Open coders"), "{list}");
    assert!(list.contains("href=\"/models/catalog.atom?q=qwen+coder&amp;license=apache-2.0\""));
    assert!(list.contains("href=\"/models/catalog?q=qwen+coder&amp;license=apache-2.0\""));
    let feed_read = feed(format!("{}{feed_link}", app.address)).await;
    assert!(feed_read["entries"].as_array().unwrap().is_empty());

    // A bad name or search is a clear 400, and saves nothing.
    for (name, query) in [("", "q=x"), ("Broken", "min_params=lots")] {
        let refused = client
            .post(format!("{}/searches", app.address))
            .form(&[("csrf", csrf.as_str()), ("name", name), ("query", query)])
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
        assert!(!refused.text().await.unwrap().contains("Broken</a>"));
    }

    // Another user sees none of it and cannot delete it.
    let delete_path = {
        let doc = scraper::Html::parse_document(&list);
        let selector = scraper::Selector::parse("form[action^='/searches/']").unwrap();
        doc.select(&selector)
            .next()
            .unwrap()
            .value()
            .attr("action")
            .unwrap()
            .to_owned()
    };
    let intruder = browser();
    login(&app, &intruder, "other", PASSWORD).await;
    let theirs = intruder
        .get(format!("{}/searches", app.address))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!theirs.contains("Open coders"));
    let intruder_csrf = field(&theirs, "input[name=csrf]", "value");
    let denied = intruder
        .post(format!("{}{delete_path}", app.address))
        .form(&[("csrf", intruder_csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(denied.status(), StatusCode::NOT_FOUND);

    // Without the session's CSRF token nothing is deleted; with it, the search goes.
    let forged = client
        .post(format!("{}{delete_path}", app.address))
        .form(&[("csrf", "forged")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    let deleted = client
        .post(format!("{}{delete_path}", app.address))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), StatusCode::SEE_OTHER);
    let list = client
        .get(format!("{}/searches", app.address))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!list.contains("Open coders"));

    // Anonymous visitors are sent to log in.
    let anonymous = browser()
        .get(format!("{}/searches", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), StatusCode::SEE_OTHER);
}

/// Hardening 3, fault 2 (RELIABILITY T49): noncharacters are refused on input naming the
/// field, and whatever text is stored (here written past the API, as an older install could
/// have), every feed stays well-formed XML for a strict parser.
#[tokio::test]
async fn text_xml_forbids_is_refused_and_never_breaks_a_feed() {
    let app = spawn_app().await;
    for (field, value) in [
        ("description", json!("fine\u{FFFE}text")),
        ("name", json!("Bad\u{FFFF}Name")),
        ("license", json!("mit\u{FDD0}")),
    ] {
        let mut body = crate::helpers::sample_model("Refused-Noncharacter-7B");
        body[field] = value;
        let response = app
            .send(reqwest::Method::POST, &app.models_url(), Some(&body))
            .await;
        let message =
            crate::helpers::assert_error(response, StatusCode::BAD_REQUEST, "invalid_request")
                .await;
        assert!(message.contains(field), "{field}: {message}");
    }
    let id = app.register_sample("Feedsafe-Chat-7B").await;
    assert_eq!(app.share(&id).await.status(), StatusCode::OK);
    {
        let db = rusqlite::Connection::open(app.data_dir.path().join("xero.db")).unwrap();
        db.execute(
            "UPDATE models SET description = 'stored \u{FFFF} and \u{1} here', name = 'Feedsafe\u{FFFE}-Chat-7B' WHERE id = ?1",
            [&id],
        )
        .unwrap();
        db.execute(
            "INSERT INTO catalog_outbox (model_id, enqueued_at) VALUES (?1, '2026-01-01T00:00:00Z')",
            [&id],
        )
        .unwrap();
    }
    xeroctl::ops::indexing::index_sync::sync_index(&app.services)
        .await
        .unwrap();
    let read = feed(format!("{}/models/catalog.atom?q=feedsafe", app.address)).await;
    assert_eq!(titles(&read), ["Feedsafe-Chat-7B"], "{read}");
}

/// Hardening 3, fault 3 (RELIABILITY T50): `Host`, `X-Forwarded-Host`, `Forwarded` and
/// `X-Forwarded-Proto` from an untrusted peer do not reach links; `--public-url` is the base of
/// every absolute link; a trusted proxy's forwarded host counts, its `javascript` scheme not.
#[tokio::test]
async fn absolute_links_follow_the_public_url_or_a_trusted_proxy_only() {
    let get = |url: String, headers: &'static [(&'static str, &'static str)]| async move {
        let client = reqwest::Client::new();
        let mut request = client.get(url);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        request.send().await.unwrap()
    };
    let links_of = |body: &str| -> Vec<String> {
        body.split("href=\"")
            .skip(1)
            .filter_map(|rest| rest.split('"').next())
            .map(str::to_owned)
            .collect()
    };
    static HOSTILE: [(&str, &str); 4] = [
        ("host", "evil.example"),
        ("x-forwarded-host", "evil.example"),
        ("forwarded", "host=evil.example;proto=javascript"),
        ("x-forwarded-proto", "javascript"),
    ];

    // Untrusted peer, no --public-url: the listening address.
    let app = spawn_app().await;
    let id = app.register_sample("Linked-Chat-7B").await;
    app.share(&id).await;
    let response = get(format!("{}/models/catalog.atom", app.address), &HOSTILE).await;
    assert!(response.headers().contains_key("cache-control"));
    let body = response.text().await.unwrap();
    assert!(
        !body.contains("evil.example") && !body.contains("javascript"),
        "{body}"
    );
    assert!(
        links_of(&body).iter().all(|l| l.starts_with(&app.address)),
        "{body}"
    );
    let page = get(format!("{}/models/catalog/{id}", app.address), &HOSTILE)
        .await
        .text()
        .await
        .unwrap();
    assert!(
        !page.contains("evil.example"),
        "the detail page names the hostile host"
    );

    // --public-url wins over everything.
    let public = crate::helpers::spawn_app_with(|settings| {
        settings.public_url = Some("https://models.example.com".into());
        settings.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
    })
    .await;
    let id = public.register_sample("Linked-Chat-7B").await;
    public.share(&id).await;
    let body = get(format!("{}/models/catalog.atom", public.address), &HOSTILE)
        .await
        .text()
        .await
        .unwrap();
    let links = links_of(&body);
    assert!(!links.is_empty());
    assert!(
        links
            .iter()
            .all(|l| l.starts_with("https://models.example.com/")),
        "{links:?}"
    );

    // A trusted proxy's host counts; a scheme that is not http(s) does not.
    let proxied = crate::helpers::spawn_app_with(|settings| {
        settings.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
    })
    .await;
    let id = proxied.register_sample("Linked-Chat-7B").await;
    proxied.share(&id).await;
    static PROXY: [(&str, &str); 2] = [
        ("x-forwarded-host", "models.internal:8443"),
        ("x-forwarded-proto", "javascript"),
    ];
    let body = get(format!("{}/models/catalog.atom", proxied.address), &PROXY)
        .await
        .text()
        .await
        .unwrap();
    let links = links_of(&body);
    assert!(
        links
            .iter()
            .all(|l| l.starts_with("http://models.internal:8443/")),
        "{links:?}"
    );
}
