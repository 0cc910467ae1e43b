//! A model's lineage (issue 27): base model and relation on register and by PATCH, the model
//! tree on the detail page, `derived_from=`, superseded-by with its notice and ranking; and
//! every refusal (itself, a cycle, a base that is not there or not visible) changes nothing.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_error, spawn_app};

async fn shared(app: &TestApp, body: Value) -> String {
    let response = app.send(Method::POST, &app.models_url(), Some(&body)).await;
    assert_eq!(
        response.status(),
        StatusCode::CREATED,
        "{}",
        response.text().await.unwrap()
    );
    let id = response.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(app.share(&id).await.status(), StatusCode::OK);
    id
}

async fn patch(app: &TestApp, id: &str, body: Value) -> reqwest::Response {
    app.send(
        Method::PATCH,
        &format!("{}/{id}/lineage", app.models_url()),
        Some(&body),
    )
    .await
}

#[tokio::test]
async fn lineage_links_bases_derivatives_and_successors() {
    let app = spawn_app().await;
    let base = shared(
        &app,
        json!({"name": "Tree-Base-8B", "parameter_count": "8B"}),
    )
    .await;
    let quant = shared(
        &app,
        json!({"name": "Tree-Base-8B-GGUF", "parameter_count": "8B", "quantization": "Q4_K_M", "base_model": base}),
    )
    .await;
    let tune = shared(
        &app,
        json!({"name": "Tree-Tune-8B", "parameter_count": "8B", "base_model": "myproject/tree-base-8b", "base_model_relation": "finetune"}),
    )
    .await;
    let lineage: Value = app
        .send(
            Method::GET,
            &format!("{}/{base}/lineage", app.models_url()),
            None,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(lineage["derived_counts"]["quantized"], 1, "{lineage}");
    assert_eq!(lineage["derived_counts"]["finetune"], 1, "{lineage}");
    let of_quant: Value = app
        .send(
            Method::GET,
            &format!("{}/{quant}/lineage", app.models_url()),
            None,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(of_quant["base_model"]["id"], base.as_str());
    assert_eq!(
        of_quant["base_model_relation"], "quantized",
        "implied by the quantization"
    );

    // The catalog filter and the JSON fields.
    let derived: Value = reqwest::get(format!(
        "{}/v1/catalog/models?derived_from={base}",
        app.address
    ))
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(derived["total"], 2, "{derived}");
    let tune_card = derived["models"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == tune.as_str())
        .unwrap();
    assert_eq!(tune_card["lineage"]["base_model"], base.as_str());
    assert_eq!(tune_card["lineage"]["base_model_relation"], "finetune");

    // The detail pages: the base lists its derivatives, the derivative links its base.
    let page = |id: String| {
        let url = format!("{}/models/catalog/{id}", app.address);
        async move { reqwest::get(url).await.unwrap().text().await.unwrap() }
    };
    let html = page(base.clone()).await;
    assert!(html.contains("Model tree"), "{html}");
    assert!(
        html.contains(&format!(
            "/models/catalog?derived_from={base}\">1 quantized"
        )),
        "{html}"
    );
    assert!(html.contains("1 finetune"), "{html}");
    let html = page(quant.clone()).await;
    assert!(html.contains("Quantized from"), "{html}");
    assert!(
        html.contains(&format!("href=\"/models/catalog/{base}\">Tree-Base-8B")),
        "{html}"
    );

    // Superseded-by: the notice, the field, equal matches rank after the successor.
    let next = shared(
        &app,
        json!({"name": "Tree-Base-8B-v2", "parameter_count": "8B"}),
    )
    .await;
    let answer = patch(&app, &base, json!({"superseded_by": next})).await;
    assert_eq!(answer.status(), StatusCode::OK);
    let html = page(base.clone()).await;
    assert!(html.contains("This model is superseded by"), "{html}");
    let ranked: Value = reqwest::get(format!(
        "{}/v1/catalog/models?q=tree%20base&sort=relevance",
        app.address
    ))
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let order: Vec<&str> = ranked["models"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    let position = |id: &str| order.iter().position(|o| *o == id).unwrap();
    assert!(position(&next) < position(&base), "{order:?}");
    // Clearing it.
    assert_eq!(
        patch(&app, &base, json!({"superseded_by": null}))
            .await
            .status(),
        StatusCode::OK
    );
    assert!(
        !page(base.clone())
            .await
            .contains("This model is superseded by")
    );

    // A base from a model card that is not here is kept as stated.
    let external = shared(
        &app,
        json!({"name": "Outside-Tune", "base_model_name": "Qwen/Qwen3-8B"}),
    )
    .await;
    let view: Value = app
        .send(
            Method::GET,
            &format!("{}/{external}/lineage", app.models_url()),
            None,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(view["base_model_name"], "Qwen/Qwen3-8B");
    assert!(view["base_model"].is_null());
    assert!(page(external).await.contains("(not in this catalog)"));
}

#[tokio::test]
async fn refused_lineages_change_nothing_and_never_reveal_a_private_model() {
    let app = spawn_app().await;
    let a = shared(&app, json!({"name": "Cycle-A"})).await;
    let b = shared(&app, json!({"name": "Cycle-B", "base_model": a})).await;
    // Another project's unshared model is "not a model you can see", exactly like no model.
    let other = app.other_project("elsewhere").await;
    let hidden = app
        .send_with_key(
            Method::POST,
            &format!("{}/{}/v1/models", app.address, other.project_id),
            Some(&json!({"name": "Hidden-Base"})),
            Some(&other.api_key),
        )
        .await
        .json::<Value>()
        .await
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let missing = "3f2a9c1d-5b7e-4c8a-9d0f-1e2b3c4d5e6f";
    let hidden_message = assert_error(
        patch(&app, &a, json!({"base_model": hidden})).await,
        StatusCode::BAD_REQUEST,
        "invalid_request",
    )
    .await;
    let missing_message = assert_error(
        patch(&app, &a, json!({"base_model": missing})).await,
        StatusCode::BAD_REQUEST,
        "invalid_request",
    )
    .await;
    assert_eq!(
        hidden_message.replace(&hidden, "ID"),
        missing_message.replace(missing, "ID"),
        "a private model is refused exactly like a missing one"
    );
    for (body, what) in [
        (json!({"base_model": a}), "own base"),
        (json!({"superseded_by": a}), "own successor"),
        (
            json!({"base_model_relation": "distilled"}),
            "unknown relation",
        ),
        (json!({"base_model": "no/such-repo"}), "no such repo"),
        (
            json!({"base_model_name": "x".repeat(300)}),
            "too long a name",
        ),
    ] {
        let response = patch(&app, &a, body).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{what}");
    }
    // a ← b: making b a's base is a cycle; so is a successor loop.
    let message = assert_error(
        patch(&app, &a, json!({"base_model": b})).await,
        StatusCode::BAD_REQUEST,
        "invalid_request",
    )
    .await;
    assert!(message.contains("cycle"), "{message}");
    assert_eq!(
        patch(&app, &a, json!({"superseded_by": b})).await.status(),
        StatusCode::OK
    );
    let message = assert_error(
        patch(&app, &b, json!({"superseded_by": a})).await,
        StatusCode::BAD_REQUEST,
        "invalid_request",
    )
    .await;
    assert!(message.contains("cycle"), "{message}");
    // Nothing of the refusals was stored.
    let view: Value = app
        .send(
            Method::GET,
            &format!("{}/{a}/lineage", app.models_url()),
            None,
        )
        .await
        .json()
        .await
        .unwrap();
    assert!(
        view["base_model"].is_null() && view["base_model_name"].is_null(),
        "{view}"
    );
    assert_eq!(view["superseded_by"]["id"], b.as_str());
    // A register with a refused base stores no model either.
    let before: Value = app
        .send(Method::GET, &app.models_url(), None)
        .await
        .json()
        .await
        .unwrap();
    let response = app
        .send(
            Method::POST,
            &app.models_url(),
            Some(&json!({"name": "Orphan", "base_model": hidden})),
        )
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let after: Value = app
        .send(Method::GET, &app.models_url(), None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(before["total"], after["total"]);
    // The CLI shows and sets it.
    let output = std::process::Command::new(crate::cli::BIN)
        .args(["models", "lineage", &b])
        .env("XERO_BASE_URL", &app.address)
        .env("XERO_API_KEY", &app.api_key)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        text.contains("base: Cycle-A (finetune)"),
        "{text}{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The owners of an endpoint on a superseded model read what replaced it on their endpoints page.
#[tokio::test]
async fn endpoints_on_a_superseded_model_carry_a_notice() {
    use xeroctl::catalog::infra::AgentKind;
    let app = spawn_app().await;
    let old = shared(&app, json!({"name": "Old-Chat-7B"})).await;
    let new = shared(&app, json!({"name": "New-Chat-8B"})).await;
    let node = crate::infra::agent(&app, AgentKind::Xim, Some(&app.project_id), "rack-1").await;
    crate::infra::report(&app, &node, "heartbeat", &[]).await;
    let deployed =
        crate::infra::deploy(&app, &app.project_id, &app.api_key, &old, Some("xim")).await;
    assert_eq!(
        deployed.status(),
        StatusCode::CREATED,
        "{}",
        deployed.text().await.unwrap()
    );
    crate::sessions::user(&app, "owner").await;
    let client = crate::sessions::browser();
    crate::sessions::login(&app, &client, "owner", crate::sessions::PASSWORD).await;
    let page = |client: reqwest::Client| {
        let url = format!("{}/projects/{}/endpoints", app.address, app.project_id);
        async move { client.get(url).send().await.unwrap().text().await.unwrap() }
    };
    assert!(!page(client.clone()).await.contains("Superseded by"));
    assert_eq!(
        patch(&app, &old, json!({"superseded_by": new}))
            .await
            .status(),
        StatusCode::OK
    );
    let html = page(client).await;
    assert!(
        html.contains("Superseded by <a href=\"/models/catalog/"),
        "{html}"
    );
    assert!(html.contains("New-Chat-8B"), "{html}");
}

/// A shared model whose base or successor is private names neither in the public catalog:
/// not in its JSON, not through `derived_from=`, and again once a shared base is unshared.
#[tokio::test]
async fn the_public_catalog_never_names_a_private_base_or_successor() {
    let app = spawn_app().await;
    let private = app.register(&json!({"name": "Secret-Base-7B"})).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let public = shared(
        &app,
        json!({"name": "Public-Tune-7B", "base_model": private, "superseded_by": private}),
    )
    .await;
    let card = |app: &TestApp, query: String| {
        let url = format!("{}/v1/catalog/models?{query}", app.address);
        async move {
            reqwest::get(url)
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        }
    };
    let answer = card(&app, "q=public%20tune".to_owned()).await;
    let text = answer.to_string();
    assert!(!text.contains(&private), "the private id leaks: {text}");
    assert!(answer["models"][0].get("lineage").is_none(), "{text}");
    assert_eq!(
        card(&app, format!("derived_from={private}")).await["total"],
        0
    );
    // The owner still sees it through the lineage API.
    let view: Value = app
        .send(
            Method::GET,
            &format!("{}/{public}/lineage", app.models_url()),
            None,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(view["base_model"]["id"], private.as_str());
    // Shared, the base shows; unshared again, it goes from the derived model's entry too.
    assert_eq!(app.share(&private).await.status(), StatusCode::OK);
    assert_eq!(
        card(&app, format!("derived_from={private}")).await["total"],
        1
    );
    assert_eq!(app.unshare(&private).await.status(), StatusCode::OK);
    assert_eq!(
        card(&app, format!("derived_from={private}")).await["total"],
        0
    );
    let text = card(&app, "q=public%20tune".to_owned()).await.to_string();
    assert!(!text.contains(&private), "{text}");
}
