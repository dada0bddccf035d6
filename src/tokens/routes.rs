//! The OAuth 2.0-style token endpoint, refresh-token rotation with reuse
//! detection, revocation, and the published keys.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use diesel_async::AsyncConnection;
use secrecy::ExposeSecret;
use serde::Serialize;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use super::AuthSettings;
use super::request::{RevokeRequest, TokenRequest, TokenRequestDoc};
use super::store::{self as refresh, Spent};
use crate::accounts::mfa::{self, MfaSettings};
use crate::accounts::store;
use crate::auth::keys::Jwks;
use crate::auth::password::Passwords;
use crate::auth::tokens::TokenService;
use crate::auth::totp::Code;
use crate::auth::{Principal, Role, SubjectKind, client, throttle};
use crate::clock::Clock;
use crate::db::Pool;
use crate::error::{ApiError, Problem, Say};

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(create_token)
        .service(revoke_token)
        .service(get_jwks);
}

/// Tokens (RFC 6749 §5.1).
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    /// A JWT (EdDSA, `typ: at+jwt`) for `Authorization: Bearer`.
    pub access_token: String,
    #[schema(example = "Bearer")]
    pub token_type: &'static str,
    /// Seconds until the access token expires.
    #[schema(example = 900)]
    pub expires_in: u64,
    /// For users: use once with `grant_type=refresh_token`; a new one comes
    /// back each time, and reusing a spent one revokes them all.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
}

/// Gets tokens: `password` for users (with `totp` where the account has a
/// second factor), `client_credentials` for integrations, `refresh_token` to
/// rotate. JSON or `application/x-www-form-urlencoded`.
#[utoipa::path(
    tag = "tokens",
    operation_id = "create_token",
    security(()),
    request_body(content(
        (TokenRequestDoc = "application/json"),
        (TokenRequestDoc = "application/x-www-form-urlencoded"),
    )),
    responses(
        (status = 200, description = "Tokens", body = TokenResponse),
        (status = 400, description = "A missing parameter, an unsupported grant type, or a `totp` that is no code's form (`code`)",
            body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Wrong credentials (a wrong password or second-factor code: one answer for either), or a spent or revoked refresh token (`code: invalid_grant`); or the password was right but the account has a second factor and no code was sent (`code: mfa_required`): send the password again with `totp` (or `recovery_code`)",
            body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Neither JSON nor a form", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many failures; wait `Retry-After` seconds",
            body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Too many sign-ins at once; retry", body = Problem,
            content_type = "application/problem+json"),
    )
)]
#[post("/v1/auth/token")]
#[expect(clippy::too_many_arguments, reason = "one extractor per need")]
async fn create_token(
    req: HttpRequest,
    body: web::Bytes,
    pool: web::Data<Pool>,
    passwords: web::Data<Passwords>,
    tokens: web::Data<TokenService>,
    settings: web::Data<AuthSettings>,
    mfa: web::Data<MfaSettings>,
    clock: web::Data<Clock>,
) -> Result<HttpResponse, ApiError> {
    let request = TokenRequest::read(&req, &body)?;
    let address = client::address_key(&req);
    let response = match request.grant_type.as_deref() {
        Some("password") => {
            let signing_in = SignIn {
                address: &address,
                pool: &pool,
                passwords: &passwords,
                tokens: &tokens,
                settings: &settings,
                mfa: &mfa,
                now: clock.now(),
            };
            password_grant(request, signing_in).await?
        }
        Some("client_credentials") => {
            client_grant(request, &address, &pool, &tokens, &settings).await?
        }
        Some("refresh_token") => refresh_grant(request, &pool, &tokens, &settings).await?,
        None => return Err(missing("grant_type")),
        Some(_) => {
            return Err(ApiError::bad_field(
                "grant_type",
                "unsupported_grant_type",
                Say::new("unsupported_grant_type"),
            ));
        }
    };
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(response))
}

fn missing(field: &str) -> ApiError {
    ApiError::bad_field(
        field,
        "invalid_request",
        Say::new("parameter_required").with("name", field),
    )
}

/// Credentials that do not hold; `why` is a key of the catalogue.
fn invalid_grant(why: &'static str) -> ApiError {
    ApiError::unauthorized("invalid_grant", Say::new(why))
}

/// The account has a second factor and no code came: said the same
/// whether the password was right or not.
fn mfa_required() -> ApiError {
    ApiError::unauthorized("mfa_required", Say::new("mfa_required"))
}

