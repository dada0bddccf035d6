//! Who the controller is (issue 13.11): any organisation may name another
//! organisation as the controller, and any organisation number can be
//! claimed first. Each version says whether the controller is the
//! submitting organisation itself, and the back office can mark an
//! organisation's claim as disputed.

use serde_json::{Value, json};

use crate::fixtures::*;
use crate::helpers::*;

async fn versions(app: &TestApp, token: &str, number: &str) -> Value {
    app.get_with(&format!("/v1/notifications/{number}/versions"), token)
        .await
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn each_version_says_whether_the_controller_is_the_submitter() {
    let app = spawn_app().await;
    let (token, registered) = app.admin().await;
    let own = registered["organisation"]["identifier"]["value"]
        .as_str()
        .unwrap();

    // The example names another organisation (974761467) as controller.
    let for_another = app.submitted(&token).await;
    let listed = versions(&app, &token, &for_another).await;
    assert_eq!(listed["items"][0]["controller_is_submitter"], false);

    // Naming itself.
    let body = set(example(), "/controller/identifier/value", json!(own));
    let response = app.submit(&token, &body).await;
    assert_eq!(response.status(), 201);
    let itself: Value = response.json().await.unwrap();
    let number = itself["number"].as_str().unwrap();
    let listed = versions(&app, &token, number).await;
    assert_eq!(listed["items"][0]["controller_is_submitter"], true);
}

#[tokio::test]
async fn the_back_office_marks_an_organisations_claim_disputed() {
    let app = spawn_app().await;
    let (token, registered) = app.admin().await;
    let id = registered["organisation"]["id"].as_str().unwrap();
    let path = format!("/v1/admin/organisations/{id}");
    let regulator = regulator_token(&app).await;

    let seen: Value = app.get_with(&path, &regulator).await.json().await.unwrap();
    assert_eq!(seen["claim_disputed"], false);

    // Nobody but a regulator finds these routes.
    problem(app.get_with(&path, &token).await, 404).await;
    let note = json!({ "note": "Enhetsregisteret names another contact." });
    problem(
        app.client
            .put(app.url(&format!("{path}/dispute")))
            .bearer_auth(&token)
            .json(&note)
            .send()
            .await
            .unwrap(),
        404,
    )
    .await;

    let marked: Value = app
        .client
        .put(app.url(&format!("{path}/dispute")))
        .bearer_auth(&regulator)
        .json(&note)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(marked["claim_disputed"], true);
    assert_eq!(
        marked["claim_dispute_note"],
        "Enhetsregisteret names another contact."
    );
    let blank = app
        .client
        .put(app.url(&format!("{path}/dispute")))
        .bearer_auth(&regulator)
        .json(&json!({ "note": "  " }))
        .send()
        .await
        .unwrap();
    assert_eq!(problem(blank, 422).await["errors"][0]["pointer"], "/note");

    let cleared: Value = app
        .client
        .delete(app.url(&format!("{path}/dispute")))
        .bearer_auth(&regulator)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(cleared["claim_disputed"], false);
    problem(
        app.get_with(
            &format!("/v1/admin/organisations/{}", uuid::Uuid::new_v4()),
            &regulator,
        )
        .await,
        404,
    )
    .await;
}
