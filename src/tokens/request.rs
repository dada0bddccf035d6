//! What the token and revocation endpoints read: JSON or a form, with the
//! parameters they know and no others (RFC 6749 §3.2: unrecognised
//! parameters are ignored, so they are not even checked).

use actix_web::HttpRequest;
use actix_web::http::header;
use secrecy::SecretString;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use utoipa::ToSchema;

use crate::error::ApiError;
use crate::extract::{BodyLimit, form_value, from_value, json_value};

/// A token request as the service reads it: every parameter optional, so
/// that a missing one is answered as RFC 6749 says (400 `invalid_request`).
#[derive(Debug, Default, Deserialize)]
pub struct TokenRequest {
    pub grant_type: Option<String>,
    pub username: Option<String>,
    pub password: Option<SecretString>,
    pub organisation_id: Option<String>,
    pub totp: Option<SecretString>,
    pub recovery_code: Option<SecretString>,
    pub client_id: Option<String>,
    pub client_secret: Option<SecretString>,
    pub refresh_token: Option<SecretString>,
}

const TOKEN_FIELDS: &[&str] = &[
    "grant_type",
    "username",
    "password",
    "organisation_id",
    "totp",
    "recovery_code",
    "client_id",
    "client_secret",
    "refresh_token",
];

/// A token request (RFC 6749 §4.3, §4.4, §6), as JSON or as a form: one of
/// three grants, told apart by `grant_type`. Other parameters are ignored.
#[derive(ToSchema)]
#[schema(as = TokenRequest)]
#[serde(tag = "grant_type", rename_all = "snake_case")]
#[expect(dead_code, reason = "the documented shape of `TokenRequest`")]
pub enum TokenRequestDoc {
    /// A user signs in. An account with a second factor needs `totp` (or
    /// `recovery_code`) as well: a right password without it is answered
    /// 401 `mfa_required`, so send both again; a wrong one is answered as
    /// any wrong password.
    Password {
        /// The user's e-mail address.
        #[schema(example = "personvern@fjordvik.kommune.no")]
        username: String,
        #[schema(format = Password)]
        password: String,
        /// Which organisation's account, should the address have accounts
        /// in several with this same password.
        #[schema(value_type = String, format = Uuid, required = false)]
        organisation_id: Option<String>,
        /// The second factor, where the account has one: six digits from
        /// the authenticator app (each time step's code works once), or
        /// one of the recovery codes (`XXXX-XXXX-XXXX-XXXX-XXXX-XXXX`, each
        /// works once). Ignored for an account without a second factor.
        #[schema(
            value_type = String,
            format = Password,
            required = false,
            example = "492039",
            pattern = "^ *([0-9] *){6}$|^[ -]*([0-9A-TV-Za-tv-z][ -]*){24}$"
        )]
        totp: Option<String>,
        /// Instead of `totp`: one of the recovery codes
        /// (`XXXX-XXXX-XXXX-XXXX-XXXX-XXXX`), each works once.
        #[schema(
            value_type = String,
            format = Password,
            required = false,
            pattern = "^[ -]*([0-9A-TV-Za-tv-z][ -]*){24}$"
        )]
        recovery_code: Option<String>,
    },
    /// An integration (API client) signs in.
    ClientCredentials {
        /// The client's `client_id` (`mp_…`).
        client_id: String,
        #[schema(format = Password)]
        client_secret: String,
    },
    /// A user's session goes on: the last refresh token received, once.
    RefreshToken {
        #[schema(format = Password)]
        refresh_token: String,
    },
}

/// A refresh token to revoke.
#[derive(Debug, Deserialize, ToSchema)]
pub struct RevokeRequest {
    #[schema(value_type = String, format = Password, required = true)]
    pub refresh_token: Option<SecretString>,
}

const REVOKE_FIELDS: &[&str] = &["refresh_token", "token_type_hint"];

impl TokenRequest {
    pub fn read(req: &HttpRequest, body: &[u8]) -> Result<Self, ApiError> {
        parse_json_or_form(req, body, TOKEN_FIELDS)
    }
}

impl RevokeRequest {
    pub fn read(req: &HttpRequest, body: &[u8]) -> Result<Self, ApiError> {
        parse_json_or_form(req, body, REVOKE_FIELDS)
    }
}

/// Reads a JSON or form body by its content type, keeping only `known`
/// parameters; the kept ones get every check of any other body.
fn parse_json_or_form<T: DeserializeOwned>(
    req: &HttpRequest,
    body: &[u8],
    known: &[&str],
) -> Result<T, ApiError> {
    let limit = req.app_data::<BodyLimit>().map_or(usize::MAX, |l| l.0);
    if body.len() > limit {
        return Err(ApiError::PayloadTooLarge { limit });
    }
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    let value = match content_type.as_str() {
        "application/json" => json_value(body)?,
        "application/x-www-form-urlencoded" => form_value(body)?,
        _ => {
            return Err(ApiError::UnsupportedMediaType {
                expected: "application/json or application/x-www-form-urlencoded",
            });
        }
    };
    from_value(only(value, known))
}

/// The object without the parameters not in `known`; anything else as it is.
fn only(value: Value, known: &[&str]) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .filter(|(k, _)| known.contains(&k.as_str()))
                .collect(),
        ),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_parameters_are_dropped_before_any_check() {
        let value = serde_json::json!({ "grant_type": "password", "x\u{0}": "\u{1}" });
        let kept = only(value, TOKEN_FIELDS);
        assert_eq!(kept, serde_json::json!({ "grant_type": "password" }));
        let read: TokenRequest = from_value(kept).unwrap();
        assert_eq!(read.grant_type.as_deref(), Some("password"));
    }
}
