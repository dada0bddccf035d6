//! The checked notification: validity of the example, every violation at
//! once, warnings, normalisation, messages in three languages.

use chrono::NaiveDate;
use serde_json::{Value, json};

use super::*;

mod every_rule;

pub(super) fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
}

pub(super) fn context() -> Context {
    Context {
        today: today(),
        existing_journal: None,
    }
}

/// Sets (or, with `None`, removes) the value at a pointer.
pub(super) fn set(mut value: Value, pointer: &str, new: Option<Value>) -> Value {
    let (parent, key) = pointer.rsplit_once('/').unwrap();
    let target = if parent.is_empty() {
        &mut value
    } else {
        value
            .pointer_mut(parent)
            .unwrap_or_else(|| panic!("{parent}"))
    };
    match (target, new) {
        (Value::Object(map), Some(v)) => {
            map.insert(key.to_owned(), v);
        }
        (Value::Object(map), None) => {
            map.remove(key);
        }
        (Value::Array(items), Some(v)) => items[key.parse::<usize>().unwrap()] = v,
        (Value::Array(items), None) => {
            items.remove(key.parse::<usize>().unwrap());
        }
        _ => panic!("{pointer} is not in an object or array"),
    }
    value
}

pub(super) fn run(value: Value) -> Result<Validated, Rejected> {
    let input: NotificationInput = serde_json::from_value(value).expect("the wire form parses");
    validate(&input, &context())
}

pub(super) fn errors(value: Value) -> Vec<(String, &'static str)> {
    match run(value) {
        Ok(_) => Vec::new(),
        Err(rejected) => rejected
            .errors
            .into_iter()
            .map(|e| (e.pointer, e.code))
            .collect(),
    }
}

#[test]
fn the_example_is_valid() {
    let validated = run(example()).expect("valid");
    let n = &validated.notification;
    assert_eq!(n.purpose(), Purpose::Research);
    assert_eq!(n.controller().identifier.value, "974761467");
    assert_eq!(n.research_area(), Some(Purpose::HealthServices));
    let warnings: Vec<_> = validated.warnings.iter().map(|w| w.code).collect();
    assert_eq!(
        warnings,
        ["licence_may_be_required"],
        "health data under § 31"
    );
}

#[test]
fn every_violation_is_reported_at_once() {
    let mut v = set(example(), "/law", Some(json!("gdpr")));
    v = set(v, "/controller/identifier/value", Some(json!("123456789")));
    v = set(v, "/research_area", Some(json!("research")));
    v = set(v, "/transfers_abroad/0/country", Some(json!("DE")));
    v = set(v, "/confirmation_email", Some(json!("x")));
    let codes: Vec<_> = errors(v).into_iter().map(|(_, code)| code).collect();
    assert_eq!(
        codes,
        [
            "unknown_code",
            "orgnr_checksum",
            "research_area_is_research",
            "transfer_within_eea",
            "invalid_email"
        ]
    );
}

#[test]
fn an_empty_body_lists_every_required_field() {
    let pointers: Vec<_> = errors(json!({})).into_iter().map(|(p, _)| p).collect();
    assert_eq!(
        pointers,
        [
            "/law",
            "/legal_ground",
            "/registration_kind",
            "/start_date",
            "/manual_register_only",
            "/controller",
            "/sector",
            "/purpose",
            "/confirmation_email"
        ]
    );
}

#[test]
fn unknown_fields_are_rejected() {
    let v = set(example(), "/favourite_colour", Some(json!("blue")));
    let err = serde_json::from_value::<NotificationInput>(v).unwrap_err();
    assert!(
        err.to_string().contains("unknown field `favourite_colour`"),
        "{err}"
    );
    let v = set(example(), "/controller/email", Some(json!("x@y.no")));
    assert!(serde_json::from_value::<NotificationInput>(v).is_err());
}

