//! Sends what the queue holds: claims due deliveries ([`super::queue`]),
//! posts each event to its endpoint with the Standard Webhooks headers, and
//! records what came of it. At most `concurrency` deliveries are in flight
//! in all and one per endpoint, each bounded by the timeout, so a slow or
//! dead endpoint holds one slot and delays no one else's deliveries.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use diesel_async::AsyncConnection;
use tokio::sync::watch;
use tokio::task::JoinSet;

use super::address::{self, GuardedResolver};
use super::queue::{self, Attempt, Claimed, Next};
use super::schedule::{self, Outcome};
use super::secret::{WebhookSecret, signature_header};
use super::store;
use crate::auth::sealing::SealingKey;
use crate::clock::Clock;
use crate::config::WebhookSettings;
use crate::db::Pool;
use crate::events::cloud::MEDIA_TYPE;
use crate::events::wake::Wake;
use crate::telemetry::Metrics;

/// Bytes of an answer kept in the delivery log.
pub const EXCERPT_BYTES: usize = 1024;
/// Characters of an error kept in the delivery log.
const ERROR_CHARS: usize = 500;
/// What a lease adds to the timeout, for recording the outcome.
const LEASE_MARGIN: Duration = Duration::from_secs(30);

/// What a round of deliveries did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Delivered {
    pub succeeded: usize,
    pub failed_attempts: usize,
}

/// The sender of webhooks.
#[derive(Clone)]
pub struct Deliverer {
    pool: Pool,
    client: reqwest::Client,
    settings: Arc<WebhookSettings>,
    key: SealingKey,
    clock: Clock,
    metrics: Option<Arc<Metrics>>,
}

impl Deliverer {
    pub fn new(
        pool: Pool,
        settings: Arc<WebhookSettings>,
        key: SealingKey,
        clock: Clock,
        metrics: Option<Arc<Metrics>>,
    ) -> anyhow::Result<Self> {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .dns_resolver(Arc::new(GuardedResolver {
                allow_private: settings.allow_private,
            }))
            .timeout(settings.timeout)
            .connect_timeout(settings.timeout.min(Duration::from_secs(10)))
            .pool_max_idle_per_host(1)
            .user_agent(concat!("meldeplikt-webhooks/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self {
            pool,
            client,
            settings,
            key,
            clock,
            metrics,
        })
    }

    /// Sends until nothing is due, then returns (tests, maintenance).
    pub async fn run_until_idle(&self) -> anyhow::Result<Delivered> {
        let (_keep, stop) = watch::channel(false);
        self.drive(None, stop).await
    }

    /// Sends until `stop`, woken by new events or every `interval`.
    pub async fn run(&self, wake: Wake, interval: Duration, stop: watch::Receiver<bool>) {
        if let Err(err) = self.drive(Some((wake, interval)), stop).await {
            tracing::error!(error = ?err, "the webhook deliverer stopped");
        }
    }

