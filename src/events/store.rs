//! The only writer of `events` and `event_counters`. An organisation's
//! counter row stays locked until the transaction ends, so its events
//! commit in the order of their numbers and no number is skipped (a
//! rolled-back transaction gives its number back). The counter is a row
//! lock: a transaction takes it before the register's writer lock (see
//! `register::projection`).

use chrono::{DateTime, Utc};
use diesel::sql_types::{BigInt, Jsonb, Text, Timestamptz, Uuid as SqlUuid};
use diesel::{QueryResult, QueryableByName};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::{EventData, EventType};

#[derive(QueryableByName)]
struct Next {
    #[diesel(sql_type = BigInt)]
    last: i64,
}

/// Records an event of `organisation_id` in the caller's transaction; its
/// sequence number.
pub async fn record(
    conn: &mut AsyncPgConnection,
    organisation_id: Uuid,
    kind: EventType,
    data: &EventData,
    now: DateTime<Utc>,
) -> QueryResult<i64> {
    let next: Next = diesel::sql_query(
        "INSERT INTO event_counters (organisation_id, last) VALUES ($1, 1)
         ON CONFLICT (organisation_id) DO UPDATE SET last = event_counters.last + 1
         RETURNING last",
    )
    .bind::<SqlUuid, _>(organisation_id)
    .get_result(conn)
    .await?;
    let json = serde_json::to_value(data).expect("event data serialises");
    diesel::sql_query(
        "INSERT INTO events (id, organisation_id, sequence, type, occurred_at, number, data)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind::<SqlUuid, _>(Uuid::new_v4())
    .bind::<SqlUuid, _>(organisation_id)
    .bind::<BigInt, _>(next.last)
    .bind::<Text, _>(kind.code())
    .bind::<Timestamptz, _>(now)
    .bind::<Text, _>(&data.number)
    .bind::<Jsonb, _>(json)
    .execute(conn)
    .await?;
    Ok(next.last)
}
