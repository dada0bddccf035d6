//! Throttling of failed attempts (logins, notification keys), kept in the
//! database so that every replica sees the same count. After `free`
//! failures, each further failure blocks the key for twice as long as the
//! last: 5 s, 10 s, 20 s … up to 15 minutes ([`Backoff::GUESSES`]; a
//! second factor is locked longer, see `accounts::mfa::lock`). Failures an
//! hour old are forgotten.
//!
//! Sign-ins (`tokens::routes`) use three keys, so that nobody can lock
//! another out and guessing stays bounded:
//!
//! - `login:<account> from <address>` blocks, after `free` failures, that
//!   account from that client address only. Another's wrong passwords never
//!   refuse the right one from an address that has not failed.
//! - `login-ip:<address>` counts the accounts that began failing from an
//!   address and blocks the address after `4 × free` of them: password
//!   spraying. One account's failures count once, so a user who keeps
//!   mistyping does not lock out the others behind the same address (a
//!   spraying address does; it cannot be told from its neighbours).
//! - `login-account:<account>` counts every failure from anywhere and is
//!   never a reason to refuse by itself. Beyond `20 × free` in the hour
//!   (guessing from many addresses), each further failure blocks the
//!   address it came from, for that account, for the account's back-off:
//!   distributed guessing is slowed, the right password still works.
//!
//! The client address comes from [`super::client::address`].

use std::time::Duration;

use chrono::{DateTime, Utc};
use diesel::sql_types::{Integer, Nullable, Text, Timestamptz};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::error::ApiError;

#[derive(diesel::QueryableByName)]
struct Blocked {
    #[diesel(sql_type = Nullable<Timestamptz>)]
    blocked_until: Option<DateTime<Utc>>,
}

/// 429 when `key` is blocked now.
pub async fn check(conn: &mut AsyncPgConnection, key: &str) -> Result<(), ApiError> {
    let rows: Vec<Blocked> = diesel::sql_query(
        "SELECT blocked_until FROM throttle WHERE key = $1 AND blocked_until > now()",
    )
    .bind::<Text, _>(key)
    .load(conn)
    .await?;
    match rows.into_iter().next().and_then(|r| r.blocked_until) {
        Some(until) => Err(too_many(until)),
        None => Ok(()),
    }
}

/// The count after a failure.
#[derive(Debug, diesel::QueryableByName)]
pub struct Failed {
    /// Failures of the key in its window, this one included.
    #[diesel(sql_type = Integer)]
    pub failures: i32,
    /// When the key is blocked until, if it is.
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub blocked_until: Option<DateTime<Utc>>,
}

/// How long a key is blocked once its free failures are spent: `first`
/// seconds, twice that after each further failure, at most `longest`.
#[derive(Debug, Clone, Copy)]
pub struct Backoff {
    pub first: u32,
    pub longest: u32,
}

impl Backoff {
    /// Sign-ins and notification keys: 5 s, 10 s, 20 s … up to 15 minutes.
    pub const GUESSES: Backoff = Backoff {
        first: 5,
        longest: 900,
    };
}

/// Counts a failure against `key` ([`Backoff::GUESSES`]).
pub async fn fail(conn: &mut AsyncPgConnection, key: &str, free: u32) -> Result<Failed, ApiError> {
    fail_with(conn, key, free, Backoff::GUESSES).await
}

/// Counts a failure against `key`, blocking it by `backoff` once `free`
/// failures are spent.
pub async fn fail_with(
    conn: &mut AsyncPgConnection,
    key: &str,
    free: u32,
    backoff: Backoff,
) -> Result<Failed, ApiError> {
    let row: Failed = diesel::sql_query(
        "INSERT INTO throttle AS t (key, failures, last_failure_at, blocked_until)
         VALUES ($1, 1, now(), CASE WHEN 1 >= $2 THEN now() + make_interval(secs => $3) END)
         ON CONFLICT (key) DO UPDATE SET
           failures = CASE WHEN t.last_failure_at < now() - interval '1 hour' THEN 1 ELSE t.failures + 1 END,
           last_failure_at = now(),
           blocked_until = CASE
             WHEN (CASE WHEN t.last_failure_at < now() - interval '1 hour' THEN 1 ELSE t.failures + 1 END) >= $2
             THEN now() + make_interval(secs => least($4, $3 * power(2,
                  (CASE WHEN t.last_failure_at < now() - interval '1 hour' THEN 1 ELSE t.failures + 1 END) - $2)))
           END
         RETURNING failures, blocked_until",
    )
    .bind::<Text, _>(key)
    .bind::<Integer, _>(free as i32)
    .bind::<Integer, _>(backoff.first as i32)
    .bind::<Integer, _>(backoff.longest as i32)
    .get_result(conn)
    .await?;
    Ok(row)
}

/// Blocks `key`, which has just failed, until `until` at least.
pub async fn block_until(
    conn: &mut AsyncPgConnection,
    key: &str,
    until: DateTime<Utc>,
) -> Result<(), ApiError> {
    diesel::sql_query(
        "UPDATE throttle SET blocked_until = greatest(blocked_until, $2) WHERE key = $1",
    )
    .bind::<Text, _>(key)
    .bind::<Timestamptz, _>(until)
    .execute(conn)
    .await?;
    Ok(())
}

/// Forgets the failures of `key` after a success.
pub async fn clear(conn: &mut AsyncPgConnection, key: &str) -> Result<(), ApiError> {
    diesel::sql_query("DELETE FROM throttle WHERE key = $1")
        .bind::<Text, _>(key)
        .execute(conn)
        .await?;
    Ok(())
}

pub fn too_many(until: DateTime<Utc>) -> ApiError {
    let wait = (until - Utc::now()).num_seconds().max(1) as u64;
    ApiError::TooManyRequests {
        retry_after: Duration::from_secs(wait),
    }
}
