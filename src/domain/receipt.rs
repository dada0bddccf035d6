//! What a receipt (kvittering) states, and the canonical form of a
//! notification's content whose SHA-256 digest the receipt carries.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use super::code_lists::{Law, Purpose, RegistrationKind, Sector};
use super::i18n::{Lang, Text};
use super::identifiers::Identifier;
use super::notification::Notification;
use super::number::NotificationNumber;

/// The event a receipt confirms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReceiptKind {
    Registration,
    ReRegistration,
    Amendment,
    Withdrawal,
}

impl ReceiptKind {
    /// The kind of a confirmed version: its first version is a registration
    /// or a re-registration, later ones amendments.
    pub fn of_version(version: u32, registration_kind: RegistrationKind) -> Self {
        match (version, registration_kind) {
            (1, RegistrationKind::FirstRegistration) => Self::Registration,
            (1, RegistrationKind::ReRegistration) => Self::ReRegistration,
            _ => Self::Amendment,
        }
    }
}

/// The sentence every receipt carries.
pub const STATEMENT: Text = Text::new(
    "Kvitteringen dokumenterer at meldeplikten er oppfylt. Den er ikke en godkjenning av behandlingen.",
    "Kvitteringa dokumenterer at meldeplikta er oppfylt. Ho er ikkje ei godkjenning av behandlinga.",
    "This receipt documents that the duty to notify has been met. It is not an approval of the processing.",
);

/// Who issues receipts: the authority, as its letters name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issuer {
    pub name: String,
    /// Postal address on one line: `Postboks 458 Sentrum, 0105 Oslo`.
    pub address: String,
    /// Its organisation number, nine digits.
    pub orgnr: String,
    /// Where receipts are dated: `Oslo, 6. desember 2026`.
    pub place: String,
}

impl Default for Issuer {
    fn default() -> Self {
        Self {
            name: "Datatilsynet".into(),
            address: "Postboks 458 Sentrum, 0105 Oslo".into(),
            orgnr: "974761467".into(),
            place: "Oslo".into(),
        }
    }
}

/// The facts of the confirmation that are not in the content.
#[derive(Debug, Clone, Copy)]
pub struct Confirmation {
    pub number: NotificationNumber,
    pub version: u32,
    pub kind: ReceiptKind,
    pub submitted_at: DateTime<Utc>,
    pub confirmed_at: DateTime<Utc>,
    /// When the registration expires; none for a withdrawal.
    pub expires_on: Option<NaiveDate>,
}

/// Everything a receipt states.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ReceiptContent {
    /// The notification number (meldingsnummer).
    #[schema(value_type = String, example = "2026-000123")]
    pub number: NotificationNumber,
    pub version: u32,
    pub kind: ReceiptKind,
    pub controller_name: String,
    #[schema(value_type = Object)]
    pub controller_identifier: Identifier,
    #[schema(value_type = Law)]
    pub law: Law,
    #[schema(value_type = Sector)]
    pub sector: Sector,
    #[schema(value_type = Purpose)]
    pub purpose: Purpose,
    pub start_date: NaiveDate,
    pub submitted_at: DateTime<Utc>,
    pub confirmed_at: DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_on: Option<NaiveDate>,
    /// SHA-256 of the canonical JSON of the confirmed content, hex.
    pub content_digest: String,
    pub language: Lang,
    /// That the receipt documents the duty is met and is not an approval.
    pub statement: String,
}

impl ReceiptContent {
    pub fn new(notification: &Notification, confirmation: Confirmation) -> Self {
        let language = notification.language();
        Self {
            number: confirmation.number,
            version: confirmation.version,
            kind: confirmation.kind,
            controller_name: notification.controller().name.clone(),
            controller_identifier: notification.controller().identifier.clone(),
            law: notification.law(),
            sector: notification.sector(),
            purpose: notification.purpose(),
            start_date: notification.start_date(),
            submitted_at: confirmation.submitted_at,
            confirmed_at: confirmation.confirmed_at,
            expires_on: confirmation.expires_on,
            content_digest: content_digest(&notification.to_json()),
            language,
            statement: STATEMENT.get(language).to_owned(),
        }
    }
}

/// JSON with object keys sorted at every depth and no insignificant
/// whitespace, so that equal content always gives equal bytes.
pub fn canonical_json(value: &Value) -> String {
    let mut out = String::new();
    write_canonical(value, &mut out);
    out
}

fn write_canonical(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, key) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(key.clone()).to_string());
                out.push(':');
                write_canonical(&map[key], out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

/// SHA-256 of the canonical JSON, as lower-case hex.
pub fn content_digest(value: &Value) -> String {
    hex::encode(Sha256::digest(canonical_json(value).as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    #[test]
    fn canonical_form_sorts_keys_and_drops_whitespace() {
        let value = json!({"b": [3, {"z": 1, "a": "x y"}], "a": null, "ä": true});
        assert_eq!(
            canonical_json(&value),
            r#"{"a":null,"b":[3,{"a":"x y","z":1}],"ä":true}"#
        );
        let spaced: Value = serde_json::from_str(
            "{ \"ä\" : true ,\n \"a\": null, \"b\": [3, {\"a\": \"x y\", \"z\": 1}] }",
        )
        .unwrap();
        assert_eq!(content_digest(&spaced), content_digest(&value));
        assert_ne!(
            content_digest(&json!({"a": 1})),
            content_digest(&json!({"a": 2}))
        );
        assert_eq!(content_digest(&json!({})).len(), 64);
    }

    fn shuffled_object(pairs: Vec<(String, i64)>, seed: u64) -> (Value, Value) {
        let mut forward = serde_json::Map::new();
        for (k, v) in &pairs {
            forward.insert(k.clone(), json!(v));
        }
        // The same pairs inserted in another order.
        let mut order: Vec<usize> = (0..pairs.len()).collect();
        let n = order.len().max(1) as u64;
        order.rotate_left((seed % n) as usize);
        order.reverse();
        let mut other = serde_json::Map::new();
        for i in order {
            let (k, _) = &pairs[i];
            other.insert(k.clone(), forward[k].clone());
        }
        (Value::Object(forward), Value::Object(other))
    }

    proptest! {
        #[test]
        fn the_digest_does_not_depend_on_key_order(
            pairs in proptest::collection::vec(("[a-z_]{1,8}", any::<i64>()), 0..12),
            seed in any::<u64>(),
        ) {
            let (a, b) = shuffled_object(pairs, seed);
            let nested_a = json!({"outer": a.clone(), "list": [a.clone()]});
            let nested_b = json!({"list": [b.clone()], "outer": b.clone()});
            prop_assert_eq!(content_digest(&a), content_digest(&b));
            prop_assert_eq!(canonical_json(&nested_a), canonical_json(&nested_b));
        }
    }
}
