//! Secrets the service must read back (TOTP secrets, webhook signing
//! secrets) are stored sealed: XChaCha20-Poly1305 under a 256-bit key of
//! the service, with a random nonce in front, and the owner's id bound in
//! as associated data, so that a sealed value copied to another row does
//! not open there.

use std::path::Path;

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use secrecy::{ExposeSecret, SecretString};
use uuid::Uuid;

/// Bytes of the random nonce in front of a sealed value.
const NONCE_BYTES: usize = 24;

/// A sealing key. Its `Debug` never shows it.
#[derive(Clone)]
pub struct SealingKey(Key);

impl std::fmt::Debug for SealingKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SealingKey(****)")
    }
}

impl SealingKey {
    /// A key from 64 hexadecimal digits.
    pub fn from_hex(text: &str) -> Option<Self> {
        let bytes: [u8; 32] = hex::decode(text.trim()).ok()?.try_into().ok()?;
        Some(Self(Key::from(bytes)))
    }

    /// The configured key (the environment variable `variable`), or a
    /// development key kept in `data_dir/keys/{file}`.
    pub fn load(
        configured: Option<&SecretString>,
        data_dir: &Path,
        file: &str,
        variable: &str,
    ) -> anyhow::Result<Self> {
        let text = match configured {
            Some(key) => key.expose_secret().to_owned(),
            None => development_key(data_dir, file, variable)?,
        };
        Self::from_hex(&text)
            .ok_or_else(|| anyhow::anyhow!("{variable} is not 64 hexadecimal digits"))
    }

    /// `value` sealed for `owner`: a random nonce, then the ciphertext and
    /// its tag.
    pub fn seal(&self, owner: Uuid, value: &[u8]) -> Result<Vec<u8>, getrandom::Error> {
        let mut nonce = [0u8; NONCE_BYTES];
        getrandom::fill(&mut nonce)?;
        let sealed = XChaCha20Poly1305::new(&self.0)
            .encrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: value,
                    aad: owner.as_bytes(),
                },
            )
            .expect("XChaCha20-Poly1305 seals a short value");
        Ok([nonce.as_slice(), &sealed].concat())
    }

    /// What [`Self::seal`] sealed for `owner`; `None` when it was sealed
    /// under another key or for another owner, or was altered.
    pub fn open(&self, owner: Uuid, sealed: &[u8]) -> Option<Vec<u8>> {
        let (nonce, sealed) = sealed.split_at_checked(NONCE_BYTES)?;
        let nonce: [u8; NONCE_BYTES] = nonce.try_into().ok()?;
        XChaCha20Poly1305::new(&self.0)
            .decrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: sealed,
                    aad: owner.as_bytes(),
                },
            )
            .ok()
    }
}

/// A development secret (64 hexadecimal digits, 256 random bits) kept in
/// `data_dir/keys/{file}`, made on first use, with a warning that
/// `variable` is unset.
pub fn development_key(data_dir: &Path, file: &str, variable: &str) -> anyhow::Result<String> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let path = data_dir.join("keys").join(file);
    if !path.is_file() {
        std::fs::create_dir_all(path.parent().expect("has a parent"))?;
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("random source: {e}"))?;
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&path)?;
        file.write_all(hex::encode(bytes).as_bytes())?;
    }
    tracing::warn!(
        file = %path.display(),
        "no {variable}: using a development key under the data folder; configure one in production"
    );
    Ok(std::fs::read_to_string(path)?.trim().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_sealed_opens_only_for_its_owner_under_its_key() {
        let key = SealingKey::from_hex(&"ab".repeat(32)).unwrap();
        let other = SealingKey::from_hex(&"cd".repeat(32)).unwrap();
        let owner = Uuid::new_v4();
        let sealed = key.seal(owner, b"secret").unwrap();
        assert_eq!(key.open(owner, &sealed).as_deref(), Some(&b"secret"[..]));
        assert!(key.open(Uuid::new_v4(), &sealed).is_none());
        assert!(other.open(owner, &sealed).is_none());
        let mut altered = sealed.clone();
        *altered.last_mut().unwrap() ^= 1;
        assert!(key.open(owner, &altered).is_none());
        assert!(key.open(owner, &sealed[..10]).is_none());
        assert!(SealingKey::from_hex("00").is_none());
        assert_eq!(format!("{key:?}"), "SealingKey(****)");
    }
}
