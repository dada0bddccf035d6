//! Receipts: the PDF in the language of the submission, verification.

use serde_json::{Value, json};

use crate::fixtures::*;
use crate::helpers::*;

#[tokio::test]
async fn receipts_as_pdf_state_everything_in_the_language_of_the_submission() {
    let app = app_with_known_secret().await;
    let (token, _) = app.admin().await;
    let mut english = example();
    english["language"] = json!("en");
    let created: Value = app
        .post_with("/v1/notifications", &token, &english)
        .await
        .json()
        .await
        .unwrap();
    let number = created["number"].as_str().unwrap().to_owned();
    let mail = app.newest_mail(&number).await;
    assert!(
        mail.subject.starts_with("Confirm the notification"),
        "{}",
        mail.subject
    );
    let confirmed: Value = app.confirm_json(&mail.token()).await.json().await.unwrap();
    let id = confirmed["receipt"]["id"].as_str().unwrap();

    let json: Value = app.get_json(&format!("/v1/receipts/{id}"), &token).await;
    assert_eq!(json["jws"], confirmed["receipt"]["jws"]);
    let pdf = app
        .client
        .get(app.url(&format!("/v1/receipts/{id}")))
        .bearer_auth(&token)
        .header("Accept", "application/pdf")
        .send()
        .await
        .unwrap();
    assert_eq!(pdf.status(), 200);
    assert_eq!(pdf.headers()["content-type"], "application/pdf");
    let bytes = pdf.bytes().await.unwrap();
    assert!(bytes.starts_with(b"%PDF-"));
    let text = pdf_text(&bytes);
    for expected in [
        number.as_str(),
        "Fjordvik kommune",
        "org. no. 974 761 467",
        "Personal Data Act",
        "Purpose Research",
        "County or municipal",
        &json["content_digest"].as_str().unwrap()[..32],
        "It is not an approval of the processing.",
        "Signature fingerprint",
    ] {
        assert!(
            text.contains(expected),
            "the PDF states {expected:?}: {text}"
        );
    }
    let fingerprint = meldeplikt::receipts::signature_fingerprint(json["jws"].as_str().unwrap());
    assert!(text.contains(&fingerprint[..19]), "{text}");

    // Another organisation finds no such receipt.
    let (other, _) = app.admin().await;
    problem(
        app.get_with(&format!("/v1/receipts/{id}"), &other).await,
        404,
    )
    .await;
}

#[tokio::test]
async fn receipts_verify_only_when_genuine() {
    let app = app_with_known_secret().await;
    let (token, _) = app.admin().await;
    let number = app.submitted(&token).await;
    let confirmed: Value = app.confirm_latest_mail(&number).await;
    let jws = confirmed["receipt"]["jws"].as_str().unwrap().to_owned();
    assert_eq!(app.verify(&jws).await["valid"], true);

    // Tampered: the payload says version 2 now.
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let parts: Vec<&str> = jws.split('.').collect();
    let mut claims: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
    claims["version"] = json!(2);
    let tampered = format!(
        "{}.{}.{}",
        parts[0],
        URL_SAFE_NO_PAD.encode(claims.to_string()),
        parts[2]
    );
    let verdict = app.verify(&tampered).await;
    assert_eq!(verdict["valid"], false);
    assert_eq!(verdict["reason_code"], "bad_signature");
    assert_eq!(
        verdict["reason"], "signaturen stemmer ikke",
        "bokmål unless asked"
    );
    assert!(verdict.get("receipt").is_none());

    // An access token is not a receipt, and a receipt is not an access token.
    let verdict = app.verify(&token).await;
    assert_eq!(verdict["valid"], false);
    assert_eq!(verdict["reason_code"], "not_a_receipt");
    let english: serde_json::Value = app
        .client
        .post(app.url("/v1/receipts/verify"))
        .header("Accept-Language", "en")
        .json(&json!({ "jws": token }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(english["reason"], "the JWS is not a receipt");
    let body = problem(app.get_with("/v1/me", &jws).await, 401).await;
    assert_eq!(body["code"], "invalid_token");

    let body = problem(
        app.post_json("/v1/receipts/verify", &json!({"jws": "hello"}))
            .await,
        422,
    )
    .await;
    assert_eq!(body["errors"][0]["code"], "malformed_jws");
}
