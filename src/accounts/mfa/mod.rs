//! The second factor of users: a TOTP secret (RFC 6238) and ten single-use
//! recovery codes. Regulators are enrolled by the command line; users enrol
//! themselves (`/v1/me/mfa/totp`, in `routes`); the token endpoint checks a
//! code with [`check`]. Owns `totp_factors` and `recovery_codes` (`store`).
//!
//! A code is accepted only for a time step later than the last one
//! accepted for the account, so a code seen once cannot be used again.

pub mod lock;
pub(super) mod routes;
pub mod store;

use chrono::{DateTime, Utc};
use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use crate::auth::recovery::{self, RecoveryCode};
use crate::auth::totp::{Code, TotpKey, TotpSecret};
use crate::error::ApiError;

/// What the second factor's handlers need: the key secrets are sealed
/// under, and the wrong codes allowed before back-off.
#[derive(Debug, Clone)]
pub struct MfaSettings {
    pub key: TotpKey,
    pub free_failures: u32,
}

/// A secret for an authenticator app, as shown once at enrolment. Its
/// `Debug` never shows it.
#[derive(Clone)]
pub struct Enrolment {
    /// The secret in base32, to type into the app.
    pub secret: String,
    /// The `otpauth://totp/…` URI of the secret, for a QR code.
    pub otpauth_uri: String,
}

impl std::fmt::Debug for Enrolment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Enrolment(****)")
    }
}

impl Enrolment {
    fn of(secret: &TotpSecret, email: &str) -> Self {
        Self {
            secret: secret.base32(),
            otpauth_uri: secret.uri(email),
        }
    }

    /// The code an authenticator app with this secret shows at `at`.
    pub fn code_at(&self, at: DateTime<Utc>) -> String {
        TotpSecret::from_base32(&self.secret)
            .expect("an enrolment's own secret")
            .code_at(unix(at))
    }
}

fn unix(at: DateTime<Utc>) -> u64 {
    u64::try_from(at.timestamp()).unwrap_or(0)
}

fn random_failed(err: getrandom::Error) -> ApiError {
    ApiError::internal(anyhow::anyhow!("random source: {err}"))
}

/// A new secret for `user_id`, sealed and stored; active at once when
/// `active` (the command line), else waiting for its first code. `None`
/// when the user has an active factor already: it is never replaced.
async fn put_secret(
    conn: &mut AsyncPgConnection,
    key: &TotpKey,
    user_id: Uuid,
    email: &str,
    now: DateTime<Utc>,
    active: bool,
) -> Result<Option<Enrolment>, ApiError> {
    let secret = TotpSecret::generate().map_err(random_failed)?;
    let sealed = key.seal(user_id, &secret).map_err(random_failed)?;
    let stored = store::put_factor(conn, user_id, &sealed, now, active.then_some(now)).await?;
    Ok(stored.then(|| Enrolment::of(&secret, email)))
}

/// Ten new recovery codes for `user_id`, replacing any it had; only their
/// hashes are kept.
async fn new_recovery_codes(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
) -> Result<Vec<String>, ApiError> {
    let codes = recovery::generate_set().map_err(random_failed)?;
    let hashes: Vec<[u8; 32]> = codes.iter().map(RecoveryCode::hash).collect();
    store::replace_recovery_codes(conn, user_id, &hashes).await?;
    Ok(codes.iter().map(ToString::to_string).collect())
}

/// Enrols `user_id` at once, without a first code: the command line, which
/// shows the secret and the recovery codes to the one who made the account.
/// Run it in the transaction that made the user.
pub async fn enrol_now(
    conn: &mut AsyncPgConnection,
    key: &TotpKey,
    user_id: Uuid,
    email: &str,
    now: DateTime<Utc>,
) -> Result<(Enrolment, Vec<String>), ApiError> {
    let enrolment = put_secret(conn, key, user_id, email, now, true)
        .await?
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("a new user has a second factor")))?;
    let codes = new_recovery_codes(conn, user_id).await?;
    Ok((enrolment, codes))
}

/// Checks a second-factor code of `user_id` at `now` and spends it: a TOTP
/// code for a step later than the last accepted (one step of drift either
/// way), or an unused recovery code of an active factor. False for a wrong,
/// replayed or spent code, and for a user without a factor.
pub async fn check(
    conn: &mut AsyncPgConnection,
    key: &TotpKey,
    user_id: Uuid,
    code: &Code,
    now: DateTime<Utc>,
) -> Result<bool, ApiError> {
    let Some(factor) = store::factor(conn, user_id).await? else {
        return Ok(false);
    };
    match code {
        Code::Totp(digits) => check_totp(conn, key, &factor, digits, now).await,
        Code::Recovery(code) if factor.is_active() => {
            Ok(store::spend_recovery_code(conn, user_id, &code.hash(), now).await?)
        }
        Code::Recovery(_) => Ok(false),
    }
}

/// The work of [`check`] for an account whose password was wrong, with
/// nothing spent: so that how long a sign-in with a code takes does not
/// tell whether the password was right.
pub async fn check_in_vain(
    conn: &mut AsyncPgConnection,
    key: &TotpKey,
    user_id: Uuid,
    code: &Code,
) -> Result<(), ApiError> {
    let Some(factor) = store::factor(conn, user_id).await? else {
        return Ok(());
    };
    match code {
        Code::Totp(digits) => {
            if let Some(secret) = key.open(factor.user_id, &factor.secret_sealed) {
                std::hint::black_box(secret.step_of(digits, 0));
            }
        }
        Code::Recovery(code) => {
            std::hint::black_box(store::recovery_code_unused(conn, user_id, &code.hash()).await?);
        }
    }
    Ok(())
}

async fn check_totp(
    conn: &mut AsyncPgConnection,
    key: &TotpKey,
    factor: &store::FactorRow,
    digits: &str,
    now: DateTime<Utc>,
) -> Result<bool, ApiError> {
    // A secret that does not open is the configuration's fault (another
    // MELDEPLIKT_TOTP_KEY), not the user's: said in the log, answered 500.
    let secret = key
        .open(factor.user_id, &factor.secret_sealed)
        .ok_or_else(|| {
            ApiError::internal(anyhow::anyhow!(
                "a TOTP secret does not open under MELDEPLIKT_TOTP_KEY; was the key changed?"
            ))
        })?;
    let Some(step) = secret.step_of(digits, unix(now)) else {
        return Ok(false);
    };
    let step = i64::try_from(step).map_err(ApiError::internal)?;
    Ok(store::accept_step(conn, factor, step, now).await?)
}
