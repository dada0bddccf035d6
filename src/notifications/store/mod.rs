//! The tables of the notification's life: `notifications`,
//! `notification_versions` and `confirmation_tokens`. Only this module
//! writes them: the rows and reads are here, every change of state in
//! [`transitions`], the confirmation links in [`links`]. Reads for callers
//! are scoped to the caller's organisation.

pub mod links;
pub mod transitions;

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::api::Page;
use crate::auth::SubjectKind;
use crate::db::text::contains_case_blind;
use crate::domain::lifecycle::Status;
use crate::domain::notification::Notification;
use crate::domain::number::NotificationNumber;
use crate::domain::version::{Confirming, VersionKind, VersionState};
use crate::schema::{notification_versions, notifications};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = notifications)]
pub struct NotificationRow {
    pub id: Uuid,
    pub number: String,
    pub organisation_id: Uuid,
    pub status: Status,
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
        self.status
    }

    /// Whether the registered content is a patient journal.
    pub fn registered_is_journal(&self) -> bool {
        self.legal_ground == crate::domain::code_lists::LegalGround::PatientJournal.code()
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
    pub kind: VersionKind,
    pub content: serde_json::Value,
    pub content_digest: String,
    pub submitted_at: DateTime<Utc>,
    pub submitted_by_kind: SubjectKind,
    pub submitted_by: Uuid,
    pub state: VersionState,
    pub confirmed_at: Option<DateTime<Utc>>,
    /// The controller is the submitting organisation itself (its own
    /// identifier), not another organisation it names.
    pub controller_is_submitter: bool,
    /// The controller is the submitting organisation, and the submission
    /// proved its organisation number (a Maskinporten token).
    pub controller_verified: bool,
}

