//! How the outbox is doing, for readiness and metrics, and the mail given
//! up, for the back office.

use chrono::{DateTime, Utc};
use diesel::sql_types::{BigInt, Nullable, Timestamptz};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Serialize;
use utoipa::ToSchema;

/// The outbox at a glance.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MailHealth {
    /// `ok`, or `failing` while the last attempt of some unsent mail failed.
    pub status: &'static str,
    /// Mail waiting to go out.
    pub unsent: i64,
    /// Seconds the oldest unsent mail has waited.
    pub oldest_unsent_seconds: i64,
    /// Unsent mail whose last attempt failed.
    pub retrying: i64,
    /// Mail given up for good.
    pub failed: i64,
}

#[derive(diesel::QueryableByName)]
struct Counts {
    #[diesel(sql_type = BigInt)]
    unsent: i64,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    oldest: Option<DateTime<Utc>>,
    #[diesel(sql_type = BigInt)]
    retrying: i64,
    #[diesel(sql_type = BigInt)]
    failed: i64,
}

/// Reads the outbox's state at `now`.
pub async fn read(
    conn: &mut AsyncPgConnection,
    now: DateTime<Utc>,
) -> diesel::QueryResult<MailHealth> {
    let counts: Counts = diesel::sql_query(
        // Each part reads a partial index, not the sent mail of all time.
        "SELECT due.unsent, due.oldest, due.retrying, given_up.failed
         FROM (SELECT count(*) AS unsent, min(created_at) AS oldest,
                      count(*) FILTER (WHERE last_error IS NOT NULL) AS retrying
               FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL) AS due,
              (SELECT count(*) AS failed FROM outbox WHERE failed_at IS NOT NULL) AS given_up",
    )
    .get_result(conn)
    .await?;
    Ok(MailHealth {
        status: if counts.retrying > 0 { "failing" } else { "ok" },
        unsent: counts.unsent,
        oldest_unsent_seconds: counts.oldest.map_or(0, |t| (now - t).num_seconds().max(0)),
        retrying: counts.retrying,
        failed: counts.failed,
    })
}

/// A mail given up for good, as the back office sees it (its body, which
/// may hold a link or a key, is gone).
#[derive(Debug, Clone, diesel::Queryable, diesel::Selectable)]
#[diesel(table_name = crate::schema::outbox)]
pub struct FailedMail {
    pub id: uuid::Uuid,
    pub kind: String,
    pub recipient: String,
    pub subject: String,
    pub created_at: DateTime<Utc>,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub failed_at: Option<DateTime<Utc>>,
}

/// The mail given up, oldest first, one page after `page.after`.
pub async fn failed(
    conn: &mut AsyncPgConnection,
    page: crate::api::Page,
) -> diesel::QueryResult<Vec<FailedMail>> {
    use crate::schema::outbox;
    use diesel::{BoolExpressionMethods, ExpressionMethods, QueryDsl, SelectableHelper};
    let mut query = outbox::table
        .filter(outbox::failed_at.is_not_null())
        .select(FailedMail::as_select())
        .order((outbox::created_at, outbox::id))
        .limit(page.limit + 1)
        .into_boxed();
    if let Some((t, id)) = page.after {
        query = query.filter(
            outbox::created_at
                .gt(t)
                .or(outbox::created_at.eq(t).and(outbox::id.gt(id))),
        );
    }
    query.load(conn).await
}
