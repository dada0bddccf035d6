//! The service against its own database, in one run (`bench/speed.sh`):
//!
//! 1. a private PostgreSQL cluster in a temporary folder (unix socket);
//! 2. the service on a loopback port, 16 organisations with a user each;
//! 3. the statements of one create and one read, logged by the server and
//!    made into pgbench scripts (`script.rs`, copies in `bench/pgbench/`);
//! 4. pgbench with those scripts, the service stopped;
//! 5. the service started again (the time to ready is the startup figure),
//!    then `POST /v1/notifications` and `GET /v1/notifications/{number}`
//!    from 16 connections, its resident memory watched;
//! 6. the read alone and during a flood of password sign-ins.
//!
//! Any answer but the one expected, or a pgbench error, and no figure is
//! reported. Everything stays on this machine.

#[path = "../harness.rs"]
#[allow(dead_code, reason = "only the memory reading is used here")]
mod harness;
mod load;
mod script;
mod service;
mod wire;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use meldeplikt::db::local_postgres::{self, LocalPostgres};
use serde_json::{Value, json};

use load::{Phase, drive};
use service::{Service, Watch};
use wire::{Connection, Request};

const CLIENTS: usize = 16;
const ORGANISATIONS: usize = 16;
const PHASE: Duration = Duration::from_secs(8);
const FLOOD: Duration = Duration::from_secs(6);
const PASSWORD: &str = "correct horse battery staple";

