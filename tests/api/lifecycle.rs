//! The whole life of a notification, read from the real .eml files the
//! service wrote: submit, confirm, receipt and key, amend, withdraw; and
//! the links' single use, expiry and races, receipts, the outbox, and the
//! time-driven work.

use chrono::Days;
use serde_json::{Value, json};

use crate::helpers::{Mail, TestApp, problem, spawn_app_with};
use crate::notifications::{KEY_SECRET, example, submitted};

async fn app() -> TestApp {
    spawn_app_with(|s| s.notification_key_secret = Some(KEY_SECRET.to_owned().into())).await
}

/// Runs the worker and returns the newest mail whose subject holds `about`.
async fn newest_mail(app: &TestApp, about: &str) -> Mail {
    app.work().await;
    app.mails()
        .into_iter()
        .rev()
        .find(|m| m.subject.contains(about))
        .unwrap_or_else(|| {
            panic!(
                "no mail about {about:?}: {:?}",
                app.mails().iter().map(|m| &m.subject).collect::<Vec<_>>()
            )
        })
}

async fn confirm_json(app: &TestApp, token: &str) -> reqwest::Response {
    app.client
        .post(app.url(&format!("/v1/confirmations/{token}")))
        .send()
        .await
        .unwrap()
}

/// Confirms through the page: GET for the form and its cookie, POST it back.
async fn confirm_page(app: &TestApp, token: &str) -> (u16, String) {
    let page = app.get(&format!("/confirm/{token}")).await;
    assert_eq!(page.status(), 200);
    let cookie = page.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(
        cookie.contains("SameSite=Strict") && cookie.contains("HttpOnly"),
        "{cookie}"
    );
    let cookie_pair = cookie.split(';').next().unwrap().to_owned();
    let html = page.text().await.unwrap();
    let csrf = html
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let response = app
        .client
        .post(app.url(&format!("/confirm/{token}")))
        .header("Cookie", cookie_pair)
        .form(&[("csrf", csrf)])
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

async fn verify(app: &TestApp, jws: &str) -> Value {
    app.post_json("/v1/receipts/verify", &json!({"jws": jws}))
        .await
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn the_whole_life_of_a_notification() {
    let app = spawn_app_with(|s| {
        s.notification_key_secret = Some(KEY_SECRET.to_owned().into());
        s.public_url = "https://meldeplikt.example".into();
    })
    .await;
    let (token, registered) = app.admin().await;
    let number = submitted(&app, &token).await;
    let today = app.clock.today();

    // 1. The confirmation mail, to the address given, in bokmål.
    let mail = newest_mail(&app, &number).await;
    assert_eq!(mail.to, "personvern@fjordvik.kommune.no");
    assert!(
        mail.subject.starts_with("Bekreft meldingen"),
        "{}",
        mail.subject
    );
    assert!(
        mail.body.contains("https://meldeplikt.example/confirm/"),
        "{}",
        mail.body
    );
    let link = mail.token();

    // 2. What is being confirmed.
    let preview: Value = app
        .get(&format!("/v1/confirmations/{link}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(preview["number"], number);
    assert_eq!(preview["kind"], "registration");
    assert_eq!(preview["organisation"], registered["organisation"]["name"]);
    assert_eq!(preview["purpose"], "research");

    // 3. Confirm through the JSON API: the receipt and, this once, the key.
    let response = confirm_json(&app, &link).await;
    assert_eq!(response.status(), 200);
    let confirmed: Value = response.json().await.unwrap();
    let key = confirmed["notification_key"].as_str().unwrap().to_owned();
    let receipt = &confirmed["receipt"];
    assert_eq!(receipt["number"], number);
    assert_eq!(receipt["version"], 1);
    assert_eq!(receipt["kind"], "registration");
    assert_eq!(receipt["controller_name"], "Fjordvik kommune");
    assert_eq!(receipt["controller_identifier"]["value"], "974761467");
    assert_eq!(receipt["law"], "personopplysningsloven");
    assert_eq!(receipt["sector"], "county_or_municipal");
    assert_eq!(receipt["purpose"], "research");
    assert_eq!(
        receipt["expires_on"],
        (today.checked_add_months(chrono::Months::new(36)).unwrap()).to_string()
    );
    assert!(
        receipt["statement"]
            .as_str()
            .unwrap()
            .contains("ikke en godkjenning")
    );
    assert_eq!(receipt["content_digest"].as_str().unwrap().len(), 64);
    problem(confirm_json(&app, &link).await, 410).await;

    // The registered notification.
    let current: Value = app
        .get_with(&format!("/v1/notifications/{number}"), &token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(current["status"], "registered");
    assert_eq!(current["registered_version"], 1);
    let version: Value = app
        .get_with(&format!("/v1/notifications/{number}/versions/1"), &token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        version["content_digest"], receipt["content_digest"],
        "the receipt's digest is the stored content's"
    );

    // 4. The receipt mail, with the key.
    let receipt_mail = newest_mail(&app, &format!("Kvittering for melding {number}")).await;
    assert_eq!(receipt_mail.key().as_deref(), Some(key.as_str()));
    assert!(receipt_mail.body.contains("vises bare denne ene gangen"));

    // 5. Verify the receipt.
    let jws = receipt["jws"].as_str().unwrap();
    let verdict = verify(&app, jws).await;
    assert_eq!(verdict["valid"], true);
    assert_eq!(verdict["receipt"]["number"], number);
    assert_eq!(verdict["receipt_id"], receipt["id"]);

    // 6. Amend with the key; confirm through the page.
    let amended = {
        let mut v = example();
        v["description"] = json!("Utvidet kvalitetsstudie.");
        v
    };
    let response = app
        .post_with(
            &format!("/v1/notifications/{number}/amendments"),
            &token,
            &json!({"notification_key": key, "notification": amended}),
        )
        .await;
    assert_eq!(response.status(), 201);
    let link = newest_mail(&app, "Bekreft endringen").await.token();
    let (status, html) = confirm_page(&app, &link).await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains(&number));
    assert!(
        !html.contains("Meldingsnøkkel"),
        "no new key on an amendment"
    );
    let receipts: Value = app
        .get_with(&format!("/v1/notifications/{number}/receipts"), &token)
        .await
        .json()
        .await
        .unwrap();
    let kinds: Vec<_> = receipts["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["registration", "amendment"]);
    assert_eq!(receipts["items"][1]["version"], 2);
    let current: Value = app
        .get_with(&format!("/v1/notifications/{number}"), &token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(current["registered_version"], 2);
    assert_eq!(
        current["content"]["description"],
        "Utvidet kvalitetsstudie."
    );
    assert!(
        newest_mail(&app, "Kvittering").await.key().is_none(),
        "the key is mailed only once"
    );

    // 7. Withdraw with the key; confirm.
    let response = app
        .post_with(
            &format!("/v1/notifications/{number}/withdrawal"),
            &token,
            &json!({"notification_key": key}),
        )
        .await;
    assert_eq!(response.status(), 201);
    let link = newest_mail(&app, "Bekreft tilbaketrekkingen").await.token();
    let response = confirm_json(&app, &link).await;
    assert_eq!(response.status(), 200);
    let withdrawn: Value = response.json().await.unwrap();
    assert_eq!(withdrawn["receipt"]["kind"], "withdrawal");
    assert!(withdrawn.get("notification_key").is_none());
    let current: Value = app
        .get_with(&format!("/v1/notifications/{number}"), &token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(current["status"], "withdrawn");
    let receipts: Value = app
        .get_with(&format!("/v1/notifications/{number}/receipts"), &token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(receipts["items"].as_array().unwrap().len(), 3);

    // Nothing the service stores holds the key in clear.
    let mut conn = app.connection().await;
    #[derive(diesel::QueryableByName)]
    struct Found {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    for sql in [
        "SELECT count(*) AS n FROM receipts WHERE content::text LIKE '%' || $1 || '%' OR jws LIKE '%' || $1 || '%'",
        "SELECT count(*) AS n FROM outbox WHERE body LIKE '%' || $1 || '%'",
        "SELECT count(*) AS n FROM audit_log WHERE details::text LIKE '%' || $1 || '%'",
    ] {
        let found: Found = diesel_async::RunQueryDsl::get_result(
            diesel::sql_query(sql).bind::<diesel::sql_types::Text, _>(&key),
            &mut conn,
        )
        .await
        .unwrap();
        assert_eq!(found.n, 0, "{sql}");
    }
}

#[tokio::test]
async fn the_page_shows_the_key_once_and_guards_against_forgery() {
    let app = app().await;
    let (token, _) = app.admin().await;
    let number = submitted(&app, &token).await;
    let link = newest_mail(&app, &number).await.token();

    // The page, in the submission's language, readable without script.
    let page = app.get(&format!("/confirm/{link}")).await;
    assert_eq!(page.headers()["content-type"], "text/html; charset=utf-8");
    let html = page.text().await.unwrap();
    assert!(html.contains("<html lang=\"nb\">"));
    assert!(html.contains("name=\"viewport\""));
    assert!(html.contains("<button type=\"submit\">Bekreft</button>"));
    assert!(html.contains("Fjordvik kommune"));
    assert!(!html.contains("<script"));

    // A form posted from elsewhere (no cookie) is refused, and nothing happens.
    let forged = app
        .client
        .post(app.url(&format!("/confirm/{link}")))
        .form(&[("csrf", "guess")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 403);
    let current: Value = app
        .get_with(&format!("/v1/notifications/{number}"), &token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(current["status"], "awaiting_confirmation");

    let (status, html) = confirm_page(&app, &link).await;
    assert_eq!(status, 200);
    let key = html
        .split("<p class=\"key\">")
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap()
        .to_owned();
    assert!(
        meldeplikt::domain::key::NotificationKey::parse(&key).is_ok(),
        "{key}"
    );
    assert!(html.contains("vises bare denne ene gangen"));
    assert!(html.contains(&format!("/confirm/{link}/receipt.pdf")));

    // The link is used: a page that says so and what to do.
    let again = app.get(&format!("/confirm/{link}")).await;
    assert_eq!(again.status(), 410);
    let html = again.text().await.unwrap();
    assert!(html.contains("Lenken virker ikke lenger"), "{html}");
    let unknown = app.get("/confirm/nope").await;
    assert_eq!(unknown.status(), 404);

    // The receipt's PDF, from the page's link.
    let pdf = app.get(&format!("/confirm/{link}/receipt.pdf")).await;
    assert_eq!(pdf.headers()["content-type"], "application/pdf");
    let text = pdf_text(&pdf.bytes().await.unwrap());
    assert!(text.contains(&number), "{text}");
}

fn pdf_text(bytes: &[u8]) -> String {
    let doc = lopdf::Document::load_mem(bytes).expect("a PDF");
    let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
    let text = doc.extract_text(&pages).expect("text in the PDF");
    // Wrapped lines read as one text.
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[tokio::test]
async fn receipts_as_pdf_state_everything_in_the_language_of_the_submission() {
    let app = app().await;
    let (token, _) = app.admin().await;
    let mut english = example();
    english["language"] = json!("en");
    let created: Value = app
        .post_with("/v1/notifications", &token, &english)
        .await
        .json()
        .await
        .unwrap();
    let number = created["number"].as_str().unwrap().to_owned();
    let mail = newest_mail(&app, &number).await;
    assert!(
        mail.subject.starts_with("Confirm the notification"),
        "{}",
        mail.subject
    );
    let confirmed: Value = confirm_json(&app, &mail.token())
        .await
        .json()
        .await
        .unwrap();
    let id = confirmed["receipt"]["id"].as_str().unwrap();

    let json: Value = app
        .get_with(&format!("/v1/receipts/{id}"), &token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(json["jws"], confirmed["receipt"]["jws"]);
    let pdf = app
        .client
        .get(app.url(&format!("/v1/receipts/{id}")))
        .bearer_auth(&token)
        .header("Accept", "application/pdf")
        .send()
        .await
        .unwrap();
    assert_eq!(pdf.status(), 200);
    assert_eq!(pdf.headers()["content-type"], "application/pdf");
    let bytes = pdf.bytes().await.unwrap();
    assert!(bytes.starts_with(b"%PDF-"));
    let text = pdf_text(&bytes);
    for expected in [
        number.as_str(),
        "Fjordvik kommune",
        "974761467",
        "Personal Data Act",
        "Research (specify in 6d)",
        "County or municipal",
        &json["content_digest"].as_str().unwrap()[..32],
        "It is not an approval of the processing.",
        "Signature fingerprint",
    ] {
        assert!(
            text.contains(expected),
            "the PDF states {expected:?}: {text}"
        );
    }
    let fingerprint = meldeplikt::receipts::signature_fingerprint(json["jws"].as_str().unwrap());
    assert!(text.contains(&fingerprint[..19]), "{text}");

    // Another organisation finds no such receipt.
    let (other, _) = app.admin().await;
    problem(
        app.get_with(&format!("/v1/receipts/{id}"), &other).await,
        404,
    )
    .await;
}

#[tokio::test]
async fn receipts_verify_only_when_genuine() {
    let app = app().await;
    let (token, _) = app.admin().await;
    let number = submitted(&app, &token).await;
    let confirmed: Value = confirm_json(&app, &newest_mail(&app, &number).await.token())
        .await
        .json()
        .await
        .unwrap();
    let jws = confirmed["receipt"]["jws"].as_str().unwrap().to_owned();
    assert_eq!(verify(&app, &jws).await["valid"], true);

    // Tampered: the payload says version 2 now.
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let parts: Vec<&str> = jws.split('.').collect();
    let mut claims: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
    claims["version"] = json!(2);
    let tampered = format!(
        "{}.{}.{}",
        parts[0],
        URL_SAFE_NO_PAD.encode(claims.to_string()),
        parts[2]
    );
    let verdict = verify(&app, &tampered).await;
    assert_eq!(verdict["valid"], false);
    assert_eq!(verdict["reason"], "signature does not match");
    assert!(verdict.get("receipt").is_none());

    // An access token is not a receipt, and a receipt is not an access token.
    let verdict = verify(&app, &token).await;
    assert_eq!(verdict["valid"], false);
    assert_eq!(verdict["reason"], "the JWS is not a receipt");
    let body = problem(app.get_with("/v1/me", &jws).await, 401).await;
    assert_eq!(body["code"], "invalid_token");

    let body = problem(
        app.post_json("/v1/receipts/verify", &json!({"jws": "hello"}))
            .await,
        422,
    )
    .await;
    assert_eq!(body["errors"][0]["code"], "malformed_jws");
}

#[tokio::test]
async fn links_are_single_use_expire_and_race_safely() {
    let app = app().await;
    let (token, _) = app.admin().await;

    // Two confirmations of one link at once: one wins, the other is 410.
    let number = submitted(&app, &token).await;
    let link = newest_mail(&app, &number).await.token();
    let (a, b) = tokio::join!(confirm_json(&app, &link), confirm_json(&app, &link));
    let mut statuses = [a.status().as_u16(), b.status().as_u16()];
    statuses.sort();
    assert_eq!(statuses, [200, 410]);
    let receipts: Value = app
        .get_with(&format!("/v1/notifications/{number}/receipts"), &token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        receipts["items"].as_array().unwrap().len(),
        1,
        "one receipt"
    );

    // A link expires after 14 days.
    let number = submitted(&app, &token).await;
    let link = newest_mail(&app, &number).await.token();
    app.clock
        .advance(chrono::Duration::days(14) + chrono::Duration::minutes(1));
    let body = problem(app.get(&format!("/v1/confirmations/{link}")).await, 410).await;
    assert!(body["detail"].as_str().unwrap().contains("expired"));
    problem(confirm_json(&app, &link).await, 410).await;

    // Unknown links are 404.
    problem(
        confirm_json(&app, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA").await,
        404,
    )
    .await;
    problem(confirm_json(&app, "short").await, 404).await;
}

#[tokio::test]
async fn a_new_link_replaces_the_old_and_a_new_key_the_old_key() {
    let app = app().await;
    let (token, _) = app.admin().await;
    let number = submitted(&app, &token).await;
    let first = newest_mail(&app, &number).await.token();
    let response = app
        .post_with(
            &format!("/v1/notifications/{number}/confirmation-mail"),
            &token,
            &json!({}),
        )
        .await;
    assert_eq!(response.status(), 202);
    let second = newest_mail(&app, &number).await.token();
    assert_ne!(first, second);
    problem(confirm_json(&app, &first).await, 410).await;
    let confirmed: Value = confirm_json(&app, &second).await.json().await.unwrap();
    let old_key = confirmed["notification_key"].as_str().unwrap().to_owned();
    let body = problem(
        app.post_with(
            &format!("/v1/notifications/{number}/confirmation-mail"),
            &token,
            &json!({}),
        )
        .await,
        409,
    )
    .await;
    assert_eq!(body["code"], "nothing_to_confirm");

    // A member may not issue a key; an admin may.
    app.post_with(
        "/v1/organisation/users",
        &token,
        &json!({"email": "m@example.no", "password": crate::helpers::PASSWORD, "role": "member"}),
    )
    .await;
    let member = app.login("m@example.no", crate::helpers::PASSWORD).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    problem(
        app.post_with(
            &format!("/v1/notifications/{number}/key"),
            &member,
            &json!({}),
        )
        .await,
        403,
    )
    .await;
    let response = app
        .post_with(
            &format!("/v1/notifications/{number}/key"),
            &token,
            &json!({}),
        )
        .await;
    assert_eq!(response.status(), 202);
    let new_key = newest_mail(&app, "Ny meldingsnøkkel")
        .await
        .key()
        .expect("the key in the mail");
    assert_ne!(new_key, old_key);

    let withdraw = |key: String| {
        let app = &app;
        let token = token.clone();
        let number = number.clone();
        async move {
            app.post_with(
                &format!("/v1/notifications/{number}/withdrawal"),
                &token,
                &json!({"notification_key": key}),
            )
            .await
        }
    };
    problem(withdraw(old_key).await, 404).await;
    assert_eq!(withdraw(new_key).await.status(), 201);
}

#[tokio::test]
async fn unconfirmed_submissions_lapse_after_14_days() {
    let app = app().await;
    let (token, _) = app.admin().await;
    let lapsing = submitted(&app, &token).await;
    app.clock.advance(chrono::Duration::days(13));
    assert_eq!(app.work().await.lapsed, 0, "not yet");
    app.clock.advance(chrono::Duration::days(2));
    assert_eq!(app.work().await.lapsed, 1);
    assert_eq!(app.work().await.lapsed, 0, "once only");
    let current: Value = app
        .get_with(&format!("/v1/notifications/{lapsing}"), &token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(current["status"], "lapsed");
    let versions: Value = app
        .get_with(&format!("/v1/notifications/{lapsing}/versions"), &token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(versions["items"][0]["state"], "lapsed");
    let mut conn = app.connection().await;
    #[derive(diesel::QueryableByName)]
    struct Found {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let found: Found = diesel_async::RunQueryDsl::get_result(
        diesel::sql_query("SELECT count(*) AS n FROM audit_log WHERE action = 'notification.lapsed' AND actor_kind = 'system' AND subject = $1")
            .bind::<diesel::sql_types::Text, _>(format!("notification:{lapsing}")),
        &mut conn,
    )
    .await
    .unwrap();
    assert_eq!(found.n, 1);
}

/// Submits and confirms at `start`, then walks the Oslo calendar to the
/// reminder and the expiry: the same wall-clock time on each date, so that
/// a daylight-saving change on the way moves no date twice or not at all.
async fn expiry_from(start: &str) {
    let app = spawn_app_with(|s| {
        s.notification_key_secret = Some(KEY_SECRET.to_owned().into());
        s.clock = meldeplikt::clock::Clock::fixed(start.parse().unwrap());
    })
    .await;
    let (token, _) = app.admin().await;
    let mut body = example();
    let start_date = app.clock.today() + Days::new(60);
    body["start_date"] = json!(start_date);
    body["research"]["project_end_date"] = json!(start_date + Days::new(1000));
    let response = app.post_with("/v1/notifications", &token, &body).await;
    assert_eq!(response.status(), 201, "{start}");
    let number = response.json::<Value>().await.unwrap()["number"]
        .as_str()
        .unwrap()
        .to_owned();
    let confirmed: Value = confirm_json(&app, &newest_mail(&app, &number).await.token())
        .await
        .json()
        .await
        .unwrap();
    let today = app.clock.today();
    let expires_on: chrono::NaiveDate = confirmed["receipt"]["expires_on"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(
        expires_on,
        today.checked_add_months(chrono::Months::new(36)).unwrap(),
        "{start}"
    );

    // 43 days before expiry: no reminder yet.
    app.clock.move_to_oslo_date(expires_on - Days::new(43));
    assert_eq!(app.work().await.reminded, 0, "{start}: 43 days before");
    app.clock.move_to_oslo_date(expires_on - Days::new(42));
    let round = app.work().await;
    assert_eq!(round.reminded, 1, "{start}: 42 days before");
    assert_eq!(app.work().await.reminded, 0, "{start}: once only");
    let reminder = app
        .mails()
        .into_iter()
        .rev()
        .find(|m| m.subject.contains("utløper"))
        .expect("a reminder");
    assert!(reminder.body.contains(&expires_on.to_string()));
    assert_eq!(round.expired, 0);

    // The day before expiry it still counts; on the day it expires.
    app.clock.move_to_oslo_date(expires_on - Days::new(1));
    assert_eq!(app.work().await.expired, 0, "{start}: the day before");
    app.clock.move_to_oslo_date(expires_on);
    assert_eq!(app.work().await.expired, 1, "{start}: on the day");
    assert_eq!(app.work().await.expired, 0, "{start}: once only");
    let current: Value = app
        .get_with(&format!("/v1/notifications/{number}"), &token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(current["status"], "expired");
}

#[tokio::test]
async fn registrations_expire_after_three_years_with_a_reminder_six_weeks_before() {
    expiry_from(&crate::helpers::test_now().to_rfc3339()).await;
}

/// 23:30 in Oslo on a winter evening, the hour the old test failed in: the
/// reminder date lies in summer time.
#[tokio::test]
async fn expiry_and_reminder_from_a_winter_evening_in_oslo() {
    expiry_from("2026-11-22T22:30:00Z").await;
}

/// 00:30 in Oslo in summer, still the previous day in UTC.
#[tokio::test]
async fn expiry_and_reminder_from_just_after_midnight_in_oslo_summer() {
    expiry_from("2026-06-14T22:30:00Z").await;
}

/// An SMTP server that refuses the first delivery and accepts the rest.
async fn refusing_smtp_server() -> (u16, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let received = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let attempts = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let store = received.clone();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let store = store.clone();
            let attempts = attempts.clone();
            tokio::spawn(async move {
                let (read, mut write) = socket.into_split();
                let mut lines = BufReader::new(read).lines();
                write.write_all(b"220 fake ESMTP\r\n").await.ok();
                let mut data = None::<String>;
                while let Ok(Some(line)) = lines.next_line().await {
                    if let Some(body) = data.as_mut() {
                        if line == "." {
                            store.lock().unwrap().push(std::mem::take(body));
                            data = None;
                            write.write_all(b"250 queued\r\n").await.ok();
                        } else {
                            body.push_str(&line);
                            body.push('\n');
                        }
                        continue;
                    }
                    let verb = line
                        .split_whitespace()
                        .next()
                        .unwrap_or_default()
                        .to_ascii_uppercase();
                    let reply: &[u8] = match verb.as_str() {
                        "EHLO" | "HELO" => b"250 fake\r\n",
                        "MAIL" => {
                            if attempts.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 0 {
                                b"451 4.3.0 try again later\r\n"
                            } else {
                                b"250 ok\r\n"
                            }
                        }
                        "RCPT" | "RSET" | "NOOP" => b"250 ok\r\n",
                        "DATA" => {
                            data = Some(String::new());
                            b"354 go ahead\r\n"
                        }
                        "QUIT" => {
                            write.write_all(b"221 bye\r\n").await.ok();
                            break;
                        }
                        _ => b"500 what\r\n",
                    };
                    write.write_all(reply).await.ok();
                }
            });
        }
    });
    (port, received)
}

#[tokio::test]
async fn the_outbox_retries_after_the_relay_refuses() {
    let (port, received) = refusing_smtp_server().await;
    let app = spawn_app_with(|s| {
        s.smtp_url = Some(format!("smtp://127.0.0.1:{port}").into());
    })
    .await;
    let (token, _) = app.admin().await;
    let number = submitted(&app, &token).await;

    let round = app.work().await;
    assert_eq!(round.mails_sent, 0, "the relay refused");
    #[derive(diesel::QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Integer)]
        attempts: i32,
        #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
        last_error: Option<String>,
        #[diesel(sql_type = diesel::sql_types::Bool)]
        sent: bool,
    }
    let mut conn = app.connection().await;
    let row: Row = diesel_async::RunQueryDsl::get_result(
        diesel::sql_query("SELECT attempts, last_error, sent_at IS NOT NULL AS sent FROM outbox"),
        &mut conn,
    )
    .await
    .unwrap();
    assert_eq!((row.attempts, row.sent), (1, false));
    assert!(row.last_error.unwrap().contains("try again later"));

    // Not before its back-off has passed.
    assert_eq!(app.work().await.mails_sent, 0);
    app.clock.advance(chrono::Duration::seconds(3));
    assert_eq!(app.work().await.mails_sent, 1);
    let row: Row = diesel_async::RunQueryDsl::get_result(
        diesel::sql_query("SELECT attempts, last_error, sent_at IS NOT NULL AS sent FROM outbox"),
        &mut conn,
    )
    .await
    .unwrap();
    assert_eq!((row.attempts, row.sent), (2, true));
    let messages = received.lock().unwrap().clone();
    assert_eq!(messages.len(), 1);
    assert!(messages[0].contains(&number), "{}", messages[0]);
    assert_eq!(app.work().await.mails_sent, 0, "sent once");
}

#[tokio::test]
async fn a_confirmed_re_registration_renews_the_notification_it_names() {
    let app = app().await;
    let (token, _) = app.admin().await;
    let old = submitted(&app, &token).await;
    confirm_json(&app, &newest_mail(&app, &old).await.token()).await;

    let mut renewal = example();
    renewal["registration_kind"] = json!("re_registration");
    renewal["previous_number"] = json!(old);
    let created: Value = app
        .post_with("/v1/notifications", &token, &renewal)
        .await
        .json()
        .await
        .unwrap();
    let new = created["number"].as_str().unwrap().to_owned();
    // Until it is confirmed, the old one stays registered.
    let current: Value = app
        .get_with(&format!("/v1/notifications/{old}"), &token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(current["status"], "registered");

    let confirmed: Value = confirm_json(&app, &newest_mail(&app, &new).await.token())
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(confirmed["receipt"]["kind"], "re_registration");
    let current: Value = app
        .get_with(&format!("/v1/notifications/{old}"), &token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(current["status"], "renewed");
    let current: Value = app
        .get_with(&format!("/v1/notifications/{new}"), &token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(current["status"], "registered");
    assert_eq!(current["previous_number"], old);
}
