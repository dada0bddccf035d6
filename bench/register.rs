//! The public register under load: search by word, by filter, by
//! identifier and by number from 16 concurrent clients, then the whole
//! export while the service's memory is watched. Run by
//! `bench/register.sh`, which seeds 100,000 entries first:
//!
//!     cargo run --release --example register -- http://127.0.0.1:8080 [service pid]
//!
//! Only loopback URLs are accepted.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

#[path = "harness.rs"]
mod harness;

use harness::{download, loopback_base, run, run_at_most};

const CONCURRENCY: usize = 16;
const SECONDS: u64 = 10;
/// The entries `bench/seed_register.sql` makes.
const ENTRIES: u64 = 100_000;

/// Words people search for: places and trades of the seeded names, some
/// inflected (the search stems them), some cut short as one types.
const WORDS: &[&str] = &[
    "bergen",
    "barnehagen",
    "tannlege",
    "regnskap",
    "trondheim",
    "eiendom",
    "sparebanken",
    "legekontoret",
    "tromsø",
    "bygg",
    "frisør",
    "hotell",
    "fysioterapi",
    "ålesund",
    "drammen",
    "bakeri",
    "apotek",
    "advokatfirma",
    "kommune",
    "stiftelsen",
    "visma",
    "bergen barneh",
    "oslo regn",
    "sikkerhet",
    "treningssenteret",
    "hamar",
    "veterinær",
    "psykolog",
    "borettslag",
    "kristiansand bil",
];

/// Places and trades of the seeded names, for searches asked once each.
const PLACES: &[&str] = &[
    "oslo",
    "bergen",
    "trondheim",
    "stavanger",
    "tromsø",
    "bodø",
    "ålesund",
    "drammen",
    "fredrikstad",
    "kristiansand",
    "sandnes",
    "skien",
    "haugesund",
    "tønsberg",
    "moss",
    "arendal",
    "hamar",
    "lillehammer",
    "gjøvik",
    "molde",
    "harstad",
    "alta",
    "narvik",
    "kongsberg",
    "halden",
    "larvik",
    "steinkjer",
    "levanger",
    "førde",
    "voss",
    "stord",
    "egersund",
    "mandal",
    "grimstad",
    "elverum",
    "asker",
    "sandvika",
    "hønefoss",
    "fjordvik",
    "nordlys",
];
const TRADES: &[&str] = &[
    "barnehage",
    "tannlegesenter",
    "legekontor",
    "regnskap",
    "revisjon",
    "eiendom",
    "bygg",
    "rørlegger",
    "elektro",
    "transport",
    "bilverksted",
    "frisør",
    "treningssenter",
    "apotek",
    "advokatfirma",
    "forsikring",
    "inkasso",
    "sparebank",
    "hotell",
    "restaurant",
    "bakeri",
    "fiskeri",
    "skole",
    "fysioterapi",
    "veterinær",
    "optiker",
    "sikkerhet",
    "data",
    "konsult",
    "arkitekter",
];
/// Forms, and the start of a trade as one types it.
const ENDINGS: &[&str] = &[
    "",
    " as",
    " kommune",
    " sa",
    " stiftelse",
    " ans",
    " da",
    " iks",
];

const FILTERS: &[&str] = &[
    "sector=private&purpose=cctv",
    "law=helseregisterloven",
    "transfers_abroad=true&registered_from=2024-01-01",
    "purpose=research&sector=county_or_municipal",
    "legal_ground=notification_duty&registered_from=2022-01-01&registered_to=2022-12-31",
];

/// A cheap spread of indexes across the requests.
fn next(counter: &AtomicU64, modulo: u64) -> u64 {
    let n = counter.fetch_add(1, Ordering::Relaxed);
    n.wrapping_mul(2_654_435_761) % modulo
}

