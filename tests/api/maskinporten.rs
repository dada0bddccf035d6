//! Maskinporten tokens (issue 18): the organisation a token names is the
//! caller, registered on first use and marked verified; its notifications
//! about itself are marked controller-verified; the vendor acting for it
//! is in the audit log; routes that need a person refuse it. The refusals
//! of wrong tokens are in `maskinporten_refusals.rs`.

use std::time::Duration;

use serde_json::{Value, json};

use crate::fixtures::*;
use crate::helpers::*;
use crate::maskinporten_issuer::*;

async fn me(app: &TestApp, token: &str) -> Value {
    app.get_json("/v1/me", token).await
}

/// Submits `body`; its number.
async fn submitted_with(app: &TestApp, token: &str, body: &Value) -> String {
    let response = app.submit(token, body).await;
    assert_eq!(response.status(), 201);
    response.json::<Value>().await.unwrap()["number"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// The example notification with `orgnr` as its controller.
fn about_itself(orgnr: &str) -> Value {
    set(example(), "/controller/identifier/value", json!(orgnr))
}

#[tokio::test]
async fn the_organisation_a_token_names_is_registered_on_first_use_and_verified() {
    let (app, _file, _dir) = spawn(Duration::from_secs(30)).await;
    let orgnr = new_orgnr();
    let token = token(&orgnr);

    let caller = me(&app, &token).await;
    assert_eq!(caller["kind"], "maskinporten");
    assert_eq!(caller["role"], "member");
    assert_eq!(
        caller["organisation"]["identifier"]["value"],
        orgnr.as_str()
    );
    assert_eq!(
        caller["organisation"]["name"], "",
        "no name until it gives one"
    );
    let id = caller["organisation"]["id"].as_str().unwrap().to_owned();
    assert_eq!(
        me(&app, &token).await["organisation"]["id"],
        id.as_str(),
        "the same organisation"
    );

    // Its first notification about itself names it, and is verified.
    let number = submitted_with(&app, &token, &about_itself(&orgnr)).await;
    let name = example()["controller"]["name"].clone();
    assert_eq!(me(&app, &token).await["organisation"]["name"], name);
    let shown = app.notification(&token, &number).await;
    assert_eq!(shown["controller_verified"], true);
    assert_eq!(
        app.versions(&token, &number).await["items"][0]["controller_verified"],
        true
    );

    // Its events, as any organisation's.
    let events = app.get_json("/v1/events", &token).await;
    assert_eq!(
        events["items"][0]["type"], "notification.submitted",
        "{events}"
    );
    assert_eq!(events["items"][0]["subject"], number.as_str(), "{events}");

    // Naming another organisation is not verified.
    let other = app.submitted(&token).await;
    assert_eq!(
        app.notification(&token, &other).await["controller_verified"],
        false
    );

    // The back office sees which organisations are verified.
    let regulator = regulator_token(&app).await;
    let office = app
        .get_json(&format!("/v1/admin/organisations/{id}"), &regulator)
        .await;
    assert_eq!(office["verified"], true);
    assert!(office["verified_at"].is_string());
    let list = app
        .get_json(
            &format!("/v1/admin/notifications?organisation={orgnr}"),
            &regulator,
        )
        .await;
    assert_eq!(list["items"][0]["organisation"]["verified"], true);
    let one = app
        .get_json(&format!("/v1/admin/notifications/{number}"), &regulator)
        .await;
    assert_eq!(one["organisation"]["verified"], true);
    assert_eq!(one["notification"]["controller_verified"], true);
    assert_eq!(one["versions"][0]["controller_verified"], true);
}

#[tokio::test]
async fn an_organisation_registered_with_a_password_is_verified_by_its_first_token() {
    let (app, _file, _dir) = spawn(Duration::from_secs(30)).await;
    let (password_token, registered) = app.admin().await;
    let orgnr = registered["organisation"]["identifier"]["value"]
        .as_str()
        .unwrap()
        .to_owned();
    let id = registered["organisation"]["id"].as_str().unwrap();
    let regulator = regulator_token(&app).await;
    let office_path = format!("/v1/admin/organisations/{id}");

    // Before any proof: neither the organisation nor its controller.
    assert_eq!(
        app.get_json(&office_path, &regulator).await["verified"],
        false
    );
    let before = submitted_with(&app, &password_token, &about_itself(&orgnr)).await;
    assert_eq!(
        app.notification(&password_token, &before).await["controller_verified"],
        false
    );

    let token = token(&orgnr);
    assert_eq!(me(&app, &token).await["organisation"]["id"], id);
    assert_eq!(
        app.get_json(&office_path, &regulator).await["verified"],
        true
    );
    // Its name stays; the earlier version stays unverified. What the
    // system submits is verified; what a person's account submits is
    // not (whoever registered the number first may not hold it).
    assert_eq!(
        me(&app, &token).await["organisation"]["name"],
        registered["organisation"]["name"]
    );
    assert_eq!(
        app.notification(&token, &before).await["controller_verified"],
        false
    );
    let by_system = submitted_with(&app, &token, &about_itself(&orgnr)).await;
    assert_eq!(
        app.notification(&token, &by_system).await["controller_verified"],
        true
    );
    let by_person = submitted_with(&app, &password_token, &about_itself(&orgnr)).await;
    assert_eq!(
        app.notification(&token, &by_person).await["controller_verified"],
        false
    );

    // The verification is audited, once.
    let audit = app
        .get_json(
            &format!("/v1/admin/audit?organisation={id}&action=organisation.verified"),
            &regulator,
        )
        .await;
    assert_eq!(audit["items"].as_array().unwrap().len(), 1, "{audit}");
    assert_eq!(audit["items"][0]["actor_kind"], "maskinporten");
}

#[tokio::test]
async fn the_vendor_acting_for_an_organisation_is_kept_in_the_audit_log() {
    let (app, _file, _dir) = spawn(Duration::from_secs(30)).await;
    let regulator = regulator_token(&app).await;

    // A supplier acting for the consumer (delegation in Altinn).
    let (customer, vendor) = (new_orgnr(), new_orgnr());
    let mut delegated = claims(&customer);
    delegated["supplier"] =
        json!({ "authority": "iso6523-actorid-upis", "ID": format!("0192:{vendor}") });
    // A vendor's system acting as its customer's Altinn system user.
    let (system_customer, system_vendor) = (new_orgnr(), new_orgnr());
    let mut system_user = claims(&system_vendor);
    system_user["authorization_details"] = json!([{
        "type": "urn:altinn:systemuser",
        "systemuser_id": ["a0c1f8e2-5b5c-4b7e-9a3f-2d1f0c9e8b7a"],
        "systemuser_org": { "authority": "iso6523-actorid-upis", "ID": format!("0192:{system_customer}") },
        "system_id": "vendor_system"
    }]);

    for (claims, organisation, supplier) in [
        (delegated, customer, vendor),
        (system_user, system_customer, system_vendor),
    ] {
        let token = mint("issuer", "issuer", &claims);
        let caller = me(&app, &token).await;
        assert_eq!(
            caller["organisation"]["identifier"]["value"],
            organisation.as_str()
        );
        let id = caller["organisation"]["id"].as_str().unwrap().to_owned();
        let number = app.submitted(&token).await;

        let entries = app
            .get_json(
                &format!("/v1/admin/audit?organisation={id}&actor_kind=maskinporten"),
                &regulator,
            )
            .await;
        let actions: Vec<&str> = entries["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["action"].as_str().unwrap())
            .collect();
        assert_eq!(
            actions,
            ["notification.submitted", "organisation.registered"]
        );
        for entry in entries["items"].as_array().unwrap() {
            assert_eq!(
                entry["details"]["supplier"],
                format!("0192:{supplier}"),
                "{entry}"
            );
            assert_eq!(entry["actor_id"], id.as_str());
        }
        assert_eq!(
            entries["items"][0]["subject"],
            format!("notification:{number}")
        );
    }
}

#[tokio::test]
async fn routes_that_need_a_person_refuse_a_maskinporten_token() {
    let (app, _file, _dir) = spawn(Duration::from_secs(30)).await;
    let token = token(&new_orgnr());
    let number = app.submitted(&token).await;

    // As an API client is refused there today: 403.
    problem(app.get_with("/v1/organisation/users", &token).await, 403).await;
    let user = json!({ "email": "ny@example.no", "password": PASSWORD, "role": "member" });
    problem(
        app.post_with("/v1/organisation/users", &token, &user).await,
        403,
    )
    .await;
    problem(
        app.get_with("/v1/organisation/api-clients", &token).await,
        403,
    )
    .await;
    let client = json!({ "name": "Saksbehandlingssystem" });
    problem(
        app.post_with("/v1/organisation/api-clients", &token, &client)
            .await,
        403,
    )
    .await;
    problem(
        app.post_with("/v1/me/mfa/totp", &token, &json!({})).await,
        403,
    )
    .await;
    problem(
        app.post_with(
            &format!("/v1/notifications/{number}/key"),
            &token,
            &json!({}),
        )
        .await,
        403,
    )
    .await;
    problem(app.get_with("/v1/organisation/webhooks", &token).await, 403).await;
    // The back office does not exist for it.
    problem(app.get_with("/v1/admin/notifications", &token).await, 404).await;
}
