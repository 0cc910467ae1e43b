//! The seed's share / unshare flow and its envelope.

use std::collections::HashSet;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{assert_error, spawn_app};

#[tokio::test]
async fn share_then_unshare_answers_the_seed_envelope() {
    let app = spawn_app().await;
    let id = app.register_sample("shareable").await;

    let shared = app.share(&id).await;
    assert_eq!(shared.status(), StatusCode::OK);
    let shared: Value = shared.json().await.unwrap();
    assert_eq!(
        shared,
        json!({"id": id, "shared": true, "message": "model shared to the catalog", "catalog_role": "deployable"})
    );

    let unshared: Value = app.unshare(&id).await.json().await.unwrap();
    assert_eq!(
        unshared,
        json!({"id": id, "shared": false, "message": "model removed from the catalog", "catalog_role": null})
    );
}

#[tokio::test]
async fn share_and_unshare_are_idempotent() {
    let app = spawn_app().await;
    let id = app.register_sample("twice").await;
    app.share(&id).await;
    let again = app.share(&id).await;
    assert_eq!(again.status(), StatusCode::OK);
    let again: Value = again.json().await.unwrap();
    assert_eq!(
        (again["shared"].clone(), again["catalog_role"].clone()),
        (json!(true), json!("deployable"))
    );
    app.unshare(&id).await;
    let again = app.unshare(&id).await;
    assert_eq!(again.status(), StatusCode::OK);
    let again: Value = again.json().await.unwrap();
    assert_eq!(
        (again["shared"].clone(), again["catalog_role"].clone()),
        (json!(false), Value::Null)
    );
    let model: Value = app.get_model(&id).await.json().await.unwrap();
    assert_eq!(model["shared"], false);
}

#[tokio::test]
async fn slug_ids_are_404_and_say_to_use_the_uuid() {
    let app = spawn_app().await;
    for path in [
        "mdl_abc123/share",
        "mdl_abc123/unshare",
        "mdl_abc123",
        "not-a-uuid",
    ] {
        let url = format!("{}/{path}", app.models_url());
        let method = if path.ends_with("share") {
            reqwest::Method::POST
        } else {
            reqwest::Method::GET
        };
        let message = assert_error(
            app.send(method, &url, None).await,
            StatusCode::NOT_FOUND,
            "model_not_found",
        )
        .await;
        assert!(message.contains("UUID"), "{path}: {message}");
    }
    let message = assert_error(
        app.share("mdl_abc123").await,
        StatusCode::NOT_FOUND,
        "model_not_found",
    )
    .await;
    assert!(message.contains("CLI-local"), "{message}");
}

#[tokio::test]
async fn unknown_uuid_is_404() {
    let app = spawn_app().await;
    let missing = uuid::Uuid::new_v4().to_string();
    assert_error(
        app.share(&missing).await,
        StatusCode::NOT_FOUND,
        "model_not_found",
    )
    .await;
}

/// RELIABILITY T36: concurrent toggles serialise. The audit log records only real changes, so if
/// the check and the write were ever split, two shares (or two unshares) would follow each other.
#[tokio::test]
async fn concurrent_toggles_never_interleave_check_and_write() {
    let app = spawn_app().await;
    let id = app.register_sample("contended").await;
    let mut tasks = Vec::new();
    for i in 0..200 {
        let client = app.client.clone();
        let url = format!(
            "{}/{id}/{}",
            app.models_url(),
            if i % 2 == 0 { "share" } else { "unshare" }
        );
        let key = app.api_key.clone();
        tasks.push(tokio::spawn(async move {
            let response = client.post(url).bearer_auth(key).send().await.unwrap();
            assert_eq!(response.status(), StatusCode::OK);
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    let target = id.clone();
    let entries = app
        .services
        .store
        .call(move |conn| xeroctl::store::audit::entries_for(conn, "model", &target))
        .await
        .unwrap();
    let toggles: Vec<&str> = entries
        .iter()
        .map(|e| e.action.as_str())
        .filter(|a| *a != "model.register")
        .collect();
    assert!(!toggles.is_empty());
    for pair in toggles.windows(2) {
        assert_ne!(
            pair[0], pair[1],
            "two identical toggles in a row: {toggles:?}"
        );
    }
    let model: Value = app.get_model(&id).await.json().await.unwrap();
    let last_was_share = *toggles.last().unwrap() == "model.share";
    assert_eq!(
        model["shared"], last_was_share,
        "final state is the last recorded change"
    );
    let distinct: HashSet<&str> = toggles.iter().copied().collect();
    assert!(distinct.len() <= 2);
}

/// Issue 12 (group commit): shares that arrive together are made searchable by one index
/// commit, and each still answers only once its model is searchable.
#[tokio::test]
async fn concurrent_shares_are_searchable_at_their_answers_and_share_one_commit() {
    // Arrange
    const SHARES: usize = 16;
    let app = spawn_app().await;
    let mut models = Vec::new();
    for i in 0..SHARES {
        let word = format!("grouped{i:02}x");
        models.push((app.register_sample(&format!("Grouped {word}")).await, word));
    }
    let index = app.services.search.clone().expect("server has an index");
    let commits_before = index.commit_count();

    // Act: hold the drain turn until every share has committed in SQLite, so all of them wait
    // behind one drain; then let it go.
    let turn = app.services.group_commit.hold_turn().await;
    let mut shares = tokio::task::JoinSet::new();
    for (id, word) in models.clone() {
        let (client, address) = (app.client.clone(), app.address.clone());
        let (project, key) = (app.project_id.clone(), app.api_key.clone());
        shares.spawn(async move {
            let answer = client
                .post(format!("{address}/{project}/v1/models/{id}/share"))
                .bearer_auth(&key)
                .send()
                .await
                .unwrap();
            let status = answer.status();
            let found: Value = client
                .get(format!("{address}/v1/catalog/models?q={word}&per_page=100"))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            let hits: Vec<String> = found["models"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m["id"].as_str().unwrap().to_owned())
                .collect();
            (id, status, hits)
        });
    }
    let store = app.services.store.clone();
    // Polls SQLite, not the index: the rows appear as the share transactions commit.
    while store
        .call(xeroctl::store::outbox::pending_count)
        .await
        .unwrap()
        < SHARES as u64
    {
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    drop(turn);
    let answers = shares.join_all().await;

    // Assert
    for (id, status, hits) in &answers {
        assert_eq!(*status, StatusCode::OK, "share of {id}");
        assert!(hits.contains(id), "{id} searchable once its share answered");
    }
    assert_eq!(
        index.commit_count() - commits_before,
        1,
        "{SHARES} shares waiting together made one index commit"
    );
}
