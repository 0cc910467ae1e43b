//! Bearer-key authentication for the project API. It runs before any extractor, so a request
//! without a valid key gets 401 whatever is wrong with its body (STYLE §2 step 2).

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage, web};

use super::error::{ApiError, ErrorCode};
use crate::auth::AuthError;
use crate::ops::{self, Services};

/// Resolves `Authorization: Bearer xero_…` into a `Principal` in the request extensions.
pub async fn require_api_key(
    request: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let token = bearer_token(&request)?;
    let services = request
        .app_data::<web::Data<Services>>()
        .cloned()
        .ok_or_else(|| ApiError::new(ErrorCode::Internal, "internal error"))?;
    let principal = ops::authenticate::authenticate_key(&services, &token)
        .await
        .map_err(ApiError::from)?;
    request.extensions_mut().insert(principal);
    next.call(request).await
}

fn bearer_token(request: &ServiceRequest) -> Result<String, ApiError> {
    let value = request
        .headers()
        .get(header::AUTHORIZATION)
        .ok_or(AuthError::MissingKey)?;
    let value = value.to_str().map_err(|_| AuthError::InvalidKey)?;
    let (scheme, token) = value.trim().split_once(' ').ok_or(AuthError::InvalidKey)?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(AuthError::InvalidKey.into());
    }
    Ok(token.trim().to_owned())
}
