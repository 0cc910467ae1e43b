//! `GET /openapi.json` describes every route the server mounts.

use serde_json::Value;

use crate::helpers::spawn_app;

#[tokio::test]
async fn the_openapi_document_parses_and_lists_every_route() {
    let app = spawn_app().await;
    let response = app
        .client
        .get(format!("{}/openapi.json", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let document: Value = response.json().await.unwrap();
    assert_eq!(document["openapi"], "3.1.0");
    let expected = [
        ("get", "/healthz"),
        ("get", "/readyz"),
        ("get", "/{project_id}/v1/models"),
        ("post", "/{project_id}/v1/models"),
        ("get", "/{project_id}/v1/models/{id}"),
        ("patch", "/{project_id}/v1/models/{id}"),
        ("delete", "/{project_id}/v1/models/{id}"),
        ("post", "/{project_id}/v1/models/{id}/share"),
        ("post", "/{project_id}/v1/models/{id}/unshare"),
    ];
    for (method, path) in expected {
        assert!(
            document["paths"][path][method].is_object(),
            "{method} {path} missing from the document"
        );
    }
    let schemas = &document["components"]["schemas"];
    for schema in [
        "ShareResponse",
        "ModelView",
        "RegisterModelRequest",
        "ErrorBody",
    ] {
        assert!(schemas[schema].is_object(), "schema {schema} missing");
    }
    assert!(document["components"]["securitySchemes"]["api_key"].is_object());
}

/// Every catalog filter (`facet_list::FACETS`), the fit facet's context included, is a
/// documented parameter of the search.
#[tokio::test]
async fn every_catalog_filter_is_a_documented_search_parameter() {
    let app = spawn_app().await;
    let document: Value = reqwest::get(format!("{}/openapi.json", app.address))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let documented: Vec<&str> = document["paths"]["/v1/catalog/models"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["name"].as_str())
        .collect();
    for facet in &xeroctl::catalog::facet_list::FACETS {
        for param in facet.params() {
            // Aliases (`architecture`) are documented with their parameter.
            if param == "architecture" {
                continue;
            }
            assert!(documented.contains(&param), "{param} is not documented");
        }
    }
    for param in ["fits_memory", "at_context", "license_intent", "shared"] {
        assert!(documented.contains(&param), "{param}");
    }
}
