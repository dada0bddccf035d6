//! The only writer of `webhook_deliveries` and `webhook_attempts`: the
//! deliveries of a new event ([`FAN_OUT`], a part of the event's own
//! statement), claims with a lease (`FOR UPDATE SKIP LOCKED`, one delivery
//! per endpoint at a time, an endpoint with a delivery in flight skipped),
//! outcomes written in a short transaction of their own, and what an admin
//! asks (a retry, a recovery, a test). No transaction stays open while a delivery is
//! on the network: a worker that dies leaves a lease that runs out, and the
//! delivery is claimed again (at least once).

use chrono::{DateTime, Utc};
use diesel::sql_types::{
    BigInt, Bytea, Integer, Jsonb, Nullable, Text, Timestamptz, Uuid as SqlUuid,
};
use diesel::{QueryResult, QueryableByName};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::store::DeliveryRow;
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

/// Records an attempt and moves the delivery on, in a transaction the
/// caller opens. Only the holder of the lease moves it: when the lease ran
/// out and another worker claimed it, the attempt is logged and the rest
/// left to that worker; when the endpoint was deleted meanwhile, nothing is
/// recorded. Whether it moved it.
pub async fn finish(
    conn: &mut AsyncPgConnection,
    claimed: &Claimed,
    attempt: &Attempt,
    next: Next,
) -> QueryResult<bool> {
    diesel::sql_query(
        "INSERT INTO webhook_attempts
             (id, delivery_id, attempted_at, duration_ms, status_code, response_excerpt, error)
         SELECT $1, $2, $3, $4, $5, $6, $7
         WHERE EXISTS (SELECT 1 FROM webhook_deliveries WHERE id = $2)",
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
    Ok(moved == 1)
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

/// The deliveries of a new event, as a part (`deliveries AS (…)`) of the
/// statement that records it (`events::store::record`): one for each
/// enabled endpoint of the organisation that wants the type. It reads the
/// event from a part named `event` (with `id`) and takes the organisation
/// as `$2`, the type as `$3` and the time as `$4`.
pub const FAN_OUT: &str = "deliveries AS (
    INSERT INTO webhook_deliveries
        (id, endpoint_id, event_id, message_id, event_type, state, next_attempt_at, created_at)
    SELECT gen_random_uuid(), w.id, event.id, event.id, $3, 'pending', $4, $4
    FROM webhook_endpoints w, event
    WHERE w.organisation_id = $2 AND w.enabled
      AND (w.event_types IS NULL OR $3 = ANY (w.event_types)))";

const DELIVERY_COLUMNS: &str = super::store::DELIVERY_COLUMNS;

/// Queues a delivery again now, whatever its state; the retry schedule
/// starts over. `None` when the endpoint has no such delivery.
pub async fn retry_delivery(
    conn: &mut AsyncPgConnection,
    endpoint: Uuid,
    delivery: Uuid,
    now: DateTime<Utc>,
) -> QueryResult<Option<DeliveryRow>> {
    use diesel::OptionalExtension;
    diesel::sql_query(format!(
        "WITH d AS (
             UPDATE webhook_deliveries SET state = 'pending', failures = 0,
                 next_attempt_at = $3, completed_at = NULL
             WHERE endpoint_id = $1 AND id = $2 RETURNING *)
         SELECT {DELIVERY_COLUMNS} FROM d LEFT JOIN events e ON e.id = d.event_id"
    ))
    .bind::<SqlUuid, _>(endpoint)
    .bind::<SqlUuid, _>(delivery)
    .bind::<Timestamptz, _>(now)
    .get_result(conn)
    .await
    .optional()
}

/// Queues again every failed delivery of an endpoint made since `since`;
/// how many.
pub async fn recover(
    conn: &mut AsyncPgConnection,
    endpoint: Uuid,
    since: DateTime<Utc>,
    now: DateTime<Utc>,
) -> QueryResult<usize> {
    diesel::sql_query(
        "UPDATE webhook_deliveries SET state = 'pending', failures = 0,
             next_attempt_at = $3, completed_at = NULL
         WHERE endpoint_id = $1 AND state = 'failed' AND created_at >= $2",
    )
    .bind::<SqlUuid, _>(endpoint)
    .bind::<Timestamptz, _>(since)
    .bind::<Timestamptz, _>(now)
    .execute(conn)
    .await
}

/// Queues a test event for an endpoint.
pub async fn insert_test(
    conn: &mut AsyncPgConnection,
    endpoint: Uuid,
    now: DateTime<Utc>,
) -> QueryResult<DeliveryRow> {
    diesel::sql_query(format!(
        "WITH d AS (
             INSERT INTO webhook_deliveries
                 (id, endpoint_id, event_id, message_id, event_type, state,
                  next_attempt_at, created_at)
             VALUES ($1, $2, NULL, $3, 'webhook.test', 'pending', $4, $4) RETURNING *),
         woken AS (SELECT pg_notify('{channel}', ''))
         SELECT {DELIVERY_COLUMNS} FROM d LEFT JOIN events e ON e.id = d.event_id, woken",
        channel = crate::events::store::CHANNEL
    ))
    .bind::<SqlUuid, _>(Uuid::new_v4())
    .bind::<SqlUuid, _>(endpoint)
    .bind::<SqlUuid, _>(Uuid::new_v4())
    .bind::<Timestamptz, _>(now)
    .get_result(conn)
    .await
}