#[test]
fn warnings_do_not_block() {
    let soon = run(set(example(), "/start_date", Some(json!("2026-12-01")))).unwrap();
    assert!(
        soon.warnings
            .iter()
            .any(|w| w.code == "start_within_30_days" && w.pointer == "/start_date")
    );
    let today = run(set(example(), "/start_date", Some(json!("2026-11-22")))).unwrap();
    assert!(
        today
            .warnings
            .iter()
            .any(|w| w.code == "start_within_30_days")
    );
    let later = run(set(example(), "/start_date", Some(json!("2026-12-22")))).unwrap();
    assert!(
        !later
            .warnings
            .iter()
            .any(|w| w.code == "start_within_30_days"),
        "30 days ahead is in time"
    );

    let manual = set(
        set(example(), "/manual_register_only", Some(json!(true))),
        "/sensitive_categories",
        Some(json!([])),
    );
    let manual = run(manual).unwrap();
    let codes: Vec<_> = manual
        .warnings
        .iter()
        .map(|w| (w.pointer.as_str(), w.code))
        .collect();
    assert_eq!(
        codes,
        [(
            "/manual_register_only",
            "manual_register_without_sensitive_data"
        )]
    );

    // Health grounds expect health data: no licence warning there.
    let journal = set(
        set(example(), "/law", Some(json!("helseregisterloven"))),
        "/legal_ground",
        Some(json!("patient_journal")),
    );
    let journal = run(journal).unwrap();
    assert!(journal.warnings.is_empty(), "{:?}", journal.warnings);
}

#[test]
fn the_second_patient_journal_of_an_organisation_is_refused() {
    let journal = set(
        set(example(), "/law", Some(json!("helseregisterloven"))),
        "/legal_ground",
        Some(json!("patient_journal")),
    );
    let input: NotificationInput = serde_json::from_value(journal).unwrap();
    let existing = "2026-000007".parse().unwrap();
    let rejected = validate(
        &input,
        &Context {
            today: today(),
            existing_journal: Some(existing),
        },
    )
    .unwrap_err();
    assert!(rejected.is_journal_conflict());
    assert_eq!(rejected.errors[0].pointer, "/legal_ground");
    assert!(rejected.errors[0].message(Lang::En).contains("2026-000007"));
    // Another ground is not affected by an existing journal.
    let other = validate(
        &serde_json::from_value(example()).unwrap(),
        &Context {
            today: today(),
            existing_journal: Some(existing),
        },
    );
    assert!(other.is_ok());
}

#[test]
fn messages_come_in_three_languages() {
    let rejected = run(set(
        example(),
        "/controller/identifier/value",
        Some(json!("123456789")),
    ))
    .unwrap_err();
    let e = &rejected.errors[0];
    assert_eq!(
        e.message(Lang::Nb),
        "Organisasjonsnummeret er ikke gyldig (kontrollsifferet stemmer ikke)."
    );
    assert_eq!(
        e.message(Lang::Nn),
        "Organisasjonsnummeret er ikkje gyldig (kontrollsifferet stemmer ikkje)."
    );
    assert_eq!(
        e.message(Lang::En),
        "The organisation number is not valid (the check digit does not match)."
    );
}

#[test]
fn input_is_normalised_and_round_trips_through_storage() {
    let v = set(
        example(),
        "/controller/identifier/value",
        Some(json!(" 974 761 467 ")),
    );
    let v = set(v, "/controller/name", Some(json!("  Fjordvik kommune ")));
    let n = run(v).unwrap().notification;
    assert_eq!(n.controller().identifier.value, "974761467");
    assert_eq!(n.controller().name, "Fjordvik kommune");
    let stored = n.to_json();
    assert_eq!(stored["controller"]["identifier"]["value"], "974761467");
    assert_eq!(Notification::from_stored(stored).unwrap(), n);
    // The stored form is itself valid input.
    let again: NotificationInput = serde_json::from_value(n.to_json()).unwrap();
    assert_eq!(validate(&again, &context()).unwrap().notification, n);
}

#[test]
fn e_mail_addresses() {
    for ok in [
        "a@b.no",
        "personvern@fjordvik.kommune.no",
        "first.last+tag@xn--bcher-kva.example",
        "ærlig@øl.no",
        "post@bølgen.no",
    ] {
        assert!(email_is_valid(ok), "{ok}");
    }
    for bad in [
        "",
        "a",
        "a@",
        "@b.no",
        "a@b",
        "a b@c.no",
        "a@b..no",
        "a@-b.no",
        "a@b.1",
        ".a@b.no",
        "a@@b.no",
        // Invisible: zero-width space, right-to-left override, BOM.
        "a\u{200B}b@c.no",
        "ab@c\u{202E}d.no",
        "\u{FEFF}ab@c.no",
        "ab@c.no\u{2066}",
    ] {
        assert!(!email_is_valid(bad), "{bad}");
    }
}

#[test]
fn a_description_may_have_several_lines() {
    let value = set(
        example(),
        "/description",
        Some(json!("Første linje.\r\nAndre linje.\n\tInnrykk.")),
    );
    let validated = run(value).expect("valid");
    assert_eq!(
        validated.notification.description(),
        Some("Første linje.\r\nAndre linje.\n\tInnrykk.")
    );
}
