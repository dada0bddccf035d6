//! The back office's notifications: every organisation's, filtered,
//! sorted and paged; one with everything there is; its case and notes;
//! counts and the export. Regulators only.

use serde_json::{Value, json};

use crate::fixtures::{app_with_known_secret, example, non_regulators, regulator_token};
use crate::helpers::{TestApp, problem};
use crate::register::{for_purpose, named, registered};

/// A notification submitted and left waiting; its number.
async fn submitted(app: &TestApp, token: &str, body: &Value) -> String {
    let response = app.submit(token, body).await;
    let status = response.status();
    let created: Value = response.json().await.unwrap();
    assert_eq!(status, 201, "{created:#}");
    created["number"].as_str().unwrap().to_owned()
}

async fn admin_get(app: &TestApp, token: &str, path: &str) -> Value {
    let response = app.get_with(path, token).await;
    assert_eq!(response.status(), 200, "GET {path}");
    assert_eq!(response.headers()["cache-control"], "no-store", "{path}");
    response.json().await.unwrap()
}

fn numbers(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["number"].as_str().unwrap().to_owned())
        .collect()
}

/// Two organisations' notifications in known states; (regulator token,
/// [registered research, waiting access control, registered health of the
/// second organisation], the second organisation's number).
async fn fixture(app: &TestApp) -> (String, [String; 3], String) {
    let (first, _) = app.admin().await;
    let (second, registration) = app.admin().await;
    let research = registered(app, &first, &named("Forskning Kommune")).await;
    app.clock.advance(chrono::Duration::days(2));
    let mut access = for_purpose(named("Vakt Og Lås AS"), "access_control");
    access["sector"] = json!("private");
    access["description"] = json!("Adgangskort til kontorene.");
    let waiting = submitted(app, &first, &access).await;
    app.clock.advance(chrono::Duration::days(2));
    let mut health = for_purpose(named("Helse Vest Register"), "health_services");
    health["law"] = json!("helseregisterloven");
    health["legal_ground"] = json!("health_register_local_regional");
    health["sector"] = json!("central_government");
    let other = registered(app, &second, &health).await;
    let orgnr = registration["organisation"]["identifier"]["value"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    (
        regulator_token(app).await,
        [research, waiting, other],
        orgnr,
    )
}

#[tokio::test]
async fn the_list_has_every_organisation_and_each_filter_and_sort_narrows_or_orders_it() {
    let app = app_with_known_secret().await;
    let (regulator, [research, waiting, other], orgnr) = fixture(&app).await;
    let all = admin_get(&app, &regulator, "/v1/admin/notifications").await;
    assert_eq!(
        numbers(&all),
        [research.clone(), waiting.clone(), other.clone()]
    );
    assert_eq!(all["items"][0]["case_status"], "new");
    assert!(all["items"][2]["organisation"]["name"].is_string());

    let today = app.clock.today();
    let first_day = today - chrono::Days::new(4);
    // Date filters are inclusive: the day a notification expires is "before" it.
    let research_expires = all["items"][0]["expires_on"].as_str().unwrap().to_owned();
    let cases: Vec<(String, Vec<&String>)> = vec![
        ("status=registered".into(), vec![&research, &other]),
        ("status=awaiting_confirmation".into(), vec![&waiting]),
        ("law=helseregisterloven".into(), vec![&other]),
        (
            "legal_ground=notification_duty".into(),
            vec![&research, &waiting],
        ),
        ("sector=private".into(), vec![&waiting]),
        ("purpose=research".into(), vec![&research]),
        (format!("organisation={orgnr}"), vec![&other]),
        ("case_status=new".into(), vec![&research, &waiting, &other]),
        ("case_status=closed".into(), vec![]),
        ("q=adgangskort".into(), vec![&waiting]),
        ("q=HELSE%20VEST".into(), vec![&other]),
        (format!("submitted_to={first_day}"), vec![&research]),
        (format!("submitted_from={today}"), vec![&other]),
        (
            format!("expires_before={}", today + chrono::Days::new(3 * 365)),
            vec![&research],
        ),
        (
            "status=registered&law=personopplysningsloven".into(),
            vec![&research],
        ),
        (
            format!("expires_before={research_expires}"),
            vec![&research],
        ),
    ];
    for (query, expected) in cases {
        let page = admin_get(
            &app,
            &regulator,
            &format!("/v1/admin/notifications?{query}"),
        )
        .await;
        let expected: Vec<String> = expected.into_iter().cloned().collect();
        assert_eq!(numbers(&page), expected, "{query}");
    }
    // Sorts, each both ways; the one never registered expires last.
    for (query, expected) in [
        ("sort=-submitted_at", vec![&other, &waiting, &research]),
        ("sort=number", vec![&research, &waiting, &other]),
        ("sort=-number", vec![&other, &waiting, &research]),
        ("sort=expires_on", vec![&research, &other, &waiting]),
        ("sort=-expires_on", vec![&waiting, &other, &research]),
    ] {
        let page = admin_get(
            &app,
            &regulator,
            &format!("/v1/admin/notifications?{query}"),
        )
        .await;
        let expected: Vec<String> = expected.into_iter().cloned().collect();
        assert_eq!(numbers(&page), expected, "{query}");
        // Page by page, one at a time, the same order without gaps.
        let mut seen = Vec::new();
        let mut next = format!("/v1/admin/notifications?{query}&limit=1");
        loop {
            let page = admin_get(&app, &regulator, &next).await;
            seen.extend(numbers(&page));
            match page["next_cursor"].as_str() {
                Some(c) => next = format!("/v1/admin/notifications?{query}&limit=1&cursor={c}"),
                None => break,
            }
        }
        assert_eq!(seen, expected, "{query}, paged");
    }
    for (query, field) in [
        ("status=nope", "status"),
        ("case_status=open", "case_status"),
        ("assignee=someone", "assignee"),
        ("submitted_from=2026-02-30", "submitted_from"),
        ("sort=name", "sort"),
        ("sort=-", "sort"),
        ("limit=0", "limit"),
        ("cursor=x", "cursor"),
    ] {
        let response = app
            .get_with(&format!("/v1/admin/notifications?{query}"), &regulator)
            .await;
        let p = problem(response, 400).await;
        assert_eq!(p["errors"][0]["pointer"], field, "{query}");
    }
}

#[tokio::test]
async fn one_notification_shows_everything_and_its_read_is_audited() {
    let app = app_with_known_secret().await;
    let (regulator, [research, waiting, _], _) = fixture(&app).await;
    app.work().await;
    let response = app
        .get_with(&format!("/v1/admin/notifications/{research}"), &regulator)
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["etag"], "\"case.0\"");
    let view: Value = response.json().await.unwrap();
    assert_eq!(view["notification"]["number"], research);
    assert_eq!(
        view["notification"]["content"]["description"],
        "Kvalitetsstudie av hjemmetjenester."
    );
    assert!(view["organisation"]["id"].is_string());
    assert_eq!(view["versions"].as_array().unwrap().len(), 1);
    assert_eq!(view["receipts"][0]["kind"], "registration");
    assert_eq!(view["confirmation"]["state"], "used");
    let kinds: Vec<(&str, &str)> = view["mail"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["kind"].as_str().unwrap(), m["state"].as_str().unwrap()))
        .collect();
    assert_eq!(kinds, [("confirmation", "sent"), ("receipt", "sent")]);
    assert_eq!(view["case"]["case_status"], "new");
    assert_eq!(view["notes"], json!([]));
    let pending = admin_get(
        &app,
        &regulator,
        &format!("/v1/admin/notifications/{waiting}"),
    )
    .await;
    assert_eq!(pending["confirmation"]["state"], "waiting");

    let versions = admin_get(
        &app,
        &regulator,
        &format!("/v1/admin/notifications/{research}/versions"),
    )
    .await;
    assert!(versions["items"][0]["content"].is_object());
    let receipts = admin_get(
        &app,
        &regulator,
        &format!("/v1/admin/notifications/{research}/receipts"),
    )
    .await;
    assert_eq!(receipts["items"].as_array().unwrap().len(), 1);
    problem(
        app.get_with("/v1/admin/notifications/2026-999999", &regulator)
            .await,
        404,
    )
    .await;

    // Each read is in the audit log, with who read what.
    let mut conn = app.connection().await;
    #[derive(diesel::QueryableByName)]
    struct Read {
        #[diesel(sql_type = diesel::sql_types::Text)]
        what: String,
    }
    let reads: Vec<Read> = diesel_async::RunQueryDsl::load(
        diesel::sql_query(
            "SELECT details->>'read' AS what FROM audit_log
             WHERE action = 'notification.read_by_regulator' AND subject = $1
               AND actor_kind = 'regulator' ORDER BY id",
        )
        .bind::<diesel::sql_types::Text, _>(format!("notification:{research}")),
        &mut conn,
    )
    .await
    .unwrap();
    let reads: Vec<&str> = reads.iter().map(|r| r.what.as_str()).collect();
    assert_eq!(reads, ["notification", "versions", "receipts"]);
}

