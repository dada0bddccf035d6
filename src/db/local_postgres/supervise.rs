//! Who owns the private server, and keeping it running.
//!
//! Ownership is an exclusive lock on `.postgres.owner` beside the cluster
//! (it also holds the owner's pid, for people). The kernel drops the lock
//! when the owner exits however it exits, so a server left running by a
//! service that was killed is claimed by the next one, which stops it on
//! exit. While the owner lives, every other service on the folder reuses the
//! server and never stops it.
//!
//! A running service checks the server every [`SUPERVISE_EVERY`]: the owner
//! starts it again when it is gone (PostgreSQL's crash recovery keeps the
//! data); a reuser does so only after claiming it, that is when the owner
//! is gone too. Claims and starts happen under `.postgres.lock`, so two
//! services never start the server at once.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::Write as _;
use std::path::Path;
use std::time::Duration;

use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use super::{LocalPgError, LocalPostgres, is_postgres_process};

/// How often a running service checks its private server.
pub const SUPERVISE_EVERY: Duration = Duration::from_secs(1);

impl LocalPostgres {
    /// The folder holding the cluster and the lock files.
    pub(super) fn parent(&self) -> &Path {
        self.cluster_dir.parent().unwrap_or(Path::new("/"))
    }

    /// Waits for `.postgres.lock`: starts and claims take turns.
    pub(super) async fn start_lock(&self) -> Result<File, LocalPgError> {
        let lock = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(self.parent().join(".postgres.lock"))?;
        Ok(
            tokio::task::spawn_blocking(move || lock.lock().map(|()| lock))
                .await
                .map_err(std::io::Error::other)??,
        )
    }

    /// Becomes the owner if no live process is; whether this process owns
    /// the server now.
    pub(super) fn claim(&mut self) -> Result<bool, LocalPgError> {
        if self.owner_lock.is_some() {
            return Ok(true);
        }
        // Not truncated before the lock is ours: it names the live owner.
        let mut file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(self.parent().join(".postgres.owner"))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => return Ok(false),
            Err(TryLockError::Error(err)) => return Err(err.into()),
        }
        file.set_len(0)?;
        writeln!(file, "{}", std::process::id())?;
        self.owner_lock = Some(file);
        self.owned = true;
        Ok(true)
    }

    /// The pid the owner file names, for messages.
    pub(super) fn owner_pid(&self) -> String {
        std::fs::read_to_string(self.parent().join(".postgres.owner"))
            .ok()
            .map(|text| text.trim().to_owned())
            .filter(|pid| !pid.is_empty())
            .unwrap_or_else(|| "unknown".into())
    }

    /// Whether the server's postmaster is alive (it may still be starting
    /// or recovering).
    fn is_running(&self) -> bool {
        std::fs::read_to_string(self.cluster_dir.join("postmaster.pid"))
            .ok()
            .and_then(|text| text.lines().next()?.trim().parse::<i32>().ok())
            .is_some_and(|pid| pid > 0 && is_postgres_process(pid))
    }

    /// One check: starts the server again if it is gone and this process
    /// owns it or can claim it.
    async fn mend(&mut self) -> Result<(), LocalPgError> {
        if self.is_running() {
            return Ok(());
        }
        let _lock = self.start_lock().await?;
        if !self.owned {
            if !self.claim()? {
                // Its live owner sees to it; the pool reconnects after.
                return Ok(());
            }
            tracing::warn!(cluster = %self.cluster_dir.display(), "the service that ran the private PostgreSQL is gone; this one takes it over");
        }
        // The previous owner may have started it before it went.
        if self.running_pid().await?.is_some() {
            return Ok(());
        }
        tracing::warn!(cluster = %self.cluster_dir.display(), "the private PostgreSQL is not running; starting it again");
        self.start_server().await?;
        tracing::warn!("the private PostgreSQL runs again");
        Ok(())
    }

    /// Hands the server to a task that checks it every `every` and starts it
    /// again when it dies, until [`Supervisor::stop`].
    pub fn supervise(self, every: Duration) -> Supervisor {
        let (cancel, mut cancelled) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let mut server = self;
            loop {
                // Only checked between rounds: a restart is never cut short.
                tokio::select! {
                    _ = &mut cancelled => return server,
                    () = tokio::time::sleep(every) => {}
                }
                if let Err(err) = server.mend().await {
                    tracing::warn!(error = %err, "the private PostgreSQL could not be started again; trying again");
                }
            }
        });
        Supervisor {
            cancel: Some(cancel),
            task: Some(task),
        }
    }
}

/// A private server under supervision. Dropped, it ends the supervision and
/// the server is stopped if this process owns it.
#[derive(Debug)]
pub struct Supervisor {
    cancel: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<LocalPostgres>>,
}

impl Supervisor {
    /// Ends the supervision, then stops the server if this process owns it.
    pub async fn stop(mut self) -> Result<(), LocalPgError> {
        drop(self.cancel.take());
        let Some(task) = self.task.take() else {
            return Ok(());
        };
        let server = task.await.map_err(std::io::Error::other)?;
        server.stop().await
    }
}
