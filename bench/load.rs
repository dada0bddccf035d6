//! A bounded load test against a running meldeplikt on this machine.
//!
//!     cargo run --release -- serve &            # or any running instance
//!     cargo run --release --example load -- http://127.0.0.1:8080
//!
//! It registers an organisation, then for each scenario sends requests from
//! `CONCURRENCY` tasks for `SECONDS` seconds (or `MAX_REQUESTS` in all) and
//! prints throughput and latency percentiles. Only loopback URLs are
//! accepted: a load test never leaves the machine.

use serde_json::{Value, json};

#[path = "harness.rs"]
mod harness;

use harness::{loopback_base, run};

const CONCURRENCY: usize = 16;
const SECONDS: u64 = 5;

fn orgnr() -> String {
    loop {
        let mut random = [0u8; 8];
        getrandom::fill(&mut random).unwrap();
        let digits: Vec<u8> = random.iter().map(|b| b % 10).collect();
        if let Some(check) = meldeplikt::domain::identifiers::OrgNumber::check_digit(&digits) {
            return digits
                .iter()
                .chain([check].iter())
                .map(|d| char::from(b'0' + d))
                .collect();
        }
    }
}

#[tokio::main]
async fn main() {
    let base = loopback_base(std::env::args().nth(1));
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(CONCURRENCY)
        .build()
        .unwrap();
    let email = format!("bench-{}@example.no", uuid::Uuid::new_v4().simple());
    let password = "correct horse battery staple";
    let registration = json!({
        "name": "Benk AS",
        "identifier": {"scheme": "no_orgnr", "value": orgnr()},
        "address": {"street": "Gate 1", "postal_code": "0150", "town": "Oslo", "country": "NO"},
        "admin": {"email": email, "password": password}
    });
    let status = client
        .post(format!("{base}/v1/organisations"))
        .json(&registration)
        .send()
        .await
        .expect("the service answers")
        .status();
    assert_eq!(status, 201, "registration");
    let tokens: Value = client
        .post(format!("{base}/v1/auth/token"))
        .json(&json!({"grant_type": "password", "username": email, "password": password}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = tokens["access_token"].as_str().unwrap().to_owned();
    let start = (chrono::Utc::now().date_naive() + chrono::Days::new(60)).to_string();
    let notification = json!({
        "law": "personopplysningsloven", "legal_ground": "notification_duty",
        "registration_kind": "first_registration", "start_date": start,
        "sensitive_categories": [], "manual_register_only": false,
        "controller": {"name": "Benk AS", "identifier": {"scheme": "no_orgnr", "value": "974761467"},
            "address": {"street": "Gate 1", "postal_code": "0150", "town": "Oslo", "country": "NO"},
            "phone": "+47 22 00 00 00", "responsible_title": "Daglig leder"},
        "processors": [], "sector": "private", "purpose": "client_administration",
        "transfers_abroad": [], "confirmation_email": "bench@example.no"
    });
    let created: Value = client
        .post(format!("{base}/v1/notifications"))
        .bearer_auth(&token)
        .json(&notification)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let number = created["number"].as_str().unwrap().to_owned();

    println!("meldeplikt at {base}: {CONCURRENCY} concurrent clients, {SECONDS} s per scenario\n");
    let get = |url: String, token: Option<String>| {
        let client = client.clone();
        move || {
            let client = client.clone();
            let url = url.clone();
            let token = token.clone();
            async move {
                let mut request = client.get(&url);
                if let Some(t) = &token {
                    request = request.bearer_auth(t);
                }
                matches!(request.send().await, Ok(r) if r.status().is_success())
            }
        }
    };
    run(
        "GET /health/live",
        CONCURRENCY,
        SECONDS,
        get(format!("{base}/health/live"), None),
    )
    .await
    .print();
    run(
        "GET /v1/code-lists/purposes",
        CONCURRENCY,
        SECONDS,
        get(format!("{base}/v1/code-lists/purposes"), None),
    )
    .await
    .print();
    run(
        "GET /v1/notifications/{number}",
        CONCURRENCY,
        SECONDS,
        get(
            format!("{base}/v1/notifications/{number}"),
            Some(token.clone()),
        ),
    )
    .await
    .print();
    run(
        "GET /v1/notifications?limit=20",
        CONCURRENCY,
        SECONDS,
        get(
            format!("{base}/v1/notifications?limit=20"),
            Some(token.clone()),
        ),
    )
    .await
    .print();
    let validate = {
        let client = client.clone();
        let url = format!("{base}/v1/notifications/validate");
        let token = token.clone();
        move || {
            let (client, url, token, body) = (
                client.clone(),
                url.clone(),
                token.clone(),
                notification.clone(),
            );
            async move {
                matches!(client.post(&url).bearer_auth(&token).json(&body).send().await, Ok(r) if r.status().is_success())
            }
        }
    };
    run(
        "POST /v1/notifications/validate",
        CONCURRENCY,
        SECONDS,
        validate,
    )
    .await
    .print();

    // Sign-ins flood the hashing slots while /health/live is measured.
    let login = {
        let client = client.clone();
        let url = format!("{base}/v1/auth/token");
        let body = json!({"grant_type": "password", "username": email, "password": password});
        move || {
            let (client, url, body) = (client.clone(), url.clone(), body.clone());
            async move {
                matches!(client.post(&url).json(&body).send().await, Ok(r) if r.status().is_success())
            }
        }
    };
    let flood = tokio::spawn(run(
        "POST /v1/auth/token (flood)",
        CONCURRENCY,
        SECONDS,
        login,
    ));
    let during = run(
        "GET /health/live during the flood",
        4,
        SECONDS,
        get(format!("{base}/health/live"), None),
    )
    .await;
    let flood = flood.await.unwrap();
    flood.print();
    println!(
        "{:<34} (non-2xx above are 503s: hashing at capacity, answered at once)",
        ""
    );
    during.print();
}
