//! Agents, catalog roles, endpoints and badges (issue 5), over HTTP against the real server.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use xeroctl::catalog::ids::{ModelId, ProjectId};
use xeroctl::catalog::infra::AgentKind;
use xeroctl::ops::{self, AdminActor};

use crate::helpers::{TestApp, assert_error, sample_model, spawn_app, spawn_app_with_ttl};

/// Registers an agent through the admin use case and returns its token.
pub async fn agent(app: &TestApp, kind: AgentKind, project: Option<&str>, name: &str) -> String {
    let project = project.map(|p| ProjectId::parse(p).unwrap());
    ops::infra::agents::add_agent(&app.services, &AdminActor::local(), kind, project, name)
        .await
        .expect("agent added")
        .token
}

/// Sends an agent report (`heartbeat`, `load` or `evict`) and returns the answer.
pub async fn report(app: &TestApp, token: &str, kind: &str, models: &[&str]) -> Value {
    let response = app
        .send_with_key(
            Method::POST,
            &format!("{}/agents/v1/{kind}", app.address),
            Some(&json!({ "models": models })),
            Some(token),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK, "{kind} refused");
    response.json().await.unwrap()
}

pub async fn deploy(
    app: &TestApp,
    project: &str,
    key: &str,
    model: &str,
    tier: Option<&str>,
) -> reqwest::Response {
    let mut body = json!({ "model_id": model });
    if let Some(tier) = tier {
        body["tier"] = json!(tier);
    }
    app.send_with_key(
        Method::POST,
        &format!("{}/{project}/v1/endpoints", app.address),
        Some(&body),
        Some(key),
    )
    .await
}

pub async fn endpoints(app: &TestApp, project: &str, key: &str) -> Vec<Value> {
    let list: Value = app
        .send_with_key(
            Method::GET,
            &format!("{}/{project}/v1/endpoints", app.address),
            None,
            Some(key),
        )
        .await
        .json()
        .await
        .unwrap();
    list["endpoints"].as_array().unwrap().clone()
}

/// The model's card in a keyword search, as a logged-in caller (with a key) or anonymously.
pub async fn card(app: &TestApp, name: &str, key: Option<&str>) -> Option<Value> {
    let url = format!(
        "{}/v1/catalog/models?q={}",
        app.address,
        name.replace(' ', "+")
    );
    let found: Value = app
        .send_with_key(Method::GET, &url, None, key)
        .await
        .json()
        .await
        .unwrap();
    found["models"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == name)
        .cloned()
}

