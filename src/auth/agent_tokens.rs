//! Agent tokens: `xagt_<secret>`, 43 base62 characters (≈ 256 bits). Like API keys, the first 8
//! characters form the public id (`agt_…`) and only a SHA-256 of the whole token is stored. The
//! distinct prefix keeps the two apart: an agent token is never an API key, nor the reverse.

use rand::distributions::{Alphanumeric, DistString};

use super::keys::{constant_time_eq, digest};
use crate::catalog::ids::ProjectId;
use crate::catalog::infra::{AgentId, AgentKind};
use crate::store::agents::AgentRecord;

pub const PREFIX: &str = "xagt_";
const SECRET_LEN: usize = 43;
const ID_LEN: usize = 8;

/// A fresh token: the plain text is shown once and never stored.
#[derive(Debug, Clone)]
pub struct GeneratedToken {
    pub plain: String,
    pub id: AgentId,
    pub token_hash: Vec<u8>,
}

pub fn generate() -> GeneratedToken {
    let secret = Alphanumeric.sample_string(&mut rand::rngs::OsRng, SECRET_LEN);
    let plain = format!("{PREFIX}{secret}");
    GeneratedToken {
        id: id_of(&secret),
        token_hash: digest(&plain),
        plain,
    }
}

/// An authenticated agent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentPrincipal {
    pub id: AgentId,
    pub kind: AgentKind,
    pub project_id: Option<ProjectId>,
}

/// Why an agent token was refused.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum AgentAuthError {
    #[error("missing agent token: send `Authorization: Bearer xagt_<secret>`")]
    Missing,
    #[error("agent routes take an agent token (`xagt_…`), not an API key")]
    ApiKeyGiven,
    #[error("invalid agent token")]
    Invalid,
}

/// Splits a presented token into the id to look up and its digest.
pub fn parse_presented(token: &str) -> Result<(AgentId, Vec<u8>), AgentAuthError> {
    if token.starts_with("xero_") {
        return Err(AgentAuthError::ApiKeyGiven);
    }
    let secret = token.strip_prefix(PREFIX).ok_or(AgentAuthError::Invalid)?;
    if secret.len() != SECRET_LEN || !secret.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(AgentAuthError::Invalid);
    }
    Ok((id_of(secret), digest(token)))
}

/// Checks the digest against the stored agent found by id.
pub fn verify(
    presented_digest: &[u8],
    record: Option<&AgentRecord>,
) -> Result<AgentPrincipal, AgentAuthError> {
    let record = record.ok_or(AgentAuthError::Invalid)?;
    if !constant_time_eq(presented_digest, &record.token_hash) {
        return Err(AgentAuthError::Invalid);
    }
    Ok(AgentPrincipal {
        id: record.id.clone(),
        kind: record.kind,
        project_id: record.project_id.clone(),
    })
}

fn id_of(secret: &str) -> AgentId {
    AgentId::parse(&format!("{}{}", AgentId::PREFIX, &secret[..ID_LEN]))
        .expect("base62 prefix is a valid agent id")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(token: &GeneratedToken) -> AgentRecord {
        AgentRecord {
            id: token.id.clone(),
            kind: AgentKind::Shared,
            project_id: None,
            name: "gpu-1".into(),
            token_hash: token.token_hash.clone(),
            created_at: String::new(),
            last_heartbeat_at: None,
            loaded: 0,
        }
    }

    #[test]
    fn a_generated_token_verifies_and_a_tampered_one_does_not() {
        let token = generate();
        let (id, digest) = parse_presented(&token.plain).unwrap();
        assert_eq!(id, token.id);
        assert!(verify(&digest, Some(&record(&token))).is_ok());
        let mut tampered = token.plain.clone();
        let last = tampered.pop().unwrap();
        tampered.push(if last == 'a' { 'b' } else { 'a' });
        let (_, digest) = parse_presented(&tampered).unwrap();
        assert_eq!(
            verify(&digest, Some(&record(&token))),
            Err(AgentAuthError::Invalid)
        );
    }

    #[test]
    fn api_keys_and_junk_are_refused() {
        assert_eq!(
            parse_presented("xero_proj_abcdefghijabcdefghijabcdefghijabcdefghijabc"),
            Err(AgentAuthError::ApiKeyGiven)
        );
        for bad in ["", "xagt_", "xagt_short", "bearer"] {
            assert_eq!(
                parse_presented(bad),
                Err(AgentAuthError::Invalid),
                "{bad:?}"
            );
        }
    }
}
