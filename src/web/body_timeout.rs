//! A deadline on ordinary request bodies (RELIABILITY T51). actix-web bounds how long the
//! headers may take (`client_request_timeout`) but not the body: a POST that declares 100 bytes
//! and sends one, or a login form trickled a byte at a time, held a worker's connection for as
//! long as the client liked. Every body of a non-upload route is read here, whole, within
//! `--body-timeout` (default 10 s; 408 after it), at most [`JSON_LIMIT`] bytes, and handed to
//! the route's extractor from memory. Uploads (`PUT`, and the upload form's `POST …/upload`)
//! stream under their own idle timeout instead (`--upload-idle-timeout`).
//!
//! An address may have only so many bodies in flight at once (default 16; 429 beyond): slow
//! senders from one place cannot take every connection the server is willing to hold.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::HttpMessage;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::{Method, header};
use actix_web::middleware::Next;
use actix_web::web::{self, Bytes, BytesMut};
use futures_util::StreamExt;

use super::conformance::negotiated;
use super::error::{ApiError, ErrorCode};

/// The largest ordinary (JSON or form) request body.
pub const JSON_LIMIT: usize = 1024 * 1024;
/// A Hub commit lists every file of a folder upload (10 000 files are ~1.5 MB of NDJSON).
pub const COMMIT_LIMIT: usize = 64 * 1024 * 1024;

/// The body deadline and the per-address cap; shared by every worker.
#[derive(Debug)]
pub struct BodyLimits {
    pub timeout: Duration,
    pub per_address: usize,
    reading: Mutex<HashMap<IpAddr, usize>>,
}

impl BodyLimits {
    pub fn new(timeout: Duration, per_address: usize) -> Self {
        Self {
            timeout,
            per_address,
            reading: Mutex::default(),
        }
    }

    /// A place for one more body from `address`, or `None` when it has its share.
    fn enter(self: &Arc<Self>, address: IpAddr) -> Option<Reading> {
        let mut reading = self.reading.lock().unwrap_or_else(|e| e.into_inner());
        let count = reading.entry(address).or_default();
        if *count >= self.per_address {
            return None;
        }
        *count += 1;
        Some(Reading {
            limits: self.clone(),
            address,
        })
    }
}

/// One body being read; leaves its place on drop.
struct Reading {
    limits: Arc<BodyLimits>,
    address: IpAddr,
}

impl Drop for Reading {
    fn drop(&mut self) {
        let mut reading = self
            .limits
            .reading
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if let Some(count) = reading.get_mut(&self.address) {
            *count -= 1;
            if *count == 0 {
                reading.remove(&self.address);
            }
        }
    }
}

/// Routes that stream large bodies under their own idle timeout.
fn is_upload(request: &ServiceRequest) -> bool {
    request.method() == Method::PUT
        || (request.method() == Method::POST && request.path().ends_with("/upload"))
}

fn has_body(request: &ServiceRequest) -> bool {
    let headers = request.headers();
    headers.contains_key(header::TRANSFER_ENCODING)
        || headers
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim() != "0")
}

/// The middleware.
pub async fn read_body_in_time(
    mut request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let limits = request.app_data::<web::Data<BodyLimits>>().cloned();
    let Some(limits) = limits.filter(|_| has_body(&request) && !is_upload(&request)) else {
        return Ok(next.call(request).await?.map_into_boxed_body());
    };
    let refuse = |request: ServiceRequest, error: ApiError| {
        let (http, _) = request.into_parts();
        let response = negotiated(&http, &error);
        Ok(ServiceResponse::new(http, response))
    };
    let address = super::client_address::client_address(request.request());
    let place = match address {
        Some(address) => match limits.clone().into_inner().enter(address) {
            Some(place) => Some(place),
            None => {
                let mut error = ApiError::new(
                    ErrorCode::TooManyRequests,
                    "too many request bodies in flight from this address; try again in a moment",
                );
                error.headers.push((header::RETRY_AFTER, "1".to_owned()));
                return refuse(request, error);
            }
        },
        None => None,
    };
    let limit = if request.path().starts_with("/api/models/") && request.path().contains("/commit/")
    {
        COMMIT_LIMIT
    } else {
        JSON_LIMIT
    };
    let mut payload = request.take_payload();
    let read = async {
        let mut body = BytesMut::new();
        while let Some(chunk) = payload.next().await {
            let chunk = chunk.map_err(|e| Some(e.to_string()))?;
            if body.len() + chunk.len() > limit {
                return Err(None);
            }
            body.extend_from_slice(&chunk);
        }
        Ok::<Bytes, Option<String>>(body.freeze())
    };
    let body = match tokio::time::timeout(limits.timeout, read).await {
        Ok(Ok(body)) => body,
        Ok(Err(None)) => {
            let message = format!("the request body is larger than {limit} bytes");
            return refuse(request, ApiError::new(ErrorCode::PayloadTooLarge, message));
        }
        Ok(Err(Some(reason))) => {
            let message = format!("the request body could not be read: {reason}");
            return refuse(request, ApiError::new(ErrorCode::InvalidRequest, message));
        }
        Err(_) => {
            let message = format!(
                "the request body did not arrive within {} s",
                limits.timeout.as_secs_f64()
            );
            let mut error = ApiError::new(ErrorCode::BodyTimeout, message);
            // The rest of the body may still be on its way: the connection cannot be reused.
            error.headers.push((header::CONNECTION, "close".to_owned()));
            return refuse(request, error);
        }
    };
    drop(place);
    request.set_payload(Payload::from(body));
    Ok(next.call(request).await?.map_into_boxed_body())
}
