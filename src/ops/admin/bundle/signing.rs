//! Signing keys and manifest signatures in minisign's own formats (through the minisign crate),
//! so the standard `minisign` tool verifies our bundles: `minisign -Vm manifest.json -p NAME.pub`.
//!
//! Secret keys are written without a password: air-gapped operators keep the signing key on
//! removable media that is itself the protection, and a prompt would block scripted exports.
//! Keys made by `minisign -G -W` (also unencrypted) work as they are.

use std::fs::OpenOptions;
use std::io::{Cursor, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use minisign::{KeyPair, PublicKey, PublicKeyBox, SecretKey, SecretKeyBox, SignatureBox};

use super::BundleError;

/// A key pair written by [`generate_keys`].
pub struct KeyFiles {
    pub secret: PathBuf,
    pub public: PathBuf,
    /// minisign's key id, as its tool prints it (16 hex digits).
    pub key_id: String,
}

/// Writes `NAME.key` (mode 0600) and `NAME.pub`; refuses to overwrite either.
pub fn generate_keys(name: &Path) -> Result<KeyFiles, BundleError> {
    let secret = with_suffix(name, "key");
    let public = with_suffix(name, "pub");
    for path in [&secret, &public] {
        if path.exists() {
            return Err(BundleError::Refused(format!(
                "`{}` already exists: choose another name or move it away (a key is never overwritten)",
                path.display()
            )));
        }
    }
    let pair = KeyPair::generate_unencrypted_keypair().map_err(signing_error)?;
    let key_id = key_id(pair.pk.keynum());
    let secret_box = pair
        .sk
        .to_box(Some(&format!("xeroctl secret key {key_id}")))
        .map_err(signing_error)?;
    let public_box = pair.pk.to_box().map_err(signing_error)?;
    write_new(&secret, secret_box.to_string().as_bytes(), 0o600)?;
    write_new(&public, public_box.to_string().as_bytes(), 0o644)?;
    Ok(KeyFiles {
        secret,
        public,
        key_id,
    })
}

/// A secret key read from its file.
pub struct SigningKey {
    secret: SecretKey,
    public: PublicKey,
}

impl SigningKey {
    pub fn load(path: &Path) -> Result<Self, BundleError> {
        let text = std::fs::read_to_string(path).map_err(BundleError::io(path))?;
        let secret = SecretKeyBox::from_string(&text)
            .and_then(SecretKey::from_unencrypted_box)
            .map_err(|e| {
                BundleError::Signature(format!(
                    "`{}` is not an unencrypted minisign secret key ({e}); make one with `xeroctl admin keygen`",
                    path.display()
                ))
            })?;
        let public = PublicKey::from_secret_key(&secret).map_err(signing_error)?;
        Ok(Self { secret, public })
    }

    /// The minisign signature (file text) of `data`; the trusted comment says what it signs.
    pub fn sign(&self, data: &[u8], trusted_comment: &str) -> Result<String, BundleError> {
        let signature = minisign::sign(
            Some(&self.public),
            &self.secret,
            Cursor::new(data),
            Some(trusted_comment),
            Some("signature of a xeroctl bundle manifest"),
        )
        .map_err(signing_error)?;
        Ok(signature.into_string())
    }
}

/// A trusted public key read from its file.
pub struct TrustedKey {
    key: PublicKey,
    path: PathBuf,
}

impl TrustedKey {
    pub fn load(path: &Path) -> Result<Self, BundleError> {
        let text = std::fs::read_to_string(path).map_err(BundleError::io(path))?;
        let key = PublicKey::from_box(PublicKeyBox::from_string(&text).map_err(signing_error)?)
            .map_err(|e| {
                BundleError::Signature(format!(
                    "`{}` is not a minisign public key: {e}",
                    path.display()
                ))
            })?;
        Ok(Self {
            key,
            path: path.to_owned(),
        })
    }

    /// Checks that `signature` (file text) is this key's signature of `data`. A signature by
    /// another key and a manifest changed after signing are told apart: the first names both
    /// key ids, the second is [`BundleError::TamperedManifest`].
    pub fn verify(&self, data: &[u8], signature: &str) -> Result<(), BundleError> {
        let signature = SignatureBox::from_string(signature)
            .map_err(|e| BundleError::Signature(format!("the signature is unreadable: {e}")))?;
        if signature.keynum() != self.key.keynum() {
            return Err(BundleError::Signature(format!(
                "the bundle is signed by key {}, not by the trusted key {} (`{}`)",
                key_id(signature.keynum()),
                key_id(self.key.keynum()),
                self.path.display()
            )));
        }
        minisign::verify(&self.key, &signature, Cursor::new(data), true, false, false)
            .map_err(|_| BundleError::TamperedManifest)
    }
}

/// minisign prints key ids as the little-endian number in 16 upper-case hex digits.
fn key_id(keynum: &[u8]) -> String {
    keynum.iter().rev().map(|b| format!("{b:02X}")).collect()
}

fn signing_error(error: minisign::PError) -> BundleError {
    BundleError::Signature(error.to_string())
}

fn with_suffix(name: &Path, suffix: &str) -> PathBuf {
    let mut path = name.as_os_str().to_owned();
    path.push(".");
    path.push(suffix);
    PathBuf::from(path)
}

fn write_new(path: &Path, bytes: &[u8], mode: u32) -> Result<(), BundleError> {
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .open(path)
        .map_err(BundleError::io(path))?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(BundleError::io(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_verifies_and_a_changed_byte_does_not() {
        let dir = tempfile::tempdir().unwrap();
        let keys = generate_keys(&dir.path().join("k")).unwrap();
        let signer = SigningKey::load(&keys.secret).unwrap();
        let trusted = TrustedKey::load(&keys.public).unwrap();
        let signature = signer.sign(b"manifest", "comment").unwrap();
        trusted.verify(b"manifest", &signature).unwrap();
        assert!(matches!(
            trusted.verify(b"manifesT", &signature),
            Err(BundleError::TamperedManifest)
        ));
        let other = generate_keys(&dir.path().join("other")).unwrap();
        let stranger = TrustedKey::load(&other.public).unwrap();
        assert!(matches!(
            stranger.verify(b"manifest", &signature),
            Err(BundleError::Signature(_))
        ));
    }

    #[test]
    fn the_secret_key_is_private_and_never_overwritten() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let keys = generate_keys(&dir.path().join("k")).unwrap();
        let mode = std::fs::metadata(&keys.secret)
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        assert!(generate_keys(&dir.path().join("k")).is_err());
    }
}
