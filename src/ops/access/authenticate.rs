//! Turns a presented API key into a [`Principal`]: parse, look the key up by its public id,
//! compare digests in constant time.

use crate::auth::{AuthError, Principal, keys};
use crate::ops::{OpsError, Services};
use crate::store;

/// Authenticates a Bearer token. Unknown, malformed and revoked keys are all refused.
pub async fn authenticate_key(services: &Services, token: &str) -> Result<Principal, OpsError> {
    if token.starts_with(crate::auth::agent_tokens::PREFIX) {
        return Err(AuthError::AgentTokenGiven.into());
    }
    let presented = keys::parse_presented(token)?;
    let key_id = presented.id.clone();
    let record = services
        .store
        .call(move |conn| store::keys::find_key(conn, &key_id))
        .await?;
    let principal = keys::verify(&presented, record.as_ref());
    if let Err(AuthError::RevokedKey) = principal {
        tracing::info!(key = %keys::redact(token), "revoked API key presented");
    }
    Ok(principal?)
}
