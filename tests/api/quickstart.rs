//! The README's first five minutes, run as written: the fenced block after
//! its `quickstart` marker, in bash, against a test server whose worker
//! sends mail on its own, with only the address and the mail folder put in.

use std::time::Duration;

use serde_json::Value;

use crate::helpers::*;

const MARKER: &str = "<!-- quickstart: tests/api/quickstart.rs runs the block below -->";

/// The block after the marker, between its fences.
fn quickstart_block() -> String {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("the README");
    let after = readme.split(MARKER).nth(1).expect("the quickstart marker");
    let body = after
        .trim_start()
        .strip_prefix("```sh\n")
        .expect("a ```sh block right after the marker");
    body.split("\n```")
        .next()
        .expect("a closing fence")
        .to_owned()
}

#[tokio::test]
async fn the_readme_quickstart_runs_as_written() {
    let app = spawn_app_with(|s| s.worker_interval = Some(Duration::from_millis(100))).await;
    let mail_dir = app.data_dir.path().join("mail");
    let block = quickstart_block();
    let address_line = "MELDEPLIKT=http://127.0.0.1:8080";
    let mail_line = "MAIL_DIR=var/mail";
    assert!(
        block.contains(address_line) && block.contains(mail_line),
        "{block}"
    );
    let script = block
        .replace(address_line, &format!("MELDEPLIKT={}", app.address))
        .replace(mail_line, &format!("MAIL_DIR={}", mail_dir.display()));

    // Run where the README is read: the repository's `openapi/` beside it.
    let work = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(
        concat!(env!("CARGO_MANIFEST_DIR"), "/openapi"),
        work.path().join("openapi"),
    )
    .unwrap();
    let output = tokio::process::Command::new("bash")
        .args(["-e", "-c", &script])
        .current_dir(work.path())
        .output()
        .await
        .expect("bash runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "the quickstart failed:\n{stdout}\n{stderr}"
    );

    for expected in [
        "notification 2026-000001",
        "saved kvittering.pdf",
        "\"status\": \"amendment_awaiting_confirmation\"",
        "\"version\": 2",
        "\"kind\": \"amendment\"",
    ] {
        assert!(
            stdout.contains(expected),
            "{expected:?} not in:\n{stdout}\n{stderr}"
        );
    }
    let pdf = std::fs::read(work.path().join("kvittering.pdf")).expect("the PDF saved");
    assert!(crate::pdf::text(&pdf).contains("2026-000001"));

    // What the block did, seen through the API.
    let tokens = app
        .login("admin@fjordvik.example", "correct horse battery staple")
        .await;
    let token = tokens["access_token"].as_str().unwrap();
    let current: Value = app.get_json("/v1/notifications/2026-000001", token).await;
    assert_eq!(current["status"], "registered", "{current}");
    assert_eq!(
        current["content"]["description"],
        "Kvalitetsstudie av hjemmetjenester i to bydeler."
    );
}
