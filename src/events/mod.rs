//! Events: what happened to a notification, for integrations that would
//! otherwise poll. Written by the transitions in their transaction
//! ([`store::record`]); read by organisations and the back office (to come:
//! `GET /v1/events`, webhooks).

pub mod store;

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventType {
    /// A registration, amendment or withdrawal waits for confirmation.
    Submitted,
    /// A version was confirmed (its kind in `data.kind`).
    Registered,
    Withdrawn,
    /// What waited for confirmation was not confirmed in time.
    Lapsed,
    /// The renewal reminder went out.
    Expiring,
    Expired,
}

impl EventType {
    pub fn code(self) -> &'static str {
        match self {
            Self::Submitted => "notification.submitted",
            Self::Registered => "notification.registered",
            Self::Withdrawn => "notification.withdrawn",
            Self::Lapsed => "notification.lapsed",
            Self::Expiring => "notification.expiring",
            Self::Expired => "notification.expired",
        }
    }
}

/// What an event says: the notification's number, version and status,
/// the receipt of a confirmation, and the kind of what was submitted or
/// confirmed. Nothing personal: a client fetches the rest.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct EventData {
    pub number: String,
    pub version: Option<i32>,
    pub status: &'static str,
    pub receipt_id: Option<uuid::Uuid>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<&'static str>,
}
