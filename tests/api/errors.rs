//! Every error answers problem+json with the right status, never bare text
//! or a 500.

use actix_web::middleware::from_fn;
use actix_web::{App, HttpResponse, test, web};
use meldeplikt::extract::{ApiJson, BodyLimit};

use crate::helpers::{problem, spawn_app};

#[tokio::test]
async fn an_unknown_route_is_a_404_problem() {
    let app = spawn_app().await;
    let body = problem(app.get("/v1/nothing-here").await, 404).await;
    assert_eq!(
        body["title"], "Ikke funnet",
        "bokmål unless asked otherwise"
    );
}

#[tokio::test]
async fn problem_titles_and_details_come_in_the_language_asked_for() {
    let app = spawn_app().await;
    let in_lang = |lang: &'static str| {
        app.client
            .delete(app.url("/health/ready"))
            .header("Accept-Language", lang)
            .send()
    };
    let nn = problem(in_lang("nn").await.unwrap(), 405).await;
    assert_eq!(nn["title"], "Metoden er ikkje tillaten");
    assert_eq!(nn["detail"], "Denne ressursen tillèt berre GET, HEAD");
    let en = problem(in_lang("en-GB, nb;q=0.5").await.unwrap(), 405).await;
    assert_eq!(en["title"], "Method not allowed");
    assert_eq!(en["detail"], "This resource allows only GET, HEAD");
    let nb = problem(in_lang("nb").await.unwrap(), 405).await;
    assert_eq!(nb["title"], "Metoden er ikke tillatt");
}

