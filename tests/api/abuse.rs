//! What an abuser could make the service do in the authority's name (issue
//! 13.5): mail sent again and again, mail to anyone from any organisation,
//! registrations without end. Each is limited per hour, answering 429 with
//! `Retry-After`, and a refused request leaves nothing behind.

use std::time::Duration;

use meldeplikt::rate_limit::Limit;
use serde_json::json;

use crate::fixtures::*;
use crate::helpers::*;

fn retry_after(response: &reqwest::Response) -> u64 {
    response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap()
}

async fn resend(app: &TestApp, token: &str, number: &str) -> reqwest::Response {
    app.post_with(
        &format!("/v1/notifications/{number}/confirmation-mail"),
        token,
        &json!({}),
    )
    .await
}

#[tokio::test]
async fn a_confirmation_is_sent_again_only_so_often() {
    let app = spawn_app_with(|s| s.rate_limits.resends = Limit::per_hour(3)).await;
    let (token, _) = app.admin().await;
    let number = app.submitted(&token).await;
    for _ in 0..3 {
        assert_eq!(resend(&app, &token, &number).await.status(), 202);
    }
    let refused = resend(&app, &token, &number).await;
    assert_eq!(retry_after(&refused), 3600);
    let body = problem(refused, 429).await;
    assert_eq!(body["status"], 429);
    app.work().await;
    assert_eq!(app.mails().len(), 4, "the first and three more, no fifth");

    // Another notification has its own count; the hour over, it starts again.
    let other = app.submitted(&token).await;
    assert_eq!(resend(&app, &token, &other).await.status(), 202);
    app.clock.advance(chrono::Duration::minutes(61));
    assert_eq!(resend(&app, &token, &number).await.status(), 202);
}

#[tokio::test]
async fn an_organisation_causes_only_so_much_mail_an_hour() {
    let app = spawn_app_with(|s| s.rate_limits.organisation_mail = Limit::per_hour(2)).await;
    let (token, _) = app.admin().await;
    let (other_token, _) = app.admin().await;
    app.submitted(&token).await;
    app.submitted(&token).await;
    let refused = app.submit(&token, &example()).await;
    assert!(retry_after(&refused) > 0);
    problem(refused, 429).await;
    // Nothing of the refused one was stored or queued.
    let list = app.notifications(&token, "").await;
    assert_eq!(list["items"].as_array().unwrap().len(), 2);
    app.work().await;
    assert_eq!(app.mails().len(), 2);
    // Another organisation is not held up.
    app.submitted(&other_token).await;
    app.clock.advance(chrono::Duration::hours(1));
    app.submitted(&token).await;
}

#[tokio::test]
async fn registrations_from_one_address_are_limited() {
    let app = spawn_app_with(|s| s.rate_limits.registrations = Limit::per_hour(2)).await;
    app.register("one@example.no").await;
    app.register("two@example.no").await;
    let refused = app
        .post_json(
            "/v1/organisations",
            &registration(&new_orgnr(), "three@example.no"),
        )
        .await;
    assert!(retry_after(&refused) <= 3600);
    problem(refused, 429).await;
    app.clock
        .advance(chrono::Duration::from_std(Duration::from_secs(3601)).unwrap());
    app.register("three@example.no").await;
}
