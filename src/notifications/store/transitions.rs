//! Every change of a notification's state, one named step of the lifecycle
//! each, in the caller's transaction. Each ends in [`touch`] (or, where the
//! wait for confirmation must not restart, [`next_revision`]): the one
//! place the revision, and so the ETag, moves. The caller has checked the
//! move with [`Status::apply`]; these write it.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::{NotificationRow, links, summary_columns};
use crate::auth::SubjectKind;
use crate::domain::lifecycle::{Action, Status};
use crate::domain::notification::Notification;
use crate::domain::number::NotificationNumber;
use crate::domain::receipt::content_digest;
use crate::domain::version::{VersionKind, VersionState};
use crate::events::{EventData, EventType, store as events};
use crate::register::projection as register;
use crate::schema::{notification_versions, notifications};

type NextRevision =
    diesel::dsl::Eq<notifications::revision, diesel::dsl::Add<notifications::revision, i32>>;

/// A new revision: the notification's ETag changes.
fn next_revision() -> NextRevision {
    notifications::revision.eq(notifications::revision + 1)
}

/// A new revision, changed at `now`. `updated_at` is also when a wait for
/// confirmation began, which the lapse counts from.
fn touch(
    now: DateTime<Utc>,
) -> (
    NextRevision,
    diesel::dsl::Eq<notifications::updated_at, DateTime<Utc>>,
) {
    (next_revision(), notifications::updated_at.eq(now))
}

/// The event of a change, in the caller's transaction: before the
/// register is written, as the counter is a row lock.
#[allow(clippy::too_many_arguments)]
async fn event(
    conn: &mut AsyncPgConnection,
    row: &NotificationRow,
    kind: EventType,
    version: Option<i32>,
    status: Status,
    receipt_id: Option<Uuid>,
    what: Option<&'static str>,
    now: DateTime<Utc>,
) -> QueryResult<()> {
    let data = EventData {
        number: row.number.clone(),
        version,
        status: status.code(),
        receipt_id,
        kind: what,
    };
    events::record(conn, row.organisation_id, kind, &data, now).await?;
    Ok(())
}

/// Who submitted a version.
#[derive(Debug, Clone, Copy)]
pub struct Submitter {
    pub kind: SubjectKind,
    pub id: Uuid,
}

/// A version as it is stored, once and for good, in one statement: with
/// whether the controller named is the organisation that submits (its
/// identifier is the one the organisation registered with), and whether
/// the submission itself proved it: a Maskinporten token naming that
/// number (a person's account proves nothing: an organisation registered
/// by password may have been claimed by someone else, whose users stay
/// after the real holder proves the number). Cast where read, so that the
/// statement also reads with its values written in (bench/speed).
const INSERT_VERSION: &str = "
INSERT INTO notification_versions (notification_id, version, kind, content_digest, content,
    submitted_at, submitted_by_kind, submitted_by, state,
    controller_is_submitter, controller_verified)
SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9,
    COALESCE(o.identifier_scheme = $5::jsonb #>> '{controller,identifier,scheme}'
        AND o.identifier_value = $5::jsonb #>> '{controller,identifier,value}', false),
    COALESCE(o.identifier_scheme = $5::jsonb #>> '{controller,identifier,scheme}'
        AND o.identifier_value = $5::jsonb #>> '{controller,identifier,value}'
        AND o.verified_at IS NOT NULL
        AND $7::text = 'maskinporten', false)
FROM organisations o WHERE o.id = $10";

#[allow(clippy::too_many_arguments)]
async fn insert_version(
    mut conn: &AsyncPgConnection,
    notification_id: Uuid,
    organisation_id: Uuid,
    version: i32,
    kind: VersionKind,
    content: &Notification,
    by: Submitter,
    now: DateTime<Utc>,
) -> QueryResult<()> {
    use diesel::sql_types::{Integer, Jsonb, Text, Timestamptz, Uuid as SqlUuid};
    let json = content.to_json();
    let inserted = diesel::sql_query(INSERT_VERSION)
        .bind::<SqlUuid, _>(notification_id)
        .bind::<Integer, _>(version)
        .bind::<Text, _>(kind.code())
        .bind::<Text, _>(content_digest(&json))
        .bind::<Jsonb, _>(json)
        .bind::<Timestamptz, _>(now)
        .bind::<Text, _>(by.kind.code())
        .bind::<SqlUuid, _>(by.id)
        .bind::<Text, _>(VersionState::Pending.code())
        .bind::<SqlUuid, _>(organisation_id)
        .execute(&mut conn)
        .await?;
    if inserted != 1 {
        return Err(diesel::result::Error::NotFound);
    }
    Ok(())
}

/// Moves the pending version, if any, to `to`; its number when there was one.
async fn close_pending(
    conn: &mut AsyncPgConnection,
    notification_id: Uuid,
    to: VersionState,
) -> QueryResult<Option<i32>> {
    diesel::update(
        notification_versions::table
            .filter(notification_versions::notification_id.eq(notification_id))
            .filter(notification_versions::state.eq(VersionState::Pending)),
    )
    .set(notification_versions::state.eq(to))
    .returning(notification_versions::version)
    .get_result(conn)
    .await
    .optional()
}

/// A new notification with its first version, waiting for confirmation.
/// The database refuses a second live patient journal
/// (`one_live_journal_per_organisation`). Its three statements go out
/// together (pipelined, run in this order), and so may the caller's next
/// ones: nothing here waits for an answer before sending the next.
#[tracing::instrument(level = "debug", skip_all, fields(notification = %number))]
pub async fn create(
    mut conn: &AsyncPgConnection,
    id: Uuid,
    number: NotificationNumber,
    organisation_id: Uuid,
    content: &Notification,
    by: Submitter,
    now: DateTime<Utc>,
) -> QueryResult<NotificationRow> {
    let kind = VersionKind::first(content.registration_kind());
    let number = number.to_string();
    let status = Status::AwaitingConfirmation;
    let data = EventData {
        number: number.clone(),
        version: Some(1),
        status: status.code(),
        receipt_id: None,
        kind: Some(kind.code()),
    };
    let (row, version, event) = tokio::join!(
        diesel::insert_into(notifications::table)
            .values((
                notifications::id.eq(id),
                notifications::created_at.eq(now),
                notifications::updated_at.eq(now),
                notifications::number.eq(&number),
                notifications::organisation_id.eq(organisation_id),
                notifications::status.eq(status),
                notifications::latest_version.eq(1),
                notifications::journal.eq(content.is_patient_journal()),
                notifications::previous_number.eq(content.previous_number().map(|n| n.to_string())),
                summary_columns(content),
            ))
            .returning(NotificationRow::as_returning())
            .get_result(&mut conn),
        insert_version(conn, id, organisation_id, 1, kind, content, by, now),
        events::record(conn, organisation_id, EventType::Submitted, &data, now),
    );
    // The first refusal is the cause; what follows it fails for it.
    let row = row?;
    version?;
    event?;
    Ok(row)
}

/// What a change submitted with the key left behind.
pub struct Submitted {
    pub row: NotificationRow,
    /// The pending version this one replaced.
    pub replaced: Option<i32>,
}

/// A new complete version waiting for confirmation; one already waiting is
/// superseded. The registered version stays valid until then.
#[tracing::instrument(level = "debug", skip_all, fields(notification = %row.number))]
pub async fn submit_amendment(
    conn: &mut AsyncPgConnection,
    row: &NotificationRow,
    next: Status,
    content: &Notification,
    by: Submitter,
    now: DateTime<Utc>,
) -> QueryResult<Submitted> {
    let replaced = close_pending(conn, row.id, VersionState::Superseded).await?;
    let version = row.latest_version + 1;
    insert_version(
        conn,
        row.id,
        row.organisation_id,
        version,
        VersionKind::Amendment,
        content,
        by,
        now,
    )
    .await?;
    let journal = row.registered_is_journal() || content.is_patient_journal();
    let row = set_waiting(conn, row.id, next, version, journal, now).await?;
    let what = Some(VersionKind::Amendment.code());
    event(
        conn,
        &row,
        EventType::Submitted,
        Some(version),
        next,
        None,
        what,
        now,
    )
    .await?;
    Ok(Submitted { row, replaced })
}

/// A withdrawal waiting for confirmation; a pending amendment is dropped
/// and no longer claims the journal.
#[tracing::instrument(level = "debug", skip_all, fields(notification = %row.number))]
pub async fn submit_withdrawal(
    conn: &mut AsyncPgConnection,
    row: &NotificationRow,
    next: Status,
    now: DateTime<Utc>,
) -> QueryResult<Submitted> {
    let replaced = close_pending(conn, row.id, VersionState::Superseded).await?;
    let journal = row.registered_is_journal();
    let updated = set_waiting(conn, row.id, next, row.latest_version, journal, now).await?;
    let version = row.registered_version;
    event(
        conn,
        &updated,
        EventType::Submitted,
        version,
        next,
        None,
        Some("withdrawal"),
        now,
    )
    .await?;
    Ok(Submitted {
        row: updated,
        replaced,
    })
}

async fn set_waiting(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    next: Status,
    latest_version: i32,
    journal: bool,
    now: DateTime<Utc>,
) -> QueryResult<NotificationRow> {
    diesel::update(notifications::table.find(id))
        .set((
            notifications::status.eq(next),
            notifications::latest_version.eq(latest_version),
            notifications::journal.eq(journal),
            touch(now),
        ))
        .returning(NotificationRow::as_returning())
        .get_result(conn)
        .await
}

/// The confirmed version of a confirmation.
pub struct Confirmed<'a> {
    pub version: i32,
    pub content: &'a Notification,
    pub expires_on: NaiveDate,
    /// The hash of a new notification key, on a first registration.
    pub key_hash: Option<Vec<u8>>,
    /// The receipt the confirmation issues.
    pub receipt_id: Uuid,
}

