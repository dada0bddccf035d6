//! What the back office reads: notifications of every organisation with
//! their organisation and case, by the selection of [`super::filters`];
//! the links and mail of one notification. Reads only; the case tables
//! are written by [`super::cases`].

use chrono::{DateTime, NaiveDate, Utc};
use diesel::dsl::sql;
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Date, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::filters::{CaseStatus, Filters, SortKey};
use crate::db::text::contains_case_blind;
use crate::notifications::store::NotificationRow;
use crate::notifications::store::links::LinkRow;
use crate::schema::{cases, confirmation_tokens, notifications, organisations, outbox};

/// The sort key of the number `2026-000123`: year and sequence as one
/// number, as the index `notifications_number_key_idx` holds it.
const NUMBER_KEY: &str = "(split_part(notifications.number, '-', 1)::bigint * 100000000 \
     + split_part(notifications.number, '-', 2)::bigint)";
/// Never-registered notifications sort after every expiry date.
const EXPIRES_KEY: &str = "COALESCE(notifications.expires_on, DATE '9999-12-31')";

/// A notification in the back office's list.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(check_for_backend(Pg))]
pub struct AdminRow {
    #[diesel(embed)]
    pub notification: NotificationRow,
    #[diesel(select_expression = organisations::name)]
    pub organisation_name: String,
    #[diesel(select_expression = organisations::identifier_value)]
    pub organisation_identifier: String,
    #[diesel(select_expression = organisations::verified_at.is_not_null())]
    #[diesel(select_expression_type = diesel::dsl::IsNotNull<organisations::verified_at>)]
    pub organisation_verified: bool,
    #[diesel(select_expression = cases::case_status.nullable())]
    pub case_status: Option<String>,
    #[diesel(select_expression = cases::assignee.nullable())]
    pub assignee: Option<Uuid>,
}

impl AdminRow {
    pub fn case_status(&self) -> CaseStatus {
        self.case_status
            .as_deref()
            .and_then(CaseStatus::parse)
            .unwrap_or(CaseStatus::New)
    }
}

type Selection<'a> = diesel::dsl::IntoBoxed<
    'a,
    diesel::dsl::LeftJoin<
        diesel::dsl::InnerJoin<notifications::table, organisations::table>,
        cases::table,
    >,
    Pg,
>;

/// Every notification the filters let through, joined to its
/// organisation and case.
pub fn selection(f: &Filters) -> Selection<'_> {
    let mut q = notifications::table
        .inner_join(organisations::table)
        .left_join(cases::table)
        .into_boxed();
    if let Some(s) = f.status {
        q = q.filter(notifications::status.eq(s));
    }
    if let Some(v) = f.law {
        q = q.filter(notifications::law.eq(v));
    }
    if let Some(v) = f.legal_ground {
        q = q.filter(notifications::legal_ground.eq(v));
    }
    if let Some(v) = f.sector {
        q = q.filter(notifications::sector.eq(v));
    }
    if let Some(v) = f.purpose {
        q = q.filter(notifications::purpose.eq(v));
    }
    if let Some(v) = &f.organisation {
        q = q.filter(organisations::identifier_value.eq(v.clone()));
    }
    match f.case_status {
        None => {}
        Some(CaseStatus::New) => {
            q = q.filter(
                cases::case_status
                    .nullable()
                    .is_null()
                    .or(cases::case_status.nullable().eq("new")),
            );
        }
        Some(s) => q = q.filter(cases::case_status.nullable().eq(s.code())),
    }
    if let Some(v) = f.assignee {
        q = q.filter(cases::assignee.nullable().eq(v));
    }
    if let Some(v) = f.expires_before {
        // Inclusive, as every date filter.
        q = q.filter(notifications::expires_on.le(v));
    }
    if let Some(v) = f.submitted_from {
        q = q.filter(notifications::created_at.ge(v));
    }
    if let Some(v) = f.submitted_before {
        q = q.filter(notifications::created_at.lt(v));
    }
    if let Some(words) = &f.q {
        q = q.filter(
            contains_case_blind(notifications::controller_name, words)
                .or(contains_case_blind(notifications::description, words)),
        );
    }
    q
}

