//! The only writer of `cases` and `case_notes`: a notification's case in
//! the back office (its status and assignee, with a revision for
//! `If-Match`) and the notes on it, which are never changed.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::filters::CaseStatus;
use crate::schema::{case_notes, cases, users};

/// A case as it stands; a notification without a row is a new case at
/// revision 0.
#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    pub status: CaseStatus,
    pub assignee: Option<Uuid>,
    pub revision: i32,
    pub updated_at: Option<DateTime<Utc>>,
}

impl Case {
    /// The case's ETag.
    pub fn etag(&self) -> String {
        format!("\"case.{}\"", self.revision)
    }
}

type CaseColumns = (
    cases::case_status,
    cases::assignee,
    cases::revision,
    cases::updated_at,
);
const CASE_COLUMNS: CaseColumns = (
    cases::case_status,
    cases::assignee,
    cases::revision,
    cases::updated_at,
);

fn case_of(row: Option<(String, Option<Uuid>, i32, DateTime<Utc>)>) -> Case {
    match row {
        None => Case {
            status: CaseStatus::New,
            assignee: None,
            revision: 0,
            updated_at: None,
        },
        Some((status, assignee, revision, updated_at)) => Case {
            status: CaseStatus::parse(&status).unwrap_or(CaseStatus::New),
            assignee,
            revision,
            updated_at: Some(updated_at),
        },
    }
}

/// The case of a notification.
pub async fn current(conn: &mut AsyncPgConnection, notification_id: Uuid) -> QueryResult<Case> {
    let row = cases::table
        .find(notification_id)
        .select(CASE_COLUMNS)
        .first(conn)
        .await
        .optional()?;
    Ok(case_of(row))
}

/// The same, locked for the rest of the transaction where it has a row.
pub async fn for_update(conn: &mut AsyncPgConnection, notification_id: Uuid) -> QueryResult<Case> {
    let row = cases::table
        .find(notification_id)
        .select(CASE_COLUMNS)
        .for_update()
        .first(conn)
        .await
        .optional()?;
    Ok(case_of(row))
}

/// Writes the case's new state at the next revision. Two first changes
/// of one case at once: the second meets the first's row and fails on the
/// primary key, and its caller answers 412 (its If-Match no longer holds).
pub async fn write(
    conn: &mut AsyncPgConnection,
    notification_id: Uuid,
    before: &Case,
    status: CaseStatus,
    assignee: Option<Uuid>,
    by: Uuid,
    now: DateTime<Utc>,
) -> QueryResult<Case> {
    let revision = before.revision + 1;
    if before.revision == 0 {
        diesel::insert_into(cases::table)
            .values((
                cases::notification_id.eq(notification_id),
                cases::case_status.eq(status.code()),
                cases::assignee.eq(assignee),
                cases::revision.eq(revision),
                cases::updated_at.eq(now),
                cases::updated_by.eq(by),
            ))
            .execute(conn)
            .await?;
    } else {
        diesel::update(cases::table.find(notification_id))
            .set((
                cases::case_status.eq(status.code()),
                cases::assignee.eq(assignee),
                cases::revision.eq(revision),
                cases::updated_at.eq(now),
                cases::updated_by.eq(by),
            ))
            .execute(conn)
            .await?;
    }
    Ok(Case {
        status,
        assignee,
        revision,
        updated_at: Some(now),
    })
}

/// Whether `id` is a regulator's account.
pub async fn is_regulator(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<bool> {
    let found: Option<Uuid> = users::table
        .find(id)
        .filter(users::role.eq("regulator"))
        .select(users::id)
        .first(conn)
        .await
        .optional()?;
    Ok(found.is_some())
}

/// A case note.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = case_notes)]
pub struct NoteRow {
    pub id: i64,
    pub author: Uuid,
    pub text: String,
    pub created_at: DateTime<Utc>,
}

/// Adds a note; notes are never changed or removed.
pub async fn add_note(
    conn: &mut AsyncPgConnection,
    notification_id: Uuid,
    author: Uuid,
    text: &str,
    now: DateTime<Utc>,
) -> QueryResult<NoteRow> {
    diesel::insert_into(case_notes::table)
        .values((
            case_notes::notification_id.eq(notification_id),
            case_notes::author.eq(author),
            case_notes::text.eq(text),
            case_notes::created_at.eq(now),
        ))
        .returning(NoteRow::as_returning())
        .get_result(conn)
        .await
}

/// The notes of a notification, oldest first.
pub async fn notes(
    conn: &mut AsyncPgConnection,
    notification_id: Uuid,
) -> QueryResult<Vec<NoteRow>> {
    case_notes::table
        .filter(case_notes::notification_id.eq(notification_id))
        .order(case_notes::id.asc())
        .select(NoteRow::as_select())
        .load(conn)
        .await
}
