//! The worker inside the service: it only schedules. Each round runs the
//! lifecycle jobs (`jobs`: lapse, expiry, reminder), which change
//! notifications through `notifications::store::transitions`, and delivers
//! the outbox. Every job locks its rows with `SKIP LOCKED` and changes each
//! row once, so several replicas may run it at the same time.

mod jobs;

use std::sync::Arc;
use std::time::Duration;

use crate::clock::Clock;
use crate::db::Pool;
use crate::mail::{self, Mailer};
use crate::notifications::NotificationSettings;

/// What one round did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Round {
    pub mails_sent: usize,
    pub lapsed: usize,
    pub expired: usize,
    pub reminded: usize,
}

/// Everything the worker needs.
#[derive(Clone)]
pub struct Worker {
    pool: Pool,
    mailer: Mailer,
    clock: Clock,
    settings: Arc<NotificationSettings>,
}

const BATCH: i64 = 50;

impl Worker {
    pub fn new(
        pool: Pool,
        mailer: Mailer,
        clock: Clock,
        settings: Arc<NotificationSettings>,
    ) -> Self {
        Self {
            pool,
            mailer,
            clock,
            settings,
        }
    }

    /// One round of everything; time-driven work first, so that its mail
    /// goes out in the same round.
    pub async fn run_once(&self) -> anyhow::Result<Round> {
        let now = self.clock.now();
        let lapsed = jobs::lapse(&self.pool, &self.settings, now).await?;
        let expired = jobs::expire(&self.pool, now).await?;
        let reminded = jobs::remind(&self.pool, &self.settings, now).await?;
        let mut mails_sent = 0;
        loop {
            let sent = mail::deliver_due(&self.pool, &self.mailer, self.clock.now(), BATCH).await?;
            mails_sent += sent;
            if sent < BATCH as usize {
                break;
            }
        }
        Ok(Round {
            mails_sent,
            lapsed,
            expired,
            reminded,
        })
    }

    /// Runs rounds every `interval` until the task is aborted.
    pub fn spawn(self, interval: Duration) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            loop {
                if let Err(err) = self.run_once().await {
                    tracing::warn!(error = ?err, "a worker round failed; trying again next round");
                }
                tokio::time::sleep(interval).await;
            }
        })
    }
}
