//! Access tokens: short-lived JWTs signed with EdDSA, verified strictly.

use std::sync::Arc;
use std::time::Duration;

use jsonwebtoken::{Algorithm, Header, Validation};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::keys::Keys;
use super::{Principal, Role, SubjectKind};

/// The `typ` of an access token (RFC 9068).
pub const ACCESS_TOKEN_TYP: &str = "at+jwt";
/// The audience of our access tokens.
pub const AUDIENCE: &str = "meldeplikt-api";
/// Clock skew tolerated on `exp` and `nbf`.
const LEEWAY_SECONDS: u64 = 30;

#[derive(Debug, Serialize, Deserialize)]
pub struct AccessClaims {
    pub iss: String,
    pub aud: String,
    /// `user:<uuid>` or `client:<uuid>`.
    pub sub: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub org: Option<Uuid>,
    pub role: Role,
    pub iat: i64,
    pub nbf: i64,
    pub exp: i64,
    pub jti: String,
    /// When a second factor was checked at sign-in (unix seconds, by the
    /// service's clock); absent when none was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mfa_at: Option<i64>,
}

/// Why a token was refused; said in the problem, and in English in
/// `WWW-Authenticate`.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TokenError {
    #[error("the token is malformed")]
    Malformed,
    #[error("the token is not an access token")]
    WrongType,
    #[error("the token is not signed with an algorithm its key is for")]
    WrongAlgorithm,
    #[error("the token is signed with an unknown key")]
    UnknownKey,
    #[error("the token has expired")]
    Expired,
    #[error("the token is not valid yet")]
    NotYetValid,
    #[error("the token is for another audience")]
    WrongAudience,
    #[error("the token is from another issuer")]
    WrongIssuer,
    #[error("the token's signature does not match")]
    BadSignature,
    #[error("the token lacks a required claim")]
    MissingClaim,
}

impl TokenError {
    /// Why, to say in the language asked for.
    pub fn say(&self) -> crate::error::Say {
        crate::error::Say::new(match self {
            Self::Malformed => "token_malformed",
            Self::WrongType => "token_wrong_type",
            Self::WrongAlgorithm => "token_wrong_algorithm",
            Self::UnknownKey => "token_unknown_key",
            Self::Expired => "token_expired",
            Self::NotYetValid => "token_not_yet_valid",
            Self::WrongAudience => "token_wrong_audience",
            Self::WrongIssuer => "token_wrong_issuer",
            Self::BadSignature => "token_bad_signature",
            Self::MissingClaim => "token_missing_claim",
        })
    }
}

/// Issues and verifies access tokens.
pub struct TokenService {
    keys: Arc<Keys>,
    issuer: String,
    ttl: Duration,
    validation: Validation,
    verified: super::verified::Verified,
}

impl TokenService {
    pub fn new(keys: Arc<Keys>, issuer: String, ttl: Duration) -> Self {
        let mut validation = Validation::new(Algorithm::EdDSA);
        validation.leeway = LEEWAY_SECONDS;
        validation.validate_exp = true;
        validation.validate_nbf = true;
        validation.set_required_spec_claims(&["exp", "nbf", "iss", "aud", "sub"]);
        validation.set_issuer(&[&issuer]);
        validation.set_audience(&[AUDIENCE]);
        Self {
            keys,
            issuer,
            ttl,
            validation,
            verified: Default::default(),
        }
    }

    pub fn keys(&self) -> &Keys {
        &self.keys
    }

    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    /// A signed access token for `principal`.
    pub fn issue(&self, principal: &Principal) -> String {
        let now = chrono::Utc::now().timestamp();
        let claims = AccessClaims {
            iss: self.issuer.clone(),
            aud: AUDIENCE.to_owned(),
            sub: principal.subject(),
            org: principal.organisation_id,
            role: principal.role,
            iat: now,
            nbf: now,
            exp: now + self.ttl.as_secs() as i64,
            jti: Uuid::new_v4().to_string(),
            mfa_at: principal.mfa_at.map(|at| at.timestamp()),
        };
        self.sign(&claims)
    }

    /// Signs arbitrary claims as an access token; tests use it to forge defects.
    pub fn sign(&self, claims: &AccessClaims) -> String {
        let signer = self.keys.signer();
        let mut header = Header::new(Algorithm::EdDSA);
        header.typ = Some(ACCESS_TOKEN_TYP.to_owned());
        header.kid = Some(signer.kid.clone());
        jsonwebtoken::encode(&header, claims, &signer.encoding).expect("an Ed25519 key signs")
    }

    /// Verifies a token: the algorithm is pinned, `typ`, `kid`, signature,
    /// `iss`, `aud`, `exp` and `nbf` are all checked.
    /// A token this process verified before is found by its hash while it
    /// is good ([`super::verified`]): the signature is checked once.
    pub fn verify(&self, token: &str) -> Result<Principal, TokenError> {
        let key = super::verified::key_of(token);
        let now = chrono::Utc::now().timestamp();
        if let Some(principal) = self.verified.get(&key, now) {
            return Ok(principal);
        }
        let (principal, claims) = self.verify_fully(token)?;
        let leeway = LEEWAY_SECONDS as i64;
        // As the full check counts: good while exp + leeway is not past,
        // and from nbf - leeway.
        self.verified.put(
            key,
            principal,
            claims.nbf - leeway,
            claims.exp + leeway + 1,
            now,
        );
        Ok(principal)
    }

