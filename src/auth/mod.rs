//! Who is calling: access tokens, passwords, signing keys, throttling, and
//! the [`Principal`] extractor every protected handler takes.

pub mod client;
pub mod keys;
pub mod maskinporten;
pub mod password;
pub mod recovery;
pub mod sealing;
pub mod throttle;
pub mod tokens;
pub mod totp;
pub mod verified;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use futures_util::future::LocalBoxFuture;
use uuid::Uuid;

use crate::db::Pool;
use crate::domain::identifiers::OrgNumber;
use crate::error::{ApiError, Say};
use crate::schema::{api_clients, users};
use maskinporten::Maskinporten;
use tokens::TokenService;

pub use crate::domain::access::{Role, SubjectKind};

/// The verified caller of a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Principal {
    pub kind: SubjectKind,
    pub id: Uuid,
    /// The caller's organisation; none for regulators.
    pub organisation_id: Option<Uuid>,
    pub role: Role,
    /// When the sign-in behind the token checked a second factor (TOTP or
    /// a recovery code), by the service's clock; `None` when it did not.
    /// A refreshed token keeps its sign-in's time.
    pub mfa_at: Option<DateTime<Utc>>,
    /// The vendor whose system acts for the organisation, where a
    /// Maskinporten token names one (kept in the audit log).
    pub supplier: Option<OrgNumber>,
}

impl Principal {
    /// Whether a second factor was checked within `window` before `now`:
    /// for a step-up, such as "a TOTP code given within the last five
    /// minutes". A time after `now` (another replica's clock a little
    /// ahead) counts as within.
    pub fn mfa_within(&self, window: std::time::Duration, now: DateTime<Utc>) -> bool {
        let Ok(window) = chrono::Duration::from_std(window) else {
            return self.mfa_at.is_some();
        };
        self.mfa_at.is_some_and(|at| at >= now - window)
    }

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
            Err(ApiError::forbidden(Say::new("admins_only")))
        }
    }

    /// The caller as the database has it now, for a request that waited
    /// (a long poll) since it was first checked: a removed user or a
    /// revoked client is refused (401). A Maskinporten caller is checked
    /// by its token alone.
    pub async fn recheck(self, conn: &AsyncPgConnection) -> Result<Principal, ApiError> {
        match self.kind {
            SubjectKind::Maskinporten => Ok(self),
            _ => as_it_is_now(conn, self).await,
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
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    /// [`Claimed`], confirmed at once on a connection of its own.
    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let claimed = Claimed::of(&req).await?;
            if claimed.confirmed {
                return Ok(claimed.principal);
            }
            let pool = req.app_data::<web::Data<Pool>>().ok_or_else(|| {
                ApiError::internal(anyhow::anyhow!("no database pool configured"))
            })?;
            let conn = pool.get().await?;
            claimed.confirm(&conn).await
        })
    }
}

/// A verified token whose caller is not yet checked against the database:
/// for a handler that sends that check together with its own first
/// statement (pipelined), and must use what [`Claimed::confirm`] answers
/// before anything it read. A Maskinporten caller is checked at once.
pub struct Claimed {
    principal: Principal,
    confirmed: bool,
}

impl Claimed {
    /// The organisation the token names; confirmed by [`Claimed::confirm`].
    pub fn organisation(&self) -> Result<Uuid, ApiError> {
        self.principal.organisation()
    }

    /// The caller as the database has it now (see [`as_it_is_now`]).
    pub async fn confirm(self, conn: &AsyncPgConnection) -> Result<Principal, ApiError> {
        match self.confirmed {
            true => Ok(self.principal),
            false => as_it_is_now(conn, self.principal).await,
        }
    }
}

impl Claimed {
    /// The request's bearer token, verified: the service's own, or one of
    /// Maskinporten's (whose caller its checks already make).
    async fn of(req: &HttpRequest) -> Result<Self, ApiError> {
        let token = bearer(req)?;
        if let Some(maskinporten) = req.app_data::<web::Data<Maskinporten>>()
            && maskinporten.claims_to_be_ours(token)
        {
            return Ok(Self {
                principal: maskinporten.principal(req, token).await?,
                confirmed: true,
            });
        }
        Ok(Self {
            principal: verify(req, token)?,
            confirmed: false,
        })
    }
}

impl FromRequest for Claimed {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { Self::of(&req).await })
    }
}

/// The caller as the database has it now, checked on every request (one
/// look-up by primary key): a removed user or a revoked client loses its
/// rights at once, on every route, and a user's role is the current one.
/// Chosen over a revocation list or a token version because it needs no
/// second store to keep in step and no cache to invalidate; it costs one
/// indexed read per authenticated request.
async fn as_it_is_now(
    mut conn: &AsyncPgConnection,
    token: Principal,
) -> Result<Principal, ApiError> {
    let current: Option<(Option<Uuid>, Role)> = match token.kind {
        SubjectKind::User => users::table
            .find(token.id)
            .select((users::organisation_id, users::role))
            .first(&mut conn)
            .await
            .optional()?,
        SubjectKind::Client => api_clients::table
            .find(token.id)
            .filter(api_clients::revoked_at.is_null())
            .select(api_clients::organisation_id)
            .first::<Uuid>(&mut conn)
            .await
            .optional()?
            .map(|organisation| (Some(organisation), token.role)),
        // Never in the service's own tokens (see `tokens`).
        SubjectKind::Maskinporten => None,
    };
    match current {
        Some((organisation_id, role)) if organisation_id == token.organisation_id => {
            Ok(Principal { role, ..token })
        }
        _ => {
            tracing::info!(event = "auth.subject_gone", subject = %token.id, "a token of a removed or changed account");
            Err(ApiError::unauthorized(
                "invalid_token",
                Say::new("account_removed"),
            ))
        }
    }
}

/// The bearer token of the request.
fn bearer(req: &HttpRequest) -> Result<&str, ApiError> {
    let Some(value) = req.headers().get(header::AUTHORIZATION) else {
        return Err(ApiError::Unauthorized {
            error: None,
            detail: Say::new("token_missing"),
        });
    };
    value
        .to_str()
        .ok()
        .and_then(|v| {
            let (scheme, token) = v.split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
        })
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            ApiError::unauthorized("invalid_request", Say::new("authorization_malformed"))
        })
}

/// One of the service's own access tokens.
fn verify(req: &HttpRequest, token: &str) -> Result<Principal, ApiError> {
    let tokens = req
        .app_data::<web::Data<TokenService>>()
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("no token service configured")))?;
    tokens.verify(token).map_err(|err| {
        tracing::info!(event = "auth.token_rejected", reason = %err, "access token rejected");
        ApiError::unauthorized("invalid_token", err.say())
    })
}