fn badges(card: &Value) -> Vec<String> {
    card["badges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b.as_str().unwrap().to_owned())
        .collect()
}

async fn role_and_badges(app: &TestApp, name: &str) -> (Value, Vec<String>) {
    let card = card(app, name, Some(&app.api_key))
        .await
        .expect("in the catalog");
    (card["catalog_role"].clone(), badges(&card))
}

#[tokio::test]
async fn the_role_follows_agents_through_share_load_evict_and_staleness() {
    let app = spawn_app_with_ttl(Duration::from_millis(1500)).await;
    let name = "Timeline Llama";
    let id = app.register(&sample_model(name)).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let shared: Value = app.share(&id).await.json().await.unwrap();
    assert_eq!(shared["catalog_role"], "deployable");
    assert_eq!(
        role_and_badges(&app, name).await,
        (
            json!("deployable"),
            vec!["xim_only".to_owned(), "not_deployed".to_owned()]
        )
    );
    let anonymous = card(&app, name, None).await.unwrap();
    assert!(anonymous.get("catalog_role").is_none() && badges(&anonymous).is_empty());

    let token = agent(&app, AgentKind::Shared, None, "gpu-pool").await;
    let answer = report(&app, &token, "heartbeat", &[&id]).await;
    assert_eq!(answer["loaded"], json!([id]));
    assert_eq!(
        role_and_badges(&app, name).await,
        (json!("shared"), vec!["shared".to_owned()])
    );
    let model: Value = app.get_model(&id).await.json().await.unwrap();
    assert_eq!(model["catalog_role"], "shared");

    let created = deploy(&app, &app.project_id, &app.api_key, &id, Some("shared")).await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let endpoint: Value = created.json().await.unwrap();
    assert_eq!(
        (endpoint["tier"].as_str(), endpoint["status"].as_str()),
        (Some("shared"), Some("active"))
    );

    report(&app, &token, "evict", &[&id]).await;
    let (role, seen) = role_and_badges(&app, name).await;
    assert_eq!(role, "deployable");
    assert!(seen.contains(&"xim_only".to_owned()) && !seen.contains(&"shared".to_owned()));
    assert!(
        seen.contains(&"not_deployed".to_owned()),
        "its only endpoint is unavailable"
    );
    let listed = endpoints(&app, &app.project_id, &app.api_key).await;
    assert_eq!(listed[0]["status"], "unavailable");
    let refused = deploy(&app, &app.project_id, &app.api_key, &id, Some("shared")).await;
    let message = assert_error(refused, StatusCode::CONFLICT, "shared_tier_unavailable").await;
    assert!(message.contains("XIM node"), "{message}");
    let no_node = deploy(&app, &app.project_id, &app.api_key, &id, Some("xim")).await;
    let message = assert_error(no_node, StatusCode::CONFLICT, "xim_node_required").await;
    assert!(message.contains("XIM node is required"), "{message}");

    report(&app, &token, "load", &[&id]).await;
    assert_eq!(role_and_badges(&app, name).await.0, "shared");
    assert_eq!(
        endpoints(&app, &app.project_id, &app.api_key).await[0]["status"],
        "active"
    );
    // No more heartbeats: past the TTL the sweep turns the model back to deployable.
    let mut role = Value::Null;
    for _ in 0..60 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        role = role_and_badges(&app, name).await.0;
        if role == "deployable" {
            break;
        }
    }
    assert_eq!(role, "deployable", "a stale agent stops counting");
    assert_eq!(
        endpoints(&app, &app.project_id, &app.api_key).await[0]["status"],
        "unavailable"
    );
    // A heartbeat brings it back at once.
    report(&app, &token, "heartbeat", &[&id]).await;
    assert_eq!(role_and_badges(&app, name).await.0, "shared");
}

#[tokio::test]
async fn ten_deployments_make_a_model_popular_and_unsharing_leaves_them_alone() {
    let app = spawn_app().await;
    let name = "Crowd Favourite";
    let id = app.register(&sample_model(name)).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.share(&id).await;
    let token = agent(&app, AgentKind::Shared, None, "pool").await;
    report(&app, &token, "heartbeat", &[&id]).await;
    let mut teams = Vec::new();
    for n in 0..10 {
        let team = app.other_project(&format!("team-{n}")).await;
        let created = deploy(&app, &team.project_id, &team.api_key, &id, None).await;
        assert_eq!(created.status(), StatusCode::CREATED, "team {n}");
        let view: Value = created.json().await.unwrap();
        assert_eq!(
            view["tier"], "shared",
            "the default tier for a shared model"
        );
        let anonymous = card(&app, name, None).await.unwrap();
        assert_eq!(anonymous["deployment_count"], n + 1);
        assert_eq!(
            badges(&anonymous).contains(&"popular".to_owned()),
            n + 1 >= 10,
            "after {}",
            n + 1
        );
        teams.push(team);
    }
    for (filter, total) in [("popular=true", 1), ("popular=false", 0)] {
        let found: Value = reqwest::get(format!(
            "{}/v1/catalog/models?q=crowd&{filter}",
            app.address
        ))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
        assert_eq!(found["total"], total, "{filter}");
    }
    let browse: Value = reqwest::get(format!("{}/v1/catalog/models?popular=true", app.address))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(browse["total"], 1, "the keyword-less path filters the same");
    let before: Vec<Vec<Value>> = futures_all(&app, &teams).await;
    let unshared: Value = app.unshare(&id).await.json().await.unwrap();
    assert_eq!(unshared["catalog_role"], Value::Null);
    assert!(card(&app, name, None).await.is_none());
    assert_eq!(
        futures_all(&app, &teams).await,
        before,
        "all ten endpoints as they were"
    );
    assert!(
        before
            .iter()
            .all(|e| e.len() == 1 && e[0]["status"] == "active")
    );
}

