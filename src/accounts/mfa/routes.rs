//! A user's own second factor: enrol (a secret, then a first code, then
//! the recovery codes), and remove it with a code.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, delete, post, web};
use diesel_async::{AsyncConnection, AsyncPgConnection};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{MfaSettings, check, check_totp, lock, new_recovery_codes, put_secret, store};
use crate::accounts::store as accounts;
use crate::api::{AcceptLanguage, request_id, validation_error};
use crate::audit::{self, Entry};
use crate::auth::totp::Code;
use crate::auth::{Principal, Role, SubjectKind};
use crate::clock::Clock;
use crate::db::Pool;
use crate::domain::i18n::Lang;
use crate::domain::notification::Violation;
use crate::error::{ApiError, Problem, Say};
use crate::extract::ApiJson;

/// A TOTP secret for an authenticator app, shown this once. Confirm it
/// with a code from the app (`POST /v1/me/mfa/totp/confirm`).
#[derive(Debug, Serialize, ToSchema)]
pub struct TotpEnrolment {
    /// The secret in base32 (RFC 4648, no padding), to type into the app.
    #[schema(example = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")]
    pub secret: String,
    /// The same secret as an `otpauth://` URI (Key Uri Format: HMAC-SHA-1,
    /// six digits, 30-second steps), for a QR code.
    #[schema(
        example = "otpauth://totp/meldeplikt:personvern%40fjordvik.kommune.no?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=meldeplikt"
    )]
    pub otpauth_uri: String,
}

/// The second factor is active: from now on every sign-in needs a code.
#[derive(Debug, Serialize, ToSchema)]
pub struct TotpConfirmed {
    /// Ten recovery codes, shown this once. Each signs in once in place of
    /// a code from the app (in the token request's `totp`), or removes the
    /// factor. Keep them apart from the device.
    #[schema(example = json!(["7KQ2-M9XD-4PTH-W3RJ-C8FN-6VAE", "Q4ZB-2HXM-9RCT-W7KD-P3NF-8JYA"]))]
    pub recovery_codes: Vec<String>,
}

/// A code from the authenticator app.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TotpCodeInput {
    /// Six digits from the authenticator app (spaces between them allowed).
    #[schema(example = "492039", required = true, pattern = "^ *([0-9] *){6}$")]
    pub code: Option<String>,
}

/// A code from the authenticator app, or a recovery code.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MfaCodeInput {
    /// Six digits from the authenticator app, or one of the recovery codes
    /// (24 characters, hyphens and spaces anywhere, any case).
    #[schema(
        example = "NQ6R-MZNR-SBYQ-DGFA-9PQP-Y4Y2",
        required = true,
        pattern = "^ *([0-9] *){6}$|^[ -]*([0-9A-TV-Za-tv-z][ -]*){24}$"
    )]
    pub code: Option<String>,
}

/// The caller as a user with a second factor to manage: 403 for an API
/// client, which has none.
fn user(principal: &Principal) -> Result<Uuid, ApiError> {
    match principal.kind {
        SubjectKind::User => Ok(principal.id),
        SubjectKind::Client | SubjectKind::Maskinporten => {
            Err(ApiError::forbidden(Say::new("mfa_users_only")))
        }
    }
}

/// The typed code, or 422 naming `/code`.
fn read_code(input: Option<String>, totp_only: bool, lang: Lang) -> Result<Code, ApiError> {
    let violation = |code| Violation {
        pointer: "/code".into(),
        code,
        args: Vec::new(),
    };
    let text = input.unwrap_or_default();
    if text.trim().is_empty() {
        return Err(validation_error(&[violation("required")], &[], lang));
    }
    match Code::parse(&text) {
        Some(code @ Code::Totp(_)) => Ok(code),
        Some(code @ Code::Recovery(_)) if !totp_only => Ok(code),
        _ if totp_only => Err(validation_error(
            &[violation("totp_code_format")],
            &[],
            lang,
        )),
        _ => Err(validation_error(&[violation("mfa_code_format")], &[], lang)),
    }
}

/// Counts a wrong code against the user's account ([`lock`]) and answers
/// 422 naming `/code`.
async fn wrong_code(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    settings: &MfaSettings,
    now: chrono::DateTime<chrono::Utc>,
    lang: Lang,
) -> ApiError {
    let email = match accounts::user(conn, user_id).await {
        Ok(Some(user)) => user.email,
        Ok(None) => return ApiError::NotFound,
        Err(err) => return err.into(),
    };
    if let Err(err) = lock::count_wrong(conn, user_id, &email, settings.free_failures, now).await {
        return err;
    }
    tracing::info!(
        event = "auth.mfa_code_refused",
        "a second-factor code was refused"
    );
    let violation = Violation {
        pointer: "/code".into(),
        code: "mfa_code_wrong",
        args: Vec::new(),
    };
    validation_error(&[violation], &[], lang)
}

/// Starts enrolling a TOTP second factor: a new secret for an
/// authenticator app. It counts once confirmed with a code from the app;
/// until then sign-in goes on without it, and starting again replaces the
/// secret. API clients have no second factor.
#[utoipa::path(
    tag = "accounts",
    operation_id = "enrol_totp",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The secret, shown this once", body = TotpEnrolment),
        (status = 403, description = "An API client: only users have a second factor", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A second factor is active already (`code: mfa_active`); remove it first", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/totp")]
