//! Receipts (kvitteringer): signed as a compact JWS with EdDSA, fetched as
//! JSON or a printable PDF, verified by anyone.

mod page;
pub mod pdf;
mod pdf_page;
mod pdfa;
mod routes;
pub mod store;
mod verification;

use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, Header, Validation};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::auth::keys::Keys;
use crate::domain::i18n::Text;
use crate::domain::receipt::{Issuer, ReceiptContent};

pub use pdf::render as render_pdf;
pub use routes::{ReceiptView, Receipts};

/// The `typ` of a receipt, never accepted as an access token.
pub const RECEIPT_TYP: &str = "receipt+jws";

pub fn configure(cfg: &mut ServiceConfig) {
    routes::configure(cfg);
    page::configure(cfg);
}

/// What a receipt's JWS carries.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReceiptClaims {
    /// The receipt's id.
    pub jti: Uuid,
    pub iss: String,
    pub iat: i64,
    #[serde(flatten)]
    pub receipt: ReceiptContent,
}

/// Signs and verifies receipts with the service's keys.
pub struct ReceiptSigner {
    keys: Arc<Keys>,
    /// The service's public address: the JWS's `iss`, and the base of
    /// the verification link printed on every receipt.
    issuer: String,
    /// The authority named on the printed receipt.
    authority: Issuer,
}

/// Why a receipt is not genuine.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotGenuine {
    #[error("the JWS is not a receipt")]
    NotAReceipt,
    #[error("the receipt is signed with an unknown key")]
    UnknownKey,
    #[error("signature does not match")]
    BadSignature,
    #[error("the receipt's content is not readable")]
    Unreadable,
}

impl NotGenuine {
    /// The stable code of the reason.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotAReceipt => "not_a_receipt",
            Self::UnknownKey => "unknown_key",
            Self::BadSignature => "bad_signature",
            Self::Unreadable => "unreadable",
        }
    }

    /// The reason, for people, in each language.
    pub fn text(&self) -> Text {
        match self {
            Self::NotAReceipt => Text::new(
                "JWS-en er ikke en kvittering",
                "JWS-en er ikkje ei kvittering",
                "the JWS is not a receipt",
            ),
            Self::UnknownKey => Text::new(
                "kvitteringen er signert med en ukjent nøkkel",
                "kvitteringa er signert med ein ukjend nøkkel",
                "the receipt is signed with an unknown key",
            ),
            Self::BadSignature => Text::new(
                "signaturen stemmer ikke",
                "signaturen stemmer ikkje",
                "signature does not match",
            ),
            Self::Unreadable => Text::new(
                "innholdet i kvitteringen kan ikke leses",
                "innhaldet i kvitteringa kan ikkje lesast",
                "the receipt's content is not readable",
            ),
        }
    }
}

impl ReceiptSigner {
    pub fn new(keys: Arc<Keys>, public_url: String, authority: Issuer) -> Self {
        Self {
            keys,
            issuer: public_url,
            authority,
        }
    }

    /// The authority named on receipts.
    pub fn authority(&self) -> &Issuer {
        &self.authority
    }

    /// Where the receipt `id` is checked, as printed on it.
    pub fn verification_url(&self, id: Uuid) -> String {
        verification_url(&self.issuer, id)
    }

    pub fn sign(&self, id: Uuid, receipt: &ReceiptContent, iat: i64) -> String {
        let signer = self.keys.signer();
        let mut header = Header::new(Algorithm::EdDSA);
        header.typ = Some(RECEIPT_TYP.to_owned());
        header.kid = Some(signer.kid.clone());
        let claims = ReceiptClaims {
            jti: id,
            iss: self.issuer.clone(),
            iat,
            receipt: receipt.clone(),
        };
        jsonwebtoken::encode(&header, &claims, &signer.encoding).expect("an Ed25519 key signs")
    }

    /// Whether `jws` is a genuine, untampered receipt of ours; `Err(None)`
    /// when it is not of a compact JWS's form (three base64url parts).
    pub fn verify(&self, jws: &str) -> Result<(ReceiptClaims, String), Option<NotGenuine>> {
        let parts: Vec<&str> = jws.split('.').collect();
        let base64url = |p: &&str| {
            !p.is_empty()
                && p.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        };
        if parts.len() != 3 || !parts.iter().all(base64url) {
            return Err(None);
        }
        let header = jsonwebtoken::decode_header(jws).map_err(|_| Some(NotGenuine::Unreadable))?;
        if header.typ.as_deref() != Some(RECEIPT_TYP) || header.alg != Algorithm::EdDSA {
            return Err(Some(NotGenuine::NotAReceipt));
        }
        let kid = header.kid.ok_or(Some(NotGenuine::UnknownKey))?;
        let key = self.keys.by_kid(&kid).ok_or(Some(NotGenuine::UnknownKey))?;
        let mut validation = Validation::new(Algorithm::EdDSA);
        validation.validate_exp = false;
        validation.validate_aud = false;
        validation.required_spec_claims.clear();
        validation.set_issuer(&[&self.issuer]);
        match jsonwebtoken::decode::<ReceiptClaims>(jws, &key.decoding, &validation) {
            Ok(data) => Ok((data.claims, kid)),
            Err(e) => {
                use jsonwebtoken::errors::ErrorKind as K;
                Err(Some(match e.kind() {
                    K::InvalidSignature => NotGenuine::BadSignature,
                    K::InvalidIssuer => NotGenuine::UnknownKey,
                    _ => NotGenuine::Unreadable,
                }))
            }
        }
    }
}

/// Where anyone holding a receipt (on paper too) checks it: the page of
/// the receipt `id` under the service's public address.
pub fn verification_url(public_url: &str, id: Uuid) -> String {
    format!("{}/receipts/{id}", public_url.trim_end_matches('/'))
}

/// SHA-256 of the signature, grouped for reading off paper.
pub fn signature_fingerprint(jws: &str) -> String {
    let signature = jws.rsplit('.').next().unwrap_or_default();
    let bytes = URL_SAFE_NO_PAD.decode(signature).unwrap_or_default();
    let hex = hex::encode(Sha256::digest(&bytes));
    hex.as_bytes()
        .chunks(4)
        .map(|c| std::str::from_utf8(c).unwrap_or_default())
        .collect::<Vec<_>>()
        .join(" ")
}