#[tokio::test]
async fn a_case_changes_only_with_a_fresh_if_match_and_notes_are_only_added() {
    let app = app_with_known_secret().await;
    let (regulator, [research, ..], _) = fixture(&app).await;
    let me = app.get_json("/v1/me", &regulator).await;
    let my_id = me["id"].as_str().unwrap().to_owned();
    let path = format!("/v1/admin/notifications/{research}/case");
    let change = json!({"case_status": "in_review", "assignee": my_id});

    let missing = app.patch_with(&path, &regulator, &change, None).await;
    problem(missing, 428).await;
    // A body is an object: an array of the fields in order is not one.
    let array = app
        .patch_with(
            &path,
            &regulator,
            &json!(["closed", null]),
            Some("\"case.0\""),
        )
        .await;
    let p = problem(array, 422).await;
    assert_eq!(p["errors"][0]["code"], "invalid_type");
    let changed = app
        .patch_with(&path, &regulator, &change, Some("\"case.0\""))
        .await;
    assert_eq!(changed.status(), 200);
    assert_eq!(changed.headers()["etag"], "\"case.1\"");
    let case: Value = changed.json().await.unwrap();
    assert_eq!(
        (case["case_status"].as_str(), case["assignee"].as_str()),
        (Some("in_review"), Some(my_id.as_str()))
    );
    // The old ETag no longer holds: nothing is overwritten.
    let stale = app
        .patch_with(
            &path,
            &regulator,
            &json!({"case_status": "closed"}),
            Some("\"case.0\""),
        )
        .await;
    problem(stale, 412).await;
    // Only a regulator can have the case; null takes it off anyone's desk.
    let (organisation_admin, _) = app.admin().await;
    let someone = app.get_json("/v1/me", &organisation_admin).await;
    let not_regulator = someone["id"].as_str().unwrap();
    let refused = app
        .patch_with(
            &path,
            &regulator,
            &json!({"assignee": not_regulator}),
            Some("\"case.1\""),
        )
        .await;
    let p = problem(refused, 422).await;
    assert_eq!(p["errors"][0]["pointer"], "/assignee");
    let cleared: Value = app
        .patch_with(
            &path,
            &regulator,
            &json!({"assignee": null, "case_status": "closed"}),
            Some("\"case.1\""),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(cleared["assignee"], Value::Null);
    assert_eq!(cleared["case_status"], "closed");
    let closed = admin_get(
        &app,
        &regulator,
        "/v1/admin/notifications?case_status=closed",
    )
    .await;
    assert_eq!(numbers(&closed), std::slice::from_ref(&research));

    // Notes: several lines, author and time; too long or empty refused.
    let notes = format!("/v1/admin/notifications/{research}/case-notes");
    let added = app
        .post_with(
            &notes,
            &regulator,
            &json!({"text": "Ringte.\nVenter på svar."}),
        )
        .await;
    assert_eq!(added.status(), 201);
    let note: Value = added.json().await.unwrap();
    assert_eq!(note["author"], my_id);
    for (text, code) in [("   ", "required"), (&*"x".repeat(10_001), "too_long")] {
        let p = problem(
            app.post_with(&notes, &regulator, &json!({"text": text}))
                .await,
            422,
        )
        .await;
        assert_eq!(p["errors"][0]["code"], code);
    }
    let list = admin_get(&app, &regulator, &notes).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    assert_eq!(list["items"][0]["text"], "Ringte.\nVenter på svar.");

    // Every change is audited.
    let mut conn = app.connection().await;
    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let audited: Count = diesel_async::RunQueryDsl::get_result(
        diesel::sql_query(
            "SELECT count(*) AS n FROM audit_log
             WHERE action IN ('case.updated', 'case.note_added') AND subject = $1",
        )
        .bind::<diesel::sql_types::Text, _>(format!("notification:{research}")),
        &mut conn,
    )
    .await
    .unwrap();
    assert_eq!(audited.n, 3);
}

#[tokio::test]
async fn statistics_count_a_known_selection_with_labels() {
    let app = app_with_known_secret().await;
    let (regulator, _, _) = fixture(&app).await;
    let stats = admin_get(&app, &regulator, "/v1/admin/statistics").await;
    assert_eq!(stats["total"], 3);
    let pairs = |key: &str| -> Vec<(String, i64)> {
        stats[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                (
                    c["code"].as_str().unwrap().to_owned(),
                    c["count"].as_i64().unwrap(),
                )
            })
            .collect()
    };
    assert_eq!(
        pairs("by_status"),
        [
            ("registered".into(), 2),
            ("awaiting_confirmation".into(), 1)
        ]
    );
    assert_eq!(
        pairs("by_law"),
        [
            ("personopplysningsloven".into(), 2),
            ("helseregisterloven".into(), 1)
        ]
    );
    assert_eq!(pairs("by_sector").len(), 3);
    let month = app.clock.today().format("%Y-%m").to_string();
    let months = |key: &str| -> Vec<(String, i64)> {
        stats[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                (
                    c["month"].as_str().unwrap().to_owned(),
                    c["count"].as_i64().unwrap(),
                )
            })
            .collect()
    };
    let submitted: i64 = months("submissions_by_month").iter().map(|(_, n)| n).sum();
    assert_eq!(submitted, 3);
    assert!(
        months("confirmations_by_month")
            .iter()
            .any(|(m, _)| m.as_str() <= month.as_str())
    );
    let confirmed: i64 = months("confirmations_by_month")
        .iter()
        .map(|(_, n)| n)
        .sum();
    assert_eq!(confirmed, 2);
    let en: Value = app
        .client
        .get(app.url("/v1/admin/statistics?status=registered"))
        .bearer_auth(&regulator)
        .header("Accept-Language", "en")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(en["total"], 2);
    assert_eq!(en["by_status"][0]["label"], "registered");
    let nb = admin_get(&app, &regulator, "/v1/admin/statistics?sector=private").await;
    assert_eq!(nb["by_sector"][0]["label"], "Privat");
}

