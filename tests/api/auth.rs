//! Tokens: sign-in, refresh rotation and reuse detection, strict
//! verification, throttling, the published keys, regulators.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use meldeplikt::auth::Role;
use meldeplikt::auth::keys::Keys;
use meldeplikt::auth::tokens::{AUDIENCE, AccessClaims, TokenService};
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;

use crate::helpers::{PASSWORD, TestApp, problem, spawn_app, spawn_app_with};

async fn refresh(app: &TestApp, token: &str) -> reqwest::Response {
    app.post_json(
        "/v1/auth/token",
        &json!({"grant_type": "refresh_token", "refresh_token": token}),
    )
    .await
}

#[tokio::test]
async fn sign_in_with_a_form_like_any_oauth_client() {
    let app = spawn_app().await;
    let email = "form@example.no";
    app.register(email).await;
    let response = app
        .client
        .post(app.url("/v1/auth/token"))
        .form(&[
            ("grant_type", "password"),
            ("username", "FORM@example.no"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 900);
    assert!(body["refresh_token"].is_string());

    // The header says what the token is and which key signed it.
    let access = body["access_token"].as_str().unwrap();
    let header: serde_json::Value = serde_json::from_slice(
        &URL_SAFE_NO_PAD
            .decode(access.split('.').next().unwrap())
            .unwrap(),
    )
    .unwrap();
    assert_eq!(header["alg"], "EdDSA");
    assert_eq!(header["typ"], "at+jwt");
    let jwks: serde_json::Value = app
        .get("/.well-known/jwks.json")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(jwks["keys"][0]["kid"], header["kid"]);
    assert_eq!(jwks["keys"][0]["crv"], "Ed25519");
    let claims: serde_json::Value = serde_json::from_slice(
        &URL_SAFE_NO_PAD
            .decode(access.split('.').nth(1).unwrap())
            .unwrap(),
    )
    .unwrap();
    for claim in [
        "iss", "aud", "sub", "org", "role", "iat", "nbf", "exp", "jti",
    ] {
        assert!(claims.get(claim).is_some(), "claim {claim}");
    }
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        900
    );
}

#[tokio::test]
async fn wrong_password_and_unknown_user_look_the_same() {
    let app = spawn_app().await;
    app.register("known@example.no").await;
    let mut bodies = Vec::new();
    for (user, password) in [
        ("known@example.no", "not the right password"),
        ("nobody@example.no", PASSWORD),
    ] {
        let response = app
            .post_json(
                "/v1/auth/token",
                &json!({"grant_type": "password", "username": user, "password": password}),
            )
            .await;
        let mut body = problem(response, 401).await;
        assert_eq!(body["code"], "invalid_grant");
        body.as_object_mut().unwrap().remove("request_id");
        bodies.push(body);
    }
    assert_eq!(
        bodies[0], bodies[1],
        "the answer does not say which was wrong"
    );
}

#[tokio::test]
async fn token_requests_missing_parts_are_400_naming_them() {
    let app = spawn_app().await;
    for (body, pointer, code) in [
        (json!({}), "grant_type", "invalid_request"),
        (
            json!({"grant_type": "implicit"}),
            "grant_type",
            "unsupported_grant_type",
        ),
        (
            json!({"grant_type": "password", "password": "x"}),
            "username",
            "invalid_request",
        ),
        (
            json!({"grant_type": "refresh_token"}),
            "refresh_token",
            "invalid_request",
        ),
    ] {
        let problem = problem(app.post_json("/v1/auth/token", &body).await, 400).await;
        assert_eq!(problem["errors"][0]["pointer"], pointer, "{body}");
        assert_eq!(problem["errors"][0]["code"], code, "{body}");
    }
    let response = app
        .client
        .post(app.url("/v1/auth/token"))
        .header("content-type", "text/plain")
        .body("grant_type=password")
        .send()
        .await
        .unwrap();
    problem(response, 415).await;
}

#[tokio::test]
async fn refresh_tokens_rotate_and_reuse_revokes_the_family() {
    let app = spawn_app().await;
    app.register("rotate@example.no").await;
    let first = app.login("rotate@example.no", PASSWORD).await;
    let r1 = first["refresh_token"].as_str().unwrap().to_owned();

    let second: serde_json::Value = refresh(&app, &r1).await.json().await.unwrap();
    let r2 = second["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(r1, r2, "rotated");
    let me = app
        .get_with("/v1/me", second["access_token"].as_str().unwrap())
        .await;
    assert_eq!(me.status(), 200);

    // Presenting the spent r1 again: theft is assumed, the family dies.
    let body = problem(refresh(&app, &r1).await, 401).await;
    assert_eq!(body["code"], "invalid_grant");
    let body = problem(refresh(&app, &r2).await, 401).await;
    assert_eq!(
        body["code"], "invalid_grant",
        "r2 was revoked with its family"
    );

    // Another sign-in is its own family and unaffected.
    let other = app.login("rotate@example.no", PASSWORD).await;
    assert_eq!(
        refresh(&app, other["refresh_token"].as_str().unwrap())
            .await
            .status(),
        200
    );
    problem(refresh(&app, "made-up").await, 401).await;
}

#[tokio::test]
async fn a_revoked_refresh_token_no_longer_works() {
    let app = spawn_app().await;
    app.register("revoke@example.no").await;
    let tokens = app.login("revoke@example.no", PASSWORD).await;
    let access = tokens["access_token"].as_str().unwrap();
    let refresh_token = tokens["refresh_token"].as_str().unwrap();
    let response = app
        .post_with(
            "/v1/auth/revoke",
            access,
            &json!({"refresh_token": refresh_token}),
        )
        .await;
    assert_eq!(response.status(), 204);
    problem(refresh(&app, refresh_token).await, 401).await;
    // Revoking needs a token of one's own.
    problem(
        app.post_json("/v1/auth/revoke", &json!({"refresh_token": refresh_token}))
            .await,
        401,
    )
    .await;
}

/// The service's own signing key, read from its data folder.
fn service_with_our_key(app: &TestApp, issuer: &str) -> TokenService {
    let pem =
        std::fs::read_to_string(app.data_dir.path().join("keys/dev-signing-key.pem")).unwrap();
    TokenService::new(
        Arc::new(Keys::from_pems(&[&pem]).unwrap()),
        issuer.to_owned(),
        Duration::from_secs(900),
    )
}

fn claims(app: &TestApp, org: &str, user: &str) -> AccessClaims {
    let now = chrono::Utc::now().timestamp();
    AccessClaims {
        iss: app.address.clone(),
        aud: AUDIENCE.to_owned(),
        sub: format!("user:{user}"),
        org: Some(org.parse().unwrap()),
        role: Role::Admin,
        iat: now,
        nbf: now,
        exp: now + 600,
        jti: uuid::Uuid::new_v4().to_string(),
        mfa_at: None,
    }
}

fn b64(value: &serde_json::Value) -> String {
    URL_SAFE_NO_PAD.encode(value.to_string())
}

#[tokio::test]
async fn every_defect_of_a_token_is_refused() {
    let app = spawn_app_with(|s| s.public_url = "http://meldeplikt.test".into()).await;
    let (_, registered) = app.admin().await;
    let org = registered["organisation"]["id"].as_str().unwrap();
    let user = registered["admin"]["id"].as_str().unwrap();
    let ours = service_with_our_key(&app, "http://meldeplikt.test");
    let with = |f: fn(&mut AccessClaims)| {
        let mut c = claims(&app, org, user);
        c.iss = "http://meldeplikt.test".into();
        f(&mut c);
        c
    };

    // The genuine article works, so the refusals below are about the defects.
    let genuine = ours.sign(&with(|_| {}));
    assert_eq!(app.get_with("/v1/me", &genuine).await.status(), 200);

    let kid = {
        let header: serde_json::Value = serde_json::from_slice(
            &URL_SAFE_NO_PAD
                .decode(genuine.split('.').next().unwrap())
                .unwrap(),
        )
        .unwrap();
        header["kid"].as_str().unwrap().to_owned()
    };
    let payload = genuine.split('.').nth(1).unwrap().to_owned();
    let signature = genuine.split('.').nth(2).unwrap().to_owned();

    let expired = ours.sign(&with(|c| {
        c.iat -= 3600;
        c.nbf -= 3600;
        c.exp = chrono::Utc::now().timestamp() - 120;
    }));
    let not_yet = ours.sign(&with(|c| c.nbf = chrono::Utc::now().timestamp() + 600));
    let wrong_aud = ours.sign(&with(|c| c.aud = "another-api".into()));
    let wrong_iss = ours.sign(&with(|c| c.iss = "https://evil.example".into()));
    let alg_none = format!(
        "{}.{payload}.",
        b64(&json!({"alg": "none", "typ": "at+jwt", "kid": kid}))
    );
    let hs256 = {
        let x = ours.keys().signer().x.clone();
        let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256);
        header.typ = Some("at+jwt".into());
        header.kid = Some(kid.clone());
        jsonwebtoken::encode(
            &header,
            &with(|_| {}),
            &jsonwebtoken::EncodingKey::from_secret(x.as_bytes()),
        )
        .unwrap()
    };
    let unknown_kid = {
        let other = meldeplikt::auth::keys::generate_pem().unwrap();
        TokenService::new(
            Arc::new(Keys::from_pems(&[&other]).unwrap()),
            "http://meldeplikt.test".into(),
            Duration::from_secs(900),
        )
        .sign(&with(|_| {}))
    };
    let tampered = {
        let mut c: serde_json::Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(&payload).unwrap()).unwrap();
        c["role"] = json!("regulator");
        c.as_object_mut().unwrap().remove("org");
        format!(
            "{}.{}.{signature}",
            genuine.split('.').next().unwrap(),
            b64(&c)
        )
    };
    let wrong_typ = {
        let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::EdDSA);
        header.typ = Some("JWT".into());
        header.kid = Some(kid.clone());
        jsonwebtoken::encode(&header, &with(|_| {}), &ours.keys().signer().encoding).unwrap()
    };
    let receipt_typ = {
        let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::EdDSA);
        header.typ = Some("receipt+jws".into());
        header.kid = Some(kid.clone());
        jsonwebtoken::encode(&header, &with(|_| {}), &ours.keys().signer().encoding).unwrap()
    };

    for (defect, token) in [
        ("expired", expired),
        ("not valid yet", not_yet),
        ("wrong audience", wrong_aud),
        ("wrong issuer", wrong_iss),
        ("alg none", alg_none),
        ("HS256 keyed with the public key", hs256),
        ("unknown kid", unknown_kid),
        ("tampered payload", tampered),
        ("typ JWT", wrong_typ),
        ("typ of a receipt", receipt_typ),
        ("garbage", "not.a.token".to_owned()),
    ] {
        let response = app.get_with("/v1/me", &token).await;
        let challenge = response
            .headers()
            .get("www-authenticate")
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default();
        assert!(
            challenge.contains("error=\"invalid_token\""),
            "{defect}: {challenge}"
        );
        let body = problem(response, 401).await;
        assert_eq!(body["code"], "invalid_token", "{defect}");
    }

    // No token at all: a bare challenge.
    let response = app.get("/v1/me").await;
    assert_eq!(
        response.headers()["www-authenticate"],
        "Bearer realm=\"meldeplikt\""
    );
    problem(response, 401).await;
    let response = app
        .client
        .get(app.url("/v1/me"))
        .header("Authorization", format!("Basic {genuine}"))
        .send()
        .await
        .unwrap();
    problem(response, 401).await;
}

