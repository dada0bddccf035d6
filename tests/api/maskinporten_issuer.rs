//! A stand-in for Maskinporten in the tests: RSA keys (fixed test keys in
//! `maskinporten_keys/`), the JWKS the service reads (a file, or served on
//! loopback), and tokens minted with the right claims or any wrong one.

use std::path::{Path, PathBuf};
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use meldeplikt::auth::maskinporten::{JwksSource, MaskinportenSettings};
use serde_json::{Value, json};

use crate::helpers::*;

pub const ISSUER: &str = "https://maskinporten.test/";
pub const SCOPE: &str = "datatilsynet:meldeplikt";
pub const AUDIENCE: &str = "https://meldeplikt.test/api";

/// A test key by name: `issuer`, `rotated` or `foreign`.
pub fn key(name: &str) -> EncodingKey {
    let pem: &str = match name {
        "issuer" => include_str!("maskinporten_keys/issuer.pem"),
        "rotated" => include_str!("maskinporten_keys/rotated.pem"),
        "foreign" => include_str!("maskinporten_keys/foreign.pem"),
        _ => panic!("no test key {name}"),
    };
    EncodingKey::from_rsa_pem(pem.as_bytes()).expect("an RSA test key")
}

/// The public half of a test key as a JWK, its `kid` the key's name.
pub fn jwk(name: &str) -> Value {
    let jwk = Jwk::from_encoding_key(&key(name), Algorithm::RS256).expect("a JWK");
    let mut value = serde_json::to_value(jwk).expect("JSON");
    value["kid"] = json!(name);
    value["use"] = json!("sig");
    value
}

/// A JWKS of the named keys.
pub fn jwks(names: &[&str]) -> Value {
    json!({ "keys": names.iter().map(|n| jwk(n)).collect::<Vec<_>>() })
}

pub fn write_jwks(path: &Path, names: &[&str]) {
    std::fs::write(path, jwks(names).to_string()).expect("the JWKS file");
}

/// The service with Maskinporten configured, its JWKS in a file holding
/// the `issuer` key; (app, the file, its folder).
pub async fn spawn(min_refresh: Duration) -> (TestApp, PathBuf, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("a folder");
    let file = dir.path().join("jwks.json");
    write_jwks(&file, &["issuer"]);
    let app = spawn_with_source(JwksSource::File(file.clone()), min_refresh).await;
    (app, file, dir)
}

pub async fn spawn_with_source(source: JwksSource, min_refresh: Duration) -> TestApp {
    spawn_app_with(move |settings| {
        settings.maskinporten = Some(MaskinportenSettings {
            issuer: ISSUER.to_owned(),
            jwks: source,
            scope: SCOPE.to_owned(),
            audience: Some(AUDIENCE.to_owned()),
            jwks_min_refresh: min_refresh,
        });
    })
    .await
}

pub fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// The claims of a good token for organisation `orgnr`, as Maskinporten
/// issues them.
pub fn claims(orgnr: &str) -> Value {
    json!({
        "iss": ISSUER,
        "aud": AUDIENCE,
        "scope": format!("other:scope {SCOPE}"),
        "client_amr": "private_key_jwt",
        "token_type": "Bearer",
        "iat": now(),
        "exp": now() + 120,
        "client_id": "1f0c2c49-7d0f-4a3e-9d4c-2b8d2a7e6c11",
        "consumer": { "authority": "iso6523-actorid-upis", "ID": format!("0192:{orgnr}") },
        "jti": uuid::Uuid::new_v4().to_string(),
    })
}

/// `claims` signed RS256 by the key `signer`, under the key id `kid`.
pub fn mint(signer: &str, kid: &str, claims: &Value) -> String {
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(kid.to_owned());
    jsonwebtoken::encode(&header, claims, &key(signer)).expect("signed")
}

/// A good token for `orgnr`.
pub fn token(orgnr: &str) -> String {
    mint("issuer", "issuer", &claims(orgnr))
}

/// A token with the header `header` and no signature check possible:
/// `alg: none`, or an HMAC keyed with `secret`.
pub fn forged(header: Value, claims: &Value, secret: Option<&[u8]>) -> String {
    let encode = |v: &Value| URL_SAFE_NO_PAD.encode(v.to_string());
    let signing_input = format!("{}.{}", encode(&header), encode(claims));
    let signature = match secret {
        None => String::new(),
        Some(secret) => {
            use hmac::Mac;
            let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret).expect("any key");
            mac.update(signing_input.as_bytes());
            URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
        }
    };
    format!("{signing_input}.{signature}")
}

/// Serves `jwks` at `http://127.0.0.1:<port>/jwk` until dropped; its URL.
pub async fn serve_jwks(jwks: Value) -> (String, actix_web::dev::ServerHandle) {
    use actix_web::{App, HttpResponse, HttpServer, web};
    let body = jwks.to_string();
    let server = HttpServer::new(move || {
        let body = body.clone();
        App::new().route(
            "/jwk",
            web::get().to(move || {
                let body = body.clone();
                async move {
                    HttpResponse::Ok()
                        .content_type("application/json")
                        .body(body)
                }
            }),
        )
    })
    .workers(1)
    .disable_signals()
    .bind(("127.0.0.1", 0))
    .expect("a loopback port");
    let port = server.addrs()[0].port();
    let server = server.run();
    let handle = server.handle();
    tokio::spawn(server);
    (format!("http://127.0.0.1:{port}/jwk"), handle)
}
