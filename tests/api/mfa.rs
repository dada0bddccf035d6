//! The second factor (TOTP, RFC 6238, and recovery codes): a regulator
//! enrolled by the command line, a user who enrols and removes it, sign-in
//! with right, wrong, replayed, old and drifted codes, recovery codes once
//! each, `mfa_required` for a right password without a code, the secret
//! sealed in the database, and the time of the check in the token.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Duration, Utc};
use diesel_async::RunQueryDsl;
use serde_json::{Value, json};

use crate::fixtures::{regulator, totp_key};
use crate::helpers::{PASSWORD, TestApp, problem, spawn_app, spawn_app_with};

const REGULATOR: &str = "tilsyn@datatilsynet.no";

async fn sign_in(
    app: &TestApp,
    email: &str,
    password: &str,
    totp: Option<&str>,
) -> reqwest::Response {
    let mut body = json!({ "grant_type": "password", "username": email, "password": password });
    if let Some(code) = totp {
        body["totp"] = json!(code);
    }
    app.post_json("/v1/auth/token", &body).await
}

/// The claims of an access token (its signature checked by the service).
fn claims(access_token: &str) -> Value {
    let payload = access_token.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

async fn tokens(response: reqwest::Response) -> Value {
    assert_eq!(response.status(), 200, "signed in");
    response.json().await.unwrap()
}

/// The code an app with `secret` (base32) shows at `at`.
fn code(secret: &str, at: DateTime<Utc>) -> String {
    meldeplikt::auth::totp::TotpSecret::from_base32(secret)
        .unwrap()
        .code_at(at.timestamp() as u64)
}

fn steps(n: i64) -> Duration {
    Duration::seconds(30 * n)
}

#[tokio::test]
async fn the_command_line_enrols_a_regulator_whose_secret_is_stored_sealed() {
    let app = spawn_app().await;
    let (token, created) = regulator(&app, REGULATOR).await;
    assert_eq!(created.recovery_codes.len(), 10);
    assert!(
        created.enrolment.otpauth_uri.starts_with(&format!(
            "otpauth://totp/meldeplikt:tilsyn%40datatilsynet.no?secret={}",
            created.enrolment.secret
        )),
        "{}",
        created.enrolment.otpauth_uri
    );
    // The token says when the code was checked, by the service's clock.
    assert_eq!(claims(&token)["mfa_at"], app.clock.now().timestamp());

    #[derive(diesel::QueryableByName)]
    struct Stored {
        #[diesel(sql_type = diesel::sql_types::Bytea)]
        secret_sealed: Vec<u8>,
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        codes: i64,
        #[diesel(sql_type = diesel::sql_types::Text)]
        everything: String,
    }
    let mut conn = app.connection().await;
    let stored: Stored = diesel::sql_query(
        "SELECT f.secret_sealed, (SELECT count(*) FROM recovery_codes r WHERE r.user_id = f.user_id) AS codes,
                row_to_json(f)::text || (SELECT string_agg(row_to_json(r)::text, '') FROM recovery_codes r) AS everything
         FROM totp_factors f JOIN users u ON u.id = f.user_id WHERE u.email = $1",
    )
    .bind::<diesel::sql_types::Text, _>(REGULATOR)
    .get_result(&mut conn)
    .await
    .unwrap();
    assert_eq!(stored.codes, 10);
    let secret = &created.enrolment.secret;
    assert!(!stored.everything.contains(secret.as_str()));
    assert!(
        !stored
            .everything
            .to_uppercase()
            .contains(&secret.to_uppercase())
    );
    for recovery in &created.recovery_codes {
        assert!(!stored.everything.contains(recovery.as_str()));
        assert!(!stored.everything.contains(&recovery.replace('-', "")));
    }
    // Sealed, not encoded: the raw secret is nowhere in the column, and it
    // opens only under the app's key and for its user.
    let raw = totp_rs::Secret::try_from_base32(secret).unwrap();
    let raw: &[u8] = raw.as_ref();
    assert_eq!(raw.len(), 20);
    assert!(!stored.secret_sealed.windows(raw.len()).any(|w| w == raw));
    let opened = totp_key(&app)
        .open(created.id, &stored.secret_sealed)
        .unwrap();
    assert_eq!(opened.base32(), *secret);
    assert!(
        totp_key(&app)
            .open(uuid::Uuid::new_v4(), &stored.secret_sealed)
            .is_none()
    );
    let other_key = meldeplikt::auth::totp::TotpKey::from_hex(&"17".repeat(32)).unwrap();
    assert!(other_key.open(created.id, &stored.secret_sealed).is_none());
}

#[tokio::test]
async fn a_code_signs_in_once_within_a_step_of_drift() {
    let app = spawn_app().await;
    let (_, created) = regulator(&app, REGULATOR).await;
    let secret = created.enrolment.secret.clone();
    let start = app.clock.now();

    // The fixture signed in with this step's code: the same code again is a replay.
    let replay = sign_in(&app, REGULATOR, PASSWORD, Some(&code(&secret, start))).await;
    let body = problem(replay, 401).await;
    assert_eq!(body["code"], "invalid_grant");

    // The next step's code works, once; two requests at once: one wins.
    app.clock.advance(steps(1));
    let now = app.clock.now();
    let next = code(&secret, now);
    let (a, b) = tokio::join!(
        sign_in(&app, REGULATOR, PASSWORD, Some(&next)),
        sign_in(&app, REGULATOR, PASSWORD, Some(&next)),
    );
    let mut statuses = [a.status().as_u16(), b.status().as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 401], "one of two identical codes signs in");

    // A code two steps old is refused even where its step was never used.
    app.clock.advance(steps(3));
    let now = app.clock.now();
    let old = sign_in(
        &app,
        REGULATOR,
        PASSWORD,
        Some(&code(&secret, now - steps(2))),
    )
    .await;
    problem(old, 401).await;

    // One step of drift either way: a phone a step behind, then a step ahead.
    let behind = sign_in(
        &app,
        REGULATOR,
        PASSWORD,
        Some(&code(&secret, now - steps(1))),
    )
    .await;
    assert_eq!(
        claims(tokens(behind).await["access_token"].as_str().unwrap())["mfa_at"],
        now.timestamp()
    );
    let ahead = sign_in(
        &app,
        REGULATOR,
        PASSWORD,
        Some(&code(&secret, now + steps(1))),
    )
    .await;
    tokens(ahead).await;
    // Having used the step ahead, the current one is no longer later.
    let current = sign_in(&app, REGULATOR, PASSWORD, Some(&code(&secret, now))).await;
    problem(current, 401).await;
    // Two steps ahead is too far.
    app.clock.advance(steps(3));
    let now = app.clock.now();
    let far = sign_in(
        &app,
        REGULATOR,
        PASSWORD,
        Some(&code(&secret, now + steps(2))),
    )
    .await;
    problem(far, 401).await;
    tokens(sign_in(&app, REGULATOR, PASSWORD, Some(&code(&secret, now))).await).await;
}

