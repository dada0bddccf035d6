//! Two instances, one database. In-process: two `Application`s (each its
//! own server, pool, worker and mail folder) on one database and one
//! clock; creates with one `Idempotency-Key` on both make one row, failed
//! logins are counted for both, and the two workers, run at the same
//! time, send each mail once and take each lifecycle step once. As two
//! `meldeplikt` processes: one is stopped with SIGTERM while requests are
//! in flight to it and while it holds mail it claimed; nothing is lost.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use chrono::Days;
use diesel::sql_types::{BigInt, Text};
use diesel_async::RunQueryDsl;
use serde_json::{Value, json};

use crate::fixtures::*;
use crate::helpers::*;
use crate::private_postgres::{Service, free_port, wait_ready};
use crate::relay::fake_relay;

#[derive(diesel::QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// One number out of the test's database.
async fn count(app: &TestApp, sql: &str) -> i64 {
    let mut conn = app.connection().await;
    let found: Count = diesel::sql_query(sql)
        .get_result(&mut conn)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    found.n
}

async fn submit_with_key(app: &TestApp, token: &str, key: &str) -> reqwest::Response {
    app.client
        .post(app.url("/v1/notifications"))
        .bearer_auth(token)
        .header("Idempotency-Key", key)
        .json(&example())
        .send()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn creates_with_one_idempotency_key_on_both_instances_make_one_row() {
    let a = spawn_app().await;
    let b = spawn_second(&a).await;
    let (token, _) = a.admin().await;

    // At the same time on both.
    let attempts =
        (0..8).map(|i| submit_with_key(if i % 2 == 0 { &a } else { &b }, &token, "both"));
    let mut numbers = BTreeSet::new();
    for response in futures_util::future::join_all(attempts).await {
        assert_eq!(response.status(), 201);
        let body: Value = response.json().await.unwrap();
        numbers.insert(body["number"].as_str().unwrap().to_owned());
    }
    assert_eq!(numbers.len(), 1, "{numbers:?}");

    // First on one, the retry on the other: the first answer again.
    let first = submit_with_key(&a, &token, "retried-elsewhere").await;
    assert_eq!(first.status(), 201);
    let location = first.headers()["location"].clone();
    let first_body: Value = first.json().await.unwrap();
    let again = submit_with_key(&b, &token, "retried-elsewhere").await;
    assert_eq!(again.status(), 201);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(again.headers()["location"], location);
    assert_eq!(again.json::<Value>().await.unwrap(), first_body);

    for app in [&a, &b] {
        let list: Value = app.notifications(&token, "").await;
        assert_eq!(
            list["items"].as_array().unwrap().len(),
            2,
            "one row per key"
        );
    }
    assert_eq!(
        count(&a, "SELECT count(*) AS n FROM notifications").await,
        2
    );
    assert_eq!(
        count(&a, "SELECT count(*) AS n FROM outbox").await,
        2,
        "one confirmation mail per notification"
    );
}

async fn wrong_login(app: &TestApp, email: &str) -> u16 {
    app.post_json(
        "/v1/auth/token",
        &json!({"grant_type": "password", "username": email, "password": "not the password"}),
    )
    .await
    .status()
    .as_u16()
}

/// Wrong passwords, taking turns over `apps`, until one is answered 429;
/// how many were sent.
async fn fail_until_throttled(apps: &[&TestApp], email: &str) -> usize {
    for attempt in 1..=40 {
        match wrong_login(apps[attempt % apps.len()], email).await {
            401 => continue,
            429 => return attempt,
            other => panic!("a wrong password answered {other}"),
        }
    }
    panic!("40 wrong passwords and no 429");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_logins_on_one_instance_are_counted_on_the_other() {
    let a = spawn_app().await;
    let b = spawn_second(&a).await;

    // Failures on A alone block the account on B as well.
    let alone = format!("alone-{}@example.no", uuid::Uuid::new_v4().simple());
    a.register(&alone).await;
    let on_a = fail_until_throttled(&[&a], &alone).await;
    assert!(on_a > 1, "some failures are free");
    assert_eq!(wrong_login(&b, &alone).await, 429, "B sees A's failures");

    // Failures spread over both block no later than on one alone: were
    // each instance counting for itself, it would take about twice as many.
    let spread = format!("spread-{}@example.no", uuid::Uuid::new_v4().simple());
    a.register(&spread).await;
    let on_both = fail_until_throttled(&[&a, &b], &spread).await;
    assert!(on_both <= on_a, "{on_both} over both, {on_a} on one");
    assert_eq!(wrong_login(&a, &spread).await, 429);
    assert_eq!(wrong_login(&b, &spread).await, 429);
}

/// Rounds of both workers at the same time; what they did together.
async fn work_both(a: &TestApp, b: &TestApp, rounds: usize) -> meldeplikt::worker::Round {
    let mut total = meldeplikt::worker::Round::default();
    for _ in 0..rounds {
        let (x, y) = tokio::join!(a.work(), b.work());
        total.mails_sent += x.mails_sent + y.mails_sent;
        total.lapsed += x.lapsed + y.lapsed;
        total.expired += x.expired + y.expired;
        total.reminded += x.reminded + y.reminded;
    }
    total
}

/// The names of the `.eml` files in a folder.
fn eml_files(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|name| name.ends_with(".eml") && !name.starts_with('.'))
                .collect()
        })
        .unwrap_or_default()
}

