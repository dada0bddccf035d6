//! `spawn_app()`: the real server on a random port with a database of its
//! own, copied from a migrated template. The PostgreSQL server is the one in
//! `DATABASE_URL`, or, when that is unset, a private one started once for the
//! whole run and removed when the test process exits.

use std::path::PathBuf;
use std::sync::OnceLock;

use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use meldeplikt::config::Settings;
use meldeplikt::db::local_postgres::{LocalPostgres, Options};
use meldeplikt::startup::Application;
use sha2::{Digest, Sha256};

/// The server the tests run against, and the migrated template database.
struct TestServer {
    /// URL of any database on the server, with `{db}` where the name goes.
    url_pattern: String,
    template: String,
}

static SERVER: OnceLock<TestServer> = OnceLock::new();

impl TestServer {
    fn url(&self, database: &str) -> String {
        self.url_pattern.replace("{db}", database)
    }
}

fn server() -> &'static TestServer {
    SERVER.get_or_init(|| {
        // Set-up needs a runtime of its own; the test's may be single-threaded.
        std::thread::spawn(|| {
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .expect("runtime")
                .block_on(start_server())
        })
        .join()
        .expect("test database set-up panicked")
    })
}

async fn start_server() -> TestServer {
    let url_pattern = match std::env::var("DATABASE_URL").ok().filter(|u| !u.is_empty()) {
        Some(url) => with_database(&url, "{db}"),
        None => {
            let root = std::env::temp_dir().join(format!("meldeplikt-test-{}", std::process::id()));
            std::fs::create_dir_all(&root).expect("temp folder");
            let options = Options {
                settings: [
                    ("fsync", "off"),
                    ("synchronous_commit", "off"),
                    ("full_page_writes", "off"),
                    ("max_connections", "300"),
                ]
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            };
            let mut local = LocalPostgres::start(&root.join("pg"), &options)
                .await
                .expect("a private PostgreSQL for the tests");
            local
                .stop_when_process_exits(std::process::id(), Some(&root))
                .expect("a watcher for the private PostgreSQL");
            let url = local.url("{db}");
            // Stopping is the watcher's job now; keep the value alive.
            std::mem::forget(local);
            url
        }
    };
    let template = format!("meldeplikt_tpl_{}", migrations_fingerprint());
    let server = TestServer {
        url_pattern,
        template,
    };
    ensure_template(&server).await;
    server
}

/// Replaces the database name of a PostgreSQL URL.
pub fn with_database(url: &str, database: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let base = match base[scheme_end..].find('/') {
        Some(slash) => &base[..scheme_end + slash],
        None => base,
    };
    match query {
        Some(q) => format!("{base}/{database}?{q}"),
        None => format!("{base}/{database}"),
    }
}

fn migrations_fingerprint() -> String {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("migrations");
    let mut files = Vec::new();
    for entry in walk(&dir) {
        files.push(entry);
    }
    files.sort();
    let mut hash = Sha256::new();
    for file in files {
        hash.update(file.to_string_lossy().as_bytes());
        hash.update(std::fs::read(&file).expect("migration file"));
    }
    hex::encode(&hash.finalize()[..6])
}

