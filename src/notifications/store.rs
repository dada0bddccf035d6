//! SQL of notifications and their versions. Every read is scoped to the
//! caller's organisation.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::api::Page;
use crate::domain::lifecycle::Status;
use crate::domain::notification::Notification;
use crate::domain::number::NotificationNumber;
use crate::error::ApiError;
use crate::schema::{notification_versions, notifications};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = notifications)]
pub struct NotificationRow {
    pub id: Uuid,
    pub number: String,
    pub organisation_id: Uuid,
    pub status: String,
    pub registered_version: Option<i32>,
    pub latest_version: i32,
    pub journal: bool,
    pub key_hash: Option<Vec<u8>>,
    pub revision: i32,
    pub law: String,
    pub legal_ground: String,
    pub sector: String,
    pub purpose: String,
    pub controller_name: String,
    pub description: Option<String>,
    pub start_date: NaiveDate,
    pub previous_number: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub registered_at: Option<DateTime<Utc>>,
    pub expires_on: Option<NaiveDate>,
}

impl NotificationRow {
    pub fn status(&self) -> Status {
        Status::parse(&self.status).unwrap_or(Status::AwaitingConfirmation)
    }

    /// The strong ETag of the notification's current state.
    pub fn etag(&self) -> String {
        format!("\"{}.{}\"", self.number, self.revision)
    }

    /// The version lists and `GET` show: the registered one, else the latest.
    pub fn shown_version(&self) -> i32 {
        self.registered_version.unwrap_or(self.latest_version)
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = notification_versions)]
pub struct VersionRow {
    pub notification_id: Uuid,
    pub version: i32,
    pub kind: String,
    pub content: serde_json::Value,
    pub content_digest: String,
    pub submitted_at: DateTime<Utc>,
    pub submitted_by_kind: String,
    pub submitted_by: Uuid,
    pub state: String,
    pub confirmed_at: Option<DateTime<Utc>>,
}

/// A new number: this year and the next value of the sequence.
pub async fn next_number(
    conn: &mut AsyncPgConnection,
    year: u16,
) -> Result<NotificationNumber, ApiError> {
    #[derive(QueryableByName)]
    struct Next {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let next: Next = diesel::sql_query("SELECT nextval('notification_number_seq') AS n")
        .get_result(conn)
        .await?;
    NotificationNumber::new(year, next.n as u32).map_err(ApiError::internal)
}

/// The assignments of the columns lists and filters read.
type SummaryColumns = (
    diesel::dsl::Eq<notifications::law, &'static str>,
    diesel::dsl::Eq<notifications::legal_ground, &'static str>,
    diesel::dsl::Eq<notifications::sector, &'static str>,
    diesel::dsl::Eq<notifications::purpose, &'static str>,
    diesel::dsl::Eq<notifications::controller_name, String>,
    diesel::dsl::Eq<notifications::description, Option<String>>,
    diesel::dsl::Eq<notifications::start_date, NaiveDate>,
);

/// The columns lists and filters read, from the shown content.
pub fn summary_columns(n: &Notification) -> SummaryColumns {
    (
        notifications::law.eq(n.law().code()),
        notifications::legal_ground.eq(n.legal_ground().code()),
        notifications::sector.eq(n.sector().code()),
        notifications::purpose.eq(n.purpose().code()),
        notifications::controller_name.eq(n.controller().name.clone()),
        notifications::description.eq(n.description().map(str::to_owned)),
        notifications::start_date.eq(n.start_date()),
    )
}

/// Stores a new notification; the database refuses a second live journal.
pub async fn insert_notification(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    number: NotificationNumber,
    organisation_id: Uuid,
    content: &Notification,
    now: DateTime<Utc>,
) -> Result<NotificationRow, diesel::result::Error> {
    diesel::insert_into(notifications::table)
        .values((
            notifications::id.eq(id),
            notifications::created_at.eq(now),
            notifications::updated_at.eq(now),
            notifications::number.eq(number.to_string()),
            notifications::organisation_id.eq(organisation_id),
            notifications::status.eq(Status::AwaitingConfirmation.code()),
            notifications::latest_version.eq(1),
            notifications::journal.eq(content.is_patient_journal()),
            notifications::previous_number.eq(content.previous_number().map(|n| n.to_string())),
            summary_columns(content),
        ))
        .returning(NotificationRow::as_returning())
        .get_result(conn)
        .await
}

/// A submitted version, as it will stay.
pub struct NewVersion<'a> {
    pub notification_id: Uuid,
    pub version: i32,
    pub kind: &'a str,
    pub content: &'a Notification,
    pub digest: &'a str,
    pub submitted_at: DateTime<Utc>,
    pub submitted_by_kind: &'a str,
    pub submitted_by: Uuid,
}