#[tokio::test]
async fn the_export_streams_the_selection_in_both_formats_and_is_audited() {
    let app = app_with_known_secret().await;
    let (regulator, [research, waiting, other], _) = fixture(&app).await;
    let csv = app
        .get_with("/v1/admin/export?status=registered", &regulator)
        .await;
    assert_eq!(csv.status(), 200);
    assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
    assert_eq!(csv.headers()["cache-control"], "no-store");
    let text = csv.text().await.unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("number,status,controller_name,"));
    assert_eq!(lines.len(), 3, "{text}");
    assert!(lines[1].starts_with(&research) && lines[2].starts_with(&other));
    let ndjson = app
        .client
        .get(app.url("/v1/admin/export"))
        .bearer_auth(&regulator)
        .header("Accept", "application/x-ndjson")
        .send()
        .await
        .unwrap();
    assert_eq!(ndjson.headers()["content-type"], "application/x-ndjson");
    let body = ndjson.text().await.unwrap();
    let all: Vec<Value> = body
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(all.len(), 3);
    assert_eq!(all[1]["number"], waiting);

    // Audited: the start with the query, the end with the count.
    let mut conn = app.connection().await;
    #[derive(diesel::QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Text)]
        action: String,
        #[diesel(sql_type = diesel::sql_types::Jsonb)]
        details: Value,
    }
    let mut rows: Vec<Row> = Vec::new();
    for _ in 0..50 {
        rows = diesel_async::RunQueryDsl::load(
            diesel::sql_query(
                "SELECT action, details FROM audit_log WHERE action LIKE 'notifications.export%' ORDER BY id",
            ),
            &mut conn,
        )
        .await
        .unwrap();
        if rows.len() == 4 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let seen: Vec<(&str, &Value)> = rows
        .iter()
        .map(|r| (r.action.as_str(), &r.details))
        .collect();
    assert_eq!(seen.len(), 4, "{:?}", seen);
    let ended: Vec<&Value> = seen
        .iter()
        .filter(|(a, _)| *a == "notifications.exported")
        .map(|(_, d)| *d)
        .collect();
    let mut counts: Vec<i64> = ended.iter().map(|d| d["rows"].as_i64().unwrap()).collect();
    counts.sort();
    assert_eq!(counts, [2, 3]);
    assert!(seen.iter().any(|(a, d)| *a == "notifications.export_started" && d["query"] == "status=registered"));
    // Five minutes after the second factor, an export asks for it again
    // (step-up), and nothing is exported or recorded as exported.
    app.clock.advance(chrono::Duration::minutes(6));
    let late = app.get_with("/v1/admin/export", &regulator).await;
    let challenge = late.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        challenge.contains("insufficient_user_authentication"),
        "{challenge}"
    );
    let p = problem(late, 401).await;
    assert_eq!(p["code"], "insufficient_user_authentication");
    assert!(
        admin_get(&app, &regulator, "/v1/admin/notifications").await["items"].is_array(),
        "the rest of the back office needs no fresh code"
    );
}

