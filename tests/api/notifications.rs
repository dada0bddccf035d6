//! Notifications over HTTP: every rule once through the API, the journal
//! conflict, idempotency, pagination, history, amendment and withdrawal.

use chrono::{Datelike, Days};
use diesel_async::RunQueryDsl;
use meldeplikt::domain::key::NotificationKey;
use serde_json::{Value, json};

use crate::helpers::{TestApp, problem, spawn_app, spawn_app_with, test_today};

pub const KEY_SECRET: &str = "a test secret of more than thirty-two characters";

pub async fn app_with_known_secret() -> TestApp {
    spawn_app_with(|s| s.notification_key_secret = Some(KEY_SECRET.to_owned().into())).await
}

/// The date `days` after the test clock's day.
fn in_days(days: u64) -> String {
    (test_today() + Days::new(days)).to_string()
}

/// The example notification of the documentation (`openapi/examples/notification.json`).
pub fn example() -> Value {
    meldeplikt::domain::notification::example()
}

fn journal() -> Value {
    let mut v = example();
    v["law"] = json!("helseregisterloven");
    v["legal_ground"] = json!("patient_journal");
    v
}

fn set(mut value: Value, pointer: &str, new: Value) -> Value {
    let (parent, key) = pointer.rsplit_once('/').unwrap();
    let target = if parent.is_empty() {
        &mut value
    } else {
        value.pointer_mut(parent).unwrap()
    };
    match target {
        Value::Object(map) if new.is_null() => {
            map.remove(key);
        }
        Value::Object(map) => {
            map.insert(key.to_owned(), new);
        }
        Value::Array(items) => items[key.parse::<usize>().unwrap()] = new,
        _ => panic!("{pointer}"),
    }
    value
}

pub async fn submit(app: &TestApp, token: &str, body: &Value) -> reqwest::Response {
    app.post_with("/v1/notifications", token, body).await
}

/// Submits the example; its number.
pub async fn submitted(app: &TestApp, token: &str) -> String {
    let response = submit(app, token, &example()).await;
    assert_eq!(response.status(), 201);
    let body: Value = response.json().await.unwrap();
    body["number"].as_str().unwrap().to_owned()
}

/// Makes a submitted notification registered with a known key, as a
/// confirmation would.
pub async fn register_with_key(app: &TestApp, number: &str) -> NotificationKey {
    let key = NotificationKey::generate();
    let mut conn = app.connection().await;
    diesel::sql_query(
        "UPDATE notification_versions SET state = 'confirmed', confirmed_at = now()
         WHERE notification_id = (SELECT id FROM notifications WHERE number = $1) AND version = 1",
    )
    .bind::<diesel::sql_types::Text, _>(number)
    .execute(&mut conn)
    .await
    .unwrap();
    diesel::sql_query(
        "UPDATE notifications SET status = 'registered', registered_version = 1,
             registered_at = now(), key_hash = $2, revision = revision + 1
         WHERE number = $1",
    )
    .bind::<diesel::sql_types::Text, _>(number)
    .bind::<diesel::sql_types::Bytea, _>(key.hash(KEY_SECRET.as_bytes()).to_vec())
    .execute(&mut conn)
    .await
    .unwrap();
    key
}

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
        let response = submit(&app, &token, &body).await;
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
    let list: Value = app
        .get_with("/v1/notifications", &token)
        .await
        .json()
        .await
        .unwrap();
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
    let response = submit(&app, &token, &soon).await;
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
    let second: Value = submit(&app, &token, &example()).await.json().await.unwrap();
    assert_ne!(second["number"], body["number"]);
}

#[tokio::test]
async fn one_patient_journal_per_organisation() {
    let app = spawn_app().await;
    let (token, _) = app.admin().await;
    let first: Value = submit(&app, &token, &journal()).await.json().await.unwrap();
    let number = first["number"].as_str().unwrap();
    let body = problem(submit(&app, &token, &journal()).await, 409).await;
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
    assert_eq!(submit(&app, &other, &journal()).await.status(), 201);
}

#[tokio::test]
async fn the_database_enforces_one_live_journal_too() {
    let app = spawn_app().await;
    let (token, _) = app.admin().await;
    let number = submitted(&app, &token).await;
    let first: Value = submit(&app, &token, &journal()).await.json().await.unwrap();
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
    let list: Value = app
        .get_with("/v1/notifications", &token)
        .await
        .json()
        .await
        .unwrap();
    assert!(
        list["items"].as_array().unwrap().is_empty(),
        "nothing stored"
    );
}

