//! `GET /v1/events`: an organisation's events in order after a cursor, a
//! regulator's across organisations, long polling, retention.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::fixtures::{app_with_known_secret, regulator_token};
use crate::helpers::problem;

#[tokio::test]
async fn an_organisation_reads_its_own_events_in_order_from_a_cursor() {
    let app = app_with_known_secret().await;
    let (token, _) = app.admin().await;
    let (other, _) = app.admin().await;
    let first = app.submitted(&token).await;
    app.confirm_latest_mail(&first).await;
    let second = app.submitted(&token).await;
    app.submitted(&other).await;

    let all = app.get_json("/v1/events", &token).await;
    let items = all["items"].as_array().unwrap();
    let seen: Vec<(&str, &str, &str)> = items
        .iter()
        .map(|e| {
            (
                e["type"].as_str().unwrap(),
                e["subject"].as_str().unwrap(),
                e["sequence"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            (
                "notification.submitted",
                first.as_str(),
                "00000000000000000001"
            ),
            (
                "notification.registered",
                first.as_str(),
                "00000000000000000002"
            ),
            (
                "notification.submitted",
                second.as_str(),
                "00000000000000000003"
            ),
        ]
    );
    assert_eq!(all["next_cursor"], "3");
    assert!(items[1]["data"]["receipt_id"].is_string());
    assert_eq!(items[0]["source"], items[1]["source"]);

    // Pages, and a cursor on the empty page too.
    let page = app.get_json("/v1/events?limit=2", &token).await;
    assert_eq!(page["items"].as_array().unwrap().len(), 2);
    assert_eq!(page["next_cursor"], "2");
    let rest = app.get_json("/v1/events?after=2&limit=2", &token).await;
    assert_eq!(rest["items"][0]["subject"], second.as_str());
    let empty = app.get_json("/v1/events?after=3", &token).await;
    assert_eq!(empty["items"], json!([]));
    assert_eq!(empty["next_cursor"], "3");
    // A filter skips what it does not want, and the cursor moves past it.
    let registered = app
        .get_json("/v1/events?types=notification.registered", &token)
        .await;
    assert_eq!(registered["items"].as_array().unwrap().len(), 1);
    assert_eq!(registered["next_cursor"], "3");
    // The other organisation sees only its one.
    let theirs = app.get_json("/v1/events", &other).await;
    assert_eq!(theirs["items"].as_array().unwrap().len(), 1);
    assert_ne!(theirs["items"][0]["source"], items[0]["source"]);
}

#[tokio::test]
async fn a_regulator_reads_every_organisations_events_or_one_organisations() {
    let app = app_with_known_secret().await;
    let (token, registered) = app.admin().await;
    let (other, _) = app.admin().await;
    let mine = app.submitted(&token).await;
    let theirs = app.submitted(&other).await;
    let regulator = regulator_token(&app).await;
    let all = app.get_json("/v1/events", &regulator).await;
    let subjects: Vec<&str> = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["subject"].as_str().unwrap())
        .collect();
    assert_eq!(
        subjects,
        [mine.as_str(), theirs.as_str()],
        "in the order they happened"
    );
    let cursor = all["next_cursor"].as_str().unwrap().to_owned();
    assert!(cursor.contains('.'), "{cursor}");
    let after = app
        .get_json(&format!("/v1/events?after={cursor}"), &regulator)
        .await;
    assert_eq!(after["items"], json!([]));
    assert_eq!(after["next_cursor"], cursor.as_str());
    let third = app.submitted(&other).await;
    let after = app
        .get_json(&format!("/v1/events?after={cursor}"), &regulator)
        .await;
    assert_eq!(after["items"][0]["subject"], third.as_str());

    let orgnr = registered["organisation"]["identifier"]["value"]
        .as_str()
        .unwrap();
    let one = app
        .get_json(&format!("/v1/events?organisation={orgnr}"), &regulator)
        .await;
    assert_eq!(one["items"].as_array().unwrap().len(), 1);
    assert_eq!(one["items"][0]["subject"], mine.as_str());
    assert_eq!(
        one["items"][0]["source"],
        format!(
            "/organisations/{}",
            registered["organisation"]["id"].as_str().unwrap()
        )
    );
    // An organisation cannot ask for another's.
    let refused = app
        .get_with("/v1/events?organisation=974761467", &token)
        .await;
    assert_eq!(
        problem(refused, 400).await["errors"][0]["pointer"],
        "organisation"
    );
    // Nor does a regulator's cursor mean anything to an organisation.
    let refused = app
        .get_with(&format!("/v1/events?after={cursor}"), &token)
        .await;
    assert_eq!(problem(refused, 400).await["errors"][0]["pointer"], "after");
}

#[tokio::test]
async fn a_long_poll_answers_as_soon_as_an_event_commits() {
    let app = app_with_known_secret().await;
    let (token, _) = app.admin().await;
    // Nothing comes: the wait runs out with an empty page and a cursor.
    let started = Instant::now();
    let nothing = app.get_json("/v1/events?wait=1", &token).await;
    assert!(started.elapsed() >= Duration::from_millis(900));
    assert_eq!(nothing["items"], json!([]));
    assert_eq!(nothing["next_cursor"], "0");

    let poller = {
        let client = reqwest::Client::new();
        let url = app.url("/v1/events?wait=20");
        let token = token.clone();
        tokio::spawn(async move {
            let started = Instant::now();
            let response = client.get(url).bearer_auth(token).send().await.unwrap();
            (started.elapsed(), response.json::<Value>().await.unwrap())
        })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    let number = app.submitted(&token).await;
    let (took, page) = poller.await.unwrap();
    assert_eq!(page["items"][0]["subject"], number.as_str());
    assert!(
        took < Duration::from_secs(5),
        "answered when the event came: {took:?}"
    );
}

#[tokio::test]
async fn bad_parameters_are_named() {
    let app = app_with_known_secret().await;
    let (token, _) = app.admin().await;
    for (query, pointer) in [
        ("after=abc", "after"),
        ("after=1.2", "after"),
        ("limit=0", "limit"),
        ("limit=501", "limit"),
        ("wait=31", "wait"),
        ("wait=-1", "wait"),
        ("types=notification.nope", "types"),
        ("types=", "types"),
    ] {
        let response = app.get_with(&format!("/v1/events?{query}"), &token).await;
        assert_eq!(
            problem(response, 400).await["errors"][0]["pointer"],
            pointer,
            "{query}"
        );
    }
    assert_eq!(app.get("/v1/events").await.status(), 401);
}

#[tokio::test]
async fn events_are_kept_ninety_days() {
    let app = app_with_known_secret().await;
    let (token, _) = app.admin().await;
    app.submitted(&token).await;
    app.clock.advance(chrono::Duration::days(89));
    assert_eq!(app.work().await.events_pruned, 0);
    // The submission lapsed in the meantime: two events so far.
    assert_eq!(
        app.get_json("/v1/events", &token).await["items"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    app.clock.advance(chrono::Duration::days(2));
    let round = app.work().await;
    assert_eq!(round.events_pruned, 1);
    let left = app.get_json("/v1/events", &token).await;
    assert_eq!(left["items"][0]["type"], "notification.lapsed");
    assert_eq!(left["items"][0]["sequence"], "00000000000000000002");
}
