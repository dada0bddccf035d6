//! The back office under load: the list with two filters from 16
//! concurrent clients, the statistics one at a time, and the whole export
//! while the service's memory is watched. Run by `bench/admin.sh`, which
//! seeds 100,000 notifications over 2,000 organisations first:
//!
//!     cargo run --release --example admin -- http://127.0.0.1:8080 <pid> <email> <password>
//!
//! Only loopback URLs are accepted.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use serde_json::{Value, json};

#[path = "harness.rs"]
mod harness;

use harness::{download, loopback_base, run};

const CONCURRENCY: usize = 16;
const SECONDS: u64 = 10;

/// Two filters each, as a case worker combines them.
const LISTS: &[&str] = &[
    "status=registered&sector=private",
    "law=personopplysningsloven&purpose=cctv",
    "case_status=new&submitted_from=2025-06-01",
    "status=awaiting_confirmation&sort=-submitted_at",
    "purpose=research&sort=expires_on",
    "sector=county_or_municipal&sort=-number",
    "status=registered&expires_before=2027-06-01",
    "q=tannlege&status=registered",
];

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let base = loopback_base(args.next());
    let pid: Option<u32> = args.next().and_then(|p| p.parse().ok());
    let email = args.next().expect("the regulator's e-mail");
    let password = args.next().expect("the regulator's password");
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(CONCURRENCY)
        .build()
        .unwrap();
    let mut sign_in = json!({"grant_type": "password", "username": email, "password": password});
    if let Some(code) = harness::totp_now(std::env::var("BENCH_TOTP_SECRET").ok().as_deref()) {
        sign_in["totp"] = json!(code);
    }
    let tokens: Value = client
        .post(format!("{base}/v1/auth/token"))
        .json(&sign_in)
        .send()
        .await
        .expect("the service answers")
        .json()
        .await
        .unwrap();
    let token = tokens["access_token"]
        .as_str()
        .unwrap_or_else(|| panic!("signed in: {tokens}"))
        .to_owned();
    println!(
        "the back office at {base}: {CONCURRENCY} concurrent clients, {SECONDS} s per scenario\n"
    );

    let counter = Arc::new(AtomicU64::new(0));
    let list = {
        let (client, counter, base, token) =
            (client.clone(), counter.clone(), base.clone(), token.clone());
        move || {
            let (client, counter, base, token) =
                (client.clone(), counter.clone(), base.clone(), token.clone());
            async move {
                let i = counter.fetch_add(1, Ordering::Relaxed) as usize % LISTS.len();
                let url = format!("{base}/v1/admin/notifications?{}&limit=20", LISTS[i]);
                match client.get(&url).bearer_auth(&token).send().await {
                    Ok(r) if r.status().is_success() => r.bytes().await.is_ok(),
                    _ => false,
                }
            }
        }
    };
    run(
        "GET /v1/admin/notifications?<2 filters>",
        CONCURRENCY,
        SECONDS,
        list,
    )
    .await
    .print();

    // The statistics, one at a time: the whole register, then filtered.
    for query in [
        "",
        "?status=registered",
        "?sector=private&submitted_from=2025-01-01",
    ] {
        let mut times = Vec::new();
        for _ in 0..10 {
            let t = Instant::now();
            let r = client
                .get(format!("{base}/v1/admin/statistics{query}"))
                .bearer_auth(&token)
                .send()
                .await
                .unwrap();
            assert!(r.status().is_success(), "{}", r.status());
            r.bytes().await.unwrap();
            times.push(t.elapsed());
        }
        times.sort();
        println!(
            "{:<44} median {:>7.1} ms  max {:>7.1} ms  (10 in a row)",
            format!("GET /v1/admin/statistics{query}"),
            times[5].as_secs_f64() * 1e3,
            times[9].as_secs_f64() * 1e3
        );
    }

    // The whole export, watching the service's memory.
    for format in ["csv", "ndjson"] {
        let request = client
            .get(format!("{base}/v1/admin/export?format={format}"))
            .bearer_auth(&token);
        let name = format!("GET /v1/admin/export ({format})");
        download(&name, request, pid).await;
    }
}
