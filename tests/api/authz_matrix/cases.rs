//! One case per route the application mounts: its rule, its request body and the status of an
//! allowed call; path parameters and body values in braces are filled from the fixture.

use serde_json::{Value, json};

use super::rules::Access;
use crate::fixture::{Fixture, PASSWORD};

/// The request body of a case.
#[derive(Debug, Clone)]
pub enum Body {
    None,
    Json(Value),
    Raw(&'static [u8]),
    /// Form fields; the caller's CSRF token is added as `csrf`.
    Form(&'static [(&'static str, &'static str)]),
    /// A multipart upload form with the CSRF token and a small file.
    Upload,
}

/// One route of the application with its rule, its body and the status of an allowed call.
pub struct Case {
    pub method: &'static str,
    pub path: &'static str,
    pub access: Access,
    pub body: Body,
    pub allowed: u16,
}

const fn case(
    method: &'static str,
    path: &'static str,
    access: Access,
    body: Body,
    allowed: u16,
) -> Case {
    Case {
        method,
        path,
        access,
        body,
        allowed,
    }
}

/// Every route the server mounts, one per line.
#[rustfmt::skip]
pub fn cases() -> Vec<Case> {
    use Access::*;
    let config = json!({"architectures": ["LlamaForCausalLM"], "max_position_embeddings": 8192});
    let no_models = || Body::Json(json!({"models": []}));
    vec![
        // REST, from the OpenAPI document.
        case("GET", "/healthz", Open, Body::None, 200),
        case("GET", "/readyz", Open, Body::None, 200),
        case("GET", "/v1/catalog/models", OpenKeyChecked, Body::None, 200),
        case("GET", "/v1/catalog/models/{id}", OpenKeyChecked, Body::None, 200),
        case("GET", "/v1/catalog/families", Open, Body::None, 200),
        // Without `ids`: a 400 that names the missing ids, for every caller with a valid key or none.
        case("GET", "/v1/catalog/compare", OpenKeyChecked, Body::None, 400),
        case("POST", "/agents/v1/heartbeat", Agent, no_models(), 200),
        case("POST", "/agents/v1/load", Agent, no_models(), 200),
        case("POST", "/agents/v1/evict", Agent, no_models(), 200),
        case("GET", "/v1/auth/key", AnyKey, Body::None, 200),
        case("GET", "/{project_id}/v1/models", KeyRead, Body::None, 200),
        case("POST", "/{project_id}/v1/models", KeyWrite, Body::Json(json!({"name": "Intruder"})), 201),
        case("GET", "/{project_id}/v1/models/{id}", KeyRead, Body::None, 200),
        case("PATCH", "/{project_id}/v1/models/{id}", KeyWrite, Body::Json(json!({"version": "2"})), 200),
        case("DELETE", "/{project_id}/v1/models/{id}", KeyWrite, Body::None, 204),
        case("POST", "/{project_id}/v1/models/{id}/share", KeyWrite, Body::None, 200),
        case("POST", "/{project_id}/v1/models/{id}/unshare", KeyWrite, Body::None, 200),
        case("GET", "/{project_id}/v1/models/{id}/lineage", KeyRead, Body::None, 200),
        case("PATCH", "/{project_id}/v1/models/{id}/lineage", KeyWrite, Body::Json(json!({"base_model_name": "Qwen/Qwen3-8B"})), 200),
        case("PUT", "/{project_id}/v1/models/{id}/artifact", KeyWrite, Body::Raw(b"other weights"), 200),
        case("GET", "/{project_id}/v1/models/{id}/artifact", KeyRead, Body::None, 200),
        case("PUT", "/{project_id}/v1/models/{id}/config", KeyWrite, Body::Json(config), 200),
        case("GET", "/{project_id}/v1/endpoints", KeyRead, Body::None, 200),
        case("POST", "/{project_id}/v1/endpoints", KeyWrite, Body::Json(json!({"model_id": "{id}", "tier": "xim"})), 201),
        case("DELETE", "/{project_id}/v1/endpoints/{id}", KeyWrite, Body::None, 204),
        case("PUT", "/{project_id}/v1/blobs/{sha256}", KeyWrite, Body::Raw(b"blob bytes"), 200),
        case("GET", "/{project_id}/v1/blobs/{sha256}", KeyRead, Body::None, 404),
        case("POST", "/{project_id}/v1/models/{id}/revisions", KeyWrite, Body::Json(json!({"message": "matrix", "delete": ["{path:.*}"]})), 201),
        case("GET", "/{project_id}/v1/models/{id}/revisions", KeyRead, Body::None, 200),
        case("DELETE", "/{project_id}/v1/models/{id}/revisions/{revision}", KeyWrite, Body::None, 204),
        case("GET", "/{project_id}/v1/models/{id}/files", KeyRead, Body::None, 200),
        case("GET", "/{project_id}/v1/models/{id}/files/{path}", KeyRead, Body::None, 200),
        case("PUT", "/{project_id}/v1/models/{id}/files/{path}", KeyWrite, Body::Raw(b"new bytes"), 201),
        case("DELETE", "/{project_id}/v1/models/{id}/files/{path}", KeyWrite, Body::None, 200),
        // The Hub protocol, from `hub::route_table()`: the fixture's model is shared.
        case("GET", "/api/whoami-v2", AnyKey, Body::None, 200),
        case("GET", "/api/models", OpenKeyChecked, Body::None, 200),
        case("GET", "/api/models/{org}/{name}", OpenKeyChecked, Body::None, 200),
        case("GET", "/api/models/{org}/{name}/revision/{rev:.*}", OpenKeyChecked, Body::None, 200),
        case("GET", "/api/models/{org}/{name}/refs", OpenKeyChecked, Body::None, 200),
        case("GET", "/api/models/{org}/{name}/tree/{rev}", OpenKeyChecked, Body::None, 200),
        case("GET", "/api/models/{org}/{name}/tree/{rev}/{path:.*}", OpenKeyChecked, Body::None, 404),
        case("GET", "/{org}/{name}/resolve/{rev}/{path:.*}", OpenKeyChecked, Body::None, 200),
        case("GET", "/v2", Open, Body::None, 200),
        case("GET", "/v2/{org}/{name}/manifests/{tag}", OpenKeyChecked, Body::None, 404),
        case("GET", "/v2/{org}/{name}/blobs/{digest}", OpenKeyChecked, Body::None, 404),
        case("POST", "/api/repos/create", KeyWrite, Body::Json(json!({"name": "matrix-repo", "organization": "{org}"})), 200),
        case("DELETE", "/api/repos/delete", KeyWrite, Body::Json(json!({"name": "{name}", "organization": "{org}"})), 200),
        case("PUT", "/api/models/{org}/{name}/settings", KeyWrite, Body::Json(json!({"private": true})), 200),
        case("POST", "/api/validate-yaml", Open, Body::Json(json!({"content": "---\nlicense: mit\n---\n", "repoType": "model"})), 200),
        case("POST", "/api/models/{org}/{name}/preupload/{rev}", KeyWrite, Body::Json(json!({"files": [{"path": "a.bin", "sample": "", "size": 3}]})), 200),
        case("POST", "/{org}/{name}.git/info/lfs/objects/batch", KeyWrite, Body::Json(json!({"operation": "upload", "objects": [{"oid": "{sha256}", "size": 10}]})), 200),
        case("PUT", "/api/lfs-upload/{token}", Open, Body::Raw(b"blob bytes"), 403),
        case("POST", "/api/lfs-upload/{token}", Open, Body::Json(json!({"oid": "{sha256}", "parts": []})), 403),
        case("PUT", "/api/lfs-upload/{token}/part/{number}", Open, Body::Raw(b"part bytes"), 403),
        case("POST", "/api/models/{org}/{name}/branch/{ref:.*}", KeyWrite, Body::Json(json!({})), 200),
        case("DELETE", "/api/models/{org}/{name}/branch/{ref:.*}", KeyWrite, Body::None, 400),
        case("POST", "/api/models/{org}/{name}/tag/{ref:.*}", KeyWrite, Body::Json(json!({"tag": "v1.0"})), 200),
        case("DELETE", "/api/models/{org}/{name}/tag/{ref:.*}", KeyWrite, Body::None, 400),
        case("POST", "/api/models/{org}/{name}/paths-info/{rev}", OpenKeyChecked, Body::Form(&[("paths", "{path}")]), 200),
        case("POST", "/api/lfs-verify/{token}", Open, Body::Json(json!({"oid": "{sha256}", "size": 10})), 403),
        case("POST", "/api/models/{org}/{name}/commit/{rev}", KeyWrite, Body::Json(json!({"key": "header", "value": {"summary": "matrix"}})), 200),
        // Mounted by `server.rs` itself, outside both tables.
        case("GET", "/openapi.json", Open, Body::None, 200),
        case("GET", "/assets/{path:.*}", Open, Body::None, 200),
        // Pages, from `pages::routes()`.
        case("GET", "/", Open, Body::None, 303),
        case("GET", "/models/catalog", Open, Body::None, 200),
        case("GET", "/models/catalog/{id}", Open, Body::None, 200),
        case("GET", "/models/catalog.atom", Open, Body::None, 200),
        case("GET", "/models/compare", Open, Body::None, 400),
        case("GET", "/searches", AnySession, Body::None, 200),
        case("POST", "/searches", AnySession, Body::Form(&[("name", "matrix"), ("query", "q=x")]), 303),
        // `{id}` is a model id, no saved search of anyone's: the owner check answers 404.
        case("POST", "/searches/{id}/delete", AnySession, Body::Form(&[]), 404),
        case("POST", "/models/catalog/{id}/deploy", AnySession, Body::Form(&[("tier", "xim")]), 303),
        case("GET", "/projects/{project}/endpoints", Member, Body::None, 200),
        case("POST", "/projects/{project}/endpoints/{endpoint}/delete", Member, Body::Form(&[]), 303),
        case("GET", "/admin", Admin, Body::None, 200),
        case("POST", "/admin/agents", Admin, Body::Form(&[("name", "rogue"), ("kind", "shared")]), 200),
        case("POST", "/admin/agents/{agent}/remove", Admin, Body::Form(&[]), 303),
        case("POST", "/admin/feature", Admin, Body::Form(&[("model", "{id}"), ("action", "feature")]), 200),
        case("GET", "/login", Open, Body::None, 200),
        case("POST", "/login", LoginForm, Body::Form(&[("username", "olivia"), ("password", PASSWORD)]), 403),
        case("POST", "/logout", AnySession, Body::Form(&[]), 303),
        case("POST", "/session/project", SwitchProject, Body::Form(&[("project", "{project}")]), 303),
        case("GET", "/projects/{project}/models", Member, Body::None, 200),
        case("POST", "/projects/{project}/models", Member, Body::Form(&[("name", "Web Intruder")]), 303),
        case("GET", "/projects/{project}/models/{model}/edit", Member, Body::None, 200),
        case("POST", "/projects/{project}/models/{model}/edit", Member, Body::Form(&[("name", "Renamed")]), 303),
        case("POST", "/projects/{project}/models/{model}/upload", Member, Body::Upload, 303),
        case("POST", "/projects/{project}/models/{model}/{action}", Member, Body::Form(&[]), 303),
        case("GET", "/projects/{project}/keys", Member, Body::None, 200),
        // A write key: members may make only read keys.
        case("POST", "/projects/{project}/keys", Owner, Body::Form(&[("scope", "write"), ("label", "matrix")]), 200),
        // A key made by the admin command: members may revoke only their own read keys.
        case("POST", "/projects/{project}/keys/{key}/revoke", Owner, Body::Form(&[]), 303),
    ]
}

/// Fills a path pattern (or a body value) with the fixture's real ids.
pub fn fill(pattern: &str, fixture: &Fixture) -> String {
    let mut out = String::new();
    let mut rest = pattern;
    while let Some(start) = rest.find('{') {
        let end = rest[start..].find('}').expect("closed parameter") + start;
        out.push_str(&rest[..start]);
        let name = &rest[start + 1..end];
        let value = match name {
            "project_id" | "project" => fixture.project_id.as_str(),
            "model" => &fixture.model_id,
            // `{id}` is the endpoint's under `/endpoints`, the model's everywhere else.
            "id" if out.ends_with("/endpoints/") => &fixture.endpoint_id,
            "id" => &fixture.model_id,
            "endpoint" => &fixture.endpoint_id,
            "agent" => &fixture.agent_id,
            "key" => &fixture.target_key_id,
            "action" => "unshare",
            "path:.*" if out.starts_with("/assets/") => "app.css",
            "path:.*" | "path" => &fixture.model_file,
            "org" => &fixture.slug,
            "name" => &fixture.model_slug,
            "rev" | "rev:.*" | "revision" => "main",
            // The digest of the body the blob case sends.
            "sha256" => "269d6dd0cedf40e040fbe1b1be1860175a7bb24322549b9064c531f525af3a5b",
            // Not a grant: the upload route refuses it whoever calls.
            "token" => "not-a-grant",
            "number" => "1",
            "tag" => "latest",
            // A blob the repository does not hold: a registry is no oracle of digests.
            "digest" => "sha256:269d6dd0cedf40e040fbe1b1be1860175a7bb24322549b9064c531f525af3a5b",
            // A branch for create_branch; `main` for create_tag (the revision it names).
            "ref:.*" if out.contains("/tag/") => "main",
            "ref:.*" => "matrix-branch",
            other => panic!("no fixture value for `{{{other}}}` in `{pattern}`: add one to `fill`"),
        };
        out.push_str(value);
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out
}

/// Fills the string values of a JSON body.
pub fn fill_json(body: &Value, fixture: &Fixture) -> Value {
    match body {
        Value::String(text) => Value::String(fill(text, fixture)),
        Value::Array(items) => items.iter().map(|v| fill_json(v, fixture)).collect(),
        Value::Object(fields) => fields
            .iter()
            .map(|(k, v)| (k.clone(), fill_json(v, fixture)))
            .collect(),
        other => other.clone(),
    }
}
