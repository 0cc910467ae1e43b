//! Upload URLs that authorise themselves (SPEC §14): the Hub client `PUT`s LFS objects to the
//! `href` the batch answer gave it *without* its Authorization header, so the URL carries who may
//! send what: the project, the key that asked (for the audit), the object's sha256 and size, and
//! an expiry, signed with the data directory's device key (HMAC-SHA256). A URL for one object,
//! project or size is useless for any other; an expired or edited one is refused.

use super::device::{DeviceKey, hex, hmac_sha256};

const DOMAIN: &[u8] = b"xero-lfs-upload-v1";

/// What an upload URL allows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadGrant {
    pub project: String,
    pub key_id: String,
    pub sha256: String,
    pub size: u64,
    /// Unix seconds.
    pub expires: i64,
}

impl UploadGrant {
    /// The token: `project.key.sha256.size.expires.mac`, URL-safe as it is (every part is
    /// `[A-Za-z0-9_]`).
    pub fn token(&self, key: &DeviceKey) -> String {
        let body = self.body();
        format!(
            "{body}.{}",
            hex(&hmac_sha256(key.as_bytes(), &message(&body)))
        )
    }

    /// The grant behind a token this server signed, if it has not expired at `now`.
    pub fn verify(key: &DeviceKey, token: &str, now: i64) -> Result<Self, &'static str> {
        let (body, mac) = token.rsplit_once('.').ok_or("not an upload URL")?;
        let expected = hex(&hmac_sha256(key.as_bytes(), &message(body)));
        if !super::sessions::same_secret(&expected, mac) {
            return Err("this upload URL was not issued here or was changed");
        }
        let parts: Vec<&str> = body.split('.').collect();
        let [project, key_id, sha256, size, expires] = parts[..] else {
            return Err("not an upload URL");
        };
        let grant = Self {
            project: project.to_owned(),
            key_id: key_id.to_owned(),
            sha256: sha256.to_owned(),
            size: size.parse().map_err(|_| "not an upload URL")?,
            expires: expires.parse().map_err(|_| "not an upload URL")?,
        };
        if grant.expires < now {
            return Err("this upload URL has expired: ask the batch endpoint for a new one");
        }
        Ok(grant)
    }

    fn body(&self) -> String {
        format!(
            "{}.{}.{}.{}.{}",
            self.project, self.key_id, self.sha256, self.size, self.expires
        )
    }
}

fn message(body: &str) -> Vec<u8> {
    let mut message = DOMAIN.to_vec();
    message.extend_from_slice(body.as_bytes());
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grant() -> UploadGrant {
        UploadGrant {
            project: "proj_ABC".into(),
            key_id: "key_abcdefgh".into(),
            sha256: "ab".repeat(32),
            size: 42,
            expires: 1_000,
        }
    }

    #[test]
    fn a_grant_verifies_until_it_expires_and_not_once_changed() {
        let key = DeviceKey::generate();
        let token = grant().token(&key);
        assert_eq!(UploadGrant::verify(&key, &token, 999), Ok(grant()));
        assert!(UploadGrant::verify(&key, &token, 1_001).is_err());
        let bigger = token.replacen(".42.", ".43.", 1);
        assert!(UploadGrant::verify(&key, &bigger, 999).is_err());
        assert!(UploadGrant::verify(&DeviceKey::generate(), &token, 999).is_err());
        assert!(UploadGrant::verify(&key, "garbage", 0).is_err());
    }
}
