//! Every rule of the notification, each with the input that breaks it and
//! the code and pointer expected.

use chrono::NaiveDate;
use serde_json::{Value, json};

use super::*;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
}

fn context() -> Context {
    Context {
        today: today(),
        existing_journal: None,
    }
}

/// The example of `examples.md`.
fn example() -> Value {
    json!({
        "law": "personopplysningsloven",
        "legal_ground": "notification_duty",
        "registration_kind": "first_registration",
        "start_date": "2027-01-15",
        "sensitive_categories": ["health"],
        "manual_register_only": false,
        "controller": {
            "name": "Fjordvik kommune",
            "identifier": { "scheme": "no_orgnr", "value": "974761467" },
            "address": { "street": "Postboks 1", "postal_code": "5001", "town": "Bergen", "country": "NO" },
            "phone": "+47 55 00 00 00",
            "responsible_title": "Kommunedirektør"
        },
        "representative": null,
        "processors": [
            { "name": "Drift AS", "identifier": { "scheme": "no_orgnr", "value": "983887457" }, "country": "NO", "role": "data_processor" }
        ],
        "sector": "county_or_municipal",
        "purpose": "research",
        "research_area": "health_services",
        "description": "Kvalitetsstudie av hjemmetjenester.",
        "research": { "consent": "yes", "project_end_date": "2029-12-31", "project_title": "Hjemmetjenester 2027" },
        "transfers_abroad": [ { "country": "US", "legal_basis": "standard_contractual_clauses" } ],
        "confirmation_email": "personvern@fjordvik.kommune.no",
        "language": "nb"
    })
}

