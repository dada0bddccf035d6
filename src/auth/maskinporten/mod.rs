//! Access tokens from Maskinporten, the national machine-to-machine
//! authorisation server, accepted beside the service's own where
//! configured: a JWT signed with a key of the issuer's JWKS (`jwks`), from
//! the configured issuer and for the configured audience, in time, with
//! the required scope, naming the organisation that calls (`claims`).
//! Such a caller proves its organisation number: the organisation is found
//! or registered, and marked verified, by the accounts (`Register`, given
//! at start-up, since accounts depend on this module and not the reverse).

pub mod claims;
pub mod jwks;

use std::time::Duration;

use actix_web::HttpRequest;
use futures_util::future::LocalBoxFuture;
use jsonwebtoken::{Algorithm, Validation};
use serde::Deserialize;
use uuid::Uuid;

use super::tokens::{TokenError, token_error};
use super::{Principal, Role, SubjectKind};
use crate::error::{ApiError, Say};
pub use claims::{ClaimError, Proof};
pub use jwks::JwksSource;

/// Clock skew tolerated on `exp`, `nbf` and `iat`.
const LEEWAY_SECONDS: u64 = 30;

/// The configuration (`MELDEPLIKT_MASKINPORTEN_*`; see `config.rs`).
#[derive(Debug, Clone)]
pub struct MaskinportenSettings {
    /// `MELDEPLIKT_MASKINPORTEN_ISSUER`: the `iss` of its tokens, such as
    /// `https://maskinporten.no/`.
    pub issuer: String,
    /// `MELDEPLIKT_MASKINPORTEN_JWKS_URL` or `..._JWKS_FILE`.
    pub jwks: JwksSource,
    /// `MELDEPLIKT_MASKINPORTEN_SCOPE`: the scope a token must hold.
    pub scope: String,
    /// `MELDEPLIKT_MASKINPORTEN_AUDIENCE`: the `aud` a token must name (the
    /// resource the client asked for), when set.
    pub audience: Option<String>,
    /// Shortest pause between two reads of the JWKS caused by an unknown
    /// key id. Not an environment variable: tests shorten it.
    pub jwks_min_refresh: Duration,
}

/// Finds the organisation a token proves, registering it on first use,
/// and marks it verified; its id. Given by the accounts at start-up.
pub type Register =
    for<'a> fn(&'a HttpRequest, Proof) -> LocalBoxFuture<'a, Result<Uuid, ApiError>>;

/// The verifier, kept for the life of the service.
pub struct Maskinporten {
    settings: MaskinportenSettings,
    jwks: jwks::Jwks,
    register: Register,
}

/// Why a token is refused.
#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    Token(TokenError),
    Claims(ClaimError),
    /// The issuer's keys could not be read at all.
    KeysUnavailable,
}

/// The claims checked here beside those `claims` reads.
#[derive(Deserialize)]
struct Timed {
    iat: i64,
    #[serde(flatten)]
    claims: claims::Claims,
}

impl Maskinporten {
    pub fn new(settings: MaskinportenSettings, register: Register) -> anyhow::Result<Self> {
        let jwks = jwks::Jwks::new(settings.jwks.clone(), settings.jwks_min_refresh)?;
        Ok(Self {
            settings,
            jwks,
            register,
        })
    }

    /// Whether `token` says it comes from this issuer. Unverified: only
    /// which verifier to try.
    pub fn claims_to_be_ours(&self, token: &str) -> bool {
        #[derive(Deserialize)]
        struct Issuer {
            iss: Option<String>,
        }
        use base64::Engine;
        let payload = token.split('.').nth(1).unwrap_or_default();
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .ok()
            .and_then(|bytes| serde_json::from_slice::<Issuer>(&bytes).ok())
            .and_then(|claims| claims.iss)
            .is_some_and(|iss| iss == self.settings.issuer)
    }

    /// Checks the token and says what it proves. The algorithm must be
    /// one the key is for (never HMAC, never `none`).
    pub async fn verify(&self, token: &str) -> Result<Proof, Refusal> {
        let header = jsonwebtoken::decode_header(token)
            .map_err(|_| Refusal::Token(TokenError::Malformed))?;
        if matches!(
            header.alg,
            Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512
        ) {
            return Err(Refusal::Token(TokenError::WrongAlgorithm));
        }
        let kid = header
            .kid
            .as_deref()
            .ok_or(Refusal::Token(TokenError::UnknownKey))?;
        let key = self.jwks.key(kid).await.map_err(|e| match e {
            jwks::KeyError::Unknown => Refusal::Token(TokenError::UnknownKey),
            jwks::KeyError::Unavailable => Refusal::KeysUnavailable,
        })?;
        if !key.algorithms.contains(&header.alg) {
            return Err(Refusal::Token(TokenError::WrongAlgorithm));
        }
        let mut validation = Validation::new(header.alg);
        validation.leeway = LEEWAY_SECONDS;
        validation.validate_nbf = true;
        validation.set_issuer(&[&self.settings.issuer]);
        match &self.settings.audience {
            Some(audience) => {
                validation.set_audience(&[audience]);
                validation.set_required_spec_claims(&["exp", "iss", "aud"]);
            }
            None => {
                validation.validate_aud = false;
                validation.set_required_spec_claims(&["exp", "iss"]);
            }
        }
        let data = jsonwebtoken::decode::<Timed>(token, &key.decoding, &validation).map_err(
            |e| match e.kind() {
                jsonwebtoken::errors::ErrorKind::Json(_) => {
                    Refusal::Token(TokenError::MissingClaim)
                }
                _ => Refusal::Token(token_error(&e)),
            },
        )?;
        let now = jsonwebtoken::get_current_timestamp() as i64;
        if data.claims.iat > now + LEEWAY_SECONDS as i64 {
            return Err(Refusal::Token(TokenError::NotYetValid));
        }
        data.claims
            .claims
            .prove(&self.settings.scope)
            .map_err(Refusal::Claims)
    }

    /// The caller a Maskinporten token makes: its organisation, found or
    /// registered, as a member (never an admin: people manage users and
    /// clients); the vendor kept for the audit log.
    pub async fn principal(&self, req: &HttpRequest, token: &str) -> Result<Principal, ApiError> {
        let proof = self.verify(token).await.map_err(|refusal| {
            tracing::info!(event = "auth.maskinporten_rejected", reason = ?refusal, "Maskinporten token rejected");
            self.refusal(refusal)
        })?;
        let organisation = (self.register)(req, proof).await?;
        Ok(Principal {
            kind: SubjectKind::Maskinporten,
            id: organisation,
            organisation_id: Some(organisation),
            role: Role::Member,
            mfa_at: None,
            supplier: proof.supplier,
        })
    }

    fn refusal(&self, refusal: Refusal) -> ApiError {
        match refusal {
            Refusal::Token(err) => ApiError::unauthorized("invalid_token", err.say()),
            Refusal::Claims(ClaimError::Scope) => ApiError::InsufficientScope {
                scope: self.settings.scope.clone(),
            },
            Refusal::Claims(ClaimError::Organisation) => {
                ApiError::unauthorized("invalid_token", Say::new("token_no_organisation"))
            }
            Refusal::KeysUnavailable => ApiError::ServiceUnavailable {
                detail: Say::new("maskinporten_keys_unavailable"),
                retry_after: Some(Duration::from_secs(30)),
            },
        }
    }
}
