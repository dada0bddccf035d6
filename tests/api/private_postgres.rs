//! The private PostgreSQL: created, started, reused, stopped; a stale
//! `postmaster.pid` after a crash; restarted when it dies under the service
//! and adopted after the service itself crashed; and the binary as the
//! README runs it.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use diesel_async::{AsyncConnection, AsyncPgConnection};
use meldeplikt::db::local_postgres::{LocalPostgres, Options};

/// A folder the server's own user can reach when the tests run as root.
fn scratch() -> tempfile::TempDir {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::Builder::new()
        .prefix("mp-")
        .tempdir_in("/tmp")
        .expect("temp folder");
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    dir
}

async fn answers(url: &str) -> bool {
    AsyncPgConnection::establish(url).await.is_ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn start_reuse_stop_and_recover_from_a_stale_pid_file() {
    let dir = scratch();
    let cluster = dir.path().join("postgres");

    let first = LocalPostgres::start(&cluster, &Options::default())
        .await
        .unwrap();
    assert!(first.is_owner());
    assert!(cluster.join("PG_VERSION").is_file());
    let url = first.url("meldeplikt");
    assert!(
        answers(&url).await,
        "the service's database exists and answers"
    );
    assert!(
        !url.contains("localhost") && !url.contains("127.0.0.1"),
        "no TCP: {url}"
    );

    // A second start on the same folder reuses the running server.
    let second = LocalPostgres::start(&cluster, &Options::default())
        .await
        .unwrap();
    assert!(!second.is_owner());
    second.stop().await.unwrap();
    assert!(
        answers(&url).await,
        "stopping a reuser leaves the server running"
    );

    first.stop().await.unwrap();
    assert!(!answers(&url).await, "stopped");
    assert!(!cluster.join("postmaster.pid").exists());

    // A crash leaves postmaster.pid behind, naming a process that is gone
    // or, after a reboot, some other process (here: this test).
    for stale_pid in [i32::MAX - 1, std::process::id() as i32] {
        std::fs::write(
            cluster.join("postmaster.pid"),
            format!("{stale_pid}\n{}\n", cluster.display()),
        )
        .unwrap();
        let again = LocalPostgres::start(&cluster, &Options::default())
            .await
            .unwrap();
        assert!(again.is_owner(), "stale pid {stale_pid} was cleared");
        assert!(answers(&url).await);
        again.stop().await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_folder_that_holds_something_else_is_refused_clearly() {
    let dir = scratch();
    let cluster = dir.path().join("postgres");
    std::fs::create_dir_all(&cluster).unwrap();
    std::fs::write(cluster.join("notes.txt"), "mine").unwrap();
    let err = LocalPostgres::start(&cluster, &Options::default())
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("holds no PostgreSQL cluster"), "{err}");
    assert!(
        cluster.join("notes.txt").is_file(),
        "nothing of the user's is touched"
    );
}

pub(crate) fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn start_binary(data_dir: &Path, port: u16) -> Child {
    Command::new(env!("CARGO_BIN_EXE_meldeplikt"))
        .env_remove("DATABASE_URL")
        .env("MELDEPLIKT_DATA_DIR", data_dir)
        .env("MELDEPLIKT_LISTEN", format!("127.0.0.1:{port}"))
        .env("MELDEPLIKT_SHUTDOWN_TIMEOUT_S", "5")
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        // Never read: a pipe would fill with the warnings of an outage
        // (with backtraces under RUST_BACKTRACE) and stall the service.
        .stderr(Stdio::null())
        .spawn()
        .expect("the meldeplikt binary starts")
}

pub(crate) async fn wait_ready(port: u16, child: &mut Child) {
    let started = Instant::now();
    let url = format!("http://127.0.0.1:{port}/health/ready");
    loop {
        if let Ok(response) = crate::contract::Client::new().get(&url).send().await
            && response.status() == 200
        {
            return;
        }
        if let Some(status) = child.try_wait().unwrap() {
            panic!("meldeplikt exited early: {status}");
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "not ready in time"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn terminate(child: &mut Child) -> std::process::ExitStatus {
    use nix::sys::signal::{Signal, kill};
    kill(
        nix::unistd::Pid::from_raw(child.id() as i32),
        Signal::SIGTERM,
    )
    .unwrap();
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "did not stop on SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_runs_on_a_private_database_and_stops_it_on_sigterm() {
    let dir = scratch();
    let (port_a, port_b) = (free_port(), free_port());

    let mut a = start_binary(dir.path(), port_a);
    wait_ready(port_a, &mut a).await;
    let docs = crate::contract::Client::new()
        .get(format!("http://127.0.0.1:{port_a}/docs/"))
        .send()
        .await
        .unwrap();
    assert_eq!(docs.status(), 200);
    let pid_file = dir.path().join("postgres/postmaster.pid");
    assert!(pid_file.is_file(), "the private server runs");

    // A second service on the same folder reuses that server.
    let mut b = start_binary(dir.path(), port_b);
    wait_ready(port_b, &mut b).await;
    assert!(terminate(&mut b).success());
    assert!(pid_file.is_file(), "the reuser left the server running");
    let ready = crate::contract::Client::new()
        .get(format!("http://127.0.0.1:{port_a}/health/ready"))
        .send()
        .await
        .unwrap();
    assert_eq!(ready.status(), 200);

    // The one that started it stops it.
    assert!(terminate(&mut a).success());
    assert!(!pid_file.exists(), "the private server was stopped");
}

/// A running `meldeplikt`, killed if a test ends before it stopped it.
pub(crate) struct Service(pub(crate) Child);

impl std::ops::Deref for Service {
    type Target = Child;
    fn deref(&self) -> &Child {
        &self.0
    }
}

impl std::ops::DerefMut for Service {
    fn deref_mut(&mut self) -> &mut Child {
        &mut self.0
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        if let Ok(None) = self.0.try_wait() {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

/// Stops whatever server runs on `.0` when a test ends, passed or failed.
struct StopsServer(std::path::PathBuf);

impl Drop for StopsServer {
    fn drop(&mut self) {
        if let Some(pid) = postmaster_pid(&self.0) {
            signal(pid, nix::sys::signal::Signal::SIGQUIT);
            let started = Instant::now();
            while alive(pid) && started.elapsed() < Duration::from_secs(10) {
                std::thread::sleep(Duration::from_millis(50));
            }
        }
    }
}

/// The postmaster's pid: the first line of `postmaster.pid`.
fn postmaster_pid(cluster: &Path) -> Option<i32> {
    std::fs::read_to_string(cluster.join("postmaster.pid"))
        .ok()?
        .lines()
        .next()?
        .trim()
        .parse()
        .ok()
}

fn signal(pid: i32, signal: nix::sys::signal::Signal) {
    let _ = nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), signal);
}

/// Whether `pid` runs (a zombie nobody reaped does not).
fn alive(pid: i32) -> bool {
    let exists = nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), None).is_ok();
    let zombie = std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|stat| {
            let (_, rest) = stat.rsplit_once(')')?;
            rest.trim_start().chars().next()
        })
        .is_some_and(|state| matches!(state, 'Z' | 'X'));
    exists && !zombie
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_private_server_is_restarted_when_it_dies() {
    let dir = scratch();
    let cluster = dir.path().join("postgres");
    let _server = StopsServer(cluster.clone());
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let client = crate::contract::Client::new();

    let mut service = Service(start_binary(dir.path(), port));
    wait_ready(port, &mut service).await;
    let email = format!("admin-{}@example.no", uuid::Uuid::new_v4().simple());
    let registered = client
        .post(format!("{base}/v1/organisations"))
        .json(&crate::helpers::registration(
            &crate::helpers::new_orgnr(),
            &email,
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(registered.status(), 201, "registration");

    let killed = postmaster_pid(&cluster).expect("the private server runs");
    signal(killed, nix::sys::signal::Signal::SIGKILL);

    // The service notices and starts the server again; meanwhile readiness
    // answers 503 (or the request fails), never a stale 200 from the old one.
    let started = Instant::now();
    loop {
        let restarted = postmaster_pid(&cluster).filter(|pid| *pid != killed && alive(*pid));
        if restarted.is_some() {
            let ready = client
                .get(format!("{base}/health/ready"))
                .send()
                .await
                .map(|r| r.status());
            if matches!(ready, Ok(status) if status == 200) {
                break;
            }
        }
        if let Some(status) = service.try_wait().unwrap() {
            panic!("meldeplikt exited when its database died: {status}");
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the private server was not started again within 30 s"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }

    // What was written before the crash is still there.
    let login = client
        .post(format!("{base}/v1/auth/token"))
        .json(&serde_json::json!({
            "grant_type": "password",
            "username": email,
            "password": crate::helpers::PASSWORD,
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(
        login.status(),
        200,
        "the organisation registered before the crash signs in"
    );

    assert!(terminate(&mut service).success());
    assert!(
        !cluster.join("postmaster.pid").exists(),
        "the restarted server was stopped with the service"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_left_by_a_crashed_service_is_stopped_on_the_next_clean_exit() {
    let dir = scratch();
    let cluster = dir.path().join("postgres");
    let _server = StopsServer(cluster.clone());
    let (port_a, port_b) = (free_port(), free_port());

    let mut crashed = Service(start_binary(dir.path(), port_a));
    wait_ready(port_a, &mut crashed).await;
    let postmaster = postmaster_pid(&cluster).expect("the private server runs");
    crashed.kill().unwrap();
    crashed.wait().unwrap();
    assert!(
        alive(postmaster),
        "a killed service leaves its server running"
    );

    let mut next = Service(start_binary(dir.path(), port_b));
    wait_ready(port_b, &mut next).await;
    assert_eq!(
        postmaster_pid(&cluster),
        Some(postmaster),
        "the server left running is reused, not started anew"
    );
    assert!(terminate(&mut next).success());

    let started = Instant::now();
    while alive(postmaster) || cluster.join("postmaster.pid").exists() {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the server left by the crashed service still runs after a clean exit"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[test]
fn bad_settings_stop_the_binary_with_a_message_per_variable() {
    let output = Command::new(env!("CARGO_BIN_EXE_meldeplikt"))
        .env("MELDEPLIKT_POOL_SIZE", "1")
        .env("MELDEPLIKT_LOG_FORMAT", "xml")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("MELDEPLIKT_POOL_SIZE: must be a whole number from 2 to 64"),
        "{stderr}"
    );
    assert!(
        stderr.contains("MELDEPLIKT_LOG_FORMAT: must be text or json"),
        "{stderr}"
    );
}

#[test]
fn the_openapi_command_prints_the_document() {
    let output = Command::new(env!("CARGO_BIN_EXE_meldeplikt"))
        .arg("openapi")
        .output()
        .unwrap();
    assert!(output.status.success());
    assert_eq!(
        String::from_utf8(output.stdout).unwrap(),
        meldeplikt::openapi::document_json()
    );
}
