//! What the benchmarks share: scenarios run from concurrent tasks for a
//! bounded time and count, their throughput and latency percentiles, and
//! the rule that a benchmark only ever targets this machine.

use std::time::{Duration, Instant};

/// How many requests one scenario sends at most, whatever its time.
pub const MAX_REQUESTS: usize = 200_000;

pub struct Outcome {
    pub name: &'static str,
    pub latencies: Vec<Duration>,
    pub errors: usize,
    pub elapsed: Duration,
}

impl Outcome {
    pub fn print(&self) {
        let mut l = self.latencies.clone();
        l.sort();
        let pct = |p: f64| {
            l.get(((l.len() as f64 * p) as usize).min(l.len().saturating_sub(1)))
                .copied()
                .unwrap_or_default()
        };
        println!(
            "{:<34} {:>8.0} req/s  p50 {:>7.2} ms  p99 {:>7.2} ms  max {:>7.2} ms  errors {}",
            self.name,
            l.len() as f64 / self.elapsed.as_secs_f64(),
            pct(0.50).as_secs_f64() * 1e3,
            pct(0.99).as_secs_f64() * 1e3,
            l.last().copied().unwrap_or_default().as_secs_f64() * 1e3,
            self.errors,
        );
    }
}

pub async fn run<F, Fut>(name: &'static str, concurrency: usize, seconds: u64, make: F) -> Outcome
where
    F: Fn() -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = bool> + Send,
{
    run_at_most(name, concurrency, seconds, MAX_REQUESTS, make).await
}

/// [`run`], with at most `requests` requests in all.
pub async fn run_at_most<F, Fut>(
    name: &'static str,
    concurrency: usize,
    seconds: u64,
    requests: usize,
    make: F,
) -> Outcome
where
    F: Fn() -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = bool> + Send,
{
    let started = Instant::now();
    let deadline = started + Duration::from_secs(seconds);
    let per_task = requests / concurrency;
    let tasks: Vec<_> = (0..concurrency)
        .map(|_| {
            let make = make.clone();
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                let mut errors = 0;
                while Instant::now() < deadline && latencies.len() + errors < per_task {
                    let t = Instant::now();
                    if make().await {
                        latencies.push(t.elapsed());
                    } else {
                        errors += 1;
                    }
                }
                (latencies, errors)
            })
        })
        .collect();
    let mut outcome = Outcome {
        name,
        latencies: Vec::new(),
        errors: 0,
        elapsed: Duration::ZERO,
    };
    for task in tasks {
        let (l, e) = task.await.unwrap();
        outcome.latencies.extend(l);
        outcome.errors += e;
    }
    outcome.elapsed = started.elapsed();
    outcome
}

/// The base URL of the first argument, refused unless it is this machine.
pub fn loopback_base(arg: Option<String>) -> String {
    let base = arg.unwrap_or_else(|| "http://127.0.0.1:8080".into());
    let host = base
        .trim_start_matches("http://")
        .split([':', '/'])
        .next()
        .unwrap_or_default();
    assert!(
        host == "127.0.0.1" || host == "localhost" || host == "[::1]",
        "load tests target this machine only, not {host}"
    );
    base
}

/// The resident memory of a process, in KiB.
#[allow(dead_code, reason = "the load benchmark does not watch memory")]
pub fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

/// The TOTP code of a base32 secret now, where there is a secret.
#[allow(
    dead_code,
    reason = "only the back office benchmark signs in with a second factor"
)]
pub fn totp_now(secret: Option<&str>) -> Option<String> {
    let secret = secret.filter(|s| !s.is_empty())?;
    let secret = meldeplikt::auth::totp::TotpSecret::from_base32(secret)
        .expect("the secret create-regulator printed");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970")
        .as_secs();
    Some(secret.code_at(now))
}

/// Downloads `request` whole, watching the resident memory of the
/// process `pid` while it streams; prints the time, size, lines and how far
/// the memory grew above where it started.
#[allow(dead_code, reason = "the load benchmark downloads nothing")]
pub async fn download(name: &str, request: reqwest::RequestBuilder, pid: Option<u32>) {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
    let before = pid.and_then(rss_kib);
    let peak = Arc::new(AtomicU64::new(before.unwrap_or(0)));
    let done = Arc::new(AtomicBool::new(false));
    let watcher = pid.map(|pid| {
        let (peak, done) = (peak.clone(), done.clone());
        tokio::spawn(async move {
            while !done.load(Ordering::Relaxed) {
                if let Some(kib) = rss_kib(pid) {
                    peak.fetch_max(kib, Ordering::Relaxed);
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        })
    });
    let started = Instant::now();
    let mut response = request.send().await.expect("the download answers");
    assert!(response.status().is_success(), "{}", response.status());
    let (mut bytes, mut lines) = (0usize, 0usize);
    while let Some(chunk) = response.chunk().await.expect("the download streams") {
        bytes += chunk.len();
        lines += chunk.iter().filter(|b| **b == b'\n').count();
    }
    let elapsed = started.elapsed();
    done.store(true, Ordering::Relaxed);
    if let Some(w) = watcher {
        w.await.unwrap();
    }
    let memory = match before {
        Some(b) => format!(
            "{:.1} MB at start, grew {:.1} MB",
            b as f64 / 1024.0,
            peak.load(Ordering::Relaxed).saturating_sub(b) as f64 / 1024.0
        ),
        None => "not watched (no pid given)".to_owned(),
    };
    println!(
        "{name:<44} {:>7.2} s  {:>6.1} MB  {lines} lines  memory {memory}",
        elapsed.as_secs_f64(),
        bytes as f64 / 1e6,
    );
}