#[tokio::test]
async fn without_a_code_a_right_password_is_told_to_send_one_and_a_wrong_one_is_wrong() {
    let app = spawn_app_with(|s| s.login_free_failures = 3).await;
    let (_, created) = regulator(&app, REGULATOR).await;
    // A right password: mfa_required, nothing counted, nothing held back.
    for _ in 0..5 {
        let response = sign_in(&app, REGULATOR, PASSWORD, None).await;
        assert!(!response.headers().contains_key("retry-after"));
        let body = problem(response, 401).await;
        assert_eq!(body["code"], "mfa_required");
        assert!(body["detail"].as_str().unwrap().contains("totp"));
    }
    // A wrong one: the ordinary answer, as for any wrong password.
    let wrong = sign_in(&app, REGULATOR, "a wrong password", None).await;
    assert_eq!(problem(wrong, 401).await["code"], "invalid_grant");
    // An empty code is no code.
    let empty = sign_in(&app, REGULATOR, PASSWORD, Some("  ")).await;
    assert_eq!(problem(empty, 401).await["code"], "mfa_required");

    // With the code, the password counts again.
    app.clock.advance(steps(1));
    let now = app.clock.now();
    let wrong_password = sign_in(
        &app,
        REGULATOR,
        "a wrong password",
        Some(&code(&created.enrolment.secret, now)),
    )
    .await;
    assert_eq!(problem(wrong_password, 401).await["code"], "invalid_grant");
    tokens(
        sign_in(
            &app,
            REGULATOR,
            PASSWORD,
            Some(&code(&created.enrolment.secret, now)),
        )
        .await,
    )
    .await;
}

