//! The only writer of `webhook_endpoints` (the API's changes, and what an
//! attempt's outcome makes of an endpoint), and the reader of the delivery
//! log. The deliveries themselves are written in [`super::queue`]. An
//! organisation reaches only its own endpoints: the API's statements name it.

use chrono::{DateTime, Utc};
use diesel::sql_types::{
    Array, BigInt, Bool, Bytea, Integer, Nullable, Text, Timestamptz, Uuid as SqlUuid,
};
use diesel::{QueryResult, QueryableByName};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::api::Page;

#[derive(Debug, Clone, QueryableByName)]
pub struct EndpointRow {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = Text)]
    pub url: String,
    #[diesel(sql_type = Text)]
    pub description: String,
    #[diesel(sql_type = Nullable<Array<Text>>)]
    pub event_types: Option<Vec<String>>,
    #[diesel(sql_type = Bool)]
    pub enabled: bool,
    #[diesel(sql_type = Nullable<Text>)]
    pub disabled_reason: Option<String>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub disabled_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub previous_secret_until: Option<DateTime<Utc>>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub failing_since: Option<DateTime<Utc>>,
    #[diesel(sql_type = Timestamptz)]
    pub created_at: DateTime<Utc>,
    #[diesel(sql_type = Timestamptz)]
    pub updated_at: DateTime<Utc>,
}

const ENDPOINT_COLUMNS: &str = "id, url, description, event_types, enabled, \
     disabled_reason, disabled_at, previous_secret_until, failing_since, created_at, updated_at";

/// A new endpoint.
pub struct NewEndpoint<'a> {
    pub id: Uuid,
    pub organisation_id: Uuid,
    pub url: &'a str,
    pub description: &'a str,
    pub event_types: Option<&'a [String]>,
    pub enabled: bool,
    pub secret_sealed: &'a [u8],
}

pub async fn insert_endpoint(
    conn: &mut AsyncPgConnection,
    new: NewEndpoint<'_>,
    now: DateTime<Utc>,
) -> QueryResult<EndpointRow> {
    diesel::sql_query(format!(
        "INSERT INTO webhook_endpoints
             (id, organisation_id, url, description, event_types, enabled, disabled_reason,
              disabled_at, secret_sealed, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, CASE WHEN $6 THEN NULL ELSE 'by_admin' END,
                 CASE WHEN $6 THEN NULL ELSE $8 END, $7, $8, $8)
         RETURNING {ENDPOINT_COLUMNS}"
    ))
    .bind::<SqlUuid, _>(new.id)
    .bind::<SqlUuid, _>(new.organisation_id)
    .bind::<Text, _>(new.url)
    .bind::<Text, _>(new.description)
    .bind::<Nullable<Array<Text>>, _>(new.event_types)
    .bind::<Bool, _>(new.enabled)
    .bind::<Bytea, _>(new.secret_sealed)
    .bind::<Timestamptz, _>(now)
    .get_result(conn)
    .await
}

/// One page of an organisation's endpoints, oldest first.
pub async fn endpoints_of(
    conn: &mut AsyncPgConnection,
    organisation: Uuid,
    page: Page,
) -> QueryResult<Vec<EndpointRow>> {
    let (after_at, after_id) = page.after.unzip();
    diesel::sql_query(format!(
        "SELECT {ENDPOINT_COLUMNS} FROM webhook_endpoints
         WHERE organisation_id = $1
           AND ($2::timestamptz IS NULL OR (created_at, id) > ($2, $3))
         ORDER BY created_at, id LIMIT $4"
    ))
    .bind::<SqlUuid, _>(organisation)
    .bind::<Nullable<Timestamptz>, _>(after_at)
    .bind::<Nullable<SqlUuid>, _>(after_id)
    .bind::<BigInt, _>(page.limit + 1)
    .load(conn)
    .await
}

pub async fn endpoint(
    conn: &mut AsyncPgConnection,
    organisation: Uuid,
    id: Uuid,
) -> QueryResult<Option<EndpointRow>> {
    use diesel::OptionalExtension;
    diesel::sql_query(format!(
        "SELECT {ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE organisation_id = $1 AND id = $2"
    ))
    .bind::<SqlUuid, _>(organisation)
    .bind::<SqlUuid, _>(id)
    .get_result(conn)
    .await
    .optional()
}

