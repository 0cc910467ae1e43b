//! Session and CSRF tokens: random, 256-bit, compared in constant time; only digests stored.

use rand::distributions::{Alphanumeric, DistString};
use sha2::{Digest, Sha256};

/// A fresh random token (43 base62 characters, ~256 bits).
pub fn new_token() -> String {
    Alphanumeric.sample_string(&mut rand::rngs::OsRng, 43)
}

/// The digest stored for a session token.
pub fn token_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// Compares two secrets without leaking where they differ.
pub fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}
