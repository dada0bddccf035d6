//! Browsers: public read-only routes open to any origin, the rest only to
//! the configured origins; preflights answered for the route's methods.

use reqwest::Method;

use crate::helpers::*;

const FORM_SITE: &str = "https://skjema.example.no";

async fn app() -> TestApp {
    spawn_app_with(|s| s.cors_origins = vec![FORM_SITE.to_owned()]).await
}

async fn preflight(app: &TestApp, path: &str, origin: &str, method: &str) -> reqwest::Response {
    app.client
        .request(Method::OPTIONS, app.url(path))
        .header("Origin", origin)
        .header("Access-Control-Request-Method", method)
        .header(
            "Access-Control-Request-Headers",
            "authorization, content-type",
        )
        .send()
        .await
        .unwrap()
}

fn header<'a>(response: &'a reqwest::Response, name: &str) -> Option<&'a str> {
    response.headers().get(name).and_then(|v| v.to_str().ok())
}

#[tokio::test]
async fn public_routes_are_open_to_any_origin() {
    let app = app().await;
    let pre = preflight(&app, "/v1/code-lists", "https://anyone.example", "GET").await;
    assert_eq!(pre.status(), 204);
    assert_eq!(header(&pre, "access-control-allow-origin"), Some("*"));
    let get = app
        .client
        .get(app.url("/v1/code-lists/purposes"))
        .header("Origin", "https://anyone.example")
        .send()
        .await
        .unwrap();
    assert_eq!(get.status(), 200);
    assert_eq!(header(&get, "access-control-allow-origin"), Some("*"));
    assert!(
        header(&get, "access-control-expose-headers")
            .unwrap()
            .contains("ETag")
    );
    let verify = preflight(
        &app,
        "/v1/receipts/verify",
        "https://anyone.example",
        "POST",
    )
    .await;
    assert_eq!(header(&verify, "access-control-allow-origin"), Some("*"));
}

#[tokio::test]
async fn authenticated_routes_are_open_to_the_configured_origins_only() {
    let app = app().await;
    let pre = preflight(&app, "/v1/notifications", FORM_SITE, "POST").await;
    assert_eq!(pre.status(), 204);
    assert_eq!(header(&pre, "access-control-allow-origin"), Some(FORM_SITE));
    let methods = header(&pre, "access-control-allow-methods").unwrap();
    assert!(
        methods.contains("POST") && methods.contains("GET"),
        "{methods}"
    );
    let allowed = header(&pre, "access-control-allow-headers").unwrap();
    assert!(allowed.contains("Authorization") && allowed.contains("Idempotency-Key"));

    let stranger = preflight(&app, "/v1/notifications", "https://evil.example", "POST").await;
    assert_eq!(header(&stranger, "access-control-allow-origin"), None);
    let wrong_method = preflight(&app, "/v1/notifications", FORM_SITE, "DELETE").await;
    assert_eq!(header(&wrong_method, "access-control-allow-origin"), None);

    let (token, _) = app.admin().await;
    let me = app
        .client
        .get(app.url("/v1/me"))
        .bearer_auth(&token)
        .header("Origin", FORM_SITE)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 200);
    assert_eq!(header(&me, "access-control-allow-origin"), Some(FORM_SITE));
    let from_stranger = app
        .client
        .get(app.url("/v1/me"))
        .bearer_auth(&token)
        .header("Origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(header(&from_stranger, "access-control-allow-origin"), None);
}
