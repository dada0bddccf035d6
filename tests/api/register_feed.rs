//! The register as it changes, and as open data: amendments, withdrawals,
//! renewals and expiry at the moment they take effect, the feed of changes
//! for mirrors, the export in both formats, the catalogue, the rate limit.

use serde_json::{Value, json};

use crate::fixtures::{app_with_known_secret, example};
use crate::helpers::{problem, spawn_app_with};
use crate::register::{named, numbers, registered, search};

async fn changes(app: &crate::helpers::TestApp, after: i64) -> Value {
    let response = app
        .get(&format!("/v1/register/changes?after={after}"))
        .await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

async fn entry(app: &crate::helpers::TestApp, number: &str) -> Value {
    let response = app.get(&format!("/v1/register/{number}")).await;
    assert_eq!(response.status(), 200, "{number} in the register");
    response.json().await.unwrap()
}

/// Confirms the newest mail whose subject holds `about`.
async fn confirm(app: &crate::helpers::TestApp, about: &str) {
    let link = app.newest_mail(about).await.token();
    assert_eq!(app.confirm_json(&link).await.status(), 200, "{about}");
}

fn feed(body: &Value) -> Vec<(String, String, Option<i64>)> {
    body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["number"].as_str().unwrap().to_owned(),
                c["change"].as_str().unwrap().to_owned(),
                c["version"].as_i64(),
            )
        })
        .collect()
}