/// What a password sign-in uses.
struct SignIn<'a> {
    address: &'a str,
    pool: &'a Pool,
    passwords: &'a Passwords,
    tokens: &'a TokenService,
    settings: &'a AuthSettings,
    mfa: &'a MfaSettings,
    /// The service's clock: the time step of a TOTP code, and `mfa_at`.
    now: DateTime<Utc>,
}

/// Failures of one account from everywhere, as a multiple of the free
/// failures, before failing addresses are held back (see `auth::throttle`).
const ACCOUNT_CEILING: u32 = 20;

/// A client address may have this many times the free failures.
const ADDRESS_FACTOR: u32 = 4;

/// Signs a user in. Throttled by account and address together, by address
/// and, gently, by account: see `auth::throttle` for why.
///
/// An account with a second factor needs its code too (`totp`, or a
/// recovery code in `recovery_code`). A right password without one is
/// answered `mfa_required`, nothing counted or cleared; a wrong one is the
/// ordinary failure, as the contract says ("Details that clients rely
/// on"). With a code, a wrong password and a wrong code are the same
/// failure, answered and counted alike.
async fn password_grant(
    request: TokenRequest,
    signing_in: SignIn<'_>,
) -> Result<TokenResponse, ApiError> {
    let SignIn {
        address,
        pool,
        passwords,
        tokens,
        settings,
        mfa,
        now,
    } = signing_in;
    let email = request
        .username
        .as_deref()
        .map(|u| u.trim().to_lowercase())
        .filter(|u| !u.is_empty())
        .ok_or_else(|| missing("username"))?;
    let password = request.password.ok_or_else(|| missing("password"))?;
    // A code that is no code's form is the request's fault: said before
    // anything is checked, so it tells nothing about the account.
    let given = |field: &Option<secrecy::SecretString>| {
        field
            .as_ref()
            .map(|t| t.expose_secret().trim().to_owned())
            .filter(|t| !t.is_empty())
    };
    let malformed =
        |name: &str| ApiError::bad_field(name, "invalid_request", Say::new("totp_malformed"));
    let code = match (given(&request.totp), given(&request.recovery_code)) {
        (Some(text), _) => Some(Code::parse(&text).ok_or_else(|| malformed("totp"))?),
        (None, Some(text)) => match Code::parse(&text) {
            Some(code @ Code::Recovery(_)) => Some(code),
            _ => return Err(malformed("recovery_code")),
        },
        (None, None) => None,
    };
    let pair_key = format!("login:{email} from {address}");
    let address_key = format!("login-ip:{address}");
    let account_key = format!("login-account:{email}");
    // An address may have an account in several organisations: the
    // password says which, and `organisation_id` chooses should two share
    // it (or should the address have more accounts than are looked at).
    let wanted = match request.organisation_id.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(text) => Some(Uuid::parse_str(text).map_err(|_| {
            ApiError::bad_field(
                "organisation_id",
                "invalid_request",
                Say::new("organisation_id_invalid"),
            )
        })?),
    };
    // Nothing is looked up while every hashing slot is taken.
    passwords.at_capacity()?;
    let (accounts, with_factor) = {
        let mut conn = pool.get().await?;
        throttle::check(&mut conn, &pair_key).await?;
        throttle::check(&mut conn, &address_key).await?;
        let accounts = store::users_by_email(&mut conn, &email, wanted).await?;
        let ids: Vec<Uuid> = accounts.iter().map(|a| a.id).collect();
        let with_factor = mfa::store::active_among(&mut conn, &ids).await?;
        (accounts, with_factor)
    };
    // No connection is held while the hashes are checked; an address
    // without accounts is checked against a dummy hash all the same.
    let mut user = None;
    if accounts.is_empty() {
        passwords.verify(password.clone(), None).await?;
    }
    for account in accounts {
        if passwords
            .verify(password.clone(), Some(account.password_hash.clone()))
            .await?
        {
            if user.is_some() {
                return Err(ApiError::bad_field(
                    "organisation_id",
                    "organisation_required",
                    Say::new("organisation_required"),
                ));
            }
            user = Some(account);
        }
    }
    let mut conn = pool.get().await?;
    let needs_factor = |id: Uuid| with_factor.contains(&id);
    let mut mfa_at = None;
    let user = match (user, &code) {
        (Some(user), _) if !needs_factor(user.id) => Some(user),
        // A password right for an account with a second factor, or right
        // for none of an address that has one: the same answer.
        (Some(_), None) => return Err(mfa_required()),
        (Some(user), Some(code)) => {
            // A locked second factor refuses the right code too.
            mfa::lock::check(&mut conn, user.id).await?;
            if mfa::check(&mut conn, &mfa.key, user.id, code, now).await? {
                mfa::lock::clear(&mut conn, user.id).await?;
                if let Code::Recovery(_) = code {
                    tracing::info!(event = "auth.recovery_code_used", user = %user.id, "a recovery code was used");
                }
                mfa_at = Some(now);
                Some(user)
            } else {
                mfa::lock::count_wrong(&mut conn, user.id, &user.email, mfa.free_failures, now)
                    .await?;
                None
            }
        }
        (None, Some(code)) => {
            if let Some(&id) = with_factor.first() {
                mfa::check_in_vain(&mut conn, &mfa.key, id, code).await?;
            }
            None
        }
        (None, None) => None,
    };
    let Some(user) = user else {
        let free = settings.free_failures;
        let pair = throttle::fail(&mut conn, &pair_key, free).await?;
        if pair.failures == 1 {
            // Another account began failing from this address.
            throttle::fail(&mut conn, &address_key, free * ADDRESS_FACTOR).await?;
        }
        let account = throttle::fail(&mut conn, &account_key, free * ACCOUNT_CEILING).await?;
        if let Some(until) = account.blocked_until {
            throttle::block_until(&mut conn, &pair_key, until).await?;
        }
        tracing::info!(
            event = "auth.login_failed",
            blocked = pair.blocked_until.is_some() || account.blocked_until.is_some(),
            "a sign-in failed"
        );
        return Err(invalid_grant(if code.is_some() {
            "wrong_credentials_or_code"
        } else {
            "wrong_credentials"
        }));
    };
    throttle::clear(&mut conn, &pair_key).await?;
    let principal = Principal {
        kind: SubjectKind::User,
        id: user.id,
        organisation_id: user.organisation_id,
        role: user.role(),
        mfa_at,
        supplier: None,
    };
    let refresh = issue_refresh(&mut conn, Uuid::new_v4(), user.id, settings, mfa_at).await?;
    tracing::info!(event = "auth.login_succeeded", user = %user.id, "a user signed in");
    Ok(TokenResponse {
        access_token: tokens.issue(&principal),
        token_type: "Bearer",
        expires_in: tokens.ttl().as_secs(),
        refresh_token: Some(refresh),
    })
}

