//! Static files embedded in the binary (rust-embed): logos, CSS, JavaScript. Served with their
//! content type, an ETag from the content hash, and a cache lifetime.

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use rust_embed::RustEmbed;

use super::error::{ApiError, ErrorCode};

#[derive(RustEmbed)]
#[folder = "assets/"]
struct Assets;

/// `GET /assets/{path}`.
pub async fn serve_asset(
    request: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let path = path.into_inner();
    let Some(file) = Assets::get(&path) else {
        return Err(ApiError::new(
            ErrorCode::RouteNotFound,
            format!("no asset `{}`", path.chars().take(100).collect::<String>()),
        ));
    };
    let etag = format!(
        "\"{}\"",
        file.metadata
            .sha256_hash()
            .iter()
            .take(16)
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    );
    let cache = HeaderValue::from_static("public, max-age=3600");
    if request
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        == Some(etag.as_str())
    {
        return Ok(HttpResponse::NotModified()
            .insert_header((header::ETAG, etag))
            .insert_header((header::CACHE_CONTROL, cache))
            .finish());
    }
    Ok(HttpResponse::Ok()
        .content_type(content_type(&path))
        .insert_header((header::ETAG, etag))
        .insert_header((header::CACHE_CONTROL, cache))
        .body(file.data.into_owned()))
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or_default() {
        "svg" => "image/svg+xml",
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        _ => "application/octet-stream",
    }
}
