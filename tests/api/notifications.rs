//! Submitting notifications over HTTP: every rule once through the API,
//! all violations at once, warnings, the journal conflict, the dry run.

use chrono::Datelike;
use diesel_async::RunQueryDsl;
use serde_json::{Value, json};

use crate::fixtures::*;
use crate::helpers::*;

#[tokio::test]
async fn every_rule_is_answered_through_the_api_with_its_pointer_and_code() {
    let app = spawn_app().await;
    let (token, _) = app.admin().await;
    let us = |v: Value| {
        let v = set(v, "/controller/address/country", json!("US"));
        let v = set(v, "/controller/address/postal_code", json!("10001"));
        set(
            v,
            "/controller/identifier",
            json!({"scheme": "other", "value": "EIN 12-3456789"}),
        )
    };
    let cctv = |v: Value| {
        let v = set(v, "/purpose", json!("cctv"));
        let v = set(v, "/research_area", Value::Null);
        set(v, "/research", Value::Null)
    };
    let rep = |country: &str| json!({"name": "Rep AS", "address": {"street": "Gate 1", "postal_code": "0150", "town": "Oslo", "country": country}});
    let cases: Vec<(&str, Value, &str, &str)> = vec![
        (
            "law",
            set(example(), "/law", json!("gdpr")),
            "/law",
            "unknown_code",
        ),
        (
            "ground of another law",
            set(example(), "/legal_ground", json!("patient_journal")),
            "/legal_ground",
            "legal_ground_not_in_law",
        ),
        (
            "registration kind",
            set(example(), "/registration_kind", Value::Null),
            "/registration_kind",
            "required",
        ),
        (
            "previous number on a first registration",
            set(example(), "/previous_number", json!("2023-000042")),
            "/previous_number",
            "previous_number_without_re_registration",
        ),
        (
            "previous number malformed",
            set(
                set(example(), "/registration_kind", json!("re_registration")),
                "/previous_number",
                json!("42"),
            ),
            "/previous_number",
            "invalid_number",
        ),
        (
            "previous number not ours",
            set(
                set(example(), "/registration_kind", json!("re_registration")),
                "/previous_number",
                json!("2023-000042"),
            ),
            "/previous_number",
            "previous_number_unknown",
        ),
        (
            "start in the past",
            set(example(), "/start_date", json!("2020-01-01")),
            "/start_date",
            "start_date_in_past",
        ),
        (
            "start malformed",
            set(example(), "/start_date", json!("01.01.2030")),
            "/start_date",
            "invalid_date",
        ),
        (
            "sensitive twice",
            set(
                example(),
                "/sensitive_categories",
                json!(["health", "health"]),
            ),
            "/sensitive_categories/1",
            "duplicate",
        ),
        (
            "manual register",
            set(example(), "/manual_register_only", Value::Null),
            "/manual_register_only",
            "required",
        ),
        (
            "org number",
            set(
                example(),
                "/controller/identifier/value",
                json!("123456789"),
            ),
            "/controller/identifier/value",
            "orgnr_checksum",
        ),
        (
            "org number format",
            set(example(), "/controller/identifier/value", json!("1234")),
            "/controller/identifier/value",
            "orgnr_format",
        ),
        (
            "Norwegian without org number",
            set(
                example(),
                "/controller/identifier",
                json!({"scheme": "lei", "value": "5493001KJTIIGC8Y1R12"}),
            ),
            "/controller/identifier/scheme",
            "norwegian_controller_needs_orgnr",
        ),
        (
            "postal code",
            set(example(), "/controller/address/postal_code", json!("50011")),
            "/controller/address/postal_code",
            "invalid_postal_code",
        ),
        (
            "country",
            set(example(), "/controller/address/country", json!("XX")),
            "/controller/address/country",
            "unknown_country",
        ),
        (
            "phone",
            set(example(), "/controller/phone", json!("ring oss")),
            "/controller/phone",
            "invalid_phone",
        ),
        (
            "name too long",
            set(example(), "/controller/name", json!("x".repeat(201))),
            "/controller/name",
            "too_long",
        ),
        (
            "control character",
            set(example(), "/controller/name", json!("a\u{1b}b")),
            "/controller/name",
            "invalid_characters",
        ),
        (
            "a line break in a one-line field",
            set(
                example(),
                "/controller/name",
                json!("Fjordvik\nBcc: x@y.no"),
            ),
            "/controller/name",
            "invalid_characters",
        ),
        (
            "no representative",
            us(example()),
            "/representative",
            "representative_required_outside_eea",
        ),
        (
            "representative outside",
            set(us(example()), "/representative", rep("CH")),
            "/representative/address/country",
            "representative_outside_eea",
        ),
        (
            "representative not allowed",
            set(example(), "/representative", rep("NO")),
            "/representative",
            "representative_not_allowed",
        ),
        (
            "processor role",
            set(example(), "/processors/0/role", json!("boss")),
            "/processors/0/role",
            "unknown_code",
        ),
        (
            "processor LEI",
            set(
                example(),
                "/processors/0/identifier",
                json!({"scheme": "lei", "value": "5493001KJTIIGC8Y1R13"}),
            ),
            "/processors/0/identifier/value",
            "lei_checksum",
        ),
        (
            "too many processors",
            set(
                example(),
                "/processors",
                Value::Array(vec![example()["processors"][0].clone(); 101]),
            ),
            "/processors",
            "too_many",
        ),
        (
            "sector",
            set(example(), "/sector", Value::Null),
            "/sector",
            "required",
        ),
        (
            "research area without research",
            set(cctv(example()), "/research_area", json!("marketing")),
            "/research_area",
            "research_area_without_research",
        ),
        (
            "research area is research",
            set(example(), "/research_area", json!("research")),
            "/research_area",
            "research_area_is_research",
        ),
        (
            "description too long",
            set(example(), "/description", json!("x".repeat(4001))),
            "/description",
            "too_long",
        ),
        (
            "description required",
            set(
                set(cctv(example()), "/purpose", json!("statutory_public")),
                "/description",
                Value::Null,
            ),
            "/description",
            "description_required",
        ),
        (
            "public purpose, private sector",
            set(
                set(cctv(example()), "/purpose", json!("other_public")),
                "/sector",
                json!("private"),
            ),
            "/sector",
            "purpose_needs_public_sector",
        ),
        (
            "private purpose, public sector",
            set(cctv(example()), "/purpose", json!("other_private")),
            "/sector",
            "purpose_needs_private_sector",
        ),
        (
            "research required",
            set(example(), "/research", Value::Null),
            "/research",
            "research_required",
        ),
        (
            "research without research",
            set(
                set(cctv(example()), "/research", example()["research"].clone()),
                "/research_area",
                Value::Null,
            ),
            "/research",
            "research_without_research_purpose",
        ),
        (
            "project end",
            set(example(), "/research/project_end_date", in_days(30).into()),
            "/research/project_end_date",
            "project_end_before_start",
        ),
        (
            "consent",
            set(example(), "/research/consent", json!("maybe")),
            "/research/consent",
            "unknown_code",
        ),
        (
            "transfer within EEA",
            set(example(), "/transfers_abroad/0/country", json!("SE")),
            "/transfers_abroad/0/country",
            "transfer_within_eea",
        ),
        (
            "exception required",
            set(
                example(),
                "/transfers_abroad/0/legal_basis",
                json!("other_exception"),
            ),
            "/transfers_abroad/0/exception",
            "exception_required",
        ),
        (
            "exception not allowed",
            set(example(), "/transfers_abroad/0/exception", json!("x")),
            "/transfers_abroad/0/exception",
            "exception_not_allowed",
        ),
        (
            "e-mail",
            set(example(), "/confirmation_email", json!("not an address")),
            "/confirmation_email",
            "invalid_email",
        ),
        (
            "language",
            set(example(), "/language", json!("de")),
            "/language",
            "unknown_code",
        ),
        (
            "unknown field",
            set(example(), "/colour", json!("blue")),
            "/colour",
            "unknown_field",
        ),
        (
            "wrong type",
            set(example(), "/manual_register_only", json!("no")),
            "/manual_register_only",
            "invalid_type",
        ),
    ];
    for (what, body, pointer, code) in cases {
        let response = app.submit(&token, &body).await;
        let body = problem(response, 422).await;
        let errors = body["errors"].as_array().unwrap();
        assert_eq!(errors.len(), 1, "{what}: {body}");
        assert_eq!(errors[0]["pointer"], pointer, "{what}");
        assert_eq!(errors[0]["code"], code, "{what}");
        assert!(
            errors[0]["message"].as_str().is_some_and(|m| !m.is_empty()),
            "{what}"
        );
    }
    // Nothing of the above was stored.
    let list: Value = app.notifications(&token, "").await;
    assert!(list["items"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn every_violation_comes_at_once_in_the_language_asked_for() {
    let app = spawn_app().await;
    let (token, _) = app.admin().await;
    let body = set(
        set(example(), "/law", json!("gdpr")),
        "/controller/identifier/value",
        json!("123456789"),
    );
    for (lang, orgnr_message) in [
        (
            "nb",
            "Organisasjonsnummeret er ikke gyldig (kontrollsifferet stemmer ikke).",
        ),
        (
            "nn",
            "Organisasjonsnummeret er ikkje gyldig (kontrollsifferet stemmer ikkje).",
        ),
        (
            "en",
            "The organisation number is not valid (the check digit does not match).",
        ),
    ] {
        let response = app
            .client
            .post(app.url("/v1/notifications"))
            .bearer_auth(&token)
            .header("Accept-Language", lang)
            .json(&body)
            .send()
            .await
            .unwrap();
        let problem = problem(response, 422).await;
        let codes: Vec<_> = problem["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["code"].clone())
            .collect();
        assert_eq!(
            codes,
            [json!("unknown_code"), json!("orgnr_checksum")],
            "{lang}"
        );
        assert_eq!(problem["errors"][1]["message"], orgnr_message, "{lang}");
        assert_eq!(
            problem["warnings"][0]["code"], "licence_may_be_required",
            "{lang}"
        );
    }
}

#[tokio::test]
async fn a_submission_is_stored_with_its_number_and_warnings() {
    let app = spawn_app().await;
    let (token, _) = app.admin().await;
    let soon = set(example(), "/start_date", json!(in_days(5)));
    let response = app.submit(&token, &soon).await;
    assert_eq!(response.status(), 201);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let etag = response.headers()["etag"].to_str().unwrap().to_owned();
    let body: Value = response.json().await.unwrap();
    let number = body["number"].as_str().unwrap();
    let year = app.clock.today().year().to_string();
    assert!(
        number.starts_with(&format!("{year}-")) && number.len() == 11,
        "{number}"
    );
    assert_eq!(location, format!("/v1/notifications/{number}"));
    assert_eq!(body["status"], "awaiting_confirmation");
    assert_eq!(body["version"], 1);
    let warnings: Vec<_> = body["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["code"].as_str().unwrap())
        .collect();
    assert!(warnings.contains(&"start_within_30_days"), "{warnings:?}");

    let got = app.get_with(&location, &token).await;
    assert_eq!(got.headers()["etag"].to_str().unwrap(), etag);
    let got: Value = got.json().await.unwrap();
    assert_eq!(got["status"], "awaiting_confirmation");
    assert_eq!(got["pending"]["kind"], "registration");
    assert_eq!(got["content"]["controller"]["name"], "Fjordvik kommune");
    assert_eq!(got["content"]["start_date"], in_days(5));

    // Numbers are unique.
    let second: Value = app.submit(&token, &example()).await.json().await.unwrap();
    assert_ne!(second["number"], body["number"]);
}

#[tokio::test]
async fn one_patient_journal_per_organisation() {
    let app = spawn_app().await;
    let (token, _) = app.admin().await;
    let first: Value = app.submit(&token, &journal()).await.json().await.unwrap();
    let number = first["number"].as_str().unwrap();
    let body = problem(app.submit(&token, &journal()).await, 409).await;
    assert_eq!(body["code"], "patient_journal_exists");
    assert!(body["detail"].as_str().unwrap().contains(number), "{body}");
    // The dry run says so too.
    let report: Value = app
        .post_with("/v1/notifications/validate", &token, &journal())
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(report["valid"], false);
    assert_eq!(report["errors"][0]["code"], "patient_journal_exists");
    // Another organisation has its own journal.
    let (other, _) = app.admin().await;
    assert_eq!(app.submit(&other, &journal()).await.status(), 201);
}

#[tokio::test]
async fn the_database_enforces_one_live_journal_too() {
    let app = spawn_app().await;
    let (token, _) = app.admin().await;
    let number = app.submitted(&token).await;
    let first: Value = app.submit(&token, &journal()).await.json().await.unwrap();
    let mut conn = app.connection().await;
    let err = diesel::sql_query("UPDATE notifications SET journal = true WHERE number = $1")
        .bind::<diesel::sql_types::Text, _>(&number)
        .execute(&mut conn)
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("notifications_one_journal_per_organisation"),
        "{err} ({first})"
    );
}

#[tokio::test]
async fn validate_is_a_dry_run() {
    let app = spawn_app().await;
    let (token, _) = app.admin().await;
    let report: Value = app
        .post_with("/v1/notifications/validate", &token, &example())
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(report["valid"], true);
    assert_eq!(report["errors"], json!([]));
    assert_eq!(report["warnings"][0]["code"], "licence_may_be_required");
    let bad = set(
        example(),
        "/controller/identifier/value",
        json!("123456789"),
    );
    let response = app
        .post_with("/v1/notifications/validate", &token, &bad)
        .await;
    assert_eq!(response.status(), 200);
    let report: Value = response.json().await.unwrap();
    assert_eq!(report["valid"], false);
    assert_eq!(
        report["errors"][0]["pointer"],
        "/controller/identifier/value"
    );
    let list: Value = app.notifications(&token, "").await;
    assert!(
        list["items"].as_array().unwrap().is_empty(),
        "nothing stored"
    );
}

#[tokio::test]
async fn an_unknown_field_or_a_wrong_type_is_reported_with_every_other_error() {
    let app = spawn_app().await;
    let (token, _) = app.admin().await;
    let mut body = example();
    body["colour"] = json!("blue");
    body["manual_register_only"] = json!("no");
    body["controller"]["identifier"]["value"] = json!("123456789");
    body["processors"][0]["extra"] = json!(1);
    let problem = problem(app.submit(&token, &body).await, 422).await;
    let mut found: Vec<(String, String)> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["pointer"].as_str().unwrap().to_owned(),
                e["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    found.sort();
    let mut expected = vec![
        ("/colour".to_owned(), "unknown_field".to_owned()),
        (
            "/manual_register_only".to_owned(),
            "invalid_type".to_owned(),
        ),
        (
            "/controller/identifier/value".to_owned(),
            "orgnr_checksum".to_owned(),
        ),
        ("/processors/0/extra".to_owned(), "unknown_field".to_owned()),
    ];
    expected.sort();
    assert_eq!(found, expected);

    // The dry run reports the same, in its report.
    let report = app
        .post_with("/v1/notifications/validate", &token, &body)
        .await;
    assert_eq!(report.status(), 200);
    let report: Value = report.json().await.unwrap();
    assert_eq!(report["valid"], false);
    assert_eq!(report["errors"].as_array().unwrap().len(), 4);
}