/// A change of an endpoint: what is `Some` changes.
#[derive(Debug, Default)]
pub struct EndpointChange {
    pub url: Option<String>,
    pub description: Option<String>,
    /// `Some(None)`: every type.
    pub event_types: Option<Option<Vec<String>>>,
    pub enabled: Option<bool>,
}

/// Changes an endpoint. Enabling one clears why it was disabled and its
/// failures; disabling one by hand says so.
pub async fn update_endpoint(
    conn: &mut AsyncPgConnection,
    organisation: Uuid,
    id: Uuid,
    change: &EndpointChange,
    now: DateTime<Utc>,
) -> QueryResult<Option<EndpointRow>> {
    use diesel::OptionalExtension;
    let (types_given, types) = match &change.event_types {
        Some(types) => (true, types.as_deref()),
        None => (false, None),
    };
    diesel::sql_query(format!(
        "UPDATE webhook_endpoints SET
             url = COALESCE($3, url),
             description = COALESCE($4, description),
             event_types = CASE WHEN $5 THEN $6 ELSE event_types END,
             disabled_reason = CASE WHEN $7 IS NULL OR $7 = enabled THEN disabled_reason
                                    WHEN $7 THEN NULL ELSE 'by_admin' END,
             disabled_at = CASE WHEN $7 IS NULL OR $7 = enabled THEN disabled_at
                                WHEN $7 THEN NULL ELSE $8 END,
             failing_since = CASE WHEN $7 AND NOT enabled THEN NULL ELSE failing_since END,
             enabled = COALESCE($7, enabled),
             updated_at = $8
         WHERE organisation_id = $1 AND id = $2
         RETURNING {ENDPOINT_COLUMNS}"
    ))
    .bind::<SqlUuid, _>(organisation)
    .bind::<SqlUuid, _>(id)
    .bind::<Nullable<Text>, _>(change.url.as_deref())
    .bind::<Nullable<Text>, _>(change.description.as_deref())
    .bind::<Bool, _>(types_given)
    .bind::<Nullable<Array<Text>>, _>(types)
    .bind::<Nullable<Bool>, _>(change.enabled)
    .bind::<Timestamptz, _>(now)
    .get_result(conn)
    .await
    .optional()
}

/// Deletes an endpoint with its deliveries and their attempts.
pub async fn delete_endpoint(
    conn: &mut AsyncPgConnection,
    organisation: Uuid,
    id: Uuid,
) -> QueryResult<bool> {
    let deleted =
        diesel::sql_query("DELETE FROM webhook_endpoints WHERE organisation_id = $1 AND id = $2")
            .bind::<SqlUuid, _>(organisation)
            .bind::<SqlUuid, _>(id)
            .execute(conn)
            .await?;
    Ok(deleted == 1)
}

/// A new secret: the current one signs beside it until `previous_until`.
pub async fn rotate_secret(
    conn: &mut AsyncPgConnection,
    organisation: Uuid,
    id: Uuid,
    sealed: &[u8],
    previous_until: DateTime<Utc>,
    now: DateTime<Utc>,
) -> QueryResult<Option<EndpointRow>> {
    use diesel::OptionalExtension;
    diesel::sql_query(format!(
        "UPDATE webhook_endpoints SET previous_secret_sealed = secret_sealed,
             secret_sealed = $3, previous_secret_until = $4, updated_at = $5
         WHERE organisation_id = $1 AND id = $2
         RETURNING {ENDPOINT_COLUMNS}"
    ))
    .bind::<SqlUuid, _>(organisation)
    .bind::<SqlUuid, _>(id)
    .bind::<Bytea, _>(sealed)
    .bind::<Timestamptz, _>(previous_until)
    .bind::<Timestamptz, _>(now)
    .get_result(conn)
    .await
    .optional()
}

