//! What the schema-driven fuzzer (.ci/fuzz) found where the service and its
//! document parted: each test holds the service to what the document says.

use serde_json::json;

use crate::helpers::{PASSWORD, problem, spawn_app};

#[tokio::test]
async fn a_literal_path_refuses_other_methods_even_where_a_template_would_match() {
    let app = spawn_app().await;
    let (token, _) = app.admin().await;
    // `/v1/receipts/verify` is not the receipt `{id}` "verify".
    let response = app.get("/v1/receipts/verify").await;
    assert_eq!(response.headers()["allow"], "POST");
    problem(response, 405).await;
    let response = app.get_with("/v1/notifications/validate", &token).await;
    assert_eq!(response.headers()["allow"], "POST");
    problem(response, 405).await;
    // The template itself still answers.
    problem(
        app.get(&format!("/v1/receipts/{}", uuid::Uuid::new_v4()))
            .await,
        401,
    )
    .await;
}

#[tokio::test]
async fn the_token_endpoint_ignores_parameters_it_does_not_know() {
    let app = spawn_app().await;
    let email = "extra@example.no";
    app.register(email).await;
    // RFC 6749 §3.2: unrecognised parameters are ignored, so a control
    // character in one is nobody's concern; in a known one it still is.
    let response = app
        .client
        .post(app.url("/v1/auth/token"))
        .form(&[
            ("grant_type", "password"),
            ("username", email),
            ("password", PASSWORD),
            ("x\u{1}", "\u{0}"),
            ("scope", "anything"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let tokens: serde_json::Value = response.json().await.unwrap();
    let body = problem(
        app.client
            .post(app.url("/v1/auth/token"))
            .form(&[
                ("grant_type", "password"),
                ("username", "a\u{0}b"),
                ("password", PASSWORD),
            ])
            .send()
            .await
            .unwrap(),
        422,
    )
    .await;
    assert_eq!(body["errors"][0]["pointer"], "/username");

    let access = tokens["access_token"].as_str().unwrap();
    let refresh = tokens["refresh_token"].as_str().unwrap();
    let response = app
        .client
        .post(app.url("/v1/auth/revoke"))
        .bearer_auth(access)
        .form(&[("refresh_token", refresh), ("\u{4}", "\u{1c}")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
}

#[tokio::test]
async fn any_cursor_of_the_documented_form_is_a_position() {
    let app = spawn_app().await;
    let (token, _) = app.admin().await;
    let from_the_start = format!("0-{}", "f".repeat(32));
    for path in [
        "/v1/organisation/users",
        "/v1/organisation/api-clients",
        "/v1/notifications",
    ] {
        let response = app
            .get_with(&format!("{path}?cursor={from_the_start}"), &token)
            .await;
        assert_eq!(response.status(), 200, "{path}");
        let body = problem(
            app.get_with(&format!("{path}?cursor=k0S"), &token).await,
            400,
        )
        .await;
        assert_eq!(body["errors"][0]["pointer"], "cursor", "{path}");
    }
    let page: serde_json::Value = app
        .get_with(
            &format!("/v1/organisation/users?cursor={from_the_start}"),
            &token,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        page["items"].as_array().unwrap().len(),
        1,
        "the admin, made after 1970"
    );
}

#[tokio::test]
async fn an_empty_filter_is_not_a_code() {
    let app = spawn_app().await;
    let (token, _) = app.admin().await;
    for filter in ["status", "law", "purpose", "sector"] {
        let body = problem(
            app.get_with(&format!("/v1/notifications?{filter}="), &token)
                .await,
            400,
        )
        .await;
        assert_eq!(body["errors"][0]["pointer"], filter);
    }
}

#[tokio::test]
async fn a_jws_of_the_right_form_that_is_no_receipt_is_answered_not_valid() {
    let app = spawn_app().await;
    for jws in ["a.b.c", " \r\n\tfya_.REP.dr\t\n "] {
        let verdict = app.verify(jws).await;
        assert_eq!(verdict["valid"], false, "{jws:?}");
        assert_eq!(verdict["reason_code"], "unreadable");
    }
    // Not of that form at all: 422 naming the field.
    for jws in ["hello", "a.b", "a..c", "a.b.c.d", "a.b\u{b}.c"] {
        let body = problem(
            app.post_json("/v1/receipts/verify", &json!({ "jws": jws }))
                .await,
            422,
        )
        .await;
        assert_eq!(body["errors"][0]["pointer"], "/jws", "{jws:?}");
    }
}
