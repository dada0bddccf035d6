//! Wrong second factors are counted per account, wherever they come from
//! (the address's own count stays beside it, in the sign-in's keys): once
//! the free ones are spent, the account's second factor is locked — the
//! right code too is refused, 429 with `Retry-After` — for a minute, then
//! twice as long after each further wrong code, up to an hour. The first
//! lock in an hour is told to the account by mail: whoever typed the codes
//! knew the password.

use askama::Template;
use chrono::{DateTime, Utc};
use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use crate::auth::throttle::{self, Backoff};
use crate::domain::i18n::Lang;
use crate::error::ApiError;
use crate::mail;

/// How long a locked second factor stays locked.
pub const LOCK: Backoff = Backoff {
    first: 60,
    longest: 3600,
};

fn key(user_id: Uuid) -> String {
    format!("mfa:{user_id}")
}

/// 429 while the account's second factor is locked.
pub async fn check(conn: &mut AsyncPgConnection, user_id: Uuid) -> Result<(), ApiError> {
    throttle::check(conn, &key(user_id)).await
}

/// Forgets the account's wrong codes after a right one.
pub async fn clear(conn: &mut AsyncPgConnection, user_id: Uuid) -> Result<(), ApiError> {
    throttle::clear(conn, &key(user_id)).await
}

#[derive(Template)]
#[template(path = "mail/factor_locked.txt")]
struct FactorLocked<'a> {
    failures: i32,
    until: &'a str,
}

/// Counts a wrong code against the account; when it locks the factor for
/// the first time in the hour, mails `email`.
pub async fn count_wrong(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    email: &str,
    free: u32,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    let failed = throttle::fail_with(conn, &key(user_id), free, LOCK).await?;
    let Some(until) = failed.blocked_until else {
        return Ok(());
    };
    tracing::warn!(event = "auth.mfa_locked", user = %user_id, failures = failed.failures, until = %until, "a second factor is locked after wrong codes");
    if failed.failures != free as i32 {
        return Ok(());
    }
    let text = FactorLocked {
        failures: failed.failures,
        until: &until.format("%Y-%m-%d %H:%M UTC").to_string(),
    }
    .render()
    .unwrap_or_else(|e| format!("meldeplikt\n\n{e}\n"));
    let mail = mail::templates::rendered("mfa_locked", email, Lang::Nb, &text, &[]);
    mail::enqueue(conn, mail, now).await?;
    Ok(())
}