#[tokio::test]
async fn amendments_withdrawals_and_renewals_show_when_confirmed_and_the_feed_says_so() {
    let app = app_with_known_secret().await;
    let (token, _) = app.admin().await;
    let number = {
        let r = app.submit(&token, &named("Lysberg Kommune")).await;
        r.json::<Value>().await.unwrap()["number"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let confirmed = app.confirm_latest_mail(&number).await;
    let key = confirmed["notification_key"].as_str().unwrap().to_owned();
    assert_eq!(entry(&app, &number).await["version"], 1);

    // An amendment waiting for confirmation is not shown; once confirmed it is.
    let mut amended = named("Mørkedal Kommune");
    amended["controller"]["identifier"] = example()["controller"]["identifier"].clone();
    let response = app
        .post_with(
            &format!("/v1/notifications/{number}/amendments"),
            &token,
            &json!({"notification_key": key, "notification": amended}),
        )
        .await;
    assert_eq!(response.status(), 201);
    let shown = entry(&app, &number).await;
    assert_eq!(shown["version"], 1);
    assert_eq!(shown["controller"]["name"], "Lysberg Kommune");
    assert_eq!(
        numbers(&search(&app, "?q=m%C3%B8rkedal").await),
        Vec::<String>::new()
    );
    confirm(&app, "Bekreft endringen").await;
    let shown = entry(&app, &number).await;
    assert_eq!(shown["version"], 2);
    assert_eq!(shown["controller"]["name"], "Mørkedal Kommune");
    assert_eq!(
        numbers(&search(&app, "?q=m%C3%B8rkedal").await),
        std::slice::from_ref(&number)
    );
    assert_eq!(
        numbers(&search(&app, "?q=lysberg").await),
        Vec::<String>::new()
    );

    // A re-registration renews another one: the old leaves, the new enters.
    let old = registered(&app, &token, &named("Gammel Kommune")).await;
    let mut renewal = named("Fornyet Kommune");
    renewal["registration_kind"] = json!("re_registration");
    renewal["previous_number"] = json!(old);
    let renewed = registered(&app, &token, &renewal).await;
    problem(app.get(&format!("/v1/register/{old}")).await, 404).await;
    assert_eq!(entry(&app, &renewed).await["number"], renewed);

    // A withdrawal waiting leaves the entry; confirmed, it is gone.
    let response = app
        .post_with(
            &format!("/v1/notifications/{number}/withdrawal"),
            &token,
            &json!({"notification_key": key}),
        )
        .await;
    assert_eq!(response.status(), 201);
    assert_eq!(entry(&app, &number).await["version"], 2);
    confirm(&app, "Bekreft tilbaketrekkingen").await;
    problem(app.get(&format!("/v1/register/{number}")).await, 404).await;

    // The feed, in order.
    let body = changes(&app, 0).await;
    assert_eq!(
        feed(&body),
        [
            (number.clone(), "added".into(), Some(1)),
            (number.clone(), "changed".into(), Some(2)),
            (old.clone(), "added".into(), Some(1)),
            // One transaction: the renewal enters, then the renewed leaves.
            (renewed.clone(), "added".into(), Some(1)),
            (old.clone(), "removed".into(), None),
            (number.clone(), "removed".into(), None),
        ]
    );
    assert_eq!(body["more"], false);
    let last = body["next_after"].as_i64().unwrap();
    let after_third = body["items"][2]["sequence"].as_i64().unwrap();
    assert_eq!(feed(&changes(&app, after_third).await).len(), 3);
    let nothing = changes(&app, last).await;
    assert_eq!(nothing["items"], json!([]));
    assert_eq!(nothing["next_after"], last);
    let page = app
        .get("/v1/register/changes?limit=2")
        .await
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(page["items"].as_array().unwrap().len(), 2);
    assert_eq!(page["more"], true);
    for bad in ["after=-1", "after=x", "limit=0", "limit=1001"] {
        problem(app.get(&format!("/v1/register/changes?{bad}")).await, 400).await;
    }
}

#[tokio::test]
async fn expiry_and_lapse_take_effect_in_the_register_at_once() {
    let app = app_with_known_secret().await;
    let (token, _) = app.admin().await;
    let number = registered(&app, &token, &named("Utløp Kommune")).await;
    let lapsing = {
        let r = app.submit(&token, &named("Glemt Kommune")).await;
        r.json::<Value>().await.unwrap()["number"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    app.clock.advance(chrono::Duration::days(15));
    app.work().await;
    problem(app.get(&format!("/v1/register/{lapsing}")).await, 404).await;
    assert_eq!(
        numbers(&search(&app, "").await),
        std::slice::from_ref(&number)
    );

    app.clock.advance(chrono::Duration::days(3 * 366));
    app.work().await;
    problem(app.get(&format!("/v1/register/{number}")).await, 404).await;
    assert_eq!(numbers(&search(&app, "").await), Vec::<String>::new());
    let body = changes(&app, 0).await;
    assert_eq!(
        feed(&body),
        [
            (number.clone(), "added".into(), Some(1)),
            (number.clone(), "removed".into(), None),
        ]
    );
}

#[tokio::test]
async fn the_export_streams_csv_and_ndjson_with_validators_for_mirrors() {
    let app = app_with_known_secret().await;
    let (token, _) = app.admin().await;
    let formula = registered(&app, &token, &named("=HYPERLINK(\"http://x\")")).await;
    let plain = registered(&app, &token, &example()).await;

    let csv = app.get("/v1/register/export").await;
    assert_eq!(csv.status(), 200);
    let headers = csv.headers().clone();
    assert_eq!(headers["content-type"], "text/csv; charset=utf-8");
    let disposition = headers["content-disposition"].to_str().unwrap();
    assert_eq!(
        disposition,
        format!(
            "attachment; filename=\"fortegnelse-{}.csv\"",
            app.clock.today()
        )
    );
    assert!(headers.contains_key("last-modified"));
    let etag = headers["etag"].to_str().unwrap().to_owned();
    let text = csv.text().await.unwrap();
    let lines: Vec<&str> = text.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert!(lines[0].starts_with("number,version,controller_name,"));
    assert_eq!(lines[0].split(',').count(), 28);
    let row = lines.iter().find(|l| l.starts_with(&plain)).unwrap();
    assert!(row.contains("Fjordvik kommune"));
    assert!(row.contains("Fylkeskommunal/kommunal"));
    assert!(row.contains(",Drift AS,NO,true,US"), "{row}");
    // A cell a spreadsheet would run gets a leading apostrophe.
    let row = lines.iter().find(|l| l.starts_with(&formula)).unwrap();
    assert!(row.contains("\"'=HYPERLINK(\"\"http://x\"\")\""), "{row}");

    // Unchanged: 304; a change: a new ETag.
    let again = app
        .client
        .get(app.url("/v1/register/export"))
        .header("If-None-Match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);

    // NDJSON by Accept and by format=, each line an entry, verbatim.
    for (accept, query) in [("application/x-ndjson", ""), ("text/csv", "?format=ndjson")] {
        let response = app
            .client
            .get(app.url(&format!("/v1/register/export{query}")))
            .header("Accept", accept)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["content-type"], "application/x-ndjson");
        assert_ne!(response.headers()["etag"].to_str().unwrap(), etag);
        let body = response.text().await.unwrap();
        let entries: Vec<Value> = body
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(entries.len(), 2);
        let f = entries.iter().find(|e| e["number"] == formula).unwrap();
        assert_eq!(f["controller"]["name"], "=HYPERLINK(\"http://x\")");
    }
    let third = registered(&app, &token, &named("Tredje Kommune")).await;
    let changed = app
        .client
        .get(app.url("/v1/register/export"))
        .header("If-None-Match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status(), 200);
    assert!(changed.text().await.unwrap().contains(&third));

    problem(app.get("/v1/register/export?format=xml").await, 400).await;
    // An Accept that names neither format is disregarded: CSV.
    let other = app
        .client
        .get(app.url("/v1/register/export"))
        .header("Accept", "application/pdf")
        .send()
        .await
        .unwrap();
    assert_eq!(other.status(), 200);
    assert_eq!(other.headers()["content-type"], "text/csv; charset=utf-8");
}

#[tokio::test]
async fn the_catalog_describes_the_register_as_an_open_dataset() {
    let app = app_with_known_secret().await;
    let response = app.get("/v1/register/catalog").await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "text/turtle; charset=utf-8"
    );
    let turtle = response.text().await.unwrap();
    for needle in [
        "a dcat:Catalog",
        "a dcat:Dataset",
        "\"Fortegnelse over meldte behandlinger av personopplysninger\"@nb",
        "\"Register of notified processing of personal data\"@en",
        "dct:publisher <https://data.brreg.no/enhetsregisteret/api/enheter/974761467>",
        "dcat:contactPoint",
        "dct:license <http://data.norge.no/nlod/no/2.0>",
        "file-type/CSV",
        "/v1/register/export?format=ndjson>",
    ] {
        assert!(turtle.contains(needle), "{needle} not in the catalogue");
    }
    // Every statement ends: the document is whole Turtle, not a fragment.
    assert!(turtle.trim_end().ends_with('.'));
    assert_eq!(turtle.matches(" a dcat:Distribution").count(), 2);
}

#[tokio::test]
async fn a_greedy_client_is_told_to_wait_and_anyone_may_read_from_any_origin() {
    let app = spawn_app_with(|s| s.register_rate_per_min = 20).await;
    let mut statuses = Vec::new();
    for _ in 0..15 {
        statuses.push(app.get("/v1/register").await.status().as_u16());
    }
    assert!(statuses.starts_with(&[200; 10]), "{statuses:?}");
    let response = app.get("/v1/register/catalog").await;
    assert_eq!(response.status(), 429);
    let wait: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    problem(response, 429).await;

    let open = spawn_app_with(|_| {}).await;
    let response = open
        .client
        .get(open.url("/v1/register"))
        .header("Origin", "https://example.org")
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["access-control-allow-origin"], "*");
    let cache = response.headers()["cache-control"].to_str().unwrap();
    assert!(cache.starts_with("public"), "{cache}");
    let etag = response.headers()["etag"].to_str().unwrap().to_owned();
    let again = open
        .client
        .get(open.url("/v1/register"))
        .header("If-None-Match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
}