/// The sort key of a row, as its cursor holds it.
pub fn sort_key(key: SortKey, row: &NotificationRow) -> i64 {
    match key {
        SortKey::SubmittedAt => row.created_at.timestamp_micros(),
        SortKey::ExpiresOn => i64::from(chrono::Datelike::num_days_from_ce(
            &row.expires_on.unwrap_or_else(far_future),
        )),
        SortKey::Number => {
            let (year, seq) = row.number.split_once('-').unwrap_or(("0", "0"));
            year.parse::<i64>().unwrap_or(0) * 100_000_000 + seq.parse::<i64>().unwrap_or(0)
        }
    }
}

fn far_future() -> NaiveDate {
    NaiveDate::from_ymd_opt(9999, 12, 31).expect("a date")
}

/// Up to `limit` rows after the position `after` (sort key, id), in order.
pub async fn list(
    conn: &mut AsyncPgConnection,
    f: &Filters,
    (key, descending): (SortKey, bool),
    after: Option<(i64, Uuid)>,
    limit: i64,
) -> QueryResult<Vec<AdminRow>> {
    let mut q = selection(f);
    let (cmp, dir) = if descending {
        ("<", "DESC")
    } else {
        (">", "ASC")
    };
    if let Some((k, id)) = after {
        q = match key {
            SortKey::SubmittedAt => {
                let at = DateTime::<Utc>::from_timestamp_micros(k).unwrap_or_default();
                q.filter(
                    sql::<Bool>(&format!(
                        "(notifications.created_at, notifications.id) {cmp} ("
                    ))
                    .bind::<diesel::sql_types::Timestamptz, _>(at)
                    .sql(", ")
                    .bind::<SqlUuid, _>(id)
                    .sql(")"),
                )
            }
            SortKey::ExpiresOn => {
                let day = NaiveDate::from_num_days_from_ce_opt(k.clamp(1, 3_652_059) as i32)
                    .unwrap_or_else(far_future);
                q.filter(
                    sql::<Bool>(&format!("({EXPIRES_KEY}, notifications.id) {cmp} ("))
                        .bind::<Date, _>(day)
                        .sql(", ")
                        .bind::<SqlUuid, _>(id)
                        .sql(")"),
                )
            }
            SortKey::Number => q.filter(
                sql::<Bool>(&format!("({NUMBER_KEY}, notifications.id) {cmp} ("))
                    .bind::<diesel::sql_types::BigInt, _>(k)
                    .sql(", ")
                    .bind::<SqlUuid, _>(id)
                    .sql(")"),
            ),
        };
    }
    let order = match key {
        SortKey::SubmittedAt => format!("notifications.created_at {dir}, notifications.id {dir}"),
        SortKey::ExpiresOn => format!("{EXPIRES_KEY} {dir}, notifications.id {dir}"),
        SortKey::Number => format!("{NUMBER_KEY} {dir}, notifications.id {dir}"),
    };
    q.order(sql::<Bool>(&order))
        .select(AdminRow::as_select())
        .limit(limit)
        .load(conn)
        .await
}

/// One notification of any organisation, by its number.
pub async fn by_number(conn: &mut AsyncPgConnection, number: &str) -> QueryResult<AdminRow> {
    notifications::table
        .inner_join(organisations::table)
        .left_join(cases::table)
        .filter(notifications::number.eq(number))
        .select(AdminRow::as_select())
        .first(conn)
        .await
}

/// The newest confirmation link of a notification, used or not.
pub async fn newest_link(
    conn: &mut AsyncPgConnection,
    notification_id: Uuid,
) -> QueryResult<Option<LinkRow>> {
    confirmation_tokens::table
        .filter(confirmation_tokens::notification_id.eq(notification_id))
        .order(confirmation_tokens::created_at.desc())
        .select(LinkRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// A mail about a notification, as the outbox holds it (never its body).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = outbox)]
pub struct MailRow {
    pub kind: String,
    pub subject: String,
    pub created_at: DateTime<Utc>,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub sent_at: Option<DateTime<Utc>>,
    pub failed_at: Option<DateTime<Utc>>,
}

/// The mail about the notification `number`, oldest first.
pub async fn mail_about(conn: &mut AsyncPgConnection, number: &str) -> QueryResult<Vec<MailRow>> {
    outbox::table
        .filter(outbox::about.eq(number))
        .order(outbox::created_at.asc())
        .select(MailRow::as_select())
        .load(conn)
        .await
}
