//! A blocking REST client for the CLI (reqwest with rustls). It decodes the server's error
//! envelope into `ClientError::Api`, so commands print the server's own message.

use std::time::Duration;

use serde::de::DeserializeOwned;
use serde_json::Value;

use super::args::Connection;
use crate::wire::{ErrorBody, KeyInfo};

/// What a CLI command can fail with; `main` maps each to an exit code.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("{message}")]
    Api {
        status: u16,
        code: String,
        message: String,
    },
    #[error("cannot reach the server at {url}: {reason}")]
    Transport { url: String, reason: String },
    #[error("{0}")]
    Config(String),
    #[error("{0}")]
    Usage(String),
    /// A batch command finished but some of its items failed (each was reported already).
    #[error("{0}")]
    Incomplete(String),
}

impl ClientError {
    /// 1: the server refused (or refused some items of a batch); 2: the command was wrong (as clap's own usage errors);
    /// 3: configuration is missing or wrong (no key, a malformed base URL, `https://` to a
    /// plain-HTTP server); 4: the server could not be reached.
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::Api { .. } | Self::Incomplete(_) => 1,
            Self::Usage(_) => 2,
            Self::Config(_) => 3,
            Self::Transport { .. } => 4,
        }
    }
}

/// Connection settings: flags over `XERO_*` variables over defaults (resolved in `args`).
pub struct Client {
    base: String,
    key: Option<String>,
    http: reqwest::blocking::Client,
}

impl Client {
    /// A client that must present a key.
    pub fn new(connection: &Connection) -> Result<Self, ClientError> {
        let base = base_url(connection)?;
        let key = connection.api_key.clone().filter(|k| !k.trim().is_empty());
        if key.is_none() {
            return Err(ClientError::Config(
                "no API key: set XERO_API_KEY or pass --api-key".to_owned(),
            ));
        }
        Self::build(base, key)
    }

    /// A client for the public catalog: the key is sent when there is one.
    pub fn public(connection: &Connection) -> Result<Self, ClientError> {
        let base = base_url(connection)?;
        Self::build(
            base,
            connection.api_key.clone().filter(|k| !k.trim().is_empty()),
        )
    }

    fn build(base: String, key: Option<String>) -> Result<Self, ClientError> {
        let http = reqwest::blocking::Client::builder()
            .timeout(Duration::from_secs(60))
            .build()
            .map_err(|e| ClientError::Config(format!("cannot set up the HTTP client: {e}")))?;
        Ok(Self { base, key, http })
    }

    /// Sends a request and returns the JSON answer, or the server's error.
    pub fn call(&self, method: reqwest::Method, path: &str) -> Result<Value, ClientError> {
        self.send(method, path, None)
    }

    /// Sends a JSON body.
    pub fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Value, ClientError> {
        let url = format!("{}{path}", self.base);
        let mut request = self.http.request(method, &url);
        if let Some(body) = body {
            request = request.json(body);
        }
        if let Some(key) = &self.key {
            request = request.bearer_auth(key);
        }
        let response = request.send().map_err(|e| self.transport_error(&e))?;
        self.decode(response, url)
    }

    fn decode(
        &self,
        response: reqwest::blocking::Response,
        url: String,
    ) -> Result<Value, ClientError> {
        let status = response.status();
        let body = response.text().map_err(|e| self.transport_error(&e))?;
        Self::decode_text(status, &body, url)
    }

    fn decode_text(
        status: reqwest::StatusCode,
        body: &str,
        url: String,
    ) -> Result<Value, ClientError> {
        if status == reqwest::StatusCode::NO_CONTENT {
            return Ok(Value::Null);
        }
        if status.is_success() {
            return serde_json::from_str(body).map_err(|_| ClientError::Transport {
                url,
                reason: "the answer is not JSON: is this a xeroctl server?".to_owned(),
            });
        }
        match serde_json::from_str::<ErrorBody>(body) {
            Ok(envelope) => Err(ClientError::Api {
                status: status.as_u16(),
                code: envelope.error.code,
                message: envelope.error.message,
            }),
            Err(_) => Err(ClientError::Api {
                status: status.as_u16(),
                code: "unknown".to_owned(),
                message: format!("the server answered {status}"),
            }),
        }
    }

