//! Webhook deliveries: signed as Standard Webhooks says, retried on the
//! schedule, given up, disabling endpoints that are gone or keep failing,
//! sent again by hand, never lost when a worker dies mid-delivery, and one
//! slow endpoint delaying no one else.

use std::time::{Duration, Instant};

use chrono::DateTime;
use serde_json::{Value, json};

use crate::fixtures::app_with_known_secret;
use crate::helpers::{TestApp, spawn_app_with};
use crate::receiver::{Receiver, Reply};
use crate::webhooks::endpoint;

async fn deliveries(app: &TestApp, token: &str, id: &str) -> Vec<Value> {
    let list = app
        .get_json(&format!("/v1/organisation/webhooks/{id}/deliveries"), token)
        .await;
    list["items"].as_array().unwrap().clone()
}

#[tokio::test]
async fn each_event_arrives_signed_once_per_endpoint_that_wants_it() {
    let app = app_with_known_secret().await;
    let (token, _) = app.admin().await;
    let all = Receiver::start().await;
    let registered_only = Receiver::start().await;
    let (_, secret) = endpoint(&app, &token, json!({"url": all.url})).await;
    let (_, other_secret) = endpoint(
        &app,
        &token,
        json!({"url": registered_only.url, "event_types": ["notification.registered"]}),
    )
    .await;
    let number = app.submitted(&token).await;
    app.confirm_latest_mail(&number).await;
    // The submission went out in the round that sent the confirmation mail.
    let round = app.work().await;
    assert_eq!(round.webhooks.succeeded, 2);

    let events = app.get_json("/v1/events", &token).await;
    let received = all.received();
    assert_eq!(received.len(), 2);
    for (got, event) in received.iter().zip(events["items"].as_array().unwrap()) {
        assert_eq!(got.path, "/hooks");
        assert_eq!(
            got.header("content-type"),
            Some("application/cloudevents+json")
        );
        assert_eq!(got.header("webhook-id"), event["id"].as_str());
        assert_eq!(
            got.header("webhook-timestamp"),
            Some(app.clock.now().timestamp().to_string().as_str())
        );
        assert_eq!(
            got.verifying(&secret),
            1,
            "signed with the endpoint's secret"
        );
        assert_eq!(got.verifying(&other_secret), 0);
        assert_eq!(
            &got.json(),
            event,
            "the body is the event as the list shows it"
        );
    }
    let body = received[1].json();
    assert_eq!(body["specversion"], "1.0");
    assert_eq!(body["type"], "notification.registered");
    assert_eq!(body["subject"], number.as_str());
    assert_eq!(body["datacontenttype"], "application/json");
    assert_eq!(body["sequence"], "00000000000000000002");
    assert_eq!(body["data"]["kind"], "registration");
    let only = registered_only.received();
    assert_eq!(only.len(), 1);
    assert_eq!(only[0].json()["type"], "notification.registered");
    // A tampered body no longer verifies.
    let mut tampered = received[0].clone();
    tampered.body.push(b' ');
    assert_eq!(tampered.verifying(&secret), 0);
}

