//! Every problem's `detail`, and every field's `message`, in the language
//! asked for (`Accept-Language`): bokmål when none is asked for, nynorsk,
//! English. One problem of each kind.

use serde_json::{Value, json};

use crate::contract::Request;
use crate::helpers::*;

/// The languages asked for, in the order of the expected texts: none
/// (bokmål), nynorsk, English.
const ASKED: [Option<&str>; 3] = [None, Some("nn"), Some("en-GB, nb;q=0.5")];

/// The problem bodies `request` answers with `status`, asked in each
/// language of [`ASKED`].
async fn in_each_language(request: impl Fn() -> Request, status: u16) -> [Value; 3] {
    let mut bodies = [Value::Null, Value::Null, Value::Null];
    for (body, lang) in bodies.iter_mut().zip(ASKED) {
        let request = match lang {
            Some(lang) => request().header("Accept-Language", lang),
            None => request(),
        };
        *body = problem(request.send().await.expect("request"), status).await;
    }
    bodies
}

/// The text at `pointer` of each body is the expected one; the English
/// differs from the Norwegian, and bokmål from nynorsk where their words
/// differ.
fn says(what: &str, bodies: &[Value; 3], pointer: &str, expected: [&str; 3]) {
    for ((body, lang), text) in bodies.iter().zip(ASKED).zip(expected) {
        assert_eq!(
            body.pointer(pointer),
            Some(&json!(text)),
            "{what} in {lang:?}: {body}"
        );
    }
    let [nb, nn, en] = expected;
    assert!(en != nb && en != nn, "{what}: the English is English");
}

#[tokio::test]
async fn problem_details_and_field_messages_come_in_the_language_asked_for() {
    let app = spawn_app().await;
    let (admin, _) = app.admin().await;

    // 400: a field that could not be read; its message is the detail.
    let bodies = in_each_language(
        || {
            app.client
                .get(app.url("/v1/organisation/users?cursor=garbage"))
                .bearer_auth(&admin)
        },
        400,
    )
    .await;
    let cursor = [
        "cursor er ikke en verdi som dette API-et har gitt ut",
        "cursor er ikkje ein verdi som dette API-et har gjeve ut",
        "The cursor is not one this API gave",
    ];
    says("400", &bodies, "/detail", cursor);
    says("400", &bodies, "/errors/0/message", cursor);
    assert!(
        bodies
            .iter()
            .all(|b| b["errors"][0]["code"] == "invalid_cursor")
    );

    // 401: no token.
    let bodies = in_each_language(|| app.client.get(app.url("/v1/me")), 401).await;
    says(
        "401",
        &bodies,
        "/detail",
        [
            "Send et tilgangstoken: Authorization: Bearer <token>",
            "Send eit tilgangstoken: Authorization: Bearer <token>",
            "Send an access token: Authorization: Bearer <token>",
        ],
    );

    // 401: a token that is no token; the challenge stays in English, the
    // only language its header may carry.
    let garbage = || app.client.get(app.url("/v1/me")).bearer_auth("not.a.token");
    let response = garbage()
        .header("Accept-Language", "nn")
        .send()
        .await
        .unwrap();
    assert!(
        response.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .contains("error_description=\"The token is malformed\""),
        "{:?}",
        response.headers()
    );
    let bodies = in_each_language(garbage, 401).await;
    says(
        "401 with a malformed token",
        &bodies,
        "/detail",
        [
            "Tokenet har feil format",
            "Tokenet har feil format",
            "The token is malformed",
        ],
    );

    // 403: a member at an admin's door.
    app.post_with(
        "/v1/organisation/users",
        &admin,
        &json!({"email": "member@example.no", "password": PASSWORD, "role": "member"}),
    )
    .await;
    let member = app.login("member@example.no", PASSWORD).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let bodies = in_each_language(
        || {
            app.client
                .get(app.url("/v1/organisation/users"))
                .bearer_auth(&member)
        },
        403,
    )
    .await;
    says(
        "403",
        &bodies,
        "/detail",
        [
            "Bare virksomhetens administratorer kan gjøre dette",
            "Berre administratorane i verksemda kan gjere dette",
            "Only the organisation's admins may do this",
        ],
    );

    // 409: an admin removing themself.
    let me = app.get_json("/v1/me", &admin).await;
    let own = format!("/v1/organisation/users/{}", me["id"].as_str().unwrap());
    let bodies =
        in_each_language(|| app.client.delete(app.url(&own)).bearer_auth(&admin), 409).await;
    says(
        "409",
        &bodies,
        "/detail",
        [
            "En administrator kan ikke fjerne sin egen konto; be en annen administrator om det",
            "Ein administrator kan ikkje fjerne sin eigen konto; be ein annan administrator om det",
            "An admin cannot remove their own account; ask another admin",
        ],
    );
    assert!(bodies.iter().all(|b| b["code"] == "cannot_delete_self"));

    // 409: an action the notification's state does not allow; its state
    // and the action are words in the language asked for too.
    let number = app.submitted(&admin).await;
    let key = format!("/v1/notifications/{number}/key");
    let bodies = in_each_language(|| app.client.post(app.url(&key)).bearer_auth(&admin), 409).await;
    says(
        "409 transition",
        &bodies,
        "/detail",
        [
            "En melding med status «venter på bekreftelse» kan ikke få ny meldingsnøkkel",
            "Ei melding med status «ventar på stadfesting» kan ikkje få ny meldingsnøkkel",
            "A notification that is awaiting confirmation cannot be given a new key",
        ],
    );
    assert!(bodies.iter().all(|b| b["code"] == "transition_not_allowed"));

    // 422: input hygiene, in a body and in a query.
    let bodies = in_each_language(
        || {
            app.client
                .post(app.url("/v1/organisation/api-clients"))
                .bearer_auth(&admin)
                .json(&json!({ "name": "Sak\u{0}arkiv" }))
        },
        422,
    )
    .await;
    says(
        "422",
        &bodies,
        "/errors/0/message",
        [
            "Teksten inneholder NUL eller et annet kontrolltegn",
            "Teksten inneheld NUL eller eit anna kontrollteikn",
            "The text contains NUL or another control character",
        ],
    );
    assert!(
        bodies
            .iter()
            .all(|b| b["errors"][0]["code"] == "invalid_characters")
    );
    let bodies = in_each_language(
        || {
            app.client
                .get(app.url("/v1/notifications?q=a%00b"))
                .bearer_auth(&admin)
        },
        422,
    )
    .await;
    says(
        "422 in a query",
        &bodies,
        "/errors/0/message",
        [
            "Parameteren q inneholder NUL eller et annet kontrolltegn",
            "Parameteren q inneheld NUL eller eit anna kontrollteikn",
            "The parameter q contains NUL or another control character",
        ],
    );

    // 413 and 415: a body too large, or not JSON.
    let large = format!("{{\"name\":\"{}\"}}", "x".repeat(300_000));
    let bodies = in_each_language(
        || {
            app.client
                .post(app.url("/v1/organisations"))
                .header("content-type", "application/json")
                .body(large.clone())
        },
        413,
    )
    .await;
    says(
        "413",
        &bodies,
        "/detail",
        [
            "Innholdet kan ikke være større enn 262144 byte",
            "Innhaldet kan ikkje vere større enn 262144 byte",
            "The request body must not exceed 262144 bytes",
        ],
    );
    let bodies = in_each_language(
        || {
            app.client
                .post(app.url("/v1/organisations"))
                .header("content-type", "text/xml")
                .body("<organisation/>")
        },
        415,
    )
    .await;
    says(
        "415",
        &bodies,
        "/detail",
        [
            "Innholdet må sendes som application/json",
            "Innhaldet må sendast som application/json",
            "The request body must be sent as application/json",
        ],
    );

    // 410: a confirmation link that has expired.
    let link = app.newest_mail(&number).await.token();
    app.clock
        .advance(chrono::Duration::days(14) + chrono::Duration::minutes(1));
    let confirmations = format!("/v1/confirmations/{link}");
    let bodies = in_each_language(|| app.client.get(app.url(&confirmations)), 410).await;
    says(
        "410",
        &bodies,
        "/detail",
        [
            "Denne lenken er utløpt; be om en ny bekreftelses-e-post",
            "Denne lenkja har gått ut; be om ein ny stadfestings-e-post",
            "This link has expired; ask for a new confirmation message",
        ],
    );
}

