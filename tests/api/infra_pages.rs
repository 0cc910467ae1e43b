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

    // XIM Only and no XIM node: no form; both reasons and the administrator's command.
    let text = |url: String| {
        let client = client.clone();
        async move { client.get(url).send().await.unwrap().text().await.unwrap() }
    };
    let page = text(detail_url.clone()).await;
    assert!(
        !page.contains("form class=\"deploy\""),
        "nothing would work: no form"
    );
    assert!(page.contains("cannot be deployed to"), "{page}");
    assert!(page.contains("this model is XIM Only"));
    assert!(
        page.contains(&format!(
            "agents add --kind xim --project {} --name rack-1",
            app.project_id
        )),
        "a command that works, --name included"
    );
    // A forged attempt is still refused and explained.
    let csrf = field(&page, "input[name=csrf]", "value");
    assert!(
        !csrf.is_empty(),
        "the page's forms carry the session's token"
    );
    let refused = client
        .post(format!("{detail_url}/deploy"))
        .form(&[("csrf", csrf.as_str()), ("tier", "xim")])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::SEE_OTHER);
    let back = refused.headers()["location"].to_str().unwrap().to_owned();
    let explained = text(format!("{}{back}", app.address)).await;
    assert!(explained.contains("a XIM node is required"), "{back}");

    // With a XIM node: only the XIM tier is offered; a deploy confirms with the endpoint, and
    // a second one on the same tier says it exists.
    let node = agent(&app, AgentKind::Xim, Some(&app.project_id), "rack-1").await;
    report(&app, &node, "heartbeat", &[]).await;
    let page = text(detail_url.clone()).await;
    assert!(
        page.contains("input type=\"radio\" name=\"tier\" value=\"xim\""),
        "{page}"
    );
    assert!(
        !page.contains("value=\"shared\""),
        "the shared tier would fail: not offered"
    );
    let made = client
        .post(format!("{detail_url}/deploy"))
        .form(&[("csrf", csrf.as_str()), ("tier", "xim")])
        .send()
        .await
        .unwrap();
    let location = made.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.contains("/endpoints?deployed="), "{location}");
    let confirmed = text(format!("{}{location}", app.address)).await;
    assert!(
        confirmed.contains("Deployed Page Deploy Model") && confirmed.contains("on the XIM tier"),
        "{confirmed}"
    );
    let again = client
        .post(format!("{detail_url}/deploy"))
        .form(&[("csrf", csrf.as_str()), ("tier", "xim")])
        .send()
        .await
        .unwrap();
    let back = again.headers()["location"].to_str().unwrap().to_owned();
    let said = text(format!("{}{back}", app.address)).await;
    assert!(
        said.contains("already has an endpoint on that tier"),
        "{said}"
    );
    assert!(said.contains("Already deployed in"));
    assert_eq!(
        endpoints(&app, &app.project_id, &app.api_key).await.len(),
        1
    );
    let only_xim = endpoints(&app, &app.project_id, &app.api_key).await;
    let xim_endpoint = only_xim[0]["id"].as_str().unwrap().to_owned();

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
    assert_eq!(listed.len(), 2);
    let shared = listed
        .iter()
        .find(|e| e["id"] != xim_endpoint.as_str())
        .unwrap();
    assert_eq!(
        (shared["tier"].as_str(), shared["status"].as_str()),
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
    assert_eq!(anonymous["deployment_count"], 2);

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

/// The admin page reads as a person would (issue 16 point 9): project names and human times
/// for agents, featuring by exact name, and a Feature button on the detail page itself.
#[tokio::test]
async fn administrators_feature_from_the_detail_page_and_read_names_not_ids() {
    let app = spawn_app().await;
    let id = app.register_sample("Button Feature Model").await;
    app.share(&id).await;
    let node = agent(&app, AgentKind::Xim, Some(&app.project_id), "rack-3").await;
    report(&app, &node, "heartbeat", &[]).await;
    ops::admin::create_user(&app.services, "root", PASSWORD.to_owned(), true)
        .await
        .unwrap();
    let admin = browser();
    login(&app, &admin, "root", PASSWORD).await;
    let get = |url: String| {
        let admin = admin.clone();
        async move { admin.get(url).send().await.unwrap().text().await.unwrap() }
    };
    let page = get(format!("{}/admin", app.address)).await;
    assert!(
        page.contains(">Test project</a>"),
        "the node's project by name: {page}"
    );
    assert!(
        page.contains("just now") || page.contains("min ago"),
        "a human time: {page}"
    );
    // Featuring by exact name, any case.
    let csrf = field(&page, "input[name=csrf]", "value");
    let named = admin
        .post(format!("{}/admin/feature", app.address))
        .form(&[
            ("csrf", csrf.as_str()),
            ("model", "button feature model"),
            ("action", "feature"),
        ])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(named.contains("Model featured."), "{named}");
    assert!(
        named.contains("<button class=\"secondary\" type=\"submit\">Unfeature</button>"),
        "a visible Unfeature button: {named}"
    );
    // The detail page's button unfeatures and comes back.
    let detail = get(format!("{}/models/catalog/{id}", app.address)).await;
    assert!(detail.contains("Unfeature (admin)"), "{detail}");
    let back = admin
        .post(format!("{}/admin/feature", app.address))
        .form(&[
            ("csrf", csrf.as_str()),
            ("model", id.as_str()),
            ("action", "unfeature"),
            ("back", "detail"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(back.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        back.headers()["location"].to_str().unwrap(),
        format!("/models/catalog/{id}")
    );
    let detail = get(format!("{}/models/catalog/{id}", app.address)).await;
    assert!(detail.contains("Feature this model (admin)"));
    // Members see no such button.
    user(&app, "mia").await;
    let member = browser();
    login(&app, &member, "mia", PASSWORD).await;
    let theirs = member
        .get(format!("{}/models/catalog/{id}", app.address))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!theirs.contains("(admin)"));
}
