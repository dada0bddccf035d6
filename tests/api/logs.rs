//! What the service logs: structured JSON lines with the request id, and
//! never a password, token, key or link secret.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::helpers::{Mail, PASSWORD, create_database, new_orgnr, registration};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logs_are_json_lines_without_secrets() {
    let database = create_database().await;
    let data = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    // Logs go to a file: a pipe nobody reads would fill and stall the service.
    let log_path = data.path().join("service.log");
    let log_file = std::fs::File::create(&log_path).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_meldeplikt"))
        .env("DATABASE_URL", &database)
        .env("MELDEPLIKT_DATA_DIR", data.path())
        .env("MELDEPLIKT_LISTEN", format!("127.0.0.1:{port}"))
        .env("MELDEPLIKT_LOG_FORMAT", "json")
        .env("MELDEPLIKT_WORKER_INTERVAL_MS", "100")
        .env("RUST_LOG", "debug")
        .env("MELDEPLIKT_SHUTDOWN_TIMEOUT_S", "5")
        .stdout(Stdio::from(log_file))
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let client = crate::contract::Client::new();
    let started = Instant::now();
    while client
        .get(format!("{base}/health/ready"))
        .send()
        .await
        .is_err()
    {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the service did not start"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    let email = "logs@example.no";
    let response = client
        .post(format!("{base}/v1/organisations"))
        .json(&registration(&new_orgnr(), email))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let tokens: Value = client
        .post(format!("{base}/v1/auth/token"))
        .json(&json!({"grant_type": "password", "username": email, "password": PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let access = tokens["access_token"].as_str().unwrap().to_owned();
    let refresh = tokens["refresh_token"].as_str().unwrap().to_owned();
    // A failed sign-in too.
    client
        .post(format!("{base}/v1/auth/token"))
        .json(&json!({"grant_type": "password", "username": email, "password": "wrong password here"}))
        .send()
        .await
        .unwrap();
    let created: Value = client
        .post(format!("{base}/v1/notifications"))
        .bearer_auth(&access)
        .header("X-Request-Id", "trace-me-42")
        .json(&crate::fixtures::example())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let number = created["number"].as_str().unwrap().to_owned();
    // The worker writes the mail.
    let mail_dir = data.path().join("mail");
    let mut mail = None;
    let started = Instant::now();
    while mail.is_none() {
        assert!(started.elapsed() < Duration::from_secs(20), "no mail");
        tokio::time::sleep(Duration::from_millis(100)).await;
        mail = std::fs::read_dir(&mail_dir)
            .ok()
            .and_then(|mut d| d.next())
            .and_then(|e| e.ok())
            .map(|e| Mail::parse(&std::fs::read_to_string(e.path()).unwrap()))
            // The file may be read while it is still being written.
            .filter(|m| m.body.contains("/confirm/"));
    }
    let link = mail.unwrap().token();
    let confirmed: Value = client
        .post(format!("{base}/v1/confirmations/{link}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let key = confirmed["notification_key"].as_str().unwrap().to_owned();
    assert!(confirmed["receipt"]["number"] == number.as_str());

    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(child.id() as i32),
        nix::sys::signal::Signal::SIGTERM,
    )
    .unwrap();
    let status = tokio::task::spawn_blocking(move || child.wait().unwrap())
        .await
        .unwrap();
    assert!(status.success());
    let logs = std::fs::read_to_string(&log_path).unwrap();

    let mut request_lines = 0;
    for line in logs.lines().filter(|l| !l.trim().is_empty()) {
        let entry: Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
        if entry["message"] == "request finished" {
            request_lines += 1;
            assert!(
                entry["span"]["request_id"].is_string() || entry["request_id"].is_string(),
                "{line}"
            );
        }
    }
    assert!(request_lines >= 5, "{logs}");
    assert!(
        logs.contains("trace-me-42"),
        "the caller's request id is in the logs"
    );
    assert!(
        logs.contains("auth.login_failed"),
        "failures are logged as events"
    );
    for (what, secret) in [
        ("password", PASSWORD),
        ("access token", access.as_str()),
        ("refresh token", refresh.as_str()),
        ("confirmation link", link.as_str()),
        ("notification key", key.as_str()),
    ] {
        assert!(!logs.contains(secret), "the {what} is in the logs");
    }
    crate::helpers::drop_database(&database).await;
}