fn walk(dir: &std::path::Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("migrations folder").flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

/// Creates the migrated template once per migration set, under an advisory
/// lock so that concurrent test runs on one server take turns.
async fn ensure_template(server: &TestServer) {
    let mut admin = AsyncPgConnection::establish(&server.url("postgres"))
        .await
        .expect("connect to the test server");
    exec(&mut admin, "SELECT pg_advisory_lock(7406)").await;
    if !database_exists(&mut admin, &server.template).await {
        let building = format!("{}_building", server.template);
        exec(
            &mut admin,
            &format!("DROP DATABASE IF EXISTS \"{building}\""),
        )
        .await;
        exec(&mut admin, &format!("CREATE DATABASE \"{building}\"")).await;
        meldeplikt::startup::migrate(&server.url(&building))
            .await
            .expect("migrations on the template");
        exec(
            &mut admin,
            &format!(
                "ALTER DATABASE \"{building}\" RENAME TO \"{}\"",
                server.template
            ),
        )
        .await;
    }
    exec(&mut admin, "SELECT pg_advisory_unlock(7406)").await;
}

async fn exec(conn: &mut AsyncPgConnection, sql: &str) {
    diesel::sql_query(sql)
        .execute(conn)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

async fn database_exists(conn: &mut AsyncPgConnection, name: &str) -> bool {
    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let count: Count =
        diesel::sql_query("SELECT count(*) AS n FROM pg_database WHERE datname = $1")
            .bind::<diesel::sql_types::Text, _>(name)
            .get_result(conn)
            .await
            .expect("look up a database");
    count.n > 0
}

/// A fresh database: a copy of the migrated template.
pub async fn create_database() -> String {
    let server = server();
    let name = format!("meldeplikt_test_{}", uuid::Uuid::new_v4().simple());
    let mut admin = AsyncPgConnection::establish(&server.url("postgres"))
        .await
        .expect("connect to the test server");
    exec(
        &mut admin,
        &format!(
            "CREATE DATABASE \"{name}\" TEMPLATE \"{}\"",
            server.template
        ),
    )
    .await;
    server.url(&name)
}

/// A fresh database made from `template0` with `options` (say `LOCALE
/// 'C.UTF-8'`), so that a test can compare server locales; `None` when the
/// server refuses them (a locale the machine does not have). The service
/// migrates it when it starts on it.
pub async fn create_database_with(options: &str) -> Option<String> {
    let server = server();
    let name = format!("meldeplikt_test_{}", uuid::Uuid::new_v4().simple());
    let mut admin = AsyncPgConnection::establish(&server.url("postgres"))
        .await
        .expect("connect to the test server");
    let sql = format!("CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8' {options}");
    match diesel::sql_query(&sql).execute(&mut admin).await {
        Ok(_) => Some(server.url(&name)),
        Err(e) => {
            eprintln!("{sql}: {e}");
            None
        }
    }
}

/// The service on a database made by [`create_database_with`], which the
/// app drops when it stops.
pub async fn spawn_app_on(database_url: String) -> TestApp {
    init_logging();
    let data_dir = tempfile::tempdir().expect("data folder");
    let settings = test_settings(&database_url, data_dir.path());
    start(settings, database_url, data_dir, true).await
}

/// A fresh, empty database (no migrations).
pub async fn create_empty_database() -> String {
    let server = server();
    let name = format!("meldeplikt_test_{}", uuid::Uuid::new_v4().simple());
    let mut admin = AsyncPgConnection::establish(&server.url("postgres"))
        .await
        .expect("connect to the test server");
    exec(&mut admin, &format!("CREATE DATABASE \"{name}\"")).await;
    server.url(&name)
}

/// Drops a test database, closing its connections.
pub async fn drop_database(url: &str) {
    let name = database_name(url);
    let mut admin = AsyncPgConnection::establish(&server().url("postgres"))
        .await
        .expect("connect to the test server");
    exec(
        &mut admin,
        &format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"),
    )
    .await;
}

fn database_name(url: &str) -> String {
    let base = url.split('?').next().unwrap_or(url);
    base.rsplit('/').next().unwrap_or_default().to_owned()
}

/// A running server for one test.
pub struct TestApp {
    pub address: String,
    /// Checks every response against the OpenAPI document.
    pub client: crate::contract::Client,
    pub database_url: String,
    /// The server's data folder: mail, development keys.
    pub data_dir: tempfile::TempDir,
    /// Runs a round of the worker on demand (the timer is off in tests).
    pub worker: meldeplikt::worker::Worker,
    /// The service's clock.
    pub clock: meldeplikt::clock::Clock,
    /// The settings it was built with.
    pub settings: Settings,
    handle: actix_web::dev::ServerHandle,
    /// False for a second instance on another's database.
    owns_database: bool,
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("request")
    }

    pub async fn post_json(&self, path: &str, body: &serde_json::Value) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .json(body)
            .send()
            .await
            .expect("request")
    }

    pub async fn get_with(&self, path: &str, token: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .expect("request")
    }

    pub async fn post_with(
        &self,
        path: &str,
        token: &str,
        body: &serde_json::Value,
    ) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .expect("request")
    }

    /// PATCH with a token and, where given, `If-Match`.
    pub async fn patch_with(
        &self,
        path: &str,
        token: &str,
        body: &serde_json::Value,
        if_match: Option<&str>,
    ) -> reqwest::Response {
        let mut request = self
            .client
            .patch(self.url(path))
            .bearer_auth(token)
            .json(body);
        if let Some(etag) = if_match {
            request = request.header("If-Match", etag);
        }
        request.send().await.expect("request")
    }

    pub async fn delete_with(&self, path: &str, token: &str) -> reqwest::Response {
        self.client
            .delete(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .expect("request")
    }

    /// Registers an organisation with a fresh organisation number; returns
    /// the registration's answer.
    pub async fn register(&self, admin_email: &str) -> serde_json::Value {
        let response = self
            .post_json(
                "/v1/organisations",
                &registration(&new_orgnr(), admin_email),
            )
            .await;
        assert_eq!(response.status(), 201, "registration");
        response.json().await.unwrap()
    }

    /// Signs in and returns the token response.
    pub async fn login(&self, email: &str, password: &str) -> serde_json::Value {
        let response = self
            .post_json(
                "/v1/auth/token",
                &serde_json::json!({"grant_type": "password", "username": email, "password": password}),
            )
            .await;
        assert_eq!(response.status(), 200, "login of {email}");
        response.json().await.unwrap()
    }

    /// Registers an organisation and signs its admin in; (access token, registration).
    pub async fn admin(&self) -> (String, serde_json::Value) {
        let email = format!("admin-{}@example.no", uuid::Uuid::new_v4().simple());
        let registered = self.register(&email).await;
        let tokens = self.login(&email, PASSWORD).await;
        (
            tokens["access_token"].as_str().unwrap().to_owned(),
            registered,
        )
    }

    /// Runs one round of the worker: mail, lapse, expiry, reminders.
    pub async fn work(&self) -> meldeplikt::worker::Round {
        self.worker.run_once().await.expect("a worker round")
    }

    /// Every mail written so far, as (subject, decoded body), oldest first.
    pub fn mails(&self) -> Vec<Mail> {
        let dir = self.data_dir.path().join("mail");
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .map(|entries| entries.flatten().map(|e| e.path()).collect())
            .unwrap_or_default();
        files.retain(|p| p.extension().is_some_and(|e| e == "eml"));
        files.sort_by_key(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok());
        files
            .iter()
            .map(|p| Mail::parse(&std::fs::read_to_string(p).unwrap()))
            .collect()
    }

    /// A connection to this test's database, bypassing the service.
    pub async fn connection(&self) -> AsyncPgConnection {
        AsyncPgConnection::establish(&self.database_url)
            .await
            .expect("connect to the test database")
    }

    /// Stops the server gracefully and waits for it.
    pub async fn stop(&self) {
        self.handle.stop(true).await;
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        // Sends the stop without waiting: the server's task runs on this
        // test's runtime, which is busy running this very drop.
        drop(self.handle.stop(false));
        if !self.owns_database {
            return;
        }
        // Leave nothing behind on a shared server.
        let url = self.database_url.clone();
        let _ = std::thread::spawn(move || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime")
                .block_on(drop_database(&url));
        })
        .join();
    }
}

