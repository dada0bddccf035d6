//! The service's side of a phase: `CLIENTS` kept-alive connections, each
//! sending one request after another until the time is up, every answer
//! checked; latencies kept for the percentiles.

use std::time::{Duration, Instant};

use crate::wire::{Connection, Request};

/// What one phase measured.
pub struct Phase {
    pub latencies: Vec<Duration>,
    pub elapsed: Duration,
    /// Answers other than the one expected, with the first of them.
    pub errors: usize,
    pub first_error: Option<String>,
    /// Answers with an accepted but other status (e.g. 503 at capacity).
    pub refused: usize,
    /// CPU seconds of the service and of the whole machine in the phase.
    pub service_cpu: f64,
    pub machine_cpu: f64,
}

impl Phase {
    fn empty() -> Self {
        Self {
            latencies: Vec::new(),
            elapsed: Duration::ZERO,
            errors: 0,
            first_error: None,
            refused: 0,
            service_cpu: 0.0,
            machine_cpu: 0.0,
        }
    }

    pub fn per_second(&self) -> f64 {
        self.latencies.len() as f64 / self.elapsed.as_secs_f64()
    }

    /// Microseconds of CPU per answer: the service's, and the machine's.
    pub fn cpu_per_answer_us(&self) -> (f64, f64) {
        let n = self.latencies.len().max(1) as f64;
        (self.service_cpu / n * 1e6, self.machine_cpu / n * 1e6)
    }

    /// The `p`-th percentile in milliseconds.
    pub fn percentile_ms(&self, p: f64) -> f64 {
        let mut sorted = self.latencies.clone();
        sorted.sort();
        let at = ((sorted.len() as f64 * p) as usize).min(sorted.len().saturating_sub(1));
        sorted.get(at).map_or(0.0, |d| d.as_secs_f64() * 1e3)
    }
}

/// Sends from `clients` connections for `seconds`: each request is
/// `pick(random)`, answered `expect` (anything in `accept` counts as
/// refused, anything else as an error).
pub async fn drive(
    service: u32,
    address: &str,
    clients: usize,
    duration: Duration,
    expect: u16,
    accept: &[u16],
    pick: impl Fn(u64) -> Request + Clone + Send + 'static,
) -> Phase {
    let started = Instant::now();
    let (service_before, machine_before) = (
        crate::service::cpu_seconds(service),
        crate::service::machine_busy_seconds(),
    );
    let deadline = started + duration;
    let tasks: Vec<_> = (0..clients)
        .map(|client| {
            let (address, pick, accept) = (address.to_owned(), pick.clone(), accept.to_vec());
            tokio::spawn(async move {
                let mut phase = Phase::empty();
                let mut seed = 0x9E37_79B9_7F4A_7C15_u64 ^ (client as u64 + 1);
                let mut connection = Connection::open(&address).await.expect("connects");
                while Instant::now() < deadline {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    let request = pick(seed);
                    let sent = Instant::now();
                    match connection.send(&request).await {
                        Ok(answer) if answer.status == expect => {
                            phase.latencies.push(sent.elapsed())
                        }
                        Ok(answer) if accept.contains(&answer.status) => phase.refused += 1,
                        Ok(answer) => {
                            phase.errors += 1;
                            phase.first_error.get_or_insert_with(|| {
                                format!(
                                    "{}: {}",
                                    answer.status,
                                    String::from_utf8_lossy(&answer.body)
                                )
                            });
                        }
                        Err(err) => {
                            phase.errors += 1;
                            phase.first_error.get_or_insert_with(|| err.to_string());
                            connection = Connection::open(&address).await.expect("connects");
                        }
                    }
                }
                phase
            })
        })
        .collect();
    let mut all = Phase::empty();
    for task in tasks {
        let phase = task.await.expect("a load task");
        all.latencies.extend(phase.latencies);
        all.errors += phase.errors;
        all.refused += phase.refused;
        all.first_error = all.first_error.or(phase.first_error);
    }
    all.elapsed = started.elapsed();
    all.service_cpu = crate::service::cpu_seconds(service) - service_before;
    all.machine_cpu = crate::service::machine_busy_seconds() - machine_before;
    all
}
