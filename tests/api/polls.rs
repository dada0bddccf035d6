//! Long polls of `GET /v1/events` that wait: they hold no connection and
//! read nothing until an event of their own organisation commits, are
//! capped per organisation and per address, and recheck their caller
//! before they answer.

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::task::JoinSet;

use crate::helpers::{TestApp, problem, spawn_app_with};

/// A value of the app's `/metrics`.
async fn metric(app: &TestApp, name: &str) -> i64 {
    let text = app.get("/metrics").await.text().await.unwrap();
    text.lines()
        .find_map(|line| line.strip_prefix(&format!("meldeplikt_{name} ")))
        .unwrap_or_else(|| panic!("no {name} in /metrics"))
        .parse()
        .unwrap()
}

/// Opens `n` polls waiting `wait` seconds with `token` for events after
/// `after`; their answers.
fn open_polls_after(
    app: &TestApp,
    token: &str,
    n: usize,
    wait: u32,
    after: &str,
) -> JoinSet<(u16, Value)> {
    let client = reqwest::Client::new();
    let mut polls = JoinSet::new();
    for _ in 0..n {
        let request = client
            .get(app.url(&format!("/v1/events?wait={wait}&after={after}")))
            .bearer_auth(token);
        polls.spawn(async move {
            let response = request.send().await.expect("the poll is answered");
            let status = response.status().as_u16();
            (status, response.json().await.unwrap_or(Value::Null))
        });
    }
    polls
}

fn open_polls(app: &TestApp, token: &str, n: usize, wait: u32) -> JoinSet<(u16, Value)> {
    open_polls_after(app, token, n, wait, "")
}

#[tokio::test]
async fn waiting_polls_cost_the_database_nothing_until_their_own_organisation_has_an_event() {
    const POLLS: usize = 300;
    let app = spawn_app_with(|s| {
        s.webhooks.poll_limits.per_organisation = POLLS;
        s.webhooks.poll_limits.per_address = POLLS + 10;
    })
    .await;
    let (waiting, _) = app.admin().await;
    let (other, _) = app.admin().await;
    let mut polls = open_polls(&app, &waiting, POLLS, 30);
    // Let every poll make its first read and settle into waiting.
    tokio::time::sleep(Duration::from_secs(2)).await;

    assert_eq!(metric(&app, "event_polls_waiting").await, POLLS as i64);
    let pool = metric(&app, "db_pool_connections").await;
    let before = metric(&app, "event_reads_total").await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    // Before: each poll read its stream every second, 900 reads here.
    let idle = metric(&app, "event_reads_total").await - before;
    assert_eq!(
        idle, 0,
        "{POLLS} idle polls read their streams {idle} times in 3 s"
    );
    assert!(
        pool <= 4,
        "{pool} connections open for {POLLS} polls: they hold none"
    );

    // Another organisation's events wake none of them.
    for _ in 0..3 {
        app.submitted(&other).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let others = metric(&app, "event_reads_total").await - before;
    assert_eq!(
        others, 0,
        "3 events of another organisation woke {others} polls"
    );
    assert_eq!(polls.len(), POLLS, "still waiting");
    assert!(polls.try_join_next().is_none(), "none answered yet");

    // Their own organisation's event answers every one at once.
    let started = Instant::now();
    let number = app.submitted(&waiting).await;
    let mut answered = 0;
    while let Some(outcome) = polls.join_next().await {
        let (status, page) = outcome.unwrap();
        assert_eq!(status, 200, "{page}");
        assert_eq!(page["items"][0]["subject"], number.as_str());
        answered += 1;
    }
    assert_eq!(answered, POLLS);
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "answered in {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn polls_beyond_an_organisations_cap_or_an_addresss_are_refused_with_retry_after() {
    let app = spawn_app_with(|s| {
        s.webhooks.poll_limits.per_organisation = 3;
        s.webhooks.poll_limits.per_address = 5;
    })
    .await;
    let (token, _) = app.admin().await;
    let mut first = open_polls(&app, &token, 3, 20);
    tokio::time::sleep(Duration::from_millis(500)).await;
    let refused = app.get_with("/v1/events?wait=20", &token).await;
    let retry_after = refused.headers().get("retry-after").cloned();
    let body = problem(refused, 429).await;
    assert_eq!(body["status"], 429);
    assert!(
        retry_after.is_some_and(|v| v.to_str().unwrap().parse::<u64>().unwrap() >= 1),
        "Retry-After"
    );
    // A read that does not wait is never refused.
    assert_eq!(app.get_json("/v1/events", &token).await["items"], json!([]));

    // The address: 3 of this organisation, 2 of another, then no more.
    let (other, _) = app.admin().await;
    let mut second = open_polls(&app, &other, 2, 20);
    tokio::time::sleep(Duration::from_millis(500)).await;
    problem(app.get_with("/v1/events?wait=20", &other).await, 429).await;

    // Answered polls give their places back.
    app.submitted(&token).await;
    while let Some(done) = first.join_next().await {
        assert_eq!(done.unwrap().0, 200);
    }
    let mut again = open_polls_after(&app, &token, 3, 20, "1");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(again.len(), 3);
    assert!(again.try_join_next().is_none(), "the three wait again");
    app.submitted(&token).await;
    app.submitted(&other).await;
    for set in [&mut again, &mut second] {
        while let Some(done) = set.join_next().await {
            assert_eq!(done.unwrap().0, 200);
        }
    }
}

#[tokio::test]
async fn a_revoked_clients_waiting_poll_is_refused_instead_of_answered() {
    let app = spawn_app_with(|_| {}).await;
    let (admin, _) = app.admin().await;
    let created: Value = app
        .post_with(
            "/v1/organisation/api-clients",
            &admin,
            &json!({"name": "Sak og arkiv"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let token: Value = app
        .post_json(
            "/v1/auth/token",
            &json!({
                "grant_type": "client_credentials",
                "client_id": created["client_id"],
                "client_secret": created["client_secret"],
            }),
        )
        .await
        .json()
        .await
        .unwrap();
    let token = token["access_token"].as_str().unwrap().to_owned();
    let mut poll = open_polls(&app, &token, 1, 20);
    tokio::time::sleep(Duration::from_millis(500)).await;
    let path = format!(
        "/v1/organisation/api-clients/{}",
        created["id"].as_str().unwrap()
    );
    assert_eq!(app.delete_with(&path, &admin).await.status(), 204);
    // An event it would have been given, committed after the revocation.
    app.submitted(&admin).await;
    let (status, body) = poll.join_next().await.unwrap().unwrap();
    assert_eq!(status, 401, "{body}");
    assert!(body.get("items").is_none(), "no event given: {body}");
}
