//! Webhook endpoints through the API: registered by admins with a secret
//! shown once, checked URLs and types, changed, deleted, and reachable by
//! their own organisation only.

use diesel_async::RunQueryDsl;
use serde_json::{Value, json};

use crate::fixtures::non_regulators;
use crate::helpers::{TestApp, problem, spawn_app, spawn_app_with};
use crate::receiver::Receiver;

/// Registers an endpoint; (its id, its secret).
pub async fn endpoint(app: &TestApp, token: &str, body: Value) -> (String, String) {
    let response = app
        .post_with("/v1/organisation/webhooks", token, &body)
        .await;
    assert_eq!(response.status(), 201, "an endpoint is registered");
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let created: Value = response.json().await.unwrap();
    let id = created["id"].as_str().unwrap().to_owned();
    assert_eq!(location, format!("/v1/organisation/webhooks/{id}"));
    (id, created["secret"].as_str().unwrap().to_owned())
}

#[tokio::test]
async fn an_admin_registers_an_endpoint_and_sees_its_secret_once() {
    let app = spawn_app().await;
    let (token, _) = app.admin().await;
    let receiver = Receiver::start().await;
    let response = app
        .post_with(
            "/v1/organisation/webhooks",
            &token,
            &json!({"url": receiver.url, "description": "Sak",
                    "event_types": ["notification.registered", "notification.registered"]}),
        )
        .await;
    assert_eq!(response.status(), 201);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let created: Value = response.json().await.unwrap();
    let secret = created["secret"].as_str().unwrap();
    assert!(secret.starts_with("whsec_"), "{secret}");
    use base64::Engine;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(&secret["whsec_".len()..])
        .unwrap();
    assert_eq!(bytes.len(), 32);
    assert_eq!(created["event_types"], json!(["notification.registered"]));
    assert_eq!(created["enabled"], true);
    let id = created["id"].as_str().unwrap();

    // Never again: not in the read, the list, or the audit log; stored sealed.
    let read = app
        .get_json(&format!("/v1/organisation/webhooks/{id}"), &token)
        .await;
    let listed = app.get_json("/v1/organisation/webhooks", &token).await;
    assert!(!read.to_string().contains(&secret[6..]) && read.get("secret").is_none());
    assert!(!listed.to_string().contains(&secret[6..]));
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);
    #[derive(diesel::QueryableByName)]
    struct Stored {
        #[diesel(sql_type = diesel::sql_types::Text)]
        text: String,
    }
    let mut conn = app.connection().await;
    let stored: Vec<Stored> = diesel::sql_query(
        "SELECT encode(secret_sealed, 'base64') AS text FROM webhook_endpoints
         UNION ALL SELECT details::text FROM audit_log",
    )
    .load(&mut conn)
    .await
    .unwrap();
    assert!(stored.iter().all(|s| !s.text.contains(&secret[6..])));
    assert!(stored.len() > 1);
}

#[tokio::test]
async fn endpoints_change_and_go() {
    let app = spawn_app().await;
    let (token, _) = app.admin().await;
    let receiver = Receiver::start().await;
    let (id, _) = endpoint(&app, &token, json!({"url": receiver.url})).await;
    let path = format!("/v1/organisation/webhooks/{id}");
    let read = app.get_json(&path, &token).await;
    assert_eq!(read["event_types"], Value::Null, "every type");

    let changed = app
        .patch_with(
            &path,
            &token,
            &json!({"enabled": false, "event_types": ["notification.expired"],
                                           "description": "Arkiv"}),
            None,
        )
        .await;
    assert_eq!(changed.status(), 200);
    let changed: Value = changed.json().await.unwrap();
    assert_eq!(changed["enabled"], false);
    assert_eq!(changed["disabled_reason"], "by_admin");
    assert_eq!(changed["description"], "Arkiv");
    assert_eq!(changed["event_types"], json!(["notification.expired"]));

    let again = app
        .patch_with(
            &path,
            &token,
            &json!({"enabled": true, "event_types": null}),
            None,
        )
        .await;
    let again: Value = again.json().await.unwrap();
    assert_eq!(again["enabled"], true);
    assert_eq!(again["disabled_reason"], Value::Null);
    assert_eq!(again["event_types"], Value::Null);
    assert_eq!(again["description"], "Arkiv", "what is not given stays");

    assert_eq!(app.delete_with(&path, &token).await.status(), 204);
    assert_eq!(app.get_with(&path, &token).await.status(), 404);
    assert_eq!(app.delete_with(&path, &token).await.status(), 404);
}

#[tokio::test]
async fn bad_urls_types_and_descriptions_are_named_all_at_once() {
    let app = spawn_app().await;
    let (token, _) = app.admin().await;
    let response = app
        .post_with(
            "/v1/organisation/webhooks",
            &token,
            &json!({"url": "ftp://example.no/x", "event_types": ["notification.nope"],
                    "description": "x".repeat(501)}),
        )
        .await;
    let body = problem(response, 422).await;
    let pointers: Vec<(&str, &str)> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["pointer"].as_str().unwrap(), e["code"].as_str().unwrap()))
        .collect();
    assert_eq!(
        pointers,
        [
            ("/url", "invalid_url"),
            ("/event_types/0", "unknown_code"),
            ("/description", "too_long")
        ]
    );
    for (body, pointer, code) in [
        (json!({}), "/url", "required"),
        (
            json!({"url": "https://u:p@example.no/"}),
            "/url",
            "invalid_url",
        ),
        (
            json!({"url": "http://127.0.0.1:9/", "event_types": []}),
            "/event_types",
            "empty",
        ),
        (
            json!({"url": "http://169.254.169.254/latest/meta-data"}),
            "/url",
            "address_refused",
        ),
        (
            json!({"url": "http://[::ffff:169.254.169.254]/"}),
            "/url",
            "address_refused",
        ),
    ] {
        let response = app
            .post_with("/v1/organisation/webhooks", &token, &body)
            .await;
        let problem = problem(response, 422).await;
        assert_eq!(problem["errors"][0]["pointer"], pointer, "{body}");
        assert_eq!(problem["errors"][0]["code"], code, "{body}");
    }
}

