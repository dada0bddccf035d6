//! Rate limits kept in the database, so that every replica counts the same:
//! at most `limit` uses of a key per window, the window starting at the
//! first use. Beyond it, 429 with `Retry-After` until the window ends.
//! Inside the caller's transaction a use counts only if it commits.

use std::time::Duration;

use chrono::{DateTime, Utc};
use diesel::sql_types::{Integer, Text, Timestamptz};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::error::ApiError;

/// A limit: this many uses per window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub uses: u32,
    pub window: Duration,
}

impl Limit {
    pub const fn per_hour(uses: u32) -> Self {
        Self {
            uses,
            window: Duration::from_secs(3600),
        }
    }
}

#[derive(diesel::QueryableByName)]
struct Window {
    #[diesel(sql_type = Timestamptz)]
    window_start: DateTime<Utc>,
    #[diesel(sql_type = Integer)]
    used: i32,
}

/// Counts one use of `key` at `now`; 429 when that is one too many.
pub async fn take(
    mut conn: &AsyncPgConnection,
    key: &str,
    limit: Limit,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    let window = chrono::Duration::from_std(limit.window).map_err(ApiError::internal)?;
    let row: Window = diesel::sql_query(
        "INSERT INTO rate_limits (key, window_start, used) VALUES ($1, $2, 1)
         ON CONFLICT (key) DO UPDATE SET
             used = CASE WHEN rate_limits.window_start <= $3 THEN 1
                         ELSE rate_limits.used + 1 END,
             window_start = CASE WHEN rate_limits.window_start <= $3 THEN $2
                                 ELSE rate_limits.window_start END
         RETURNING window_start, used",
    )
    .bind::<Text, _>(key)
    .bind::<Timestamptz, _>(now)
    .bind::<Timestamptz, _>(now - window)
    .get_result(&mut conn)
    .await?;
    if i64::from(row.used) > i64::from(limit.uses) {
        let wait = (row.window_start + window - now)
            .to_std()
            .unwrap_or_default()
            .max(Duration::from_secs(1));
        return Err(ApiError::TooManyRequests { retry_after: wait });
    }
    Ok(())
}
