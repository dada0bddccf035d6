//! The public register: what it shows, what it never shows, and how it is
//! searched — over HTTP, without an account.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use crate::fixtures::{app_with_known_secret, example, set};
use crate::helpers::{TestApp, new_orgnr, problem};

/// Submits `body` and confirms it from the mail; its number.
pub async fn registered(app: &TestApp, token: &str, body: &Value) -> String {
    let response = app.submit(token, body).await;
    let status = response.status();
    let created: Value = response.json().await.unwrap();
    assert_eq!(status, 201, "{created:#}");
    let number = created["number"].as_str().unwrap().to_owned();
    app.confirm_latest_mail(&number).await;
    number
}

/// The example with another controller name and organisation number.
pub fn named(name: &str) -> Value {
    let v = set(example(), "/controller/name", json!(name));
    set(v, "/controller/identifier/value", json!(new_orgnr()))
}

/// The example for another purpose than research.
pub fn for_purpose(mut v: Value, purpose: &str) -> Value {
    v["purpose"] = json!(purpose);
    let map = v.as_object_mut().unwrap();
    map.remove("research_area");
    map.remove("research");
    v
}

/// `GET /v1/register{query}`, 200; the body.
pub async fn search(app: &TestApp, query: &str) -> Value {
    let response = app.get(&format!("/v1/register{query}")).await;
    assert_eq!(response.status(), 200, "GET /v1/register{query}");
    response.json().await.unwrap()
}

pub fn numbers(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["number"].as_str().unwrap().to_owned())
        .collect()
}

/// Every key path of a JSON value (`controller.identifier.scheme.code`).
fn key_paths(value: &Value, prefix: &str, out: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                let path = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                out.insert(path.clone());
                key_paths(v, &path, out);
            }
        }
        Value::Array(items) => {
            for item in items {
                key_paths(item, &format!("{prefix}[]"), out);
            }
        }
        _ => {}
    }
}

#[tokio::test]
async fn an_entry_shows_the_public_fields_of_the_spec_and_nothing_else() {
    let app = app_with_known_secret().await;
    let (token, _) = app.admin().await;
    let number = registered(&app, &token, &example()).await;

    let response = app.get(&format!("/v1/register/{number}")).await;
    assert_eq!(response.status(), 200);
    let raw = response.text().await.unwrap();
    let entry: Value = serde_json::from_str(&raw).unwrap();
    let mut keys = BTreeSet::new();
    key_paths(&entry, "", &mut keys);
    // The spec's list: number, version, controller name and identifier,
    // representative name and identifier, law, legal ground, sector,
    // purpose (and research area), start date, first registered, last
    // confirmed, expires on, processors' names and countries, whether data
    // leaves Norway and to which countries; codes with their labels.
    let coded = |k: &str| [k.to_owned(), format!("{k}.code"), format!("{k}.label")];
    let identifier = |p: &str| {
        let mut v = vec![format!("{p}.identifier"), format!("{p}.identifier.value")];
        v.extend(coded(&format!("{p}.identifier.scheme")));
        v.extend(coded(&format!("{p}.identifier.country")));
        v
    };
    let mut allowed: BTreeSet<String> = [
        "number",
        "version",
        "controller",
        "controller.name",
        "representative",
        "representative.name",
        "start_date",
        "first_registered_at",
        "last_confirmed_at",
        "expires_on",
        "processors",
        "processors[].name",
        "transfers_abroad",
    ]
    .into_iter()
    .map(str::to_owned)
    .collect();
    for k in [
        "law",
        "legal_ground",
        "sector",
        "purpose",
        "research_area",
        "processors[].country",
        "transfer_countries[]",
    ] {
        allowed.extend(coded(k));
    }
    allowed.insert("transfer_countries".into());
    allowed.extend(identifier("controller"));
    allowed.extend(identifier("representative"));
    let strays: Vec<_> = keys.difference(&allowed).collect();
    assert!(strays.is_empty(), "keys beyond the spec's list: {strays:?}");
    assert!(keys.contains("controller.identifier.value"), "{keys:?}");
    assert!(keys.contains("research_area.label"), "{keys:?}");
    // Nothing private rides along in a value either.
    for private in [
        "personvern@fjordvik.kommune.no",
        "+47 55 00 00 00",
        "Postboks",
        "Kommunedirektør",
        "Kvalitetsstudie",
        "Hjemmetjenester 2030",
        "standard_contractual_clauses",
        "983887457",
        "health\"",
    ] {
        assert!(!raw.contains(private), "{private} in {raw}");
    }
    assert_eq!(entry["number"], number);
    assert_eq!(entry["controller"]["name"], "Fjordvik kommune");
    assert_eq!(entry["controller"]["identifier"]["value"], "974761467");
    assert_eq!(entry["sector"]["label"], "Fylkeskommunal/kommunal");
    assert_eq!(entry["processors"][0]["name"], "Drift AS");
    assert_eq!(entry["processors"][0]["country"]["code"], "NO");
    assert_eq!(entry["transfers_abroad"], true);
    assert_eq!(entry["transfer_countries"][0]["code"], "US");

    // Labels in the language asked for.
    let en: Value = app
        .client
        .get(app.url(&format!("/v1/register/{number}")))
        .header("Accept-Language", "en")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(en["sector"]["label"], "County or municipal");
    assert_eq!(en["transfer_countries"][0]["label"], "United States");
}

