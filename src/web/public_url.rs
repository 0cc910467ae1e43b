//! The base of every absolute link the server writes (feeds, the Hub's `Link` paging, the detail
//! page's clone and download commands) — RELIABILITY T50. Links end up in cached pages and in
//! other people's feed readers, so they may not follow what a client claims:
//!
//! 1. `--public-url` (env `XERO_PUBLIC_URL`), when configured, always;
//! 2. else, from a `--trusted-proxy` peer only, the host and scheme it forwards (`Forwarded`,
//!    then `X-Forwarded-Host` / `X-Forwarded-Proto`, then `Host`); a scheme other than `http`
//!    or `https`, or a host that is not a plain host name or address, is ignored;
//! 3. else the address the server listens on (loopback when bound to every interface).

use actix_web::{HttpRequest, web};

use super::client_address::TrustedProxies;

/// Where links point when nothing trusted says otherwise; fixed at start-up.
#[derive(Debug, Clone)]
pub struct PublicBase {
    configured: Option<String>,
    listening: String,
}

impl PublicBase {
    /// `configured` is `--public-url` (already validated), `listening` the bound address.
    pub fn new(configured: Option<String>, listening: std::net::SocketAddr) -> Self {
        let host = if listening.ip().is_unspecified() {
            "127.0.0.1".to_owned()
        } else if listening.is_ipv6() {
            format!("[{}]", listening.ip())
        } else {
            listening.ip().to_string()
        };
        Self {
            configured: configured.map(|url| url.trim_end_matches('/').to_owned()),
            listening: format!("http://{host}:{}", listening.port()),
        }
    }
}

/// Checks a `--public-url`: an absolute http(s) URL without query or fragment.
pub fn parse_public_url(raw: &str) -> Result<String, String> {
    let url = raw.trim().trim_end_matches('/');
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or_else(|| format!("`{raw}` is not an http:// or https:// URL"))?;
    let host = rest.split('/').next().unwrap_or_default();
    if !is_plain_host(host) || rest.contains(['?', '#']) || rest.contains(char::is_whitespace) {
        return Err(format!(
            "`{raw}` is not a URL like `https://models.example.com` (a host, an optional port and path)"
        ));
    }
    Ok(url.to_owned())
}

/// `scheme://host[:port]` (or the configured URL, which may carry a path) for this request.
pub fn base_url(request: &HttpRequest) -> String {
    let Some(base) = request.app_data::<web::Data<PublicBase>>() else {
        // Only unit-built apps lack it; the connection's own view is all there is then.
        let info = request.connection_info();
        return format!("{}://{}", info.scheme(), info.host());
    };
    if let Some(configured) = &base.configured {
        return configured.clone();
    }
    let trusted = request
        .app_data::<web::Data<TrustedProxies>>()
        .zip(request.peer_addr())
        .is_some_and(|(proxies, peer)| proxies.contains(peer.ip()));
    if trusted && let Some(forwarded) = forwarded_base(request) {
        return forwarded;
    }
    base.listening.clone()
}

/// What a trusted proxy says the client asked for, when it says it readably.
fn forwarded_base(request: &HttpRequest) -> Option<String> {
    let header = |name: &str| {
        request
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.split(',').next().unwrap_or_default().trim().to_owned())
    };
    let forwarded = header("forwarded").unwrap_or_default();
    let pair = |key: &str| {
        forwarded.split(';').find_map(|part| {
            let (k, v) = part.trim().split_once('=')?;
            k.eq_ignore_ascii_case(key)
                .then(|| v.trim_matches('"').to_owned())
        })
    };
    let host = pair("host")
        .or_else(|| header("x-forwarded-host"))
        .or_else(|| header("host"))
        .filter(|h| is_plain_host(h))?;
    let scheme = pair("proto")
        .or_else(|| header("x-forwarded-proto"))
        .map(|p| p.to_ascii_lowercase())
        .filter(|p| p == "http" || p == "https")
        .unwrap_or_else(|| "http".to_owned());
    Some(format!("{scheme}://{host}"))
}

/// A host name, IPv4 or bracketed IPv6 address, optionally with a port: nothing that could end
/// the URL early or smuggle a user, path or script into it.
fn is_plain_host(host: &str) -> bool {
    !host.is_empty()
        && host.len() <= 255
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_urls_are_checked() {
        assert_eq!(
            parse_public_url("https://models.example.com/").unwrap(),
            "https://models.example.com"
        );
        assert_eq!(
            parse_public_url("http://10.0.0.5:8080/xero").unwrap(),
            "http://10.0.0.5:8080/xero"
        );
        for bad in [
            "javascript:alert(1)",
            "models.example.com",
            "https://a b",
            "https://x/?q=1",
            "https://user@host",
            "https://",
        ] {
            assert!(parse_public_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn hosts_that_could_smuggle_anything_are_not_plain() {
        assert!(is_plain_host("models.example.com:443"));
        assert!(is_plain_host("[::1]:8080"));
        for bad in ["evil.com/x", "a@b", "x\"y", "", "a b", "javascript:x<"] {
            assert!(!is_plain_host(bad), "{bad}");
        }
    }
}
