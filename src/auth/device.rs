//! Device cookies (OWASP Authentication cheat sheet, "device cookies"; RELIABILITY T40): a
//! browser that logged in to an account once carries a cookie naming that account, signed with
//! a server secret. Login throttling judges such a browser by its own failures only, so an
//! attacker hammering the account cannot lock its rightful user out.
//!
//! The value is `NONCE.MAC.ACCOUNT` (ASCII only: the account is hex-encoded), where MAC is
//! HMAC-SHA256 over the account and the nonce. HMAC is written out here (RFC 2104, a dozen
//! lines over `sha2`) rather than adding a crate; the RFC 4231 vectors below check it.
//! No actix types; the web room reads and sets the cookie.

use rand::RngCore;
use rand::distributions::{Alphanumeric, DistString};
use sha2::{Digest, Sha256};

/// How long a device cookie lives in the browser.
pub const DEVICE_COOKIE_DAYS: i64 = 365;
const NONCE_LEN: usize = 43;
const MAC_HEX_LEN: usize = 64;
/// Longer values are not ours (user names are at most 64 characters, 256 hex digits in UTF-8).
const MAX_VALUE_LEN: usize = NONCE_LEN + MAC_HEX_LEN + 2 + 512;
const DOMAIN: &[u8] = b"xero-device-v1";
const LOGIN_DOMAIN: &[u8] = b"xero-login-csrf-v1";
const BLOCK: usize = 64;

/// The server secret that signs device cookies: 32 random bytes, created once per data
/// directory and kept in its database so cookies survive restarts.
#[derive(Clone, PartialEq, Eq)]
pub struct DeviceKey([u8; 32]);

impl std::fmt::Debug for DeviceKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DeviceKey(..)")
    }
}

impl DeviceKey {
    /// A fresh random key from the operating system.
    pub fn generate() -> Self {
        let mut bytes = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        Self(bytes)
    }

    /// The key stored as these bytes, if they are 32 of them.
    pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
        Some(Self(bytes.try_into().ok()?))
    }

    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

/// A verified device cookie: the account it names and the nonce that identifies the device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceCookie {
    account: String,
    nonce: String,
}

impl DeviceCookie {
    /// Issues a cookie for an account (a lowercased user name); returns it and its value.
    pub fn issue(key: &DeviceKey, account: &str) -> (Self, String) {
        let nonce = Alphanumeric.sample_string(&mut rand::rngs::OsRng, NONCE_LEN);
        let mac = hex(&sign(key, account, &nonce));
        let value = format!("{nonce}.{mac}.{}", hex(account.as_bytes()));
        (
            Self {
                account: account.to_owned(),
                nonce,
            },
            value,
        )
    }

    /// The cookie behind a presented value, when its signature is ours; `None` for anything
    /// malformed, tampered with or signed by another key.
    pub fn verify(key: &DeviceKey, value: &str) -> Option<Self> {
        if value.len() > MAX_VALUE_LEN {
            return None;
        }
        let mut parts = value.splitn(3, '.');
        let (nonce, mac, account) = (parts.next()?, parts.next()?, parts.next()?);
        let nonce_ok = nonce.len() == NONCE_LEN && nonce.bytes().all(|b| b.is_ascii_alphanumeric());
        if !nonce_ok || mac.len() != MAC_HEX_LEN {
            return None;
        }
        let account = String::from_utf8(unhex(account)?).ok()?;
        let expected = hex(&sign(key, &account, nonce));
        super::sessions::same_secret(&expected, mac).then(|| Self {
            account,
            nonce: nonce.to_owned(),
        })
    }

    /// The account this device logged in to.
    pub fn account(&self) -> &str {
        &self.account
    }

    /// The random part that tells this device from others of the same account.
    pub fn nonce(&self) -> &str {
        &self.nonce
    }
}

/// The login form's CSRF cookie (hardening 3, fault 5): `TOKEN.MAC`, the token signed with the
/// device key, so a cookie planted by someone else (a sibling subdomain, a man in the middle on
/// plain HTTP) with a token of their choosing does not verify.
pub fn sign_login_token(key: &DeviceKey, token: &str) -> String {
    let mut message = LOGIN_DOMAIN.to_vec();
    message.extend_from_slice(token.as_bytes());
    format!("{token}.{}", hex(&hmac_sha256(key.as_bytes(), &message)))
}

