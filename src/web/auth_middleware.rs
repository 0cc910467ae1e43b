//! Bearer-key authentication for the project API. It runs before any extractor, so a request
//! without a valid key gets 401 whatever is wrong with its body (STYLE §2 step 2).

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderMap};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage, web};

use super::error::{ApiError, ErrorCode};
use crate::auth::AuthError;
use crate::ops::{self, Services};

/// Resolves `Authorization: Bearer xero_…` into a `Principal` in the request extensions.
/// A refusal is answered here as a response (not an `Err`), so the outer middleware still adds
/// the security headers to it.
pub async fn require_api_key<B: MessageBody>(
    request: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<EitherBody<B>>, Error> {
    match authenticate(&request).await {
        Ok(principal) => {
            request.extensions_mut().insert(principal);
            Ok(next.call(request).await?.map_into_left_body())
        }
        Err(refusal) => Ok(request.error_response(refusal).map_into_right_body()),
    }
}

async fn authenticate(request: &ServiceRequest) -> Result<crate::auth::Principal, ApiError> {
    let token = bearer_token(request.headers())?.ok_or(AuthError::MissingKey)?;
    let services = request
        .app_data::<web::Data<Services>>()
        .cloned()
        .ok_or_else(|| ApiError::new(ErrorCode::Internal, "internal error"))?;
    Ok(ops::access::authenticate::authenticate_key(&services, &token).await?)
}

/// Extracts the Bearer token: `Ok(None)` without an `Authorization` header, an error for a
/// header that is not a Bearer token.
pub fn bearer_token(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let value = value.to_str().map_err(|_| AuthError::InvalidKey)?;
    let (scheme, token) = value.trim().split_once(' ').ok_or(AuthError::InvalidKey)?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(AuthError::InvalidKey.into());
    }
    Ok(Some(token.trim().to_owned()))
}

/// Resolves `Authorization: Bearer xagt_…` into an `AgentPrincipal` for the agent API. API keys
/// are refused here, as agent tokens are refused by [`require_api_key`] (RELIABILITY T6).
pub async fn require_agent_token<B: MessageBody>(
    request: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<EitherBody<B>>, Error> {
    match authenticate_agent(&request).await {
        Ok(agent) => {
            request.extensions_mut().insert(agent);
            Ok(next.call(request).await?.map_into_left_body())
        }
        Err(refusal) => Ok(request.error_response(refusal).map_into_right_body()),
    }
}

async fn authenticate_agent(
    request: &ServiceRequest,
) -> Result<crate::auth::agent_tokens::AgentPrincipal, ApiError> {
    use crate::auth::agent_tokens::AgentAuthError;
    let token = bearer_token(request.headers())
        .map_err(|_| AgentAuthError::Invalid)?
        .ok_or(AgentAuthError::Missing)?;
    let services = request
        .app_data::<web::Data<Services>>()
        .cloned()
        .ok_or_else(|| ApiError::new(ErrorCode::Internal, "internal error"))?;
    Ok(ops::infra::agents::authenticate_agent(&services, &token).await?)
}
