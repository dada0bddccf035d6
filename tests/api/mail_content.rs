//! The mail as its reader gets it: from the authority by name, with the
//! headers a well-behaved sender sets, as text and HTML; the receipt with
//! its PDF; the reminder and the new key saying what the reader needs.

use chrono::Days;
use serde_json::json;

use crate::fixtures::*;
use crate::helpers::*;

#[tokio::test]
async fn the_receipt_mail_is_signed_multipart_and_carries_the_pdf() {
    let app = spawn_app().await;
    let (token, _) = app.admin().await;
    let number = app.submitted(&token).await;
    let confirmed = app.confirm_latest_mail(&number).await;
    let mail = app
        .newest_mail(&format!("Kvittering for melding {number}"))
        .await;

    for header in [
        "From: Datatilsynet <no-reply@meldeplikt.example>",
        "Message-ID: <",
        "Date: ",
        "MIME-Version: 1.0",
        "Auto-Submitted: auto-generated",
        "Content-Type: multipart/mixed",
    ] {
        assert!(
            mail.head.contains(header),
            "{header} missing:\n{}",
            mail.head
        );
    }
    assert!(mail.body.starts_with("Hei,\n"), "{}", mail.body);
    assert!(
        mail.body.ends_with("Med vennlig hilsen\nDatatilsynet\n"),
        "{:?}",
        mail.body
    );
    assert!(
        mail.body
            .contains(&confirmed["notification_key"].as_str().unwrap().to_owned())
    );
    let id = confirmed["receipt"]["id"].as_str().unwrap();
    assert!(
        mail.body.contains(&format!("/receipts/{id}")),
        "{}",
        mail.body
    );
    let html = mail.html.as_deref().expect("an HTML part");
    assert!(html.contains("<html lang=\"nb\">") && html.contains("Med vennlig hilsen"));
    assert!(html.contains(&format!("/receipts/{id}\" style=")), "{html}");

    let [(name, pdf)] = mail.attachments.as_slice() else {
        panic!("one attachment: {:?}", mail.attachments.len());
    };
    assert_eq!(name, &format!("kvittering-{number}.pdf"));
    let text = crate::pdf::text(pdf);
    assert!(
        text.contains(&number) && text.contains("Side 1 av 1"),
        "{text}"
    );
}

#[tokio::test]
async fn the_reminder_names_what_expires_and_how_to_renew_step_by_step() {
    let app = spawn_app().await;
    let (token, _) = app.admin().await;
    let number = app.submitted(&token).await;
    let confirmed = app.confirm_latest_mail(&number).await;
    let expires_on: chrono::NaiveDate = confirmed["receipt"]["expires_on"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    app.clock.move_to_oslo_date(expires_on - Days::new(42));
    assert_eq!(app.work().await.reminded, 1);
    let mail = app.newest_mail("utløper").await;
    assert_eq!(
        mail.subject,
        format!("Melding {number} utløper 23. november 2029")
    );
    let entry = format!("{}/register/{number}", app.settings.public_url);
    for expected in [
        "Fjordvik kommune",
        "«Forskning»",
        "Gjør dere ingenting, utløper meldingen den dagen.",
        &format!("1. Se hva som er registrert nå: {entry}"),
        "2. Send inn en ny registrering (fornyelse)",
        &format!("\"previous_number\": \"{number}\""),
        "3. Bekreft fra lenken",
        "Med vennlig hilsen\nDatatilsynet",
    ] {
        assert!(
            mail.body.contains(expected),
            "{expected:?} missing:\n{}",
            mail.body
        );
    }
    assert!(mail.html.unwrap().contains(&format!("<a href=\"{entry}\"")));
    // The link leads to the entry.
    let page = app.get(&format!("/register/{number}")).await;
    assert_eq!(page.status(), 200);
}

#[tokio::test]
async fn the_new_key_mail_says_who_asked_when_and_what_to_do_if_unexpected() {
    let app = app_with_known_secret().await;
    let (token, registered) = app.admin().await;
    let number = app.submitted(&token).await;
    register_with_key(&app, &number).await;
    let response = app
        .post_with(
            &format!("/v1/notifications/{number}/key"),
            &token,
            &json!({}),
        )
        .await;
    assert_eq!(response.status(), 202);
    let mail = app.newest_mail("Ny meldingsnøkkel").await;
    let email = registered["admin"]["email"].as_str().unwrap().to_owned();
    let name = registered["organisation"]["name"]
        .as_str()
        .unwrap()
        .to_owned();
    let asked = format!(
        "En administrator i {name} ({email}) ba om en ny meldingsnøkkel for melding {number} (Fjordvik kommune) 23. november 2026 kl. 11.00."
    );
    assert!(
        mail.body.contains(&asked),
        "{asked:?} missing:\n{}",
        mail.body
    );
    assert!(
        mail.body.contains("Ventet du ikke denne e-posten?"),
        "{}",
        mail.body
    );
    assert!(mail.key().is_some());
    assert!(mail.html.is_some());
}

/// A web address in a controller's name is never a link in the
/// authority's mail, and is broken up in the text so that mail clients do
/// not make it one: the only links are the service's own.
#[tokio::test]
async fn a_web_address_in_a_name_is_shown_inert_and_only_the_services_links_are_links() {
    let app = spawn_app().await;
    let (token, _) = app.admin().await;
    let mut body = example();
    body["controller"]["name"] = json!("Fjordvik AS https://evil.example/datatilsynet/bekreft");
    let response = app.submit(&token, &body).await;
    assert_eq!(response.status(), 201);
    let number = response.json::<serde_json::Value>().await.unwrap()["number"]
        .as_str()
        .unwrap()
        .to_owned();
    let confirmation = app.newest_mail(&number).await;
    app.confirm_latest_mail(&number).await;
    let receipt = app
        .newest_mail(&format!("Kvittering for melding {number}"))
        .await;
    for mail in [&confirmation, &receipt] {
        let html = mail.html.as_deref().expect("an HTML part");
        assert!(
            !html.contains("evil.example") && !mail.body.contains("evil.example"),
            "{}: {html}",
            mail.subject
        );
        assert!(
            mail.body
                .contains("Fjordvik AS https[:]//evil[.]example/datatilsynet/bekreft"),
            "{}",
            mail.body
        );
        let links: Vec<&str> = html
            .split("<a href=\"")
            .skip(1)
            .map(|rest| rest.split('"').next().unwrap())
            .collect();
        assert_eq!(links.len(), 1, "{}: {links:?}", mail.subject);
        // The service's public address (test settings keep the default).
        assert!(
            links[0].starts_with("http://127.0.0.1:8080/confirm/")
                || links[0].starts_with("http://127.0.0.1:8080/receipts/"),
            "{}: {links:?}",
            mail.subject
        );
    }
}
