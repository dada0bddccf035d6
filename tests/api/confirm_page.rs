//! The page behind the link in the mail, as the person confirming sees it:
//! everything they confirm, section by section and in words; what kind of
//! confirmation it is; the result titled as done, in Norwegian time; the
//! same result again on a second click; one language on every page.

use serde_json::{Value, json};

use crate::fixtures::*;
use crate::helpers::*;

/// The page's form: its cookie (`name=value`), the form's token, the HTML.
async fn open_page(app: &TestApp, link: &str) -> (String, String, String) {
    let page = app.get(&format!("/confirm/{link}")).await;
    assert_eq!(page.status(), 200);
    let cookie = page.headers()["set-cookie"].to_str().unwrap().to_owned();
    let cookie = cookie.split(';').next().unwrap().to_owned();
    let html = page.text().await.unwrap();
    let csrf = html
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a csrf field")
        .to_owned();
    (cookie, csrf, html)
}

async fn post_page(app: &TestApp, link: &str, cookie: &str, csrf: &str) -> (u16, String) {
    let response = app
        .client
        .post(app.url(&format!("/confirm/{link}")))
        .header("Cookie", cookie)
        .form(&[("csrf", csrf)])
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

fn key_on(html: &str) -> Option<String> {
    Some(
        html.split("<p class=\"key\">")
            .nth(1)?
            .split('<')
            .next()?
            .to_owned(),
    )
}

fn title_of(html: &str) -> String {
    html.split("<title>")
        .nth(1)
        .and_then(|t| t.split("</title>").next())
        .unwrap_or_default()
        .to_owned()
}

/// Submits an amendment of the registered `number` with `content`.
async fn amend(app: &TestApp, token: &str, number: &str, key: &str, content: &Value) {
    let current = app
        .get_with(&format!("/v1/notifications/{number}"), token)
        .await;
    let etag = current.headers()["etag"].to_str().unwrap().to_owned();
    let response = app
        .client
        .post(app.url(&format!("/v1/notifications/{number}/amendments")))
        .bearer_auth(token)
        .header("If-Match", etag)
        .json(&json!({"notification_key": key, "notification": content}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
}

#[tokio::test]
async fn the_page_shows_every_section_in_words_and_when_the_link_expires() {
    let app = spawn_app().await;
    let (token, _) = app.admin().await;
    let number = app.submitted(&token).await;
    let link = app.newest_mail(&number).await.token();
    let (_, _, html) = open_page(&app, &link).await;
    assert_eq!(title_of(&html), "Bekreft ny melding til Datatilsynet");
    for expected in [
        // The eight sections of the form.
        "1. Hva meldingen gjelder",
        "2. Sensitive personopplysninger",
        "3. Behandlingsansvarlig",
        "4. Representant",
        "5. Andre som behandler opplysningene",
        "6. Sektor, formål og beskrivelse",
        "7. Overføring til utlandet",
        "8. E-post for bekreftelse",
        // What each holds, in words.
        "Personopplysningsloven",
        "Helseforhold",
        "org.nr. 974 761 467",
        "Postboks 1, 5001 Bergen, Norge",
        "Kommunedirektør",
        "Drift AS – org.nr. 983 887 457 – Norge – Databehandler",
        "Fylkeskommunal/kommunal",
        "<dd><span>Forskning</span></dd>",
        "Helsetjenester",
        "Kvalitetsstudie av hjemmetjenester.",
        "Hjemmetjenester 2030",
        "31. desember 2033",
        "15. januar 2030",
        "De forente stater – Standardavtaler",
        "personvern@fjordvik.kommune.no",
        "Ny melding (førstegangsregistrering)",
        // The link's expiry, in Norwegian time: 14 days after 11.00 on 23 November.
        "7. desember 2026 kl. 11.00",
    ] {
        assert!(html.contains(expected), "{expected:?} missing:\n{html}");
    }
    for code in [
        "no_orgnr",
        "spesifiser",
        "standard_contractual_clauses",
        "research",
    ] {
        assert!(!html.contains(code), "{code:?} shown:\n{html}");
    }
}

#[tokio::test]
async fn each_kind_says_what_it_is_and_an_amendment_what_changed() {
    let app = app_with_known_secret().await;
    let (token, _) = app.admin().await;
    let number = app.submitted(&token).await;
    let key = register_with_key(&app, &number).await;

    let changed = set(example(), "/controller/phone", json!("+47 99 88 77 66"));
    amend(&app, &token, &number, &key.expose(), &changed).await;
    let link = app.newest_mail(&number).await.token();
    let (_, _, html) = open_page(&app, &link).await;
    assert_eq!(
        title_of(&html),
        "Bekreft endring av melding til Datatilsynet"
    );
    assert!(html.contains("Endring av en registrert melding"), "{html}");
    assert!(
        html.contains("Dette er endret siden registrert versjon"),
        "{html}"
    );
    assert!(
        html.contains(
            "<tr><th scope=\"row\">3. Behandlingsansvarlig: Telefon</th><td>+47 55 00 00 00</td><td>+47 99 88 77 66</td></tr>"
        ),
        "{html}"
    );
    assert_eq!(
        html.matches("<span class=\"changed\">").count(),
        1,
        "{html}"
    );

    // Confirmed: the title says so; an amendment has no new key.
    let (cookie, csrf, _) = open_page(&app, &link).await;
    let (status, done) = post_page(&app, &link, &cookie, &csrf).await;
    assert_eq!(status, 200);
    assert_eq!(title_of(&done), "Endringen er bekreftet");
    assert!(done.contains("<h1>Endringen er bekreftet</h1>"), "{done}");
    assert!(key_on(&done).is_none());
    app.work().await; // the receipt's mail goes before the next confirmation's

    // A withdrawal.
    let response = app
        .post_with(
            &format!("/v1/notifications/{number}/withdrawal"),
            &token,
            &json!({"notification_key": key.expose()}),
        )
        .await;
    assert_eq!(response.status(), 201);
    let link = app.newest_mail(&number).await.token();
    let (cookie, csrf, html) = open_page(&app, &link).await;
    assert_eq!(
        title_of(&html),
        "Bekreft tilbaketrekking av melding til Datatilsynet"
    );
    assert!(html.contains("forsvinner fra den offentlige fortegnelsen"));
    let (_, done) = post_page(&app, &link, &cookie, &csrf).await;
    assert_eq!(title_of(&done), "Tilbaketrekkingen er bekreftet");
    app.work().await;

    // A re-registration that renews another notification.
    let other = app.submitted(&token).await;
    register_with_key(&app, &other).await;
    let renewal = set(
        set(example(), "/registration_kind", json!("re_registration")),
        "/previous_number",
        json!(other),
    );
    let created: Value = app.submit(&token, &renewal).await.json().await.unwrap();
    let renewing = created["number"].as_str().unwrap().to_owned();
    let link = app.newest_mail(&renewing).await.token();
    let (_, _, html) = open_page(&app, &link).await;
    assert_eq!(
        title_of(&html),
        "Bekreft fornyelse av melding til Datatilsynet"
    );
    assert!(html.contains(&format!("<dt>Fornyer melding</dt><dd><span>{other}</span>")));
}

#[tokio::test]
async fn confirmed_the_page_says_so_in_norwegian_time_and_a_second_click_shows_the_key_again() {
    let app = spawn_app().await;
    let (token, _) = app.admin().await;
    let number = app.submitted(&token).await;
    let link = app.newest_mail(&number).await.token();
    let (cookie, csrf, _) = open_page(&app, &link).await;

    // A double click: both requests at once, with the same form.
    let (first, second) = tokio::join!(
        post_page(&app, &link, &cookie, &csrf),
        post_page(&app, &link, &cookie, &csrf)
    );
    assert_eq!((first.0, second.0), (200, 200), "{}\n{}", first.1, second.1);
    let key = key_on(&first.1).expect("the key on the page");
    assert_eq!(
        key_on(&second.1),
        Some(key.clone()),
        "the same key both times"
    );
    assert_eq!(title_of(&first.1), "Meldingen er bekreftet");
    assert!(first.1.contains("<h1>Meldingen er bekreftet</h1>"));
    // The test clock stands at 10.00 UTC on 23 November: 11.00 in Oslo.
    assert!(
        first.1.contains("23. november 2026 kl. 11.00"),
        "{}",
        first.1
    );
    assert!(!first.1.contains("UTC"), "{}", first.1);

    // A reload later in the same browser session: the same page again.
    let (status, again) = post_page(&app, &link, &cookie, &csrf).await;
    assert_eq!(status, 200);
    assert_eq!(key_on(&again), Some(key.clone()));
    let get_again = app
        .client
        .get(app.url(&format!("/confirm/{link}")))
        .header("Cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(get_again.status(), 200);
    assert_eq!(key_on(&get_again.text().await.unwrap()), Some(key.clone()));

    // Another browser, even one that got the form, does not see the key.
    let stranger = "mp_csrf=someone-elses-cookie";
    let (status, html) = post_page(&app, &link, stranger, "someone-elses-cookie").await;
    assert_eq!(status, 410);
    assert!(key_on(&html).is_none());
    assert!(!html.contains(&key));

    // Nor does the same browser after the short window.
    app.clock.advance(chrono::Duration::minutes(31));
    let (status, html) = post_page(&app, &link, &cookie, &csrf).await;
    assert_eq!(status, 410);
    assert!(!html.contains(&key));

    // The database holds no key in the clear.
    use diesel_async::RunQueryDsl;
    let mut conn = app.connection().await;
    #[derive(diesel::QueryableByName)]
    struct Kept {
        #[diesel(sql_type = diesel::sql_types::Bytea)]
        sealed: Vec<u8>,
    }
    let kept: Vec<Kept> = diesel::sql_query(
        "SELECT replay_sealed_key AS sealed FROM confirmation_tokens WHERE replay_sealed_key IS NOT NULL",
    )
    .load(&mut conn)
    .await
    .unwrap();
    assert_eq!(kept.len(), 1);
    let plain = key.replace('-', "");
    assert!(!String::from_utf8_lossy(&kept[0].sealed).contains(&plain[..8]));
}

#[tokio::test]
async fn a_link_that_does_not_work_says_so_in_the_notifications_language() {
    let app = spawn_app().await;
    let (token, _) = app.admin().await;
    let english = set(example(), "/language", json!("en"));
    let created: Value = app.submit(&token, &english).await.json().await.unwrap();
    let number = created["number"].as_str().unwrap().to_owned();
    let link = app.newest_mail(&number).await.token();
    let (_, _, html) = open_page(&app, &link).await;
    assert!(html.contains("<html lang=\"en\">"));
    assert!(
        html.contains("7 December 2026 at 11:00 Norwegian time"),
        "{html}"
    );
    app.confirm_json(&link).await;

    // A used link, asked for in bokmål: the page is English, detail too.
    let used = app
        .client
        .get(app.url(&format!("/confirm/{link}")))
        .header("Accept-Language", "nb")
        .send()
        .await
        .unwrap();
    assert_eq!(used.status(), 410);
    let html = used.text().await.unwrap();
    assert!(html.contains("<html lang=\"en\">"), "{html}");
    assert!(html.contains("This link no longer works"), "{html}");
    assert!(!html.contains("Lenken"), "one language only: {html}");
    assert!(
        !html.contains("allerede") && !html.contains("brukt"),
        "{html}"
    );

    // Expired: a new notification's link, fifteen days on.
    let waiting: Value = app.submit(&token, &english).await.json().await.unwrap();
    let late = app
        .newest_mail(waiting["number"].as_str().unwrap())
        .await
        .token();
    app.clock.advance(chrono::Duration::days(15));
    let expired = app
        .client
        .get(app.url(&format!("/confirm/{late}")))
        .header("Accept-Language", "nn")
        .send()
        .await
        .unwrap();
    assert_eq!(expired.status(), 410);
    let html = expired.text().await.unwrap();
    assert!(html.contains("<html lang=\"en\">"), "{html}");

    // Unknown: the language the browser asks for.
    let unknown = app
        .client
        .get(app.url("/confirm/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"))
        .header("Accept-Language", "nn")
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);
    let html = unknown.text().await.unwrap();
    assert!(html.contains("<html lang=\"nn\">") && html.contains("Ukjend lenkje"));

    // The focus ring is dark on white (over 3:1), not the old orange.
    assert!(html.contains(":focus-visible{outline:3px solid #1a1a1a"));
    assert!(!html.contains("#f5a623"));
}