#[tokio::test]
async fn private_addresses_and_http_are_refused_unless_allowed() {
    let app = spawn_app_with(|s| s.webhooks.allow_private = false).await;
    let (token, _) = app.admin().await;
    for (url, code) in [
        ("https://127.0.0.1/hooks", "address_refused"),
        ("https://10.0.0.7/hooks", "address_refused"),
        ("https://[fd00::1]/hooks", "address_refused"),
        ("https://localhost/hooks", "address_refused"),
        ("http://hooks.example.no/", "invalid_url"),
    ] {
        let response = app
            .post_with("/v1/organisation/webhooks", &token, &json!({"url": url}))
            .await;
        let body = problem(response, 422).await;
        assert_eq!(body["errors"][0]["code"], code, "{url}");
        assert_eq!(body["errors"][0]["pointer"], "/url", "{url}");
    }
}

/// Every IPv6 form that carries an IPv4 address is judged by that address,
/// and IANA's special-purpose blocks that are not globally reachable are
/// refused; the metadata address in any form even where private ones are
/// allowed.
#[tokio::test]
async fn embedded_ipv4_forms_and_special_purpose_blocks_are_refused() {
    let strict = spawn_app_with(|s| s.webhooks.allow_private = false).await;
    let (token, _) = strict.admin().await;
    for host in [
        "[::127.0.0.1]",
        "[::ffff:0:127.0.0.1]",
        "[64:ff9b:1::7f00:1]",
        "[2002:7f00:1::]",
        "[fec0::1]",
        "192.0.0.192",
        "198.18.0.1",
        "192.0.2.2",
        "[100::1]",
        "[2001:db8::1]",
    ] {
        let url = format!("https://{host}/hooks");
        let response = strict
            .post_with("/v1/organisation/webhooks", &token, &json!({"url": url}))
            .await;
        let body = problem(response, 422).await;
        assert_eq!(body["errors"][0]["code"], "address_refused", "{url}");
        assert_eq!(body["errors"][0]["pointer"], "/url", "{url}");
    }
    let lenient = spawn_app_with(|s| s.webhooks.allow_private = true).await;
    let (token, _) = lenient.admin().await;
    for host in [
        "[::a9fe:a9fe]",
        "[::ffff:0:a9fe:a9fe]",
        "[64:ff9b::a9fe:a9fe]",
        "[2002:a9fe:a9fe::]",
    ] {
        let url = format!("http://{host}/latest/meta-data");
        let response = lenient
            .post_with("/v1/organisation/webhooks", &token, &json!({"url": url}))
            .await;
        let body = problem(response, 422).await;
        assert_eq!(body["errors"][0]["code"], "address_refused", "{url}");
    }
}

#[tokio::test]
async fn endpoints_are_for_their_own_organisations_admins() {
    let app = spawn_app().await;
    let (token, _) = app.admin().await;
    let receiver = Receiver::start().await;
    let (id, _) = endpoint(&app, &token, json!({"url": receiver.url})).await;
    let [_, member, client] = non_regulators(&app, &token).await;
    let (stranger, _) = app.admin().await;
    let path = format!("/v1/organisation/webhooks/{id}");
    let delivery = format!("{path}/deliveries/00000000-0000-0000-0000-000000000000/retry");
    for caller in [&member, &client] {
        assert_eq!(app.get_with(&path, caller).await.status(), 403);
        assert_eq!(
            app.get_with("/v1/organisation/webhooks", caller)
                .await
                .status(),
            403
        );
    }
    assert_eq!(app.get_with(&path, &stranger).await.status(), 404);
    assert_eq!(
        app.patch_with(&path, &stranger, &json!({"enabled": false}), None)
            .await
            .status(),
        404
    );
    assert_eq!(app.delete_with(&path, &stranger).await.status(), 404);
    assert_eq!(
        app.get_with(&format!("{path}/deliveries"), &stranger)
            .await
            .status(),
        404
    );
    for action in ["test", "rotate-secret"] {
        let response = app
            .post_with(&format!("{path}/{action}"), &stranger, &json!({}))
            .await;
        assert_eq!(response.status(), 404, "{action}");
    }
    let recover = app
        .post_with(
            &format!("{path}/recover"),
            &stranger,
            &json!({"since": "2026-01-01T00:00:00Z"}),
        )
        .await;
    assert_eq!(recover.status(), 404);
    assert_eq!(
        app.post_with(&delivery, &stranger, &json!({}))
            .await
            .status(),
        404
    );
    let theirs = app.get_json("/v1/organisation/webhooks", &stranger).await;
    assert_eq!(theirs["items"], json!([]));
    // Still there for its owner.
    assert_eq!(app.get_with(&path, &token).await.status(), 200);
}