    /// Claims while there is room, sends each claim in a task of its own,
    /// and claims again as tasks end. Without `waiting`, returns when
    /// nothing is due and nothing is in flight.
    async fn drive(
        &self,
        waiting: Option<(Wake, Duration)>,
        mut stop: watch::Receiver<bool>,
    ) -> anyhow::Result<Delivered> {
        let mut woken = waiting.as_ref().map(|(wake, _)| wake.subscribe());
        let mut in_flight: JoinSet<Outcome> = JoinSet::new();
        let mut done = Delivered::default();
        while !*stop.borrow() {
            let room = self.settings.concurrency.saturating_sub(in_flight.len());
            let claimed = if room > 0 {
                match self.claim(room as i64).await {
                    Ok(claimed) => claimed,
                    Err(err) if waiting.is_some() => {
                        tracing::warn!(error = ?err, "claiming webhook deliveries failed");
                        Vec::new()
                    }
                    Err(err) => return Err(err),
                }
            } else {
                Vec::new()
            };
            let claimed_any = !claimed.is_empty();
            for delivery in claimed {
                let this = self.clone();
                in_flight.spawn(async move { this.deliver(delivery).await });
            }
            if claimed_any && in_flight.len() < self.settings.concurrency {
                continue;
            }
            match (&waiting, &mut woken) {
                (None, _) => match in_flight.join_next().await {
                    Some(outcome) => count(&mut done, outcome),
                    None => break,
                },
                (Some((_, interval)), Some(woken)) => {
                    tokio::select! {
                        Some(outcome) = in_flight.join_next() => count(&mut done, outcome),
                        _ = woken.changed() => {}
                        _ = tokio::time::sleep(*interval) => {}
                        _ = stop.changed() => {}
                    }
                }
                (Some(_), None) => unreachable!("a waiting deliverer subscribes"),
            }
        }
        // Stopping: attempts in flight end within the timeout; those cut
        // short keep their lease and are sent again after it.
        while let Some(outcome) = in_flight.join_next().await {
            count(&mut done, outcome);
        }
        Ok(done)
    }

    async fn claim(&self, room: i64) -> anyhow::Result<Vec<Claimed>> {
        let now = self.clock.now();
        let lease = now + chrono::Duration::from_std(self.settings.timeout + LEASE_MARGIN)?;
        let mut conn = self.pool.get().await?;
        Ok(queue::claim(&mut conn, now, lease, room).await?)
    }

    /// One attempt of one delivery, and its record.
    async fn deliver(&self, claimed: Claimed) -> Outcome {
        let at = self.clock.now();
        let started = Instant::now();
        let (outcome, status, excerpt, error) = match self.send(&claimed, at).await {
            Ok((status, retry_after, excerpt)) => (
                schedule::classify(status, retry_after.as_deref(), at),
                Some(i32::from(status)),
                Some(excerpt),
                None,
            ),
            Err(error) => (
                Outcome::Failed { retry_after: None },
                None,
                None,
                Some(error),
            ),
        };
        let attempt = Attempt {
            at,
            duration_ms: i32::try_from(started.elapsed().as_millis()).unwrap_or(i32::MAX),
            status,
            excerpt,
            error,
        };
        if let Some(metrics) = &self.metrics {
            metrics.webhook_attempt(match outcome {
                Outcome::Delivered => "delivered",
                Outcome::Gone => "gone",
                Outcome::Failed { .. } => "failed",
            });
        }
        if let Err(err) = self.record(&claimed, &attempt, outcome).await {
            // The lease runs out and the delivery is sent again.
            tracing::warn!(error = ?err, delivery = %claimed.id, "recording a webhook attempt failed");
        }
        outcome
    }

    async fn record(
        &self,
        claimed: &Claimed,
        attempt: &Attempt,
        outcome: Outcome,
    ) -> anyhow::Result<()> {
        let next = match outcome {
            Outcome::Delivered => Next::Succeeded,
            Outcome::Gone => Next::Failed,
            Outcome::Failed { retry_after } => {
                let failures = usize::try_from(claimed.failures + 1).unwrap_or(usize::MAX);
                match schedule::next_wait(
                    &self.settings.retry_schedule,
                    failures,
                    schedule::random_unit(),
                    retry_after,
                ) {
                    Some(wait) => Next::RetryAt(attempt.at + chrono::Duration::from_std(wait)?),
                    None => Next::Failed,
                }
            }
        };
        let disable_before = attempt.at - chrono::Duration::from_std(self.settings.disable_after)?;
        let gone = outcome == Outcome::Gone;
        let mut conn = self.pool.get().await?;
        let disabled = conn
            .transaction::<_, diesel::result::Error, _>(async |conn| {
                if !queue::finish(conn, claimed, attempt, next).await? {
                    return Ok(None);
                }
                let disabled = store::after_attempt(
                    conn,
                    claimed.endpoint_id,
                    next == Next::Succeeded,
                    gone,
                    attempt.at,
                    disable_before,
                )
                .await?;
                if let Some(reason) = disabled {
                    super::mail::endpoint_disabled(conn, claimed, reason, attempt.at).await?;
                }
                Ok(disabled)
            })
            .await?;
        if let Some(reason) = disabled {
            tracing::warn!(endpoint = %claimed.endpoint_id, reason, "a webhook endpoint was disabled");
        }
        Ok(())
    }

