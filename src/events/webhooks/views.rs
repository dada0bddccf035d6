//! What the webhook routes take and answer.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::store::{AttemptRow, DeliveryRow, EndpointRow};

/// The longest description of an endpoint, in characters.
pub const DESCRIPTION_MAX: usize = 500;

/// A type of event an endpoint can want.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[allow(dead_code)] // the document's enum; endpoints keep the code as text
pub enum WantedEventType {
    #[serde(rename = "notification.submitted")]
    Submitted,
    #[serde(rename = "notification.registered")]
    Registered,
    #[serde(rename = "notification.withdrawn")]
    Withdrawn,
    #[serde(rename = "notification.lapsed")]
    Lapsed,
    #[serde(rename = "notification.expiring")]
    Expiring,
    #[serde(rename = "notification.expired")]
    Expired,
}

/// A webhook endpoint, without its secret.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookEndpoint {
    pub id: Uuid,
    #[schema(example = "https://sak.example.no/hooks/meldeplikt")]
    pub url: String,
    /// The types delivered; `null`: every type.
    #[schema(value_type = Option<Vec<WantedEventType>>)]
    pub event_types: Option<Vec<String>>,
    #[schema(example = "Saksbehandlingssystemet")]
    pub description: String,
    pub enabled: bool,
    /// Why it is disabled: `by_admin`, `gone` (it answered 410) or
    /// `failing` (every delivery failed for days).
    #[schema(example = "failing")]
    pub disabled_reason: Option<String>,
    pub disabled_at: Option<DateTime<Utc>>,
    /// Since when every delivery has failed; `null` while all is well.
    pub failing_since: Option<DateTime<Utc>>,
    /// Until when the secret before the last rotation signs beside the
    /// current one.
    pub previous_secret_until: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<&EndpointRow> for WebhookEndpoint {
    fn from(row: &EndpointRow) -> Self {
        Self {
            id: row.id,
            url: row.url.clone(),
            event_types: row.event_types.clone(),
            description: row.description.clone(),
            enabled: row.enabled,
            disabled_reason: row.disabled_reason.clone(),
            disabled_at: row.disabled_at,
            failing_since: row.failing_since,
            previous_secret_until: row.previous_secret_until,
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

/// A new endpoint with its signing secret, shown this once.
#[derive(Debug, Serialize, ToSchema)]
pub struct NewWebhookEndpoint {
    #[serde(flatten)]
    pub endpoint: WebhookEndpoint,
    /// `whsec_` and the base64 of 32 random bytes: verify each delivery's
    /// `webhook-signature` with it. Shown only in this response.
    #[schema(example = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSwMfKQ9r8GKYo=")]
    pub secret: String,
}

/// A new endpoint.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookEndpointInput {
    /// An absolute `https` URL.
    #[schema(example = "https://sak.example.no/hooks/meldeplikt", required = true)]
    pub url: Option<String>,
    /// The types wanted; left out or `null`: every type.
    #[schema(value_type = Option<Vec<WantedEventType>>)]
    pub event_types: Option<Vec<String>>,
    #[schema(example = "Saksbehandlingssystemet", max_length = 500)]
    pub description: Option<String>,
    /// Default `true`.
    pub enabled: Option<bool>,
}

/// A change of an endpoint: the fields given change, the others stay.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookEndpointPatch {
    pub url: Option<String>,
    /// The types wanted, or `null` for every type.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<Vec<WantedEventType>>, nullable)]
    pub event_types: Option<Option<Vec<String>>>,
    #[schema(max_length = 500)]
    pub description: Option<String>,
    /// `true` enables a disabled endpoint (its failures forgotten);
    /// `false` disables it.
    pub enabled: Option<bool>,
}

/// A field that is present, even as `null`.
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// A new secret, shown this once.
#[derive(Debug, Serialize, ToSchema)]
pub struct RotatedSecret {
    #[schema(example = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSwMfKQ9r8GKYo=")]
    pub secret: String,
    /// Until then deliveries carry a signature with the old secret too.
    pub previous_secret_until: DateTime<Utc>,
}

/// Which failed deliveries to send again.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecoverInput {
    /// Failed deliveries made at or after this time (RFC 3339).
    #[schema(value_type = String, format = DateTime, example = "2026-12-01T00:00:00Z")]
    pub since: String,
}

/// How many deliveries were queued again.
#[derive(Debug, Serialize, ToSchema)]
pub struct Recovered {
    pub requeued: i64,
}

/// One attempt of a delivery.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryAttempt {
    pub attempted_at: DateTime<Utc>,
    /// The answer's status; `null` when none came.
    pub status_code: Option<i32>,
    pub duration_ms: i32,
    /// The first kilobyte of the answer.
    pub response: Option<String>,
    /// Why there was no answer (a timeout, a refused address, no connection).
    pub error: Option<String>,
}

/// One event for one endpoint, with every attempt.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookDelivery {
    pub id: Uuid,
    /// The event's id, sent as `webhook-id` on every attempt.
    pub event_id: Uuid,
    #[schema(example = "notification.registered")]
    pub event_type: String,
    /// The notification the event is about.
    #[schema(example = "2026-000123")]
    pub number: Option<String>,
    /// `pending`, `succeeded` or `failed`.
    #[schema(example = "succeeded")]
    pub state: String,
    /// When it is tried next, while pending.
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub completed_at: Option<DateTime<Utc>>,
    pub attempts: Vec<DeliveryAttempt>,
}

impl WebhookDelivery {
    pub fn new(row: &DeliveryRow, attempts: &[AttemptRow]) -> Self {
        Self {
            id: row.id,
            event_id: row.message_id,
            event_type: row.event_type.clone(),
            number: row.number.clone(),
            state: row.state.clone(),
            next_attempt_at: (row.state == "pending").then_some(row.next_attempt_at),
            created_at: row.created_at,
            completed_at: row.completed_at,
            attempts: attempts
                .iter()
                .map(|a| DeliveryAttempt {
                    attempted_at: a.attempted_at,
                    status_code: a.status_code,
                    duration_ms: a.duration_ms,
                    response: a.response_excerpt.clone(),
                    error: a.error.clone(),
                })
                .collect(),
        }
    }
}
