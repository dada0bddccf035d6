//! An event as CloudEvents 1.0 puts it (JSON format), the same in the
//! events list and in a webhook's body. Pure: rendered from what the store
//! read, the same bytes every time for the same event.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// The media type of one event sent on its own (a webhook's body).
pub const MEDIA_TYPE: &str = "application/cloudevents+json";
/// The type of the event a webhook's test sends.
pub const TEST_TYPE: &str = "webhook.test";
/// Digits of the `sequence` attribute: zero-padded, so that the order of
/// the strings is the order of the numbers (the sequence extension compares
/// strings).
const SEQUENCE_DIGITS: usize = 20;

/// An event in the CloudEvents 1.0 JSON format.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CloudEvent {
    /// The CloudEvents version, always `1.0`.
    #[schema(example = "1.0", pattern = "^1\\.0$")]
    pub specversion: String,
    /// The event's id; a webhook sends it as `webhook-id`.
    pub id: Uuid,
    /// The organisation the event belongs to, `/organisations/{id}`.
    #[schema(example = "/organisations/0f8fad5b-d9cb-469f-a165-70867728950e")]
    pub source: String,
    /// What happened.
    #[serde(rename = "type")]
    #[schema(value_type = EventTypeCode)]
    pub event_type: String,
    /// The notification's number (absent in a test event).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "2026-000123")]
    pub subject: Option<String>,
    /// When it happened (RFC 3339, UTC).
    pub time: DateTime<Utc>,
    /// Always `application/json`.
    #[schema(example = "application/json", pattern = "^application/json$")]
    pub datacontenttype: String,
    pub data: EventPayload,
    /// The event's number among its organisation's events, from 1 without
    /// gaps, zero-padded to 20 digits (absent in a test event).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "00000000000000000042", pattern = "^[0-9]{20}$")]
    pub sequence: Option<String>,
}

/// Every event type there is.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[allow(dead_code)] // the document's enum; events carry the code as text
pub enum EventTypeCode {
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
    #[serde(rename = "webhook.test")]
    Test,
}

/// What an event says.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum EventPayload {
    Notification(NotificationEventData),
    Test(TestEventData),
}

/// A notification's state after the change: nothing personal, the client
/// fetches the rest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NotificationEventData {
    #[schema(example = "2026-000123")]
    pub number: String,
    /// The version the event is about (none for a lapsed first submission
    /// that never had one registered).
    pub version: Option<i32>,
    /// The notification's status after the change.
    #[schema(example = "registered")]
    pub status: String,
    /// The receipt of a confirmation.
    pub receipt_id: Option<Uuid>,
    /// `registration`, `re_registration`, `amendment` or `withdrawal`: what
    /// was submitted or registered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(example = "registration")]
    pub kind: Option<String>,
}

/// The body of a test event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TestEventData {
    /// The endpoint the test was asked for.
    pub endpoint_id: Uuid,
}

/// What the store keeps of an event.
#[derive(Debug, Clone)]
pub struct StoredEvent {
    pub id: Uuid,
    pub organisation_id: Uuid,
    pub sequence: i64,
    pub event_type: String,
    pub occurred_at: DateTime<Utc>,
    pub data: serde_json::Value,
}

fn source(organisation_id: Uuid) -> String {
    format!("/organisations/{organisation_id}")
}

impl CloudEvent {
    /// A stored event; `None` when its data are not what events hold (a
    /// row written by hand), which the caller reports.
    pub fn from_stored(event: &StoredEvent) -> Option<Self> {
        let data: NotificationEventData = serde_json::from_value(event.data.clone()).ok()?;
        Some(Self {
            specversion: "1.0".into(),
            id: event.id,
            source: source(event.organisation_id),
            event_type: event.event_type.clone(),
            subject: Some(data.number.clone()),
            time: event.occurred_at,
            datacontenttype: "application/json".into(),
            data: EventPayload::Notification(data),
            sequence: Some(format!(
                "{:0width$}",
                event.sequence,
                width = SEQUENCE_DIGITS
            )),
        })
    }

    /// The test event of an endpoint, with the id and time of its delivery.
    pub fn test(id: Uuid, organisation_id: Uuid, endpoint_id: Uuid, at: DateTime<Utc>) -> Self {
        Self {
            specversion: "1.0".into(),
            id,
            source: source(organisation_id),
            event_type: TEST_TYPE.into(),
            subject: None,
            time: at,
            datacontenttype: "application/json".into(),
            data: EventPayload::Test(TestEventData { endpoint_id }),
            sequence: None,
        }
    }

    /// The JSON bytes, as sent.
    pub fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("an event serialises")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn stored() -> StoredEvent {
        StoredEvent {
            id: Uuid::nil(),
            organisation_id: Uuid::nil(),
            sequence: 42,
            event_type: "notification.registered".into(),
            occurred_at: DateTime::from_timestamp(1_790_000_000, 0).unwrap(),
            data: json!({"number": "2026-000123", "version": 2, "status": "registered",
                         "receipt_id": null, "kind": "amendment"}),
        }
    }

    #[test]
    fn a_stored_event_is_a_cloud_event_with_its_sequence_padded() {
        let event = CloudEvent::from_stored(&stored()).unwrap();
        let value = serde_json::to_value(&event).unwrap();
        assert_eq!(value["specversion"], "1.0");
        assert_eq!(value["type"], "notification.registered");
        assert_eq!(value["subject"], "2026-000123");
        assert_eq!(value["sequence"], "00000000000000000042");
        assert_eq!(value["datacontenttype"], "application/json");
        assert_eq!(value["time"], "2026-09-21T14:13:20Z");
        assert_eq!(value["data"]["kind"], "amendment");
        // The same bytes each time: a retry sends what the first attempt sent.
        assert_eq!(
            event.to_bytes(),
            CloudEvent::from_stored(&stored()).unwrap().to_bytes()
        );
        // Lexicographic order is numeric order.
        let mut later = stored();
        later.sequence = 100;
        let later = CloudEvent::from_stored(&later).unwrap();
        assert!(later.sequence > event.sequence);
    }

    #[test]
    fn data_that_events_do_not_hold_is_refused() {
        let mut odd = stored();
        odd.data = json!({"number": "2026-000123", "email": "a@b.no", "status": "x",
                          "version": null, "receipt_id": null});
        assert!(CloudEvent::from_stored(&odd).is_none());
    }

    #[test]
    fn a_test_event_has_no_subject_or_sequence() {
        let event = CloudEvent::test(Uuid::nil(), Uuid::nil(), Uuid::nil(), Utc::now());
        let value = serde_json::to_value(&event).unwrap();
        assert_eq!(value["type"], "webhook.test");
        assert!(value.get("subject").is_none() && value.get("sequence").is_none());
    }
}
