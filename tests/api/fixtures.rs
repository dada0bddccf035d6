//! The shared fixtures: the example notification and ways to bend it, the
//! key secret tests know, and a registration made directly in the database.

use chrono::Days;
use diesel_async::RunQueryDsl;
use meldeplikt::domain::key::NotificationKey;
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, TestApp, spawn_app_with, test_today};

pub const KEY_SECRET: &str = "a test secret of more than thirty-two characters";

pub async fn app_with_known_secret() -> TestApp {
    spawn_app_with(|s| s.notification_key_secret = Some(KEY_SECRET.to_owned().into())).await
}

/// The date `days` after the test clock's day.
pub fn in_days(days: u64) -> String {
    (test_today() + Days::new(days)).to_string()
}

/// The example notification of the documentation (`openapi/examples/notification.json`).
pub fn example() -> Value {
    meldeplikt::domain::notification::example()
}

pub fn journal() -> Value {
    let mut v = example();
    v["law"] = json!("helseregisterloven");
    v["legal_ground"] = json!("patient_journal");
    v
}

pub fn set(mut value: Value, pointer: &str, new: Value) -> Value {
    let (parent, key) = pointer.rsplit_once('/').unwrap();
    let target = if parent.is_empty() {
        &mut value
    } else {
        value.pointer_mut(parent).unwrap()
    };
    match target {
        Value::Object(map) if new.is_null() => {
            map.remove(key);
        }
        Value::Object(map) => {
            map.insert(key.to_owned(), new);
        }
        Value::Array(items) => items[key.parse::<usize>().unwrap()] = new,
        _ => panic!("{pointer}"),
    }
    value
}

/// Makes a submitted notification registered with a known key, as a
/// confirmation would.
pub async fn register_with_key(app: &TestApp, number: &str) -> NotificationKey {
    let key = NotificationKey::generate();
    let mut conn = app.connection().await;
    diesel::sql_query(
        "UPDATE notification_versions SET state = 'confirmed', confirmed_at = now()
         WHERE notification_id = (SELECT id FROM notifications WHERE number = $1) AND version = 1",
    )
    .bind::<diesel::sql_types::Text, _>(number)
    .execute(&mut conn)
    .await
    .unwrap();
    diesel::sql_query(
        "UPDATE notifications SET status = 'registered', registered_version = 1,
             registered_at = now(), key_hash = $2, revision = revision + 1,
             expires_on = (now() + interval '3 years')::date
         WHERE number = $1",
    )
    .bind::<diesel::sql_types::Text, _>(number)
    .bind::<diesel::sql_types::Bytea, _>(key.hash(KEY_SECRET.as_bytes()).to_vec())
    .execute(&mut conn)
    .await
    .unwrap();
    meldeplikt::register::projection::refresh(&mut conn, number, chrono::Utc::now())
        .await
        .unwrap();
    key
}

/// The text of a PDF, wrapped lines read as one.
pub fn pdf_text(bytes: &[u8]) -> String {
    crate::pdf::text(bytes)
}

/// A regulator account, made as the command line makes it; its access
/// token, signed in with the password and a code from its app.
pub async fn regulator_token(app: &TestApp) -> String {
    regulator(app, "saksbehandler@datatilsynet.no").await.0
}

/// The key the app seals TOTP secrets under (its development key).
pub fn totp_key(app: &TestApp) -> meldeplikt::auth::totp::TotpKey {
    meldeplikt::auth::totp::TotpKey::load(app.settings.totp_key.as_ref(), &app.settings.data_dir)
        .unwrap()
}

/// A regulator made as the command line makes it, signed in with a code
/// of the test clock's time step; (access token, what the command line
/// showed).
pub async fn regulator(
    app: &TestApp,
    email: &str,
) -> (String, meldeplikt::accounts::CreatedRegulator) {
    let options = meldeplikt::db::PoolOptions {
        size: 1,
        wait_timeout: std::time::Duration::from_secs(5),
        statement_timeout: std::time::Duration::from_secs(10),
    };
    let pool = meldeplikt::db::build_pool(&app.database_url, options).unwrap();
    let created = meldeplikt::accounts::create_regulator(
        &pool,
        &totp_key(app),
        email,
        secrecy::SecretString::from(PASSWORD),
        app.clock.now(),
    )
    .await
    .unwrap();
    let code = created.enrolment.code_at(app.clock.now());
    let response = app
        .post_json(
            "/v1/auth/token",
            &json!({ "grant_type": "password", "username": email, "password": PASSWORD, "totp": code }),
        )
        .await;
    assert_eq!(response.status(), 200, "a regulator signs in with a code");
    let tokens: Value = response.json().await.unwrap();
    (tokens["access_token"].as_str().unwrap().to_owned(), created)
}

/// An organisation's three kinds of caller that are no regulator, all of
/// the organisation `admin` administers: (its admin, a member, an API
/// client), each as an access token.
pub async fn non_regulators(app: &TestApp, admin: &str) -> [String; 3] {
    let member_email = "medlem@example.no";
    let made = app
        .post_with(
            "/v1/organisation/users",
            admin,
            &json!({"email": member_email, "password": PASSWORD, "role": "member"}),
        )
        .await;
    assert_eq!(made.status(), 201);
    let member = app.login(member_email, PASSWORD).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let client: Value = app
        .post_with(
            "/v1/organisation/api-clients",
            admin,
            &json!({"name": "Sak"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let token: Value = app
        .post_json(
            "/v1/auth/token",
            &json!({"grant_type": "client_credentials", "client_id": client["client_id"],
                    "client_secret": client["client_secret"]}),
        )
        .await
        .json()
        .await
        .unwrap();
    let client_token = token["access_token"].as_str().unwrap().to_owned();
    [admin.to_owned(), member, client_token]
}
