//! The delivery queue as the worker sees it: claims with a lease (`FOR
//! UPDATE SKIP LOCKED`, one delivery per endpoint at a time, an endpoint
//! with a delivery in flight skipped), and outcomes written in a short
//! transaction of their own. No transaction stays open while a delivery is
//! on the network: a worker that dies leaves a lease that runs out, and the
//! delivery is claimed again (at least once).

use chrono::{DateTime, Utc};
use diesel::sql_types::{
    BigInt, Bytea, Integer, Jsonb, Nullable, Text, Timestamptz, Uuid as SqlUuid,
};
use diesel::{QueryResult, QueryableByName};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::events::cloud::{CloudEvent, StoredEvent};

/// A claimed delivery with all it takes to send it.
#[derive(Debug, Clone, QueryableByName)]
pub struct Claimed {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    pub endpoint_id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    pub organisation_id: Uuid,
    #[diesel(sql_type = Text)]
    pub url: String,
    #[diesel(sql_type = Bytea)]
    pub secret_sealed: Vec<u8>,
    #[diesel(sql_type = Nullable<Bytea>)]
    pub previous_secret_sealed: Option<Vec<u8>>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub previous_secret_until: Option<DateTime<Utc>>,
    #[diesel(sql_type = SqlUuid)]
    pub message_id: Uuid,
    #[diesel(sql_type = Text)]
    pub event_type: String,
    #[diesel(sql_type = Timestamptz)]
    pub created_at: DateTime<Utc>,
    #[diesel(sql_type = Integer)]
    pub failures: i32,
    #[diesel(sql_type = Timestamptz)]
    pub lease_until: DateTime<Utc>,
    #[diesel(sql_type = Nullable<BigInt>)]
    pub sequence: Option<i64>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub occurred_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = Nullable<Jsonb>)]
    pub data: Option<serde_json::Value>,
}

impl Claimed {
    /// The event this delivery sends, the same bytes on every attempt.
    pub fn event(&self) -> Option<CloudEvent> {
        match (self.sequence, self.occurred_at, &self.data) {
            (Some(sequence), Some(occurred_at), Some(data)) => {
                CloudEvent::from_stored(&StoredEvent {
                    id: self.message_id,
                    organisation_id: self.organisation_id,
                    sequence,
                    event_type: self.event_type.clone(),
                    occurred_at,
                    data: data.clone(),
                })
            }
            _ => (self.event_type == crate::events::cloud::TEST_TYPE).then(|| {
                CloudEvent::test(
                    self.message_id,
                    self.organisation_id,
                    self.endpoint_id,
                    self.created_at,
                )
            }),
        }
    }
}

/// Claims up to `limit` due deliveries until `lease_until`: of each
/// enabled endpoint with none in flight, the one due first.
pub async fn claim(
    conn: &mut AsyncPgConnection,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
    limit: i64,
) -> QueryResult<Vec<Claimed>> {
    diesel::sql_query(
        "WITH due AS (
             SELECT id FROM (
                 SELECT d.id, d.next_attempt_at,
                        row_number() OVER (PARTITION BY d.endpoint_id
                                           ORDER BY d.next_attempt_at, d.created_at, d.id) AS r
                 FROM webhook_deliveries d
                 JOIN webhook_endpoints w ON w.id = d.endpoint_id
                 WHERE d.state = 'pending' AND d.next_attempt_at <= $1
                   AND (d.lease_until IS NULL OR d.lease_until < $1)
                   AND w.enabled
                   AND NOT EXISTS (
                       SELECT 1 FROM webhook_deliveries busy
                       WHERE busy.endpoint_id = d.endpoint_id AND busy.state = 'pending'
                         AND busy.lease_until >= $1)
             ) ranked
             WHERE r = 1 ORDER BY next_attempt_at LIMIT $3),
         locked AS (
             SELECT d.id FROM webhook_deliveries d
             WHERE d.id IN (SELECT id FROM due) AND d.state = 'pending'
               AND (d.lease_until IS NULL OR d.lease_until < $1)
             FOR UPDATE SKIP LOCKED),
         claimed AS (
             UPDATE webhook_deliveries d SET lease_until = $2, attempts = d.attempts + 1
             FROM locked WHERE d.id = locked.id
             RETURNING d.id, d.endpoint_id, d.event_id, d.message_id, d.event_type,
                       d.created_at, d.failures, d.lease_until)
         SELECT c.id, c.endpoint_id, w.organisation_id, w.url, w.secret_sealed,
                w.previous_secret_sealed, w.previous_secret_until, c.message_id,
                c.event_type, c.created_at, c.failures, c.lease_until,
                e.sequence, e.occurred_at, e.data
         FROM claimed c
         JOIN webhook_endpoints w ON w.id = c.endpoint_id
         LEFT JOIN events e ON e.id = c.event_id",
    )
    .bind::<Timestamptz, _>(now)
    .bind::<Timestamptz, _>(lease_until)
    .bind::<BigInt, _>(limit)
    .load(conn)
    .await
}

/// What one attempt met.
#[derive(Debug, Clone)]
pub struct Attempt {
    pub at: DateTime<Utc>,
    pub duration_ms: i32,
    pub status: Option<i32>,
    pub excerpt: Option<String>,
    pub error: Option<String>,
}

/// Where a delivery goes after an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    Succeeded,
    /// Another attempt at this time.
    RetryAt(DateTime<Utc>),
    /// Given up: the schedule is spent, or the endpoint is gone.
    Failed,
}

/// What became of the endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndpointNow {
    Fine,
    /// Disabled by this attempt, with the reason.
    Disabled(&'static str),
}

