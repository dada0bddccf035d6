//! What the back office's notification routes send and receive.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::case_store::{Case, NoteRow};
use super::filters::CaseStatus;
use super::organisations::AdminOrganisationView;
use super::store::{AdminRow, MailRow};
use crate::domain::code_lists::{Law, LegalGround, Purpose, Sector};
use crate::domain::lifecycle::Status;
use crate::notifications::store::links::LinkRow;
use crate::notifications::views::{NotificationView, VersionView};
use crate::receipts::ReceiptView;

/// The organisation a notification belongs to, in a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrganisationRef {
    pub id: Uuid,
    #[schema(example = "Fjordvik kommune")]
    pub name: String,
    #[schema(example = "974761467")]
    pub identifier: String,
    /// Whether it proved its organisation number (Maskinporten).
    pub verified: bool,
}

/// A notification of any organisation, in the back office's list.
#[derive(Debug, Serialize, ToSchema)]
pub struct AdminNotificationSummary {
    #[schema(example = "2026-000123")]
    pub number: String,
    pub status: Status,
    pub controller_name: String,
    #[schema(value_type = Law)]
    pub law: String,
    #[schema(value_type = LegalGround)]
    pub legal_ground: String,
    #[schema(value_type = Sector)]
    pub sector: String,
    #[schema(value_type = Purpose)]
    pub purpose: String,
    pub organisation: OrganisationRef,
    pub case_status: CaseStatus,
    /// The regulator the case is assigned to.
    pub assignee: Option<Uuid>,
    /// When it was submitted.
    pub submitted_at: DateTime<Utc>,
    pub registered_at: Option<DateTime<Utc>>,
    pub expires_on: Option<NaiveDate>,
}

impl From<&AdminRow> for AdminNotificationSummary {
    fn from(row: &AdminRow) -> Self {
        let n = &row.notification;
        Self {
            number: n.number.clone(),
            status: n.status(),
            controller_name: n.controller_name.clone(),
            law: n.law.clone(),
            legal_ground: n.legal_ground.clone(),
            sector: n.sector.clone(),
            purpose: n.purpose.clone(),
            organisation: OrganisationRef {
                id: n.organisation_id,
                name: row.organisation_name.clone(),
                identifier: row.organisation_identifier.clone(),
                verified: row.organisation_verified,
            },
            case_status: row.case_status(),
            assignee: row.assignee,
            submitted_at: n.created_at,
            registered_at: n.registered_at,
            expires_on: n.expires_on,
        }
    }
}

/// One page of the back office's list.
#[derive(Debug, Serialize, ToSchema)]
pub struct AdminNotificationPage {
    pub items: Vec<AdminNotificationSummary>,
    /// Pass as `cursor` for the next page (with the same filters and
    /// sort); absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// A notification's case.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseView {
    pub case_status: CaseStatus,
    pub assignee: Option<Uuid>,
    /// Bumped by every change; the ETag is made of it.
    pub revision: i32,
    /// When it last changed; none while it was never touched.
    pub updated_at: Option<DateTime<Utc>>,
}

impl From<&Case> for CaseView {
    fn from(c: &Case) -> Self {
        Self {
            case_status: c.status,
            assignee: c.assignee,
            revision: c.revision,
            updated_at: c.updated_at,
        }
    }
}

/// A change of a case: the fields given change, the others stay.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CaseInput {
    pub case_status: Option<CaseStatus>,
    /// A regulator's id, or `null` to take the case off anyone's desk.
    #[serde(default, deserialize_with = "given")]
    #[schema(value_type = Option<Uuid>, nullable)]
    pub assignee: Option<Option<Uuid>>,
}

/// A field that is present, even as `null`.
fn given<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// A new case note.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoteInput {
    /// Several lines allowed; at most 10,000 characters.
    #[schema(
        example = "Rang behandlingsansvarlig 3. desember; venter på svar.",
        max_length = 10000
    )]
    pub text: String,
}

/// A case note: never changed.
#[derive(Debug, Serialize, ToSchema)]
pub struct NoteView {
    pub id: i64,
    /// The regulator who wrote it.
    pub author: Uuid,
    pub text: String,
    pub created_at: DateTime<Utc>,
}

impl From<&NoteRow> for NoteView {
    fn from(n: &NoteRow) -> Self {
        Self {
            id: n.id,
            author: n.author,
            text: n.text.clone(),
            created_at: n.created_at,
        }
    }
}

/// The notes of a case, oldest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct Notes {
    pub items: Vec<NoteView>,
}

/// Where the newest confirmation link stands.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConfirmationState {
    /// `registration`, `amendment` or `withdrawal`.
    pub kind: &'static str,
    pub version: Option<i32>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// `waiting`, `used`, `replaced` (a newer link, or nothing waits any
    /// more) or `expired`.
    #[schema(example = "waiting")]
    pub state: &'static str,
    pub used_at: Option<DateTime<Utc>>,
}

impl ConfirmationState {
    pub fn of(link: &LinkRow, now: DateTime<Utc>) -> Self {
        let state = if link.used_at.is_some() {
            "used"
        } else if link.revoked_at.is_some() {
            "replaced"
        } else if link.expires_at <= now {
            "expired"
        } else {
            "waiting"
        };
        Self {
            kind: link.action.code(),
            version: link.version,
            created_at: link.created_at,
            expires_at: link.expires_at,
            state,
            used_at: link.used_at,
        }
    }
}

/// A mail about the notification, and how its delivery goes (never its
/// body, which may hold a link or a key).
#[derive(Debug, Serialize, ToSchema)]
pub struct MailState {
    /// `confirmation`, `receipt`, `key` or `reminder`.
    pub kind: String,
    pub subject: String,
    pub created_at: DateTime<Utc>,
    /// `queued`, `sent`, `retrying` (an attempt failed; `last_error` says
    /// why) or `failed` (given up).
    #[schema(example = "sent")]
    pub state: &'static str,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub sent_at: Option<DateTime<Utc>>,
}

impl From<&MailRow> for MailState {
    fn from(m: &MailRow) -> Self {
        let state = match (m.sent_at, m.failed_at, &m.last_error) {
            (Some(_), _, _) => "sent",
            (None, Some(_), _) => "failed",
            (None, None, Some(_)) => "retrying",
            (None, None, None) => "queued",
        };
        Self {
            kind: m.kind.clone(),
            subject: m.subject.clone(),
            created_at: m.created_at,
            state,
            attempts: m.attempts,
            last_error: m.last_error.clone(),
            sent_at: m.sent_at,
        }
    }
}

/// One notification as the back office sees it: everything.
#[derive(Debug, Serialize, ToSchema)]
pub struct AdminNotificationView {
    pub notification: NotificationView,
    pub organisation: AdminOrganisationView,
    /// Every version, oldest first, without content (see `/versions/{n}`).
    pub versions: Vec<VersionView>,
    pub receipts: Vec<ReceiptView>,
    /// The newest confirmation link; none before the first was sent.
    pub confirmation: Option<ConfirmationState>,
    pub mail: Vec<MailState>,
    pub case: CaseView,
    pub notes: Vec<NoteView>,
}