#[tokio::test]
async fn failed_sign_ins_are_throttled_with_retry_after() {
    let app = spawn_app().await;
    app.register("throttled@example.no").await;
    let app = &app;
    let attempt = |password: &'static str| async move {
        app.post_json(
            "/v1/auth/token",
            &json!({"grant_type": "password", "username": "throttled@example.no", "password": password}),
        )
        .await
    };
    for i in 0..5 {
        let response = attempt("not the password at all").await;
        assert_eq!(response.status(), 401, "failure {i} is answered normally");
    }
    let response = attempt("not the password at all").await;
    assert_eq!(response.status(), 429);
    let wait: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=5).contains(&wait), "{wait}");
    problem(response, 429).await;
    // Even the right password waits while the account is blocked.
    assert_eq!(attempt(PASSWORD).await.status(), 429);
    // Other accounts are not blocked by this one.
    app.register("other@example.no").await;
    app.login("other@example.no", PASSWORD).await;
}

#[tokio::test]
async fn a_flood_of_sign_ins_gets_503_rather_than_a_queue() {
    let app = spawn_app_with(|s| s.hash_concurrency = 1).await;
    app.register("flood@example.no").await;
    let body =
        json!({"grant_type": "password", "username": "flood@example.no", "password": PASSWORD});
    let attempts = (0..16).map(|_| app.post_json("/v1/auth/token", &body));
    let responses = futures_util::future::join_all(attempts).await;
    let statuses: Vec<u16> = responses.iter().map(|r| r.status().as_u16()).collect();
    assert!(statuses.contains(&200), "{statuses:?}");
    assert!(statuses.contains(&503), "{statuses:?}");
    assert!(
        statuses.iter().all(|s| *s == 200 || *s == 503),
        "{statuses:?}"
    );
    let busy = responses.into_iter().find(|r| r.status() == 503).unwrap();
    assert!(busy.headers().contains_key("retry-after"));
}

