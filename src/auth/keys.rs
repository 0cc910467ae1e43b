//! API keys: `xero_<project-slug>_<secret>`, the secret 43 base62 characters (≈ 256 bits).
//!
//! The first 8 characters of the secret form the public key id (`key_…`) used to find the row,
//! name the key in logs and revoke it; the whole key is compared as a SHA-256 digest in
//! constant time. A slow hash is unnecessary for secrets of this entropy, and would put an argon2
//! computation on every API request.

use rand::distributions::{Alphanumeric, DistString};
use sha2::{Digest, Sha256};

use super::{AuthError, KeyScope, Principal};
use crate::catalog::ids::ProjectSlug;
use crate::store::keys::KeyRecord;

const PREFIX: &str = "xero_";
/// The same key in the shape llama.cpp sends (`^hf_[A-Za-z0-9]{34,}$`): `hf_<secret>`. The slug
/// is left out; the key's row supplies it before the digest is compared.
pub const HF_PREFIX: &str = "hf_";
const SECRET_LEN: usize = 43;
const KEY_ID_LEN: usize = 8;

/// A freshly made key: the plain text is shown once and never stored.
#[derive(Debug, Clone)]
pub struct GeneratedKey {
    pub plain: String,
    pub id: String,
    pub secret_hash: Vec<u8>,
}

/// Makes a new random key for a project.
pub fn generate(slug: &ProjectSlug) -> GeneratedKey {
    let secret = Alphanumeric.sample_string(&mut rand::rngs::OsRng, SECRET_LEN);
    let plain = format!("{PREFIX}{slug}_{secret}");
    GeneratedKey {
        id: key_id(&secret),
        secret_hash: digest(&plain),
        plain,
    }
}

/// A presented key, split into its parts; the secret itself is not kept (but for the `hf_`
/// form, until its row names the slug the digest is taken over).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PresentedKey {
    pub slug: String,
    pub id: String,
    pub digest: Vec<u8>,
    hf_secret: Option<String>,
}

/// The `hf_` form of a key, for clients that send only tokens of that shape (llama.cpp).
pub fn hf_form(plain: &str) -> Option<String> {
    let (_, secret) = plain.strip_prefix(PREFIX)?.rsplit_once('_')?;
    Some(format!("{HF_PREFIX}{secret}"))
}

/// Splits `xero_<slug>_<secret>` (or takes `hf_<secret>`); anything else is `InvalidKey`.
pub fn parse_presented(token: &str) -> Result<PresentedKey, AuthError> {
    if let Some(secret) = token.strip_prefix(HF_PREFIX) {
        if secret.len() != SECRET_LEN || !secret.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(AuthError::InvalidKey);
        }
        return Ok(PresentedKey {
            slug: String::new(),
            id: key_id(secret),
            digest: Vec::new(),
            hf_secret: Some(secret.to_owned()),
        });
    }
    let rest = token.strip_prefix(PREFIX).ok_or(AuthError::InvalidKey)?;
    let (slug, secret) = rest.rsplit_once('_').ok_or(AuthError::InvalidKey)?;
    if secret.len() != SECRET_LEN
        || !secret.bytes().all(|b| b.is_ascii_alphanumeric())
        || slug.is_empty()
    {
        return Err(AuthError::InvalidKey);
    }
    Ok(PresentedKey {
        slug: slug.to_owned(),
        id: key_id(secret),
        digest: digest(token),
        hf_secret: None,
    })
}

/// Checks a presented key against its stored row (found by `presented.id`).
pub fn verify(
    presented: &PresentedKey,
    record: Option<&KeyRecord>,
) -> Result<Principal, AuthError> {
    let record = record.ok_or(AuthError::InvalidKey)?;
    let matches = match &presented.hf_secret {
        Some(secret) => {
            let plain = format!("{PREFIX}{}_{secret}", record.project_slug);
            constant_time_eq(&digest(&plain), &record.secret_hash)
        }
        None => {
            constant_time_eq(&presented.digest, &record.secret_hash)
                && presented.slug == record.project_slug.as_str()
        }
    };
    if !matches {
        return Err(AuthError::InvalidKey);
    }
    if record.revoked {
        return Err(AuthError::RevokedKey);
    }
    let scope = KeyScope::parse(&record.scope).unwrap_or(KeyScope::Read);
    Ok(Principal::ApiKey {
        project_id: record.project_id.clone(),
        key_id: record.id.clone(),
        scope,
    })
}