#[tokio::test]
async fn failures_are_retried_on_the_schedule_then_given_up_and_logged() {
    let app = app_with_known_secret().await;
    let (token, _) = app.admin().await;
    let receiver = Receiver::start().await;
    receiver.always(Reply::status(500).with_body(&"x".repeat(3000)));
    receiver.script([Reply::status(302).with_header("location", "http://127.0.0.1:9/elsewhere")]);
    let (id, _) = endpoint(
        &app,
        &token,
        json!({"url": receiver.url, "event_types": ["notification.submitted"]}),
    )
    .await;
    app.submitted(&token).await;
    app.work().await;
    assert_eq!(receiver.received().len(), 1, "a redirect is not followed");
    // The first retry comes 5 s later, ±20 %: not at 3.9 s, surely by 6.1 s.
    app.clock.advance(chrono::Duration::milliseconds(3900));
    app.work().await;
    assert_eq!(receiver.received().len(), 1);
    app.clock.advance(chrono::Duration::milliseconds(2200));
    app.work().await;
    let received = receiver.received();
    assert_eq!(received.len(), 2);
    assert_eq!(
        received[0].header("webhook-id"),
        received[1].header("webhook-id")
    );
    assert_ne!(
        received[0].header("webhook-timestamp"),
        received[1].header("webhook-timestamp"),
        "a fresh timestamp on each attempt"
    );
    assert_eq!(
        received[0].body, received[1].body,
        "the same bytes each time"
    );
    // The rest of the schedule, each wait at most 20 % over: 8 attempts in
    // all, then failed.
    for hours in [0.1, 0.6, 2.4, 6.0, 12.0, 12.0, 12.0] {
        app.clock
            .advance(chrono::Duration::seconds((hours * 3600.0) as i64));
        app.work().await;
    }
    assert_eq!(receiver.received().len(), 8);
    let log = deliveries(&app, &token, &id).await;
    assert_eq!(log.len(), 1);
    assert_eq!(log[0]["state"], "failed");
    assert_eq!(log[0]["next_attempt_at"], Value::Null);
    let attempts = log[0]["attempts"].as_array().unwrap();
    assert_eq!(attempts.len(), 8);
    assert_eq!(attempts[0]["status_code"], 302);
    assert_eq!(attempts[1]["status_code"], 500);
    assert_eq!(
        attempts[1]["response"].as_str().unwrap().len(),
        1024,
        "the first kilobyte"
    );
    let times: Vec<DateTime<chrono::Utc>> = attempts
        .iter()
        .map(|a| a["attempted_at"].as_str().unwrap().parse().unwrap())
        .collect();
    assert!(times.windows(2).all(|w| w[0] < w[1]));
    // Nothing more: the schedule is spent.
    app.clock.advance(chrono::Duration::days(1));
    app.work().await;
    assert_eq!(receiver.received().len(), 8);
    let metrics = app.get("/metrics").await.text().await.unwrap();
    assert!(
        metrics.contains("meldeplikt_webhook_attempts_total{outcome=\"failed\"} 8"),
        "{metrics}"
    );
    assert!(metrics.contains("meldeplikt_webhook_pending 0"));

    // Sent again by hand, whatever its state, with the same webhook-id.
    receiver.always(Reply::status(200));
    let delivery = log[0]["id"].as_str().unwrap();
    let retried = app
        .post_with(
            &format!("/v1/organisation/webhooks/{id}/deliveries/{delivery}/retry"),
            &token,
            &json!({}),
        )
        .await;
    assert_eq!(retried.status(), 202);
    app.work().await;
    let received = receiver.received();
    assert_eq!(received.len(), 9);
    assert_eq!(
        received[8].header("webhook-id"),
        received[0].header("webhook-id")
    );
    assert_eq!(deliveries(&app, &token, &id).await[0]["state"], "succeeded");
}

#[tokio::test]
async fn retry_after_is_honoured() {
    let app = app_with_known_secret().await;
    let (token, _) = app.admin().await;
    let receiver = Receiver::start().await;
    receiver.script([Reply::status(429).with_header("retry-after", "120")]);
    let (id, _) = endpoint(&app, &token, json!({"url": receiver.url})).await;
    app.submitted(&token).await;
    app.work().await;
    // Waiting: counted, with the oldest one's age.
    app.clock.advance(chrono::Duration::seconds(30));
    let metrics = app.get("/metrics").await.text().await.unwrap();
    assert!(
        metrics.contains("meldeplikt_webhook_pending 1"),
        "{metrics}"
    );
    assert!(
        metrics.contains("meldeplikt_webhook_oldest_pending_seconds 30"),
        "{metrics}"
    );
    app.clock.advance(chrono::Duration::seconds(-30));
    let log = deliveries(&app, &token, &id).await;
    let next: DateTime<chrono::Utc> = log[0]["next_attempt_at"].as_str().unwrap().parse().unwrap();
    assert!(
        next >= app.clock.now() + chrono::Duration::seconds(120),
        "{next}"
    );
    app.clock.advance(chrono::Duration::seconds(60));
    app.work().await;
    assert_eq!(receiver.received().len(), 1, "not before Retry-After");
    app.clock.advance(chrono::Duration::seconds(61));
    app.work().await;
    assert_eq!(receiver.received().len(), 2);
}

