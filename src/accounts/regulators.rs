//! Regulator accounts, made from the command line, each with its second
//! factor from the start.

use chrono::{DateTime, Utc};
use diesel_async::AsyncConnection;
use secrecy::SecretString;
use uuid::Uuid;

use super::mfa::{self, Enrolment};
use super::store::{self};
use crate::audit::{self, Actor, Entry};
use crate::auth::Role;
use crate::auth::totp::TotpKey;
use crate::db::Pool;
use crate::domain::organisation::{NewUserInput, validate_new_user};
use crate::error::ApiError;

/// A new regulator: its id, and what it signs in with besides the
/// password, to be shown once to whoever made it. Its `Debug` shows the id
/// only.
pub struct CreatedRegulator {
    pub id: Uuid,
    /// The TOTP secret for the regulator's authenticator app.
    pub enrolment: Enrolment,
    /// Ten single-use recovery codes.
    pub recovery_codes: Vec<String>,
}

impl std::fmt::Debug for CreatedRegulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CreatedRegulator")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

/// Creates a regulator account (the command line's `create-regulator`),
/// enrolled in TOTP at once: a regulator always signs in with a code.
pub async fn create_regulator(
    pool: &Pool,
    totp_key: &TotpKey,
    email: &str,
    password: SecretString,
    now: DateTime<Utc>,
) -> Result<CreatedRegulator, Vec<String>> {
    let user = validate_new_user(&NewUserInput {
        email: Some(email.to_owned()),
        password: Some(password),
    })
    .map_err(|errors| {
        errors
            .iter()
            .map(|e| {
                format!(
                    "{}: {}",
                    e.pointer.trim_start_matches('/'),
                    e.message(crate::domain::i18n::Lang::En)
                )
            })
            .collect::<Vec<_>>()
    })?;
    let hash = crate::auth::password::hash_now(&user.password);
    let failed = |e: ApiError| vec![format!("{e:?}")];
    let mut conn = pool.get().await.map_err(|e| failed(e.into()))?;
    conn.transaction::<_, ApiError, _>(async move |conn| {
        let row = store::insert_user(conn, None, &user.email, &hash, Role::Regulator)
            .await
            .map_err(store::conflict)?;
        let (enrolment, recovery_codes) =
            mfa::enrol_now(conn, totp_key, row.id, &row.email, now).await?;
        audit::record(
            conn,
            Entry {
                actor: Actor::system(),
                organisation_id: None,
                action: "regulator.created",
                subject: Some(format!("user:{}", row.id)),
                request_id: None,
                details: serde_json::json!({ "via": "command line", "second_factor": "totp" }),
            },
        )
        .await?;
        Ok(CreatedRegulator {
            id: row.id,
            enrolment,
            recovery_codes,
        })
    })
    .await
    .map_err(failed)
}
