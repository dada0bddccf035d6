//! The code lists: three languages, cacheable.

use serde_json::Value;

use crate::helpers::*;

#[tokio::test]
async fn code_lists_come_in_three_languages_and_are_cacheable() {
    let app = spawn_app().await;
    let all: Value = app.get("/v1/code-lists").await.json().await.unwrap();
    let names: Vec<_> = all["lists"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["name"].as_str().unwrap())
        .collect();
    for name in [
        "sectors",
        "purposes",
        "legal-grounds",
        "sensitive-categories",
        "transfer-bases",
        "countries",
        "eea",
    ] {
        assert!(names.contains(&name), "{name}");
    }
    let label_of = |list: &Value, code: &str| {
        list["codes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["code"] == code)
            .unwrap()["label"]
            .clone()
    };
    for (lang, label) in [
        ("nb", "Statlig"),
        ("nn", "Statleg"),
        ("en", "Central government"),
    ] {
        let response = app
            .client
            .get(app.url("/v1/code-lists/sectors"))
            .header("Accept-Language", lang)
            .send()
            .await
            .unwrap();
        assert_eq!(response.headers()["content-language"], lang);
        assert!(
            response.headers()["cache-control"]
                .to_str()
                .unwrap()
                .contains("max-age")
        );
        let list: Value = response.json().await.unwrap();
        assert_eq!(label_of(&list, "central_government"), label, "{lang}");
    }
    let purposes: Value = app
        .get("/v1/code-lists/purposes")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(purposes["codes"].as_array().unwrap().len(), 14);
    let statutory = purposes["codes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code"] == "statutory_public")
        .unwrap();
    assert_eq!(statutory["attributes"]["description_required"], "true");
    let grounds: Value = app
        .get("/v1/code-lists/legal-grounds")
        .await
        .json()
        .await
        .unwrap();
    let journal = grounds["codes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code"] == "patient_journal")
        .unwrap();
    assert_eq!(journal["attributes"]["law"], "helseregisterloven");

    let first = app.get("/v1/code-lists/eea").await;
    let etag = first.headers()["etag"].to_str().unwrap().to_owned();
    let again = app
        .client
        .get(app.url("/v1/code-lists/eea"))
        .header("If-None-Match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
    problem(app.get("/v1/code-lists/colours").await, 404).await;
}