#[tokio::test]
async fn gone_disables_the_endpoint_mails_the_admins_and_recovery_sends_again() {
    let app = app_with_known_secret().await;
    let (token, registered) = app.admin().await;
    let receiver = Receiver::start().await;
    receiver.script([Reply::status(410)]);
    let (id, _) = endpoint(&app, &token, json!({"url": receiver.url})).await;
    app.submitted(&token).await;
    app.work().await;
    let path = format!("/v1/organisation/webhooks/{id}");
    let read = app.get_json(&path, &token).await;
    assert_eq!(read["enabled"], false);
    assert_eq!(read["disabled_reason"], "gone");
    let mail = app
        .mails()
        .into_iter()
        .find(|m| m.subject.contains("Webhook"))
        .expect("a mail to the admins");
    assert_eq!(mail.to, registered["admin"]["email"].as_str().unwrap());
    assert!(
        mail.body.contains(&receiver.url) && mail.body.contains("410"),
        "{}",
        mail.body
    );
    assert!(
        mail.body
            .contains(&format!("/v1/organisation/webhooks/{id}/recover"))
    );

    // While disabled, events queue nothing for it, and a test is refused.
    app.submitted(&token).await;
    app.work().await;
    assert_eq!(receiver.received().len(), 1);
    assert_eq!(
        app.post_with(&format!("{path}/test"), &token, &json!({}))
            .await
            .status(),
        409
    );

    // Enabled again and recovered: the failed delivery goes out.
    let enabled = app
        .patch_with(&path, &token, &json!({"enabled": true}), None)
        .await;
    assert_eq!(enabled.status(), 200);
    let recovered = app
        .post_with(
            &format!("{path}/recover"),
            &token,
            &json!({"since": "2020-01-01T00:00:00Z"}),
        )
        .await;
    assert_eq!(recovered.status(), 202);
    assert_eq!(recovered.json::<Value>().await.unwrap()["requeued"], 1);
    app.work().await;
    assert_eq!(receiver.received().len(), 2);
    let bad = app
        .post_with(
            &format!("{path}/recover"),
            &token,
            &json!({"since": "yesterday"}),
        )
        .await;
    assert_eq!(
        crate::helpers::problem(bad, 422).await["errors"][0]["pointer"],
        "/since"
    );
}

#[tokio::test]
async fn an_endpoint_failing_for_five_days_is_disabled() {
    let app = app_with_known_secret().await;
    let (token, _) = app.admin().await;
    let receiver = Receiver::start().await;
    receiver.always(Reply::status(503));
    let (id, _) = endpoint(&app, &token, json!({"url": receiver.url})).await;
    app.submitted(&token).await;
    app.work().await;
    let path = format!("/v1/organisation/webhooks/{id}");
    let failing_since = app.get_json(&path, &token).await["failing_since"].clone();
    assert_eq!(
        failing_since
            .as_str()
            .unwrap()
            .parse::<DateTime<chrono::Utc>>()
            .unwrap(),
        app.clock.now()
    );
    app.clock.advance(chrono::Duration::days(4));
    app.submitted(&token).await;
    app.work().await;
    assert_eq!(
        app.get_json(&path, &token).await["enabled"],
        true,
        "four days: still on"
    );
    app.clock
        .advance(chrono::Duration::days(1) + chrono::Duration::minutes(1));
    app.submitted(&token).await;
    app.work().await;
    let read = app.get_json(&path, &token).await;
    assert_eq!(read["enabled"], false);
    assert_eq!(read["disabled_reason"], "failing");
    assert!(app.mails().iter().any(|m| m.subject.contains("Webhook")));

    // A success forgets the failures.
    receiver.always(Reply::status(200));
    app.patch_with(&path, &token, &json!({"enabled": true}), None)
        .await;
    let test = app
        .post_with(&format!("{path}/test"), &token, &json!({}))
        .await;
    assert_eq!(test.status(), 202);
    app.work().await;
    let read = app.get_json(&path, &token).await;
    assert_eq!(read["failing_since"], Value::Null);
    // The test event went out beside the deliveries still due (made at the
    // same instant of the test clock, so in either order).
    let test = receiver
        .received()
        .iter()
        .map(|r| r.json())
        .find(|event| event["type"] == "webhook.test")
        .expect("the test event");
    assert_eq!(test["data"]["endpoint_id"], id.as_str());
    assert_eq!(test.get("subject"), None);
}

#[tokio::test]
async fn a_rotated_secret_signs_beside_the_old_one_for_a_day() {
    let app = app_with_known_secret().await;
    let (token, _) = app.admin().await;
    let receiver = Receiver::start().await;
    let (id, old) = endpoint(&app, &token, json!({"url": receiver.url})).await;
    let rotated = app
        .post_with(
            &format!("/v1/organisation/webhooks/{id}/rotate-secret"),
            &token,
            &json!({}),
        )
        .await;
    assert_eq!(rotated.status(), 200);
    let rotated: Value = rotated.json().await.unwrap();
    let new = rotated["secret"].as_str().unwrap().to_owned();
    assert_ne!(new, old);
    app.submitted(&token).await;
    app.work().await;
    let first = receiver.received().pop().unwrap();
    assert_eq!(
        first
            .header("webhook-signature")
            .unwrap()
            .split(' ')
            .count(),
        2
    );
    assert_eq!(first.verifying(&new), 1);
    assert_eq!(first.verifying(&old), 1);
    app.clock
        .advance(chrono::Duration::hours(24) + chrono::Duration::seconds(1));
    app.submitted(&token).await;
    app.work().await;
    let later = receiver.received().pop().unwrap();
    assert_eq!(
        later
            .header("webhook-signature")
            .unwrap()
            .split(' ')
            .count(),
        1
    );
    assert_eq!(later.verifying(&new), 1);
    assert_eq!(later.verifying(&old), 0);
}