/// One organisation of the benchmark.
struct Organisation {
    email: String,
    token: String,
    number: String,
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let binary = std::env::current_exe()
        .expect("own path")
        .parent()
        .and_then(Path::parent)
        .expect("target/release")
        .join("meldeplikt");
    let work = tempfile::Builder::new()
        .prefix("meldeplikt-speed-")
        .tempdir()
        .expect("a temporary folder");
    // The server runs as another user when this is root: let it in.
    std::fs::set_permissions(
        work.path(),
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .expect("permissions");
    let bin = local_postgres::find_binaries(&local_postgres::default_search_path())
        .expect("PostgreSQL's server programs");
    let cluster = LocalPostgres::start(&work.path().join("pg"), &Default::default())
        .await
        .expect("a private PostgreSQL");
    let url = cluster.url(local_postgres::DATABASE);
    let psql = |sql: &str| -> String {
        let out = Command::new(bin.join("psql"))
            .args([
                "-X",
                "-q",
                "-At",
                "-v",
                "ON_ERROR_STOP=1",
                "-d",
                &url,
                "-c",
                sql,
            ])
            .output()
            .expect("psql runs");
        assert!(
            out.status.success(),
            "psql: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    };
    let data = work.path().join("var");

    // The service without its worker while the statements are captured.
    let quiet = Service::start(
        &binary,
        &url,
        &data,
        &[("MELDEPLIKT_WORKER_INTERVAL_MS", "0")],
    )
    .await;
    let mut organisations = Vec::new();
    for i in 0..ORGANISATIONS {
        organisations.push(organisation(&quiet.address, i).await);
    }
    let body = notification();
    let keep: Vec<String> = psql("SELECT id FROM organisations UNION ALL SELECT id FROM users")
        .lines()
        .map(str::to_owned)
        .collect();
    psql("ALTER SYSTEM SET log_statement = 'all'");
    psql("ALTER SYSTEM SET log_line_prefix = '%p|'");
    psql("SELECT pg_reload_conf()");
    tokio::time::sleep(Duration::from_millis(300)).await;
    psql("SELECT 'speed-marker create'");
    let first = &organisations[0];
    let created = call(&quiet.address, &create(&quiet.address, &first.token, &body)).await;
    assert_eq!(created.0, 201, "the captured create: {}", created.1);
    psql("SELECT 'speed-marker read'");
    let read = call(
        &quiet.address,
        &get(&quiet.address, &first.token, &first.number),
    )
    .await;
    assert_eq!(read.0, 200, "the captured read: {}", read.1);
    psql("SELECT 'speed-marker end'");
    psql("ALTER SYSTEM RESET log_statement");
    psql("ALTER SYSTEM RESET log_line_prefix");
    psql("SELECT pg_reload_conf()");
    quiet.stop();
    let log = std::fs::read_to_string(work.path().join("pg/server.log")).expect("the server log");
    let creates = script::between(&log, "speed-marker create", "speed-marker read");
    let reads = script::between(&log, "speed-marker read", "speed-marker end");
    assert!(
        creates
            .iter()
            .any(|s| s.sql.contains("INSERT INTO \"notifications\"")),
        "the create's statements were not captured"
    );
    let create_script = script::pgbench(
        &creates,
        &script::Fresh {
            keep: &keep,
            per_transaction: true,
        },
    );
    let read_script = script::pgbench(
        &reads,
        &script::Fresh {
            keep: &keep,
            per_transaction: false,
        },
    );
    let kept = Path::new(env!("CARGO_MANIFEST_DIR")).join("bench/pgbench");
    std::fs::create_dir_all(&kept).expect("bench/pgbench");
    std::fs::write(kept.join("create.sql"), &create_script).expect("create.sql");
    std::fs::write(kept.join("read.sql"), &read_script).expect("read.sql");
    // One script per organisation: pgbench picks one per transaction, as
    // the service's clients pick an organisation per request.
    let first_org = psql(&format!(
        "SELECT organisation_id FROM users WHERE email = '{}'",
        first.email
    ));
    let mut create_files = Vec::new();
    let mut read_files = Vec::new();
    for (i, o) in organisations.iter().enumerate() {
        let org = psql(&format!(
            "SELECT organisation_id FROM users WHERE email = '{}'",
            o.email
        ));
        let user = psql(&format!("SELECT id FROM users WHERE email = '{}'", o.email));
        let first_user = psql(&format!(
            "SELECT id FROM users WHERE email = '{}'",
            first.email
        ));
        let notification = psql(&format!(
            "SELECT id FROM notifications WHERE number = '{}'",
            o.number
        ));
        let first_notification = psql(&format!(
            "SELECT id FROM notifications WHERE number = '{}'",
            first.number
        ));
        let of = |s: &str| {
            s.replace(&first_org, &org)
                .replace(&first_user, &user)
                .replace(&first_notification, &notification)
                .replace(&first.number, &o.number)
        };
        create_files.push(write(
            work.path(),
            &format!("create_{i}.sql"),
            &of(&create_script),
        ));
        read_files.push(write(
            work.path(),
            &format!("read_{i}.sql"),
            &of(&read_script),
        ));
    }
    psql("VACUUM ANALYZE");
    psql("CHECKPOINT");
    // For a closer look: the cluster and the scripts stay this long.
    if let Some(hold) = std::env::var("BENCH_HOLD_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
    {
        println!("holding {hold} s: {url} {}", work.path().display());
        tokio::time::sleep(Duration::from_secs(hold)).await;
    }

    println!(
        "meldeplikt speed: {} cores, {}, PostgreSQL {} (private cluster, unix socket); \
         {CLIENTS} connections each side, {} s per phase",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        memory(),
        psql("SHOW server_version"),
        PHASE.as_secs()
    );
    let pg_create = pgbench(&bin, &url, &create_files);
    let pg_read = pgbench(&bin, &url, &read_files);
    // The mail pgbench queued is not the service's to send.
    psql("DELETE FROM outbox WHERE sent_at IS NULL");
    psql("VACUUM ANALYZE");
    psql("CHECKPOINT");

    let service = Service::start(&binary, &url, &data, &[]).await;
    let address = service.address.clone();
    let pid = service.pid();
    let watch = Watch::start(pid);
    let creates: Vec<Request> = organisations
        .iter()
        .map(|o| create(&address, &o.token, &body))
        .collect();
    let reads: Vec<Request> = organisations
        .iter()
        .map(|o| get(&address, &o.token, &o.number))
        .collect();
    let pick = |list: Vec<Request>| move |r: u64| list[(r % list.len() as u64) as usize].clone();
    let svc_create = drive(pid, &address, CLIENTS, PHASE, 201, &[], pick(creates)).await;
    // The reads on a quiet service: the create's mail sent first.
    let drained = std::time::Instant::now();
    while psql("SELECT count(*) FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL") != "0" {
        assert!(
            drained.elapsed() < Duration::from_secs(60),
            "the outbox did not drain"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let drain = drained.elapsed();
    let svc_read = drive(pid, &address, CLIENTS, PHASE, 200, &[], pick(reads.clone())).await;
    let peak = watch.stop().await;

    // Sign-ins beside reads: half the connections each.
    let alone = drive(
        pid,
        &address,
        CLIENTS / 2,
        FLOOD,
        200,
        &[],
        pick(reads.clone()),
    )
    .await;
    let sign_ins: Vec<Request> = organisations
        .iter()
        .map(|o| {
            let body = json!({"grant_type": "password", "username": o.email, "password": PASSWORD});
            Request::new(
                "POST",
                &address,
                "/v1/auth/token",
                None,
                Some(body.to_string().as_bytes()),
            )
        })
        .collect();
    let flood = tokio::spawn({
        let address = address.clone();
        let sign_ins = pick(sign_ins);
        async move { drive(pid, &address, CLIENTS / 2, FLOOD, 200, &[503], sign_ins).await }
    });
    let during = drive(pid, &address, CLIENTS / 2, FLOOD, 200, &[], pick(reads)).await;
    let flood = flood.await.expect("the flood");
    let startup = service.startup;
    service.stop();

    let phases = [
        ("service create", &svc_create),
        ("service read", &svc_read),
        ("read alone", &alone),
        ("read during sign-ins", &during),
        ("sign-ins", &flood),
    ];
    let mut failed = false;
    for (name, phase) in phases {
        if phase.errors > 0 {
            failed = true;
            eprintln!(
                "{name}: {} unexpected answers, the first: {}",
                phase.errors,
                phase.first_error.as_deref().unwrap_or("")
            );
        }
    }
    if failed {
        eprintln!("errors in the run: no figures reported");
        std::process::exit(1);
    }
    report(pg_create, pg_read, &svc_create, &svc_read);
    println!("service peak resident memory under that load: {peak:.1} MiB");
    println!(
        "startup to ready, database initialised: {} ms",
        startup.as_millis()
    );
    println!(
        "mail of the creates still unsent when they ended: sent in {:.1} s more",
        drain.as_secs_f64()
    );
    println!(
        "read p99 with {} connections: {:.2} ms alone, {:.2} ms during {:.0} sign-ins/s \
         ({} refused at capacity): x{:.2}",
        CLIENTS / 2,
        alone.percentile_ms(0.99),
        during.percentile_ms(0.99),
        flood.per_second(),
        flood.refused,
        during.percentile_ms(0.99) / alone.percentile_ms(0.99)
    );
    drop(cluster);
}

fn report(pg_create: (f64, f64), pg_read: (f64, f64), create: &Phase, read: &Phase) {
    println!(
        "{:<8} {:>12} {:>14} {:>7} {:>9} {:>9}   CPU µs each: pgbench machine | service, machine",
        "", "pgbench tx/s", "service req/s", "ratio", "p50 ms", "p99 ms"
    );
    for (name, (raw, raw_cpu), phase) in [("create", pg_create, create), ("read", pg_read, read)] {
        let (service_cpu, machine_cpu) = phase.cpu_per_answer_us();
        println!(
            "{name:<8} {raw:>12.0} {:>14.0} {:>7.2} {:>9.2} {:>9.2}   {raw_cpu:.0} | {service_cpu:.0}, {machine_cpu:.0}",
            phase.per_second(),
            phase.per_second() / raw,
            phase.percentile_ms(0.50),
            phase.percentile_ms(0.99),
        );
    }
}

/// pgbench's transactions per second with `scripts`; stops the run on any
/// failed transaction.
fn pgbench(bin: &Path, url: &str, scripts: &[PathBuf]) -> (f64, f64) {
    let busy_before = service::machine_busy_seconds();
    let mut command = Command::new(bin.join("pgbench"));
    command.args([
        "-n",
        "-M",
        "prepared",
        "-c",
        &CLIENTS.to_string(),
        "-j",
        "1",
        "-T",
        &PHASE.as_secs().to_string(),
    ]);
    for script in scripts {
        command.arg("-f").arg(format!("{}@1", script.display()));
    }
    let out = command.arg(url).output().expect("pgbench runs");
    let text = String::from_utf8_lossy(&out.stdout);
    let failed = text
        .lines()
        .find_map(|l| l.strip_prefix("number of failed transactions: "))
        .and_then(|l| l.split_whitespace().next())
        .and_then(|n| n.parse::<u64>().ok());
    if !out.status.success() || failed != Some(0) {
        eprintln!("{text}\n{}", String::from_utf8_lossy(&out.stderr));
        eprintln!("pgbench had errors: no figures reported");
        std::process::exit(1);
    }
    let busy = service::machine_busy_seconds() - busy_before;
    let tps: f64 = text
        .lines()
        .find_map(|l| l.strip_prefix("tps = "))
        .and_then(|l| l.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .expect("pgbench's tps");
    let latency = text
        .lines()
        .find_map(|l| l.strip_prefix("latency average = "))
        .and_then(|l| l.split_whitespace().next())
        .unwrap_or("?");
    println!(
        "pgbench {}: {tps:.0} tx/s, latency average {latency} ms",
        scripts_name(scripts)
    );
    // The machine's CPU per transaction, in microseconds.
    (tps, busy / (tps * PHASE.as_secs_f64()) * 1e6)
}

fn scripts_name(scripts: &[PathBuf]) -> String {
    scripts
        .first()
        .and_then(|p| p.file_stem())
        .map(|s| {
            s.to_string_lossy()
                .trim_end_matches(|c: char| c == '_' || c.is_ascii_digit())
                .to_owned()
        })
        .unwrap_or_default()
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("a script");
    path
}

fn memory() -> String {
    let total = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines()
                .find(|l| l.starts_with("MemTotal:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|k| k.parse::<f64>().ok())
        })
        .unwrap_or(0.0);
    format!("{:.0} GiB", total / 1_048_576.0)
}

/// The notification clients are written against, starting in 60 days.
fn notification() -> Vec<u8> {
    let mut body: Value =
        serde_json::from_str(include_str!("../../openapi/examples/notification.json"))
            .expect("the example");
    let start = chrono::Utc::now().date_naive() + chrono::Days::new(60);
    body["start_date"] = json!(start.to_string());
    body.to_string().into_bytes()
}

fn create(address: &str, token: &str, body: &[u8]) -> Request {
    Request::new(
        "POST",
        address,
        "/v1/notifications",
        Some(token),
        Some(body),
    )
}

fn get(address: &str, token: &str, number: &str) -> Request {
    let path = format!("/v1/notifications/{number}");
    Request::new("GET", address, &path, Some(token), None)
}

async fn call(address: &str, request: &Request) -> (u16, String) {
    let mut connection = Connection::open(address).await.expect("connects");
    let answer = connection.send(request).await.expect("an answer");
    (
        answer.status,
        String::from_utf8_lossy(&answer.body).into_owned(),
    )
}

/// Registers organisation `i`, signs its admin in and submits one
/// notification for the reads.
async fn organisation(address: &str, i: usize) -> Organisation {
    let email = format!("speed-{i}@example.no");
    let registration = json!({
        "name": format!("Fart {i} AS"),
        "identifier": {"scheme": "no_orgnr", "value": orgnr(i)},
        "address": {"street": "Gate 1", "postal_code": "0150", "town": "Oslo", "country": "NO"},
        "admin": {"email": email, "password": PASSWORD}
    });
    let request = Request::new(
        "POST",
        address,
        "/v1/organisations",
        None,
        Some(registration.to_string().as_bytes()),
    );
    let (status, text) = call(address, &request).await;
    assert_eq!(status, 201, "registration: {text}");
    let sign_in = json!({"grant_type": "password", "username": email, "password": PASSWORD});
    let request = Request::new(
        "POST",
        address,
        "/v1/auth/token",
        None,
        Some(sign_in.to_string().as_bytes()),
    );
    let (status, text) = call(address, &request).await;
    assert_eq!(status, 200, "sign-in: {text}");
    let tokens: Value = serde_json::from_str(&text).expect("tokens");
    let token = tokens["access_token"].as_str().expect("a token").to_owned();
    let (status, text) = call(address, &create(address, &token, &notification())).await;
    assert_eq!(status, 201, "the notification read: {text}");
    let created: Value = serde_json::from_str(&text).expect("created");
    let number = created["number"].as_str().expect("a number").to_owned();
    Organisation {
        email,
        token,
        number,
    }
}

/// A valid organisation number, different for each `i`.
fn orgnr(i: usize) -> String {
    (0..)
        .map(|k| format!("{}", 90_000_000 + i * 1_000 + k))
        .find_map(|base| {
            let digits: Vec<u8> = base.bytes().map(|b| b - b'0').collect();
            meldeplikt::domain::identifiers::OrgNumber::check_digit(&digits)
                .map(|check| format!("{base}{check}"))
        })
        .expect("some number has a check digit")
}