#[tokio::test]
async fn a_wrong_method_is_a_405_problem_with_allow() {
    let app = spawn_app().await;
    let response = app
        .client
        .delete(app.url("/health/ready"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["allow"], "GET, HEAD");
    let body = problem(response, 405).await;
    assert!(body["detail"].as_str().unwrap().contains("GET"));
}

#[tokio::test]
async fn a_query_string_never_makes_a_route_unknown() {
    let app = spawn_app().await;
    assert_eq!(app.get("/health/live?x=1").await.status(), 200);
}

/// A body as the API's handlers read it, behind the service's own middleware.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[expect(dead_code, reason = "only parsing is tested")]
struct Body {
    name: String,
    items: Vec<Item>,
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[expect(dead_code, reason = "only parsing is tested")]
struct Item {
    count: u32,
}

async fn echo(_body: ApiJson<Body>) -> HttpResponse {
    HttpResponse::NoContent().finish()
}

async fn send(request: test::TestRequest) -> (u16, String, serde_json::Value) {
    let service = test::init_service(
        App::new()
            .wrap(from_fn(meldeplikt::telemetry::observe))
            .app_data(BodyLimit(1024))
            .route("/echo", web::post().to(echo)),
    )
    .await;
    let response = test::call_service(&service, request.uri("/echo").to_request()).await;
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let bytes = test::read_body(response).await;
    let body = serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null);
    (status, content_type, body)
}

#[actix_web::test]
async fn bad_bodies_get_problems_that_name_the_field() {
    let json = |s: &'static str| {
        test::TestRequest::post()
            .insert_header(("content-type", "application/json"))
            .set_payload(s)
    };
    type Case = (
        &'static str,
        test::TestRequest,
        u16,
        Option<(&'static str, &'static str)>,
    );
    let cases: Vec<Case> = vec![
        (
            "malformed",
            json("{\"name\":"),
            400,
            Some(("", "malformed_json")),
        ),
        (
            "missing field",
            json(r#"{"items":[]}"#),
            422,
            Some(("/name", "required")),
        ),
        (
            "unknown field",
            json(r#"{"name":"a","items":[],"x":1}"#),
            422,
            Some(("/x", "unknown_field")),
        ),
        (
            "wrong type deep down",
            json(r#"{"name":"a","items":[{"count":-1}]}"#),
            422,
            Some(("/items/0/count", "invalid_type")),
        ),
        (
            "wrong content type",
            test::TestRequest::post()
                .insert_header(("content-type", "text/plain"))
                .set_payload(r#"{"name":"a","items":[]}"#),
            415,
            None,
        ),
        (
            "no content type",
            test::TestRequest::post().set_payload(r#"{"name":"a","items":[]}"#),
            415,
            None,
        ),
        (
            "oversized",
            test::TestRequest::post()
                .insert_header(("content-type", "application/json"))
                .set_payload(format!(r#"{{"name":"{}","items":[]}}"#, "x".repeat(2000))),
            413,
            None,
        ),
    ];
    for (what, request, status, field) in cases {
        let (got, content_type, body) = send(request).await;
        assert_eq!(got, status, "{what}: {body}");
        assert_eq!(content_type, "application/problem+json", "{what}");
        assert_eq!(body["status"], status, "{what}");
        if let Some((pointer, code)) = field {
            assert_eq!(body["errors"][0]["pointer"], pointer, "{what}: {body}");
            assert_eq!(body["errors"][0]["code"], code, "{what}: {body}");
            assert!(body["errors"][0]["message"].is_string(), "{what}");
        }
    }
    // A good body passes.
    let (status, _, _) = send(json(r#"{"name":"a","items":[{"count":1}]}"#)).await;
    assert_eq!(status, 204);
    // `application/problem+json`-style suffixes are JSON too.
    let (status, _, _) = send(
        test::TestRequest::post()
            .insert_header((
                "content-type",
                "application/merge-patch+json; charset=utf-8",
            ))
            .set_payload(r#"{"name":"a","items":[]}"#),
    )
    .await;
    assert_eq!(status, 204);
}

#[actix_web::test]
async fn a_bare_error_from_actix_itself_becomes_problem_json() {
    let service = test::init_service(
        App::new()
            .wrap(from_fn(meldeplikt::telemetry::observe))
            .route(
                "/teapot",
                web::get().to(|| async { HttpResponse::ImATeapot().body("short and stout") }),
            ),
    )
    .await;
    let response = test::call_service(
        &service,
        test::TestRequest::get().uri("/teapot").to_request(),
    )
    .await;
    assert_eq!(response.status(), 418);
    assert_eq!(
        response.headers().get("content-type").unwrap(),
        "application/problem+json"
    );
    let body: serde_json::Value = test::read_body_json(response).await;
    assert_eq!(body["status"], 418);
}

#[tokio::test]
async fn the_real_server_refuses_bodies_it_cannot_take() {
    let app = crate::helpers::spawn_app_with(|s| s.max_body_bytes = 2048).await;
    let wrong_type = app
        .client
        .post(app.url("/v1/organisations"))
        .header("content-type", "text/xml")
        .body("<organisation/>")
        .send()
        .await
        .unwrap();
    let body = problem(wrong_type, 415).await;
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .contains("application/json")
    );
    let oversized = app
        .client
        .post(app.url("/v1/organisations"))
        .header("content-type", "application/json")
        .body(format!("{{\"name\":\"{}\"}}", "x".repeat(4096)))
        .send()
        .await
        .unwrap();
    let body = problem(oversized, 413).await;
    assert!(body["detail"].as_str().unwrap().contains("2048"));
    // The token endpoint reads forms itself; its limit holds too.
    let oversized_form = app
        .client
        .post(app.url("/v1/auth/token"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!(
            "grant_type=password&username={}",
            "x".repeat(300_000)
        ))
        .send()
        .await
        .unwrap();
    problem(oversized_form, 413).await;
}

/// Issue 12.5: an over-long URL or header is a problem in the language
/// asked for, never an empty answer.
#[tokio::test]
async fn an_over_long_uri_or_header_is_a_problem_not_an_empty_answer() {
    let app = spawn_app().await;
    let long = "a".repeat(9 * 1024);
    let response = app
        .client
        .get(app.url(&format!("/v1/code-lists?x={long}")))
        .header("Accept-Language", "nn")
        .send()
        .await
        .unwrap();
    let body = problem(response, 414).await;
    assert_eq!(body["title"], "Adressa er for lang");

    let response = app
        .client
        .get(app.url("/health/live"))
        .header("X-Padding", "b".repeat(17 * 1024))
        .send()
        .await
        .unwrap();
    let body = problem(response, 431).await;
    assert!(body["detail"].as_str().unwrap().contains("16384"));

    let mut request = app.client.get(app.url("/health/live"));
    for i in 0..70 {
        request = request.header(format!("X-Many-{i}").as_str(), "1");
    }
    problem(request.send().await.unwrap(), 431).await;
    // Within the limits, all is as usual.
    assert_eq!(app.get("/health/live").await.status(), 200);
}