#[tokio::test]
async fn every_back_office_route_is_not_found_for_anyone_but_a_regulator() {
    let app = app_with_known_secret().await;
    let (admin, _) = app.admin().await;
    let number = registered(&app, &admin, &example()).await;
    let [admin, member, client_token] = non_regulators(&app, &admin).await;
    let gets = [
        "/v1/admin/notifications".to_owned(),
        format!("/v1/admin/notifications/{number}"),
        format!("/v1/admin/notifications/{number}/versions"),
        format!("/v1/admin/notifications/{number}/receipts"),
        format!("/v1/admin/notifications/{number}/case-notes"),
        "/v1/admin/statistics".to_owned(),
        "/v1/admin/export".to_owned(),
    ];
    for token in [&admin, &member, &client_token] {
        for path in &gets {
            problem(app.get_with(path, token).await, 404).await;
        }
        let note = format!("/v1/admin/notifications/{number}/case-notes");
        problem(
            app.post_with(&note, token, &json!({"text": "x"})).await,
            404,
        )
        .await;
        let case = format!("/v1/admin/notifications/{number}/case");
        let patched = app
            .patch_with(
                &case,
                token,
                &json!({"case_status": "closed"}),
                Some("\"case.0\""),
            )
            .await;
        problem(patched, 404).await;
    }
}

#[tokio::test]
async fn a_regulator_cannot_act_as_an_organisation() {
    let app = app_with_known_secret().await;
    let (admin, _) = app.admin().await;
    let number = registered(&app, &admin, &example()).await;
    let regulator = regulator_token(&app).await;
    problem(app.submit(&regulator, &example()).await, 404).await;
    let amend = json!({"notification_key": "7K3M-Q9ZD-R2XW-4H8Z", "notification": example()});
    let path = format!("/v1/notifications/{number}/amendments");
    problem(app.post_with(&path, &regulator, &amend).await, 404).await;
    let path = format!("/v1/notifications/{number}/withdrawal");
    let withdraw = json!({"notification_key": "7K3M-Q9ZD-R2XW-4H8Z"});
    problem(app.post_with(&path, &regulator, &withdraw).await, 404).await;
    problem(app.get_with("/v1/notifications", &regulator).await, 404).await;
}