#[derive(QueryableByName)]
struct Disabled {
    #[diesel(sql_type = Nullable<Text>)]
    reason: Option<String>,
}

/// Records an attempt and moves the delivery on, in one transaction the
/// caller opens. Only the holder of the lease moves it: when the lease ran
/// out and another worker claimed it, the attempt is logged and the rest
/// left to that worker. `disable_before`: an endpoint failing since before
/// this is disabled; `gone` disables it at once.
pub async fn finish(
    conn: &mut AsyncPgConnection,
    claimed: &Claimed,
    attempt: &Attempt,
    next: Next,
    gone: bool,
    disable_before: DateTime<Utc>,
) -> QueryResult<EndpointNow> {
    diesel::sql_query(
        "INSERT INTO webhook_attempts
             (id, delivery_id, attempted_at, duration_ms, status_code, response_excerpt, error)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind::<SqlUuid, _>(Uuid::new_v4())
    .bind::<SqlUuid, _>(claimed.id)
    .bind::<Timestamptz, _>(attempt.at)
    .bind::<Integer, _>(attempt.duration_ms)
    .bind::<Nullable<Integer>, _>(attempt.status)
    .bind::<Nullable<Text>, _>(attempt.excerpt.as_deref())
    .bind::<Nullable<Text>, _>(attempt.error.as_deref())
    .execute(conn)
    .await?;
    let (state, next_at, failures) = match next {
        Next::Succeeded => ("succeeded", None, 0),
        Next::RetryAt(at) => ("pending", Some(at), claimed.failures + 1),
        Next::Failed => ("failed", None, claimed.failures + 1),
    };
    let moved = diesel::sql_query(
        "UPDATE webhook_deliveries SET state = $3, failures = $4,
             next_attempt_at = COALESCE($5, next_attempt_at), lease_until = NULL,
             completed_at = CASE WHEN $3 = 'pending' THEN NULL ELSE $6 END
         WHERE id = $1 AND lease_until = $2",
    )
    .bind::<SqlUuid, _>(claimed.id)
    .bind::<Timestamptz, _>(claimed.lease_until)
    .bind::<Text, _>(state)
    .bind::<Integer, _>(failures)
    .bind::<Nullable<Timestamptz>, _>(next_at)
    .bind::<Timestamptz, _>(attempt.at)
    .execute(conn)
    .await?;
    if moved == 0 {
        return Ok(EndpointNow::Fine);
    }
    let disabled: Disabled = diesel::sql_query(
        "WITH before AS (SELECT enabled FROM webhook_endpoints WHERE id = $1 FOR UPDATE),
         changed AS (
             UPDATE webhook_endpoints w SET
                 failing_since = CASE WHEN $2 THEN NULL ELSE COALESCE(w.failing_since, $3) END,
                 enabled = CASE WHEN $2 THEN w.enabled
                                WHEN $4 OR COALESCE(w.failing_since, $3) <= $5 THEN false
                                ELSE w.enabled END,
                 disabled_reason = CASE
                     WHEN $2 OR NOT w.enabled THEN w.disabled_reason
                     WHEN $4 THEN 'gone'
                     WHEN COALESCE(w.failing_since, $3) <= $5 THEN 'failing'
                     ELSE w.disabled_reason END,
                 disabled_at = CASE
                     WHEN NOT $2 AND w.enabled AND ($4 OR COALESCE(w.failing_since, $3) <= $5)
                     THEN $3 ELSE w.disabled_at END
             WHERE w.id = $1
             RETURNING w.enabled, w.disabled_reason)
         SELECT CASE WHEN before.enabled AND NOT changed.enabled THEN changed.disabled_reason END
                AS reason
         FROM before, changed",
    )
    .bind::<SqlUuid, _>(claimed.endpoint_id)
    .bind::<diesel::sql_types::Bool, _>(next == Next::Succeeded)
    .bind::<Timestamptz, _>(attempt.at)
    .bind::<diesel::sql_types::Bool, _>(gone)
    .bind::<Timestamptz, _>(disable_before)
    .get_result(conn)
    .await?;
    Ok(match disabled.reason.as_deref() {
        Some("gone") => EndpointNow::Disabled("gone"),
        Some(_) => EndpointNow::Disabled("failing"),
        None => EndpointNow::Fine,
    })
}

/// Metrics of the queue: deliveries waiting, and the age in seconds of
/// the oldest that waits.
#[derive(Debug, Clone, Copy, Default, QueryableByName)]
pub struct Depth {
    #[diesel(sql_type = BigInt)]
    pub pending: i64,
    #[diesel(sql_type = BigInt)]
    pub oldest_seconds: i64,
}

pub async fn depth(conn: &mut AsyncPgConnection, now: DateTime<Utc>) -> QueryResult<Depth> {
    diesel::sql_query(
        "SELECT count(*) AS pending,
                COALESCE(EXTRACT(EPOCH FROM ($1 - min(created_at)))::bigint, 0) AS oldest_seconds
         FROM webhook_deliveries WHERE state = 'pending'",
    )
    .bind::<Timestamptz, _>(now)
    .get_result(conn)
    .await
}

/// Deletes test deliveries older than `before` (those of events go with
/// their events); how many.
pub async fn prune_tests(
    conn: &mut AsyncPgConnection,
    before: DateTime<Utc>,
) -> QueryResult<usize> {
    diesel::sql_query("DELETE FROM webhook_deliveries WHERE event_id IS NULL AND created_at < $1")
        .bind::<Timestamptz, _>(before)
        .execute(conn)
        .await
}
