//! The only writer of `events` and `event_counters`, and the reader of
//! the two streams. An organisation's counter row stays locked until the
//! transaction ends, so its events commit in the order of their numbers and
//! no number is skipped (a rolled-back transaction gives its number back).
//! The counter is a row lock: a transaction takes it before the register's
//! writer lock (see `register::projection`).
//!
//! The event's webhook deliveries are queued in the same statement, one for
//! each enabled endpoint of the organisation that wants the type, and a
//! `NOTIFY` wakes those waiting for events (long polls, the delivery
//! worker) when the transaction commits.

use chrono::{DateTime, Utc};
use diesel::sql_types::{Array, BigInt, Jsonb, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel::{QueryResult, QueryableByName};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::cloud::StoredEvent;
use super::{EventData, EventType};

/// The channel `NOTIFY` speaks on when events commit.
pub const CHANNEL: &str = "meldeplikt_events";

#[derive(QueryableByName)]
struct Next {
    #[diesel(sql_type = BigInt)]
    last: i64,
}

/// The statement [`record`] runs: the counter, the event, its webhook
/// deliveries and the wake-up, in one round trip.
static RECORD: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!(
        "WITH counter AS (
             INSERT INTO event_counters (organisation_id, last) VALUES ($2, 1)
             ON CONFLICT (organisation_id) DO UPDATE SET last = event_counters.last + 1
             RETURNING last),
         event AS (
             INSERT INTO events (id, organisation_id, sequence, type, occurred_at, number, data)
             SELECT $1, $2, counter.last, $3, $4, $5, $6 FROM counter
             RETURNING id),
         {fan_out}
         SELECT counter.last, pg_notify('{CHANNEL}', $2::text)::text AS woken FROM counter",
        fan_out = super::webhooks::queue::FAN_OUT,
    )
});

/// Records an event of `organisation_id` in the caller's transaction, and
/// its webhook deliveries; its sequence number.
pub async fn record(
    mut conn: &AsyncPgConnection,
    organisation_id: Uuid,
    kind: EventType,
    data: &EventData,
    now: DateTime<Utc>,
) -> QueryResult<i64> {
    let json = serde_json::to_value(data).expect("event data serialises");
    let next: Next = diesel::sql_query(RECORD.as_str())
        .bind::<SqlUuid, _>(Uuid::new_v4())
        .bind::<SqlUuid, _>(organisation_id)
        .bind::<Text, _>(kind.code())
        .bind::<Timestamptz, _>(now)
        .bind::<Text, _>(&data.number)
        .bind::<Jsonb, _>(json)
        .get_result(&mut conn)
        .await?;
    Ok(next.last)
}

#[derive(QueryableByName)]
struct EventRow {
    #[diesel(sql_type = Nullable<SqlUuid>)]
    id: Option<Uuid>,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    organisation_id: Option<Uuid>,
    #[diesel(sql_type = Nullable<BigInt>)]
    sequence: Option<i64>,
    #[diesel(sql_type = Nullable<Text>)]
    type_: Option<String>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    occurred_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = Nullable<Jsonb>)]
    data: Option<serde_json::Value>,
    #[diesel(sql_type = Nullable<BigInt>)]
    txid: Option<i64>,
    #[diesel(sql_type = Nullable<BigInt>)]
    position: Option<i64>,
    /// The furthest position the read looked at (see [`Page::high`]).
    #[diesel(sql_type = Nullable<BigInt>)]
    high_a: Option<i64>,
    #[diesel(sql_type = Nullable<BigInt>)]
    high_b: Option<i64>,
}

/// A position in a stream: an organisation's sequence number (`(n, 0)`),
/// or, across organisations, the writing transaction and the event's place
/// in it.
pub type Position = (i64, i64);

/// One read of a stream.
#[derive(Debug)]
pub struct Page {
    /// The events with their positions, in order.
    pub events: Vec<(StoredEvent, Position)>,
    /// The last position of the stream as the read saw it, matching or not:
    /// when the page is not full, a poller resumes from here, so that
    /// events its filter skips are not read again.
    pub high: Option<Position>,
}

impl EventRow {
    fn split(rows: Vec<Self>) -> Page {
        let high = <[Self]>::first(&rows).and_then(|r| Some((r.high_a?, r.high_b.unwrap_or(0))));
        let events = rows
            .into_iter()
            .filter_map(|r| {
                let event = StoredEvent {
                    id: r.id?,
                    organisation_id: r.organisation_id?,
                    sequence: r.sequence?,
                    event_type: r.type_?,
                    occurred_at: r.occurred_at?,
                    data: r.data?,
                };
                Some((event, (r.txid?, r.position?)))
            })
            .collect();
        Page { events, high }
    }
}