/// A new number: `year` and the next value of the sequence.
pub async fn next_number(
    conn: &mut AsyncPgConnection,
    year: u16,
) -> QueryResult<NotificationNumber> {
    #[derive(QueryableByName)]
    struct Next {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let next: Next = diesel::sql_query("SELECT nextval('notification_number_seq') AS n")
        .get_result(conn)
        .await?;
    u32::try_from(next.n)
        .ok()
        .and_then(|n| NotificationNumber::new(year, n).ok())
        .ok_or_else(|| {
            diesel::result::Error::DeserializationError(
                format!("the number sequence gave {}, out of range", next.n).into(),
            )
        })
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
pub(super) fn summary_columns(n: &Notification) -> SummaryColumns {
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

/// The number of the organisation's live patient journal, other than `except`.
pub async fn live_journal(
    conn: &mut AsyncPgConnection,
    organisation_id: Uuid,
    except: Option<Uuid>,
) -> QueryResult<Option<NotificationNumber>> {
    let live = Status::ALL.into_iter().filter(|s| !s.is_final());
    let mut query = notifications::table
        .filter(notifications::organisation_id.eq(organisation_id))
        .filter(notifications::journal.eq(true))
        .filter(notifications::status.eq_any(live.collect::<Vec<_>>()))
        .select(notifications::number)
        .into_boxed();
    if let Some(except) = except {
        query = query.filter(notifications::id.ne(except));
    }
    let number: Option<String> = query.first(conn).await.optional()?;
    Ok(number.and_then(|n| n.parse().ok()))
}

/// A notification of `organisation_id` by its number.
#[tracing::instrument(level = "debug", skip(conn))]
pub async fn by_number(
    mut conn: &AsyncPgConnection,
    organisation_id: Uuid,
    number: &str,
) -> QueryResult<NotificationRow> {
    notifications::table
        .filter(notifications::number.eq(number))
        .filter(notifications::organisation_id.eq(organisation_id))
        .select(NotificationRow::as_select())
        .first(&mut conn)
        .await
}

/// The same, locked for the rest of the transaction.
#[tracing::instrument(level = "debug", skip(conn))]
pub async fn by_number_for_update(
    conn: &mut AsyncPgConnection,
    organisation_id: Uuid,
    number: &str,
) -> QueryResult<NotificationRow> {
    notifications::table
        .filter(notifications::number.eq(number))
        .filter(notifications::organisation_id.eq(organisation_id))
        .select(NotificationRow::as_select())
        .for_update()
        .first(conn)
        .await
}

/// Filters of the list.
#[derive(Debug, Default)]
pub struct Filters {
    pub status: Option<Status>,
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
) -> QueryResult<Vec<NotificationRow>> {
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
    if let Some(words) = &filters.q {
        query = query.filter(
            contains_case_blind(notifications::controller_name, words)
                .or(contains_case_blind(notifications::description, words)),
        );
    }
    if let Some((t, id)) = page.after {
        query = query.filter(
            notifications::created_at.gt(t).or(notifications::created_at
                .eq(t)
                .and(notifications::id.gt(id))),
        );
    }
    query.load(conn).await
}

pub async fn versions(
    conn: &mut AsyncPgConnection,
    notification_id: Uuid,
) -> QueryResult<Vec<VersionRow>> {
    notification_versions::table
        .filter(notification_versions::notification_id.eq(notification_id))
        .select(VersionRow::as_select())
        .order(notification_versions::version)
        .load(conn)
        .await
}

pub async fn version(
    conn: &mut AsyncPgConnection,
    notification_id: Uuid,
    version: i32,
) -> QueryResult<VersionRow> {
    notification_versions::table
        .find((notification_id, version))
        .select(VersionRow::as_select())
        .first(conn)
        .await
}

/// The version `GET` shows (the registered one, else the latest) of the
/// notification `number` of an organisation, found by the number alone:
/// it needs no answer of [`by_number`], and so goes out with it.
pub async fn shown_version_by_number(
    mut conn: &AsyncPgConnection,
    organisation_id: Uuid,
    number: &str,
) -> QueryResult<VersionRow> {
    notification_versions::table
        .inner_join(notifications::table)
        .filter(notifications::number.eq(number))
        .filter(notifications::organisation_id.eq(organisation_id))
        .filter(
            notification_versions::version
                .nullable()
                .eq(notifications::registered_version)
                .or(notifications::registered_version
                    .is_null()
                    .and(notification_versions::version.eq(notifications::latest_version))),
        )
        .select(VersionRow::as_select())
        .first(&mut conn)
        .await
}

/// A notification by its id, locked for the rest of the transaction.
pub async fn by_id_for_update(
    conn: &mut AsyncPgConnection,
    id: Uuid,
) -> QueryResult<NotificationRow> {
    notifications::table
        .find(id)
        .select(NotificationRow::as_select())
        .for_update()
        .first(conn)
        .await
}

/// A notification by its id.
pub async fn by_id(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<NotificationRow> {
    notifications::table
        .find(id)
        .select(NotificationRow::as_select())
        .first(conn)
        .await
}

/// What makes a notification due for a scheduled step.
#[derive(Debug, Clone, Copy)]
pub enum Due {
    /// Waiting since before this instant.
    UpdatedBefore(DateTime<Utc>),
    /// Expiring on or before this date.
    ExpiresBy(NaiveDate),
    /// Expiring within the reminder window, and not reminded for it yet.
    RemindBy {
        window_end: NaiveDate,
        today: NaiveDate,
    },
}

/// The ids of notifications in `statuses` that `due` picks, a batch at a
/// time; the database does the picking, so a round costs nothing for
/// notifications with nothing due.
pub async fn due(
    conn: &mut AsyncPgConnection,
    statuses: &[Status],
    due: Due,
) -> QueryResult<Vec<Uuid>> {
    let query = notifications::table
        .filter(notifications::status.eq_any(statuses.to_vec()))
        .select(notifications::id)
        .limit(1000)
        .into_boxed();
    let query = match due {
        Due::UpdatedBefore(deadline) => query.filter(notifications::updated_at.le(deadline)),
        Due::ExpiresBy(date) => query.filter(notifications::expires_on.le(date)),
        Due::RemindBy { window_end, today } => query
            .filter(notifications::expires_on.le(window_end))
            .filter(notifications::expires_on.gt(today))
            .filter(
                notifications::reminder_sent_for
                    .is_null()
                    .or(notifications::reminder_sent_for.ne(notifications::expires_on)),
            ),
    };
    query.load(conn).await
}

/// Locks a notification still in `statuses`, skipping one another replica
/// holds.
pub async fn lock_if_in(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    statuses: &[Status],
) -> QueryResult<Option<NotificationRow>> {
    notifications::table
        .find(id)
        .filter(notifications::status.eq_any(statuses.to_vec()))
        .select(NotificationRow::as_select())
        .for_update()
        .skip_locked()
        .first(conn)
        .await
        .optional()
}

/// The expiry date the renewal reminder was last sent for.
pub async fn reminded_for(
    conn: &mut AsyncPgConnection,
    id: Uuid,
) -> QueryResult<Option<NaiveDate>> {
    notifications::table
        .find(id)
        .select(notifications::reminder_sent_for)
        .first(conn)
        .await
}

impl NotificationRow {
    /// What waits for confirmation: the kind and the pending version (none
    /// for a withdrawal, which confirms the registered one).
    pub fn waiting(&self) -> Option<(Confirming, Option<i32>)> {
        match self.status {
            Status::AwaitingConfirmation => {
                Some((Confirming::Registration, Some(self.latest_version)))
            }
            Status::AmendmentAwaitingConfirmation => {
                Some((Confirming::Amendment, Some(self.latest_version)))
            }
            Status::WithdrawalAwaitingConfirmation => Some((Confirming::Withdrawal, None)),
            _ => None,
        }
    }
}
