//! The audit log in the back office: searched by each filter, paged newest
//! first, and its hash chain checked — intact, under many writers at once,
//! after an upgrade, and naming the first entry someone changed behind the
//! database's back. Regulators only.

use diesel::sql_types::{BigInt, Bytea, Text};
use diesel_async::RunQueryDsl;
use serde_json::{Value, json};

use crate::fixtures::{example, non_regulators, regulator_token};
use crate::helpers::{TestApp, create_empty_database, drop_database, problem, spawn_app};
use crate::register::{named, registered};

async fn audit(app: &TestApp, token: &str, query: &str) -> Value {
    let response = app
        .get_with(&format!("/v1/admin/audit{query}"), token)
        .await;
    assert_eq!(response.status(), 200, "GET /v1/admin/audit{query}");
    assert_eq!(response.headers()["cache-control"], "no-store");
    response.json().await.unwrap()
}

async fn verify(app: &TestApp, token: &str) -> Value {
    let response = app.get_with("/v1/admin/audit/verify", token).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "no-store");
    response.json().await.unwrap()
}

fn ids(page: &Value) -> Vec<i64> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_i64().unwrap())
        .collect()
}

/// The ids of `all` for which `keep` holds, in the list's order.
fn ids_where(all: &Value, keep: impl Fn(&Value) -> bool) -> Vec<i64> {
    all["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| keep(e))
        .map(|e| e["id"].as_i64().unwrap())
        .collect()
}

fn instant_of(text: &str) -> chrono::DateTime<chrono::Utc> {
    text.parse().expect("an RFC 3339 instant")
}

fn instant(entry: &Value) -> chrono::DateTime<chrono::Utc> {
    instant_of(entry["occurred_at"].as_str().unwrap())
}

#[derive(diesel::QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

async fn entries_in_database(app: &TestApp) -> i64 {
    let mut conn = app.connection().await;
    let count: Count = diesel::sql_query("SELECT count(*) AS n FROM audit_log")
        .get_result(&mut conn)
        .await
        .unwrap();
    count.n
}

/// Runs `sql` on the audit log with its append-only trigger off, as
/// someone with the database's keys could.
async fn behind_the_back(app: &TestApp, sql: &str) {
    let mut conn = app.connection().await;
    for step in [
        "ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only",
        sql,
        "ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only",
    ] {
        diesel::sql_query(step).execute(&mut conn).await.unwrap();
    }
}

#[tokio::test]
async fn each_filter_narrows_the_audit_log_and_all_of_them_together() {
    let app = spawn_app().await;
    let (first, first_registration) = app.admin().await;
    let (second, second_registration) = app.admin().await;
    let mine = app.submitted(&first).await;
    let theirs = app.submitted(&second).await;
    let regulator = regulator_token(&app).await;
    let read = app
        .get_with(&format!("/v1/admin/notifications/{mine}"), &regulator)
        .await;
    assert_eq!(read.status(), 200);
    let regulator_id = app.get_json("/v1/me", &regulator).await["id"].clone();
    let first_org = first_registration["organisation"]["id"].clone();
    let second_org = second_registration["organisation"]["id"].clone();
    let first_admin = first_registration["admin"]["id"].clone();

    let all = audit(&app, &regulator, "?limit=100").await;
    let every = ids(&all);
    assert_eq!(every.len() as i64, entries_in_database(&app).await);
    assert!(
        every.windows(2).all(|w| w[0] > w[1]),
        "newest first: {every:?}"
    );
    let newest = &all["items"][0];
    assert_eq!(newest["action"], "notification.read_by_regulator");
    assert_eq!(newest["actor_kind"], "regulator");
    assert_eq!(newest["actor_id"], regulator_id);
    assert_eq!(newest["organisation_id"], first_org);
    assert_eq!(newest["subject"], format!("notification:{mine}"));
    assert_eq!(newest["details"], json!({ "read": "notification" }));
    assert_eq!(newest["prev_hash"], all["items"][1]["hash"]);

    // Each filter against what the whole log says.
    let at = |i: usize| all["items"][i]["occurred_at"].as_str().unwrap().to_owned();
    let middle = at(every.len() / 2);
    let cases: Vec<(String, Vec<i64>)> = vec![
        (
            format!("notification={mine}"),
            ids_where(&all, |e| e["subject"] == format!("notification:{mine}")),
        ),
        (
            format!("organisation={}", second_org.as_str().unwrap()),
            ids_where(&all, |e| e["organisation_id"] == second_org),
        ),
        (
            format!("actor={}", first_admin.as_str().unwrap()),
            ids_where(&all, |e| e["actor_id"] == first_admin),
        ),
        (
            "actor_kind=regulator".into(),
            ids_where(&all, |e| e["actor_kind"] == "regulator"),
        ),
        (
            "actor_kind=anonymous".into(),
            ids_where(&all, |e| e["action"] == "organisation.registered"),
        ),
        (
            "action=notification.submitted".into(),
            ids_where(&all, |e| e["action"] == "notification.submitted"),
        ),
        (
            format!("from={middle}"),
            ids_where(&all, |e| instant(e) >= instant_of(&middle)),
        ),
        (
            format!("to={middle}"),
            ids_where(&all, |e| instant(e) < instant_of(&middle)),
        ),
        (
            format!(
                "notification={mine}&action=notification.submitted&actor_kind=user&organisation={}&from={}&to=2999-01-01T00:00:00Z",
                first_org.as_str().unwrap(),
                at(every.len() - 1),
            ),
            ids_where(&all, |e| {
                e["subject"] == format!("notification:{mine}")
                    && e["action"] == "notification.submitted"
            }),
        ),
        (
            format!("notification={theirs}&actor_kind=regulator"),
            vec![],
        ),
        ("action=nothing.ever".into(), vec![]),
    ];
    for (query, expected) in cases {
        let page = audit(&app, &regulator, &format!("?limit=100&{query}")).await;
        assert_eq!(ids(&page), expected, "{query}");
    }
    // The filters hold what a user would look for.
    let about_mine = audit(&app, &regulator, &format!("?notification={mine}")).await;
    let actions: Vec<&str> = about_mine["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        ["notification.read_by_regulator", "notification.submitted"]
    );

    // Bad input is named, never a 500.
    for (query, field) in [
        ("notification=123", "notification"),
        ("organisation=acme", "organisation"),
        ("actor=", "actor"),
        ("actor_kind=robot", "actor_kind"),
        ("from=yesterday", "from"),
        ("to=2026-12-01", "to"),
        ("limit=0", "limit"),
        ("cursor=abc", "cursor"),
    ] {
        let response = app
            .get_with(&format!("/v1/admin/audit?{query}"), &regulator)
            .await;
        let body = problem(response, 400).await;
        assert_eq!(body["errors"][0]["pointer"], field, "{query}: {body}");
    }
}

#[tokio::test]
async fn pages_follow_each_other_newest_first_without_gap_or_overlap() {
    let app = spawn_app().await;
    let (admin, _) = app.admin().await;
    let number = app.submitted(&admin).await;
    let regulator = regulator_token(&app).await;
    for _ in 0..5 {
        app.get_json(
            &format!("/v1/admin/notifications/{number}/versions"),
            &regulator,
        )
        .await;
    }
    let filter = "action=notification.read_by_regulator";
    let whole = ids(&audit(&app, &regulator, &format!("?{filter}")).await);
    assert_eq!(whole.len(), 5);
    let mut seen = Vec::new();
    let mut cursor = String::new();
    loop {
        let page = audit(
            &app,
            &regulator,
            &format!("?{filter}&limit=2&cursor={cursor}"),
        )
        .await;
        seen.extend(ids(&page));
        match page["next_cursor"].as_str() {
            Some(next) => cursor = next.to_owned(),
            None => break,
        }
    }
    assert_eq!(seen, whole);
    // Any cursor of the documented form is a position: past the newest it
    // is the top.
    let top = audit(
        &app,
        &regulator,
        &format!("?{filter}&cursor={}", "9".repeat(19)),
    )
    .await;
    assert_eq!(ids(&top), whole);
}

#[tokio::test]
async fn the_chain_holds_and_the_first_entry_changed_behind_its_back_is_named() {
    let app = spawn_app().await;
    let (admin, _) = app.admin().await;
    let regulator = regulator_token(&app).await;
    let number = registered(&app, &admin, &named("Kjede Kommune")).await;
    for _ in 0..3 {
        app.get_json(&format!("/v1/admin/notifications/{number}"), &regulator)
            .await;
    }
    let total = entries_in_database(&app).await;
    let intact = verify(&app, &regulator).await;
    assert_eq!(
        intact,
        json!({
            "intact": true,
            "checked": total,
            "last_id": total,
            "last_hash": intact["last_hash"],
            "first_bad": null,
        })
    );
    let newest = audit(&app, &regulator, "?limit=1").await;
    assert_eq!(intact["last_hash"], newest["items"][0]["hash"]);

    // The last entry removed: the chain no longer ends at the head.
    behind_the_back(&app, &format!("DELETE FROM audit_log WHERE id = {total}")).await;
    let cut = verify(&app, &regulator).await;
    assert_eq!(cut["intact"], false);
    assert_eq!(
        cut["first_bad"],
        json!({ "id": total, "problem": "head_mismatch" })
    );

    // An entry in the middle changed: it is named, and nothing after it.
    let changed = total / 2;
    behind_the_back(
        &app,
        &format!("UPDATE audit_log SET details = '{{\"read\": \"nothing\"}}' WHERE id = {changed}"),
    )
    .await;
    let tampered = verify(&app, &regulator).await;
    assert_eq!(tampered["intact"], false);
    assert_eq!(
        tampered["first_bad"],
        json!({ "id": changed, "problem": "hash_mismatch" })
    );
    assert_eq!(tampered["checked"], changed);

    // Its hash made to fit again: the next entry no longer follows it.
    behind_the_back(
        &app,
        &format!(
            "UPDATE audit_log SET hash = audit_entry_hash(id, occurred_at, request_id, actor_kind,
                 actor_id, organisation_id, action, subject, details, prev_hash)
             WHERE id = {changed}"
        ),
    )
    .await;
    let relinked = verify(&app, &regulator).await;
    assert_eq!(
        relinked["first_bad"],
        json!({ "id": changed + 1, "problem": "broken_link" })
    );
}