    fn verify_fully(&self, token: &str) -> Result<(Principal, AccessClaims), TokenError> {
        let header = jsonwebtoken::decode_header(token).map_err(|_| TokenError::Malformed)?;
        if header.alg != Algorithm::EdDSA {
            return Err(TokenError::WrongAlgorithm);
        }
        if header.typ.as_deref() != Some(ACCESS_TOKEN_TYP) {
            return Err(TokenError::WrongType);
        }
        let key = header
            .kid
            .as_deref()
            .and_then(|kid| self.keys.by_kid(kid))
            .ok_or(TokenError::UnknownKey)?;
        let data = jsonwebtoken::decode::<AccessClaims>(token, &key.decoding, &self.validation)
            .map_err(|e| token_error(&e))?;
        let principal = Principal::from_claims(&data.claims).ok_or(TokenError::Malformed)?;
        Ok((principal, data.claims))
    }
}

/// What a failed check of a JWT's signature or claims means.
pub(super) fn token_error(e: &jsonwebtoken::errors::Error) -> TokenError {
    use jsonwebtoken::errors::ErrorKind as K;
    match e.kind() {
        K::ExpiredSignature => TokenError::Expired,
        K::ImmatureSignature => TokenError::NotYetValid,
        K::InvalidAudience => TokenError::WrongAudience,
        K::InvalidIssuer => TokenError::WrongIssuer,
        K::InvalidSignature => TokenError::BadSignature,
        K::MissingRequiredClaim(_) => TokenError::MissingClaim,
        K::InvalidAlgorithm => TokenError::WrongAlgorithm,
        _ => TokenError::Malformed,
    }
}

impl Principal {
    fn subject(&self) -> String {
        format!("{}:{}", self.kind.code(), self.id)
    }

    fn from_claims(claims: &AccessClaims) -> Option<Self> {
        let (kind, id) = claims.sub.split_once(':')?;
        // Only Maskinporten's own tokens make such a caller.
        let kind = SubjectKind::parse(kind).filter(|k| *k != SubjectKind::Maskinporten)?;
        let principal = Self {
            kind,
            id: id.parse().ok()?,
            organisation_id: claims.org,
            role: claims.role,
            mfa_at: match claims.mfa_at {
                Some(seconds) => Some(chrono::DateTime::from_timestamp(seconds, 0)?),
                None => None,
            },
            supplier: None,
        };
        // A regulator has no organisation; everyone else has one.
        ((principal.role == Role::Regulator) == principal.organisation_id.is_none())
            .then_some(principal)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::keys::generate_pem;

    fn service(pem: &str, issuer: &str) -> TokenService {
        TokenService::new(
            Arc::new(Keys::from_pems(&[pem]).unwrap()),
            issuer.to_owned(),
            Duration::from_secs(900),
        )
    }

    fn member() -> Principal {
        Principal {
            kind: SubjectKind::User,
            id: Uuid::new_v4(),
            organisation_id: Some(Uuid::new_v4()),
            role: Role::Member,
            mfa_at: None,
            supplier: None,
        }
    }

    #[test]
    fn a_token_signs_and_verifies() {
        let s = service(&generate_pem().unwrap(), "https://meldeplikt.example");
        let p = member();
        assert_eq!(s.verify(&s.issue(&p)), Ok(p));
    }

    #[test]
    fn the_time_of_the_second_factor_travels_in_the_token() {
        let s = service(&generate_pem().unwrap(), "https://meldeplikt.example");
        let at = chrono::DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let p = Principal {
            mfa_at: Some(at),
            ..member()
        };
        let verified = s.verify(&s.issue(&p)).unwrap();
        assert_eq!(verified, p);
        let minutes = |m: u64| std::time::Duration::from_secs(60 * m);
        let later = |m| at + chrono::Duration::minutes(m);
        assert!(verified.mfa_within(minutes(5), later(4)));
        assert!(verified.mfa_within(minutes(5), later(5)));
        assert!(!verified.mfa_within(minutes(5), later(6)));
        assert!(verified.mfa_within(minutes(5), later(-1)));
        assert!(!member().mfa_within(minutes(5), at));
    }

    #[test]
    fn tokens_of_another_key_or_issuer_are_refused() {
        let pem = generate_pem().unwrap();
        let ours = service(&pem, "https://a.example");
        let theirs = service(&generate_pem().unwrap(), "https://a.example");
        assert_eq!(
            ours.verify(&theirs.issue(&member())),
            Err(TokenError::UnknownKey)
        );
        let other_issuer = service(&pem, "https://b.example");
        assert_eq!(
            ours.verify(&other_issuer.issue(&member())),
            Err(TokenError::WrongIssuer)
        );
    }
}
