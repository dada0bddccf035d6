//! The document is the wire. Every response any test receives goes through
//! [`Client`], which checks it against what the OpenAPI document declares
//! for its operation and status: an undeclared status or media type fails
//! the test, and a JSON body must match its schema (JSON Schema 2020-12).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use reqwest::Method;
use serde_json::{Value, json};

/// The generated document and the validators made from it so far.
struct Contract {
    doc: Value,
    validators: Mutex<HashMap<String, Arc<jsonschema::Validator>>>,
}

fn contract() -> &'static Contract {
    static CONTRACT: OnceLock<Contract> = OnceLock::new();
    CONTRACT.get_or_init(|| Contract {
        doc: serde_json::from_str(&meldeplikt::openapi::document_json()).expect("the document"),
        validators: Mutex::new(HashMap::new()),
    })
}

impl Contract {
    /// A validator for the schema at `pointer` in the document, with the
    /// document's components beside it so that its references resolve.
    fn validator(&self, pointer: &str) -> Arc<jsonschema::Validator> {
        let mut cache = self.validators.lock().expect("not poisoned");
        if let Some(v) = cache.get(pointer) {
            return v.clone();
        }
        let schema = self.doc.pointer(pointer).expect("a schema").clone();
        let root = json!({
            "allOf": [schema],
            "components": self.doc["components"].clone(),
        });
        let validator = jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .should_validate_formats(true)
            .build(&root)
            .unwrap_or_else(|e| panic!("the schema at {pointer} does not compile: {e}"));
        let validator = Arc::new(validator);
        cache.insert(pointer.to_owned(), validator.clone());
        validator
    }

    /// The document's path template for `path` that has `method`, the most
    /// literal one when several match; or any template that matches.
    fn operation(&self, method: &str, path: &str) -> (Option<String>, bool) {
        let parts: Vec<&str> = path.split('/').collect();
        let mut best: Option<(usize, String, bool)> = None;
        for (template, item) in self.doc["paths"].as_object().expect("paths") {
            let segments: Vec<&str> = template.split('/').collect();
            if segments.len() != parts.len() {
                continue;
            }
            let mut literal = 0;
            let matches = segments.iter().zip(&parts).all(|(s, p)| {
                if s.starts_with('{') && s.ends_with('}') {
                    !p.is_empty()
                } else {
                    literal += 1;
                    s == p
                }
            });
            if !matches {
                continue;
            }
            let has_method = item.get(method).is_some();
            let better = match &best {
                None => true,
                // The most literal path is the route, as in the service.
                Some((l, _, m)) => (literal, has_method) > (*l, *m),
            };
            if better {
                best = Some((literal, template.clone(), has_method));
            }
        }
        match best {
            Some((_, template, has_method)) => (Some(template), has_method),
            None => (None, false),
        }
    }
}

fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// Checks one response against the document.
pub fn check(
    method: &Method,
    path: &str,
    status: u16,
    headers: &reqwest::header::HeaderMap,
    body: &[u8],
) {
    let content_type = headers
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    if method == Method::OPTIONS {
        // A CORS preflight: answered by the protocol, not by an operation.
        assert!(body.is_empty(), "a preflight has no body");
        return;
    }
    let c = contract();
    let m = method.as_str().to_ascii_lowercase();
    let (template, has_method) = c.operation(&m, path);
    let problem_schema = "/components/schemas/Problem";
    let media = content_type
        .map(|t| {
            t.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
        .unwrap_or_default();
    let Some(template) = template else {
        // Outside the API (the Swagger UI, say): only the fallback's
        // problems are the contract's business.
        if matches!(status, 404 | 405) && media.contains("json") {
            validate(c, problem_schema, body, method, path, status);
        }
        return;
    };
    if !has_method {
        assert!(
            matches!(status, 404 | 405),
            "{method} {path}: no such operation, yet it answered {status}"
        );
        validate(c, problem_schema, body, method, path, status);
        return;
    }
    let responses = format!("/paths/{}/{m}/responses", escape(&template));
    let declared = [status.to_string(), "default".to_owned()]
        .into_iter()
        .map(|s| format!("{responses}/{s}"))
        .find(|p| c.doc.pointer(p).is_some())
        .unwrap_or_else(|| {
            panic!("{method} {template} answered {status}, which the document does not declare")
        });
    if let Some(declared_headers) = c
        .doc
        .pointer(&format!("{declared}/headers"))
        .and_then(Value::as_object)
    {
        for (name, declared) in declared_headers {
            if declared["required"] != true {
                continue;
            }
            assert!(
                headers.contains_key(name.as_str()),
                "{method} {template} {status} does not send the header {name} the document declares"
            );
        }
    }
    let content = c.doc.pointer(&format!("{declared}/content"));
    if body.is_empty() {
        return;
    }
    let Some(content) = content.and_then(Value::as_object) else {
        panic!("{method} {template} {status} sent a body ({media}) the document does not declare");
    };
    let declared_media = content
        .keys()
        .find(|k| k.split(';').next().unwrap_or("").trim() == media)
        .unwrap_or_else(|| {
            panic!(
                "{method} {template} {status} sent {media:?}; the document declares {:?}",
                content.keys().collect::<Vec<_>>()
            )
        });
    if content[declared_media].get("schema").is_none() {
        return;
    }
    let pointer = format!("{declared}/content/{}/schema", escape(declared_media));
    if media == "application/x-ndjson" {
        // A stream of JSON texts, one a line: each is what the schema says.
        for line in body.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
            validate(c, &pointer, line, method, path, status);
        }
    } else if media.contains("json") {
        validate(c, &pointer, body, method, path, status);
    }
}

/// The document, as served.
pub fn document() -> &'static Value {
    &contract().doc
}