#[tokio::test]
async fn many_writers_at_once_make_one_unbroken_chain() {
    let app = spawn_app().await;
    let (admin, _) = app.admin().await;
    let regulator = regulator_token(&app).await;
    let waiting: Vec<String> = {
        let mut numbers = Vec::new();
        for i in 0..6 {
            let response = app
                .submit(&admin, &named(&format!("Samtidig {i} AS")))
                .await;
            assert_eq!(response.status(), 201);
            let body: Value = response.json().await.unwrap();
            numbers.push(body["number"].as_str().unwrap().to_owned());
        }
        numbers
    };
    app.work().await;
    let mails = app.mails();
    let links: Vec<String> = waiting
        .iter()
        .map(|n| {
            mails
                .iter()
                .rev()
                .find(|m| m.subject.contains(n.as_str()))
                .expect("a confirmation mail")
                .token()
        })
        .collect();
    let app = &app;
    let read: &str = &waiting[0];
    let regulator: &str = &regulator;
    let admin: &str = &admin;
    let confirm = links
        .iter()
        .map(|link| async move { app.confirm_json(link).await.status().as_u16() });
    let submit =
        (0..6).map(|_| async move { app.submit(admin, &example()).await.status().as_u16() });
    let reads = (0..10).map(|_| async move {
        app.get_with(&format!("/v1/admin/notifications/{read}"), regulator)
            .await
            .status()
            .as_u16()
    });
    let notes = (0..6).map(|i| async move {
        app.post_with(
            &format!("/v1/admin/notifications/{read}/case-notes"),
            regulator,
            &json!({ "text": format!("Notat {i}") }),
        )
        .await
        .status()
        .as_u16()
    });
    let (confirmed, submitted, reads, noted) = tokio::join!(
        futures_util::future::join_all(confirm),
        futures_util::future::join_all(submit),
        futures_util::future::join_all(reads),
        futures_util::future::join_all(notes),
    );
    assert!(confirmed.iter().all(|s| *s == 200), "{confirmed:?}");
    assert!(submitted.iter().all(|s| *s == 201), "{submitted:?}");
    assert!(reads.iter().all(|s| *s == 200), "{reads:?}");
    assert!(noted.iter().all(|s| *s == 201), "{noted:?}");

    let total = entries_in_database(app).await;
    let verdict = verify(app, regulator).await;
    assert_eq!(verdict["intact"], true, "{verdict}");
    assert_eq!(verdict["checked"], total);
    // One line: the ids follow each other from the first, without a gap.
    assert_eq!(verdict["last_id"], total);
}

