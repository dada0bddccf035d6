//! Slow readers of the downloads: an export is written out before it is
//! sent, so a reader that takes nothing holds no database connection, no
//! transaction and no export permit; other exports go on; and a reader
//! that stalls past the deadline is cut off, never handed an end that
//! looks whole. Every session of the service has an idle-in-transaction
//! timeout.

use std::time::Duration;

use diesel_async::RunQueryDsl;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::helpers::{TestApp, spawn_app_with};

/// Copies the register's one entry `n` times under new numbers.
async fn fill_register(app: &TestApp, n: i32) {
    let (token, _) = app.admin().await;
    let number = app.submitted(&token).await;
    app.confirm_latest_mail(&number).await;
    let mut conn = app.connection().await;
    let columns = "version, controller_name, controller_identifier_scheme, \
        controller_identifier_value, controller_identifier_country, representative_name, \
        representative_identifier_scheme, representative_identifier_value, \
        representative_identifier_country, law, legal_ground, sector, purpose, research_area, \
        start_date, first_registered_at, last_confirmed_at, expires_on, processors, \
        transfer_countries, search";
    let copied = diesel::sql_query(format!(
        "INSERT INTO register_entries (number, {columns})
         SELECT '2026-' || lpad(g::text, 6, '0'), {columns}
         FROM register_entries, generate_series(100000, 100000 + $1 - 1) g"
    ))
    .bind::<diesel::sql_types::Integer, _>(n)
    .execute(&mut conn)
    .await
    .unwrap();
    assert_eq!(copied, n as usize);
}

/// Asks for the export over a socket with a tiny receive window, reads the
/// head of the answer and stops reading; the socket and the head.
async fn slow_reader(app: &TestApp) -> (tokio::net::TcpStream, String) {
    let address: std::net::SocketAddr = app.address.trim_start_matches("http://").parse().unwrap();
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    let mut stream = socket.connect(address).await.unwrap();
    stream
        .write_all(b"GET /v1/register/export?format=csv HTTP/1.1\r\nHost: meldeplikt\r\n\r\n")
        .await
        .unwrap();
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        stream.read_exact(&mut byte).await.unwrap();
        head.push(byte[0]);
    }
    (stream, String::from_utf8(head).unwrap())
}

async fn idle_in_transaction(app: &TestApp) -> i64 {
    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let mut conn = app.connection().await;
    let row: Count = diesel::sql_query(
        "SELECT count(*) AS n FROM pg_stat_activity
         WHERE datname = current_database() AND state LIKE 'idle in transaction%'",
    )
    .get_result(&mut conn)
    .await
    .unwrap();
    row.n
}

#[tokio::test]
async fn slow_readers_of_the_export_hold_nothing_and_stall_into_a_cut() {
    let stall = Duration::from_secs(2);
    let app = spawn_app_with(move |s| s.export_stall = stall).await;
    fill_register(&app, 30_000).await;

    // Three readers that take nothing: more than the exports written out at
    // once.
    let mut readers = Vec::new();
    for _ in 0..3 {
        let (stream, head) = slow_reader(&app).await;
        assert!(head.starts_with("HTTP/1.1 200"), "{head}");
        readers.push(stream);
    }
    assert_eq!(
        idle_in_transaction(&app).await,
        0,
        "no session waits in a transaction"
    );

    // Everyone else still gets the whole register.
    let whole = app.get("/v1/register/export?format=csv").await;
    assert_eq!(whole.status(), 200);
    let text = whole.text().await.unwrap();
    assert_eq!(
        text.lines().count(),
        1 + 1 + 30_000,
        "the header and every entry"
    );

    // A reader that stalled past the deadline is cut off: what it gets
    // when it reads again ends without the last chunk.
    tokio::time::sleep(stall + Duration::from_secs(2)).await;
    let mut rest = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(30), readers[0].read_to_end(&mut rest))
        .await
        .expect("the connection ends");
    assert!(
        read.is_err() || !rest.ends_with(b"0\r\n\r\n"),
        "a cut download does not end as if whole ({} bytes)",
        rest.len()
    );
    assert!(
        rest.len() < text.len(),
        "{} of {} bytes",
        rest.len(),
        text.len()
    );
}

#[tokio::test]
async fn every_session_of_the_service_ends_a_transaction_left_idle() {
    let app = spawn_app_with(|_| {}).await;
    let pool = meldeplikt::db::build_pool(
        &app.database_url,
        meldeplikt::db::PoolOptions {
            size: 1,
            wait_timeout: Duration::from_secs(5),
            statement_timeout: app.settings.statement_timeout,
        },
    )
    .unwrap();
    #[derive(diesel::QueryableByName)]
    struct Setting {
        #[diesel(sql_type = diesel::sql_types::Text)]
        idle_in_transaction_session_timeout: String,
    }
    let mut conn = pool.get().await.unwrap();
    let setting: Setting = diesel::sql_query("SHOW idle_in_transaction_session_timeout")
        .get_result(&mut conn)
        .await
        .unwrap();
    let expected = meldeplikt::db::idle_in_transaction_timeout(app.settings.statement_timeout);
    assert_eq!(
        setting.idle_in_transaction_session_timeout,
        format!("{}s", expected.as_secs())
    );
}
