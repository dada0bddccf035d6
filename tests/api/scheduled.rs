//! The time-driven work: lapse, expiry and the reminder by the Oslo
//! calendar, the outbox's retries, renewal by re-registration.

use chrono::Days;
use serde_json::{Value, json};

use crate::fixtures::*;
use crate::helpers::*;
use crate::relay::{FakeRelay, fake_relay};

#[tokio::test]
async fn unconfirmed_submissions_lapse_after_14_days() {
    let app = app_with_known_secret().await;
    let (token, _) = app.admin().await;
    let lapsing = app.submitted(&token).await;
    app.clock.advance(chrono::Duration::days(13));
    assert_eq!(app.work().await.lapsed, 0, "not yet");
    app.clock.advance(chrono::Duration::days(2));
    assert_eq!(app.work().await.lapsed, 1);
    assert_eq!(app.work().await.lapsed, 0, "once only");
    let current: Value = app.notification(&token, &lapsing).await;
    assert_eq!(current["status"], "lapsed");
    let versions: Value = app.versions(&token, &lapsing).await;
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
    let confirmed: Value = app.confirm_latest_mail(&number).await;
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
    let written = meldeplikt::domain::written::date(expires_on, meldeplikt::domain::i18n::Lang::Nb);
    assert!(
        reminder.body.contains(&written),
        "{written}: {}",
        reminder.body
    );
    assert_eq!(round.expired, 0);

    // The day before expiry it still counts; on the day it expires.
    app.clock.move_to_oslo_date(expires_on - Days::new(1));
    assert_eq!(app.work().await.expired, 0, "{start}: the day before");
    app.clock.move_to_oslo_date(expires_on);
    assert_eq!(app.work().await.expired, 1, "{start}: on the day");
    assert_eq!(app.work().await.expired, 0, "{start}: once only");
    let current: Value = app.notification(&token, &number).await;
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
/// A fake SMTP relay on 127.0.0.1: its port, the mails it accepted, and a
/// switch that, while on, makes it accept connections and never greet.
/// With `refuse_first`, it refuses the first mail with a 451.
#[tokio::test]
async fn the_outbox_retries_after_the_relay_refuses() {
    let FakeRelay { port, received, .. } = fake_relay(true).await;
    let app = spawn_app_with(|s| {
        s.smtp_url = Some(format!("smtp://127.0.0.1:{port}").into());
    })
    .await;
    let (token, _) = app.admin().await;
    let number = app.submitted(&token).await;

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
    let app = app_with_known_secret().await;
    let (token, _) = app.admin().await;
    let old = app.submitted(&token).await;
    app.confirm_latest_mail(&old).await;

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
    let current: Value = app.notification(&token, &old).await;
    assert_eq!(current["status"], "registered");

    let confirmed: Value = app.confirm_latest_mail(&new).await;
    assert_eq!(confirmed["receipt"]["kind"], "re_registration");
    let current: Value = app.notification(&token, &old).await;
    assert_eq!(current["status"], "renewed");
    let current: Value = app.notification(&token, &new).await;
    assert_eq!(current["status"], "registered");
    assert_eq!(current["previous_number"], old);
}

#[tokio::test]
async fn a_silent_relay_holds_up_the_mail_only() {
    use std::sync::atomic::Ordering;
    use std::time::{Duration, Instant};
    let relay = fake_relay(false).await;
    relay.silent.store(true, Ordering::SeqCst);
    let port = relay.port;
    let app = spawn_app_with(|s| {
        s.smtp_url = Some(format!("smtp://127.0.0.1:{port}").into());
        // Longer than the lapse may take below, so that only a mail loop
        // of its own lets the lifecycle go on.
        s.smtp_timeout = Duration::from_secs(8);
        s.worker_interval = Some(Duration::from_millis(50));
    })
    .await;
    let (token, _) = app.admin().await;
    let number = app.submitted(&token).await;

    // The mail loop is stuck at the relay...
    let started = Instant::now();
    while relay.held.load(Ordering::SeqCst) == 0 {
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "no attempt to send"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // ...when the confirmation period passes: the lifecycle loop lapses
    // the submission all the same.
    app.clock.advance(chrono::Duration::days(15));
    let started = Instant::now();
    while app.notification(&token, &number).await["status"] != "lapsed" {
        assert!(
            started.elapsed() < Duration::from_secs(4),
            "the lapse waited for the relay"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(relay.received.lock().unwrap().is_empty());

    // Once the relay answers, the mail goes out at a later attempt (the
    // hung one ends at its deadline; the clock moves past the back-off).
    relay.silent.store(false, Ordering::SeqCst);
    let started = Instant::now();
    while relay.received.lock().unwrap().is_empty() {
        assert!(
            started.elapsed() < Duration::from_secs(25),
            "the mail never went out"
        );
        app.clock.advance(chrono::Duration::minutes(1));
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(relay.received.lock().unwrap()[0].contains(&number));
}

#[tokio::test]
async fn every_mail_says_it_is_automatic_and_keeps_its_id_per_outbox_row() {
    let app =
        spawn_app_with(|s| s.mail_from = "Datatilsynet test <meldeplikt@example.no>".into()).await;
    let (token, _) = app.admin().await;
    let number = app.submitted(&token).await;
    let mail = app.newest_mail(&number).await;
    #[derive(diesel::QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Uuid)]
        id: uuid::Uuid,
    }
    let mut conn = app.connection().await;
    let row: Row = diesel_async::RunQueryDsl::get_result(
        diesel::sql_query("SELECT id FROM outbox"),
        &mut conn,
    )
    .await
    .unwrap();
    let head = &mail.head;
    let has = |line: &str| head.lines().any(|l| l == line);
    assert!(
        has(&format!("Message-ID: <{}@example.no>", row.id)),
        "the outbox row's id, so a re-send is the same mail:\n{head}"
    );
    assert!(has("MIME-Version: 1.0"), "{head}");
    assert!(has("Auto-Submitted: auto-generated"), "{head}");
    assert!(head.lines().any(|l| l.starts_with("Date: ")), "{head}");
    assert!(
        head.lines().any(|l| l.starts_with("From: ")
            && l.contains("<meldeplikt@example.no>")
            && l.contains("Datatilsynet")),
        "{head}"
    );
}
