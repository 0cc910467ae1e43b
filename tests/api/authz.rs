//! Focused authorisation checks on the model routes: whole envelopes, and "learns nothing"
//! comparisons. The full route × caller matrix, built from the routes the application mounts,
//! is in `authz_matrix`.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use xeroctl::auth::KeyScope;

use crate::helpers::{TestApp, assert_error, spawn_app};

/// Every project route, with whether it changes anything.
fn routes(app: &TestApp, id: &str) -> Vec<(Method, String, Option<Value>, bool)> {
    let base = app.models_url();
    vec![
        (Method::GET, base.clone(), None, false),
        (Method::POST, base.clone(), Some(json!({"name": "x"})), true),
        (Method::GET, format!("{base}/{id}"), None, false),
        (
            Method::PATCH,
            format!("{base}/{id}"),
            Some(json!({"version": "2"})),
            true,
        ),
        (Method::DELETE, format!("{base}/{id}"), None, true),
        (Method::POST, format!("{base}/{id}/share"), None, true),
        (Method::POST, format!("{base}/{id}/unshare"), None, true),
    ]
}

#[tokio::test]
async fn missing_bad_and_revoked_keys_are_401_on_every_route() {
    let app = spawn_app().await;
    let id = app.register_sample("guarded").await;
    let revoked = app.key_for(KeyScope::Write).await;
    let revoked_id = format!("key_{}", &revoked.rsplit('_').next().unwrap()[..8]);
    xeroctl::ops::admin::revoke_key(&app.services, &revoked_id)
        .await
        .unwrap();
    let forged = format!("xero_myproject_{}", "A".repeat(43));
    let credentials: Vec<(&str, Option<&str>, &str)> = vec![
        ("no key", None, "missing_api_key"),
        ("garbage", Some("garbage"), "invalid_api_key"),
        ("forged key", Some(&forged), "invalid_api_key"),
        ("revoked key", Some(&revoked), "invalid_api_key"),
    ];
    for (method, url, body, _) in routes(&app, &id) {
        for (description, key, code) in &credentials {
            let response = app
                .send_with_key(method.clone(), &url, body.as_ref(), *key)
                .await;
            assert!(
                response.headers().contains_key("www-authenticate"),
                "{description} {method} {url}"
            );
            assert_eq!(response.headers()["x-content-type-options"], "nosniff");
            assert_error(response, StatusCode::UNAUTHORIZED, code).await;
        }
    }
    let model: Value = app.get_model(&id).await.json().await.unwrap();
    assert_eq!(model["version"], Value::Null, "nothing changed");
}

#[tokio::test]
async fn another_projects_key_is_403_and_learns_nothing() {
    let app = spawn_app().await;
    let id = app.register_sample("private").await;
    let other = app.other_project("intruder").await;
    let missing = uuid::Uuid::new_v4().to_string();
    for ((method, url, body, _), (_, url_missing, _, _)) in
        routes(&app, &id).into_iter().zip(routes(&app, &missing))
    {
        let existing = app
            .send_with_key(method.clone(), &url, body.as_ref(), Some(&other.api_key))
            .await;
        let absent = app
            .send_with_key(
                method.clone(),
                &url_missing,
                body.as_ref(),
                Some(&other.api_key),
            )
            .await;
        assert_eq!(existing.status(), StatusCode::FORBIDDEN, "{method} {url}");
        assert_eq!(absent.status(), StatusCode::FORBIDDEN);
        let a: Value = existing.json().await.unwrap();
        let b: Value = absent.json().await.unwrap();
        assert_eq!(a, b, "same answer whether or not the model exists");
    }
    let model: Value = app.get_model(&id).await.json().await.unwrap();
    assert_eq!(model["shared"], false);
}

#[tokio::test]
async fn another_projects_model_through_your_own_path_is_404() {
    let app = spawn_app().await;
    let other = app.other_project("neighbour").await;
    let url = format!("{}/{}/v1/models", app.address, other.project_id);
    let theirs: Value = app
        .send_with_key(
            Method::POST,
            &url,
            Some(&json!({"name": "theirs"})),
            Some(&other.api_key),
        )
        .await
        .json()
        .await
        .unwrap();
    let their_id = theirs["id"].as_str().unwrap();
    for (method, url, body, _) in routes(&app, their_id)
        .into_iter()
        .filter(|r| r.1.contains(their_id))
    {
        let response = app.send(method.clone(), &url, body.as_ref()).await;
        assert_error(response, StatusCode::NOT_FOUND, "model_not_found").await;
    }
    let check = app
        .send_with_key(
            Method::GET,
            &format!("{url}/{their_id}"),
            None,
            Some(&other.api_key),
        )
        .await;
    let check: Value = check.json().await.unwrap();
    assert_eq!(
        (check["shared"].clone(), check["version"].clone()),
        (json!(false), Value::Null),
        "untouched"
    );
}

#[tokio::test]
async fn a_read_key_reads_but_cannot_change_anything() {
    let app = spawn_app().await;
    let id = app.register_sample("readonly").await;
    let read_key = app.key_for(KeyScope::Read).await;
    for (method, url, body, writes) in routes(&app, &id) {
        let response = app
            .send_with_key(method.clone(), &url, body.as_ref(), Some(&read_key))
            .await;
        if writes {
            assert_error(response, StatusCode::FORBIDDEN, "forbidden").await;
        } else {
            assert_eq!(response.status(), StatusCode::OK, "{method} {url}");
        }
    }
    let list: Value = app
        .send(Method::GET, &app.models_url(), None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["total"], 1, "nothing registered or deleted");
}

#[tokio::test]
async fn revocation_takes_effect_on_the_next_request() {
    let app = spawn_app().await;
    let key = app.key_for(KeyScope::Write).await;
    let ok = app
        .send_with_key(Method::GET, &app.models_url(), None, Some(&key))
        .await;
    assert_eq!(ok.status(), StatusCode::OK);
    let key_id = format!("key_{}", &key.rsplit('_').next().unwrap()[..8]);
    xeroctl::ops::admin::revoke_key(&app.services, &key_id)
        .await
        .unwrap();
    let refused = app
        .send_with_key(Method::GET, &app.models_url(), None, Some(&key))
        .await;
    assert_error(refused, StatusCode::UNAUTHORIZED, "invalid_api_key").await;
}

#[tokio::test]
async fn a_malformed_project_segment_gets_the_same_refusal_as_another_project() {
    let app = spawn_app().await;
    for project in ["proj_NOPE", "../etc", "x"] {
        let url = format!("{}/{project}/v1/models", app.address);
        let response = app.send(Method::GET, &url, None).await;
        assert_error(response, StatusCode::FORBIDDEN, "forbidden").await;
    }
}