/// The token of a login CSRF cookie this server signed; `None` for anything else.
pub fn verify_login_token(key: &DeviceKey, cookie: &str) -> Option<String> {
    let (token, mac) = cookie.rsplit_once('.')?;
    if token.is_empty() || token.len() > 128 || mac.len() != MAC_HEX_LEN {
        return None;
    }
    let expected = sign_login_token(key, token);
    super::sessions::same_secret(&expected, cookie).then(|| token.to_owned())
}

/// The MAC of a cookie: the account is length-prefixed so no two (account, nonce) pairs share
/// a message.
fn sign(key: &DeviceKey, account: &str, nonce: &str) -> [u8; 32] {
    let mut message = Vec::with_capacity(DOMAIN.len() + 4 + account.len() + nonce.len());
    message.extend_from_slice(DOMAIN);
    message.extend_from_slice(&(account.len() as u32).to_be_bytes());
    message.extend_from_slice(account.as_bytes());
    message.extend_from_slice(nonce.as_bytes());
    hmac_sha256(key.as_bytes(), &message)
}

/// HMAC-SHA256 (RFC 2104): H((K ⊕ opad) ‖ H((K ⊕ ipad) ‖ m)), keys longer than a block hashed.
pub(crate) fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    let mut block = [0u8; BLOCK];
    if key.len() > BLOCK {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let inner_pad: Vec<u8> = block.iter().map(|b| b ^ 0x36).collect();
    let outer_pad: Vec<u8> = block.iter().map(|b| b ^ 0x5c).collect();
    let inner = Sha256::new()
        .chain_update(&inner_pad)
        .chain_update(message)
        .finalize();
    Sha256::new()
        .chain_update(&outer_pad)
        .chain_update(inner)
        .finalize()
        .into()
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) || !text.is_ascii() {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_rfc_4231() {
        // Test case 2 ("Jefe") and test case 6 (a key longer than a block).
        assert_eq!(
            hex(&hmac_sha256(b"Jefe", b"what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        assert_eq!(
            hex(&hmac_sha256(
                &[0xaa; 131],
                b"Test Using Larger Than Block-Size Key - Hash Key First"
            )),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
    }

    #[test]
    fn an_issued_cookie_verifies_and_names_its_account() {
        let key = DeviceKey::generate();
        let (issued, value) = DeviceCookie::issue(&key, "élodie.b@example");
        assert!(value.is_ascii() && !value.contains([';', ',', ' ', '"']));
        let verified = DeviceCookie::verify(&key, &value).expect("verifies");
        assert_eq!(verified, issued);
        assert_eq!(verified.account(), "élodie.b@example");
    }

    #[test]
    fn tampered_foreign_or_malformed_values_are_refused() {
        let key = DeviceKey::generate();
        let (_, value) = DeviceCookie::issue(&key, "alice");
        let (nonce, rest) = value.split_once('.').unwrap();
        let (mac, _) = rest.split_once('.').unwrap();
        let flipped_mac = format!(
            "{nonce}.{}{}.{}",
            if mac.starts_with('0') { '1' } else { '0' },
            &mac[1..],
            hex(b"alice")
        );
        let other_account = format!("{nonce}.{mac}.{}", hex(b"mallory"));
        let other_nonce = format!(
            "{}{}",
            if nonce.starts_with('a') { 'b' } else { 'a' },
            &value[1..]
        );
        for (description, candidate) in [
            ("flipped mac", flipped_mac),
            ("another account", other_account),
            ("another nonce", other_nonce),
            ("empty", String::new()),
            ("no parts", "garbage".to_owned()),
            ("odd hex", format!("{nonce}.{mac}.abc")),
            ("huge", "a".repeat(10_000)),
        ] {
            assert_eq!(
                DeviceCookie::verify(&key, &candidate),
                None,
                "{description}"
            );
        }
        assert_eq!(
            DeviceCookie::verify(&DeviceKey::generate(), &value),
            None,
            "signed by another server"
        );
    }
}
