//! Who is calling: access tokens, passwords, signing keys, throttling, and
//! the [`Principal`] extractor every protected handler takes.

pub mod keys;
pub mod password;
pub mod throttle;
pub mod tokens;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::error::ApiError;
use tokens::TokenService;

/// A role. Regulators are made only from the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Manages the organisation's users and API clients, and everything a member does.
    Admin,
    /// Works with the organisation's notifications.
    Member,
    /// The authority's back office: reads every organisation's notifications.
    Regulator,
}

impl Role {
    pub fn code(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Member => "member",
            Self::Regulator => "regulator",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        match code {
            "admin" => Some(Self::Admin),
            "member" => Some(Self::Member),
            "regulator" => Some(Self::Regulator),
            _ => None,
        }
    }
}

/// Whether a person or an integration is calling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum SubjectKind {
    User,
    Client,
}

impl SubjectKind {
    pub fn code(self) -> &'static str {
        match self {
            Self::User => "user",
            Self::Client => "client",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        [Self::User, Self::Client]
            .into_iter()
            .find(|k| k.code() == code)
    }
}

/// The verified caller of a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Principal {
    pub kind: SubjectKind,
    pub id: Uuid,
    /// The caller's organisation; none for regulators.
    pub organisation_id: Option<Uuid>,
    pub role: Role,
}

impl Principal {
    /// The caller's organisation, for organisation routes. A regulator has
    /// none, and so finds nothing there.
    pub fn organisation(&self) -> Result<Uuid, ApiError> {
        self.organisation_id.ok_or(ApiError::NotFound)
    }

    /// Organisation admins only; 403 for members of the same organisation.
    pub fn require_admin(&self) -> Result<Uuid, ApiError> {
        let organisation = self.organisation()?;
        if self.role == Role::Admin && self.kind == SubjectKind::User {
            Ok(organisation)
        } else {
            tracing::info!(
                event = "auth.forbidden",
                subject = %self.id,
                role = self.role.code(),
                "refused: organisation admins only"
            );
            Err(ApiError::forbidden(
                "Only the organisation's admins may do this",
            ))
        }
    }

    pub fn require_regulator(&self) -> Result<(), ApiError> {
        if self.role == Role::Regulator {
            Ok(())
        } else {
            // Back-office routes do not exist for anyone else.
            Err(ApiError::NotFound)
        }
    }
}

impl FromRequest for Principal {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(authenticate(req))
    }
}

fn authenticate(req: &HttpRequest) -> Result<Principal, ApiError> {
    let tokens = req
        .app_data::<web::Data<TokenService>>()
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("no token service configured")))?;
    let Some(value) = req.headers().get(header::AUTHORIZATION) else {
        return Err(ApiError::Unauthorized {
            error: None,
            detail: "Send an access token: Authorization: Bearer <token>".into(),
        });
    };
    let token = value
        .to_str()
        .ok()
        .and_then(|v| {
            let (scheme, token) = v.split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
        })
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            ApiError::unauthorized(
                "invalid_request",
                "The Authorization header must be: Bearer <token>",
            )
        })?;
    tokens.verify(token).map_err(|err| {
        tracing::info!(event = "auth.token_rejected", reason = %err, "access token rejected");
        ApiError::unauthorized("invalid_token", err.to_string())
    })
}
