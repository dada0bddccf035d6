//! Signing secrets and signatures as the Standard Webhooks specification
//! has them: a secret is `whsec_` and the base64 of its bytes (32 random
//! bytes here); a signature is `v1,` and the base64 of HMAC-SHA256 over
//! `{webhook-id}.{webhook-timestamp}.{body}`; several signatures (a secret
//! being rotated) go space-separated in one header. Pure.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha2::Sha256;

const PREFIX: &str = "whsec_";
/// Bytes of a new secret.
const SECRET_BYTES: usize = 32;

/// A signing secret. Its `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookSecret(Vec<u8>);

impl std::fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WebhookSecret(****)")
    }
}

impl WebhookSecret {
    pub fn generate() -> Result<Self, getrandom::Error> {
        let mut bytes = vec![0u8; SECRET_BYTES];
        getrandom::fill(&mut bytes)?;
        Ok(Self(bytes))
    }

    /// A secret as written (`whsec_…`); the prefix may be left out, as
    /// the specification's libraries allow.
    pub fn parse(text: &str) -> Option<Self> {
        let encoded = text.strip_prefix(PREFIX).unwrap_or(text);
        let bytes = STANDARD.decode(encoded).ok()?;
        (!bytes.is_empty()).then_some(Self(bytes))
    }

    /// The secret's bytes, to seal.
    pub fn bytes(&self) -> &[u8] {
        &self.0
    }

    /// A secret from the bytes a sealed one opened to.
    pub fn from_bytes(bytes: Vec<u8>) -> Self {
        Self(bytes)
    }

    /// The secret as shown once to the endpoint's owner.
    pub fn expose(&self) -> String {
        format!("{PREFIX}{}", STANDARD.encode(&self.0))
    }

    /// The `v1,…` signature of a message.
    pub fn sign(&self, id: &str, timestamp: i64, body: &[u8]) -> String {
        let mut mac =
            Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC takes a key of any size");
        mac.update(id.as_bytes());
        mac.update(b".");
        mac.update(timestamp.to_string().as_bytes());
        mac.update(b".");
        mac.update(body);
        format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
    }
}

/// The `webhook-signature` header: one signature for each secret in use,
/// the current one first, space-separated.
pub fn signature_header(
    secrets: &[WebhookSecret],
    id: &str,
    timestamp: i64,
    body: &[u8],
) -> String {
    secrets
        .iter()
        .map(|secret| secret.sign(id, timestamp, body))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The Standard Webhooks specification's reference test vector.
    #[test]
    fn the_reference_test_vector_verifies() {
        let secret = WebhookSecret::parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        assert_eq!(
            secret.sign(
                "msg_p5jXN8AQM9LWM0D4loKWxJek",
                1_614_265_330,
                br#"{"test": 2432232314}"#
            ),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
    }

    #[test]
    fn a_new_secret_is_32_random_bytes_behind_the_prefix() {
        let secret = WebhookSecret::generate().unwrap();
        let shown = secret.expose();
        assert!(shown.starts_with("whsec_"));
        assert_eq!(WebhookSecret::parse(&shown), Some(secret.clone()));
        assert_eq!(secret.bytes().len(), 32);
        assert_ne!(secret, WebhookSecret::generate().unwrap());
        assert_eq!(format!("{secret:?}"), "WebhookSecret(****)");
        assert!(WebhookSecret::parse("whsec_!!").is_none());
        assert!(WebhookSecret::parse("whsec_").is_none());
    }

    #[test]
    fn two_secrets_sign_side_by_side_and_each_covers_id_time_and_body() {
        let new = WebhookSecret::generate().unwrap();
        let old = WebhookSecret::generate().unwrap();
        let header = signature_header(&[new.clone(), old.clone()], "id", 10, b"{}");
        let parts: Vec<&str> = header.split(' ').collect();
        assert_eq!(
            parts,
            [new.sign("id", 10, b"{}"), old.sign("id", 10, b"{}")]
        );
        assert_ne!(new.sign("id", 10, b"{}"), new.sign("id", 11, b"{}"));
        assert_ne!(new.sign("id", 10, b"{}"), new.sign("ie", 10, b"{}"));
        assert_ne!(new.sign("id", 10, b"{}"), new.sign("id", 10, b"{ }"));
    }
}