/// What is wrong with `instance` by the schema at `pointer` in the document.
pub fn schema_errors(pointer: &str, instance: &Value) -> Vec<String> {
    contract()
        .validator(pointer)
        .iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

fn validate(c: &Contract, pointer: &str, body: &[u8], method: &Method, path: &str, status: u16) {
    if method == Method::HEAD && body.is_empty() {
        return;
    }
    let instance: Value = serde_json::from_slice(body)
        .unwrap_or_else(|e| panic!("{method} {path} {status}: the body is not JSON ({e})"));
    let validator = c.validator(pointer);
    let errors: Vec<String> = validator
        .iter_errors(&instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{method} {path} {status} does not match its schema ({pointer}):\n{}\nbody: {instance:#}",
        errors.join("\n")
    );
}

/// A client whose every response is checked against the document.
#[derive(Clone)]
pub struct Client {
    inner: reqwest::Client,
}

impl Client {
    pub fn new() -> Self {
        Self {
            inner: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
        }
    }

    pub fn request(&self, method: Method, url: impl AsRef<str>) -> Request {
        let url = url.as_ref().to_owned();
        Request {
            builder: self.inner.request(method.clone(), &url),
            method,
            url,
            sent: None,
        }
    }

    pub fn get(&self, url: impl AsRef<str>) -> Request {
        self.request(Method::GET, url)
    }

    pub fn post(&self, url: impl AsRef<str>) -> Request {
        self.request(Method::POST, url)
    }

    pub fn put(&self, url: impl AsRef<str>) -> Request {
        self.request(Method::PUT, url)
    }

    pub fn patch(&self, url: impl AsRef<str>) -> Request {
        self.request(Method::PATCH, url)
    }

    pub fn delete(&self, url: impl AsRef<str>) -> Request {
        self.request(Method::DELETE, url)
    }
}

/// A request on its way; [`Request::send`] checks the answer.
pub struct Request {
    builder: reqwest::RequestBuilder,
    method: Method,
    url: String,
    /// The JSON body sent, kept for `MELDEPLIKT_CAPTURE_EXAMPLES`.
    sent: Option<Value>,
}

impl Request {
    fn map(self, f: impl FnOnce(reqwest::RequestBuilder) -> reqwest::RequestBuilder) -> Self {
        Self {
            builder: f(self.builder),
            ..self
        }
    }

    pub fn header(self, name: &str, value: impl AsRef<str>) -> Self {
        let value = value.as_ref().to_owned();
        self.map(|b| b.header(name, value))
    }

    pub fn bearer_auth(self, token: impl std::fmt::Display) -> Self {
        self.map(|b| b.bearer_auth(token))
    }

    pub fn json(self, body: &impl serde::Serialize) -> Self {
        let sent = serde_json::to_value(body).ok();
        Self {
            sent,
            ..self.map(|b| b.json(body))
        }
    }

    pub fn form(self, body: &impl serde::Serialize) -> Self {
        self.map(|b| b.form(body))
    }

    pub fn body(self, body: impl Into<reqwest::Body>) -> Self {
        self.map(|b| b.body(body))
    }

    /// Sends the request, checks the answer against the document, and gives
    /// it back whole.
    pub async fn send(self) -> reqwest::Result<reqwest::Response> {
        let response = self.builder.send().await?;
        let status = response.status();
        let version = response.version();
        let headers = response.headers().clone();
        let bytes = response.bytes().await?;
        let path = self
            .url
            .split_once("://")
            .map(|(_, rest)| rest.find('/').map_or("/", |i| &rest[i..]))
            .unwrap_or(&self.url);
        let path = path.split(['?', '#']).next().unwrap_or(path);
        check(&self.method, path, status.as_u16(), &headers, &bytes);
        if let Ok(dir) = std::env::var("MELDEPLIKT_CAPTURE_EXAMPLES") {
            capture(
                &dir,
                &self.method,
                path,
                status.as_u16(),
                self.sent.as_ref(),
                &bytes,
            );
        }
        let mut rebuilt = http::Response::new(bytes);
        *rebuilt.status_mut() = status;
        *rebuilt.version_mut() = version;
        *rebuilt.headers_mut() = headers;
        Ok(reqwest::Response::from(rebuilt))
    }
}

/// Keeps the first request and answer of each operation that succeeded, as
/// candidates for the document's examples (`openapi/examples/`).
fn capture(dir: &str, method: &Method, path: &str, status: u16, sent: Option<&Value>, body: &[u8]) {
    if !(200..300).contains(&status) {
        return;
    }
    let c = contract();
    let m = method.as_str().to_ascii_lowercase();
    let (Some(template), true) = c.operation(&m, path) else {
        return;
    };
    let Some(id) = c.doc["paths"][&template][&m]["operationId"].as_str() else {
        return;
    };
    let write = |name: String, value: &Value| {
        let file = std::path::Path::new(dir).join(name);
        if !file.exists() {
            let _ = std::fs::create_dir_all(dir);
            let _ = std::fs::write(
                file,
                format!("{}\n", serde_json::to_string_pretty(value).unwrap()),
            );
        }
    };
    if let Some(sent) = sent {
        write(format!("{id}.request.json"), sent);
    }
    if let Ok(answer) = serde_json::from_slice::<Value>(body) {
        write(format!("{id}.{status}.json"), &answer);
    }
}

#[test]
fn the_check_refuses_an_undeclared_status_a_body_off_its_schema_and_a_missing_header() {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("content-type", "application/problem+json".parse().unwrap());
    headers.insert("x-request-id", "r1".parse().unwrap());
    let problem = br#"{"type":"about:blank","title":"x","status":404}"#;
    let path = "/v1/notifications/2026-000001";
    check(&Method::GET, path, 404, &headers, problem);
    let undeclared = std::panic::catch_unwind(|| check(&Method::GET, path, 418, &headers, problem));
    assert!(undeclared.is_err(), "418 is not declared");
    let off_schema =
        std::panic::catch_unwind(|| check(&Method::GET, path, 404, &headers, br#"{"title": 1}"#));
    assert!(off_schema.is_err(), "a problem without its fields");
    let mut without_id = headers.clone();
    without_id.remove("x-request-id");
    let missing_header =
        std::panic::catch_unwind(|| check(&Method::GET, path, 404, &without_id, problem));
    assert!(missing_header.is_err(), "X-Request-Id is declared");
}
