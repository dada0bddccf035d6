//! The outbox under faults: a crash in the middle of a batch, mail that can
//! never go out, an address the mailer could not use, and what readiness
//! and metrics say of it all.

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use meldeplikt::db::{PoolOptions, build_pool};
use meldeplikt::mail::{MAX_ATTEMPTS, Mail, Mailer, deliver_due, enqueue};
use serde_json::json;

use crate::fixtures::*;
use crate::helpers::*;
use crate::relay::fake_relay;

fn mailer_to(port: u16) -> Mailer {
    let url = format!("smtp://127.0.0.1:{port}").into();
    let dir = std::env::temp_dir();
    Mailer::new(
        Some(&url),
        dir,
        Duration::from_secs(60),
        "Datatilsynet <no-reply@meldeplikt.example>",
    )
    .unwrap()
}

async fn queue(app: &TestApp, count: usize, to: &str) {
    let conn = app.connection().await;
    for i in 0..count {
        let mail = Mail {
            kind: "test",
            to: to.to_owned(),
            subject: format!("mail {i}"),
            body: format!("body of mail {i}"),
            html: None,
            attachment: None,
            about: None,
        };
        enqueue(&conn, mail, app.clock.now()).await.unwrap();
    }
}

#[derive(diesel::QueryableByName, Debug)]
struct State {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    sent: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    failed: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    waiting: i64,
}

async fn state(app: &TestApp) -> State {
    let mut conn = app.connection().await;
    let query = diesel::sql_query(
        "SELECT count(*) FILTER (WHERE sent_at IS NOT NULL) AS sent,
                count(*) FILTER (WHERE failed_at IS NOT NULL) AS failed,
                count(*) FILTER (WHERE sent_at IS NULL AND failed_at IS NULL) AS waiting
         FROM outbox",
    );
    diesel_async::RunQueryDsl::get_result(query, &mut conn)
        .await
        .unwrap()
}

/// Issue 13.3: the worker dies with a batch half sent. Each mail is
/// claimed with a lease and marked on its own, so the mails the relay
/// accepted before the crash are not sent again once the lease runs out.
#[tokio::test]
async fn a_crash_in_the_middle_of_a_batch_sends_no_accepted_mail_twice() {
    let app = spawn_app().await;
    let relay = fake_relay(false).await;
    relay.freeze_after.store(3, Ordering::SeqCst);
    queue(&app, 8, "mottaker@example.no").await;
    let options = PoolOptions {
        size: 2,
        wait_timeout: Duration::from_secs(5),
        statement_timeout: Duration::from_secs(10),
    };
    let pool = build_pool(&app.database_url, options).unwrap();
    let mailer = mailer_to(relay.port);
    let now = app.clock.now();

    let worker = {
        let (pool, mailer) = (pool.clone(), mailer.clone());
        tokio::spawn(
            async move { deliver_due(&pool, &mailer, now, 50, Duration::from_secs(60)).await },
        )
    };
    let started = Instant::now();
    while relay.frozen.load(Ordering::SeqCst) == 0 {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the relay never hung"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // The crash: the worker stops where it is, mid-mail, and writes nothing more.
    worker.abort();
    let _ = worker.await;
    assert_eq!(relay.received.lock().unwrap().len(), 3);
    let after_crash = state(&app).await;
    assert_eq!(after_crash.sent, 3, "each accepted mail was marked at once");

    // A new worker, after the lease has run out, with the relay well again.
    relay.freeze_after.store(usize::MAX, Ordering::SeqCst);
    // A time with nanoseconds, as a real clock gives: the lease must still
    // be recognised when each outcome is recorded.
    // (The lease outlasts the batch at its slowest: 50 mails at 60 s.)
    let later = now + chrono::Duration::hours(2) + chrono::Duration::nanoseconds(123_456_789);
    let sent = deliver_due(&pool, &mailer, later, 50, Duration::from_secs(60))
        .await
        .unwrap();
    assert_eq!(
        sent, 5,
        "the five not accepted, the one in flight among them"
    );
    let received = relay.received.lock().unwrap().clone();
    let mut ids: Vec<&str> = received
        .iter()
        .filter_map(|m| {
            m.lines()
                .find(|l| l.to_ascii_lowercase().starts_with("message-id:"))
        })
        .collect();
    assert_eq!(ids.len(), 8);
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 8, "no mail twice: {received:#?}");
    assert_eq!(state(&app).await.sent, 8, "each marked sent");
}