async fn client_grant(
    request: TokenRequest,
    address: &str,
    pool: &Pool,
    tokens: &TokenService,
    settings: &AuthSettings,
) -> Result<TokenResponse, ApiError> {
    let client_id = request
        .client_id
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .ok_or_else(|| missing("client_id"))?
        .to_owned();
    let secret = request
        .client_secret
        .ok_or_else(|| missing("client_secret"))?;
    // Kept apart from the users' keys: a misconfigured integration does not
    // lock out the people behind its address.
    let ip_key = format!("client-ip:{address}");
    let mut conn = pool.get().await?;
    throttle::check(&mut conn, &ip_key).await?;
    let client = store::active_client(&mut conn, &client_id).await?;
    let presented = Sha256::digest(secret.expose_secret().as_bytes());
    let genuine = client
        .as_ref()
        .is_some_and(|c| bool::from(c.secret_hash.as_slice().ct_eq(presented.as_slice())));
    let Some(client) = client.filter(|_| genuine) else {
        throttle::fail(&mut conn, &ip_key, settings.free_failures * ADDRESS_FACTOR).await?;
        tracing::info!(
            event = "auth.client_failed",
            "a client's credentials were refused"
        );
        return Err(invalid_grant("wrong_client_credentials"));
    };
    tracing::info!(event = "auth.client_succeeded", client = %client.id, "a client got a token");
    let principal = Principal {
        kind: SubjectKind::Client,
        id: client.id,
        organisation_id: Some(client.organisation_id),
        role: Role::Member,
        mfa_at: None,
        supplier: None,
    };
    Ok(TokenResponse {
        access_token: tokens.issue(&principal),
        token_type: "Bearer",
        expires_in: tokens.ttl().as_secs(),
        refresh_token: None,
    })
}