/// The pending version becomes the registered one, valid until
/// `expires_on`, and the register shows it. False when that version no
/// longer waits.
#[tracing::instrument(level = "debug", skip_all, fields(notification = %row.number))]
pub async fn confirm_version(
    conn: &mut AsyncPgConnection,
    row: &NotificationRow,
    next: Status,
    confirmed: Confirmed<'_>,
    now: DateTime<Utc>,
) -> QueryResult<bool> {
    let changed = diesel::update(
        notification_versions::table
            .find((row.id, confirmed.version))
            .filter(notification_versions::state.eq(VersionState::Pending)),
    )
    .set((
        notification_versions::state.eq(VersionState::Confirmed),
        notification_versions::confirmed_at.eq(now),
    ))
    .execute(conn)
    .await?;
    if changed != 1 {
        return Ok(false);
    }
    diesel::update(notifications::table.find(row.id))
        .set((
            notifications::status.eq(next),
            notifications::registered_version.eq(confirmed.version),
            notifications::registered_at.eq(row.registered_at.unwrap_or(now)),
            notifications::expires_on.eq(confirmed.expires_on),
            notifications::journal.eq(confirmed.content.is_patient_journal()),
            notifications::reminder_sent_for.eq(None::<NaiveDate>),
            touch(now),
            summary_columns(confirmed.content),
        ))
        .execute(conn)
        .await?;
    if let Some(hash) = confirmed.key_hash {
        diesel::update(notifications::table.find(row.id))
            .set(notifications::key_hash.eq(hash))
            .execute(conn)
            .await?;
    }
    let what = match row.registered_version {
        None => VersionKind::first(confirmed.content.registration_kind()),
        Some(_) => VersionKind::Amendment,
    };
    let (version, receipt) = (Some(confirmed.version), Some(confirmed.receipt_id));
    event(
        conn,
        row,
        EventType::Registered,
        version,
        next,
        receipt,
        Some(what.code()),
        now,
    )
    .await?;
    register::refresh(conn, &row.number, now).await?;
    Ok(true)
}

/// A confirmed withdrawal: the processing has ended.
#[tracing::instrument(level = "debug", skip_all, fields(notification = %row.number))]
pub async fn withdraw(
    conn: &mut AsyncPgConnection,
    row: &NotificationRow,
    next: Status,
    receipt_id: Uuid,
    now: DateTime<Utc>,
) -> QueryResult<()> {
    diesel::update(notifications::table.find(row.id))
        .set((notifications::status.eq(next), touch(now)))
        .execute(conn)
        .await?;
    let version = row.registered_version;
    event(
        conn,
        row,
        EventType::Withdrawn,
        version,
        next,
        Some(receipt_id),
        None,
        now,
    )
    .await?;
    register::refresh(conn, &row.number, now).await
}