/// Issue 13.6: a mail the mailer cannot build fails at once and for good,
/// rather than being retried for ever; one the relay keeps refusing is
/// given up after the most attempts. Readiness and metrics say so.
#[tokio::test]
async fn mail_that_can_never_go_out_ends_failed_and_is_reported() {
    let relay = fake_relay(false).await;
    let port = relay.port;
    let app = spawn_app_with(|s| {
        s.smtp_url = Some(format!("smtp://127.0.0.1:{port}").into());
        s.smtp_timeout = Duration::from_millis(500);
    })
    .await;
    // Written past the API's checks, as an older version could have.
    queue(&app, 1, "a\u{200B}b@example.no").await;
    assert_eq!(app.work().await.mails_sent, 0);
    let after = state(&app).await;
    assert_eq!(
        (after.failed, after.waiting),
        (1, 0),
        "failed at the first attempt"
    );
    app.clock.advance(chrono::Duration::days(2));
    assert_eq!(app.work().await.mails_sent, 0);
    assert!(relay.received.lock().unwrap().is_empty(), "never sent");

    // A relay that refuses, attempt after attempt: given up at the last.
    queue(&app, 1, "mottaker@example.no").await;
    relay.silent.store(true, Ordering::SeqCst);
    let mut conn = app.connection().await;
    let query = diesel::sql_query("UPDATE outbox SET attempts = $1 WHERE failed_at IS NULL")
        .bind::<diesel::sql_types::Integer, _>(MAX_ATTEMPTS - 2);
    diesel_async::RunQueryDsl::execute(query, &mut conn)
        .await
        .unwrap();
    let ready: serde_json::Value = app.get("/health/ready").await.json().await.unwrap();
    assert_eq!(
        ready["mail"]["status"], "ok",
        "nothing has failed yet: {ready}"
    );
    // Two attempts, each refused at the relay's deadline.
    for _ in 0..2 {
        app.work().await;
        app.clock.advance(chrono::Duration::hours(2));
        if state(&app).await.waiting == 1 {
            let ready: serde_json::Value = app.get("/health/ready").await.json().await.unwrap();
            assert_eq!(ready["mail"]["status"], "failing", "{ready}");
            assert_eq!(ready["mail"]["retrying"], 1, "{ready}");
        }
    }
    let after = state(&app).await;
    assert_eq!((after.failed, after.waiting), (2, 0), "{after:?}");

    let ready = app.get("/health/ready").await;
    assert_eq!(
        ready.status(),
        200,
        "failing mail does not stop the service"
    );
    let ready: serde_json::Value = ready.json().await.unwrap();
    assert_eq!(ready["mail"]["failed"], 2, "{ready}");
    assert_eq!(ready["mail"]["status"], "ok", "{ready}");
    let metrics = app.get("/metrics").await.text().await.unwrap();
    assert!(metrics.contains("meldeplikt_outbox_failed 2"), "{metrics}");
    assert!(metrics.contains("meldeplikt_outbox_unsent 0"), "{metrics}");

    // The back office sees them, to follow up; nobody else does.
    let regulator = regulator_token(&app).await;
    let failed: serde_json::Value = app
        .get_with("/v1/admin/mail/failed", &regulator)
        .await
        .json()
        .await
        .unwrap();
    let items = failed["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{failed}");
    assert_eq!(items[0]["recipient"], "a\u{200B}b@example.no");
    assert_eq!(items[0]["attempts"], 1);
    assert_eq!(items[1]["attempts"], MAX_ATTEMPTS);
    let (admin, _) = app.admin().await;
    problem(app.get_with("/v1/admin/mail/failed", &admin).await, 404).await;
}

#[tokio::test]
async fn metrics_tell_the_depth_and_age_of_the_outbox() {
    let app = spawn_app().await;
    queue(&app, 3, "mottaker@example.no").await;
    app.clock.advance(chrono::Duration::minutes(7));
    let metrics = app.get("/metrics").await.text().await.unwrap();
    assert!(metrics.contains("meldeplikt_outbox_unsent 3"), "{metrics}");
    assert!(
        metrics.contains("meldeplikt_outbox_oldest_unsent_seconds 420"),
        "{metrics}"
    );
    let ready: serde_json::Value = app.get("/health/ready").await.json().await.unwrap();
    assert_eq!(ready["mail"]["unsent"], 3);
}

/// Issue 13.6: an address the mailer could not use is refused where it
/// enters, naming the field.
#[tokio::test]
async fn an_address_with_invisible_characters_is_refused_at_the_door() {
    let app = spawn_app().await;
    let (token, _) = app.admin().await;
    for address in ["a\u{200B}b@example.no", "ab@exa\u{202E}mple.no"] {
        let body = set(example(), "/confirmation_email", json!(address));
        let problem = problem(app.post_with("/v1/notifications", &token, &body).await, 422).await;
        let pointers: Vec<_> = problem["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["pointer"].as_str().unwrap().to_owned())
            .collect();
        assert!(
            pointers.contains(&"/confirmation_email".to_owned()),
            "{problem}"
        );
    }
}
