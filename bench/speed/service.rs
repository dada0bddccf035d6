//! The service as a child process of the benchmark: started on a free
//! loopback port against the private cluster, timed to ready, its resident
//! memory watched, stopped at the end.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

pub struct Service {
    child: Child,
    pub address: String,
    /// From the start of the process to the first 200 of `/health/ready`.
    pub startup: Duration,
}

impl Service {
    /// Starts `binary` with `env` and waits until it is ready.
    pub async fn start(
        binary: &Path,
        database_url: &str,
        data_dir: &Path,
        env: &[(&str, &str)],
    ) -> Self {
        let port = {
            let probe = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
            probe.local_addr().expect("its address").port()
        };
        let address = format!("127.0.0.1:{port}");
        let mut command = Command::new(binary);
        command
            .arg("serve")
            .env("DATABASE_URL", database_url)
            .env("MELDEPLIKT_DATA_DIR", data_dir)
            .env("MELDEPLIKT_LISTEN", &address)
            // One issuer for both starts: the tokens of the first stay good.
            .env("MELDEPLIKT_PUBLIC_URL", "http://127.0.0.1:8080")
            .env("MELDEPLIKT_REGISTRATIONS_PER_HOUR", "1000000")
            .env("MELDEPLIKT_ORGANISATION_MAIL_PER_HOUR", "1000000")
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit());
        for (key, value) in env {
            command.env(key, value);
        }
        let started = Instant::now();
        let mut child = command.spawn().expect("the service starts");
        loop {
            if ready(&address).await {
                break;
            }
            if let Ok(Some(status)) = child.try_wait() {
                panic!("the service stopped before it was ready: {status}");
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "the service was not ready within 30 s"
            );
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        Self {
            startup: started.elapsed(),
            child,
            address,
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Stops the service as an orchestrator would (SIGTERM), and waits.
    pub fn stop(mut self) {
        let pid = nix::unistd::Pid::from_raw(self.child.id() as i32);
        let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM);
        let _ = self.child.wait();
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}

async fn ready(address: &str) -> bool {
    let Ok(mut connection) = crate::wire::Connection::open(address).await else {
        return false;
    };
    let request = crate::wire::Request::new("GET", address, "/health/ready", None, None);
    matches!(connection.send(&request).await, Ok(answer) if answer.status == 200)
}

/// The highest resident memory of a process seen while it is watched.
pub struct Watch {
    peak_kib: Arc<AtomicU64>,
    done: Arc<AtomicBool>,
    task: tokio::task::JoinHandle<()>,
}

impl Watch {
    pub fn start(pid: u32) -> Self {
        let peak_kib = Arc::new(AtomicU64::new(0));
        let done = Arc::new(AtomicBool::new(false));
        let task = {
            let (peak_kib, done) = (peak_kib.clone(), done.clone());
            tokio::spawn(async move {
                while !done.load(Ordering::Relaxed) {
                    if let Some(kib) = crate::harness::rss_kib(pid) {
                        peak_kib.fetch_max(kib, Ordering::Relaxed);
                    }
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            })
        };
        Self {
            peak_kib,
            done,
            task,
        }
    }

    /// The peak in MiB.
    pub async fn stop(self) -> f64 {
        self.done.store(true, Ordering::Relaxed);
        let _ = self.task.await;
        self.peak_kib.load(Ordering::Relaxed) as f64 / 1024.0
    }
}

/// CPU seconds a process has used (user and system).
pub fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // The fields after the command's closing parenthesis; utime and stime
    // are the 12th and 13th of them, in clock ticks (100 per second).
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<f64> = rest
        .split_whitespace()
        .map(|f| f.parse().unwrap_or(0.0))
        .collect();
    (fields.get(11).copied().unwrap_or(0.0) + fields.get(12).copied().unwrap_or(0.0)) / 100.0
}

/// CPU seconds the whole machine has been busy (all but idle and iowait).
pub fn machine_busy_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/stat").unwrap_or_default();
    let fields: Vec<f64> = stat
        .lines()
        .next()
        .unwrap_or_default()
        .split_whitespace()
        .skip(1)
        .map(|f| f.parse().unwrap_or(0.0))
        .collect();
    let total: f64 = fields.iter().take(8).sum();
    let idle = fields.get(3).copied().unwrap_or(0.0) + fields.get(4).copied().unwrap_or(0.0);
    (total - idle) / 100.0
}
