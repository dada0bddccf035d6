//! What the notification routes send and receive, beside the notification
//! itself (`domain::notification`).

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::store::{NotificationRow, VersionRow};
use crate::auth::SubjectKind;
use crate::domain::code_lists::{Law, LegalGround, Purpose, Sector};
use crate::domain::diff::Change;
use crate::domain::lifecycle::Status;
use crate::domain::notification::NotificationInput;
use crate::error::FieldProblem;

/// Links to related resources.
#[derive(Debug, Serialize, ToSchema)]
pub struct Links {
    #[serde(rename = "self")]
    #[schema(example = "/v1/notifications/2026-000123")]
    pub self_link: String,
    #[schema(example = "/v1/notifications/2026-000123/versions")]
    pub versions: String,
}

impl Links {
    pub fn of(number: &str) -> Self {
        Self {
            self_link: format!("/v1/notifications/{number}"),
            versions: format!("/v1/notifications/{number}/versions"),
        }
    }
}

/// A submission accepted and waiting for confirmation by e-mail.
#[derive(Debug, Serialize, ToSchema)]
pub struct Submitted {
    #[schema(example = "2026-000123")]
    pub number: String,
    pub status: Status,
    #[schema(example = 1)]
    pub version: i32,
    /// With an amendment: the pending amendment this one replaced.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replaced_pending_version: Option<i32>,
    /// Problems that do not block, in the language asked for.
    pub warnings: Vec<FieldProblem>,
    pub links: Links,
}

/// What waits for confirmation.
#[derive(Debug, Serialize, ToSchema)]
pub struct Pending {
    /// `registration`, `amendment` or `withdrawal`.
    #[schema(example = "amendment")]
    pub kind: &'static str,
    /// The version waiting; none for a withdrawal.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<i32>,
}

/// A notification: its state and the content that counts now.
#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationView {
    #[schema(example = "2026-000123")]
    pub number: String,
    pub status: Status,
    /// The confirmed version valid now; none before the first confirmation.
    pub registered_version: Option<i32>,
    pub latest_version: i32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pending: Option<Pending>,
    /// Which version `content` is: the registered one, else the latest.
    pub content_version: i32,
    #[schema(value_type = NotificationInput)]
    pub content: serde_json::Value,
    /// Whether the controller of `content` is the organisation itself, and
    /// that version was submitted with a Maskinporten token naming its
    /// organisation number.
    pub controller_verified: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub registered_at: Option<DateTime<Utc>>,
    pub expires_on: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous_number: Option<String>,
    pub links: Links,
}

impl NotificationView {
    /// The notification `row` with the content of `shown` (the version
    /// lists and `GET` show: the registered one, else the latest).
    pub fn of(row: &NotificationRow, shown: VersionRow) -> Self {
        Self {
            number: row.number.clone(),
            status: row.status(),
            registered_version: row.registered_version,
            latest_version: row.latest_version,
            pending: Pending::of(row),
            content_version: shown.version,
            controller_verified: shown.controller_verified,
            content: shown.content,
            created_at: row.created_at,
            updated_at: row.updated_at,
            registered_at: row.registered_at,
            expires_on: row.expires_on,
            previous_number: row.previous_number.clone(),
            links: Links::of(&row.number),
        }
    }
}

/// One notification in a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationSummary {
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
    pub start_date: NaiveDate,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub registered_at: Option<DateTime<Utc>>,
    pub expires_on: Option<NaiveDate>,
}

impl From<&NotificationRow> for NotificationSummary {
    fn from(row: &NotificationRow) -> Self {
        Self {
            number: row.number.clone(),
            status: row.status(),
            controller_name: row.controller_name.clone(),
            law: row.law.clone(),
            legal_ground: row.legal_ground.clone(),
            sector: row.sector.clone(),
            purpose: row.purpose.clone(),
            start_date: row.start_date,
            created_at: row.created_at,
            updated_at: row.updated_at,
            registered_at: row.registered_at,
            expires_on: row.expires_on,
        }
    }
}

/// Who submitted a version.
#[derive(Debug, Serialize, ToSchema)]
pub struct Submitter {
    pub kind: SubjectKind,
    pub id: Uuid,
}

/// One version of a notification. Versions never change.
#[derive(Debug, Serialize, ToSchema)]
pub struct VersionView {
    pub version: i32,
    /// `registration`, `re_registration` or `amendment`.
    #[schema(example = "registration")]
    pub kind: String,
    /// `pending`, `confirmed`, `superseded` (replaced by a newer amendment
    /// before confirmation) or `lapsed` (never confirmed).
    #[schema(example = "confirmed")]
    pub state: String,
    pub submitted_at: DateTime<Utc>,
    pub submitted_by: Submitter,
    pub confirmed_at: Option<DateTime<Utc>>,
    /// SHA-256 of the canonical JSON of the content, as in the receipt.
    pub content_digest: String,
    /// Whether the controller named is the submitting organisation itself
    /// (its own organisation number or other identifier). When it is not,
    /// the organisation notifies on another's behalf, which the back
    /// office may look into.
    pub controller_is_submitter: bool,
    /// Whether the controller is the submitting organisation and the
    /// version was submitted with a Maskinporten token naming that
    /// organisation number: the number is proven, not only claimed.
    pub controller_verified: bool,
    /// Only when one version is asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<NotificationInput>)]
    pub content: Option<serde_json::Value>,
}

impl VersionView {
    pub fn of(row: VersionRow, with_content: bool) -> Self {
        Self {
            version: row.version,
            kind: row.kind.code().to_owned(),
            state: row.state.code().to_owned(),
            submitted_at: row.submitted_at,
            submitted_by: Submitter {
                kind: row.submitted_by_kind,
                id: row.submitted_by,
            },
            confirmed_at: row.confirmed_at,
            content_digest: row.content_digest,
            controller_is_submitter: row.controller_is_submitter,
            controller_verified: row.controller_verified,
            content: with_content.then_some(row.content),
        }
    }
}

/// The versions of a notification, oldest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct Versions {
    pub items: Vec<VersionView>,
}

/// The field-by-field difference between two versions.
#[derive(Debug, Serialize, ToSchema)]
pub struct DiffView {
    pub from: i32,
    pub to: i32,
    pub changes: Vec<Change>,
}

/// A dry run's verdict.
#[derive(Debug, Serialize, ToSchema)]
pub struct ValidationReport {
    /// True when nothing blocks submission.
    pub valid: bool,
    pub errors: Vec<FieldProblem>,
    pub warnings: Vec<FieldProblem>,
}

/// An amendment: the key and the complete new content.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AmendmentInput {
    /// The notification key (meldingsnøkkel) from the receipt.
    #[schema(example = "7K3M-Q9ZD-R2XW-4H8Z", required = true)]
    pub notification_key: Option<String>,
    /// The complete new content.
    #[schema(required = true)]
    pub notification: Option<NotificationInput>,
}

/// A withdrawal: the processing has ended.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WithdrawalInput {
    /// The notification key (meldingsnøkkel) from the receipt.
    #[schema(example = "7K3M-Q9ZD-R2XW-4H8Z", required = true)]
    pub notification_key: Option<String>,
}

impl Pending {
    /// What waits on `row`, if anything.
    pub fn of(row: &NotificationRow) -> Option<Self> {
        row.waiting().map(|(confirming, version)| Self {
            kind: confirming.code(),
            version,
        })
    }
}

/// Accepted for delivery.
#[derive(Debug, Serialize, ToSchema)]
pub struct Accepted {
    #[schema(example = "2026-000123")]
    pub number: String,
    /// What was queued: `confirmation` or `key`.
    pub mail: &'static str,
}
