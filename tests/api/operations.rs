//! Health, readiness, metrics, request ids, the docs.

use crate::helpers::{drop_database, problem, spawn_app};

#[tokio::test]
async fn liveness_and_readiness_answer_ok() {
    let app = spawn_app().await;
    for path in ["/health/live", "/health/ready"] {
        let response = app.get(path).await;
        assert_eq!(response.status(), 200, "{path}");
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["status"], "ok", "{path}");
    }
}

#[tokio::test]
async fn readiness_is_503_while_the_database_does_not_answer() {
    let app = spawn_app().await;
    assert_eq!(app.get("/health/ready").await.status(), 200);
    drop_database(&app.database_url).await;
    let response = app.get("/health/ready").await;
    assert!(response.headers().contains_key("retry-after"));
    let body = problem(response, 503).await;
    assert_eq!(body["detail"], "Databasen svarer ikke");
    // Liveness does not depend on the database.
    assert_eq!(app.get("/health/live").await.status(), 200);
}

#[tokio::test]
async fn every_response_carries_a_request_id() {
    let app = spawn_app().await;
    let generated = app.get("/health/live").await;
    let id = generated.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        uuid::Uuid::parse_str(&id).is_ok(),
        "a generated id is a UUID: {id}"
    );

    let echoed = app
        .client
        .get(app.url("/health/live"))
        .header("X-Request-Id", "case-4711")
        .send()
        .await
        .unwrap();
    assert_eq!(echoed.headers()["x-request-id"], "case-4711");

    // An id that could forge log lines is replaced.
    let replaced = app
        .client
        .get(app.url("/health/live"))
        .header("X-Request-Id", "a b \"c\"")
        .send()
        .await
        .unwrap();
    let id = replaced.headers()["x-request-id"].to_str().unwrap();
    assert!(uuid::Uuid::parse_str(id).is_ok(), "{id}");

    // Errors carry it too.
    let missing = app
        .client
        .get(app.url("/no/such/thing"))
        .header("X-Request-Id", "err-1")
        .send()
        .await
        .unwrap();
    assert_eq!(missing.headers()["x-request-id"], "err-1");
}

#[tokio::test]
async fn metrics_count_requests_by_route_and_status_and_show_the_pool() {
    let app = spawn_app().await;
    app.get("/health/live").await;
    app.get("/health/live").await;
    app.get("/nowhere").await;
    let response = app.get("/metrics").await;
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    let text = response.text().await.unwrap();
    assert!(
        text.contains(
            r#"meldeplikt_http_requests_total{method="GET",route="/health/live",status="200"} 2"#
        ),
        "{text}"
    );
    assert!(
        text.contains(
            r#"meldeplikt_http_requests_total{method="GET",route="unmatched",status="404"} 1"#
        ),
        "{text}"
    );
    assert!(
        text.contains("meldeplikt_http_request_duration_seconds_bucket{"),
        "{text}"
    );
    assert!(text.contains("meldeplikt_db_pool_max 4"), "{text}");
    assert!(text.contains("meldeplikt_db_pool_connections "), "{text}");
}

#[tokio::test]
async fn swagger_ui_is_served_at_docs() {
    let app = spawn_app().await;
    let redirect = app.get("/docs").await;
    assert_eq!(redirect.status(), 308);
    assert_eq!(redirect.headers()["location"], "/docs/");
    let page = app.get("/docs/").await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("swagger-ui"), "{html}");
    let init = app.get("/docs/swagger-initializer.js").await;
    assert_eq!(init.status(), 200);
    assert!(init.text().await.unwrap().contains("/openapi.json"));
}

#[tokio::test]
async fn graceful_stop_lets_the_server_finish_and_then_refuses() {
    let app = spawn_app().await;
    assert_eq!(app.get("/health/live").await.status(), 200);
    app.stop().await;
    assert!(
        app.client
            .get(app.url("/health/live"))
            .send()
            .await
            .is_err(),
        "a stopped server no longer accepts connections"
    );
}

#[tokio::test]
async fn head_is_served_wherever_get_is() {
    let app = crate::helpers::spawn_app().await;
    let get = app.get("/v1/code-lists/purposes").await;
    let get_length = get.bytes().await.unwrap().len();
    let head = app
        .client
        .request(reqwest::Method::HEAD, app.url("/v1/code-lists/purposes"))
        .send()
        .await
        .unwrap();
    assert_eq!(head.status(), 200);
    assert!(head.headers().contains_key("etag"));
    assert_eq!(
        head.headers()["content-length"].to_str().unwrap(),
        get_length.to_string()
    );
    assert!(head.bytes().await.unwrap().is_empty());

    let (token, _) = app.admin().await;
    let number = app.submitted(&token).await;
    let head = app
        .client
        .request(
            reqwest::Method::HEAD,
            app.url(&format!("/v1/notifications/{number}")),
        )
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(head.status(), 200);
    assert!(head.headers().contains_key("etag"));

    let no_get = app
        .client
        .request(reqwest::Method::HEAD, app.url("/v1/auth/token"))
        .send()
        .await
        .unwrap();
    assert_eq!(no_get.status(), 405);
}
