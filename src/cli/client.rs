//! A blocking REST client for the CLI (reqwest with rustls). It decodes the server's error
//! envelope into `ClientError::Api`, so commands print the server's own message.

use std::time::Duration;

use serde::de::DeserializeOwned;
use serde_json::Value;

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
}

impl ClientError {
    /// 1: the server refused; 2: the command was wrong (as clap's own usage errors);
    /// 3: configuration is missing (no key); 4: the server could not be reached.
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::Api { .. } => 1,
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
    pub fn new(base: &str, key: Option<String>) -> Result<Self, ClientError> {
        let key = key.filter(|k| !k.trim().is_empty());
        if key.is_none() {
            return Err(ClientError::Config(
                "no API key: set XERO_API_KEY or pass --api-key".to_owned(),
            ));
        }
        Self::build(base, key)
    }

    /// A client for the public catalog: the key is sent when there is one.
    pub fn public(base: &str, key: Option<String>) -> Result<Self, ClientError> {
        Self::build(base, key.filter(|k| !k.trim().is_empty()))
    }

    fn build(base: &str, key: Option<String>) -> Result<Self, ClientError> {
        let http = reqwest::blocking::Client::builder()
            .timeout(Duration::from_secs(60))
            .build()
            .map_err(|e| ClientError::Config(format!("cannot set up the HTTP client: {e}")))?;
        Ok(Self {
            base: base.trim_end_matches('/').to_owned(),
            key,
            http,
        })
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
        let response = request.send().map_err(|e| ClientError::Transport {
            url: self.base.clone(),
            reason: root_cause(&e),
        })?;
        self.decode(response, url)
    }

    fn decode(
        &self,
        response: reqwest::blocking::Response,
        url: String,
    ) -> Result<Value, ClientError> {
        let status = response.status();
        let body = response.text().map_err(|e| ClientError::Transport {
            url: url.clone(),
            reason: root_cause(&e),
        })?;
        if status == reqwest::StatusCode::NO_CONTENT {
            return Ok(Value::Null);
        }
        if status.is_success() {
            return serde_json::from_str(&body).map_err(|_| ClientError::Transport {
                url,
                reason: "the answer is not JSON: is this a xeroctl server?".to_owned(),
            });
        }
        match serde_json::from_str::<ErrorBody>(&body) {
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
        let response = request.send().map_err(|e| ClientError::Transport {
            url: self.base.clone(),
            reason: root_cause(&e),
        })?;
        self.decode(response, url)
    }

    pub fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, ClientError> {
        let value = self.call(reqwest::Method::GET, path)?;
        serde_json::from_value(value).map_err(|e| ClientError::Transport {
            url: self.base.clone(),
            reason: format!("unexpected answer: {e}"),
        })
    }

    /// The project of the key, asked of the server.
    pub fn key_info(&self) -> Result<KeyInfo, ClientError> {
        self.get("/v1/auth/key")
    }
}

fn root_cause(error: &dyn std::error::Error) -> String {
    let mut cause = error;
    while let Some(source) = cause.source() {
        cause = source;
    }
    cause.to_string()
}
