//! The whole life of a notification, read from the real .eml files the
//! service wrote: submit, confirm, receipt and key, amend, withdraw; the
//! confirmation page.

use serde_json::{Value, json};

use crate::fixtures::*;
use crate::helpers::*;

#[tokio::test]
async fn the_whole_life_of_a_notification() {
    let app = spawn_app_with(|s| {
        s.notification_key_secret = Some(KEY_SECRET.to_owned().into());
        s.public_url = "https://meldeplikt.example".into();
    })
    .await;
    let (token, registered) = app.admin().await;
    let number = app.submitted(&token).await;
    let today = app.clock.today();

    // 1. The confirmation mail, to the address given, in bokmål.
    let mail = app.newest_mail(&number).await;
    assert_eq!(mail.to, "personvern@fjordvik.kommune.no");
    assert!(
        mail.subject.starts_with("Bekreft meldingen"),
        "{}",
        mail.subject
    );
    assert!(
        mail.body.contains("https://meldeplikt.example/confirm/"),
        "{}",
        mail.body
    );
    let link = mail.token();

    // 2. What is being confirmed.
    let preview: Value = app
        .get(&format!("/v1/confirmations/{link}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(preview["number"], number);
    assert_eq!(preview["kind"], "registration");
    assert_eq!(preview["organisation"], registered["organisation"]["name"]);
    assert_eq!(preview["purpose"], "research");

    // 3. Confirm through the JSON API: the receipt and, this once, the key.
    let response = app.confirm_json(&link).await;
    assert_eq!(response.status(), 200);
    let confirmed: Value = response.json().await.unwrap();
    let key = confirmed["notification_key"].as_str().unwrap().to_owned();
    let receipt = &confirmed["receipt"];
    assert_eq!(receipt["number"], number);
    assert_eq!(receipt["version"], 1);
    assert_eq!(receipt["kind"], "registration");
    assert_eq!(receipt["controller_name"], "Fjordvik kommune");
    assert_eq!(receipt["controller_identifier"]["value"], "974761467");
    assert_eq!(receipt["law"], "personopplysningsloven");
    assert_eq!(receipt["sector"], "county_or_municipal");
    assert_eq!(receipt["purpose"], "research");
    assert_eq!(
        receipt["expires_on"],
        (today.checked_add_months(chrono::Months::new(36)).unwrap()).to_string()
    );
    assert!(
        receipt["statement"]
            .as_str()
            .unwrap()
            .contains("ikke en godkjenning")
    );
    assert_eq!(receipt["content_digest"].as_str().unwrap().len(), 64);
    problem(app.confirm_json(&link).await, 410).await;

    // The registered notification.
    let current: Value = app.notification(&token, &number).await;
    assert_eq!(current["status"], "registered");
    assert_eq!(current["registered_version"], 1);
    let version: Value = app.version(&token, &number, 1).await;
    assert_eq!(
        version["content_digest"], receipt["content_digest"],
        "the receipt's digest is the stored content's"
    );

    // 4. The receipt mail, with the key.
    let receipt_mail = app
        .newest_mail(&format!("Kvittering for melding {number}"))
        .await;
    assert_eq!(receipt_mail.key().as_deref(), Some(key.as_str()));
    assert!(receipt_mail.body.contains("vises bare denne ene gangen"));

    // 5. Verify the receipt.
    let jws = receipt["jws"].as_str().unwrap();
    let verdict = app.verify(jws).await;
    assert_eq!(verdict["valid"], true);
    assert_eq!(verdict["receipt"]["number"], number);
    assert_eq!(verdict["receipt_id"], receipt["id"]);

    // 6. Amend with the key; confirm through the page.
    let amended = {
        let mut v = example();
        v["description"] = json!("Utvidet kvalitetsstudie.");
        v
    };
    let response = app
        .post_with(
            &format!("/v1/notifications/{number}/amendments"),
            &token,
            &json!({"notification_key": key, "notification": amended}),
        )
        .await;
    assert_eq!(response.status(), 201);
    let link = app.newest_mail("Bekreft endringen").await.token();
    let (status, html) = app.confirm_page(&link).await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains(&number));
    assert!(
        !html.contains("Meldingsnøkkel"),
        "no new key on an amendment"
    );
    let receipts: Value = app.receipts(&token, &number).await;
    let kinds: Vec<_> = receipts["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["registration", "amendment"]);
    assert_eq!(receipts["items"][1]["version"], 2);
    let current: Value = app.notification(&token, &number).await;
    assert_eq!(current["registered_version"], 2);
    assert_eq!(
        current["content"]["description"],
        "Utvidet kvalitetsstudie."
    );
    assert!(
        app.newest_mail("Kvittering").await.key().is_none(),
        "the key is mailed only once"
    );

    // 7. Withdraw with the key; confirm.
    let response = app
        .post_with(
            &format!("/v1/notifications/{number}/withdrawal"),
            &token,
            &json!({"notification_key": key}),
        )
        .await;
    assert_eq!(response.status(), 201);
    let link = app.newest_mail("Bekreft tilbaketrekkingen").await.token();
    let response = app.confirm_json(&link).await;
    assert_eq!(response.status(), 200);
    let withdrawn: Value = response.json().await.unwrap();
    assert_eq!(withdrawn["receipt"]["kind"], "withdrawal");
    assert!(withdrawn.get("notification_key").is_none());
    let current: Value = app.notification(&token, &number).await;
    assert_eq!(current["status"], "withdrawn");
    let receipts: Value = app.receipts(&token, &number).await;
    assert_eq!(receipts["items"].as_array().unwrap().len(), 3);

    // Nothing the service stores holds the key in clear.
    let mut conn = app.connection().await;
    #[derive(diesel::QueryableByName)]
    struct Found {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    for sql in [
        "SELECT count(*) AS n FROM receipts WHERE content::text LIKE '%' || $1 || '%' OR jws LIKE '%' || $1 || '%'",
        "SELECT count(*) AS n FROM outbox WHERE body LIKE '%' || $1 || '%'",
        "SELECT count(*) AS n FROM audit_log WHERE details::text LIKE '%' || $1 || '%'",
    ] {
        let found: Found = diesel_async::RunQueryDsl::get_result(
            diesel::sql_query(sql).bind::<diesel::sql_types::Text, _>(&key),
            &mut conn,
        )
        .await
        .unwrap();
        assert_eq!(found.n, 0, "{sql}");
    }
}

#[tokio::test]
async fn the_page_shows_the_key_once_and_guards_against_forgery() {
    let app = app_with_known_secret().await;
    let (token, _) = app.admin().await;
    let number = app.submitted(&token).await;
    let link = app.newest_mail(&number).await.token();

    // The page, in the submission's language, readable without script.
    let page = app.get(&format!("/confirm/{link}")).await;
    assert_eq!(page.headers()["content-type"], "text/html; charset=utf-8");
    let html = page.text().await.unwrap();
    assert!(html.contains("<html lang=\"nb\">"));
    assert!(html.contains("name=\"viewport\""));
    assert!(html.contains("<button type=\"submit\">Bekreft</button>"));
    assert!(html.contains("Fjordvik kommune"));
    assert!(!html.contains("<script"));

    // A form posted from elsewhere (no cookie) is refused, and nothing happens.
    let forged = app
        .client
        .post(app.url(&format!("/confirm/{link}")))
        .form(&[("csrf", "guess")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 403);
    let current: Value = app.notification(&token, &number).await;
    assert_eq!(current["status"], "awaiting_confirmation");

    let (status, html) = app.confirm_page(&link).await;
    assert_eq!(status, 200);
    let key = html
        .split("<p class=\"key\">")
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap()
        .to_owned();
    assert!(
        meldeplikt::domain::key::NotificationKey::parse(&key).is_ok(),
        "{key}"
    );
    assert!(html.contains("vises bare denne ene gangen"));
    assert!(html.contains(&format!("/confirm/{link}/receipt.pdf")));

    // The link is used: a page that says so and what to do.
    let again = app.get(&format!("/confirm/{link}")).await;
    assert_eq!(again.status(), 410);
    let html = again.text().await.unwrap();
    assert!(html.contains("Lenken virker ikke lenger"), "{html}");
    let unknown = app.get("/confirm/nope").await;
    assert_eq!(unknown.status(), 404);

    // The receipt's PDF, from the page's link.
    let pdf = app.get(&format!("/confirm/{link}/receipt.pdf")).await;
    assert_eq!(pdf.headers()["content-type"], "application/pdf");
    let text = pdf_text(&pdf.bytes().await.unwrap());
    assert!(text.contains(&number), "{text}");
}
