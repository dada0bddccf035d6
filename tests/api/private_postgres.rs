//! The private PostgreSQL: created, started, reused, stopped; a stale
//! `postmaster.pid` after a crash; and the binary as the README runs it.

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

fn free_port() -> u16 {
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
        .stderr(Stdio::piped())
        .spawn()
        .expect("the meldeplikt binary starts")
}

async fn wait_ready(port: u16, child: &mut Child) {
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