/// The instant every test's clock starts at, unless the test says otherwise:
/// a fixed one, so that no test depends on the day or the hour it runs at.
/// (Access tokens are signed and checked against the real time; the
/// regulation's dates follow this clock.)
pub fn test_now() -> chrono::DateTime<chrono::Utc> {
    "2026-11-23T10:00:00Z".parse().expect("an RFC 3339 instant")
}

/// The Oslo date of [`test_now`].
pub fn test_today() -> chrono::NaiveDate {
    meldeplikt::clock::oslo_date(test_now())
}

/// Settings for a test: a random port, a throw-away data folder, a fixed clock.
pub fn test_settings(database_url: &str, data_dir: &std::path::Path) -> Settings {
    let mut settings = Settings::from_lookup(|_| None).expect("default settings");
    settings.database_url = Some(database_url.to_owned().into());
    settings.listen = "127.0.0.1:0".parse().expect("address");
    settings.data_dir = data_dir.to_path_buf();
    settings.mail_dir = data_dir.join("mail");
    settings.workers = 1;
    settings.pool_size = 4;
    settings.shutdown_timeout = std::time::Duration::from_secs(5);
    // Ctrl-C must still end `cargo test`.
    settings.handle_signals = false;
    // Tests run the worker's rounds themselves, when they want them.
    settings.worker_interval = None;
    settings.clock = meldeplikt::clock::Clock::fixed(test_now());
    // Webhook receivers in the tests listen on loopback.
    settings.webhooks.allow_private = true;
    // Tests run side by side on the same cores; an idle-priority hash
    // would wait for all of them (the benchmark measures the default).
    settings.hash_priority = meldeplikt::auth::password::HashPriority::Normal;
    settings
}