async fn futures_all(app: &TestApp, teams: &[crate::helpers::OtherProject]) -> Vec<Vec<Value>> {
    let mut all = Vec::new();
    for team in teams {
        all.push(endpoints(app, &team.project_id, &team.api_key).await);
    }
    all
}

/// The badge rules of SPEC §3, written out again from the table as the test's oracle.
fn expected_badges(c: Combo, logged_in: bool) -> Vec<&'static str> {
    let role = match (c.shared, c.on_shared_agent) {
        (false, _) => None,
        (true, true) => Some("shared"),
        (true, false) => Some("deployable"),
    };
    let anchor = c.xim_endpoint && c.on_xim_node;
    let shared_badge = role == Some("shared") || (role == Some("deployable") && anchor);
    let mut out = Vec::new();
    if c.featured {
        out.push("featured");
    }
    if c.ten {
        out.push("popular");
    }
    if logged_in {
        if shared_badge {
            out.push("shared");
        }
        if role == Some("deployable") && !shared_badge {
            out.push("xim_only");
        }
        // The padding endpoints are on a removed node, so only the xim endpoint can be active.
        let loaded = c.on_shared_agent || c.on_xim_node;
        if role.is_some() && !loaded && !c.xim_endpoint {
            out.push("not_deployed");
        }
    }
    out
}

#[derive(Debug, Clone, Copy)]
struct Combo {
    shared: bool,
    on_shared_agent: bool,
    xim_endpoint: bool,
    on_xim_node: bool,
    ten: bool,
    featured: bool,
}