#[tokio::main]
async fn main() {
    let base = loopback_base(std::env::args().nth(1));
    let pid: Option<u32> = std::env::args().nth(2).and_then(|p| p.parse().ok());
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(CONCURRENCY)
        .build()
        .unwrap();
    println!(
        "the register at {base}: {CONCURRENCY} concurrent clients, {SECONDS} s per scenario\n"
    );

    let counter = Arc::new(AtomicU64::new(1));
    let get = |make_url: Arc<dyn Fn(u64) -> String + Send + Sync>, modulo: u64| {
        let (client, counter) = (client.clone(), counter.clone());
        move || {
            let (client, counter, make_url) = (client.clone(), counter.clone(), make_url.clone());
            async move {
                let url = make_url(next(&counter, modulo));
                match client.get(&url).send().await {
                    Ok(r) if r.status().is_success() => r.bytes().await.is_ok(),
                    _ => false,
                }
            }
        }
    };
    let b = base.clone();
    let by_word: Arc<dyn Fn(u64) -> String + Send + Sync> =
        Arc::new(move |i| format!("{b}/v1/register?q={}", WORDS[i as usize]));
    run(
        "GET /v1/register?q=<popular word>",
        CONCURRENCY,
        SECONDS,
        get(by_word, WORDS.len() as u64),
    )
    .await
    .print();
    // Each search asked once: place, trade and form from the lists, in an
    // order that does not repeat within the scenario's requests.
    let b = base.clone();
    let combinations = (PLACES.len() * TRADES.len() * ENDINGS.len()) as u64;
    let distinct: Arc<dyn Fn(u64) -> String + Send + Sync> = Arc::new(move |i| {
        let i = i as usize;
        let place = PLACES[i % PLACES.len()];
        let trade = TRADES[(i / PLACES.len()) % TRADES.len()];
        let ending = ENDINGS[(i / (PLACES.len() * TRADES.len())) % ENDINGS.len()];
        format!(
            "{b}/v1/register?q={place}%20{trade}{}",
            ending.replace(' ', "%20")
        )
    });
    let sequential = Arc::new(AtomicU64::new(0));
    let once = {
        let (client, sequential) = (client.clone(), sequential.clone());
        move || {
            let (client, sequential, distinct) =
                (client.clone(), sequential.clone(), distinct.clone());
            async move {
                let i = sequential.fetch_add(1, Ordering::Relaxed) % combinations;
                match client.get(distinct(i)).send().await {
                    Ok(r) if r.status().is_success() => r.bytes().await.is_ok(),
                    _ => false,
                }
            }
        }
    };
    // No more requests than searches: each reaches the database.
    run_at_most(
        "GET /v1/register?q=<words, once each>",
        CONCURRENCY,
        SECONDS,
        combinations as usize,
        once,
    )
    .await
    .print();
    println!(
        "{:<34} ({combinations} different searches, each asked once: none from the cache)",
        ""
    );
    let b = base.clone();
    let by_filter: Arc<dyn Fn(u64) -> String + Send + Sync> =
        Arc::new(move |i| format!("{b}/v1/register?{}", FILTERS[i as usize]));
    run(
        "GET /v1/register?<filters>",
        CONCURRENCY,
        SECONDS,
        get(by_filter, FILTERS.len() as u64),
    )
    .await
    .print();
    let b = base.clone();
    let by_identifier: Arc<dyn Fn(u64) -> String + Send + Sync> =
        Arc::new(move |i| format!("{b}/v1/register?identifier={}", 800_000_000 + (i + 1) * 7));
    run(
        "GET /v1/register?identifier=<orgnr>",
        CONCURRENCY,
        SECONDS,
        get(by_identifier, ENTRIES),
    )
    .await
    .print();
    let b = base.clone();
    let by_number: Arc<dyn Fn(u64) -> String + Send + Sync> = Arc::new(move |i| {
        let i = i + 1;
        format!("{b}/v1/register/{}-{i:06}", 2020 + i % 7)
    });
    run(
        "GET /v1/register/{number}",
        CONCURRENCY,
        SECONDS,
        get(by_number, ENTRIES),
    )
    .await
    .print();
    let b = base.clone();
    let browse: Arc<dyn Fn(u64) -> String + Send + Sync> =
        Arc::new(move |_| format!("{b}/v1/register?limit=20"));
    run(
        "GET /v1/register (newest first)",
        CONCURRENCY,
        SECONDS,
        get(browse, 1),
    )
    .await
    .print();
    println!();
    download(
        "GET /v1/register/export (csv)",
        client.get(format!("{base}/v1/register/export?format=csv")),
        pid,
    )
    .await;
    download(
        "GET /v1/register/export (ndjson)",
        client.get(format!("{base}/v1/register/export?format=ndjson")),
        pid,
    )
    .await;
}
