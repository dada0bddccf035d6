//! Password hashing with argon2id, off the async executor, with a cap on
//! hashes in flight: when every slot is busy the caller gets 503 at once
//! instead of queueing, so a flood of logins cannot starve other requests.
//!
//! The hashes run on threads of their own, one per slot, which by default
//! run at the lowest scheduling priority (Linux's `SCHED_IDLE`): a hash
//! takes a core only while no request wants it, so sign-ins never slow
//! other routes, however many arrive (`MELDEPLIKT_HASH_PRIORITY`).

use std::sync::Arc;
use std::time::Duration;

use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier as _, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use secrecy::{ExposeSecret, SecretString};
use tokio::sync::Semaphore;

use crate::error::ApiError;

/// OWASP's minimum for argon2id: 19 MiB, 2 iterations, 1 lane.
fn argon2() -> Argon2<'static> {
    Argon2::new(
        Algorithm::Argon2id,
        Version::V0x13,
        Params::new(19 * 1024, 2, 1, None).expect("valid argon2 parameters"),
    )
}

/// The hashing threads' share of the CPU.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HashPriority {
    /// Only what requests leave (`SCHED_IDLE`): the default.
    Low,
    /// As any other thread; for machines shared with other work that
    /// would starve the hashes (test runs).
    Normal,
}

type Job = Box<dyn FnOnce() + Send>;

/// Hashes and verifies passwords.
pub struct Passwords {
    slots: Arc<Semaphore>,
    jobs: std::sync::mpsc::Sender<Job>,
    /// Verified against when the account does not exist, so that an unknown
    /// e-mail costs the same time as a wrong password.
    dummy_hash: String,
}

impl Passwords {
    pub fn new(concurrency: usize) -> Self {
        Self::with_priority(concurrency, HashPriority::Low)
    }

    /// `concurrency` hashing threads at `priority`. They end when this is
    /// dropped.
    pub fn with_priority(concurrency: usize, priority: HashPriority) -> Self {
        let dummy = SecretString::from("not anybody's password, only for timing");
        let (jobs, queue) = std::sync::mpsc::channel::<Job>();
        let queue = Arc::new(std::sync::Mutex::new(queue));
        for i in 0..concurrency.max(1) {
            let queue = queue.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("argon2-{i}"))
                .spawn(move || {
                    if priority == HashPriority::Low {
                        lower_priority();
                    }
                    loop {
                        let job = queue.lock().unwrap_or_else(|e| e.into_inner()).recv();
                        match job {
                            Ok(job) => job(),
                            Err(_) => return,
                        }
                    }
                });
            if let Err(err) = spawned {
                tracing::error!(error = %err, "cannot start a password hashing thread");
            }
        }
        Self {
            slots: Arc::new(Semaphore::new(concurrency.max(1))),
            jobs,
            dummy_hash: hash_now(&dummy),
        }
    }

    /// Whether every hashing slot is taken now: a sign-in is answered 503
    /// before it costs the database anything.
    pub fn at_capacity(&self) -> Result<(), ApiError> {
        match self.slots.available_permits() {
            0 => Err(capacity_exhausted()),
            _ => Ok(()),
        }
    }

    /// Runs `work` on a hashing thread; its answer.
    async fn on_hashing_thread<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, ApiError> {
        let (answer, answered) = tokio::sync::oneshot::channel();
        self.jobs
            .send(Box::new(move || {
                let _ = answer.send(work());
            }))
            .map_err(|_| ApiError::internal(anyhow::anyhow!("the hashing threads are gone")))?;
        answered.await.map_err(ApiError::internal)
    }

    fn slot(&self) -> Result<tokio::sync::OwnedSemaphorePermit, ApiError> {
        self.slots
            .clone()
            .try_acquire_owned()
            .map_err(|_| capacity_exhausted())
    }

    /// An argon2id PHC string of `password`.
    pub async fn hash(&self, password: SecretString) -> Result<String, ApiError> {
        let permit = self.slot()?;
        self.on_hashing_thread(move || {
            let hash = hash_now(&password);
            drop(permit);
            hash
        })
        .await
    }

    /// Whether `password` matches `stored`; with no stored hash, a dummy is
    /// verified so that the answer takes as long, and is false.
    pub async fn verify(
        &self,
        password: SecretString,
        stored: Option<String>,
    ) -> Result<bool, ApiError> {
        let permit = self.slot()?;
        let known = stored.is_some();
        let hash = stored.unwrap_or_else(|| self.dummy_hash.clone());
        self.on_hashing_thread(move || {
            let matches = PasswordHash::new(&hash)
                .map(|parsed| {
                    argon2()
                        .verify_password(password.expose_secret().as_bytes(), &parsed)
                        .is_ok()
                })
                .unwrap_or(false);
            drop(permit);
            known && matches
        })
        .await
    }
}

