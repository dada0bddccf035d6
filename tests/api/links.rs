//! Confirmation links: single use, expiry, races; a new link replaces the
//! old, a new key the old key.

use serde_json::{Value, json};

use crate::fixtures::*;
use crate::helpers::*;

#[tokio::test]
async fn links_are_single_use_expire_and_race_safely() {
    let app = app_with_known_secret().await;
    let (token, _) = app.admin().await;

    // Two confirmations of one link at once: one wins, the other is 410.
    let number = app.submitted(&token).await;
    let link = app.newest_mail(&number).await.token();
    let (a, b) = tokio::join!(app.confirm_json(&link), app.confirm_json(&link));
    let mut statuses = [a.status().as_u16(), b.status().as_u16()];
    statuses.sort();
    assert_eq!(statuses, [200, 410]);
    let receipts: Value = app.receipts(&token, &number).await;
    assert_eq!(
        receipts["items"].as_array().unwrap().len(),
        1,
        "one receipt"
    );

    // A link expires after 14 days.
    let number = app.submitted(&token).await;
    let link = app.newest_mail(&number).await.token();
    app.clock
        .advance(chrono::Duration::days(14) + chrono::Duration::minutes(1));
    let body = problem(app.get(&format!("/v1/confirmations/{link}")).await, 410).await;
    assert_eq!(
        body["detail"],
        "Denne lenken er utløpt; be om en ny bekreftelses-e-post"
    );
    problem(app.confirm_json(&link).await, 410).await;

    // Unknown links are 404.
    problem(
        app.confirm_json("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
            .await,
        404,
    )
    .await;
    problem(app.confirm_json("short").await, 404).await;
}

#[tokio::test]
async fn a_new_link_replaces_the_old_and_a_new_key_the_old_key() {
    let app = app_with_known_secret().await;
    let (token, _) = app.admin().await;
    let number = app.submitted(&token).await;
    let first = app.newest_mail(&number).await.token();
    let response = app
        .post_with(
            &format!("/v1/notifications/{number}/confirmation-mail"),
            &token,
            &json!({}),
        )
        .await;
    assert_eq!(response.status(), 202);
    let second = app.newest_mail(&number).await.token();
    assert_ne!(first, second);
    problem(app.confirm_json(&first).await, 410).await;
    let confirmed: Value = app.confirm_json(&second).await.json().await.unwrap();
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
    let new_key = app
        .newest_mail("Ny meldingsnøkkel")
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
