//! Search folds Norwegian letters the same way whatever the database
//! server's locale: names that start with `Æ`, `Ø` or `Å`, in upper and in
//! lower case, are found by any case of their words, on the register (API
//! and page), in the back office and in an organisation's own list.

use std::collections::BTreeMap;

use diesel_async::RunQueryDsl;
use serde_json::Value;

use crate::fixtures::regulator_token;
use crate::helpers::{TestApp, create_database_with, spawn_app, spawn_app_on};
use crate::register::{named, numbers, registered, search};

/// The names, each starting with one of the letters, in both cases.
const NAMES: [&str; 6] = [
    "Ærøy Helse og Omsorg AS",
    "ærfugl Dun AS",
    "Øygarden kommune",
    "østre Toten kommune",
    "Ålesund kommune",
    "åsane Bydelsutvalg",
];

/// What a search for these words must find: the names, by their index.
const FINDS: [(&str, &[usize]); 15] = [
    ("ærøy", &[0]),
    ("Ærøy", &[0]),
    ("ÆRØY", &[0]),
    ("Ærøy Helse", &[0]),
    ("ÆRFUGL", &[1]),
    ("Ærfugl", &[1]),
    ("øygarden", &[2]),
    ("ØYGARDEN", &[2]),
    ("Østre", &[3]),
    ("ØSTRE toten", &[3]),
    ("ålesund", &[4]),
    ("ÅLESUND", &[4]),
    ("Åsane", &[5]),
    ("ÅSANE", &[5]),
    ("kommune", &[2, 3, 4]),
];

/// Percent-encodes a query's value.
fn encoded(q: &str) -> String {
    q.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Registers the names; their numbers, in the order of [`NAMES`].
async fn register_names(app: &TestApp, token: &str) -> Vec<String> {
    let mut out = Vec::new();
    for name in NAMES {
        out.push(registered(app, token, &named(name)).await);
    }
    out
}

fn expected(numbers: &[String], indices: &[usize]) -> Vec<String> {
    let mut v: Vec<String> = indices.iter().map(|&i| numbers[i].clone()).collect();
    v.sort();
    v
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

/// Every search of [`FINDS`] in every place it can be made, on `app`.
async fn every_search_finds_every_case(app: &TestApp, locale: &str) {
    let (token, _) = app.admin().await;
    let registered = register_names(app, &token).await;
    let regulator = regulator_token(app).await;
    let mut misses = BTreeMap::new();
    for (q, indices) in FINDS {
        let want = expected(&registered, indices);
        let q_enc = encoded(q);
        let public = sorted(numbers(&search(app, &format!("?q={q_enc}")).await));
        if public != want {
            misses.insert(format!("GET /v1/register?q={q}"), public);
        }
        let page = app.get(&format!("/register?q={q_enc}")).await;
        assert_eq!(page.status(), 200);
        let page = page.text().await.unwrap();
        let on_page: Vec<String> = registered
            .iter()
            .filter(|n| page.contains(&format!("/register/{n}")))
            .cloned()
            .collect();
        if on_page != want {
            misses.insert(format!("GET /register?q={q}"), on_page);
        }
        for (path, bearer) in [
            (format!("/v1/admin/notifications?q={q_enc}"), &regulator),
            (format!("/v1/notifications?q={q_enc}"), &token),
        ] {
            let response = app.get_with(&path, bearer).await;
            assert_eq!(response.status(), 200, "{path}");
            let body: Value = response.json().await.unwrap();
            let found = sorted(numbers(&body));
            if found != want {
                misses.insert(path, found);
            }
        }
    }
    assert!(
        misses.is_empty(),
        "on a server with {locale}, these searches missed (what they found): {misses:#?}"
    );
}

#[tokio::test]
async fn every_case_of_the_norwegian_letters_is_found_on_the_test_servers_own_locale() {
    // The private PostgreSQL is initialised with --no-locale: the C locale,
    // whose lower-casing leaves Æ, Ø and Å alone.
    let app = spawn_app().await;
    every_search_finds_every_case(&app, "the cluster's default locale").await;
}

async fn on_locale(options: &str, required: bool) {
    let Some(url) = create_database_with(options).await else {
        assert!(!required, "the server refused a database with {options}");
        eprintln!("skipped: this server has no database with {options}");
        return;
    };
    let app = spawn_app_on(url).await;
    every_search_finds_every_case(&app, options).await;
}

#[tokio::test]
async fn every_case_is_found_with_the_c_locale() {
    on_locale("LOCALE 'C'", true).await;
}

#[tokio::test]
async fn every_case_is_found_with_the_c_utf8_locale() {
    on_locale("LOCALE 'C.UTF-8'", true).await;
}

#[tokio::test]
async fn every_case_is_found_with_the_icu_norwegian_locale() {
    // PostgreSQL 15 and later; every server the README names has ICU.
    on_locale("LOCALE 'C' LOCALE_PROVIDER icu ICU_LOCALE 'nb-NO'", true).await;
}

#[tokio::test]
async fn every_case_is_found_with_the_norwegian_libc_locale_where_the_machine_has_it() {
    // Only where the operating system has generated nb_NO.UTF-8; the test
    // says it skipped otherwise.
    on_locale("LOCALE 'nb_NO.UTF-8'", false).await;
}

#[tokio::test]
async fn entries_written_before_the_service_folded_their_words_are_found_after_the_data_migration()
{
    let app = spawn_app().await;
    let (token, _) = app.admin().await;
    let number = registered(&app, &token, &named("Ærøy Helse og Omsorg AS")).await;
    let mut conn = app.connection().await;
    // Words as the register wrote them before, folded by the server's
    // locale: on the test server's C locale `Ærøy` stayed `Ærøy`. Emptied
    // here, so the test does not depend on the server it runs on.
    diesel::sql_query("UPDATE register_entries SET search = ''::tsvector")
        .execute(&mut conn)
        .await
        .unwrap();
    // (Another spelling than the one asked after: the register keeps
    // answers while nothing has been registered, and a data migration runs
    // before the service answers anything.)
    assert!(
        numbers(&search(&app, "?q=%C3%A6r%C3%B8y%20helse").await).is_empty(),
        "the stale words do not match"
    );
    diesel::sql_query("DELETE FROM data_migrations")
        .execute(&mut conn)
        .await
        .unwrap();
    let applied = meldeplikt::startup::migrate(&app.database_url)
        .await
        .unwrap();
    assert_eq!(
        applied,
        vec!["data: 2026-12-04 register words folded by the service".to_owned()]
    );
    assert_eq!(
        numbers(&search(&app, "?q=%C3%A6r%C3%B8y").await),
        vec![number]
    );
    assert!(
        meldeplikt::startup::migrate(&app.database_url)
            .await
            .unwrap()
            .is_empty(),
        "a data migration runs once"
    );
}
