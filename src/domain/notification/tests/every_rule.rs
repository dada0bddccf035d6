//! Every rule of the notification, each with the input that breaks it and
//! the code and pointer expected.

use serde_json::{Value, json};

use super::{errors, example, set};

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
            "a line break in a one-line field",
            set(
                example(),
                "/controller/address/street",
                Some(json!("Postboks 1\nBcc: x@y.no")),
            ),
            "/controller/address/street",
            "invalid_characters",
        ),
        (
            "a tab in a title",
            set(
                example(),
                "/controller/responsible_title",
                Some(json!("Kommune\tdirektør")),
            ),
            "/controller/responsible_title",
            "invalid_characters",
        ),
        (
            "a control character in a description",
            set(example(), "/description", Some(json!("Linje 1\u{0}"))),
            "/description",
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
                Some(json!("2030-01-01")),
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