/// A body of the wrong shape is said in the language asked for too, field
/// by field, where the validation's dry run reports it as well.
#[tokio::test]
async fn fields_of_the_wrong_shape_are_said_in_the_language_asked_for() {
    let app = spawn_app().await;
    let (admin, _) = app.admin().await;
    let mut body = crate::fixtures::example();
    body["colour"] = json!("blue");
    body["law"] = json!("no-such-law");
    let bodies = in_each_language(
        || {
            app.client
                .post(app.url("/v1/notifications"))
                .bearer_auth(&admin)
                .json(&body)
        },
        422,
    )
    .await;
    let message = |body: &Value, pointer: &str| {
        body["errors"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["pointer"] == pointer)
            .unwrap_or_else(|| panic!("{pointer} in {body}"))["message"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let [nb, nn, en] = &bodies;
    assert!(message(nb, "/colour").starts_with("Feltet finnes ikke her. Gyldige felt: "));
    assert!(message(nn, "/colour").starts_with("Feltet finst ikkje her. Gyldige felt: "));
    assert!(message(en, "/colour").starts_with("There is no such field here. Valid fields: "));
    assert!(message(nb, "/law").starts_with("«no-such-law» er ikke en gyldig kode her."));
    assert!(message(nn, "/law").starts_with("«no-such-law» er ikkje ein gyldig kode her."));
    assert!(message(en, "/law").starts_with("\"no-such-law\" is not a valid code here."));

    // The dry run answers 200 with the same problems, in the same language.
    let report: Value = app
        .client
        .post(app.url("/v1/notifications/validate"))
        .bearer_auth(&admin)
        .header("Accept-Language", "nn")
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(report["valid"], false);
    assert_eq!(message(&report, "/colour"), message(nn, "/colour"));
}