    /// Posts the event; the status, `Retry-After` and the start of the
    /// answer, or why there was none.
    async fn send(
        &self,
        claimed: &Claimed,
        at: DateTime<Utc>,
    ) -> Result<(u16, Option<String>, String), String> {
        let event = claimed
            .event()
            .ok_or_else(|| "the event is no longer kept".to_owned())?;
        let url =
            address::parse(&claimed.url, self.settings.allow_private).map_err(|p| match p {
                address::UrlProblem::Refused { address, why } => {
                    format!("address refused: {address} ({why})")
                }
                _ => "the URL is not one webhooks go to".to_owned(),
            })?;
        let secrets = self.secrets(claimed, at)?;
        let body = event.to_bytes();
        let id = claimed.message_id.to_string();
        let timestamp = at.timestamp();
        let request = self
            .client
            .post(url)
            .header(reqwest::header::CONTENT_TYPE, MEDIA_TYPE)
            .header("webhook-id", &id)
            .header("webhook-timestamp", timestamp.to_string())
            .header(
                "webhook-signature",
                signature_header(&secrets, &id, timestamp, &body),
            )
            .body(body);
        let exchange = async {
            let response = request.send().await?;
            let status = response.status().as_u16();
            let retry_after = response
                .headers()
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            let excerpt = crate::outbound::read_prefix(response, EXCERPT_BYTES).await?;
            Ok::<_, reqwest::Error>((
                status,
                retry_after,
                String::from_utf8_lossy(&excerpt).into_owned(),
            ))
        };
        match tokio::time::timeout(self.settings.timeout, exchange).await {
            Ok(Ok(answer)) => Ok(answer),
            Ok(Err(err)) if err.is_timeout() => Err(timed_out(self.settings.timeout)),
            Ok(Err(err)) => Err(describe(&err)),
            Err(_) => Err(timed_out(self.settings.timeout)),
        }
    }

    /// The secrets to sign with: the current one, and the previous one
    /// while it still signs.
    fn secrets(&self, claimed: &Claimed, at: DateTime<Utc>) -> Result<Vec<WebhookSecret>, String> {
        let open = |sealed: &[u8]| {
            self.key
                .open(claimed.endpoint_id, sealed)
                .map(WebhookSecret::from_bytes)
                .ok_or_else(|| {
                    "the endpoint's secret does not open under the service's key".to_owned()
                })
        };
        let mut secrets = vec![open(&claimed.secret_sealed)?];
        if let (Some(previous), Some(until)) = (
            &claimed.previous_secret_sealed,
            claimed.previous_secret_until,
        ) && until > at
        {
            secrets.push(open(previous)?);
        }
        Ok(secrets)
    }
}

fn count(done: &mut Delivered, outcome: Result<Outcome, tokio::task::JoinError>) {
    match outcome {
        Ok(Outcome::Delivered) => done.succeeded += 1,
        Ok(_) => done.failed_attempts += 1,
        Err(err) => tracing::error!(error = %err, "a webhook delivery task failed"),
    }
}

fn timed_out(timeout: Duration) -> String {
    format!("timed out after {} ms", timeout.as_millis())
}

/// An error and its causes on one line, short.
fn describe(err: &reqwest::Error) -> String {
    let mut text = if err.is_connect() {
        "could not connect".to_owned()
    } else if err.is_request() {
        "the request failed".to_owned()
    } else {
        "the answer could not be read".to_owned()
    };
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text.chars().take(ERROR_CHARS).collect()
}