    /// An uploader for one thread: files go through it in 1 MiB chunks.
    pub fn uploader(&self) -> Result<Uploader<'_>, ClientError> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| ClientError::Config(format!("cannot start the upload: {e}")))?;
        let http = reqwest::Client::builder()
            .build()
            .map_err(|e| ClientError::Config(format!("cannot set up the HTTP client: {e}")))?;
        Ok(Uploader {
            client: self,
            runtime,
            http,
        })
    }

    /// Sends a file body without the usual request timeout (uploads take as long as they take;
    /// the server aborts a stalled one).
    pub fn put_body(
        &self,
        path: &str,
        body: reqwest::blocking::Body,
    ) -> Result<Value, ClientError> {
        let url = format!("{}{path}", self.base);
        let mut request = self
            .http
            .put(&url)
            .timeout(Duration::from_secs(7 * 24 * 3600))
            .header("Content-Type", "application/octet-stream")
            .body(body);
        if let Some(key) = &self.key {
            request = request.bearer_auth(key);
        }
        let response = request.send().map_err(|e| self.transport_error(&e))?;
        self.decode(response, url)
    }

    pub fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, ClientError> {
        let value = self.call(reqwest::Method::GET, path)?;
        serde_json::from_value(value).map_err(|e| ClientError::Transport {
            url: self.base.clone(),
            reason: format!("unexpected answer: {e}"),
        })
    }

    /// The server's base URL, as checked (no trailing `/`).
    pub fn base(&self) -> &str {
        &self.base
    }

    /// The project of the key, asked of the server.
    pub fn key_info(&self) -> Result<KeyInfo, ClientError> {
        self.get("/v1/auth/key")
    }

    /// A failed exchange, told as what to fix where the cause is known: the commonest is a URL
    /// whose scheme does not match the server's (rustls reads a plain-HTTP answer as a record
    /// of type `InvalidContentType`; hyper reads a TLS alert as an invalid HTTP version).
    fn transport_error(&self, error: &reqwest::Error) -> ClientError {
        let chain = error_chain(error);
        let base = &self.base;
        if let Some(rest) = base.strip_prefix("https://")
            && (chain.contains("InvalidContentType") || chain.contains("corrupt message"))
        {
            return ClientError::Config(format!(
                "the server at {base} does not speak TLS: use http://{rest}"
            ));
        }
        if let Some(rest) = base.strip_prefix("http://")
            && chain.contains("invalid HTTP version")
        {
            return ClientError::Config(format!(
                "the server at {base} does not answer in plain HTTP (it may speak TLS): use https://{rest}"
            ));
        }
        ClientError::Transport {
            url: base.clone(),
            reason: root_cause(error),
        }
    }
}

/// The base URL, checked: `http` or `https`, a host, no query or fragment. A malformed one is
/// a configuration error naming the setting it came from, not a server that "cannot be reached".
fn base_url(connection: &Connection) -> Result<String, ClientError> {
    let raw = connection.base_url.trim();
    let setting = connection.base_url_setting();
    let refuse = |why: &str| {
        ClientError::Config(format!(
            "{setting} `{raw}` is not a server URL like `http://127.0.0.1:8080`: {why}"
        ))
    };
    // Without `://`, `localhost:8080` would parse with `localhost` as its scheme.
    if !raw.contains("://") {
        return Err(refuse("it needs `http://` or `https://`"));
    }
    let url = reqwest::Url::parse(raw).map_err(|e| refuse(&e.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(refuse("the scheme must be `http` or `https`"));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(refuse("it has no host"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(refuse("a base URL has no `?…` or `#…` part"));
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

/// Every message in the error's source chain, `Debug` included (rustls' own error kinds show
/// only there in some versions).
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = format!("{error} {error:?}");
    let mut cause = error.source();
    while let Some(source) = cause {
        text.push_str(&format!(" | {source} {source:?}"));
        cause = source.source();
    }
    text
}

fn root_cause(error: &dyn std::error::Error) -> String {
    let mut cause = error;
    while let Some(source) = cause.source() {
        cause = source;
    }
    cause.to_string()
}

/// Sends files in 1 MiB chunks. The blocking client moves a body 8 KiB at a time (each a read, a
/// channel hop and a socket write: most of the CLI's time on a big upload), so uploads take
/// reqwest's async client, on a runtime of their own, one per uploading thread (its
/// connections live on that runtime).
pub struct Uploader<'a> {
    client: &'a Client,
    runtime: tokio::runtime::Runtime,
    http: reqwest::Client,
}

impl Uploader<'_> {
    /// PUTs the file at `source`, counting what is sent on `progress`.
    pub fn put_file(
        &self,
        path: &str,
        source: &std::path::Path,
        size: u64,
        progress: &indicatif::ProgressBar,
    ) -> Result<Value, ClientError> {
        use std::io::Read;
        const CHUNK: usize = 1 << 20;
        let client = self.client;
        let url = format!("{}{path}", client.base);
        let file = std::fs::File::open(source)
            .map_err(|e| ClientError::Config(format!("cannot read `{}`: {e}", source.display())))?;
        let progress = progress.clone();
        let chunks = futures_util::stream::unfold(file, move |mut file| {
            let progress = progress.clone();
            async move {
                let mut buffer = vec![0u8; CHUNK];
                let mut filled = 0;
                while filled < CHUNK {
                    match file.read(&mut buffer[filled..]) {
                        Ok(0) => break,
                        Ok(n) => filled += n,
                        Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                        Err(e) => return Some((Err(e), file)),
                    }
                }
                if filled == 0 {
                    return None;
                }
                buffer.truncate(filled);
                progress.inc(filled as u64);
                Some((Ok::<_, std::io::Error>(buffer), file))
            }
        });
        self.runtime.block_on(async {
            let mut request = self
                .http
                .put(&url)
                .header("Content-Type", "application/octet-stream")
                .header("Content-Length", size)
                .body(reqwest::Body::wrap_stream(chunks));
            if let Some(key) = &client.key {
                request = request.bearer_auth(key);
            }
            let response = request
                .send()
                .await
                .map_err(|e| client.transport_error(&e))?;
            let status = response.status();
            let body = response
                .text()
                .await
                .map_err(|e| client.transport_error(&e))?;
            Client::decode_text(status, &body, url.clone())
        })
    }
}
