//! The printed receipt as someone with only the paper sees it: who issued
//! it, where and when, every page numbered, in the language asked for, and
//! a link and QR code to a public check that says whether it is genuine
//! and current, and nothing the receipt does not say.

use serde_json::{Value, json};

use crate::fixtures::*;
use crate::helpers::*;

async fn pdf(app: &TestApp, token: &str, id: &str, query: &str, lang: Option<&str>) -> Vec<u8> {
    let mut request = app
        .client
        .get(app.url(&format!("/v1/receipts/{id}{query}")))
        .bearer_auth(token)
        .header("Accept", "application/pdf");
    if let Some(lang) = lang {
        request = request.header("Accept-Language", lang);
    }
    let response = request.send().await.unwrap();
    assert_eq!(response.status(), 200);
    response.bytes().await.unwrap().to_vec()
}

#[tokio::test]
async fn the_pdf_names_its_issuer_place_date_and_pages_and_leads_to_its_check() {
    let app = spawn_app_with(|s| {
        s.public_url = "https://meldeplikt.example.no".into();
        s.issuer.name = "Testtilsynet".into();
        s.issuer.address = "Postboks 1 Sentrum, 5804 Bergen".into();
        s.issuer.orgnr = "983887457".into();
        s.issuer.place = "Bergen".into();
    })
    .await;
    let (token, _) = app.admin().await;
    let number = app.submitted(&token).await;
    let confirmed = app.confirm_latest_mail(&number).await;
    let id = confirmed["receipt"]["id"].as_str().unwrap().to_owned();
    let bytes = pdf(&app, &token, &id, "", None).await;

    let pages = crate::pdf::pages(&bytes);
    assert_eq!(pages.len(), 1, "{pages:?}");
    let text = &pages[0];
    let url = format!("https://meldeplikt.example.no/receipts/{id}");
    for expected in [
        "Testtilsynet",
        "Postboks 1 Sentrum, 5804 Bergen",
        "org.nr. 983 887 457",
        "Bergen, 23. november 2026",
        "Kvittering for melding om behandling av personopplysninger",
        &number,
        "Førstegangsregistrering",
        "Fjordvik kommune",
        "org.nr. 974 761 467",
        "Forskning",
        "15. januar 2030",
        "23. november 2026 kl. 11.00",
        "Kvitteringen dokumenterer at meldeplikten er oppfylt.",
        &url,
        "Side 1 av 1",
    ] {
        assert!(text.contains(expected), "{expected:?} not in: {text}");
    }
    assert!(!text.contains("spesifiser"), "{text}");
    assert_eq!(
        crate::pdf::qr_text(&bytes),
        url,
        "the QR code carries the link"
    );

    // PDF/A-2b: the markers an archive looks for.
    let raw = String::from_utf8_lossy(&bytes);
    assert!(bytes.starts_with(b"%PDF-1.7"));
    for marker in [
        "<pdfaid:part>2</pdfaid:part>",
        "<pdfaid:conformance>B</pdfaid:conformance>",
        "/GTS_PDFA1",
        "/FontFile2",
    ] {
        assert!(raw.contains(marker), "{marker} missing");
    }
    assert!(!raw.contains("/Helvetica"), "no font left unembedded");
}

#[tokio::test]
async fn the_pdf_speaks_the_language_asked_for_whatever_the_submission_was_in() {
    let app = spawn_app().await;
    let (token, _) = app.admin().await;
    let number = app.submitted(&token).await;
    let confirmed = app.confirm_latest_mail(&number).await;
    let id = confirmed["receipt"]["id"].as_str().unwrap().to_owned();

    let nb = crate::pdf::text(&pdf(&app, &token, &id, "", None).await);
    assert!(
        nb.contains("Side 1 av 1") && nb.contains("Meldingsnummer"),
        "{nb}"
    );
    let en = crate::pdf::text(&pdf(&app, &token, &id, "", Some("en-GB, nb;q=0.5")).await);
    assert!(
        en.contains("Page 1 of 1") && en.contains("Notification number"),
        "{en}"
    );
    assert!(
        en.contains("23 November 2026 at 11:00 Norwegian time"),
        "{en}"
    );
    let nn = crate::pdf::text(&pdf(&app, &token, &id, "?lang=nn", Some("en")).await);
    assert!(nn.contains("Kvitteringa dokumenterer"), "lang= wins: {nn}");
}

#[tokio::test]
async fn anyone_with_the_receipt_checks_whether_it_is_genuine_and_current() {
    let app = app_with_known_secret().await;
    let (token, _) = app.admin().await;
    let number = app.submitted(&token).await;
    let confirmed = app.confirm_latest_mail(&number).await;
    let id = confirmed["receipt"]["id"].as_str().unwrap().to_owned();
    let key = confirmed["notification_key"].as_str().unwrap().to_owned();
    app.work().await; // the receipt's mail goes before the amendment's

    let check: Value = app
        .get(&format!("/v1/receipts/{id}/verification"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(check["genuine"], true, "{check}");
    assert_eq!(check["current"], true);
    assert_eq!(check["standing"], "current");
    assert_eq!(check["number"], number.as_str());
    assert_eq!(check["controller_identifier"], "org.nr. 974 761 467");
    let said = check.to_string();
    for private in ["@", "+47", "Postboks", "Kvalitetsstudie", "Drift AS"] {
        assert!(!said.contains(private), "{private} revealed: {said}");
    }

    // The page the QR code leads to, in the receipt's language or the one asked for.
    let page = app.get(&format!("/receipts/{id}")).await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("Kvitteringen er ekte"), "{html}");
    assert!(html.contains("Gjeldende"), "{html}");
    assert!(!html.contains("personvern@"), "{html}");
    let english = app.get(&format!("/receipts/{id}?lang=en")).await;
    assert!(
        english
            .text()
            .await
            .unwrap()
            .contains("The receipt is genuine")
    );

    // An amendment confirmed since: the first receipt is superseded.
    let etag = app
        .get_with(&format!("/v1/notifications/{number}"), &token)
        .await
        .headers()["etag"]
        .to_str()
        .unwrap()
        .to_owned();
    let amended = app
        .client
        .post(app.url(&format!("/v1/notifications/{number}/amendments")))
        .bearer_auth(&token)
        .header("If-Match", etag)
        .json(&json!({"notification_key": key, "notification": set(example(), "/controller/phone", json!("+47 22 22 22 22"))}))
        .send()
        .await
        .unwrap();
    assert_eq!(amended.status(), 201);
    app.confirm_latest_mail(&number).await;
    let check: Value = app
        .get(&format!("/v1/receipts/{id}/verification?lang=en"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(check["genuine"], true);
    assert_eq!(check["current"], false);
    assert_eq!(check["standing"], "superseded");
    assert!(
        check["standing_text"]
            .as_str()
            .unwrap()
            .starts_with("Superseded")
    );

    // A receipt that does not exist, or an id that is none.
    problem(
        app.get(&format!(
            "/v1/receipts/{}/verification",
            uuid::Uuid::new_v4()
        ))
        .await,
        404,
    )
    .await;
    problem(app.get("/v1/receipts/not-an-id/verification").await, 404).await;
    let unknown = app.get("/receipts/not-an-id").await;
    assert_eq!(unknown.status(), 404);
    assert!(
        unknown
            .text()
            .await
            .unwrap()
            .contains("Ingen kvittering har dette nummeret")
    );
}
