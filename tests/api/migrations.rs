//! The embedded migrations: applied at start, reversible, safe when two
//! replicas start at once; invariants enforced by the schema.

use diesel::migration::MigrationSource;
use diesel_async::RunQueryDsl;
use meldeplikt::db::{MIGRATIONS, revert_all_migrations, run_migrations};

use crate::helpers::{create_empty_database, drop_database, spawn_app};

#[derive(diesel::QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

fn migration_count() -> usize {
    MigrationSource::<diesel::pg::Pg>::migrations(&MIGRATIONS)
        .expect("embedded migrations")
        .len()
}

#[tokio::test]
async fn the_app_starts_with_every_migration_applied() {
    let app = spawn_app().await;
    let mut conn = app.connection().await;
    let applied: Count = diesel::sql_query("SELECT count(*) AS n FROM __diesel_schema_migrations")
        .get_result(&mut conn)
        .await
        .unwrap();
    assert!(migration_count() > 0);
    assert_eq!(applied.n as usize, migration_count());
}

#[tokio::test]
async fn migrations_are_reversible_and_reapplicable() {
    let url = create_empty_database().await;
    let first = run_migrations(&url).await.unwrap();
    assert_eq!(first.len(), migration_count());
    assert!(
        run_migrations(&url).await.unwrap().is_empty(),
        "nothing left to apply"
    );
    let reverted = revert_all_migrations(&url).await.unwrap();
    assert_eq!(reverted.len(), migration_count());
    let again = run_migrations(&url).await.unwrap();
    assert_eq!(again, first);
    drop_database(&url).await;
}

#[tokio::test]
async fn two_replicas_migrating_at_once_both_succeed() {
    let url = create_empty_database().await;
    let (a, b) = tokio::join!(run_migrations(&url), run_migrations(&url));
    let (a, b) = (a.unwrap(), b.unwrap());
    // One applied everything, the other found nothing left.
    assert_eq!(a.len() + b.len(), migration_count());
    drop_database(&url).await;
}

#[tokio::test]
async fn the_audit_log_is_append_only_in_the_database() {
    let app = spawn_app().await;
    let mut conn = app.connection().await;
    let entry = meldeplikt::audit::Entry {
        actor: meldeplikt::audit::Actor::system(),
        organisation_id: None,
        action: "test",
        subject: Some("x".into()),
        request_id: None,
        details: serde_json::json!({}),
    };
    meldeplikt::audit::record(&conn, entry).await.unwrap();
    for sql in [
        "UPDATE audit_log SET action = 'changed'",
        "DELETE FROM audit_log",
        "TRUNCATE audit_log",
    ] {
        let err = diesel::sql_query(sql)
            .execute(&mut conn)
            .await
            .expect_err(sql);
        assert!(err.to_string().contains("append-only"), "{sql}: {err}");
    }
    let left: Count =
        diesel::sql_query("SELECT count(*) AS n FROM audit_log WHERE action = 'test'")
            .get_result(&mut conn)
            .await
            .unwrap();
    assert_eq!(left.n, 1);
}

#[derive(diesel::QueryableByName)]
struct StatusRow {
    #[diesel(sql_type = diesel::sql_types::Text)]
    status: meldeplikt::domain::lifecycle::Status,
}

#[tokio::test]
async fn a_stored_code_is_read_back_only_when_known() {
    let app = spawn_app().await;
    let mut conn = app.connection().await;
    let known: StatusRow = diesel::sql_query("SELECT 'registered' AS status")
        .get_result(&mut conn)
        .await
        .unwrap();
    assert_eq!(
        known.status,
        meldeplikt::domain::lifecycle::Status::Registered
    );
    let unknown = diesel::sql_query("SELECT 'Registered' AS status")
        .get_result::<StatusRow>(&mut conn)
        .await;
    let error = unknown
        .err()
        .expect("an unknown code is an error, not a guess");
    assert!(error.to_string().contains("is not a Status"), "{error}");
}
