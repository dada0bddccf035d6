//! Every request acts on the caller as the database has it now: a removed
//! admin or a revoked client loses its rights at once, on every route,
//! whatever its access token still says (issue 13.1).

use serde_json::{Value, json};

use crate::helpers::*;

#[tokio::test]
async fn a_removed_admin_is_refused_on_every_route_with_the_old_token() {
    let app = spawn_app().await;
    let (first, _) = app.admin().await;
    let second_view: Value = app
        .post_with(
            "/v1/organisation/users",
            &first,
            &json!({"email": "second@example.no", "password": PASSWORD, "role": "admin"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let second = app.login("second@example.no", PASSWORD).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let me: Value = app.get_json("/v1/me", &second).await;
    let first_id = app.get_json("/v1/me", &first).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(me["role"], "admin");

    // The first admin removes the second.
    let id = second_view["id"].as_str().unwrap();
    let removed = app
        .delete_with(&format!("/v1/organisation/users/{id}"), &first)
        .await;
    assert_eq!(removed.status(), 204);

    // The second admin's token, still unexpired, opens nothing.
    let attempts = [
        app.post_with(
            "/v1/organisation/users",
            &second,
            &json!({"email": "backdoor@example.no", "password": PASSWORD, "role": "admin"}),
        )
        .await,
        app.post_with(
            "/v1/organisation/api-clients",
            &second,
            &json!({"name": "Bakdør"}),
        )
        .await,
        app.delete_with(&format!("/v1/organisation/users/{first_id}"), &second)
            .await,
        app.get_with("/v1/organisation/users", &second).await,
        app.get_with("/v1/notifications", &second).await,
        app.get_with("/v1/me", &second).await,
    ];
    for response in attempts {
        let body = problem(response, 401).await;
        assert_eq!(
            body["detail"],
            "Kontoen som dette tokenet ble utstedt til, er fjernet eller tilbakekalt",
            "{body}"
        );
        assert_eq!(body["code"], "invalid_token", "{body}");
    }
    // Nothing was made, and the first admin is still there.
    let users = app.get_json("/v1/organisation/users", &first).await;
    let emails: Vec<&str> = users["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["email"].as_str().unwrap())
        .collect();
    assert!(!emails.contains(&"backdoor@example.no"), "{emails:?}");
    assert_eq!(emails.len(), 1);
}

#[tokio::test]
async fn a_revoked_client_is_refused_at_once() {
    let app = spawn_app().await;
    let (admin, _) = app.admin().await;
    let client: Value = app
        .post_with(
            "/v1/organisation/api-clients",
            &admin,
            &json!({"name": "Sak og arkiv"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let token: Value = app
        .post_json(
            "/v1/auth/token",
            &json!({
                "grant_type": "client_credentials",
                "client_id": client["client_id"],
                "client_secret": client["client_secret"],
            }),
        )
        .await
        .json()
        .await
        .unwrap();
    let access = token["access_token"].as_str().unwrap();
    assert_eq!(
        app.get_with("/v1/notifications", access).await.status(),
        200
    );
    let id = client["id"].as_str().unwrap();
    let revoked = app
        .delete_with(&format!("/v1/organisation/api-clients/{id}"), &admin)
        .await;
    assert_eq!(revoked.status(), 204);
    problem(app.get_with("/v1/notifications", access).await, 401).await;
    problem(app.submit(access, &crate::fixtures::example()).await, 401).await;
}

#[tokio::test]
async fn two_uses_of_one_refresh_token_at_once_never_leave_a_working_token() {
    let app = spawn_app().await;
    let email = format!("race-{}@example.no", uuid::Uuid::new_v4().simple());
    app.register(&email).await;
    for trial in 0..50 {
        let signed_in = app.login(&email, PASSWORD).await;
        let body = json!({
            "grant_type": "refresh_token",
            "refresh_token": signed_in["refresh_token"],
        });
        // Both requests are released together.
        let (first, second) = tokio::join!(
            app.post_json("/v1/auth/token", &body),
            app.post_json("/v1/auth/token", &body)
        );
        let mut winners = Vec::new();
        let mut losers = 0;
        for response in [first, second] {
            if response.status() == 200 {
                winners.push(response.json::<Value>().await.unwrap());
            } else {
                assert_eq!(response.status(), 401, "trial {trial}");
                losers += 1;
            }
        }
        assert!(winners.len() <= 1, "trial {trial}: both uses won");
        if let (Some(winner), 1) = (winners.first(), losers) {
            // The loser's reuse revoked the family: the winner's new token
            // must not work either.
            let again = app
                .post_json(
                    "/v1/auth/token",
                    &json!({ "grant_type": "refresh_token", "refresh_token": winner["refresh_token"] }),
                )
                .await;
            assert_eq!(
                again.status(),
                401,
                "trial {trial}: a token issued into a revoked family works"
            );
        }
    }
}

/// The read of one notification checks the caller together with its look-up
/// (one round trip): the caller's answer still comes first.
#[tokio::test]
async fn a_removed_member_reads_no_notification_and_learns_nothing_of_numbers() {
    let app = spawn_app().await;
    let (admin, _) = app.admin().await;
    let number = app.submitted(&admin).await;
    let member_view: Value = app
        .post_with(
            "/v1/organisation/users",
            &admin,
            &json!({"email": "member@example.no", "password": PASSWORD, "role": "member"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let member = app.login("member@example.no", PASSWORD).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        app.notification(&member, &number).await["number"],
        number.as_str()
    );
    let id = member_view["id"].as_str().unwrap();
    let removed = app
        .delete_with(&format!("/v1/organisation/users/{id}"), &admin)
        .await;
    assert_eq!(removed.status(), 204);
    for path in [
        format!("/v1/notifications/{number}"),
        "/v1/notifications/2026-999999".to_owned(),
    ] {
        let body = problem(app.get_with(&path, &member).await, 401).await;
        assert_eq!(body["code"], "invalid_token", "{path}: {body}");
    }
}