/// Which events a read wants.
#[derive(Debug, Clone, Default)]
pub struct Wanted {
    /// Only these types; `None`: every type.
    pub types: Option<Vec<String>>,
    pub limit: i64,
}

/// Events of `organisation` after its sequence number `after`, in order.
/// Its events commit in the order of their numbers, so what a read sees is
/// always a prefix of the stream: nothing can appear behind it later.
pub async fn organisation_page(
    conn: &mut AsyncPgConnection,
    organisation: Uuid,
    after: i64,
    wanted: &Wanted,
) -> QueryResult<Page> {
    let rows: Vec<EventRow> = diesel::sql_query(
        "WITH page AS (
             SELECT id, organisation_id, sequence, type AS type_, occurred_at, data,
                    sequence AS txid, 0::bigint AS position
             FROM events
             WHERE organisation_id = $1 AND sequence > $2
               AND ($3::text[] IS NULL OR type = ANY ($3))
             ORDER BY sequence LIMIT $4),
         high AS (SELECT max(sequence) AS high_a, 0::bigint AS high_b
                  FROM events WHERE organisation_id = $1)
         SELECT page.*, high.high_a, high.high_b
         FROM high LEFT JOIN page ON true ORDER BY page.sequence",
    )
    .bind::<SqlUuid, _>(organisation)
    .bind::<BigInt, _>(after)
    .bind::<Nullable<Array<Text>>, _>(wanted.types.as_ref())
    .bind::<BigInt, _>(wanted.limit)
    .load(conn)
    .await?;
    Ok(EventRow::split(rows))
}

/// Events of every organisation (or of the one with the organisation
/// number `organisation`) after `after`, in the order of the transactions
/// that wrote them. Only transactions below the snapshot's xmin are read:
/// they have all ended, so no event can commit behind the cursor later. A
/// transaction that stays open holds the stream back until it ends.
pub async fn all_page(
    conn: &mut AsyncPgConnection,
    organisation: Option<&str>,
    after: Position,
    wanted: &Wanted,
) -> QueryResult<Page> {
    let rows: Vec<EventRow> = diesel::sql_query(
        "WITH bound AS (SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint AS xmin),
         page AS (
             SELECT e.id, e.organisation_id, e.sequence, e.type AS type_, e.occurred_at, e.data,
                    e.txid, e.position
             FROM events e, bound
             WHERE e.txid < bound.xmin AND (e.txid, e.position) > ($1, $2)
               AND ($3::text[] IS NULL OR e.type = ANY ($3))
               AND ($5::text IS NULL OR e.organisation_id IN (
                   SELECT o.id FROM organisations o WHERE o.identifier_value = $5))
             ORDER BY e.txid, e.position LIMIT $4),
         high AS (
             SELECT e.txid AS high_a, e.position AS high_b FROM events e, bound
             WHERE e.txid < bound.xmin ORDER BY e.txid DESC, e.position DESC LIMIT 1)
         SELECT page.*, high.high_a, high.high_b
         FROM (SELECT 1) one LEFT JOIN high ON true LEFT JOIN page ON true
         ORDER BY page.txid, page.position",
    )
    .bind::<BigInt, _>(after.0)
    .bind::<BigInt, _>(after.1)
    .bind::<Nullable<Array<Text>>, _>(wanted.types.as_ref())
    .bind::<BigInt, _>(wanted.limit)
    .bind::<Nullable<Text>, _>(organisation)
    .load(conn)
    .await?;
    Ok(EventRow::split(rows))
}

/// Deletes events that happened before `before` (and, with them, their
/// deliveries), at most `batch` at a time; how many went.
pub async fn prune(
    conn: &mut AsyncPgConnection,
    before: DateTime<Utc>,
    batch: i64,
) -> QueryResult<usize> {
    diesel::sql_query(
        "DELETE FROM events WHERE id IN (
             SELECT id FROM events WHERE occurred_at < $1 ORDER BY occurred_at LIMIT $2)",
    )
    .bind::<Timestamptz, _>(before)
    .bind::<BigInt, _>(batch)
    .execute(conn)
    .await
}
