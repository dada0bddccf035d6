//! Wakes whoever waits for events: one connection of its own `LISTEN`s on
//! [`super::store::CHANNEL`] (`NOTIFY` is sent when a transaction that
//! recorded events commits, so a waiter never wakes before the event is
//! visible). Two kinds of waiter:
//!
//! - the webhook deliverer, woken by every notification (a counter), which
//!   also claims at its interval;
//! - long polls, woken only by an event of the organisation they read (the
//!   notification's payload is its id) or, after the listening connection
//!   was made again and something may have been missed, by
//!   [`Wakeup::Everyone`]. A waiting poll holds no connection and reads
//!   nothing until then.

use std::time::Duration;

use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use futures_util::StreamExt;
use tokio::sync::{broadcast, watch};
use uuid::Uuid;

/// The longest the deliverer's listener waits before connecting again.
pub const RECHECK: Duration = Duration::from_secs(1);

/// How many wake-ups a slow poll may fall behind before it is woken anyway.
const BACKLOG: usize = 4096;

/// Whose events committed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wakeup {
    Organisation(Uuid),
    /// Anyone's, perhaps: the listener was away.
    Everyone,
}

impl Wakeup {
    /// The notification's payload as [`super::store`] sends it; `None` for
    /// notifications that are not of events (webhook retries).
    fn of_payload(payload: &str) -> Option<Self> {
        Uuid::parse_str(payload).ok().map(Self::Organisation)
    }
}

/// The counter of wake-ups, and the organisations' wake-ups.
#[derive(Clone)]
pub struct Wake {
    rx: watch::Receiver<u64>,
    events: broadcast::Sender<Wakeup>,
    /// Keeps an idle wake's channel open.
    _sender: Option<std::sync::Arc<watch::Sender<u64>>>,
}

impl Wake {
    /// A receiver that sees every wake-up after this call.
    pub fn subscribe(&self) -> watch::Receiver<u64> {
        let mut rx = self.rx.clone();
        rx.mark_unchanged();
        rx
    }

    /// A receiver of the organisations' wake-ups after this call: for a
    /// poll, which takes it before it first reads, so nothing committed
    /// after that read goes unseen.
    pub fn events(&self) -> Events {
        Events(self.events.subscribe())
    }

    /// Listens on a connection of its own to `url` until the process ends,
    /// connecting again after a failure.
    pub fn listen(url: String) -> Self {
        let (tx, rx) = watch::channel(0u64);
        let (events, _) = broadcast::channel(BACKLOG);
        let sender = events.clone();
        tokio::spawn(async move {
            loop {
                if let Err(err) = listen_once(&url, &tx, &sender).await {
                    tracing::warn!(error = %err, "the event listener lost its connection; connecting again");
                }
                if tx.is_closed() {
                    return;
                }
                // Whatever was sent while no one listened: read again.
                tx.send_modify(|n| *n = n.wrapping_add(1));
                let _ = sender.send(Wakeup::Everyone);
                tokio::time::sleep(RECHECK).await;
            }
        });
        Self {
            rx,
            events,
            _sender: None,
        }
    }

    /// A wake that never fires by itself (the deliverer falls back on its
    /// interval, polls on their deadline); or by [`Wake::wake`].
    pub fn idle() -> Self {
        let (tx, rx) = watch::channel(0u64);
        let (events, _) = broadcast::channel(BACKLOG);
        Self {
            rx,
            events,
            _sender: Some(std::sync::Arc::new(tx)),
        }
    }

    /// Wakes as a committed event of `whom` would (tests of waiters).
    pub fn wake(&self, whom: Wakeup) {
        let _ = self.events.send(whom);
    }
}

/// One poll's receiver of wake-ups.
pub struct Events(broadcast::Receiver<Wakeup>);

impl Events {
    /// Waits for a wake-up that `concerns` accepts, or for one that may
    /// concern anyone; never returns while the wake is closed (the caller
    /// waits with a deadline).
    pub async fn woken(&mut self, concerns: impl Fn(Uuid) -> bool) {
        loop {
            match self.0.recv().await {
                Ok(Wakeup::Organisation(id)) if !concerns(id) => continue,
                Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => return,
                Err(broadcast::error::RecvError::Closed) => std::future::pending().await,
            }
        }
    }
}

async fn listen_once(
    url: &str,
    tx: &watch::Sender<u64>,
    events: &broadcast::Sender<Wakeup>,
) -> anyhow::Result<()> {
    let mut conn = AsyncPgConnection::establish(url).await?;
    diesel::sql_query(format!("LISTEN {}", super::store::CHANNEL))
        .execute(&mut conn)
        .await?;
    tx.send_modify(|n| *n = n.wrapping_add(1));
    let _ = events.send(Wakeup::Everyone);
    let mut notifications = std::pin::pin!(conn.notifications_stream());
    while let Some(notification) = notifications.next().await {
        let notification = notification?;
        if tx.is_closed() {
            return Ok(());
        }
        tx.send_modify(|n| *n = n.wrapping_add(1));
        if let Some(wakeup) = Wakeup::of_payload(&notification.payload) {
            let _ = events.send(wakeup);
        }
    }
    anyhow::bail!("the notification stream ended")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_poll_wakes_for_its_own_organisation_and_for_everyone_only() {
        let wake = Wake::idle();
        let (mine, other) = (Uuid::new_v4(), Uuid::new_v4());
        let mut events = wake.events();
        wake.wake(Wakeup::Organisation(other));
        let wait = tokio::time::timeout(Duration::from_millis(50), events.woken(|id| id == mine));
        assert!(
            wait.await.is_err(),
            "another organisation's event wakes no one else"
        );
        wake.wake(Wakeup::Organisation(mine));
        events.woken(|id| id == mine).await;
        wake.wake(Wakeup::Everyone);
        events.woken(|id| id == mine).await;
    }

    #[test]
    fn payloads_name_the_organisation() {
        let id = Uuid::new_v4();
        assert_eq!(
            Wakeup::of_payload(&id.to_string()),
            Some(Wakeup::Organisation(id))
        );
        assert_eq!(Wakeup::of_payload(""), None);
    }
}
