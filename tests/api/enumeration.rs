//! Nobody learns from an answer whether an e-mail address has an account
//! (issue 13.7). An address is unique within an organisation, not across
//! the service: registering or adding a user with an address that has an
//! account elsewhere makes an account of its own, answered as any other;
//! the password says which account signs in.

use serde_json::{Value, json};

use crate::fixtures::*;
use crate::helpers::*;

async fn sign_in(app: &TestApp, body: Value) -> reqwest::Response {
    app.post_json("/v1/auth/token", &body).await
}

async fn my_organisation(app: &TestApp, tokens: &Value) -> String {
    let me: Value = app
        .get_with("/v1/me", tokens["access_token"].as_str().unwrap())
        .await
        .json()
        .await
        .unwrap();
    me["organisation"]["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn registering_with_an_address_that_has_an_account_elsewhere_tells_nothing() {
    let app = spawn_app().await;
    let first = app
        .post_json(
            "/v1/organisations",
            &registration(&new_orgnr(), "leder@example.no"),
        )
        .await;
    let second = app
        .post_json(
            "/v1/organisations",
            &registration(&new_orgnr(), "Leder@Example.no"),
        )
        .await;
    assert_eq!(first.status(), 201);
    assert_eq!(second.status(), 201, "the same answer as for a new address");
    let first: Value = first.json().await.unwrap();
    let second: Value = second.json().await.unwrap();
    let keys = |v: &Value| {
        v["admin"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect::<Vec<_>>()
    };
    assert_eq!(keys(&first), keys(&second));

    // Both sign in, each to its own organisation; with one password for
    // both, the organisation is named.
    let both =
        json!({ "grant_type": "password", "username": "leder@example.no", "password": PASSWORD });
    let body = problem(sign_in(&app, both.clone()).await, 400).await;
    assert_eq!(body["errors"][0]["pointer"], "organisation_id");
    let mut garbled = both.clone();
    garbled["organisation_id"] = json!("not-a-uuid");
    let body = problem(sign_in(&app, garbled).await, 400).await;
    assert_eq!(body["errors"][0]["code"], "invalid_request");
    for registered in [&first, &second] {
        let id = registered["organisation"]["id"].as_str().unwrap();
        let mut chosen = both.clone();
        // A UUID in any case is the same UUID.
        chosen["organisation_id"] = json!(id.to_uppercase());
        let response = sign_in(&app, chosen).await;
        assert_eq!(response.status(), 200);
        let tokens: Value = response.json().await.unwrap();
        assert_eq!(my_organisation(&app, &tokens).await, id);
    }
}

#[tokio::test]
async fn the_password_says_which_account_signs_in() {
    let app = spawn_app().await;
    let (token, registered) = app.admin().await;
    let (other, _) = app.admin().await;
    // Another organisation adds a user at an address that has an account
    // here, with a password of its own: a 201 like any other.
    let added = app
        .post_with(
            "/v1/organisation/users",
            &other,
            &json!({ "email": "felles@example.no", "password": "a different password here", "role": "member" }),
        )
        .await;
    assert_eq!(added.status(), 201);
    let mine = app
        .post_with(
            "/v1/organisation/users",
            &token,
            &json!({ "email": "felles@example.no", "password": PASSWORD, "role": "member" }),
        )
        .await;
    assert_eq!(mine.status(), 201, "nothing said of the other account");
    // Within one's own organisation an address is there once, and the
    // admin, who sees the users anyway, is told.
    let again = app
        .post_with(
            "/v1/organisation/users",
            &token,
            &json!({ "email": "Felles@example.no", "password": PASSWORD, "role": "member" }),
        )
        .await;
    assert_eq!(problem(again, 409).await["code"], "email_taken");

    let tokens: Value = sign_in(
        &app,
        json!({ "grant_type": "password", "username": "felles@example.no", "password": PASSWORD }),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(
        my_organisation(&app, &tokens).await,
        registered["organisation"]["id"].as_str().unwrap()
    );
}

#[tokio::test]
async fn a_regulators_address_is_not_revealed_either() {
    let app = spawn_app().await;
    regulator_token(&app).await;
    let response = app
        .post_json(
            "/v1/organisations",
            &registration(&new_orgnr(), "saksbehandler@datatilsynet.no"),
        )
        .await;
    assert_eq!(response.status(), 201);
}