#[tokio::test]
async fn every_badge_over_every_combination_for_both_viewers() {
    // 64 combinations take over a minute on a busy machine: with the default 60 s TTL the
    // agents' single heartbeat would go stale mid-test. Staleness is tested elsewhere.
    let app = spawn_app_with_ttl(std::time::Duration::from_secs(3600)).await;
    let pool = agent(&app, AgentKind::Shared, None, "pool").await;
    let home = app.other_project("home").await;
    let node = agent(&app, AgentKind::Xim, Some(&home.project_id), "home-node").await;
    let padding = app.other_project("padding").await;
    let padding_node = agent(
        &app,
        AgentKind::Xim,
        Some(&padding.project_id),
        "padding-node",
    )
    .await;
    report(&app, &padding_node, "heartbeat", &[]).await;
    report(&app, &node, "heartbeat", &[]).await;

    let combos: Vec<Combo> = (0u32..64)
        .map(|bits| Combo {
            shared: bits & 1 != 0,
            on_shared_agent: bits & 2 != 0,
            xim_endpoint: bits & 4 != 0,
            on_xim_node: bits & 8 != 0,
            ten: bits & 16 != 0,
            featured: bits & 32 != 0,
        })
        .collect();
    let mut ids = Vec::new();
    for (i, c) in combos.iter().enumerate() {
        let id = app.register(&sample_model(&format!("Combo {i:02}"))).await["id"]
            .as_str()
            .unwrap()
            .to_owned();
        // Every model is shared while it is deployed; unsharing comes last and leaves endpoints.
        app.share(&id).await;
        if c.xim_endpoint {
            let created = deploy(&app, &home.project_id, &home.api_key, &id, Some("xim")).await;
            assert_eq!(created.status(), StatusCode::CREATED);
        }
        let pad = if c.ten { 10 } else { 9 } - usize::from(c.xim_endpoint);
        let deploys = (0..pad).map(|_| {
            deploy(
                &app,
                &padding.project_id,
                &padding.api_key,
                &id,
                Some("xim"),
            )
        });
        for created in futures_util::future::join_all(deploys).await {
            assert_eq!(created.status(), StatusCode::CREATED);
        }
        if c.featured {
            ops::models::feature::set_featured(
                &app.services,
                &AdminActor::local(),
                ModelId::parse(&id).unwrap(),
                true,
            )
            .await
            .unwrap();
        }
        ids.push(id);
    }
    let pick = |f: fn(&Combo) -> bool| -> Vec<&str> {
        combos
            .iter()
            .zip(&ids)
            .filter(|(c, _)| f(c))
            .map(|(_, id)| id.as_str())
            .collect()
    };
    report(&app, &pool, "heartbeat", &pick(|c| c.on_shared_agent)).await;
    report(&app, &node, "heartbeat", &pick(|c| c.on_xim_node)).await;
    // The padding endpoints stay counted but go unavailable with their node.
    let padding_id = xeroctl::auth::agent_tokens::parse_presented(&padding_node)
        .unwrap()
        .0;
    ops::infra::agents::remove_agent(&app.services, &AdminActor::local(), padding_id)
        .await
        .unwrap();
    for id in pick(|c| !c.shared) {
        app.unshare(id).await;
    }

    let mut mismatches = Vec::new();
    for (i, (c, id)) in combos.iter().zip(&ids).enumerate() {
        let name = format!("Combo {i:02}");
        for (logged_in, key) in [(false, None), (true, Some(app.api_key.as_str()))] {
            let detail = app
                .send_with_key(
                    Method::GET,
                    &format!("{}/v1/catalog/models/{id}", app.address),
                    None,
                    key,
                )
                .await;
            if !c.shared {
                assert_eq!(
                    detail.status(),
                    StatusCode::NOT_FOUND,
                    "{name}: unshared is not in the catalog"
                );
                assert!(card(&app, &name, key).await.is_none());
                continue;
            }
            let detail: Value = detail.json().await.unwrap();
            let found = card(&app, &name, key).await.expect("card");
            let want = expected_badges(*c, logged_in);
            for (surface, got) in [("card", badges(&found)), ("detail", badges(&detail))] {
                if got != want {
                    mismatches.push(format!(
                        "{name} {c:?} logged_in={logged_in} {surface}: {got:?} != {want:?}"
                    ));
                }
            }
            assert_eq!(detail["deployment_count"], if c.ten { 10 } else { 9 });
            assert_eq!(found.get("catalog_role").is_some(), logged_in);
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} mismatches:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
    // The HTML detail page shows the same public badges as the JSON.
    let featured_popular = combos
        .iter()
        .position(|c| c.shared && c.ten && c.featured)
        .unwrap();
    let page = app
        .client
        .get(format!(
            "{}/models/catalog/{}",
            app.address, ids[featured_popular]
        ))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains(">Featured<") && page.contains(">Popular<"),
        "badges on the page"
    );
    assert!(!page.contains(">XIM Only<") && !page.contains(">Not Deployed<"));
}

