//! Wakes whoever waits for events: one connection of its own `LISTEN`s on
//! [`super::store::CHANNEL`] and bumps a counter on every `NOTIFY` (sent
//! when a transaction that recorded events commits, so a waiter never
//! wakes before the event is visible). Waiters read the stream again when
//! woken, and at least every [`RECHECK`] in case a notification was lost
//! while the connection was being made again.

use std::time::Duration;

use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use futures_util::StreamExt;
use tokio::sync::watch;

/// The longest a waiter goes without reading the stream again.
pub const RECHECK: Duration = Duration::from_secs(1);

/// The counter of wake-ups.
#[derive(Clone)]
pub struct Wake {
    rx: watch::Receiver<u64>,
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

    /// Listens on a connection of its own to `url` until the process ends,
    /// connecting again after a failure.
    pub fn listen(url: String) -> Self {
        let (tx, rx) = watch::channel(0u64);
        tokio::spawn(async move {
            loop {
                if let Err(err) = listen_once(&url, &tx).await {
                    tracing::warn!(error = %err, "the event listener lost its connection; connecting again");
                }
                if tx.is_closed() {
                    return;
                }
                // Whatever was sent while no one listened: read again.
                tx.send_modify(|n| *n = n.wrapping_add(1));
                tokio::time::sleep(RECHECK).await;
            }
        });
        Self { rx, _sender: None }
    }

    /// A wake that never fires by itself (waiters fall back on [`RECHECK`]).
    pub fn idle() -> Self {
        let (tx, rx) = watch::channel(0u64);
        Self {
            rx,
            _sender: Some(std::sync::Arc::new(tx)),
        }
    }
}

async fn listen_once(url: &str, tx: &watch::Sender<u64>) -> anyhow::Result<()> {
    let mut conn = AsyncPgConnection::establish(url).await?;
    diesel::sql_query(format!("LISTEN {}", super::store::CHANNEL))
        .execute(&mut conn)
        .await?;
    tx.send_modify(|n| *n = n.wrapping_add(1));
    let mut notifications = std::pin::pin!(conn.notifications_stream());
    while let Some(notification) = notifications.next().await {
        notification?;
        if tx.is_closed() {
            return Ok(());
        }
        tx.send_modify(|n| *n = n.wrapping_add(1));
    }
    anyhow::bail!("the notification stream ended")
}
