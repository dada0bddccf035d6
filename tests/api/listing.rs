//! Lists of one's notifications: filters, cursors, and other tenants.

use serde_json::{Value, json};

use crate::fixtures::*;
use crate::helpers::*;

#[tokio::test]
async fn lists_page_with_filters_and_without_gaps() {
    let app = spawn_app().await;
    let (token, _) = app.admin().await;
    let mut expected = Vec::new();
    for i in 0..5 {
        let mut body = example();
        if i % 2 == 0 {
            body = set(
                set(
                    set(body, "/purpose", json!("cctv")),
                    "/research_area",
                    Value::Null,
                ),
                "/research",
                Value::Null,
            );
            body = set(
                body,
                "/description",
                json!(format!("Kameraovervåking ved skole {i}")),
            );
        }
        let created: Value = app.submit(&token, &body).await.json().await.unwrap();
        expected.push(created["number"].as_str().unwrap().to_owned());
    }
    let mut seen = Vec::new();
    let mut cursor = String::new();
    for _ in 0..10 {
        let path = format!("/v1/notifications?limit=2{cursor}");
        let page: Value = app.get_with(&path, &token).await.json().await.unwrap();
        assert!(page["items"].as_array().unwrap().len() <= 2);
        seen.extend(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["number"].as_str().unwrap().to_owned()),
        );
        match page["next_cursor"].as_str() {
            Some(next) => cursor = format!("&cursor={next}"),
            None => break,
        }
    }
    assert_eq!(seen, expected, "every one once, in a stable order");

    let count = |path: &str| {
        let path = path.to_owned();
        let token = token.clone();
        let app = &app;
        async move {
            let page: Value = app.get_with(&path, &token).await.json().await.unwrap();
            page["items"].as_array().unwrap().len()
        }
    };
    assert_eq!(count("/v1/notifications?purpose=cctv").await, 3);
    assert_eq!(
        count("/v1/notifications?purpose=research&status=awaiting_confirmation").await,
        2
    );
    assert_eq!(count("/v1/notifications?q=skole%202").await, 1);
    assert_eq!(count("/v1/notifications?q=FJORDVIK").await, 5);
    assert_eq!(count("/v1/notifications?q=100%25").await, 0, "% is literal");
    assert_eq!(count("/v1/notifications?status=registered").await, 0);
    assert_eq!(
        count("/v1/notifications?law=personopplysningsloven&sector=county_or_municipal").await,
        5
    );
    let body = problem(
        app.get_with("/v1/notifications?status=happy", &token).await,
        400,
    )
    .await;
    assert_eq!(body["errors"][0]["pointer"], "status");
    let body = problem(app.get_with("/v1/notifications?limit=0", &token).await, 400).await;
    assert_eq!(body["errors"][0]["pointer"], "limit");
}

#[tokio::test]
async fn another_organisations_notifications_are_not_found() {
    let app = app_with_known_secret().await;
    let (a, _) = app.admin().await;
    let (b, _) = app.admin().await;
    let number = app.submitted(&a).await;
    let key = register_with_key(&app, &number).await;
    for path in [
        format!("/v1/notifications/{number}"),
        format!("/v1/notifications/{number}/versions"),
        format!("/v1/notifications/{number}/versions/1"),
        format!("/v1/notifications/{number}/diff?from=1&to=1"),
    ] {
        problem(app.get_with(&path, &b).await, 404).await;
        assert_eq!(app.get_with(&path, &a).await.status(), 200, "{path}");
    }
    // Even with the right key, B cannot amend A's notification.
    let amendment = json!({"notification_key": key.expose(), "notification": example()});
    problem(
        app.post_with(
            &format!("/v1/notifications/{number}/amendments"),
            &b,
            &amendment,
        )
        .await,
        404,
    )
    .await;
    problem(
        app.post_with(
            &format!("/v1/notifications/{number}/withdrawal"),
            &b,
            &json!({"notification_key": key.expose()}),
        )
        .await,
        404,
    )
    .await;
    let list: Value = app.notifications(&b, "").await;
    assert!(list["items"].as_array().unwrap().is_empty());
    // Malformed numbers are simply not found.
    problem(
        app.get_with("/v1/notifications/not-a-number", &a).await,
        404,
    )
    .await;
}
