//! Maskinporten tokens that must not pass: each wrong claim, key or
//! algorithm answered 401 `invalid_token` (a missing scope 403
//! `insufficient_scope`), as problem+json with `WWW-Authenticate`; keys
//! the issuer rotated in are read again, but not on every request.

use std::time::Duration;

use serde_json::{Value, json};

use crate::helpers::*;
use crate::maskinporten_issuer::*;

/// Asks `/v1/me` with `token` and checks the refusal; the problem.
async fn refused(app: &TestApp, token: &str, status: u16, error: &str, case: &str) -> Value {
    let response = app.get_with("/v1/me", token).await;
    assert_eq!(response.status(), status, "{case}");
    let challenge = response
        .headers()
        .get("www-authenticate")
        .unwrap_or_else(|| panic!("{case}: no WWW-Authenticate"))
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        challenge.starts_with("Bearer ") && challenge.contains(&format!("error=\"{error}\"")),
        "{case}: {challenge}"
    );
    let problem = problem(response, status).await;
    assert_eq!(problem["code"], error, "{case}");
    problem
}

#[tokio::test]
async fn every_wrong_token_is_refused() {
    let (app, _file, _dir) = spawn(Duration::from_secs(30)).await;
    let orgnr = new_orgnr();
    // The good token passes: the refusals below are of what was changed.
    assert_eq!(app.get_with("/v1/me", &token(&orgnr)).await.status(), 200);

    let with = |pointer: &str, value: Value| {
        let mut claims = claims(&orgnr);
        *claims.pointer_mut(pointer).expect(pointer) = value;
        claims
    };
    let without = |field: &str| {
        let mut claims = claims(&orgnr);
        claims.as_object_mut().unwrap().remove(field);
        claims
    };
    let good = claims(&orgnr);
    let signed = |claims: &Value| mint("issuer", "issuer", claims);
    let public_jwk = jwks(&["issuer"]).to_string();
    let mut tampered = signed(&good);
    tampered.replace_range(tampered.len() - 6.., "AAAAAA");

    let cases: Vec<(&str, String)> = vec![
        (
            "another audience",
            signed(&with("/aud", json!("https://other.example/api"))),
        ),
        ("no audience", signed(&without("aud"))),
        ("expired", signed(&with("/exp", json!(now() - 120)))),
        ("no issue time", signed(&without("iat"))),
        ("no expiry", signed(&without("exp"))),
        (
            "issued in the future",
            signed(&with("/iat", json!(now() + 600))),
        ),
        (
            "not valid yet",
            signed(&with("/iat", json!(now())).tap_nbf(now() + 600)),
        ),
        ("no consumer", signed(&without("consumer"))),
        (
            "a consumer without a valid number",
            signed(&with("/consumer/ID", json!("0192:123456789"))),
        ),
        (
            "a consumer in another scheme",
            signed(&with("/consumer/ID", json!(format!("9908:{orgnr}")))),
        ),
        (
            "a foreign signature under the issuer's key id",
            mint("foreign", "issuer", &good),
        ),
        ("an unknown key id", mint("foreign", "foreign", &good)),
        ("no key id", {
            let header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256);
            jsonwebtoken::encode(&header, &good, &key("issuer")).unwrap()
        }),
        ("a changed signature", tampered),
        (
            "HS256 keyed with the public key",
            forged(
                json!({ "alg": "HS256", "typ": "JWT", "kid": "issuer" }),
                &good,
                Some(public_jwk.as_bytes()),
            ),
        ),
        (
            "alg none",
            forged(
                json!({ "alg": "none", "typ": "JWT", "kid": "issuer" }),
                &good,
                None,
            ),
        ),
        ("not a JWT", "maskinporten".to_owned()),
        // Another issuer: not taken for Maskinporten's, nor for ours.
        (
            "another issuer",
            signed(&with("/iss", json!("https://other-issuer.example/"))),
        ),
    ];
    for (case, token) in &cases {
        refused(&app, token, 401, "invalid_token", case).await;
    }

    for (case, scope) in [
        ("no scope", None),
        ("another scope", Some("datatilsynet:annet")),
        ("a longer scope", Some("datatilsynet:meldeplikt.read")),
    ] {
        let mut claims = good.clone();
        match scope {
            Some(scope) => claims["scope"] = json!(scope),
            None => {
                claims.as_object_mut().unwrap().remove("scope");
            }
        }
        let problem = refused(&app, &signed(&claims), 403, "insufficient_scope", case).await;
        assert!(
            problem["detail"].as_str().unwrap().contains(SCOPE),
            "{case}"
        );
    }

    // No organisation was registered by any of them.
    let regulator = crate::fixtures::regulator_token(&app).await;
    let audit = app
        .get_json("/v1/admin/audit?action=organisation.registered", &regulator)
        .await;
    assert_eq!(
        audit["items"].as_array().unwrap().len(),
        1,
        "only the good token's"
    );
}