async fn refresh_grant(
    request: TokenRequest,
    pool: &Pool,
    tokens: &TokenService,
    settings: &AuthSettings,
) -> Result<TokenResponse, ApiError> {
    let presented = request
        .refresh_token
        .ok_or_else(|| missing("refresh_token"))?;
    let hash = Sha256::digest(presented.expose_secret().as_bytes());
    let mut conn = pool.get().await?;
    // Spend, detect reuse and issue in one transaction, the family locked:
    // a concurrent use of the same token either wins before this one or
    // finds it spent and revokes the family, the new token included.
    let outcome = conn
        .transaction::<_, ApiError, _>(async |conn| {
            let Some(family) = refresh::family_by_hash(conn, &hash).await? else {
                return Ok(Err(invalid_grant("refresh_token_invalid")));
            };
            refresh::lock_family(conn, family).await?;
            let (family_id, user_id, mfa_at) =
                match refresh::spend_refresh_token(conn, &hash).await? {
                    Spent::Rotated {
                        family_id,
                        user_id,
                        mfa_at,
                    } => (family_id, user_id, mfa_at),
                    Spent::Reused { family_id } => {
                        tracing::warn!(
                            event = "auth.refresh_reuse_detected",
                            family = %family_id,
                            "a spent refresh token was presented again; its family is revoked"
                        );
                        return Ok(Err(invalid_grant("refresh_token_reused")));
                    }
                    Spent::Unknown => return Ok(Err(invalid_grant("refresh_token_invalid"))),
                };
            if refresh::family_revoked(conn, family_id).await? {
                return Ok(Err(invalid_grant("refresh_token_reused")));
            }
            let Some(user) = store::user(conn, user_id).await? else {
                return Ok(Err(invalid_grant("user_gone")));
            };
            // The sign-in's time of the second factor, not now: a
            // rotation is no new check.
            let refresh = issue_refresh(conn, family_id, user.id, settings, mfa_at).await?;
            Ok(Ok((user, refresh, mfa_at)))
        })
        .await?;
    let (user, refresh, mfa_at) = outcome?;
    let principal = Principal {
        kind: SubjectKind::User,
        id: user.id,
        organisation_id: user.organisation_id,
        role: user.role(),
        mfa_at,
        supplier: None,
    };
    Ok(TokenResponse {
        access_token: tokens.issue(&principal),
        token_type: "Bearer",
        expires_in: tokens.ttl().as_secs(),
        refresh_token: Some(refresh),
    })
}

async fn issue_refresh(
    conn: &mut diesel_async::AsyncPgConnection,
    family_id: Uuid,
    user_id: Uuid,
    settings: &AuthSettings,
    mfa_at: Option<DateTime<Utc>>,
) -> Result<String, ApiError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| ApiError::internal(anyhow::anyhow!("{e}")))?;
    let token = URL_SAFE_NO_PAD.encode(bytes);
    let expires_at = Utc::now()
        + chrono::Duration::from_std(settings.refresh_token_ttl).map_err(ApiError::internal)?;
    refresh::insert_refresh_token(
        conn,
        family_id,
        user_id,
        &Sha256::digest(token.as_bytes()),
        expires_at,
        mfa_at,
    )
    .await?;
    Ok(token)
}

/// Revokes a refresh token of one's own, and every token rotated from the
/// same sign-in (RFC 7009: unknown tokens are not an error).
#[utoipa::path(
    tag = "tokens",
    operation_id = "revoke_token",
    security(("bearer" = [])),
    request_body(content(
        (RevokeRequest = "application/json"),
        (RevokeRequest = "application/x-www-form-urlencoded"),
    )),
    responses(
        (status = 204, description = "Revoked, or not a token of the caller's"),
        (status = 400, description = "refresh_token is missing", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Neither JSON nor a form", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/v1/auth/revoke")]
async fn revoke_token(
    req: HttpRequest,
    principal: Principal,
    body: web::Bytes,
    pool: web::Data<Pool>,
) -> Result<HttpResponse, ApiError> {
    let request = RevokeRequest::read(&req, &body)?;
    let token = request
        .refresh_token
        .ok_or_else(|| missing("refresh_token"))?;
    if principal.kind == SubjectKind::User {
        let hash = Sha256::digest(token.expose_secret().as_bytes());
        let mut conn = pool.get().await?;
        if let Some(family) = refresh::family_of(&mut conn, &hash, principal.id).await? {
            refresh::revoke_family(&mut conn, family).await?;
            tracing::info!(event = "auth.refresh_revoked", user = %principal.id, "refresh tokens revoked");
        }
    }
    Ok(HttpResponse::NoContent().finish())
}

/// The public keys that sign access tokens and receipts (RFC 7517).
#[utoipa::path(
    tag = "tokens",
    operation_id = "get_jwks",
    security(()),
    responses((status = 200, description = "The JWK Set", body = Jwks))
)]
#[get("/.well-known/jwks.json")]
async fn get_jwks(tokens: web::Data<TokenService>) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "public, max-age=300"))
        .json(tokens.keys().jwks())
}