#[tokio::test]
async fn only_regulators_see_the_audit_log() {
    let app = spawn_app().await;
    let (admin, _) = app.admin().await;
    let [admin, member, client_token] = non_regulators(&app, &admin).await;
    for (who, token) in [
        ("admin", &admin),
        ("member", &member),
        ("client", &client_token),
    ] {
        for path in ["/v1/admin/audit", "/v1/admin/audit/verify"] {
            let response = app.get_with(path, token).await;
            assert_eq!(response.status(), 404, "{who} on {path}");
        }
    }
    assert_eq!(app.get("/v1/admin/audit").await.status(), 401);
}

#[derive(diesel::QueryableByName)]
struct Hash {
    #[diesel(sql_type = Bytea)]
    hash: Vec<u8>,
}

/// Reverts the migrations down to the one before the hash chain.
async fn before_the_chain(url: &str) {
    use diesel::Connection;
    use diesel_async::AsyncPgConnection;
    use diesel_async::async_connection_wrapper::AsyncConnectionWrapper;
    use diesel_migrations::MigrationHarness;
    let url = url.to_owned();
    tokio::task::spawn_blocking(move || {
        let mut conn = AsyncConnectionWrapper::<AsyncPgConnection>::establish(&url).unwrap();
        while conn
            .revert_last_migration(meldeplikt::db::MIGRATIONS)
            .unwrap()
            .to_string()
            != "20261203000007"
        {}
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn an_upgraded_database_has_its_old_entries_chained() {
    let url = create_empty_database().await;
    meldeplikt::db::run_migrations(&url).await.unwrap();
    before_the_chain(&url).await;
    let mut conn = {
        use diesel_async::AsyncConnection;
        diesel_async::AsyncPgConnection::establish(&url)
            .await
            .unwrap()
    };
    let insert = "INSERT INTO audit_log (actor_kind, action, subject, details)
                  VALUES ('system', $1, 'notification:2026-000001', $2::jsonb)";
    // An id spent by a transaction that rolled back leaves a gap.
    let spend = "SELECT nextval(pg_get_serial_sequence('audit_log', 'id'))";
    for (action, details) in [
        (
            "organisation.registered",
            r#"{"admin": "x", "ø": [1.50, null, "«»\n"]}"#,
        ),
        ("", ""),
        (
            "notification.submitted",
            r#"{"version": 1, "kind": "registration"}"#,
        ),
        ("notification.confirmed", "{}"),
    ] {
        let done = if action.is_empty() {
            diesel::sql_query(spend).execute(&mut conn).await
        } else {
            diesel::sql_query(insert)
                .bind::<Text, _>(action)
                .bind::<Text, _>(details)
                .execute(&mut conn)
                .await
        };
        done.unwrap();
    }
    meldeplikt::db::run_migrations(&url).await.unwrap();

    let verdict = meldeplikt::audit::verify(&mut conn).await.unwrap();
    assert_eq!(verdict.first_bad, None, "{verdict:?}");
    assert_eq!(verdict.checked, 3);
    assert_eq!(verdict.head.0, 4);
    // New entries follow the old ones.
    let entry = meldeplikt::audit::Entry {
        actor: meldeplikt::audit::Actor::system(),
        organisation_id: None,
        action: "after.upgrade",
        subject: None,
        request_id: Some("r-1".into()),
        details: json!({ "n": 1 }),
    };
    meldeplikt::audit::record(&conn, entry).await.unwrap();
    let verdict = meldeplikt::audit::verify(&mut conn).await.unwrap();
    assert_eq!((verdict.first_bad, verdict.checked), (None, 4));
    let last: Hash = diesel::sql_query("SELECT hash FROM audit_log WHERE id = 5")
        .get_result(&mut conn)
        .await
        .unwrap();
    assert_eq!(verdict.head, (5, last.hash));
    drop(conn);
    drop_database(&url).await;
}