#[tokio::test]
async fn wrong_codes_are_throttled_like_wrong_passwords() {
    let app = spawn_app_with(|s| s.login_free_failures = 2).await;
    let (_, created) = regulator(&app, REGULATOR).await;
    let right = code(&created.enrolment.secret, app.clock.now() + steps(1));
    let wrong = if right == "000000" {
        "000001"
    } else {
        "000000"
    };
    // A wrong code with the right password and a right-looking code with a
    // wrong password get one answer.
    let first = problem(sign_in(&app, REGULATOR, PASSWORD, Some(wrong)).await, 401).await;
    assert_eq!(first["code"], "invalid_grant");
    let second = problem(
        sign_in(&app, REGULATOR, "a wrong password", Some(wrong)).await,
        401,
    )
    .await;
    assert_eq!(first["detail"], second["detail"]);
    // The free failures are spent: the next is held back, the right code too.
    let held = sign_in(&app, REGULATOR, PASSWORD, Some(wrong)).await;
    assert!(held.headers().contains_key("retry-after"));
    problem(held, 429).await;
    let still = sign_in(&app, REGULATOR, PASSWORD, Some(&right)).await;
    problem(still, 429).await;

    // A code of no code's form is named, and counts for nothing.
    let malformed = problem(
        sign_in(&app, "x@example.no", PASSWORD, Some("12ab56")).await,
        400,
    )
    .await;
    assert_eq!(malformed["errors"][0]["pointer"], "totp");
}

#[tokio::test]
async fn each_recovery_code_signs_in_once() {
    let app = spawn_app().await;
    let (_, created) = regulator(&app, REGULATOR).await;
    let [first, second, ..] = created.recovery_codes.as_slice() else {
        panic!("ten codes");
    };
    let token = tokens(sign_in(&app, REGULATOR, PASSWORD, Some(first)).await).await;
    assert_eq!(
        claims(token["access_token"].as_str().unwrap())["mfa_at"],
        app.clock.now().timestamp()
    );
    problem(sign_in(&app, REGULATOR, PASSWORD, Some(first)).await, 401).await;
    // Typed as people type: small letters, no hyphens.
    let typed = second.replace('-', "").to_lowercase();
    tokens(sign_in(&app, REGULATOR, PASSWORD, Some(&typed)).await).await;
    problem(sign_in(&app, REGULATOR, PASSWORD, Some(second)).await, 401).await;
    // A recovery code with a wrong password is a failure like any other.
    let third = &created.recovery_codes[2];
    problem(
        sign_in(&app, REGULATOR, "a wrong password", Some(third)).await,
        401,
    )
    .await;
    tokens(sign_in(&app, REGULATOR, PASSWORD, Some(third)).await).await;
    // In its own field, as the contract names it; a six-digit code there
    // is no recovery code.
    let fourth = &created.recovery_codes[3];
    let by_field = |code: String| {
        let app = &app;
        async move {
            app.post_json(
                "/v1/auth/token",
                &json!({"grant_type": "password", "username": REGULATOR,
                        "password": PASSWORD, "recovery_code": code}),
            )
            .await
        }
    };
    tokens(by_field(fourth.clone()).await).await;
    problem(by_field(fourth.clone()).await, 401).await;
    let p = problem(by_field("123456".into()).await, 400).await;
    assert_eq!(p["errors"][0]["pointer"], "recovery_code");
}