fn init_logging() {
    static LOGGING: OnceLock<()> = OnceLock::new();
    LOGGING.get_or_init(|| {
        if std::env::var_os("TEST_LOG").is_some() {
            meldeplikt::telemetry::init(meldeplikt::config::LogFormat::Text);
        }
    });
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

pub async fn spawn_app_with(customise: impl FnOnce(&mut Settings)) -> TestApp {
    init_logging();
    let database_url = create_database().await;
    let data_dir = tempfile::tempdir().expect("data folder");
    let mut settings = test_settings(&database_url, data_dir.path());
    customise(&mut settings);
    start(settings, database_url, data_dir, true).await
}

/// A second instance of the service on `first`'s database, as a replica
/// runs: its own server, pool, worker and data folder (so its mail files
/// are its own), the same settings and keys, and the same clock (moving
/// one moves both).
pub async fn spawn_second(first: &TestApp) -> TestApp {
    let data_dir = tempfile::tempdir().expect("data folder");
    let keys = first.data_dir.path().join("keys");
    std::fs::create_dir_all(data_dir.path().join("keys")).expect("a keys folder");
    for entry in std::fs::read_dir(&keys)
        .expect("the first's keys")
        .flatten()
    {
        std::fs::copy(
            entry.path(),
            data_dir.path().join("keys").join(entry.file_name()),
        )
        .expect("a key copied");
    }
    let mut settings = first.settings.clone();
    settings.data_dir = data_dir.path().to_path_buf();
    settings.mail_dir = data_dir.path().join("mail");
    start(settings, first.database_url.clone(), data_dir, false).await
}

async fn start(
    settings: Settings,
    database_url: String,
    data_dir: tempfile::TempDir,
    owns_database: bool,
) -> TestApp {
    let clock = settings.clock.clone();
    let app = Application::build(settings.clone())
        .await
        .expect("the app builds");
    let worker = app.worker();
    let port = app.port();
    let handle = app.handle();
    tokio::spawn(app.run_until_stopped());
    TestApp {
        address: format!("http://127.0.0.1:{port}"),
        client: crate::contract::Client::new(),
        database_url,
        data_dir,
        worker,
        clock,
        settings,
        handle,
        owns_database,
    }
}

/// The password every test user gets.
pub const PASSWORD: &str = "correct horse battery staple";

/// A valid Norwegian organisation number nobody else in the run uses.
pub fn new_orgnr() -> String {
    use meldeplikt::domain::identifiers::OrgNumber;
    loop {
        let mut random = [0u8; 8];
        getrandom::fill(&mut random).unwrap();
        let digits: Vec<u8> = random.iter().map(|b| b % 10).collect();
        if let Some(check) = OrgNumber::check_digit(&digits) {
            return digits
                .iter()
                .chain([check].iter())
                .map(|d| char::from(b'0' + d))
                .collect();
        }
    }
}

/// A registration body of `examples.md`.
pub fn registration(orgnr: &str, admin_email: &str) -> serde_json::Value {
    serde_json::json!({
        "name": "Fjordvik kommune",
        "identifier": { "scheme": "no_orgnr", "value": orgnr },
        "address": { "street": "Postboks 1", "postal_code": "5001", "town": "Bergen", "country": "NO" },
        "admin": { "email": admin_email, "password": PASSWORD }
    })
}

/// Reads a problem+json body, checking its media type and status field.
pub async fn problem(response: reqwest::Response, status: u16) -> serde_json::Value {
    assert_eq!(response.status().as_u16(), status, "status");
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert_eq!(content_type, "application/problem+json");
    let body: serde_json::Value = response.json().await.expect("a JSON body");
    assert_eq!(body["status"], status, "status in the body: {body}");
    assert!(
        body["type"]
            .as_str()
            .is_some_and(|t| t.starts_with("https://")),
        "{body}"
    );
    assert!(body["title"].is_string(), "{body}");
    body
}

pub use crate::eml::Mail;