/// Every mail both instances wrote: each outbox row exactly once.
async fn assert_each_mail_once(a: &TestApp, b: &TestApp) -> Vec<Mail> {
    let mut files = eml_files(&a.data_dir.path().join("mail"));
    files.extend(eml_files(&b.data_dir.path().join("mail")));
    let distinct: BTreeSet<&String> = files.iter().collect();
    assert_eq!(distinct.len(), files.len(), "a mail written by both");
    let queued = count(a, "SELECT count(*) AS n FROM outbox").await;
    assert_eq!(files.len() as i64, queued, "one file per queued mail");
    let unsent = "SELECT count(*) AS n FROM outbox WHERE sent_at IS NULL";
    assert_eq!(count(a, unsent).await, 0);
    let mut mails = a.mails();
    mails.extend(b.mails());
    mails
}

async fn audited(app: &TestApp, action: &str) -> i64 {
    let mut conn = app.connection().await;
    let found: Count = diesel::sql_query(
        "SELECT count(*) AS n FROM (SELECT DISTINCT subject FROM audit_log WHERE action = $1) s",
    )
    .bind::<Text, _>(action)
    .get_result(&mut conn)
    .await
    .unwrap();
    let all: Count = diesel::sql_query("SELECT count(*) AS n FROM audit_log WHERE action = $1")
        .bind::<Text, _>(action)
        .get_result(&mut conn)
        .await
        .unwrap();
    assert_eq!(found.n, all.n, "{action} twice for one notification");
    all.n
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_workers_send_each_mail_once_and_take_each_lifecycle_step_once() {
    let a = app_with_known_secret().await;
    let b = spawn_second(&a).await;
    let (token, _) = a.admin().await;
    let confirmed_on = a.clock.today();
    let mut numbers = Vec::new();
    for i in 0..12 {
        numbers.push((if i % 2 == 0 { &a } else { &b }).submitted(&token).await);
    }

    // The confirmation mails, once each.
    let round = work_both(&a, &b, 3).await;
    let queued = count(&a, "SELECT count(*) AS n FROM outbox").await;
    assert_eq!(round.mails_sent as i64, queued);
    let mails = assert_each_mail_once(&a, &b).await;

    // Four are confirmed (on either instance); their receipts go out once.
    let (confirmed, lapsing) = numbers.split_at(4);
    for (i, number) in confirmed.iter().enumerate() {
        let mail = mails
            .iter()
            .find(|m| m.subject.contains(number.as_str()))
            .expect("a confirmation mail");
        let app = if i % 2 == 0 { &a } else { &b };
        assert_eq!(app.confirm_json(&mail.token()).await.status(), 200);
    }
    let round = work_both(&a, &b, 3).await;
    assert_eq!(round.mails_sent, confirmed.len());
    assert_each_mail_once(&a, &b).await;

    // The rest lapse, each once (the clock is shared: one move moves both).
    a.clock.advance(chrono::Duration::days(15));
    let round = work_both(&a, &b, 3).await;
    assert_eq!(round.lapsed, lapsing.len());
    assert_eq!(
        audited(&a, "notification.lapsed").await,
        lapsing.len() as i64
    );
    for number in lapsing {
        let current = b.notification(&token, number).await;
        assert_eq!(current["status"], "lapsed");
    }

    // The reminder, once per notification, then the expiry, once.
    let expires_on = confirmed_on
        .checked_add_months(chrono::Months::new(36))
        .unwrap();
    a.clock.move_to_oslo_date(expires_on - Days::new(42));
    let round = work_both(&a, &b, 3).await;
    assert_eq!((round.reminded, round.expired), (confirmed.len(), 0));
    assert_eq!(round.mails_sent, confirmed.len());
    let mails = assert_each_mail_once(&a, &b).await;
    let reminders = mails.iter().filter(|m| m.subject.contains("utløper"));
    assert_eq!(reminders.count(), confirmed.len());
    assert_eq!(
        audited(&a, "notification.reminder_sent").await,
        confirmed.len() as i64
    );

    b.clock.move_to_oslo_date(expires_on);
    let round = work_both(&a, &b, 3).await;
    assert_eq!((round.expired, round.reminded), (confirmed.len(), 0));
    assert_eq!(
        audited(&a, "notification.expired").await,
        confirmed.len() as i64
    );
    for number in confirmed {
        assert_eq!(a.notification(&token, number).await["status"], "expired");
    }
}

/// `meldeplikt` on the test's database, keys and public URL (replicas
/// share them), with its own mail.
fn start_process(app: &TestApp, port: u16, mail: &[(&str, String)]) -> Service {
    let mut command = Command::new(env!("CARGO_BIN_EXE_meldeplikt"));
    command
        .env("DATABASE_URL", &app.database_url)
        .env("MELDEPLIKT_DATA_DIR", app.data_dir.path())
        .env("MELDEPLIKT_LISTEN", format!("127.0.0.1:{port}"))
        .env("MELDEPLIKT_PUBLIC_URL", &app.settings.public_url)
        .env("MELDEPLIKT_SHUTDOWN_TIMEOUT_S", "10")
        .env("MELDEPLIKT_WORKER_INTERVAL_MS", "200")
        .env("MELDEPLIKT_POOL_SIZE", "4")
        .env("RUST_LOG", "warn")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    for (name, value) in mail {
        command.env(name, value);
    }
    Service(command.spawn().expect("the meldeplikt binary starts"))
}

async fn wait_until(what: &str, within: Duration, mut done: impl AsyncFnMut() -> bool) {
    let started = Instant::now();
    while !done().await {
        assert!(started.elapsed() < within, "not within {within:?}: {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stopping_one_of_two_processes_loses_nothing() {
    // The database, the keys and an organisation, made in-process.
    let app = spawn_app().await;
    let (token, _) = app.admin().await;
    let client = crate::contract::Client::new();

    // The first process sends through a relay that takes the first mail
    // and never answers: it holds what it claimed when it is stopped.
    let relay = fake_relay(false).await;
    relay.freeze_after.store(0, Ordering::SeqCst);
    let (port_1, port_2) = (free_port(), free_port());
    let mut first = start_process(
        &app,
        port_1,
        &[
            (
                "MELDEPLIKT_SMTP_URL",
                format!("smtp://127.0.0.1:{}", relay.port),
            ),
            ("MELDEPLIKT_SMTP_TIMEOUT_MS", "120000".into()),
        ],
    );
    wait_ready(port_1, &mut first).await;
    let url_1 = format!("http://127.0.0.1:{port_1}/v1/notifications");
    for _ in 0..3 {
        // A 503 (the machine busy with the rest of the suite) acknowledged
        // nothing: it is asked again, as a client would after Retry-After.
        let mut attempts = 0;
        loop {
            let response = client
                .post(&url_1)
                .bearer_auth(&token)
                .json(&example())
                .send();
            let response = response.await.unwrap();
            let status = response.status();
            let body = response.text().await.unwrap_or_default();
            attempts += 1;
            if status == 503 && attempts < 10 {
                tokio::time::sleep(Duration::from_millis(500)).await;
                continue;
            }
            assert_eq!(status, 201, "{body}");
            break;
        }
    }
    wait_until(
        "the first process holds mail",
        Duration::from_secs(20),
        async || std::sync::atomic::AtomicUsize::load(&relay.frozen, Ordering::SeqCst) > 0,
    )
    .await;

    let mail_2 = tempfile::tempdir().unwrap();
    let dir_2 = ("MELDEPLIKT_MAIL_DIR", mail_2.path().display().to_string());
    let mut second = start_process(&app, port_2, &[dir_2]);
    wait_ready(port_2, &mut second).await;
    let url_2 = format!("http://127.0.0.1:{port_2}/v1/notifications");

    // A stream of creates to both, one every 8 ms; the first process is
    // stopped in the middle of it, with some of them in flight.
    let create = |i: u64| {
        let key = format!("k-{i}");
        let url = if i.is_multiple_of(2) { &url_1 } else { &url_2 };
        let request = client
            .post(url)
            .bearer_auth(&token)
            .header("Idempotency-Key", &key)
            .json(&example());
        async move {
            tokio::time::sleep(Duration::from_millis(8 * i)).await;
            let answered = match request.send().await {
                Ok(response) if response.status() == 201 => {
                    let body: Value = response.json().await.unwrap();
                    Some(body["number"].as_str().unwrap().to_owned())
                }
                // Busy (503) acknowledges nothing, as a connection cut off does.
                Ok(response) if response.status() == 503 => None,
                Ok(response) => panic!("a create answered {}", response.status()),
                Err(_) => None,
            };
            (key, answered)
        }
    };
    let stop_first = async {
        tokio::time::sleep(Duration::from_millis(200)).await;
        let pid = nix::unistd::Pid::from_raw(first.id() as i32);
        nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM).unwrap();
    };
    let creates = futures_util::future::join_all((0..80).map(create));
    let (outcomes, ()) = tokio::join!(creates, stop_first);
    let unanswered = outcomes.iter().filter(|(_, answered)| answered.is_none());
    assert!(
        unanswered.count() > 0,
        "the stop came before the last create"
    );
    let mut exited = None;
    wait_until(
        "the first process exits",
        Duration::from_secs(30),
        async || {
            exited = first.try_wait().unwrap();
            exited.is_some()
        },
    )
    .await;
    assert!(exited.unwrap().success(), "a clean exit on SIGTERM");

    // Every create retried on the survivor: an answered one gets its first
    // answer back; an unanswered one is made now, or was made and is replayed.
    for (key, answered) in &outcomes {
        let response = client
            .post(&url_2)
            .bearer_auth(&token)
            .header("Idempotency-Key", key)
            .json(&example())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201, "{key}");
        let replayed = response.headers().get("idempotent-replayed").is_some();
        let body: Value = response.json().await.unwrap();
        if let Some(number) = answered {
            assert!(replayed, "{key}");
            assert_eq!(body["number"], number.as_str(), "{key}");
        }
    }

    // Nothing half-written: every notification has its version and its
    // confirmation mail, every kept key its answer.
    let total = 3 + outcomes.len() as i64;
    let notifications = "SELECT count(*) AS n FROM notifications";
    assert_eq!(count(&app, notifications).await, total, "one per key");
    let versionless = "SELECT count(*) AS n FROM notifications n
         WHERE NOT EXISTS (SELECT 1 FROM notification_versions v WHERE v.notification_id = n.id)";
    assert_eq!(count(&app, versionless).await, 0);
    let keys = "SELECT count(*) AS n FROM idempotency_keys WHERE status = 201";
    assert_eq!(count(&app, keys).await, outcomes.len() as i64);
    let unkept = "SELECT count(*) AS n FROM idempotency_keys WHERE status <> 201";
    assert_eq!(count(&app, unkept).await, 0);
    let confirmations = "SELECT count(*) AS n FROM outbox WHERE kind = 'confirmation'";
    assert_eq!(count(&app, confirmations).await, total);

    // The mail the first process held is handed back, not left to its
    // lease: the second sends every mail, once.
    wait_until("every mail sent", Duration::from_secs(20), async || {
        count(
            &app,
            "SELECT count(*) AS n FROM outbox WHERE sent_at IS NULL",
        )
        .await
            == 0
    })
    .await;
    let queued = count(&app, "SELECT count(*) AS n FROM outbox").await;
    let files = eml_files(mail_2.path());
    assert!(relay.received.lock().unwrap().is_empty());
    assert_eq!(files.len() as i64, queued, "each mail once, by the second");
    assert!(eml_files(&app.data_dir.path().join("mail")).is_empty());

    let pid = nix::unistd::Pid::from_raw(second.id() as i32);
    nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM).unwrap();
    let mut exited = None;
    wait_until(
        "the second process exits",
        Duration::from_secs(30),
        async || {
            exited = second.try_wait().unwrap();
            exited.is_some()
        },
    )
    .await;
    assert!(exited.unwrap().success());
}
