//! Throttling of failed attempts (logins, notification keys), kept in the
//! database so that every replica sees the same count. After `free`
//! failures, each further failure blocks the key for twice as long as the
//! last: 5 s, 10 s, 20 s … up to 15 minutes. Failures an hour old are forgotten.

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

/// Counts a failure against `key`; returns when it is blocked until, if it is.
pub async fn fail(
    conn: &mut AsyncPgConnection,
    key: &str,
    free: u32,
) -> Result<Option<DateTime<Utc>>, ApiError> {
    let row: Blocked = diesel::sql_query(
        "INSERT INTO throttle AS t (key, failures, last_failure_at, blocked_until)
         VALUES ($1, 1, now(), CASE WHEN 1 >= $2 THEN now() + interval '5 seconds' END)
         ON CONFLICT (key) DO UPDATE SET
           failures = CASE WHEN t.last_failure_at < now() - interval '1 hour' THEN 1 ELSE t.failures + 1 END,
           last_failure_at = now(),
           blocked_until = CASE
             WHEN (CASE WHEN t.last_failure_at < now() - interval '1 hour' THEN 1 ELSE t.failures + 1 END) >= $2
             THEN now() + make_interval(secs => least(900, 5 * power(2,
                  (CASE WHEN t.last_failure_at < now() - interval '1 hour' THEN 1 ELSE t.failures + 1 END) - $2)))
           END
         RETURNING blocked_until",
    )
    .bind::<Text, _>(key)
    .bind::<Integer, _>(free as i32)
    .get_result(conn)
    .await?;
    Ok(row.blocked_until)
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
