//! `Idempotency-Key`: a retry gets the first answer, a race makes one row.

use serde_json::{Value, json};

use crate::fixtures::*;
use crate::helpers::*;

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
    // A field of the wrong type is no retry of the body without it, though
    // both read to the same notification once the field is set aside.
    let malformed = set(example(), "/previous_number", json!({}));
    let body = problem(
        submit_with_key(&app, &token, "retry-1", &malformed).await,
        422,
    )
    .await;
    assert_eq!(body["errors"][0]["code"], "idempotency_key_reused");
    let body = problem(
        submit_with_key(&app, &token, "retry-2", &malformed).await,
        422,
    )
    .await;
    assert_eq!(body["errors"][0]["pointer"], "/previous_number");

    // Another organisation's key space is its own.
    let (other_org, _) = app.admin().await;
    let theirs = submit_with_key(&app, &other_org, "retry-1", &example()).await;
    assert_eq!(theirs.status(), 201);
    assert!(theirs.headers().get("idempotent-replayed").is_none());

    let list: Value = app.notifications(&token, "").await;
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
    let list: Value = app.notifications(&token, "").await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
}
