//! Events: one for every change of a notification, in the transaction of
//! the change, numbered per organisation without gaps, with nothing
//! personal in them.

use diesel_async::RunQueryDsl;
use serde_json::{Value, json};

use crate::fixtures::{app_with_known_secret, example};
use crate::helpers::TestApp;
use crate::register::named;

#[derive(diesel::QueryableByName, Debug)]
struct Row {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    sequence: i64,
    #[diesel(sql_type = diesel::sql_types::Text)]
    kind: String,
    #[diesel(sql_type = diesel::sql_types::Jsonb)]
    data: Value,
}

/// The events of the organisation that owns `number`, in order.
async fn events_of(app: &TestApp, number: &str) -> Vec<Row> {
    let mut conn = app.connection().await;
    diesel::sql_query(
        "SELECT e.sequence, e.type AS kind, e.data FROM events e
         WHERE e.organisation_id = (SELECT organisation_id FROM notifications WHERE number = $1)
         ORDER BY e.sequence",
    )
    .bind::<diesel::sql_types::Text, _>(number)
    .load(&mut conn)
    .await
    .unwrap()
}

async fn confirm(app: &TestApp, about: &str) -> Value {
    let link = app.newest_mail(about).await.token();
    let response = app.confirm_json(&link).await;
    assert_eq!(response.status(), 200, "{about}");
    response.json().await.unwrap()
}

#[tokio::test]
async fn every_change_of_a_notification_makes_one_event_numbered_without_gaps() {
    let app = app_with_known_secret().await;
    let (token, _) = app.admin().await;
    let number = app.submitted(&token).await;
    let registered = app.confirm_latest_mail(&number).await;
    let key = registered["notification_key"].as_str().unwrap().to_owned();
    let amended = app
        .post_with(
            &format!("/v1/notifications/{number}/amendments"),
            &token,
            &json!({"notification_key": key, "notification": example()}),
        )
        .await;
    assert_eq!(amended.status(), 201);
    let amendment = confirm(&app, "Bekreft endringen").await;
    let withdrawal = app
        .post_with(
            &format!("/v1/notifications/{number}/withdrawal"),
            &token,
            &json!({"notification_key": key}),
        )
        .await;
    assert_eq!(withdrawal.status(), 201);
    let withdrawn = confirm(&app, "Bekreft tilbaketrekkingen").await;

    let events = events_of(&app, &number).await;
    let seen: Vec<(i64, &str, Option<&str>, &str)> = events
        .iter()
        .map(|e| {
            (
                e.sequence,
                e.kind.as_str(),
                e.data["kind"].as_str(),
                e.data["status"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            (
                1,
                "notification.submitted",
                Some("registration"),
                "awaiting_confirmation"
            ),
            (
                2,
                "notification.registered",
                Some("registration"),
                "registered"
            ),
            (
                3,
                "notification.submitted",
                Some("amendment"),
                "amendment_awaiting_confirmation"
            ),
            (
                4,
                "notification.registered",
                Some("amendment"),
                "registered"
            ),
            (
                5,
                "notification.submitted",
                Some("withdrawal"),
                "withdrawal_awaiting_confirmation"
            ),
            (6, "notification.withdrawn", None, "withdrawn"),
        ]
    );
    assert_eq!(events[1].data["receipt_id"], registered["receipt"]["id"]);
    assert_eq!(events[3].data["receipt_id"], amendment["receipt"]["id"]);
    assert_eq!(events[3].data["version"], 2);
    assert_eq!(events[5].data["receipt_id"], withdrawn["receipt"]["id"]);
    // Nothing personal: the number, version, status, receipt and kind only.
    for e in &events {
        let keys: Vec<&str> = e
            .data
            .as_object()
            .unwrap()
            .keys()
            .map(|k| k.as_str())
            .collect();
        assert!(
            keys.iter()
                .all(|k| ["number", "version", "status", "receipt_id", "kind"].contains(k)),
            "{keys:?}"
        );
        assert_eq!(e.data["number"], number);
    }

    // Another organisation counts from one of its own.
    let (other, _) = app.admin().await;
    let theirs = app.submitted(&other).await;
    let events = events_of(&app, &theirs).await;
    assert_eq!(events.iter().map(|e| e.sequence).collect::<Vec<_>>(), [1]);
}

#[tokio::test]
async fn lapse_reminder_and_expiry_are_events_too() {
    let app = app_with_known_secret().await;
    let (token, _) = app.admin().await;
    let lapsing = app.submitted(&token).await;
    let registered = crate::register::registered(&app, &token, &named("Utløper Kommune")).await;
    app.clock.advance(chrono::Duration::days(15));
    app.work().await;
    let kinds = |events: &[Row]| -> Vec<(String, String)> {
        events
            .iter()
            .map(|e| {
                (
                    e.kind.clone(),
                    e.data["number"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    };
    let after_lapse = events_of(&app, &lapsing).await;
    assert_eq!(
        kinds(&after_lapse).last().unwrap(),
        &("notification.lapsed".to_owned(), lapsing.clone())
    );
    // Six weeks before the expiry, the reminder; at the expiry, the end.
    let expires_on: chrono::NaiveDate = app.notification(&token, &registered).await["expires_on"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    app.clock
        .move_to_oslo_date(expires_on - chrono::Days::new(42));
    app.work().await;
    app.clock.move_to_oslo_date(expires_on);
    app.work().await;
    let all = events_of(&app, &registered).await;
    let tail: Vec<(String, String)> = kinds(&all).into_iter().rev().take(2).rev().collect();
    assert_eq!(
        tail,
        [
            ("notification.expiring".to_owned(), registered.clone()),
            ("notification.expired".to_owned(), registered.clone()),
        ]
    );
    // Three years on, the oldest are past their retention (90 days); what
    // is kept runs on without gaps.
    let sequences: Vec<i64> = all.iter().map(|e| e.sequence).collect();
    assert!(sequences.len() >= 2);
    assert!(
        sequences.windows(2).all(|w| w[1] == w[0] + 1),
        "no gaps: {sequences:?}"
    );
}
