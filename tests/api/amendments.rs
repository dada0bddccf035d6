//! Amendments and withdrawals with the key: ETags, throttling, and
//! versions that the database keeps unchanged.

use diesel_async::RunQueryDsl;
use meldeplikt::domain::key::NotificationKey;
use serde_json::{Value, json};

use crate::fixtures::*;
use crate::helpers::*;

#[tokio::test]
async fn amendments_need_the_key_and_a_fresh_etag_and_wait_for_confirmation() {
    let app = app_with_known_secret().await;
    let (token, _) = app.admin().await;
    let number = app.submitted(&token).await;
    let path = format!("/v1/notifications/{number}/amendments");
    let new_content = set(example(), "/description", json!("Utvidet studie."));

    // Before it is registered there is no key that could fit.
    let early = NotificationKey::generate();
    problem(
        app.post_with(
            &path,
            &token,
            &json!({"notification_key": early.expose(), "notification": new_content}),
        )
        .await,
        404,
    )
    .await;

    let key = register_with_key(&app, &number).await;
    let etag = app
        .get_with(&format!("/v1/notifications/{number}"), &token)
        .await
        .headers()["etag"]
        .to_str()
        .unwrap()
        .to_owned();

    // A wrong key reads as an unknown notification.
    let wrong = NotificationKey::generate();
    problem(
        app.post_with(
            &path,
            &token,
            &json!({"notification_key": wrong.expose(), "notification": new_content}),
        )
        .await,
        404,
    )
    .await;
    // A mistyped key is told as such.
    let mut typo = key.expose().into_bytes();
    typo[0] = if typo[0] == b'A' { b'B' } else { b'A' };
    let body = problem(
        app.post_with(
            &path,
            &token,
            &json!({"notification_key": String::from_utf8(typo).unwrap(), "notification": new_content}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(body["errors"][0]["code"], "key_mistyped");

    // A stale If-Match loses; nothing changes.
    let stale = app
        .client
        .post(app.url(&path))
        .bearer_auth(&token)
        .header("If-Match", "\"2026-000001.0\"")
        .json(&json!({"notification_key": key.expose(), "notification": new_content}))
        .send()
        .await
        .unwrap();
    problem(stale, 412).await;
    let versions: Value = app.versions(&token, &number).await;
    assert_eq!(versions["items"].as_array().unwrap().len(), 1);

    // The right key and ETag: version 2 waits; version 1 stays what counts.
    let typed = key.expose().to_lowercase().replace('-', " ");
    let response = app
        .client
        .post(app.url(&path))
        .bearer_auth(&token)
        .header("If-Match", &etag)
        .json(&json!({"notification_key": typed, "notification": new_content}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    assert_eq!(
        response.headers()["location"],
        format!("/v1/notifications/{number}/versions/2")
    );
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["status"], "amendment_awaiting_confirmation");
    assert_eq!(body["version"], 2);
    assert!(body.get("replaced_pending_version").is_none());
    assert!(
        !body.to_string().contains(&key.expose()),
        "the key is never returned"
    );

    let current: Value = app.notification(&token, &number).await;
    assert_eq!(current["registered_version"], 1);
    assert_eq!(current["content_version"], 1);
    assert_eq!(
        current["content"]["description"],
        "Kvalitetsstudie av hjemmetjenester."
    );
    assert_eq!(
        current["pending"],
        json!({"kind": "amendment", "version": 2})
    );

    // The old ETag is stale now.
    let response = app
        .client
        .post(app.url(&path))
        .bearer_auth(&token)
        .header("If-Match", &etag)
        .json(&json!({"notification_key": key.expose(), "notification": new_content}))
        .send()
        .await
        .unwrap();
    problem(response, 412).await;

    // A second amendment replaces the waiting one.
    let third = set(example(), "/purpose", json!("health_services"));
    let third = set(
        set(third, "/research_area", Value::Null),
        "/research",
        Value::Null,
    );
    let body: Value = app
        .post_with(
            &path,
            &token,
            &json!({"notification_key": key.expose(), "notification": third}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(body["version"], 3);
    assert_eq!(body["replaced_pending_version"], 2);
    let versions: Value = app.versions(&token, &number).await;
    let states: Vec<_> = versions["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["state"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["confirmed", "superseded", "pending"]);
    let v3: Value = app.version(&token, &number, 3).await;
    assert_eq!(v3["content"]["purpose"], "health_services");
    assert_eq!(v3["kind"], "amendment");

    let diff: Value = app
        .get_with(
            &format!("/v1/notifications/{number}/diff?from=1&to=3"),
            &token,
        )
        .await
        .json()
        .await
        .unwrap();
    let pointers: Vec<_> = diff["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["pointer"].as_str().unwrap())
        .collect();
    assert!(pointers.contains(&"/purpose"), "{pointers:?}");
    assert!(pointers.contains(&"/research"), "{pointers:?}");
    assert!(!pointers.contains(&"/controller/name"));
    problem(
        app.get_with(&format!("/v1/notifications/{number}/diff?from=1"), &token)
            .await,
        400,
    )
    .await;
    problem(
        app.get_with(
            &format!("/v1/notifications/{number}/diff?from=1&to=9"),
            &token,
        )
        .await,
        404,
    )
    .await;
}

#[tokio::test]
async fn wrong_keys_for_one_notification_are_throttled() {
    let app = app_with_known_secret().await;
    let (token, _) = app.admin().await;
    let number = app.submitted(&token).await;
    let key = register_with_key(&app, &number).await;
    let path = format!("/v1/notifications/{number}/withdrawal");
    for _ in 0..5 {
        let wrong = NotificationKey::generate();
        problem(
            app.post_with(&path, &token, &json!({"notification_key": wrong.expose()}))
                .await,
            404,
        )
        .await;
    }
    let response = app
        .post_with(
            &path,
            &token,
            &json!({"notification_key": NotificationKey::generate().expose()}),
        )
        .await;
    assert!(response.headers().contains_key("retry-after"));
    problem(response, 429).await;
    // While blocked, not even the right key is tried.
    problem(
        app.post_with(&path, &token, &json!({"notification_key": key.expose()}))
            .await,
        429,
    )
    .await;
}

#[tokio::test]
async fn withdrawal_with_the_key_waits_for_confirmation() {
    let app = app_with_known_secret().await;
    let (token, _) = app.admin().await;
    let number = app.submitted(&token).await;
    let key = register_with_key(&app, &number).await;
    let path = format!("/v1/notifications/{number}/withdrawal");
    let response = app
        .client
        .post(app.url(&path))
        .bearer_auth(&token)
        .header("Idempotency-Key", "withdraw-1")
        .json(&json!({"notification_key": key.expose()}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["status"], "withdrawal_awaiting_confirmation");
    // A retry replays; a second withdrawal is not allowed.
    let again = app
        .client
        .post(app.url(&path))
        .bearer_auth(&token)
        .header("Idempotency-Key", "withdraw-1")
        .json(&json!({"notification_key": key.expose()}))
        .send()
        .await
        .unwrap();
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    let body = problem(
        app.post_with(&path, &token, &json!({"notification_key": key.expose()}))
            .await,
        409,
    )
    .await;
    assert_eq!(body["code"], "transition_not_allowed");
    let current: Value = app.notification(&token, &number).await;
    assert_eq!(current["pending"]["kind"], "withdrawal");
    assert_eq!(current["registered_version"], 1);
}

#[tokio::test]
async fn versions_and_the_audit_log_cannot_be_changed_in_the_database() {
    let app = spawn_app().await;
    let (token, _) = app.admin().await;
    let number = app.submitted(&token).await;
    let mut conn = app.connection().await;
    for sql in [
        "UPDATE notification_versions SET content = '{}'::jsonb",
        "UPDATE notification_versions SET content_digest = repeat('0', 64)",
        "UPDATE notification_versions SET submitted_at = now() - interval '1 day'",
        "DELETE FROM notification_versions",
        "TRUNCATE notification_versions CASCADE",
        "UPDATE audit_log SET action = 'x'",
        "DELETE FROM audit_log",
    ] {
        let err = diesel::sql_query(sql)
            .execute(&mut conn)
            .await
            .expect_err(sql);
        assert!(
            err.to_string().contains("immutable") || err.to_string().contains("append-only"),
            "{sql}: {err}"
        );
    }
    // The submission was audited, with who and which request.
    #[derive(diesel::QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Text)]
        actor_kind: String,
        #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
        request_id: Option<String>,
    }
    let rows: Vec<Row> = diesel::sql_query("SELECT actor_kind, request_id FROM audit_log WHERE subject = $1 AND action = 'notification.submitted'")
        .bind::<diesel::sql_types::Text, _>(format!("notification:{number}"))
        .load(&mut conn)
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].actor_kind, "user");
    assert!(rows[0].request_id.is_some());
}
