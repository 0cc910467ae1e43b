//! Static files embedded in the binary (rust-embed): logos, CSS, JavaScript. Served with their
//! content type, an ETag from the content hash, and a cache lifetime.

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use std::collections::HashMap;
use std::sync::OnceLock;

use rust_embed::RustEmbed;

use super::error::{ApiError, ErrorCode};

#[derive(RustEmbed)]
#[folder = "assets/"]
struct Assets;

/// Returns the fingerprinted URL of an asset (`/assets/app.3f2a9c1d.css`): its content hash
/// is in the name, so it can be cached for a year and a new build never serves a stale copy.
pub fn asset_url(name: &str) -> String {
    static URLS: OnceLock<HashMap<String, String>> = OnceLock::new();
    let urls = URLS.get_or_init(|| {
        Assets::iter()
            .filter_map(|path| {
                let file = Assets::get(&path)?;
                let hash = short_hash(&file);
                let fingerprinted = match path.rsplit_once('.') {
                    Some((stem, ext)) => format!("/assets/{stem}.{hash}.{ext}"),
                    None => format!("/assets/{path}"),
                };
                Some((path.to_string(), fingerprinted))
            })
            .collect()
    });
    urls.get(name)
        .cloned()
        .unwrap_or_else(|| format!("/assets/{name}"))
}

fn short_hash(file: &rust_embed::EmbeddedFile) -> String {
    file.metadata
        .sha256_hash()
        .iter()
        .take(4)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Splits `app.3f2a9c1d.css` into (`app.css`, `3f2a9c1d`) when the middle part is a hash.
fn unfingerprint(path: &str) -> Option<(String, &str)> {
    let (rest, ext) = path.rsplit_once('.')?;
    let (stem, hash) = rest.rsplit_once('.')?;
    (hash.len() == 8 && hash.bytes().all(|b| b.is_ascii_hexdigit()))
        .then(|| (format!("{stem}.{ext}"), hash))
}

/// `GET /assets/{path}`: fingerprinted names are immutable for a year, plain names an hour.
pub async fn serve_asset(
    request: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let requested = path.into_inner();
    let (name, file, immutable) = match unfingerprint(&requested)
        .and_then(|(name, hash)| Assets::get(&name).map(|f| (name, f, hash)))
    {
        Some((name, file, hash)) if short_hash(&file) == hash => (name, file, true),
        _ => match Assets::get(&requested) {
            Some(file) => (requested.clone(), file, false),
            None => {
                return Err(ApiError::new(
                    ErrorCode::RouteNotFound,
                    format!(
                        "no asset `{}`",
                        requested.chars().take(100).collect::<String>()
                    ),
                ));
            }
        },
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
    let cache = HeaderValue::from_static(if immutable {
        "public, max-age=31536000, immutable"
    } else {
        "public, max-age=3600"
    });
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
        .content_type(content_type(&name))
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