/// Refusals since the last one logged, and the second that one was in: a
/// flood is logged once a second with its count, not once a request.
static REFUSED: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
static LOGGED_AT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

fn capacity_exhausted() -> ApiError {
    use std::sync::atomic::Ordering;
    let refused = REFUSED.fetch_add(1, Ordering::Relaxed) + 1;
    let second = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let last = LOGGED_AT.load(Ordering::Relaxed);
    if second != last
        && LOGGED_AT
            .compare_exchange(last, second, Ordering::Relaxed, Ordering::Relaxed)
            .is_ok()
    {
        REFUSED.fetch_sub(refused, Ordering::Relaxed);
        tracing::warn!(
            event = "auth.hash_capacity_exhausted",
            refused,
            "password hashing is at capacity"
        );
    }
    ApiError::ServiceUnavailable {
        detail: crate::error::Say::new("too_many_sign_ins"),
        retry_after: Some(Duration::from_secs(1)),
    }
}

/// The calling thread runs only when nothing else wants the CPU.
fn lower_priority() {
    use thread_priority::{
        NormalThreadSchedulePolicy, ThreadPriority, ThreadSchedulePolicy,
        set_thread_priority_and_policy, thread_native_id,
    };
    let idle = ThreadSchedulePolicy::Normal(NormalThreadSchedulePolicy::Idle);
    if let Err(err) = set_thread_priority_and_policy(thread_native_id(), ThreadPriority::Min, idle)
    {
        tracing::warn!(error = ?err, "cannot lower the priority of password hashing");
    }
}

/// Hashes on the current thread; for the command line and start-up.
pub fn hash_now(password: &SecretString) -> String {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).expect("the OS random source");
    let salt = SaltString::encode_b64(&salt).expect("16 bytes make a salt");
    argon2()
        .hash_password(password.expose_secret().as_bytes(), &salt)
        .expect("argon2 hashes any password within the policy")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_are_argon2id_with_explicit_parameters_and_verify() {
        let passwords = Passwords::new(2);
        let hash = passwords
            .hash("correct horse battery staple".to_owned().into())
            .await
            .unwrap();
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        assert!(
            passwords
                .verify(
                    "correct horse battery staple".to_owned().into(),
                    Some(hash.clone())
                )
                .await
                .unwrap()
        );
        assert!(
            !passwords
                .verify("wrong horse battery staple".to_owned().into(), Some(hash))
                .await
                .unwrap()
        );
        assert!(
            !passwords
                .verify("anything at all here".to_owned().into(), None)
                .await
                .unwrap()
        );
    }

    #[tokio::test]
    async fn hashes_run_at_idle_priority_unless_told_otherwise() {
        use thread_priority::{NormalThreadSchedulePolicy, ThreadSchedulePolicy};
        let idle = ThreadSchedulePolicy::Normal(NormalThreadSchedulePolicy::Idle);
        let low = Passwords::new(1);
        let policy = low
            .on_hashing_thread(thread_priority::thread_schedule_policy)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(policy, idle);
        let normal = Passwords::with_priority(1, HashPriority::Normal);
        let policy = normal
            .on_hashing_thread(thread_priority::thread_schedule_policy)
            .await
            .unwrap()
            .unwrap();
        assert_ne!(policy, idle);
    }

    #[tokio::test]
    async fn a_full_house_answers_503_at_once() {
        let passwords = Passwords::new(1);
        let held = passwords.slot().unwrap();
        let err = passwords
            .hash("correct horse battery staple".to_owned().into())
            .await
            .unwrap_err();
        assert!(matches!(
            err,
            ApiError::ServiceUnavailable {
                retry_after: Some(_),
                ..
            }
        ));
        drop(held);
        assert!(
            passwords
                .hash("correct horse battery staple".to_owned().into())
                .await
                .is_ok()
        );
    }
}
