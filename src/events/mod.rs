//! Events: what happened to a notification, for integrations that would
//! otherwise poll. Written by the transitions in their transaction
//! ([`store::record`], which also queues the webhook deliveries); read in
//! order after a cursor by organisations and regulators (`GET /v1/events`,
//! [`routes`]), shaped as CloudEvents ([`cloud`]), with long polls woken by
//! the database's `NOTIFY` ([`wake`]).

pub mod cloud;
pub mod polls;
mod routes;
pub mod store;
pub mod wake;
pub mod webhooks;

pub use routes::configure;

/// What `types` of the events list looks like: event types, comma-separated.
pub const TYPES_PATTERN: &str = "^notification\\.(submitted|registered|withdrawn|lapsed|expiring|expired)\
     (,notification\\.(submitted|registered|withdrawn|lapsed|expiring|expired))*$";

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
    pub const ALL: [Self; 6] = [
        Self::Submitted,
        Self::Registered,
        Self::Withdrawn,
        Self::Lapsed,
        Self::Expiring,
        Self::Expired,
    ];

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.code() == code)
    }

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
