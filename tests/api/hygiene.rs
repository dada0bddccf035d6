//! Input hygiene at every place input enters: NUL and other control
//! characters are refused with 422 naming the field, in JSON bodies (values
//! and keys), form bodies and query parameters; line breaks only where a
//! text may have several lines; text is stored in Unicode normal form C.

use serde_json::{Value, json};

use crate::fixtures::*;
use crate::helpers::*;

async fn pointer_of(response: reqwest::Response) -> (String, String) {
    let body = problem(response, 422).await;
    let error = &body["errors"][0];
    (
        error["pointer"].as_str().unwrap().to_owned(),
        error["code"].as_str().unwrap().to_owned(),
    )
}

#[tokio::test]
async fn nul_in_a_json_value_or_key_is_refused_at_its_pointer() {
    let app = spawn_app().await;
    let (token, _) = app.admin().await;
    let response = app
        .post_with(
            "/v1/organisation/api-clients",
            &token,
            &json!({ "name": "Sak\u{0}arkiv" }),
        )
        .await;
    assert_eq!(
        pointer_of(response).await,
        ("/name".to_owned(), "invalid_characters".to_owned())
    );
    let mut body = example();
    body["controller"]["x\u{1}y"] = json!("z");
    assert_eq!(
        pointer_of(app.submit(&token, &body).await).await,
        (
            "/controller/x\u{1}y".to_owned(),
            "invalid_characters".to_owned()
        )
    );
}

#[tokio::test]
async fn nul_in_a_sign_in_is_refused_as_json_and_as_a_form() {
    let app = spawn_app().await;
    let json_body = json!({ "grant_type": "password", "username": "a\u{0}@b.no", "password": "x" });
    assert_eq!(
        pointer_of(app.post_json("/v1/auth/token", &json_body).await).await,
        ("/username".to_owned(), "invalid_characters".to_owned())
    );
    let form = app
        .client
        .post(app.url("/v1/auth/token"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", "id\u{0}"),
            ("client_secret", "s"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(
        pointer_of(form).await,
        ("/client_id".to_owned(), "invalid_characters".to_owned())
    );
}

#[tokio::test]
async fn a_control_character_in_a_query_parameter_is_refused_by_name() {
    let app = spawn_app().await;
    let (token, _) = app.admin().await;
    let response = app.get_with("/v1/notifications?q=a%00b", &token).await;
    assert_eq!(
        pointer_of(response).await,
        ("q".to_owned(), "invalid_characters".to_owned())
    );
    let response = app.get_with("/v1/notifications?q=a%0Ab", &token).await;
    assert_eq!(pointer_of(response).await.0, "q");
    // The same search without it works.
    let ok: Value = app.notifications(&token, "?q=ab").await;
    assert!(ok["items"].is_array());
}

#[tokio::test]
async fn text_is_stored_in_normal_form_c() {
    let app = spawn_app().await;
    let (token, _) = app.admin().await;
    let mut body = example();
    // "Ålesund kommune" with the Å decomposed: A + combining ring above.
    body["controller"]["name"] = json!("A\u{30a}lesund kommune");
    let response = app.submit(&token, &body).await;
    assert_eq!(response.status(), 201);
    let number = response.json::<Value>().await.unwrap()["number"]
        .as_str()
        .unwrap()
        .to_owned();
    let stored = app.notification(&token, &number).await;
    assert_eq!(
        stored["content"]["controller"]["name"],
        "\u{c5}lesund kommune"
    );
}

#[tokio::test]
async fn a_header_the_service_reads_is_refused_by_name() {
    let app = spawn_app().await;
    let (token, _) = app.admin().await;
    let response = app
        .client
        .post(app.url("/v1/notifications"))
        .bearer_auth(&token)
        .header("Idempotency-Key", "two words")
        .json(&example())
        .send()
        .await
        .unwrap();
    assert_eq!(
        pointer_of(response).await,
        (
            "Idempotency-Key".to_owned(),
            "invalid_idempotency_key".to_owned()
        )
    );
}

/// Bidirectional overrides and isolates, zero-width and tag characters,
/// soft hyphens and the line separator are refused in one-line fields (422
/// naming the field), and still allowed where a text has several lines
/// only as the line breaks it may hold.
#[tokio::test]
async fn invisible_format_and_separator_characters_are_refused_in_one_line_fields() {
    let app = spawn_app().await;
    let (token, _) = app.admin().await;
    let sneaky = [
        "Fjordvik\u{202E}SA",
        "Fjord\u{2066}vik\u{2069} AS",
        "Fjord\u{200B}vik AS",
        "Fjord\u{200D}vik AS",
        "Fjord\u{00AD}vik AS",
        "Fjordvik AS\u{E0041}",
        "Fjordvik\u{2028}AS",
        "Fjordvik\u{2029}AS",
        "\u{FEFF}Fjordvik AS",
    ];
    for text in sneaky {
        for pointer in [
            "/controller/name",
            "/controller/address/street",
            "/controller/responsible_title",
        ] {
            let mut body = example();
            *body.pointer_mut(pointer).unwrap() = json!(text);
            let response = app.submit(&token, &body).await;
            assert_eq!(
                pointer_of(response).await,
                (pointer.to_owned(), "invalid_characters".to_owned()),
                "{text:?} in {pointer}"
            );
        }
        let mut registration = registration(&new_orgnr(), "x@example.no");
        registration["name"] = json!(text);
        let response = app.post_json("/v1/organisations", &registration).await;
        assert_eq!(
            pointer_of(response).await,
            ("/name".to_owned(), "invalid_characters".to_owned()),
            "{text:?} in an organisation's name"
        );
        let response = app
            .post_with(
                "/v1/organisation/api-clients",
                &token,
                &json!({ "name": text }),
            )
            .await;
        assert_eq!(
            pointer_of(response).await,
            ("/name".to_owned(), "invalid_characters".to_owned()),
            "{text:?} in a client's name"
        );
        let response = app
            .post_with(
                "/v1/organisation/webhooks",
                &token,
                &json!({ "url": "http://127.0.0.1:9/", "description": text }),
            )
            .await;
        assert_eq!(
            pointer_of(response).await,
            ("/description".to_owned(), "invalid_characters".to_owned()),
            "{text:?} in a webhook's description"
        );
    }
    // Names in every script the service prints stay welcome.
    let mut body = example();
    body["controller"]["name"] = json!("Ærøy Ωmega Жук AS");
    assert_eq!(app.submit(&token, &body).await.status(), 201);
}