/// `nbf` set on claims.
trait TapNbf {
    fn tap_nbf(self, nbf: i64) -> Self;
}

impl TapNbf for Value {
    fn tap_nbf(mut self, nbf: i64) -> Self {
        self["nbf"] = json!(nbf);
        self
    }
}

#[tokio::test]
async fn a_key_rotated_in_is_read_again_but_not_on_every_request() {
    // Reading again allowed at once.
    let (app, file, _dir) = spawn(Duration::ZERO).await;
    let orgnr = new_orgnr();
    let rotated = mint("rotated", "rotated", &claims(&orgnr));
    refused(&app, &rotated, 401, "invalid_token", "before the rotation").await;
    write_jwks(&file, &["issuer", "rotated"]);
    assert_eq!(
        app.get_with("/v1/me", &rotated).await.status(),
        200,
        "after"
    );
    // A key the issuer dropped counts until the keys are read again
    // (here: for the next unknown key id; else within the hour).
    write_jwks(&file, &["rotated"]);
    assert_eq!(app.get_with("/v1/me", &token(&orgnr)).await.status(), 200);
    let unknown = mint("foreign", "foreign", &claims(&orgnr));
    refused(&app, &unknown, 401, "invalid_token", "unknown").await;
    refused(&app, &token(&orgnr), 401, "invalid_token", "rotated out").await;

    // Reading again at most once an hour: an unknown key id does not
    // make the service read the keys again.
    let (app, file, _dir) = spawn(Duration::from_secs(3600)).await;
    assert_eq!(app.get_with("/v1/me", &token(&orgnr)).await.status(), 200);
    write_jwks(&file, &["issuer", "rotated"]);
    refused(&app, &rotated, 401, "invalid_token", "within the hour").await;
}

#[tokio::test]
async fn keys_are_fetched_from_the_issuers_url() {
    let (url, server) = serve_jwks(jwks(&["issuer"])).await;
    let app = spawn_with_source(
        meldeplikt::auth::maskinporten::JwksSource::Url(url),
        Duration::from_secs(30),
    )
    .await;
    let orgnr = new_orgnr();
    let caller = app.get_json("/v1/me", &token(&orgnr)).await;
    assert_eq!(
        caller["organisation"]["identifier"]["value"],
        orgnr.as_str()
    );
    refused(
        &app,
        &mint("foreign", "foreign", &claims(&orgnr)),
        401,
        "invalid_token",
        "unknown key",
    )
    .await;
    server.stop(false).await;

    // An issuer that cannot be reached at all: 503, not a 500.
    let app = spawn_with_source(
        meldeplikt::auth::maskinporten::JwksSource::Url("http://127.0.0.1:9/jwk".to_owned()),
        Duration::from_secs(30),
    )
    .await;
    let response = app.get_with("/v1/me", &token(&orgnr)).await;
    assert_eq!(response.status(), 503);
    problem(response, 503).await;
}

/// Serves an endless chunked body (no `Content-Length`) at any path, for
/// one connection; how many bytes of it were written before the reader
/// hung up (at most 64 MiB).
async fn endless_jwks() -> (String, tokio::task::JoinHandle<usize>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/jwk", listener.local_addr().unwrap());
    let written = tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        let mut request = Vec::new();
        let mut buffer = [0u8; 1024];
        while !request.windows(4).any(|w| w == b"\r\n\r\n") {
            let n = socket.read(&mut buffer).await.unwrap();
            assert!(n > 0, "the request arrives");
            request.extend_from_slice(&buffer[..n]);
        }
        let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\
                    transfer-encoding: chunked\r\n\r\n";
        socket.write_all(head.as_bytes()).await.unwrap();
        let mut chunk = b"10000\r\n".to_vec();
        chunk.extend(std::iter::repeat_n(b' ', 0x10000));
        chunk.extend_from_slice(b"\r\n");
        let mut written = 0;
        while written < 64 << 20 {
            if socket.write_all(&chunk).await.is_err() {
                break;
            }
            written += 0x10000;
        }
        written
    });
    (url, written)
}

/// A JWKS served without a length is read only up to its limit: the
/// service hangs up instead of reading on (a token with an unknown key id
/// is what makes it read).
#[tokio::test]
async fn an_endless_jwks_is_not_read_past_its_limit() {
    let (url, written) = endless_jwks().await;
    let app = spawn_with_source(
        meldeplikt::auth::maskinporten::JwksSource::Url(url),
        Duration::from_secs(30),
    )
    .await;
    let response = app.get_with("/v1/me", &token(&new_orgnr())).await;
    problem(response, 503).await;
    let written = tokio::time::timeout(Duration::from_secs(20), written)
        .await
        .expect("the service hangs up")
        .unwrap();
    assert!(
        written < 16 << 20,
        "{written} bytes were sent before the service stopped reading"
    );
}
