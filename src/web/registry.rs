//! The registry surface (SPEC §15): `GET /v2/`, manifests and blobs of a repository's GGUF
//! files, for `ollama pull {host}/{project}/{model}:{tag}` and older llama.cpp (`-hf`, which asks
//! for a manifest with a `llama-cpp` User-Agent and reads `ggufFile.rfilename`). Errors are the
//! registry's (`{"errors": [{"code", "message"}]}`); a repository or blob the caller may not see
//! answers exactly as a missing one, so the registry is no oracle of other projects' digests.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::{Value, json};

use crate::auth::Principal;
use crate::ops::catalog::registry::{BlobSource, Layer, RegistryRepo, registry_repo, sha256_hex};
use crate::ops::{self, Services};
use crate::web::auth_middleware::bearer_token;

const API_VERSION: (&str, &str) = ("Docker-Distribution-API-Version", "registry/2.0");
const MANIFEST_V2: &str = "application/vnd.docker.distribution.manifest.v2+json";
/// OCI allows layers of any media type; Docker's v2 schema (what Ollama asks for) does not, so
/// generic registry tools (skopeo) that accept OCI get the same layers in an OCI manifest.
const MANIFEST_OCI: &str = "application/vnd.oci.image.manifest.v1+json";
const CONFIG_OCI: &str = "application/vnd.oci.image.config.v1+json";

pub fn configure(config: &mut web::ServiceConfig) {
    config
        .route("/v2", web::get().to(base))
        .route("/v2/{org}/{name}/manifests/{tag}", web::get().to(manifest))
        .route("/v2/{org}/{name}/blobs/{digest}", web::get().to(blob));
}

/// The registry routes as (method, pattern), for 405 answers and the authorisation matrix.
pub fn route_table() -> Vec<(actix_web::http::Method, &'static str)> {
    use actix_web::http::Method;
    [
        "/v2",
        "/v2/{org}/{name}/manifests/{tag}",
        "/v2/{org}/{name}/blobs/{digest}",
    ]
    .into_iter()
    .map(|p| (Method::GET, p))
    .collect()
}

fn error(status: StatusCode, code: &str, message: &str) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header(API_VERSION)
        .json(json!({"errors": [{"code": code, "message": message, "detail": Value::Null}]}))
}

async fn base() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(API_VERSION)
        .json(json!({}))
}

/// The repository as the caller may see it; a bad key is refused (401), as on every API.
async fn repository(
    request: &HttpRequest,
    services: &Services,
    org: &str,
    name: &str,
) -> Result<RegistryRepo, HttpResponse> {
    let unknown = || {
        error(
            StatusCode::NOT_FOUND,
            "NAME_UNKNOWN",
            "repository name not known to registry",
        )
    };
    let token = bearer_token(request.headers()).map_err(|_| unauthorized())?;
    let caller = match token {
        None => None,
        Some(token) => match ops::access::authenticate::authenticate_key(services, &token).await {
            Ok(Principal::ApiKey { project_id, .. }) => Some(project_id),
            Ok(_) => None,
            Err(_) => return Err(unauthorized()),
        },
    };
    match registry_repo(services, caller, org, name).await {
        Ok(Some(repo)) => Ok(repo),
        Ok(None) => Err(unknown()),
        Err(error_) => {
            tracing::error!(error = %error_, "registry lookup failed");
            Err(error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "UNKNOWN",
                "internal error",
            ))
        }
    }
}

fn unauthorized() -> HttpResponse {
    let mut response = error(
        StatusCode::UNAUTHORIZED,
        "UNAUTHORIZED",
        "the key presented is not valid here",
    );
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        header::HeaderValue::from_static("Bearer realm=\"xeroctl\""),
    );
    response
}

fn layer_json(layer: &Layer) -> Value {
    json!({"mediaType": layer.media_type, "digest": layer.digest, "size": layer.size})
}

