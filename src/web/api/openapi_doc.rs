//! What the route annotations leave out of `/openapi.json`, filled in one place so every
//! operation gets it: the error statuses each kind of route can answer (with the envelope
//! schema), descriptions for every response, bounds and enums on parameters, `format: uuid` on
//! ids, and `servers`. A client generator or schemathesis then finds no undocumented answer.

use serde_json::{Map, Value, json};
use utoipa_actix_web::AppExt;

use crate::catalog::query::{MAX_PER_PAGE, MAX_QUERY_CHARS};

const ERROR_SCHEMA: &str = "#/components/schemas/ErrorBody";

fn reason(status: &str) -> &'static str {
    match status {
        "200" => "OK",
        "201" => "Created",
        "204" => "No content",
        "206" => "Partial content (one byte range)",
        "400" => "Invalid request: the envelope names the parameter or field",
        "401" => "Missing, unknown or revoked credentials",
        "403" => "The credentials may not act on this project",
        "404" => "No such resource (or one the caller may not see)",
        "405" => "Method not allowed on this path (see `Allow`)",
        "408" => "The upload sent nothing for too long",
        "409" => "Conflict with the current state",
        "413" => "Body larger than the limit or the project's quota",
        "415" => "Body of an unsupported media type",
        "416" => "Unsatisfiable range (`Content-Range: bytes */N`)",
        "500" => "Internal error (the cause is logged, never returned)",
        "503" => "The search index is not available yet (see `Retry-After`)",
        "507" => "Not enough free disk space",
        _ => "Response",
    }
}

fn error_response(status: &str) -> Value {
    json!({
        "description": reason(status),
        "content": { "application/json": { "schema": { "$ref": ERROR_SCHEMA } } }
    })
}

/// The error statuses an operation can answer, from what kind of route it is.
fn error_statuses(path: &str, method: &str, operation: &Map<String, Value>) -> Vec<&'static str> {
    let mut statuses = vec!["400", "404", "405", "500"];
    let secured = operation
        .get("security")
        .and_then(Value::as_array)
        .is_some_and(|s| !s.is_empty());
    // Catalog routes take an optional key: a bad one is a 401.
    if secured || path.starts_with("/v1/") {
        statuses.extend(["401", "403"]);
    }
    if operation.contains_key("requestBody") || method == "put" {
        statuses.extend(["413", "415"]);
    }
    if path.starts_with("/v1/catalog") {
        statuses.push("503");
    }
    if path.ends_with("/artifact") || path.ends_with("/config") {
        statuses.extend(["408", "409", "507"]);
    }
    if path.contains("/endpoints") || path.ends_with("/share") || path.ends_with("/unshare") {
        statuses.push("409");
    }
    statuses
}

fn bound_parameter(path: &str, parameter: &mut Value) {
    let name = parameter["name"].as_str().unwrap_or_default().to_owned();
    let location = parameter["in"].as_str().unwrap_or_default().to_owned();
    let schema = parameter
        .as_object_mut()
        .map(|p| p.entry("schema").or_insert_with(|| json!({})));
    let Some(Value::Object(schema)) = schema else {
        return;
    };
    let catalog = path.starts_with("/v1/catalog");
    match (location.as_str(), name.as_str()) {
        ("path", "id") => {
            schema.insert("format".into(), json!("uuid"));
        }
        ("path", "project_id") => {
            schema.insert("pattern".into(), json!("^proj_[A-Za-z0-9]{1,40}$"));
        }
        ("query", "page") => {
            schema.insert("minimum".into(), json!(1));
            if catalog {
                schema.insert("maximum".into(), json!(10_000));
            }
        }
        ("query", "per_page") => {
            schema.insert("minimum".into(), json!(1));
            let max = if catalog {
                MAX_PER_PAGE
            } else {
                crate::ops::models::MAX_PAGE_SIZE
            };
            schema.insert("maximum".into(), json!(max));
        }
        ("query", "q") => {
            schema.insert("maxLength".into(), json!(MAX_QUERY_CHARS));
        }
        ("query", "sort") => {
            schema.insert(
                "enum".into(),
                json!([
                    "relevance",
                    "popular",
                    "newest",
                    "name",
                    "params",
                    "context"
                ]),
            );
        }
        _ => {}
    }
}

/// Completes the document in place.
pub fn complete(document: &mut Value) {
    document["servers"] = json!([{ "url": "/", "description": "This server" }]);
    if let Some(paths) = document.get_mut("paths").and_then(Value::as_object_mut) {
        for (path, item) in paths.iter_mut() {
            let Some(item) = item.as_object_mut() else {
                continue;
            };
            for (method, operation) in item.iter_mut() {
                let Some(operation) = operation.as_object_mut() else {
                    continue;
                };
                let statuses = error_statuses(path, method, operation);
                let responses = operation.entry("responses").or_insert_with(|| json!({}));
                if let Some(responses) = responses.as_object_mut() {
                    for status in statuses {
                        responses
                            .entry(status)
                            .or_insert_with(|| error_response(status));
                    }
                    for (status, response) in responses.iter_mut() {
                        let missing = response["description"].as_str().is_none_or(str::is_empty);
                        if missing {
                            response["description"] = json!(reason(status));
                        }
                    }
                }
                if let Some(parameters) = operation
                    .get_mut("parameters")
                    .and_then(Value::as_array_mut)
                {
                    for parameter in parameters {
                        bound_parameter(path, parameter);
                    }
                }
            }
        }
    }
    let schemas = &mut document["components"]["schemas"];
    if schemas["DeployRequest"].is_object() {
        schemas["DeployRequest"]["properties"]["model_id"]["format"] = json!("uuid");
        schemas["DeployRequest"]["properties"]["tier"]["enum"] = json!(["shared", "xim", null]);
    }
}

/// Builds the OpenAPI document from the same route table the server mounts.
pub fn openapi_json() -> String {
    let (_, document) = actix_web::App::new()
        .into_utoipa_app()
        .configure(super::configure)
        .split_for_parts();
    let document = super::finish_document(document);
    let Ok(mut value) = serde_json::to_value(&document) else {
        return "{}".to_owned();
    };
    complete(&mut value);
    value.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_documents_its_errors_and_bounds() {
        let mut document: Value = serde_json::from_str(&openapi_json()).unwrap();
        complete(&mut document);
        assert_eq!(document["servers"][0]["url"], "/");
        for (path, item) in document["paths"].as_object().unwrap() {
            for (method, operation) in item.as_object().unwrap() {
                let responses = operation["responses"].as_object().unwrap();
                for status in ["400", "404", "405", "500"] {
                    assert!(
                        responses.contains_key(status),
                        "{method} {path} lacks {status}"
                    );
                }
                for (status, response) in responses {
                    assert!(
                        !response["description"].as_str().unwrap_or("").is_empty(),
                        "{method} {path} {status}"
                    );
                }
                if operation["security"]
                    .as_array()
                    .is_some_and(|s| !s.is_empty())
                {
                    assert_eq!(
                        responses["401"]["content"]["application/json"]["schema"]["$ref"],
                        ERROR_SCHEMA,
                        "{method} {path}"
                    );
                }
            }
        }
    }
}