#[tokio::test]
async fn a_refreshed_token_keeps_the_time_of_the_sign_in() {
    let app = spawn_app().await;
    let (_, created) = regulator(&app, REGULATOR).await;
    app.clock.advance(steps(1));
    let signed_in_at = app.clock.now();
    let first = tokens(
        sign_in(
            &app,
            REGULATOR,
            PASSWORD,
            Some(&code(&created.enrolment.secret, signed_in_at)),
        )
        .await,
    )
    .await;
    app.clock.advance(Duration::minutes(10));
    let refreshed = app
        .post_json(
            "/v1/auth/token",
            &json!({ "grant_type": "refresh_token", "refresh_token": first["refresh_token"] }),
        )
        .await;
    let refreshed = tokens(refreshed).await;
    let access = refreshed["access_token"].as_str().unwrap();
    assert_eq!(claims(access)["mfa_at"], signed_in_at.timestamp());
    assert_eq!(app.get_with("/v1/me", access).await.status(), 200);
}

#[tokio::test]
async fn a_user_enrols_confirms_and_removes_a_second_factor() {
    let app = spawn_app().await;
    let email = "personvern@fjordvik.kommune.no";
    app.register(email).await;
    let token = app.login(email, PASSWORD).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(claims(&token).get("mfa_at").is_none());

    problem(app.delete_with("/v1/me/mfa/totp", &token).await, 415).await;
    let none = app
        .client
        .delete(app.url("/v1/me/mfa/totp"))
        .bearer_auth(&token)
        .json(&json!({ "code": "123456" }))
        .send()
        .await
        .unwrap();
    problem(none, 404).await;
    let not_pending = app
        .post_with(
            "/v1/me/mfa/totp/confirm",
            &token,
            &json!({ "code": "123456" }),
        )
        .await;
    assert_eq!(problem(not_pending, 409).await["code"], "mfa_not_pending");

    // Started, not yet confirmed: sign-in goes on without a code.
    let started = app.post_with("/v1/me/mfa/totp", &token, &json!(null)).await;
    assert_eq!(started.status(), 200);
    assert_eq!(started.headers()["cache-control"], "no-store");
    let started: Value = started.json().await.unwrap();
    let secret = started["secret"].as_str().unwrap().to_owned();
    assert!(
        started["otpauth_uri"]
            .as_str()
            .unwrap()
            .starts_with("otpauth://totp/meldeplikt:personvern%40fjordvik.kommune.no?secret=")
    );
    app.login(email, PASSWORD).await;

    // A wrong code, a missing one, one of another form: each named.
    let now = app.clock.now();
    let right = code(&secret, now);
    let wrong = if right == "000000" {
        "000001"
    } else {
        "000000"
    };
    for (body, expected) in [
        (json!({ "code": wrong }), "mfa_code_wrong"),
        (json!({}), "required"),
        (
            json!({ "code": created_like_recovery() }),
            "totp_code_format",
        ),
    ] {
        let response = app
            .post_with("/v1/me/mfa/totp/confirm", &token, &body)
            .await;
        let body = problem(response, 422).await;
        assert_eq!(body["errors"][0]["pointer"], "/code");
        assert_eq!(body["errors"][0]["code"], expected);
    }
    let confirmed = app
        .post_with("/v1/me/mfa/totp/confirm", &token, &json!({ "code": right }))
        .await;
    assert_eq!(confirmed.status(), 200);
    let confirmed: Value = confirmed.json().await.unwrap();
    let recovery: Vec<String> = confirmed["recovery_codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(recovery.len(), 10);

    // Active: every sign-in needs a code, and the confirming step is spent.
    assert_eq!(
        problem(sign_in(&app, email, PASSWORD, None).await, 401).await["code"],
        "mfa_required"
    );
    problem(sign_in(&app, email, PASSWORD, Some(&right)).await, 401).await;
    app.clock.advance(steps(1));
    let now = app.clock.now();
    let signed_in = tokens(sign_in(&app, email, PASSWORD, Some(&code(&secret, now))).await).await;
    let token = signed_in["access_token"].as_str().unwrap().to_owned();
    assert_eq!(claims(&token)["mfa_at"], now.timestamp());
    let again = app.post_with("/v1/me/mfa/totp", &token, &json!(null)).await;
    assert_eq!(problem(again, 409).await["code"], "mfa_active");

    // Removed with a recovery code (a used TOTP code will not do).
    let delete = |body: Value| {
        app.client
            .delete(app.url("/v1/me/mfa/totp"))
            .bearer_auth(&token)
            .json(&body)
            .send()
    };
    let used = delete(json!({ "code": code(&secret, now) })).await.unwrap();
    assert_eq!(
        problem(used, 422).await["errors"][0]["code"],
        "mfa_code_wrong"
    );
    let removed = delete(json!({ "code": recovery[0] })).await.unwrap();
    assert_eq!(removed.status(), 204);
    app.login(email, PASSWORD).await;
    problem(delete(json!({ "code": recovery[1] })).await.unwrap(), 404).await;
}

/// A recovery code's form: no TOTP code.
fn created_like_recovery() -> String {
    meldeplikt::auth::recovery::RecoveryCode::generate()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn clients_have_no_second_factor_and_regulators_keep_theirs() {
    let app = spawn_app().await;
    let (admin, _) = app.admin().await;
    let client: Value = app
        .post_with(
            "/v1/organisation/api-clients",
            &admin,
            &json!({ "name": "Sak og arkiv" }),
        )
        .await
        .json()
        .await
        .unwrap();
    let client_token = tokens(
        app.post_json(
            "/v1/auth/token",
            &json!({ "grant_type": "client_credentials", "client_id": client["client_id"],
                     "client_secret": client["client_secret"] }),
        )
        .await,
    )
    .await;
    let client_token = client_token["access_token"].as_str().unwrap();
    problem(
        app.post_with("/v1/me/mfa/totp", client_token, &json!(null))
            .await,
        403,
    )
    .await;

    let (regulator_token, created) = regulator(&app, REGULATOR).await;
    let enrol = app
        .post_with("/v1/me/mfa/totp", &regulator_token, &json!(null))
        .await;
    assert_eq!(problem(enrol, 409).await["code"], "mfa_active");
    let removal = app
        .client
        .delete(app.url("/v1/me/mfa/totp"))
        .bearer_auth(&regulator_token)
        .json(&json!({ "code": created.recovery_codes[0] }))
        .send()
        .await
        .unwrap();
    problem(removal, 403).await;
    // The refusal spent nothing: the code still signs in.
    tokens(sign_in(&app, REGULATOR, PASSWORD, Some(&created.recovery_codes[0])).await).await;

    // Wrong codes at removal are throttled too.
    let email = "medlem@example.no";
    app.register(email).await;
    let token = app.login(email, PASSWORD).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let started: Value = app
        .post_with("/v1/me/mfa/totp", &token, &json!(null))
        .await
        .json()
        .await
        .unwrap();
    let secret = started["secret"].as_str().unwrap();
    let right = code(secret, app.clock.now());
    let wrong = if right == "000000" {
        "000001"
    } else {
        "000000"
    };
    let mut statuses = Vec::new();
    for _ in 0..6 {
        let response = app
            .post_with("/v1/me/mfa/totp/confirm", &token, &json!({ "code": wrong }))
            .await;
        statuses.push(response.status().as_u16());
        let _ = response.bytes().await;
    }
    assert_eq!(statuses, [422, 422, 422, 422, 422, 429]);
    #[derive(diesel::QueryableByName)]
    struct Pending {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let mut conn = app.connection().await;
    let pending: Pending =
        diesel::sql_query("SELECT count(*) AS n FROM totp_factors WHERE confirmed_at IS NULL")
            .get_result(&mut conn)
            .await
            .unwrap();
    assert_eq!(pending.n, 1, "still waiting for a right code");
}
