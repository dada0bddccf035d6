//! The database goes away under a running service (issue 13.9): requests
//! are answered 503 with `Retry-After` as problem+json, never 500;
//! readiness says so; and all is well again once the database is back.

use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};

use crate::helpers::*;

/// Lets no new connection into the test's database and ends those open,
/// or lets them in again.
async fn database_reachable(app: &TestApp, reachable: bool) {
    let name = app
        .database_url
        .rsplit('/')
        .next()
        .unwrap()
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    let admin_url = with_database(&app.database_url, "postgres");
    let mut conn = AsyncPgConnection::establish(&admin_url).await.unwrap();
    diesel::sql_query(format!(
        "ALTER DATABASE \"{name}\" ALLOW_CONNECTIONS {reachable}"
    ))
    .execute(&mut conn)
    .await
    .unwrap();
    if !reachable {
        diesel::sql_query(format!(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"
        ))
        .execute(&mut conn)
        .await
        .unwrap();
    }
}

#[tokio::test]
async fn a_database_outage_is_a_503_with_retry_after_not_a_500() {
    let app = spawn_app().await;
    let (token, _) = app.admin().await;
    assert_eq!(app.get("/health/ready").await.status(), 200);

    database_reachable(&app, false).await;
    for (what, response) in [
        ("list", app.get_with("/v1/notifications", &token).await),
        ("me", app.get_with("/v1/me", &token).await),
        (
            "registration",
            app.post_json(
                "/v1/organisations",
                &registration(&new_orgnr(), "outage@example.no"),
            )
            .await,
        ),
        ("readiness", app.get("/health/ready").await),
    ] {
        let status = response.status();
        let retry = response.headers().get("retry-after").cloned();
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(status, 503, "{what}: {body}");
        assert!(retry.is_some(), "{what}: no Retry-After");
        assert_eq!(body["status"], 503, "{what}");
    }

    // What needs no database is served all the same.
    assert_eq!(app.get("/v1/code-lists").await.status(), 200);

    database_reachable(&app, true).await;
    let mut back = false;
    for _ in 0..50 {
        if app.get("/health/ready").await.status() == 200 {
            back = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(back, "ready again once the database is back");
    assert_eq!(
        app.get_with("/v1/notifications", &token).await.status(),
        200
    );
}
