//! Moving bytes over HTTP, in one place for every route that takes or serves a file (the model
//! file, repository files, blobs, the Hub's `resolve`): the streamed receive with its limits and
//! idle timeout, and a bounded-memory file stream.

use std::io::{Read, Seek, SeekFrom};

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, HttpResponseBuilder, web};
use futures_util::StreamExt;

use crate::ops::files::upload::{Received, Upload};
use crate::ops::{OpsError, Services};
use crate::web::error::{ApiError, ErrorCode};
use crate::web::range::{self, RangeOutcome};

/// Receives a request body into a temporary file: size limit (413 up front for a declared
/// length), project quota, free space, idle timeout (408), hashed on the way.
pub async fn receive(
    request: &HttpRequest,
    services: &Services,
    mut body: web::Payload,
    quota: Option<u64>,
) -> Result<Received, ApiError> {
    let declared_length = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let mut upload = Upload::start(services, declared_length, quota)?;
    let idle = services.uploads.idle;
    loop {
        match tokio::time::timeout(idle, body.next()).await {
            Err(_) => {
                return Err(OpsError::UploadStalled {
                    seconds: idle.as_secs(),
                }
                .into());
            }
            Ok(None) => break,
            Ok(Some(Err(error))) => {
                return Err(ApiError::new(
                    ErrorCode::InvalidRequest,
                    format!("the upload was interrupted: {error}"),
                ));
            }
            Ok(Some(Ok(chunk))) => upload.push(&chunk).await?,
        }
    }
    Ok(upload.finish().await?)
}

/// Serves a stored file as `application/octet-stream` with `ETag` (its quoted sha256),
/// `Accept-Ranges` and one `Range` (206; 416 with `bytes */N` when unsatisfiable, RFC 9110).
/// `decorate` adds the route's own headers.
pub fn serve_file(
    request: &HttpRequest,
    path: &std::path::Path,
    size: u64,
    sha256: &str,
    decorate: impl FnOnce(&mut HttpResponseBuilder),
) -> Result<HttpResponse, ApiError> {
    let range = match range::evaluate(
        request.headers().get(header::RANGE).map(|v| v.as_bytes()),
        size,
    ) {
        RangeOutcome::Full => None,
        RangeOutcome::Partial { start, end } => Some((start, end)),
        RangeOutcome::Unsatisfiable => {
            return Err(ApiError::new(
                ErrorCode::RangeNotSatisfiable,
                format!("the range is not satisfiable: the file has {size} bytes"),
            )
            .with_header(header::CONTENT_RANGE, format!("bytes */{size}")));
        }
    };
    let (start, end) = range.unwrap_or((0, size.saturating_sub(1)));
    let length = if size == 0 { 0 } else { end - start + 1 };
    let file = std::fs::File::open(path).map_err(|e| {
        tracing::error!(error = %e, path = %path.display(), "stored file missing");
        ApiError::new(ErrorCode::ArtifactNotFound, "the stored file is missing")
    })?;
    let mut response = if range.is_some() {
        HttpResponse::PartialContent()
    } else {
        HttpResponse::Ok()
    };
    response
        .content_type("application/octet-stream")
        .insert_header((header::ACCEPT_RANGES, "bytes"))
        .insert_header((header::ETAG, format!("\"{sha256}\"")))
        .insert_header(("X-Content-SHA256", sha256));
    if range.is_some() {
        response.insert_header((header::CONTENT_RANGE, format!("bytes {start}-{end}/{size}")));
    }
    decorate(&mut response);
    Ok(response.body(actix_web::body::SizedStream::new(
        length,
        file_stream(file, start, length),
    )))
}

/// Reads `length` bytes from `start` on a blocking thread, 256 KiB at a time, through a small
/// channel: memory stays bounded whatever the file size.
pub fn file_stream(
    mut file: std::fs::File,
    start: u64,
    length: u64,
) -> impl futures_util::Stream<Item = Result<web::Bytes, std::io::Error>> {
    let (sender, receiver) = tokio::sync::mpsc::channel::<Result<web::Bytes, std::io::Error>>(4);
    tokio::task::spawn_blocking(move || {
        if let Err(e) = file.seek(SeekFrom::Start(start)) {
            let _ = sender.blocking_send(Err(e));
            return;
        }
        let mut left = length;
        let mut buffer = vec![0u8; 256 * 1024];
        while left > 0 {
            let want = buffer
                .len()
                .min(usize::try_from(left).unwrap_or(usize::MAX));
            match file.read(&mut buffer[..want]) {
                Ok(0) => break,
                Ok(n) => {
                    left -= n as u64;
                    if sender
                        .blocking_send(Ok(web::Bytes::copy_from_slice(&buffer[..n])))
                        .is_err()
                    {
                        return; // the client went away
                    }
                }
                Err(e) => {
                    let _ = sender.blocking_send(Err(e));
                    return;
                }
            }
        }
    });
    futures_util::stream::unfold(receiver, |mut receiver| async move {
        receiver.recv().await.map(|item| (item, receiver))
    })
}
