//! The committed OpenAPI document matches the generated one.

use crate::helpers::spawn_app;

const COMMITTED: &str = "openapi/openapi.json";

#[test]
fn the_committed_openapi_document_is_up_to_date() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(COMMITTED);
    let generated = meldeplikt::openapi::document_json();
    if std::env::var_os("MELDEPLIKT_UPDATE_OPENAPI").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "{COMMITTED} differs from the document the code generates.\n\
         Regenerate it with:\n\n    cargo run -- openapi > {COMMITTED}\n\n\
         (or MELDEPLIKT_UPDATE_OPENAPI=1 cargo test openapi) and commit it."
    );
}

#[tokio::test]
async fn the_server_serves_the_same_document() {
    let app = spawn_app().await;
    let response = app.get("/openapi.json").await;
    assert_eq!(response.status(), 200);
    let served: serde_json::Value = response.json().await.unwrap();
    let generated: serde_json::Value =
        serde_json::from_str(&meldeplikt::openapi::document_json()).unwrap();
    assert_eq!(served, generated);
    assert!(served["openapi"].as_str().unwrap().starts_with("3.1"));
    assert!(served["components"]["schemas"]["Problem"].is_object());
    assert!(served["components"]["securitySchemes"]["bearer"].is_object());
}

#[test]
fn the_openapi_command_survives_a_reader_that_stops_early() {
    use std::io::Read;
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_meldeplikt"))
        .arg("openapi")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 16];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap();
    // The pipe is closed here, long before the document is written.
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "{:?}", output.status);
    assert!(
        output.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(first.starts_with(b"{"));
}

fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

#[test]
fn every_request_body_and_success_has_an_example_that_fits_its_schema() {
    let doc = crate::contract::document();
    let mut problems = Vec::new();
    let mut checked = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            if method == "head" {
                continue;
            }
            let base = format!("/paths/{}/{method}", escape(path));
            let mut places = Vec::new();
            if let Some(content) = op["requestBody"]["content"].as_object() {
                for media in content.keys() {
                    places.push(format!("{base}/requestBody/content/{}", escape(media)));
                }
            }
            for (status, response) in op["responses"].as_object().unwrap() {
                if !status.starts_with('2') {
                    continue;
                }
                for media in response["content"]
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|(m, _)| m)
                {
                    if media.contains("json") && path != "/openapi.json" {
                        places.push(format!(
                            "{base}/responses/{status}/content/{}",
                            escape(media)
                        ));
                    }
                }
            }
            for place in places {
                let Some(example) = doc.pointer(&format!("{place}/example")) else {
                    problems.push(format!("{place}: no example"));
                    continue;
                };
                let errors = crate::contract::schema_errors(&format!("{place}/schema"), example);
                if !errors.is_empty() {
                    problems.push(format!("{place}: {}", errors.join("; ")));
                }
                checked += 1;
            }
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
    assert!(checked > 40, "only {checked} examples checked");
}

#[test]
fn every_example_file_belongs_to_an_operation() {
    let doc = crate::contract::document();
    let mut places = std::collections::BTreeSet::from(["notification".to_owned()]);
    for item in doc["paths"].as_object().unwrap().values() {
        for op in item.as_object().unwrap().values() {
            let Some(id) = op["operationId"].as_str() else {
                continue;
            };
            places.insert(format!("{id}.request"));
            for status in op["responses"].as_object().unwrap().keys() {
                places.insert(format!("{id}.{status}"));
            }
        }
    }
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("openapi/examples");
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        assert!(
            places.contains(&stem),
            "{} names no operation",
            path.display()
        );
    }
}

#[test]
fn the_document_refuses_the_text_the_service_refuses() {
    let doc = crate::contract::document();
    let pointer = |field: &str| {
        let schema = &doc["components"]["schemas"]["NotificationInput"]["properties"][field];
        assert!(schema.is_object(), "{field}");
        format!("/components/schemas/NotificationInput/properties/{field}")
    };
    let fits = |field: &str, text: &str| {
        crate::contract::schema_errors(&pointer(field), &serde_json::json!(text)).is_empty()
    };
    assert!(fits("confirmation_email", "a@b.no"));
    assert!(fits("description", "Linje 1\r\nLinje 2\tmed innrykk – ÆØÅ"));
    assert!(!fits("description", "a\u{0}b"));
    let controller = "/components/schemas/ControllerInput/properties/name";
    let name = |text: &str| crate::contract::schema_errors(controller, &serde_json::json!(text));
    assert!(name("Fjordvik kommune").is_empty());
    assert!(!name("Fjordvik\nBcc: x").is_empty());
    assert!(!name("a\u{1b}b").is_empty());
    let required_not_null = crate::contract::schema_errors(controller, &serde_json::Value::Null);
    assert!(
        !required_not_null.is_empty(),
        "a required field is not null"
    );
}