async fn submit_with_key(app: &TestApp, token: &str, key: &str, body: &Value) -> reqwest::Response {
    app.client
        .post(app.url("/v1/notifications"))
        .bearer_auth(token)
        .header("Idempotency-Key", key)
        .json(body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_retry_with_the_same_idempotency_key_gets_the_first_answer() {
    let app = spawn_app().await;
    let (token, _) = app.admin().await;
    let first = submit_with_key(&app, &token, "retry-1", &example()).await;
    assert_eq!(first.status(), 201);
    let first_location = first.headers()["location"].clone();
    let first_body: Value = first.json().await.unwrap();

    let again = submit_with_key(&app, &token, "retry-1", &example()).await;
    assert_eq!(again.status(), 201);
    assert_eq!(again.headers()["location"], first_location);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    let again_body: Value = again.json().await.unwrap();
    assert_eq!(again_body, first_body);

    // The same key with another body.
    let other = set(example(), "/description", json!("Noe annet."));
    let body = problem(submit_with_key(&app, &token, "retry-1", &other).await, 422).await;
    assert_eq!(body["errors"][0]["code"], "idempotency_key_reused");

    // Another organisation's key space is its own.
    let (other_org, _) = app.admin().await;
    let theirs = submit_with_key(&app, &other_org, "retry-1", &example()).await;
    assert_eq!(theirs.status(), 201);
    assert!(theirs.headers().get("idempotent-replayed").is_none());

    let list: Value = app
        .get_with("/v1/notifications", &token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 1, "one row");
}

#[tokio::test]
async fn concurrent_requests_with_one_key_create_one_notification() {
    let app = spawn_app().await;
    let (token, _) = app.admin().await;
    let body = example();
    let attempts = (0..6).map(|_| submit_with_key(&app, &token, "same-time", &body));
    let responses = futures_util::future::join_all(attempts).await;
    let mut numbers = Vec::new();
    for response in responses {
        assert_eq!(response.status(), 201);
        let body: Value = response.json().await.unwrap();
        numbers.push(body["number"].as_str().unwrap().to_owned());
    }
    numbers.dedup();
    assert_eq!(numbers.len(), 1, "{numbers:?}");
    let list: Value = app
        .get_with("/v1/notifications", &token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn lists_page_with_filters_and_without_gaps() {
    let app = spawn_app().await;
    let (token, _) = app.admin().await;
    let mut expected = Vec::new();
    for i in 0..5 {
        let mut body = example();
        if i % 2 == 0 {
            body = set(
                set(
                    set(body, "/purpose", json!("cctv")),
                    "/research_area",
                    Value::Null,
                ),
                "/research",
                Value::Null,
            );
            body = set(
                body,
                "/description",
                json!(format!("Kameraovervåking ved skole {i}")),
            );
        }
        let created: Value = submit(&app, &token, &body).await.json().await.unwrap();
        expected.push(created["number"].as_str().unwrap().to_owned());
    }
    let mut seen = Vec::new();
    let mut cursor = String::new();
    for _ in 0..10 {
        let path = format!("/v1/notifications?limit=2{cursor}");
        let page: Value = app.get_with(&path, &token).await.json().await.unwrap();
        assert!(page["items"].as_array().unwrap().len() <= 2);
        seen.extend(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["number"].as_str().unwrap().to_owned()),
        );
        match page["next_cursor"].as_str() {
            Some(next) => cursor = format!("&cursor={next}"),
            None => break,
        }
    }
    assert_eq!(seen, expected, "every one once, in a stable order");

    let count = |path: &str| {
        let path = path.to_owned();
        let token = token.clone();
        let app = &app;
        async move {
            let page: Value = app.get_with(&path, &token).await.json().await.unwrap();
            page["items"].as_array().unwrap().len()
        }
    };
    assert_eq!(count("/v1/notifications?purpose=cctv").await, 3);
    assert_eq!(
        count("/v1/notifications?purpose=research&status=awaiting_confirmation").await,
        2
    );
    assert_eq!(count("/v1/notifications?q=skole%202").await, 1);
    assert_eq!(count("/v1/notifications?q=FJORDVIK").await, 5);
    assert_eq!(count("/v1/notifications?q=100%25").await, 0, "% is literal");
    assert_eq!(count("/v1/notifications?status=registered").await, 0);
    assert_eq!(
        count("/v1/notifications?law=personopplysningsloven&sector=county_or_municipal").await,
        5
    );
    let body = problem(
        app.get_with("/v1/notifications?status=happy", &token).await,
        400,
    )
    .await;
    assert_eq!(body["errors"][0]["pointer"], "status");
    let body = problem(app.get_with("/v1/notifications?limit=0", &token).await, 400).await;
    assert_eq!(body["errors"][0]["pointer"], "limit");
}

#[tokio::test]
async fn another_organisations_notifications_are_not_found() {
    let app = app_with_known_secret().await;
    let (a, _) = app.admin().await;
    let (b, _) = app.admin().await;
    let number = submitted(&app, &a).await;
    let key = register_with_key(&app, &number).await;
    for path in [
        format!("/v1/notifications/{number}"),
        format!("/v1/notifications/{number}/versions"),
        format!("/v1/notifications/{number}/versions/1"),
        format!("/v1/notifications/{number}/diff?from=1&to=1"),
    ] {
        problem(app.get_with(&path, &b).await, 404).await;
        assert_eq!(app.get_with(&path, &a).await.status(), 200, "{path}");
    }
    // Even with the right key, B cannot amend A's notification.
    let amendment = json!({"notification_key": key.expose(), "notification": example()});
    problem(
        app.post_with(
            &format!("/v1/notifications/{number}/amendments"),
            &b,
            &amendment,
        )
        .await,
        404,
    )
    .await;
    problem(
        app.post_with(
            &format!("/v1/notifications/{number}/withdrawal"),
            &b,
            &json!({"notification_key": key.expose()}),
        )
        .await,
        404,
    )
    .await;
    let list: Value = app
        .get_with("/v1/notifications", &b)
        .await
        .json()
        .await
        .unwrap();
    assert!(list["items"].as_array().unwrap().is_empty());
    // Malformed numbers are simply not found.
    problem(
        app.get_with("/v1/notifications/not-a-number", &a).await,
        404,
    )
    .await;
}

#[tokio::test]
async fn amendments_need_the_key_and_a_fresh_etag_and_wait_for_confirmation() {
    let app = app_with_known_secret().await;
    let (token, _) = app.admin().await;
    let number = submitted(&app, &token).await;
    let path = format!("/v1/notifications/{number}/amendments");
    let new_content = set(example(), "/description", json!("Utvidet studie."));

    // Before it is registered there is no key that could fit.
    let early = NotificationKey::generate();
    problem(
        app.post_with(
            &path,
            &token,
            &json!({"notification_key": early.expose(), "notification": new_content}),
        )
        .await,
        404,
    )
    .await;

    let key = register_with_key(&app, &number).await;
    let etag = app
        .get_with(&format!("/v1/notifications/{number}"), &token)
        .await
        .headers()["etag"]
        .to_str()
        .unwrap()
        .to_owned();

    // A wrong key reads as an unknown notification.
    let wrong = NotificationKey::generate();
    problem(
        app.post_with(
            &path,
            &token,
            &json!({"notification_key": wrong.expose(), "notification": new_content}),
        )
        .await,
        404,
    )
    .await;
    // A mistyped key is told as such.
    let mut typo = key.expose().into_bytes();
    typo[0] = if typo[0] == b'A' { b'B' } else { b'A' };
    let body = problem(
        app.post_with(
            &path,
            &token,
            &json!({"notification_key": String::from_utf8(typo).unwrap(), "notification": new_content}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(body["errors"][0]["code"], "key_mistyped");

    // A stale If-Match loses; nothing changes.
    let stale = app
        .client
        .post(app.url(&path))
        .bearer_auth(&token)
        .header("If-Match", "\"2026-000001.0\"")
        .json(&json!({"notification_key": key.expose(), "notification": new_content}))
        .send()
        .await
        .unwrap();
    problem(stale, 412).await;
    let versions: Value = app
        .get_with(&format!("/v1/notifications/{number}/versions"), &token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(versions["items"].as_array().unwrap().len(), 1);

    // The right key and ETag: version 2 waits; version 1 stays what counts.
    let typed = key.expose().to_lowercase().replace('-', " ");
    let response = app
        .client
        .post(app.url(&path))
        .bearer_auth(&token)
        .header("If-Match", &etag)
        .json(&json!({"notification_key": typed, "notification": new_content}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    assert_eq!(
        response.headers()["location"],
        format!("/v1/notifications/{number}/versions/2")
    );
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["status"], "amendment_awaiting_confirmation");
    assert_eq!(body["version"], 2);
    assert!(body.get("replaced_pending_version").is_none());
    assert!(
        !body.to_string().contains(&key.expose()),
        "the key is never returned"
    );

    let current: Value = app
        .get_with(&format!("/v1/notifications/{number}"), &token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(current["registered_version"], 1);
    assert_eq!(current["content_version"], 1);
    assert_eq!(
        current["content"]["description"],
        "Kvalitetsstudie av hjemmetjenester."
    );
    assert_eq!(
        current["pending"],
        json!({"kind": "amendment", "version": 2})
    );

    // The old ETag is stale now.
    let response = app
        .client
        .post(app.url(&path))
        .bearer_auth(&token)
        .header("If-Match", &etag)
        .json(&json!({"notification_key": key.expose(), "notification": new_content}))
        .send()
        .await
        .unwrap();
    problem(response, 412).await;

    // A second amendment replaces the waiting one.
    let third = set(example(), "/purpose", json!("health_services"));
    let third = set(
        set(third, "/research_area", Value::Null),
        "/research",
        Value::Null,
    );
    let body: Value = app
        .post_with(
            &path,
            &token,
            &json!({"notification_key": key.expose(), "notification": third}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(body["version"], 3);
    assert_eq!(body["replaced_pending_version"], 2);
    let versions: Value = app
        .get_with(&format!("/v1/notifications/{number}/versions"), &token)
        .await
        .json()
        .await
        .unwrap();
    let states: Vec<_> = versions["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["state"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["confirmed", "superseded", "pending"]);
    let v3: Value = app
        .get_with(&format!("/v1/notifications/{number}/versions/3"), &token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v3["content"]["purpose"], "health_services");
    assert_eq!(v3["kind"], "amendment");

    let diff: Value = app
        .get_with(
            &format!("/v1/notifications/{number}/diff?from=1&to=3"),
            &token,
        )
        .await
        .json()
        .await
        .unwrap();
    let pointers: Vec<_> = diff["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["pointer"].as_str().unwrap())
        .collect();
    assert!(pointers.contains(&"/purpose"), "{pointers:?}");
    assert!(pointers.contains(&"/research"), "{pointers:?}");
    assert!(!pointers.contains(&"/controller/name"));
    problem(
        app.get_with(&format!("/v1/notifications/{number}/diff?from=1"), &token)
            .await,
        400,
    )
    .await;
    problem(
        app.get_with(
            &format!("/v1/notifications/{number}/diff?from=1&to=9"),
            &token,
        )
        .await,
        404,
    )
    .await;
}

#[tokio::test]
async fn wrong_keys_for_one_notification_are_throttled() {
    let app = app_with_known_secret().await;
    let (token, _) = app.admin().await;
    let number = submitted(&app, &token).await;
    let key = register_with_key(&app, &number).await;
    let path = format!("/v1/notifications/{number}/withdrawal");
    for _ in 0..5 {
        let wrong = NotificationKey::generate();
        problem(
            app.post_with(&path, &token, &json!({"notification_key": wrong.expose()}))
                .await,
            404,
        )
        .await;
    }
    let response = app
        .post_with(
            &path,
            &token,
            &json!({"notification_key": NotificationKey::generate().expose()}),
        )
        .await;
    assert!(response.headers().contains_key("retry-after"));
    problem(response, 429).await;
    // While blocked, not even the right key is tried.
    problem(
        app.post_with(&path, &token, &json!({"notification_key": key.expose()}))
            .await,
        429,
    )
    .await;
}

#[tokio::test]
async fn withdrawal_with_the_key_waits_for_confirmation() {
    let app = app_with_known_secret().await;
    let (token, _) = app.admin().await;
    let number = submitted(&app, &token).await;
    let key = register_with_key(&app, &number).await;
    let path = format!("/v1/notifications/{number}/withdrawal");
    let response = app
        .client
        .post(app.url(&path))
        .bearer_auth(&token)
        .header("Idempotency-Key", "withdraw-1")
        .json(&json!({"notification_key": key.expose()}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["status"], "withdrawal_awaiting_confirmation");
    // A retry replays; a second withdrawal is not allowed.
    let again = app
        .client
        .post(app.url(&path))
        .bearer_auth(&token)
        .header("Idempotency-Key", "withdraw-1")
        .json(&json!({"notification_key": key.expose()}))
        .send()
        .await
        .unwrap();
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    let body = problem(
        app.post_with(&path, &token, &json!({"notification_key": key.expose()}))
            .await,
        409,
    )
    .await;
    assert_eq!(body["code"], "transition_not_allowed");
    let current: Value = app
        .get_with(&format!("/v1/notifications/{number}"), &token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(current["pending"]["kind"], "withdrawal");
    assert_eq!(current["registered_version"], 1);
}

#[tokio::test]
async fn versions_and_the_audit_log_cannot_be_changed_in_the_database() {
    let app = spawn_app().await;
    let (token, _) = app.admin().await;
    let number = submitted(&app, &token).await;
    let mut conn = app.connection().await;
    for sql in [
        "UPDATE notification_versions SET content = '{}'::jsonb",
        "UPDATE notification_versions SET content_digest = repeat('0', 64)",
        "UPDATE notification_versions SET submitted_at = now() - interval '1 day'",
        "DELETE FROM notification_versions",
        "TRUNCATE notification_versions CASCADE",
        "UPDATE audit_log SET action = 'x'",
        "DELETE FROM audit_log",
    ] {
        let err = diesel::sql_query(sql)
            .execute(&mut conn)
            .await
            .expect_err(sql);
        assert!(
            err.to_string().contains("immutable") || err.to_string().contains("append-only"),
            "{sql}: {err}"
        );
    }
    // The submission was audited, with who and which request.
    #[derive(diesel::QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Text)]
        actor_kind: String,
        #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
        request_id: Option<String>,
    }
    let rows: Vec<Row> = diesel::sql_query("SELECT actor_kind, request_id FROM audit_log WHERE subject = $1 AND action = 'notification.submitted'")
        .bind::<diesel::sql_types::Text, _>(format!("notification:{number}"))
        .load(&mut conn)
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].actor_kind, "user");
    assert!(rows[0].request_id.is_some());
}

#[tokio::test]
async fn code_lists_come_in_three_languages_and_are_cacheable() {
    let app = spawn_app().await;
    let all: Value = app.get("/v1/code-lists").await.json().await.unwrap();
    let names: Vec<_> = all["lists"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["name"].as_str().unwrap())
        .collect();
    for name in [
        "sectors",
        "purposes",
        "legal-grounds",
        "sensitive-categories",
        "transfer-bases",
        "countries",
        "eea",
    ] {
        assert!(names.contains(&name), "{name}");
    }
    let label_of = |list: &Value, code: &str| {
        list["codes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["code"] == code)
            .unwrap()["label"]
            .clone()
    };
    for (lang, label) in [
        ("nb", "Statlig"),
        ("nn", "Statleg"),
        ("en", "Central government"),
    ] {
        let response = app
            .client
            .get(app.url("/v1/code-lists/sectors"))
            .header("Accept-Language", lang)
            .send()
            .await
            .unwrap();
        assert_eq!(response.headers()["content-language"], lang);
        assert!(
            response.headers()["cache-control"]
                .to_str()
                .unwrap()
                .contains("max-age")
        );
        let list: Value = response.json().await.unwrap();
        assert_eq!(label_of(&list, "central_government"), label, "{lang}");
    }
    let purposes: Value = app
        .get("/v1/code-lists/purposes")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(purposes["codes"].as_array().unwrap().len(), 14);
    let statutory = purposes["codes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code"] == "statutory_public")
        .unwrap();
    assert_eq!(statutory["attributes"]["description_required"], "true");
    let grounds: Value = app
        .get("/v1/code-lists/legal-grounds")
        .await
        .json()
        .await
        .unwrap();
    let journal = grounds["codes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code"] == "patient_journal")
        .unwrap();
    assert_eq!(journal["attributes"]["law"], "helseregisterloven");

    let first = app.get("/v1/code-lists/eea").await;
    let etag = first.headers()["etag"].to_str().unwrap().to_owned();
    let again = app
        .client
        .get(app.url("/v1/code-lists/eea"))
        .header("If-None-Match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
    problem(app.get("/v1/code-lists/colours").await, 404).await;
}