#[tokio::test]
async fn a_worker_that_dies_mid_delivery_loses_nothing() {
    let app = app_with_known_secret().await;
    let (token, _) = app.admin().await;
    let receiver = Receiver::start().await;
    endpoint(&app, &token, json!({"url": receiver.url})).await;
    app.submitted(&token).await;
    // A worker claims the delivery and dies before sending it.
    let pool = meldeplikt::db::build_pool(
        &app.database_url,
        meldeplikt::db::PoolOptions {
            size: 1,
            wait_timeout: Duration::from_secs(5),
            statement_timeout: Duration::from_secs(10),
        },
    )
    .unwrap();
    let mut conn = pool.get().await.unwrap();
    let now = app.clock.now();
    let claimed = meldeplikt::events::webhooks::queue::claim(
        &mut conn,
        now,
        now + chrono::Duration::seconds(45),
        10,
    )
    .await
    .unwrap();
    assert_eq!(claimed.len(), 1);
    drop(conn);
    // Its lease holds the delivery back from the others a while...
    app.work().await;
    assert!(receiver.received().is_empty());
    // ...then it goes out, once, as itself.
    app.clock.advance(chrono::Duration::seconds(46));
    app.work().await;
    let received = receiver.received();
    assert_eq!(received.len(), 1);
    assert_eq!(
        received[0].header("webhook-id"),
        Some(claimed[0].message_id.to_string().as_str())
    );
    app.work().await;
    assert_eq!(receiver.received().len(), 1, "and not again");
}

#[tokio::test]
async fn a_slow_endpoint_delays_no_one_else_and_gets_one_delivery_at_a_time() {
    let app = spawn_app_with(|s| s.webhooks.timeout = Duration::from_millis(2000)).await;
    let (slow_org, _) = app.admin().await;
    let (fast_org, _) = app.admin().await;
    let slow = Receiver::start().await;
    let fast = Receiver::start().await;
    slow.always(Reply::status(200).after(Duration::from_secs(5)));
    let (slow_id, _) = endpoint(&app, &slow_org, json!({"url": slow.url})).await;
    endpoint(&app, &fast_org, json!({"url": fast.url})).await;
    app.submitted(&slow_org).await;
    app.submitted(&slow_org).await;
    app.submitted(&fast_org).await;
    let started = Instant::now();
    app.work().await;
    let fast_at = fast.received()[0].at;
    assert!(
        fast_at.duration_since(started) < Duration::from_millis(1500),
        "not held up by the slow one"
    );
    // One at a time per endpoint: the second is sent when the first timed out.
    let slow_received = slow.received();
    assert_eq!(slow_received.len(), 2);
    let gap = slow_received[1].at.duration_since(slow_received[0].at);
    assert!(gap >= Duration::from_millis(1950), "{gap:?}");
    let log = deliveries(&app, &slow_org, &slow_id).await;
    assert_eq!(log.len(), 2);
    for delivery in &log {
        let error = delivery["attempts"][0]["error"].as_str().unwrap();
        assert!(error.contains("timed out after 2000 ms"), "{error}");
        assert_eq!(delivery["state"], "pending", "to be retried");
    }
}

#[tokio::test]
async fn addresses_are_checked_again_when_delivering() {
    let app = app_with_known_secret().await;
    let (token, _) = app.admin().await;
    let receiver = Receiver::start().await;
    let (id, _) = endpoint(&app, &token, json!({"url": receiver.url})).await;
    // The address changes behind the service's back to a metadata address.
    let mut conn = app.connection().await;
    diesel_async::RunQueryDsl::execute(
        diesel::sql_query("UPDATE webhook_endpoints SET url = 'http://169.254.169.254/latest'"),
        &mut conn,
    )
    .await
    .unwrap();
    app.submitted(&token).await;
    app.work().await;
    let log = deliveries(&app, &token, &id).await;
    let error = log[0]["attempts"][0]["error"].as_str().unwrap();
    assert!(
        error.starts_with("address refused: 169.254.169.254"),
        "{error}"
    );
    assert_eq!(log[0]["attempts"][0]["status_code"], Value::Null);
}