pub(in crate::accounts) async fn enrol_totp(
    principal: Principal,
    pool: web::Data<Pool>,
    settings: web::Data<MfaSettings>,
    clock: web::Data<Clock>,
) -> Result<HttpResponse, ApiError> {
    let user_id = user(&principal)?;
    let mut conn = pool.get().await?;
    let account = accounts::user(&mut conn, user_id)
        .await?
        .ok_or_else(|| ApiError::unauthorized("invalid_token", Say::new("user_gone")))?;
    let enrolment = put_secret(
        &mut conn,
        &settings.key,
        user_id,
        &account.email,
        clock.now(),
        false,
    )
    .await?
    .ok_or_else(|| ApiError::conflict("mfa_active", Say::new("mfa_active")))?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(TotpEnrolment {
            secret: enrolment.secret,
            otpauth_uri: enrolment.otpauth_uri,
        }))
}

/// Confirms the TOTP second factor with a code from the authenticator app:
/// from now on every sign-in needs a code. Answers the ten recovery codes,
/// this once.
#[utoipa::path(
    tag = "accounts",
    operation_id = "confirm_totp",
    security(("bearer" = [])),
    request_body = TotpCodeInput,
    responses(
        (status = 200, description = "Active; the recovery codes, shown this once", body = TotpConfirmed),
        (status = 403, description = "An API client: only users have a second factor", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "No enrolment waits for a code (`code: mfa_not_pending`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`/code` is missing, not six digits, wrong, or of a time step used before (`mfa_code_wrong`)", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many wrong codes; wait `Retry-After` seconds", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/totp/confirm")]
pub(in crate::accounts) async fn confirm_totp(
    req: HttpRequest,
    principal: Principal,
    lang: AcceptLanguage,
    pool: web::Data<Pool>,
    settings: web::Data<MfaSettings>,
    clock: web::Data<Clock>,
    body: ApiJson<TotpCodeInput>,
) -> Result<HttpResponse, ApiError> {
    let user_id = user(&principal)?;
    let Code::Totp(digits) = read_code(body.0.code, true, lang.0)? else {
        unreachable!("read_code answers only TOTP codes here");
    };
    let request_id = request_id(&req);
    let now = clock.now();
    let mut conn = pool.get().await?;
    lock::check(&mut conn, user_id).await?;
    let factor = store::factor(&mut conn, user_id)
        .await?
        .filter(|f| !f.is_active())
        .ok_or_else(|| ApiError::conflict("mfa_not_pending", Say::new("mfa_not_pending")))?;
    let key = &settings.key;
    let codes = conn
        .transaction::<_, ApiError, _>(async |conn| {
            if !check_totp(conn, key, &factor, &digits, now).await? {
                return Ok(None);
            }
            let codes = new_recovery_codes(conn, user_id).await?;
            audit::record(
                conn,
                Entry::by(
                    &principal,
                    "mfa.enrolled",
                    format!("user:{user_id}"),
                    request_id,
                    serde_json::json!({ "factor": "totp" }),
                ),
            )
            .await?;
            Ok(Some(codes))
        })
        .await?;
    let Some(recovery_codes) = codes else {
        return Err(wrong_code(&mut conn, user_id, &settings, now, lang.0).await);
    };
    lock::clear(&mut conn, user_id).await?;
    tracing::info!(event = "auth.mfa_enrolled", user = %user_id, "a second factor is active");
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(TotpConfirmed { recovery_codes }))
}

/// Removes one's TOTP second factor and its recovery codes, with a code
/// from the authenticator app or a recovery code. A regulator's second
/// factor stays.
#[utoipa::path(
    tag = "accounts",
    operation_id = "delete_totp",
    security(("bearer" = [])),
    request_body = MfaCodeInput,
    responses(
        (status = 204, description = "Removed: sign-in needs the password only"),
        (status = 403, description = "An API client, which has no second factor, or a regulator, who must keep theirs", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No second factor, active or waiting", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`/code` is missing, not a code's form, wrong, used before (`mfa_code_wrong`)", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many wrong codes; wait `Retry-After` seconds", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/totp")]
pub(in crate::accounts) async fn delete_totp(
    req: HttpRequest,
    principal: Principal,
    lang: AcceptLanguage,
    pool: web::Data<Pool>,
    settings: web::Data<MfaSettings>,
    clock: web::Data<Clock>,
    body: ApiJson<MfaCodeInput>,
) -> Result<HttpResponse, ApiError> {
    let user_id = user(&principal)?;
    if principal.role == Role::Regulator {
        return Err(ApiError::forbidden(Say::new("mfa_kept_by_regulators")));
    }
    let code = read_code(body.0.code, false, lang.0)?;
    let request_id = request_id(&req);
    let now = clock.now();
    let mut conn = pool.get().await?;
    lock::check(&mut conn, user_id).await?;
    if store::factor(&mut conn, user_id).await?.is_none() {
        return Err(ApiError::NotFound);
    }
    let key = &settings.key;
    let removed = conn
        .transaction::<_, ApiError, _>(async |conn| {
            if !check(conn, key, user_id, &code, now).await? {
                return Ok(false);
            }
            store::delete_factor(conn, user_id).await?;
            audit::record(
                conn,
                Entry::by(
                    &principal,
                    "mfa.removed",
                    format!("user:{user_id}"),
                    request_id,
                    serde_json::json!({ "factor": "totp" }),
                ),
            )
            .await?;
            Ok(true)
        })
        .await?;
    if !removed {
        return Err(wrong_code(&mut conn, user_id, &settings, now, lang.0).await);
    }
    lock::clear(&mut conn, user_id).await?;
    tracing::info!(event = "auth.mfa_removed", user = %user_id, "a second factor was removed");
    Ok(HttpResponse::NoContent().finish())
}