#[tokio::test]
async fn agent_tokens_and_api_keys_are_not_interchangeable() {
    let app = spawn_app().await;
    let id = app.register_sample("Guarded").await;
    app.share(&id).await;
    let token = agent(&app, AgentKind::Shared, None, "pool").await;
    let xim = agent(&app, AgentKind::Xim, Some(&app.project_id), "node").await;
    let read_key = app.key_for(xeroctl::auth::KeyScope::Read).await;
    let other = app.other_project("stranger").await;
    let forged = format!("xagt_{}", "A".repeat(43));
    let agent_routes = ["heartbeat", "load", "evict"];
    // (credential, expected status on agent routes, code)
    let agent_table: Vec<(&str, Option<&str>, StatusCode, &str)> = vec![
        (
            "anonymous",
            None,
            StatusCode::UNAUTHORIZED,
            "missing_agent_token",
        ),
        (
            "write key",
            Some(&app.api_key),
            StatusCode::UNAUTHORIZED,
            "invalid_agent_token",
        ),
        (
            "read key",
            Some(&read_key),
            StatusCode::UNAUTHORIZED,
            "invalid_agent_token",
        ),
        (
            "forged token",
            Some(&forged),
            StatusCode::UNAUTHORIZED,
            "invalid_agent_token",
        ),
        ("shared agent", Some(&token), StatusCode::OK, ""),
        ("xim node", Some(&xim), StatusCode::OK, ""),
    ];
    for route in agent_routes {
        for (who, credential, status, code) in &agent_table {
            let response = app
                .send_with_key(
                    Method::POST,
                    &format!("{}/agents/v1/{route}", app.address),
                    Some(&json!({"models": [id]})),
                    *credential,
                )
                .await;
            if status.is_success() {
                assert_eq!(response.status(), *status, "{who} {route}");
            } else {
                assert_error(response, *status, code).await;
            }
        }
    }
    // The loop ended on `evict`: load the model again so a shared-tier deploy can succeed.
    report(&app, &token, "heartbeat", &[&id]).await;
    let endpoints_url = format!("{}/{}/v1/endpoints", app.address, app.project_id);
    let missing = uuid::Uuid::new_v4();
    // (credential, list, create, delete)
    let project_table: Vec<(&str, Option<&str>, StatusCode, StatusCode, StatusCode)> = vec![
        (
            "anonymous",
            None,
            StatusCode::UNAUTHORIZED,
            StatusCode::UNAUTHORIZED,
            StatusCode::UNAUTHORIZED,
        ),
        (
            "shared agent",
            Some(&token),
            StatusCode::UNAUTHORIZED,
            StatusCode::UNAUTHORIZED,
            StatusCode::UNAUTHORIZED,
        ),
        (
            "xim node",
            Some(&xim),
            StatusCode::UNAUTHORIZED,
            StatusCode::UNAUTHORIZED,
            StatusCode::UNAUTHORIZED,
        ),
        (
            "other project",
            Some(&other.api_key),
            StatusCode::FORBIDDEN,
            StatusCode::FORBIDDEN,
            StatusCode::FORBIDDEN,
        ),
        (
            "read key",
            Some(&read_key),
            StatusCode::OK,
            StatusCode::FORBIDDEN,
            StatusCode::FORBIDDEN,
        ),
        (
            "write key",
            Some(&app.api_key),
            StatusCode::OK,
            StatusCode::CREATED,
            StatusCode::NOT_FOUND,
        ),
    ];
    for (who, credential, list, create, delete) in project_table {
        let listed = app
            .send_with_key(Method::GET, &endpoints_url, None, credential)
            .await;
        assert_eq!(listed.status(), list, "{who} list");
        let created = app
            .send_with_key(
                Method::POST,
                &endpoints_url,
                Some(&json!({"model_id": id, "tier": "shared"})),
                credential,
            )
            .await;
        assert_eq!(created.status(), create, "{who} create");
        let deleted = app
            .send_with_key(
                Method::DELETE,
                &format!("{endpoints_url}/{missing}"),
                None,
                credential,
            )
            .await;
        assert_eq!(deleted.status(), delete, "{who} delete");
    }
    let agent_on_models = app
        .send_with_key(Method::GET, &app.models_url(), None, Some(&token))
        .await;
    let message = assert_error(agent_on_models, StatusCode::UNAUTHORIZED, "invalid_api_key").await;
    assert!(message.contains("agent token"), "{message}");
    assert_eq!(
        endpoints(&app, &app.project_id, &app.api_key).await.len(),
        1,
        "only the write key deployed"
    );
}