#[derive(Debug, Clone, QueryableByName)]
pub struct DeliveryRow {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    pub message_id: Uuid,
    #[diesel(sql_type = Text)]
    pub event_type: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub number: Option<String>,
    #[diesel(sql_type = Text)]
    pub state: String,
    #[diesel(sql_type = Timestamptz)]
    pub next_attempt_at: DateTime<Utc>,
    #[diesel(sql_type = Timestamptz)]
    pub created_at: DateTime<Utc>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub completed_at: Option<DateTime<Utc>>,
}

pub(super) const DELIVERY_COLUMNS: &str = "d.id, d.message_id, d.event_type, e.number, \
     d.state, d.next_attempt_at, d.created_at, d.completed_at";

#[derive(Debug, Clone, QueryableByName)]
pub struct AttemptRow {
    #[diesel(sql_type = SqlUuid)]
    pub delivery_id: Uuid,
    #[diesel(sql_type = Timestamptz)]
    pub attempted_at: DateTime<Utc>,
    #[diesel(sql_type = Integer)]
    pub duration_ms: i32,
    #[diesel(sql_type = Nullable<Integer>)]
    pub status_code: Option<i32>,
    #[diesel(sql_type = Nullable<Text>)]
    pub response_excerpt: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub error: Option<String>,
}

/// One page of an endpoint's deliveries, newest first, each with its
/// attempts in order.
pub async fn deliveries_of(
    conn: &mut AsyncPgConnection,
    endpoint: Uuid,
    page: Page,
) -> QueryResult<Vec<(DeliveryRow, Vec<AttemptRow>)>> {
    let (after_at, after_id) = page.after.unzip();
    let rows: Vec<DeliveryRow> = diesel::sql_query(format!(
        "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries d
         LEFT JOIN events e ON e.id = d.event_id
         WHERE d.endpoint_id = $1
           AND ($2::timestamptz IS NULL OR (d.created_at, d.id) < ($2, $3))
         ORDER BY d.created_at DESC, d.id DESC LIMIT $4"
    ))
    .bind::<SqlUuid, _>(endpoint)
    .bind::<Nullable<Timestamptz>, _>(after_at)
    .bind::<Nullable<SqlUuid>, _>(after_id)
    .bind::<BigInt, _>(page.limit + 1)
    .load(conn)
    .await?;
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let attempts: Vec<AttemptRow> = diesel::sql_query(
        "SELECT delivery_id, attempted_at, duration_ms, status_code, response_excerpt, error
         FROM webhook_attempts WHERE delivery_id = ANY ($1) ORDER BY attempted_at, id",
    )
    .bind::<Array<SqlUuid>, _>(&ids)
    .load(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let mine = attempts
                .iter()
                .filter(|a| a.delivery_id == row.id)
                .cloned()
                .collect();
            (row, mine)
        })
        .collect())
}

#[derive(QueryableByName)]
struct Disabled {
    #[diesel(sql_type = Nullable<Text>)]
    reason: Option<String>,
}

/// What an attempt makes of its endpoint: a success forgets its failures;
/// a failure starts them (`failing_since`), and disables the endpoint when
/// they began at or before `disable_before`, or at once when it is `gone`.
/// The reason, when this disabled it.
pub async fn after_attempt(
    conn: &mut AsyncPgConnection,
    endpoint: Uuid,
    succeeded: bool,
    gone: bool,
    at: DateTime<Utc>,
    disable_before: DateTime<Utc>,
) -> QueryResult<Option<&'static str>> {
    let disabled: Option<Disabled> = diesel::OptionalExtension::optional(
        diesel::sql_query(
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
             SELECT CASE WHEN before.enabled AND NOT changed.enabled
                         THEN changed.disabled_reason END AS reason
             FROM before, changed",
        )
        .bind::<SqlUuid, _>(endpoint)
        .bind::<Bool, _>(succeeded)
        .bind::<Timestamptz, _>(at)
        .bind::<Bool, _>(gone)
        .bind::<Timestamptz, _>(disable_before)
        .get_result(conn)
        .await,
    )?;
    Ok(match disabled.and_then(|d| d.reason).as_deref() {
        Some("gone") => Some("gone"),
        Some(_) => Some("failing"),
        None => None,
    })
}