async fn manifest(
    request: HttpRequest,
    path: web::Path<(String, String, String)>,
    services: web::Data<Services>,
) -> HttpResponse {
    let (org, name, tag) = path.into_inner();
    let repo = match repository(&request, &services, &org, &name).await {
        Ok(repo) => repo,
        Err(response) => return response,
    };
    let Some(manifest) = repo.manifest(&tag) else {
        let tags = repo.tags();
        let message = if tags.is_empty() {
            "this repository holds no GGUF file".to_owned()
        } else {
            format!(
                "no GGUF file for tag `{}`; tags: latest, {}",
                tag.chars().take(60).collect::<String>(),
                tags.join(", ")
            )
        };
        return error(StatusCode::NOT_FOUND, "MANIFEST_UNKNOWN", &message);
    };
    let user_agent = request
        .headers()
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if user_agent.contains("llama-cpp") {
        let file = |f: &crate::catalog::repo::RepoFile| {
            json!({"rfilename": f.path, "blobId": f.sha256, "size": f.size,
                   "lfs": {"sha256": f.sha256, "size": f.size}})
        };
        let mut body = json!({"ggufFile": file(&manifest.gguf)});
        if let Some(mmproj) = &manifest.mmproj {
            body["mmprojFile"] = file(mmproj);
        }
        return HttpResponse::Ok().insert_header(API_VERSION).json(body);
    }
    let accept = request
        .headers()
        .get_all(header::ACCEPT)
        .filter_map(|v| v.to_str().ok())
        .collect::<Vec<_>>()
        .join(",");
    let oci = accept.contains(MANIFEST_OCI);
    let media_type = if oci { MANIFEST_OCI } else { MANIFEST_V2 };
    let mut config = layer_json(&manifest.config);
    if oci {
        config["mediaType"] = json!(CONFIG_OCI);
    }
    let body = serde_json::to_vec(&json!({
        "schemaVersion": 2,
        "mediaType": media_type,
        "config": config,
        "layers": manifest.layers.iter().map(layer_json).collect::<Vec<_>>(),
    }))
    .unwrap_or_default();
    HttpResponse::Ok()
        .insert_header(API_VERSION)
        .insert_header((
            "Docker-Content-Digest",
            format!("sha256:{}", sha256_hex(&body)),
        ))
        .insert_header((header::ETAG, format!("\"sha256:{}\"", sha256_hex(&body))))
        .content_type(media_type)
        .body(body)
}

async fn blob(
    request: HttpRequest,
    path: web::Path<(String, String, String)>,
    services: web::Data<Services>,
) -> HttpResponse {
    let (org, name, digest) = path.into_inner();
    let valid = digest
        .strip_prefix("sha256:")
        .is_some_and(|hex| crate::catalog::repo::parse_digest(hex).is_ok());
    if !valid {
        return error(
            StatusCode::BAD_REQUEST,
            "DIGEST_INVALID",
            "a digest is `sha256:` and 64 hex digits",
        );
    }
    let repo = match repository(&request, &services, &org, &name).await {
        Ok(repo) => repo,
        Err(response) => return response,
    };
    match repo.blob(&digest.to_ascii_lowercase()) {
        None => error(
            StatusCode::NOT_FOUND,
            "BLOB_UNKNOWN",
            "blob unknown to registry",
        ),
        Some(BlobSource::Made(bytes)) => HttpResponse::Ok()
            .insert_header(API_VERSION)
            .insert_header(("Docker-Content-Digest", digest.clone()))
            .content_type("application/octet-stream")
            .body(bytes),
        Some(BlobSource::File(file)) => {
            let served = crate::web::transfer::serve_file(
                &request,
                &ops::files::repos::blob_file(&services, &file.sha256),
                file.size,
                &file.sha256,
                |response| {
                    response
                        .insert_header(API_VERSION)
                        .insert_header(("Docker-Content-Digest", digest.as_str()));
                },
            );
            served.unwrap_or_else(|e| error(e.code.status(), "BLOB_UNKNOWN", &e.message))
        }
    }
}
