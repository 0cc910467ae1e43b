//! Real-browser tests: Debian's chromium driven through chromedriver (fantoccini), both started
//! here on loopback. They cover what needs JavaScript (live search, filter clicks, the URL
//! following) and the same filtering with JavaScript off. A failing step saves a screenshot under
//! `target/screenshots/`.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

use crate::helpers::{TestApp, spawn_app};

/// One browser at a time: two chromiums on two cores make every step slow.
pub(crate) static BROWSER: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

pub(crate) struct Driver {
    process: Child,
    pub(crate) client: Client,
    name: &'static str,
    port: u16,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

pub(crate) async fn driver(name: &'static str, javascript: bool) -> Driver {
    // Two TLS backends are in the dependency tree; the driver connection is plain HTTP anyway.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let binary = ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"].into_iter().find(|p| std::path::Path::new(p).exists()).expect("chromedriver is missing: install the chromium and chromium-driver packages (scripts/test.sh does)");
    let process = Command::new(binary)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver starts");
    let profile = tempfile::tempdir().unwrap().keep();
    let mut prefs = json!({});
    if !javascript {
        prefs = json!({"profile.managed_default_content_settings.javascript": 2});
    }
    let capabilities = json!({
        "goog:chromeOptions": {
            "binary": "/usr/bin/chromium",
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--window-size=1280,1000", format!("--user-data-dir={}", profile.display())],
            "prefs": prefs,
        },
        "goog:loggingPrefs": {"browser": "ALL"},
    });
    let capabilities = capabilities.as_object().unwrap().clone();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        match ClientBuilder::rustls()
            .expect("tls")
            .capabilities(capabilities.clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
        {
            Ok(client) => {
                return Driver {
                    process,
                    client,
                    name,
                    port,
                };
            }
            Err(e) if Instant::now() > deadline => panic!("chromedriver did not answer: {e}"),
            Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
}

impl Driver {
    /// Saves a screenshot, then panics with the message.
    pub(crate) async fn fail(&self, message: &str) -> ! {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
        let _ = std::fs::create_dir_all(&dir);
        if let Ok(png) = self.client.screenshot().await {
            let _ = std::fs::write(dir.join(format!("{}.png", self.name)), png);
        }
        panic!("{}: {message}", self.name);
    }

    /// Waits until the condition holds (polling the page), or fails with a screenshot.
    pub(crate) async fn wait_for<F, Fut>(&self, what: &str, mut condition: F)
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = bool>,
    {
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if condition().await {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        self.fail(&format!("timed out waiting for {what}")).await;
    }

    pub(crate) async fn card_names(&self) -> Vec<String> {
        let mut names = Vec::new();
        if let Ok(cards) = self.client.find_all(Locator::Css("article.card h3")).await {
            for card in cards {
                names.push(card.text().await.unwrap_or_default());
            }
        }
        names.sort();
        names
    }

    /// Fails when the page logged a console error or loaded anything from another host.
    pub(crate) async fn assert_clean(&self, origin: &str) {
        let session = self
            .client
            .session_id()
            .await
            .ok()
            .flatten()
            .unwrap_or_default();
        let logs: serde_json::Value = reqwest::Client::new()
            .post(format!(
                "http://127.0.0.1:{}/session/{session}/se/log",
                self.port
            ))
            .json(&json!({"type": "browser"}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap_or_default();
        let Some(entries) = logs["value"].as_array() else {
            self.fail(&format!("cannot read the browser log: {logs}"))
                .await;
        };
        let errors: Vec<&serde_json::Value> =
            entries.iter().filter(|e| e["level"] == "SEVERE").collect();
        if !errors.is_empty() {
            self.fail(&format!("console errors: {errors:?}")).await;
        }
        let resources = self
            .client
            .execute(
                "return performance.getEntriesByType('resource').map(e => e.name);",
                vec![],
            )
            .await
            .unwrap();
        for url in resources.as_array().cloned().unwrap_or_default() {
            let url = url.as_str().unwrap_or_default().to_owned();
            if !url.starts_with(origin) {
                self.fail(&format!("request to another host: {url}")).await;
            }
        }
    }

    pub(crate) async fn url(&self) -> String {
        self.client
            .current_url()
            .await
            .map(|u| u.to_string())
            .unwrap_or_default()
    }
}

async fn catalog_fixture(app: &TestApp) {
    for (name, arch, license) in [
        ("Llama-3-8B-Instruct", "llama", "llama3"),
        ("Llama-3-70B", "llama", "llama3"),
        ("Qwen3-30B-A3B", "qwen3moe", "apache-2.0"),
        ("Mistral-7B", "mistral", "apache-2.0"),
    ] {
        let id = app.register(&json!({"name": name, "architecture": arch, "license": license, "description": "A model."})).await["id"].as_str().unwrap().to_owned();
        app.share(&id).await;
    }
}

#[tokio::test]
async fn live_search_and_filters_update_results_and_the_url() {
    let _turn = BROWSER.lock().await;
    let app = spawn_app().await;
    catalog_fixture(&app).await;
    let d = driver("live_search", true).await;
    d.client
        .goto(&format!("{}/models/catalog", app.address))
        .await
        .unwrap();
    d.wait_for("four cards in family sections", || async {
        d.card_names().await.len() == 4
    })
    .await;
    let sections = d
        .client
        .find_all(Locator::Css("section.family"))
        .await
        .unwrap();
    if sections.len() != 3 {
        d.fail(&format!(
            "expected 3 family sections, saw {}",
            sections.len()
        ))
        .await;
    }

    // Typing updates the results and the URL without a page load.
    let marker: String = d
        .client
        .execute("window.__marker = 42; return 'set';", vec![])
        .await
        .unwrap()
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert_eq!(marker, "set");
    d.client
        .find(Locator::Id("q"))
        .await
        .unwrap()
        .send_keys("llama")
        .await
        .unwrap();
    d.wait_for("two llama cards", || async {
        d.card_names().await == ["Llama-3-70B", "Llama-3-8B-Instruct"]
    })
    .await;
    d.wait_for("q=llama in the URL", || async {
        d.url().await.contains("q=llama")
    })
    .await;
    let still: serde_json::Value = d
        .client
        .execute("return window.__marker;", vec![])
        .await
        .unwrap();
    if still != json!(42) {
        d.fail("typing reloaded the page").await;
    }

    // Clicking a filter changes the results and the URL.
    d.client
        .find(Locator::Id("q"))
        .await
        .unwrap()
        .clear()
        .await
        .unwrap();
    d.client
        .execute(
            "document.getElementById('q').dispatchEvent(new Event('input', {bubbles: true}));",
            vec![],
        )
        .await
        .unwrap();
    d.wait_for("all cards back", || async {
        d.card_names().await.len() == 4
    })
    .await;
    d.client
        .find(Locator::Css("input[name=license][value='apache-2.0']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    d.wait_for("two apache cards", || async {
        d.card_names().await == ["Mistral-7B", "Qwen3-30B-A3B"]
    })
    .await;
    d.wait_for("license in the URL", || async {
        d.url().await.contains("license=apache-2.0")
    })
    .await;

    // The URL is the state: loading it directly shows the same results.
    let url = d.url().await;
    d.client.goto(&url).await.unwrap();
    d.wait_for("same results after reload", || async {
        d.card_names().await == ["Mistral-7B", "Qwen3-30B-A3B"]
    })
    .await;
    d.client.clone().close().await.unwrap();
}

#[tokio::test]
async fn filtering_works_with_javascript_off() {
    let _turn = BROWSER.lock().await;
    let app = spawn_app().await;
    catalog_fixture(&app).await;
    let d = driver("no_javascript", false).await;
    d.client
        .goto(&format!("{}/models/catalog", app.address))
        .await
        .unwrap();
    d.wait_for("four cards", || async { d.card_names().await.len() == 4 })
        .await;
    d.client
        .find(Locator::Css("input[name=family][value=llama]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    d.client
        .find(Locator::Css("button.apply"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    d.wait_for("two llama cards after submitting", || async {
        d.card_names().await == ["Llama-3-70B", "Llama-3-8B-Instruct"]
    })
    .await;
    if !d.url().await.contains("family=llama") {
        d.fail("the submitted form is not in the URL").await;
    }
    d.client.clone().close().await.unwrap();
}

#[tokio::test]
async fn hostile_descriptions_run_no_script_in_the_browser() {
    let _turn = BROWSER.lock().await;
    let app = spawn_app().await;
    let description = "<script>window.__pwned = 1</script>\n\n<img src=x onerror=\"window.__pwned = 2\">\n\n[click me](javascript:window.__pwned=3)";
    let id = app
        .register(&json!({"name": "Hostile", "description": description}))
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.share(&id).await;
    let d = driver("hostile_detail", true).await;
    d.client
        .goto(&format!("{}/models/catalog/{id}", app.address))
        .await
        .unwrap();
    d.wait_for("the page", || async {
        d.client.find(Locator::Css("div.markdown")).await.is_ok()
    })
    .await;
    if let Ok(link) = d.client.find(Locator::LinkText("click me")).await {
        let _ = link.click().await;
    }
    let pwned: serde_json::Value = d
        .client
        .execute(
            "return window.__pwned === undefined ? null : window.__pwned;",
            vec![],
        )
        .await
        .unwrap();
    if !pwned.is_null() {
        d.fail(&format!("script ran: {pwned}")).await;
    }
    let deploy = d
        .client
        .find(Locator::Css(".deploy a"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(deploy, "Log in to deploy");
    d.client.clone().close().await.unwrap();
}

#[tokio::test]
async fn a_member_logs_in_switches_project_shares_a_model_and_finds_it_in_the_catalog() {
    let _turn = BROWSER.lock().await;
    let app = spawn_app().await;
    let second = app.other_project("second-lab").await;
    let services = &app.services;
    xeroctl::ops::admin::create_user(services, "grace", "correct horse battery".to_owned(), false)
        .await
        .unwrap();
    for project in [&app.project_id, &second.project_id] {
        xeroctl::ops::admin::add_member(
            services,
            &xeroctl::catalog::ids::ProjectId::parse(project).unwrap(),
            "grace",
            false,
        )
        .await
        .unwrap();
    }
    let url = format!("{}/{}/v1/models", app.address, second.project_id);
    app.send_with_key(
        reqwest::Method::POST,
        &url,
        Some(&json!({"name": "Heron-9B", "architecture": "gemma2"})),
        Some(&second.api_key),
    )
    .await;

    let d = driver("login_share", true).await;
    d.client
        .goto(&format!("{}/login", app.address))
        .await
        .unwrap();
    d.client
        .find(Locator::Id("username"))
        .await
        .unwrap()
        .send_keys("grace")
        .await
        .unwrap();
    d.client
        .find(Locator::Id("password"))
        .await
        .unwrap()
        .send_keys("correct horse battery")
        .await
        .unwrap();
    d.client
        .find(Locator::Css("form[action='/login'] button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    d.wait_for("the user in the header", || async {
        d.client.find(Locator::Css(".account .user")).await.is_ok()
    })
    .await;

    // Switch to the second project with the header switcher.
    let select = d.client.find(Locator::Id("project-switch")).await.unwrap();
    select.select_by_value(&second.project_id).await.unwrap();
    d.client
        .find(Locator::Css("form.switcher button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    d.wait_for("the second project's models page", || async {
        d.url().await.contains(&second.project_id)
    })
    .await;
    d.wait_for("the share button", || async {
        d.client
            .find(Locator::Css("td.actions button"))
            .await
            .is_ok()
    })
    .await;
    d.client
        .find(Locator::Css("td.actions button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    d.wait_for("the model marked shared", || async {
        d.client
            .source()
            .await
            .unwrap_or_default()
            .contains("Unshare")
    })
    .await;

    d.client
        .goto(&format!("{}/models/catalog", app.address))
        .await
        .unwrap();
    d.client
        .find(Locator::Id("q"))
        .await
        .unwrap()
        .send_keys("heron")
        .await
        .unwrap();
    d.wait_for("the shared model in the catalog", || async {
        d.card_names().await == ["Heron-9B"]
    })
    .await;
    let source = d.client.source().await.unwrap();
    if !source.contains("badge-xim_only") {
        d.fail("logged-in users see the XIM Only badge").await;
    }
    d.assert_clean(&app.address).await;
    d.client.clone().close().await.unwrap();

    // An anonymous visitor sees no infrastructure badge and is asked to log in to deploy.
    let anonymous = driver("anonymous_view", true).await;
    anonymous
        .client
        .goto(&format!("{}/models/catalog?q=heron", app.address))
        .await
        .unwrap();
    anonymous
        .wait_for("the card", || async {
            anonymous.card_names().await == ["Heron-9B"]
        })
        .await;
    if anonymous
        .client
        .source()
        .await
        .unwrap()
        .contains("badge-xim_only")
    {
        anonymous
            .fail("anonymous visitors must not see infrastructure badges")
            .await;
    }
    anonymous
        .client
        .find(Locator::LinkText("Heron-9B"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    anonymous
        .wait_for("Log in to deploy", || async {
            match anonymous.client.find(Locator::Css(".deploy a")).await {
                Ok(link) => link.text().await.unwrap_or_default() == "Log in to deploy",
                Err(_) => false,
            }
        })
        .await;
    anonymous.client.clone().close().await.unwrap();
}
