//! The deploy form on the detail page, the project's endpoints page and `/admin`.

use reqwest::StatusCode;
use serde_json::Value;
use xeroctl::catalog::infra::AgentKind;
use xeroctl::ops;

use crate::helpers::spawn_app;
use crate::infra::{agent, card, endpoints, report};
use crate::sessions::{PASSWORD, browser, field, login, user};

#[tokio::test]
async fn a_member_deploys_from_the_detail_page_and_sees_the_endpoint() {
    let app = spawn_app().await;
    let id = app.register_sample("Page Deploy Model").await;
    app.share(&id).await;
    user(&app, "dora").await;
    let client = browser();
    login(&app, &client, "dora", PASSWORD).await;
    let detail_url = format!("{}/models/catalog/{id}", app.address);

    // Deployable only: the form offers the XIM tier, and without a node the refusal is explained.
    let page = client
        .get(&detail_url)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = field(&page, "form.deploy input[name=csrf]", "value");
    assert!(!csrf.is_empty(), "a deploy form for a logged-in member");
    assert!(page.contains("XIM Only"));
    let refused = client
        .post(format!("{detail_url}/deploy"))
        .form(&[("csrf", csrf.as_str()), ("tier", "xim")])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::SEE_OTHER);
    let back = refused.headers()["location"].to_str().unwrap().to_owned();
    let explained = client
        .get(format!("{}{back}", app.address))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(explained.contains("a XIM node is required"), "{back}");

    // On a shared agent: the shared tier deploys, and the endpoints page lists it as active.
    let token = agent(&app, AgentKind::Shared, None, "pool").await;
    report(&app, &token, "heartbeat", &[&id]).await;
    let forged = client
        .post(format!("{detail_url}/deploy"))
        .form(&[("csrf", "wrong"), ("tier", "shared")])
        .send()
        .await
        .unwrap();
    assert_eq!(
        forged.status(),
        StatusCode::FORBIDDEN,
        "CSRF token required"
    );
    let created = client
        .post(format!("{detail_url}/deploy"))
        .form(&[("csrf", csrf.as_str()), ("tier", "shared")])
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::SEE_OTHER);
    let listed = endpoints(&app, &app.project_id, &app.api_key).await;
    assert_eq!(listed.len(), 1);
    assert_eq!(
        (listed[0]["tier"].as_str(), listed[0]["status"].as_str()),
        (Some("shared"), Some("active"))
    );
    let page = client
        .get(format!(
            "{}/projects/{}/endpoints",
            app.address, app.project_id
        ))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Page Deploy Model") && page.contains("Active") && page.contains("XIM nodes")
    );
    let anonymous = card(&app, "Page Deploy Model", None).await.unwrap();
    assert_eq!(anonymous["deployment_count"], 1);

    // Anonymous visitors get "Log in to deploy" and no form.
    let public = reqwest::get(&detail_url)
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(public.contains("Log in to deploy") && !public.contains("form class=\"deploy\""));
}

#[tokio::test]
async fn admin_page_is_for_administrators_and_features_models() {
    let app = spawn_app().await;
    let id = app.register_sample("Feature Me").await;
    app.share(&id).await;
    user(&app, "member").await;
    let member = browser();
    login(&app, &member, "member", PASSWORD).await;
    let denied = member
        .get(format!("{}/admin", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(
        denied.status(),
        StatusCode::NOT_FOUND,
        "not an administrator"
    );

    ops::admin::create_user(&app.services, "root", PASSWORD.to_owned(), true)
        .await
        .unwrap();
    let admin = browser();
    login(&app, &admin, "root", PASSWORD).await;
    let page = admin
        .get(format!("{}/admin", app.address))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = field(&page, "input[name=csrf]", "value");
    let featured = admin
        .post(format!("{}/admin/feature", app.address))
        .form(&[
            ("csrf", csrf.as_str()),
            ("model", id.as_str()),
            ("action", "feature"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(featured.status(), StatusCode::OK);
    let anonymous = card(&app, "Feature Me", None).await.unwrap();
    assert_eq!(anonymous["badges"], serde_json::json!(["featured"]));
    let filtered: Value = reqwest::get(format!("{}/v1/catalog/models?featured=true", app.address))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(filtered["total"], 1);

    let added = admin
        .post(format!("{}/admin/agents", app.address))
        .form(&[
            ("csrf", csrf.as_str()),
            ("name", "gpu-1"),
            ("kind", "shared"),
            ("project", ""),
        ])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let token = added
        .split("<code class=\"key\">")
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .unwrap_or_default()
        .to_owned();
    assert!(token.starts_with("xagt_"), "the new token is shown once");
    let answer = report(&app, &token, "heartbeat", &[&id]).await;
    assert_eq!(answer["kind"], "shared");
    let page = admin
        .get(format!("{}/admin", app.address))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("gpu-1") && page.contains("Active") && !page.contains(&token));
}