/// A confirmed re-registration renews the notification it names, when that
/// one of the same organisation can still be renewed. True when it was;
/// the caller then refreshes the register for it.
#[tracing::instrument(level = "debug", skip_all, fields(notification = %previous))]
pub async fn renew_previous(
    conn: &mut AsyncPgConnection,
    organisation_id: Uuid,
    previous: NotificationNumber,
    now: DateTime<Utc>,
) -> QueryResult<bool> {
    let renewable: Vec<Status> = Status::ALL
        .into_iter()
        .filter(|s| s.apply(Action::Renew).is_ok())
        .collect();
    let renewed = diesel::update(
        notifications::table
            .filter(notifications::number.eq(previous.to_string()))
            .filter(notifications::organisation_id.eq(organisation_id))
            .filter(notifications::status.eq_any(renewable)),
    )
    .set((notifications::status.eq(Status::Renewed), touch(now)))
    .execute(conn)
    .await?;
    // The caller brings the register in line once its own event is
    // written (the event counter is a row lock, taken before the
    // register's writer lock).
    Ok(renewed == 1)
}

/// What waited for confirmation was not confirmed in time: a submission
/// lapses; a pending amendment or withdrawal falls away and the registered
/// version stays.
#[tracing::instrument(level = "debug", skip_all, fields(notification = %row.number))]
pub async fn lapse_pending(
    conn: &mut AsyncPgConnection,
    row: &NotificationRow,
    next: Status,
    now: DateTime<Utc>,
) -> QueryResult<()> {
    let journal = next != Status::Lapsed && row.registered_is_journal();
    end_wait(conn, row, next, journal, EventType::Lapsed, now).await
}

/// The validity ran out; anything still waiting falls away.
#[tracing::instrument(level = "debug", skip_all, fields(notification = %row.number))]
pub async fn expire(
    conn: &mut AsyncPgConnection,
    row: &NotificationRow,
    next: Status,
    now: DateTime<Utc>,
) -> QueryResult<()> {
    end_wait(conn, row, next, false, EventType::Expired, now).await
}

/// Whatever waited for confirmation falls away (the pending version
/// lapses, the links stop working), and the notification moves to `next`.
async fn end_wait(
    conn: &mut AsyncPgConnection,
    row: &NotificationRow,
    next: Status,
    journal: bool,
    kind: EventType,
    now: DateTime<Utc>,
) -> QueryResult<()> {
    let lapsed = close_pending(conn, row.id, VersionState::Lapsed).await?;
    links::revoke(conn, row.id, now).await?;
    diesel::update(notifications::table.find(row.id))
        .set((
            notifications::status.eq(next),
            notifications::journal.eq(journal),
            touch(now),
        ))
        .execute(conn)
        .await?;
    // A lapse names the version that fell away; an expiry the one that ran out.
    let version = match kind {
        EventType::Lapsed => lapsed.or(row.registered_version),
        _ => row.registered_version,
    };
    event(conn, row, kind, version, next, None, None, now).await?;
    register::refresh(conn, &row.number, now).await
}

/// The renewal reminder went out for the expiry date `expires_on`.
#[tracing::instrument(level = "debug", skip_all, fields(notification = %row.number))]
pub async fn mark_reminded(
    conn: &mut AsyncPgConnection,
    row: &NotificationRow,
    expires_on: NaiveDate,
    now: DateTime<Utc>,
) -> QueryResult<()> {
    diesel::update(notifications::table.find(row.id))
        .set(notifications::reminder_sent_for.eq(expires_on))
        .execute(conn)
        .await?;
    let (version, status) = (row.registered_version, row.status());
    event(
        conn,
        row,
        EventType::Expiring,
        version,
        status,
        None,
        None,
        now,
    )
    .await
}

/// A new notification key; the old one stops working. A new key does not
/// restart a wait for confirmation, so `updated_at` stays.
#[tracing::instrument(level = "debug", skip_all, fields(id = %id))]
pub async fn set_key_hash(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    hash: Vec<u8>,
) -> QueryResult<()> {
    diesel::update(notifications::table.find(id))
        .set((notifications::key_hash.eq(hash), next_revision()))
        .execute(conn)
        .await?;
    Ok(())
}
