//! The worker inside the service: it only schedules. Each round runs the
//! lifecycle jobs (`jobs`: lapse, expiry, reminder), which change
//! notifications through `notifications::store::transitions`, delivers
//! the outbox, sends webhooks (`webhooks::Deliverer`, woken by new events)
//! and forgets events past their retention. Every job locks its rows with `SKIP LOCKED` and changes each
//! row once, so several replicas may run it at the same time. A replica
//! that is stopped finishes its lifecycle step and hands back the mail it
//! claimed ([`Running::stop`]).

mod jobs;

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

use crate::clock::Clock;
use crate::db::Pool;
use crate::events::wake::Wake;
use crate::events::webhooks::Deliverer;
use crate::mail::{self, Mailer};
use crate::notifications::NotificationSettings;

/// What one round did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Round {
    pub mails_sent: usize,
    pub lapsed: usize,
    pub expired: usize,
    pub reminded: usize,
    /// Webhook deliveries that succeeded, and attempts that failed.
    pub webhooks: crate::events::webhooks::Delivered,
    /// Events (and test deliveries) deleted past their retention.
    pub events_pruned: usize,
}

/// The webhook side of the worker.
#[derive(Clone)]
struct Webhooks {
    deliverer: Deliverer,
    wake: Wake,
    retention: Duration,
}

/// Everything the worker needs.
#[derive(Clone)]
pub struct Worker {
    pool: Pool,
    mailer: Mailer,
    clock: Clock,
    settings: Arc<NotificationSettings>,
    /// Longest one mail may take at the relay.
    mail_deadline: Duration,
    webhooks: Option<Webhooks>,
}

const BATCH: i64 = 50;

impl Worker {
    pub fn new(
        pool: Pool,
        mailer: Mailer,
        clock: Clock,
        settings: Arc<NotificationSettings>,
        mail_deadline: Duration,
    ) -> Self {
        Self {
            pool,
            mailer,
            clock,
            settings,
            mail_deadline,
            webhooks: None,
        }
    }

    /// The worker that also sends webhooks and keeps events `retention` long.
    pub fn with_webhooks(mut self, deliverer: Deliverer, wake: Wake, retention: Duration) -> Self {
        self.webhooks = Some(Webhooks {
            deliverer,
            wake,
            retention,
        });
        self
    }

    /// One round of everything; time-driven work first, so that its mail
    /// goes out in the same round.
    pub async fn run_once(&self) -> anyhow::Result<Round> {
        let (lapsed, expired, reminded) = self.lifecycle_round().await?;
        let events_pruned = self.prune_events().await?;
        let webhooks = match &self.webhooks {
            Some(webhooks) => webhooks.deliverer.run_until_idle().await?,
            None => Default::default(),
        };
        let (_never, stop) = watch::channel(false);
        let mails_sent = self.mail_round(&stop).await?;
        Ok(Round {
            mails_sent,
            lapsed,
            expired,
            reminded,
            webhooks,
            events_pruned,
        })
    }

    /// Deletes events older than their retention, batch after batch.
    async fn prune_events(&self) -> anyhow::Result<usize> {
        let Some(webhooks) = &self.webhooks else {
            return Ok(0);
        };
        let before = self.clock.now() - chrono::Duration::from_std(webhooks.retention)?;
        let mut conn = self.pool.get().await?;
        let mut pruned = crate::events::webhooks::queue::prune_tests(&mut conn, before).await?;
        loop {
            let batch = crate::events::store::prune(&mut conn, before, 1000).await?;
            pruned += batch;
            if batch < 1000 {
                return Ok(pruned);
            }
        }
    }

    /// The scheduled steps of the lifecycle.
    async fn lifecycle_round(&self) -> anyhow::Result<(usize, usize, usize)> {
        let now = self.clock.now();
        let lapsed = jobs::lapse(&self.pool, &self.settings, now).await?;
        let expired = jobs::expire(&self.pool, now).await?;
        let reminded = jobs::remind(&self.pool, &self.settings, now).await?;
        jobs::forget_replays(&self.pool, now).await?;
        Ok((lapsed, expired, reminded))
    }

    /// The outbox, batch after batch while full batches go out, until `stop`.
    async fn mail_round(&self, stop: &watch::Receiver<bool>) -> anyhow::Result<usize> {
        let mut mails_sent = 0;
        loop {
            let now = self.clock.now();
            let sent = mail::deliver_due_until(
                &self.pool,
                &self.mailer,
                now,
                BATCH,
                self.mail_deadline,
                stop.clone(),
            )
            .await?;
            mails_sent += sent;
            if sent < BATCH as usize {
                return Ok(mails_sent);
            }
        }
    }

    /// Runs the lifecycle and the mail in two loops of their own, each
    /// every `interval`, until stopped: a relay that hangs holds up the
    /// mail only, never lapse, expiry or reminders.
    pub fn spawn(self, interval: Duration) -> Running {
        let (stop, stopping) = watch::channel(false);
        let task = tokio::spawn(async move {
            let lifecycle = async {
                let mut stopping = stopping.clone();
                while !*stopping.borrow() {
                    if let Err(err) = self.lifecycle_round().await {
                        tracing::warn!(error = ?err, "a lifecycle round failed; trying again next round");
                    }
                    if let Err(err) = self.prune_events().await {
                        tracing::warn!(error = ?err, "pruning events failed; trying again next round");
                    }
                    pause(interval, &mut stopping).await;
                }
            };
            let mail = async {
                let mut stopping = stopping.clone();
                while !*stopping.borrow() {
                    if let Err(err) = self.mail_round(&stopping).await {
                        tracing::warn!(error = ?err, "a mail round failed; trying again next round");
                    }
                    pause(interval, &mut stopping).await;
                }
            };
            let webhooks = async {
                if let Some(webhooks) = &self.webhooks {
                    let wake = webhooks.wake.clone();
                    webhooks
                        .deliverer
                        .run(wake, interval, stopping.clone())
                        .await;
                }
            };
            tokio::join!(lifecycle, mail, webhooks);
        });
        Running { stop, task }
    }
}

/// Sleeps `interval`, or less when told to stop.
async fn pause(interval: Duration, stopping: &mut watch::Receiver<bool>) {
    tokio::select! {
        _ = tokio::time::sleep(interval) => {}
        _ = async { drop(stopping.wait_for(|stop| *stop).await) } => {}
    }
}

/// The worker's loops, running.
pub struct Running {
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl Running {
    /// Stops the loops: a lifecycle step in progress commits or rolls back
    /// whole, mail claimed and not yet sent is handed back to the outbox
    /// for the other replicas. Waits up to `grace`, then aborts.
    pub async fn stop(self, grace: Duration) {
        let _ = self.stop.send(true);
        let mut task = self.task;
        if tokio::time::timeout(grace, &mut task).await.is_err() {
            tracing::warn!("the worker did not stop in time; aborted");
            task.abort();
        }
    }
}