#[tokio::test]
async fn regulators_are_made_on_the_command_line_only() {
    let app = spawn_app().await;
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_meldeplikt"))
        .args(["create-regulator", "--email", "Tilsyn@Datatilsynet.no"])
        .env("DATABASE_URL", &app.database_url)
        // The app's data folder: its development TOTP key.
        .env("MELDEPLIKT_DATA_DIR", app.data_dir.path())
        .env("MELDEPLIKT_PASSWORD", PASSWORD)
        .env("RUST_LOG", "off")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // The second factor is printed once: its URI, its secret, ten codes.
    let printed = String::from_utf8(output.stdout).unwrap();
    let lines: Vec<&str> = printed.lines().map(str::trim).collect();
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("otpauth://totp/meldeplikt:tilsyn%40datatilsynet.no?secret=")),
        "{printed}"
    );
    let recovery_codes = lines
        .iter()
        .filter(|l| meldeplikt::auth::recovery::RecoveryCode::parse(l).is_some())
        .count();
    assert_eq!(recovery_codes, 10, "{printed}");
    let secret = lines
        .iter()
        .find_map(|l| l.strip_prefix("secret: "))
        .and_then(meldeplikt::auth::totp::TotpSecret::from_base32)
        .expect("the secret is printed");
    let code = secret.code_at(app.clock.now().timestamp() as u64);
    let response = app
        .post_json(
            "/v1/auth/token",
            &json!({"grant_type": "password", "username": "tilsyn@datatilsynet.no",
                    "password": PASSWORD, "totp": code}),
        )
        .await;
    assert_eq!(response.status(), 200);
    let tokens: serde_json::Value = response.json().await.unwrap();
    let me: serde_json::Value = app
        .get_with("/v1/me", tokens["access_token"].as_str().unwrap())
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["role"], "regulator");
    assert!(me.get("organisation").is_none());
    // A regulator has no organisation to manage.
    problem(
        app.get_with(
            "/v1/organisation/users",
            tokens["access_token"].as_str().unwrap(),
        )
        .await,
        404,
    )
    .await;

    // A weak password is refused with the reason.
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_meldeplikt"))
        .args(["create-regulator", "--email", "x@datatilsynet.no"])
        .env("DATABASE_URL", &app.database_url)
        .env("MELDEPLIKT_DATA_DIR", app.data_dir.path())
        .env("MELDEPLIKT_PASSWORD", "short")
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("password"));
}