#[tokio::test]
async fn only_what_is_registered_now_is_shown_and_the_rest_is_not_found_alike() {
    let app = app_with_known_secret().await;
    let (token, _) = app.admin().await;
    let shown = registered(&app, &token, &named("Synlig Kommune")).await;
    let waiting = {
        let r = app.submit(&token, &named("Ventende Kommune")).await;
        assert_eq!(r.status(), 201);
        r.json::<Value>().await.unwrap()["number"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let page = search(&app, "").await;
    assert_eq!(numbers(&page), std::slice::from_ref(&shown));
    assert_eq!(
        numbers(&search(&app, "?q=ventende").await),
        Vec::<String>::new()
    );

    let never = problem(app.get("/v1/register/2026-999999").await, 404).await;
    let pending = problem(app.get(&format!("/v1/register/{waiting}")).await, 404).await;
    for p in [&never, &pending] {
        assert_eq!(p["type"], never["type"]);
        assert_eq!(p["title"], never["title"]);
        assert_eq!(p["detail"], never["detail"]);
    }
    // Not a notification number at all: the same.
    let garbage = problem(app.get("/v1/register/not-a-number").await, 404).await;
    assert_eq!(garbage["detail"], never["detail"]);
}

#[tokio::test]
async fn words_are_found_with_norwegian_stemming_in_any_case_and_as_one_types() {
    let app = app_with_known_secret().await;
    let (token, _) = app.admin().await;
    let kindergarten = registered(&app, &token, &named("Solsikken Barnehage AS")).await;
    let bank = registered(&app, &token, &named("Fjellbanken ASA")).await;
    let mut processed = named("Vestland Regnskap AS");
    processed["processors"][0]["name"] = json!("Fjellbanken Drift AS");
    let accounting = registered(&app, &token, &processed).await;

    for q in ["barnehagen", "BARNEHAGE", "barnehager", "solsikk", "Barneh"] {
        assert_eq!(
            numbers(&search(&app, &format!("?q={q}")).await),
            std::slice::from_ref(&kindergarten),
            "q={q}"
        );
    }
    assert_eq!(
        numbers(&search(&app, "?q=skole").await),
        Vec::<String>::new()
    );
    // A processor's name is searched too; the controller's name ranks first.
    assert_eq!(
        numbers(&search(&app, "?q=fjellbanken").await),
        [bank.clone(), accounting.clone()]
    );
    // Every word must be there.
    assert_eq!(
        numbers(&search(&app, "?q=regnskap%20fjellbanken").await),
        std::slice::from_ref(&accounting)
    );
    // Signs are only separators; they cannot change the query.
    assert_eq!(
        numbers(&search(&app, "?q=barnehage%27%20%26%20!%7C").await),
        std::slice::from_ref(&kindergarten)
    );
    let too_long = "a".repeat(201);
    let p = problem(app.get(&format!("/v1/register?q={too_long}")).await, 400).await;
    assert_eq!(p["errors"][0]["pointer"], "q");
}

#[tokio::test]
async fn an_organisation_number_is_found_with_or_without_spaces() {
    let app = app_with_known_secret().await;
    let (token, _) = app.admin().await;
    let fjordvik = registered(&app, &token, &example()).await;
    let other = registered(&app, &token, &named("Annen Kommune")).await;

    for q in ["974761467", "974%20761%20467", "%20974%20761467%20"] {
        assert_eq!(
            numbers(&search(&app, &format!("?q={q}")).await),
            std::slice::from_ref(&fjordvik),
            "{q}"
        );
        assert_eq!(
            numbers(&search(&app, &format!("?identifier={q}")).await),
            std::slice::from_ref(&fjordvik),
            "{q}"
        );
    }
    let page = search(&app, "").await;
    assert_eq!(numbers(&page).len(), 2, "{other}");
    // Any text is an identifier to look for; one of no known form finds nothing.
    assert_eq!(
        numbers(&search(&app, "?identifier=kommune").await),
        Vec::<String>::new()
    );
    let p = problem(app.get("/v1/register?identifier=%20").await, 400).await;
    assert_eq!(p["errors"][0]["pointer"], "identifier");
    let long = "9".repeat(65);
    let p = problem(
        app.get(&format!("/v1/register?identifier={long}")).await,
        400,
    )
    .await;
    assert_eq!(p["errors"][0]["pointer"], "identifier");
}

#[tokio::test]
async fn each_filter_narrows_the_register() {
    let app = app_with_known_secret().await;
    let (token, _) = app.admin().await;
    // Research, county or municipal, data to the US, registered today.
    let research = registered(&app, &token, &named("Forskning Kommune")).await;
    // Access control, private sector, nothing abroad, registered later.
    app.clock.advance(chrono::Duration::days(3));
    let mut private = for_purpose(named("Vakt Og Lås AS"), "access_control");
    private["sector"] = json!("private");
    private["transfers_abroad"] = json!([]);
    let access = registered(&app, &token, &private).await;
    // A health register under helseregisterloven.
    let mut health = for_purpose(named("Helse Vest Register"), "health_services");
    health["law"] = json!("helseregisterloven");
    health["legal_ground"] = json!("health_register_local_regional");
    health["sector"] = json!("central_government");
    let register = registered(&app, &token, &health).await;

    let today = app.clock.today();
    let first_day = today - chrono::Days::new(3);
    let cases: Vec<(String, Vec<&String>)> = vec![
        ("law=helseregisterloven".into(), vec![&register]),
        (
            "law=personopplysningsloven".into(),
            vec![&access, &research],
        ),
        (
            "legal_ground=health_register_local_regional".into(),
            vec![&register],
        ),
        (
            "legal_ground=notification_duty".into(),
            vec![&access, &research],
        ),
        ("sector=private".into(), vec![&access]),
        ("sector=county_or_municipal".into(), vec![&research]),
        ("purpose=access_control".into(), vec![&access]),
        ("purpose=research".into(), vec![&research]),
        ("transfers_abroad=false".into(), vec![&access]),
        ("transfers_abroad=true".into(), vec![&register, &research]),
        (format!("registered_to={first_day}"), vec![&research]),
        (format!("registered_from={today}"), vec![&register, &access]),
        (
            format!("registered_from={first_day}&registered_to={first_day}"),
            vec![&research],
        ),
        (
            "law=personopplysningsloven&sector=private".into(),
            vec![&access],
        ),
    ];
    for (query, expected) in cases {
        let mut found = numbers(&search(&app, &format!("?{query}")).await);
        found.sort();
        let mut expected: Vec<String> = expected.into_iter().cloned().collect();
        expected.sort();
        assert_eq!(found, expected, "{query}");
    }
    for (query, field) in [
        ("law=gdpr", "law"),
        ("sector=", "sector"),
        ("purpose=x", "purpose"),
        ("legal_ground=x", "legal_ground"),
        ("transfers_abroad=yes", "transfers_abroad"),
        ("registered_from=2026-13-01", "registered_from"),
        ("registered_to=+12026-01-01", "registered_to"),
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("cursor=nonsense", "cursor"),
    ] {
        let p = problem(app.get(&format!("/v1/register?{query}")).await, 400).await;
        assert_eq!(p["errors"][0]["pointer"], field, "{query}");
    }
}

#[tokio::test]
async fn pages_follow_one_another_without_duplicates_or_gaps_while_entries_arrive() {
    let app = app_with_known_secret().await;
    let (token, _) = app.admin().await;
    let mut made = Vec::new();
    for i in 0..7 {
        made.push(registered(&app, &token, &named(&format!("Sidetest Barnehage {i}"))).await);
        app.clock.advance(chrono::Duration::seconds(1));
    }
    for base in ["?limit=3", "?limit=3&q=barnehage"] {
        let mut seen = Vec::new();
        let mut query = base.to_owned();
        let mut pages = 0;
        loop {
            let page = search(&app, &query).await;
            seen.extend(numbers(&page));
            pages += 1;
            if pages == 1 {
                // An entry that arrives meanwhile does not shift later pages.
                let late = named(&format!("Sen Barnehage {base}"));
                made.push(registered(&app, &token, &late).await);
            }
            match page["next_cursor"].as_str() {
                Some(cursor) => query = format!("{base}&cursor={cursor}"),
                None => break,
            }
        }
        let unique: BTreeSet<_> = seen.iter().collect();
        assert_eq!(unique.len(), seen.len(), "no duplicates: {seen:?}");
        let before: Vec<_> = made[..7].iter().collect();
        for n in before {
            assert!(seen.contains(n), "{n} missing from {seen:?} ({base})");
        }
        assert!(pages >= 3, "{base}: {pages} pages");
    }
    // Browsing shows the newest registration first.
    let first = search(&app, "?limit=1").await;
    assert_eq!(numbers(&first), [made.last().unwrap().clone()]);
}
