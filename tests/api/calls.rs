//! The API as typed calls on the test app, so that tests read like the API:
//! `app.submit(..)`, `app.notification(..)`, `app.confirm_json(..)`.

use serde_json::{Value, json};

use crate::fixtures::example;
use crate::helpers::{Mail, TestApp};

impl TestApp {
    /// GET with a token; asserts 200 and returns the JSON body.
    pub async fn get_json(&self, path: &str, token: &str) -> Value {
        let response = self.get_with(path, token).await;
        assert_eq!(response.status(), 200, "GET {path}");
        response.json().await.expect("a JSON body")
    }

    /// `POST /v1/notifications`.
    pub async fn submit(&self, token: &str, body: &Value) -> reqwest::Response {
        self.post_with("/v1/notifications", token, body).await
    }

    /// Submits the example; its number.
    pub async fn submitted(&self, token: &str) -> String {
        let response = self.submit(token, &example()).await;
        assert_eq!(response.status(), 201);
        let body: Value = response.json().await.expect("a JSON body");
        body["number"].as_str().expect("a number").to_owned()
    }

    /// `GET /v1/notifications/{number}`.
    pub async fn notification(&self, token: &str, number: &str) -> Value {
        self.get_json(&format!("/v1/notifications/{number}"), token)
            .await
    }

    /// `GET /v1/notifications?...`.
    pub async fn notifications(&self, token: &str, query: &str) -> Value {
        self.get_json(&format!("/v1/notifications{query}"), token)
            .await
    }

    /// `GET /v1/notifications/{number}/versions`.
    pub async fn versions(&self, token: &str, number: &str) -> Value {
        self.get_json(&format!("/v1/notifications/{number}/versions"), token)
            .await
    }

    /// `GET /v1/notifications/{number}/versions/{version}`.
    pub async fn version(&self, token: &str, number: &str, version: u32) -> Value {
        self.get_json(
            &format!("/v1/notifications/{number}/versions/{version}"),
            token,
        )
        .await
    }

    /// `GET /v1/notifications/{number}/receipts`.
    pub async fn receipts(&self, token: &str, number: &str) -> Value {
        self.get_json(&format!("/v1/notifications/{number}/receipts"), token)
            .await
    }

    /// Runs the worker and returns the newest mail whose subject holds `about`.
    pub async fn newest_mail(&self, about: &str) -> Mail {
        self.work().await;
        self.mails()
            .into_iter()
            .rev()
            .find(|m| m.subject.contains(about))
            .unwrap_or_else(|| {
                panic!(
                    "no mail about {about:?}: {:?}",
                    self.mails().iter().map(|m| &m.subject).collect::<Vec<_>>()
                )
            })
    }

    /// `POST /v1/confirmations/{token}`.
    pub async fn confirm_json(&self, link_token: &str) -> reqwest::Response {
        self.client
            .post(self.url(&format!("/v1/confirmations/{link_token}")))
            .send()
            .await
            .expect("request")
    }

    /// Confirms the newest confirmation mail about `number` over the JSON
    /// API; asserts 200 and returns the body (receipt, and key on a first
    /// registration).
    pub async fn confirm_latest_mail(&self, number: &str) -> Value {
        let mail = self.newest_mail(number).await;
        let response = self.confirm_json(&mail.token()).await;
        assert_eq!(response.status(), 200, "confirming {number}");
        response.json().await.expect("a JSON body")
    }

    /// Confirms through the page: GET for the form and its cookie, POST it back.
    pub async fn confirm_page(&self, link_token: &str) -> (u16, String) {
        let page = self.get(&format!("/confirm/{link_token}")).await;
        assert_eq!(page.status(), 200);
        let cookie = page.headers()["set-cookie"]
            .to_str()
            .expect("ASCII")
            .to_owned();
        assert!(
            cookie.contains("SameSite=Strict") && cookie.contains("HttpOnly"),
            "{cookie}"
        );
        let cookie_pair = cookie.split(';').next().expect("a pair").to_owned();
        let html = page.text().await.expect("a page");
        let csrf = html
            .split("name=\"csrf\" value=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .expect("a csrf field")
            .to_owned();
        let response = self
            .client
            .post(self.url(&format!("/confirm/{link_token}")))
            .header("Cookie", cookie_pair)
            .form(&[("csrf", csrf)])
            .send()
            .await
            .expect("request");
        let status = response.status().as_u16();
        (status, response.text().await.expect("a page"))
    }

    /// `POST /v1/receipts/verify`.
    pub async fn verify(&self, jws: &str) -> Value {
        self.post_json("/v1/receipts/verify", &json!({ "jws": jws }))
            .await
            .json()
            .await
            .expect("a JSON body")
    }
}