pub async fn insert_version(
    conn: &mut AsyncPgConnection,
    v: NewVersion<'_>,
) -> Result<(), ApiError> {
    diesel::insert_into(notification_versions::table)
        .values((
            notification_versions::notification_id.eq(v.notification_id),
            notification_versions::version.eq(v.version),
            notification_versions::kind.eq(v.kind),
            notification_versions::content.eq(v.content.to_json()),
            notification_versions::content_digest.eq(v.digest),
            notification_versions::submitted_at.eq(v.submitted_at),
            notification_versions::submitted_by_kind.eq(v.submitted_by_kind),
            notification_versions::submitted_by.eq(v.submitted_by),
            notification_versions::state.eq("pending"),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// The number of the organisation's live patient journal, other than `except`.
pub async fn live_journal(
    conn: &mut AsyncPgConnection,
    organisation_id: Uuid,
    except: Option<Uuid>,
) -> Result<Option<NotificationNumber>, ApiError> {
    let live = [
        Status::AwaitingConfirmation,
        Status::Registered,
        Status::AmendmentAwaitingConfirmation,
        Status::WithdrawalAwaitingConfirmation,
    ]
    .map(Status::code);
    let mut query = notifications::table
        .filter(notifications::organisation_id.eq(organisation_id))
        .filter(notifications::journal.eq(true))
        .filter(notifications::status.eq_any(live))
        .select(notifications::number)
        .into_boxed();
    if let Some(except) = except {
        query = query.filter(notifications::id.ne(except));
    }
    let number: Option<String> = query.first(conn).await.optional()?;
    Ok(number.and_then(|n| n.parse().ok()))
}

/// A notification of `organisation_id` by its number.
pub async fn by_number(
    conn: &mut AsyncPgConnection,
    organisation_id: Uuid,
    number: &str,
) -> Result<NotificationRow, ApiError> {
    Ok(notifications::table
        .filter(notifications::number.eq(number))
        .filter(notifications::organisation_id.eq(organisation_id))
        .select(NotificationRow::as_select())
        .first(conn)
        .await?)
}

/// The same, locked for the rest of the transaction.
pub async fn by_number_for_update(
    conn: &mut AsyncPgConnection,
    organisation_id: Uuid,
    number: &str,
) -> Result<NotificationRow, ApiError> {
    Ok(notifications::table
        .filter(notifications::number.eq(number))
        .filter(notifications::organisation_id.eq(organisation_id))
        .select(NotificationRow::as_select())
        .for_update()
        .first(conn)
        .await?)
}

/// Filters of the list.
#[derive(Debug, Default)]
pub struct Filters {
    pub status: Option<&'static str>,
    pub law: Option<&'static str>,
    pub purpose: Option<&'static str>,
    pub sector: Option<&'static str>,
    pub q: Option<String>,
}

pub async fn list(
    conn: &mut AsyncPgConnection,
    organisation_id: Uuid,
    filters: &Filters,
    page: Page,
) -> Result<Vec<NotificationRow>, ApiError> {
    let mut query = notifications::table
        .filter(notifications::organisation_id.eq(organisation_id))
        .select(NotificationRow::as_select())
        .order((notifications::created_at, notifications::id))
        .limit(page.limit + 1)
        .into_boxed();
    if let Some(status) = filters.status {
        query = query.filter(notifications::status.eq(status));
    }
    if let Some(law) = filters.law {
        query = query.filter(notifications::law.eq(law));
    }
    if let Some(purpose) = filters.purpose {
        query = query.filter(notifications::purpose.eq(purpose));
    }
    if let Some(sector) = filters.sector {
        query = query.filter(notifications::sector.eq(sector));
    }
    if let Some(q) = &filters.q {
        let pattern = format!(
            "%{}%",
            q.replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        );
        query = query.filter(
            notifications::controller_name
                .ilike(pattern.clone())
                .or(notifications::description.ilike(pattern)),
        );
    }
    if let Some((t, id)) = page.after {
        query = query.filter(
            notifications::created_at.gt(t).or(notifications::created_at
                .eq(t)
                .and(notifications::id.gt(id))),
        );
    }
    Ok(query.load(conn).await?)
}

pub async fn versions(
    conn: &mut AsyncPgConnection,
    notification_id: Uuid,
) -> Result<Vec<VersionRow>, ApiError> {
    Ok(notification_versions::table
        .filter(notification_versions::notification_id.eq(notification_id))
        .select(VersionRow::as_select())
        .order(notification_versions::version)
        .load(conn)
        .await?)
}

pub async fn version(
    conn: &mut AsyncPgConnection,
    notification_id: Uuid,
    version: i32,
) -> Result<VersionRow, ApiError> {
    Ok(notification_versions::table
        .find((notification_id, version))
        .select(VersionRow::as_select())
        .first(conn)
        .await?)
}

/// Marks the pending version superseded; true when there was one.
pub async fn supersede_pending(
    conn: &mut AsyncPgConnection,
    notification_id: Uuid,
) -> Result<bool, ApiError> {
    let changed = diesel::update(
        notification_versions::table
            .filter(notification_versions::notification_id.eq(notification_id))
            .filter(notification_versions::state.eq("pending")),
    )
    .set(notification_versions::state.eq("superseded"))
    .execute(conn)
    .await?;
    Ok(changed > 0)
}

/// Records an amendment or withdrawal waiting for confirmation.
pub async fn set_pending(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    status: Status,
    latest_version: i32,
    journal: bool,
    now: DateTime<Utc>,
) -> Result<NotificationRow, ApiError> {
    Ok(diesel::update(notifications::table.find(id))
        .set((
            notifications::status.eq(status.code()),
            notifications::latest_version.eq(latest_version),
            notifications::journal.eq(journal),
            notifications::revision.eq(notifications::revision + 1),
            notifications::updated_at.eq(now),
        ))
        .returning(NotificationRow::as_returning())
        .get_result(conn)
        .await?)
}