/// Returns a form of the key that is safe to log: prefix and key id, never the secret.
pub fn redact(token: &str) -> String {
    match parse_presented(token) {
        Ok(key) if key.hf_secret.is_some() => format!("{HF_PREFIX}{}…", &key.id[4..]),
        Ok(key) => format!("{PREFIX}{}_{}…", key.slug, &key.id[4..]),
        Err(_) => "<malformed key>".to_owned(),
    }
}

fn key_id(secret: &str) -> String {
    format!("key_{}", &secret[..KEY_ID_LEN.min(secret.len())])
}

pub(crate) fn digest(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hf_form_of_a_key_verifies_like_the_key_and_nothing_else_does() {
        let slug = ProjectSlug::parse("myproject").unwrap();
        let key = generate(&slug);
        let hf = hf_form(&key.plain).unwrap();
        assert!(hf.starts_with("hf_") && hf.len() == 3 + SECRET_LEN);
        let record = KeyRecord {
            id: key.id.clone(),
            project_id: crate::catalog::ids::ProjectId::parse("proj_ABCDEFGHJK").unwrap(),
            project_slug: slug.clone(),
            secret_hash: key.secret_hash.clone(),
            scope: "write".into(),
            label: None,
            created_at: String::new(),
            revoked: false,
            created_by: None,
            creator: None,
        };
        let presented = parse_presented(&hf).unwrap();
        assert_eq!(presented.id, key.id);
        assert!(verify(&presented, Some(&record)).is_ok());
        let mut other = hf.clone();
        other.replace_range(hf.len() - 1.., if hf.ends_with('a') { "b" } else { "a" });
        assert!(verify(&parse_presented(&other).unwrap(), Some(&record)).is_err());
        assert!(parse_presented("hf_short").is_err());
    }
    use crate::catalog::ids::ProjectId;

    fn record_for(key: &GeneratedKey, slug: &ProjectSlug, revoked: bool) -> KeyRecord {
        KeyRecord {
            id: key.id.clone(),
            project_id: ProjectId::parse("proj_ABC123").unwrap(),
            project_slug: slug.clone(),
            secret_hash: key.secret_hash.clone(),
            scope: "write".into(),
            label: None,
            created_at: String::new(),
            revoked,
            created_by: None,
            creator: None,
        }
    }

    #[test]
    fn a_generated_key_verifies_against_its_record() {
        let slug = ProjectSlug::parse("myproject").unwrap();
        let key = generate(&slug);
        assert!(key.plain.starts_with("xero_myproject_"));
        let presented = parse_presented(&key.plain).unwrap();
        assert_eq!(presented.id, key.id);
        assert!(verify(&presented, Some(&record_for(&key, &slug, false))).is_ok());
        assert_eq!(
            verify(&presented, Some(&record_for(&key, &slug, true))),
            Err(AuthError::RevokedKey)
        );
        assert_eq!(verify(&presented, None), Err(AuthError::InvalidKey));
    }

    #[test]
    fn a_tampered_key_is_invalid() {
        let slug = ProjectSlug::parse("myproject").unwrap();
        let key = generate(&slug);
        let mut tampered = key.plain.clone();
        let last = tampered.pop().unwrap();
        tampered.push(if last == 'a' { 'b' } else { 'a' });
        let presented = parse_presented(&tampered).unwrap();
        assert_eq!(
            verify(&presented, Some(&record_for(&key, &slug, false))),
            Err(AuthError::InvalidKey)
        );
        let other_slug = key.plain.replace("myproject", "otherproj");
        let presented = parse_presented(&other_slug).unwrap();
        assert_eq!(
            verify(&presented, Some(&record_for(&key, &slug, false))),
            Err(AuthError::InvalidKey)
        );
    }

    #[test]
    fn malformed_tokens_are_invalid() {
        for bad in [
            "",
            "xero_",
            "xero_slug_short",
            "bearer",
            "xero_myproject_!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!",
        ] {
            assert_eq!(parse_presented(bad), Err(AuthError::InvalidKey), "{bad:?}");
        }
    }

    #[test]
    fn redaction_never_contains_the_secret() {
        let key = generate(&ProjectSlug::parse("myproject").unwrap());
        let secret = key.plain.rsplit('_').next().unwrap();
        assert!(!redact(&key.plain).contains(secret));
    }
}