/// Sets (or, with `None`, removes) the value at a pointer.
fn set(mut value: Value, pointer: &str, new: Option<Value>) -> Value {
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

fn run(value: Value) -> Result<Validated, Rejected> {
    let input: NotificationInput = serde_json::from_value(value).expect("the wire form parses");
    validate(&input, &context())
}

fn errors(value: Value) -> Vec<(String, &'static str)> {
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
fn each_rule_is_reported_at_its_pointer_with_its_code() {
    let long = |n: usize| json!("x".repeat(n));
    let us_controller = |v: Value| {
        let v = set(v, "/controller/address/country", Some(json!("US")));
        let v = set(v, "/controller/address/postal_code", Some(json!("10001")));
        set(
            v,
            "/controller/identifier",
            Some(json!({"scheme": "other", "value": "EIN 12-3456789", "country": "US"})),
        )
    };
    let representative = |country: &str| json!({"name": "Rep AS", "address": {"street": "Gate 1", "postal_code": "0150", "town": "Oslo", "country": country}});
    let cctv = |v: Value| {
        let v = set(v, "/purpose", Some(json!("cctv")));
        let v = set(v, "/research_area", None);
        set(v, "/research", None)
    };
    let cases: Vec<(&str, Value, &str, &str)> = vec![
        (
            "law missing",
            set(example(), "/law", None),
            "/law",
            "required",
        ),
        (
            "law unknown",
            set(example(), "/law", Some(json!("gdpr"))),
            "/law",
            "unknown_code",
        ),
        (
            "ground missing",
            set(example(), "/legal_ground", None),
            "/legal_ground",
            "required",
        ),
        (
            "ground of the other law",
            set(example(), "/legal_ground", Some(json!("patient_journal"))),
            "/legal_ground",
            "legal_ground_not_in_law",
        ),
        (
            "registration kind unknown",
            set(example(), "/registration_kind", Some(json!("amendment"))),
            "/registration_kind",
            "unknown_code",
        ),
        (
            "previous number on a first registration",
            set(example(), "/previous_number", Some(json!("2023-000042"))),
            "/previous_number",
            "previous_number_without_re_registration",
        ),
        (
            "previous number malformed",
            set(
                set(
                    example(),
                    "/registration_kind",
                    Some(json!("re_registration")),
                ),
                "/previous_number",
                Some(json!("42")),
            ),
            "/previous_number",
            "invalid_number",
        ),
        (
            "start missing",
            set(example(), "/start_date", None),
            "/start_date",
            "required",
        ),
        (
            "start yesterday",
            set(example(), "/start_date", Some(json!("2026-11-21"))),
            "/start_date",
            "start_date_in_past",
        ),
        (
            "start in Norwegian notation",
            set(example(), "/start_date", Some(json!("15.01.2027"))),
            "/start_date",
            "invalid_date",
        ),
        (
            "start not in the calendar",
            set(example(), "/start_date", Some(json!("2027-02-30"))),
            "/start_date",
            "invalid_date",
        ),
        (
            "sensitive category twice",
            set(
                example(),
                "/sensitive_categories",
                Some(json!(["health", "health"])),
            ),
            "/sensitive_categories/1",
            "duplicate",
        ),
        (
            "sensitive category unknown",
            set(
                example(),
                "/sensitive_categories",
                Some(json!(["politics"])),
            ),
            "/sensitive_categories/0",
            "unknown_code",
        ),
        (
            "manual register unanswered",
            set(example(), "/manual_register_only", None),
            "/manual_register_only",
            "required",
        ),
        (
            "controller missing",
            set(example(), "/controller", None),
            "/controller",
            "required",
        ),
        (
            "controller name missing",
            set(example(), "/controller/name", Some(json!("  "))),
            "/controller/name",
            "required",
        ),
        (
            "controller name too long",
            set(example(), "/controller/name", Some(long(201))),
            "/controller/name",
            "too_long",
        ),
        (
            "controller name with a control character",
            set(
                example(),
                "/controller/name",
                Some(json!("Fjordvik\u{0007}")),
            ),
            "/controller/name",
            "invalid_characters",
        ),
        (
            "organisation number check digit",
            set(
                example(),
                "/controller/identifier/value",
                Some(json!("123456789")),
            ),
            "/controller/identifier/value",
            "orgnr_checksum",
        ),
        (
            "organisation number without a possible check digit",
            set(
                example(),
                "/controller/identifier/value",
                Some(json!("100000130")),
            ),
            "/controller/identifier/value",
            "orgnr_checksum",
        ),
        (
            "organisation number of eight digits",
            set(
                example(),
                "/controller/identifier/value",
                Some(json!("12345678")),
            ),
            "/controller/identifier/value",
            "orgnr_format",
        ),
        (
            "identifier scheme unknown",
            set(
                example(),
                "/controller/identifier/scheme",
                Some(json!("duns")),
            ),
            "/controller/identifier/scheme",
            "unknown_code",
        ),
        (
            "Norwegian controller with a LEI",
            set(
                example(),
                "/controller/identifier",
                Some(json!({"scheme": "lei", "value": "5493001KJTIIGC8Y1R12"})),
            ),
            "/controller/identifier/scheme",
            "norwegian_controller_needs_orgnr",
        ),
        (
            "Norwegian postal code of five digits",
            set(
                example(),
                "/controller/address/postal_code",
                Some(json!("50011")),
            ),
            "/controller/address/postal_code",
            "invalid_postal_code",
        ),
        (
            "country unknown",
            set(example(), "/controller/address/country", Some(json!("XX"))),
            "/controller/address/country",
            "unknown_country",
        ),
        (
            "address missing",
            set(example(), "/controller/address", None),
            "/controller/address",
            "required",
        ),
        (
            "phone with words",
            set(example(), "/controller/phone", Some(json!("call the desk"))),
            "/controller/phone",
            "invalid_phone",
        ),
        (
            "responsible title missing",
            set(example(), "/controller/responsible_title", None),
            "/controller/responsible_title",
            "required",
        ),
        (
            "controller outside the EEA without a representative",
            us_controller(example()),
            "/representative",
            "representative_required_outside_eea",
        ),
        (
            "representative outside the EEA",
            set(
                us_controller(example()),
                "/representative",
                Some(representative("CH")),
            ),
            "/representative/address/country",
            "representative_outside_eea",
        ),
        (
            "representative of a Norwegian controller",
            set(example(), "/representative", Some(representative("NO"))),
            "/representative",
            "representative_not_allowed",
        ),
        (
            "processor role unknown",
            set(example(), "/processors/0/role", Some(json!("boss"))),
            "/processors/0/role",
            "unknown_code",
        ),
        (
            "processor LEI check digits",
            set(
                example(),
                "/processors/0/identifier",
                Some(json!({"scheme": "lei", "value": "5493001KJTIIGC8Y1R13"})),
            ),
            "/processors/0/identifier/value",
            "lei_checksum",
        ),
        (
            "processor country missing",
            set(example(), "/processors/0/country", None),
            "/processors/0/country",
            "required",
        ),
        (
            "too many processors",
            set(
                example(),
                "/processors",
                Some(Value::Array(vec![example()["processors"][0].clone(); 101])),
            ),
            "/processors",
            "too_many",
        ),
        (
            "sector missing",
            set(example(), "/sector", None),
            "/sector",
            "required",
        ),
        (
            "purpose unknown",
            set(example(), "/purpose", Some(json!("fun"))),
            "/purpose",
            "unknown_code",
        ),
        (
            "research area without research",
            set(
                cctv(example()),
                "/research_area",
                Some(json!("health_services")),
            ),
            "/research_area",
            "research_area_without_research",
        ),
        (
            "research area is research",
            set(example(), "/research_area", Some(json!("research"))),
            "/research_area",
            "research_area_is_research",
        ),
        (
            "description too long",
            set(example(), "/description", Some(long(4001))),
            "/description",
            "too_long",
        ),
        (
            "statutory purpose without its legal basis",
            set(
                set(cctv(example()), "/purpose", Some(json!("statutory_public"))),
                "/description",
                None,
            ),
            "/description",
            "description_required",
        ),
        (
            "other public purpose in the private sector",
            set(
                set(cctv(example()), "/purpose", Some(json!("other_public"))),
                "/sector",
                Some(json!("private")),
            ),
            "/sector",
            "purpose_needs_public_sector",
        ),
        (
            "other private purpose in a municipality",
            set(cctv(example()), "/purpose", Some(json!("other_private"))),
            "/sector",
            "purpose_needs_private_sector",
        ),
        (
            "research without its details",
            set(example(), "/research", None),
            "/research",
            "research_required",
        ),
        (
            "research details without research",
            set(
                set(
                    cctv(example()),
                    "/research",
                    Some(example()["research"].clone()),
                ),
                "/research_area",
                None,
            ),
            "/research",
            "research_without_research_purpose",
        ),
        (
            "project ends before it starts",
            set(
                example(),
                "/research/project_end_date",
                Some(json!("2027-01-01")),
            ),
            "/research/project_end_date",
            "project_end_before_start",
        ),
        (
            "research consent unknown",
            set(example(), "/research/consent", Some(json!("maybe"))),
            "/research/consent",
            "unknown_code",
        ),
        (
            "project title missing",
            set(example(), "/research/project_title", None),
            "/research/project_title",
            "required",
        ),
        (
            "transfer within the EEA",
            set(example(), "/transfers_abroad/0/country", Some(json!("SE"))),
            "/transfers_abroad/0/country",
            "transfer_within_eea",
        ),
        (
            "the same destination twice",
            set(
                example(),
                "/transfers_abroad",
                Some(json!([
                    {"country": "US", "legal_basis": "consent"},
                    {"country": "US", "legal_basis": "adequacy_decision"}
                ])),
            ),
            "/transfers_abroad/1/country",
            "duplicate",
        ),
        (
            "transfer basis unknown",
            set(
                example(),
                "/transfers_abroad/0/legal_basis",
                Some(json!("trust")),
            ),
            "/transfers_abroad/0/legal_basis",
            "unknown_code",
        ),
        (
            "other exception without its text",
            set(
                example(),
                "/transfers_abroad/0/legal_basis",
                Some(json!("other_exception")),
            ),
            "/transfers_abroad/0/exception",
            "exception_required",
        ),
        (
            "exception text with another basis",
            set(
                example(),
                "/transfers_abroad/0/exception",
                Some(json!("§ 30 første ledd")),
            ),
            "/transfers_abroad/0/exception",
            "exception_not_allowed",
        ),
        (
            "confirmation e-mail missing",
            set(example(), "/confirmation_email", None),
            "/confirmation_email",
            "required",
        ),
        (
            "confirmation e-mail malformed",
            set(
                example(),
                "/confirmation_email",
                Some(json!("personvern at fjordvik")),
            ),
            "/confirmation_email",
            "invalid_email",
        ),
        (
            "language unknown",
            set(example(), "/language", Some(json!("de"))),
            "/language",
            "unknown_code",
        ),
    ];
    for (what, input, pointer, code) in cases {
        assert_eq!(
            errors(input),
            vec![(pointer.to_owned(), code)],
            "{what}: expected exactly {code} at {pointer}"
        );
    }
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
    ] {
        assert!(email_is_valid(ok), "{ok}");
    }
    for bad in [
        "", "a", "a@", "@b.no", "a@b", "a b@c.no", "a@b..no", "a@-b.no", "a@b.1", ".a@b.no",
        "a@@b.no",
    ] {
        assert!(!email_is_valid(bad), "{bad}");
    }
}