#[tokio::test]
async fn unknown_ids_in_a_report_are_listed_back_and_the_rest_applies() {
    let app = spawn_app().await;
    let id = app.register_sample("Known").await;
    let token = agent(&app, AgentKind::Shared, None, "pool").await;
    let ghost = uuid::Uuid::new_v4().to_string();
    let answer = report(
        &app,
        &token,
        "heartbeat",
        &[&id, &ghost, "mdl_abc123", "not-a-uuid"],
    )
    .await;
    assert_eq!(answer["loaded"], json!([id]));
    let ignored: Vec<&str> = answer["ignored"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(ignored.len(), 3, "{ignored:?}");
    assert!(ignored.contains(&ghost.as_str()) && ignored.contains(&"mdl_abc123"));
    let bad_body = app
        .send_with_key(
            Method::POST,
            &format!("{}/agents/v1/heartbeat", app.address),
            Some(&json!({"models": "x"})),
            Some(&token),
        )
        .await;
    assert_error(bad_body, StatusCode::BAD_REQUEST, "invalid_request").await;
}

#[tokio::test]
async fn xim_deploys_use_the_projects_node_and_an_anchor_makes_the_model_shared() {
    let app = spawn_app().await;
    let name = "Anchored Model";
    let id = app.register(&sample_model(name)).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.share(&id).await;
    let node = agent(&app, AgentKind::Xim, Some(&app.project_id), "rack-7").await;
    report(&app, &node, "heartbeat", &[]).await;
    let created = deploy(&app, &app.project_id, &app.api_key, &id, None).await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let endpoint: Value = created.json().await.unwrap();
    assert_eq!(
        endpoint["tier"], "xim",
        "the default tier for a deployable model"
    );
    assert!(endpoint["node_id"].as_str().unwrap().starts_with("agt_"));
    assert_eq!(
        role_and_badges(&app, name).await,
        (json!("deployable"), vec!["xim_only".to_owned()])
    );
    report(&app, &node, "load", &[&id]).await;
    assert_eq!(
        role_and_badges(&app, name).await,
        (json!("deployable"), vec!["shared".to_owned()])
    );
    let delete = app
        .send(
            Method::DELETE,
            &format!(
                "{}/{}/v1/endpoints/{}",
                app.address,
                app.project_id,
                endpoint["id"].as_str().unwrap()
            ),
            None,
        )
        .await;
    assert_eq!(delete.status(), StatusCode::NO_CONTENT);
    let anonymous = card(&app, name, None).await.unwrap();
    assert_eq!(anonymous["deployment_count"], 0);
    assert_eq!(
        role_and_badges(&app, name).await.1,
        vec!["xim_only".to_owned()],
        "loaded on the node, no anchor"
    );
}

#[tokio::test]
async fn concurrent_deploys_and_role_changes_end_consistent() {
    let app = spawn_app().await;
    let name = "Contended Model";
    let id = app.register(&sample_model(name)).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.share(&id).await;
    let token = agent(&app, AgentKind::Shared, None, "pool").await;
    report(&app, &token, "heartbeat", &[&id]).await;
    let deploys = (0..60).map(|_| deploy(&app, &app.project_id, &app.api_key, &id, Some("shared")));
    let body = json!({"models": [id]});
    let urls: Vec<String> = (0..60)
        .map(|i| {
            let kind = if i % 2 == 0 { "evict" } else { "load" };
            format!("{}/agents/v1/{kind}", app.address)
        })
        .collect();
    let toggles = urls
        .iter()
        .map(|url| app.send_with_key(Method::POST, url, Some(&body), Some(&token)));
    let (deployed, toggled) = tokio::join!(
        futures_util::future::join_all(deploys),
        futures_util::future::join_all(toggles)
    );
    assert!(toggled.iter().all(|r| r.status() == StatusCode::OK));
    let mut created = 0;
    for response in deployed {
        match response.status() {
            StatusCode::CREATED => created += 1,
            StatusCode::CONFLICT => {}
            other => panic!("unexpected {other}"),
        }
    }
    let listed = endpoints(&app, &app.project_id, &app.api_key).await;
    assert_eq!(listed.len(), created);
    let found = card(&app, name, Some(&app.api_key)).await.unwrap();
    assert_eq!(
        found["deployment_count"], created,
        "index matches the database"
    );
    let model: Value = app.get_model(&id).await.json().await.unwrap();
    assert_eq!(
        found["catalog_role"], model["catalog_role"],
        "index role matches the database"
    );
    let status = if model["catalog_role"] == "shared" {
        "active"
    } else {
        "unavailable"
    };
    assert!(listed.iter().all(|e| e["status"] == status));
}

/// The badge line of the model named `name` as the catalog card says it, after checking that
/// the project's list says the same; and its row in `xeroctl models`.
async fn badge_line_everywhere(app: &TestApp, name: &str) -> (String, String) {
    let card = card(app, name, Some(&app.api_key)).await.unwrap();
    let listed: Value = app
        .send(
            Method::GET,
            &format!("{}/{}/v1/models", app.address, app.project_id),
            None,
        )
        .await
        .json()
        .await
        .unwrap();
    let mine = listed["models"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == name)
        .unwrap()
        .clone();
    assert_eq!(card["badge_line"], mine["badge_line"], "{card} {mine}");
    assert_eq!(card["badges"], mine["badges"]);
    let cli = crate::cli::xeroctl(app, Some(&app.api_key), &[]);
    let text = String::from_utf8_lossy(&cli.stdout).to_string();
    let row = text
        .lines()
        .find(|l| l.contains(name))
        .unwrap_or_default()
        .trim_end()
        .to_owned();
    (card["badge_line"].as_str().unwrap().to_owned(), row)
}

/// One badge line everywhere (issue 16 point 9): the catalog card, the project's model list
/// and `xeroctl models` say the same, and a fresh share reads as one status, not two.
#[tokio::test]
async fn the_web_the_json_and_the_cli_show_the_same_badge_line() {
    let app = spawn_app().await;
    let name = "Badge Line Model";
    let id = app.register(&sample_model(name)).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.share(&id).await;
    let (fresh, row) = badge_line_everywhere(&app, name).await;
    assert_eq!(fresh, "XIM Only · not deployed");
    assert!(row.ends_with("XIM Only · not deployed"), "{row}");
    // A member's detail page shows the same as one chip.
    crate::sessions::user(&app, "bea").await;
    let member = crate::sessions::browser();
    crate::sessions::login(&app, &member, "bea", crate::sessions::PASSWORD).await;
    let page = member
        .get(format!("{}/models/catalog/{id}", app.address))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(
        page.matches("class=\"badge ").count(),
        1,
        "one chip: {page}"
    );
    assert!(page.contains(">XIM Only · not deployed<"), "{page}");
    // An anchor endpoint on a node that loaded it: Shared everywhere.
    let node = agent(&app, AgentKind::Xim, Some(&app.project_id), "rack-9").await;
    report(&app, &node, "heartbeat", &[]).await;
    let created = deploy(&app, &app.project_id, &app.api_key, &id, None).await;
    assert_eq!(created.status(), StatusCode::CREATED);
    report(&app, &node, "load", &[&id]).await;
    let (anchored, row) = badge_line_everywhere(&app, name).await;
    assert_eq!(anchored, "Shared");
    assert!(row.ends_with("Shared"), "{row}");
    // The Shared filter: for callers who may see the badge.
    let url = |shared: &str| {
        format!(
            "{}/v1/catalog/models?q=badge+line&shared={shared}",
            app.address
        )
    };
    let mine: Value = app
        .send(Method::GET, &url("true"), None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(mine["total"], 1, "{mine}");
    let others: Value = app
        .send(Method::GET, &url("false"), None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(others["total"], 0);
    let anonymous = reqwest::get(url("true")).await.unwrap();
    assert_eq!(anonymous.status(), StatusCode::BAD_REQUEST);
    assert!(anonymous.text().await.unwrap().contains("`shared`"));
    let public_page = reqwest::get(format!("{}/models/catalog", app.address))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        !public_page.contains("name=\"shared\""),
        "no Shared filter for visitors"
    );
}
