//! Password hashing with argon2id, off the async executor, with a cap on
//! hashes in flight: when every slot is busy the caller gets 503 at once
//! instead of queueing, so a flood of logins cannot starve other requests.

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

/// Hashes and verifies passwords.
pub struct Passwords {
    slots: Arc<Semaphore>,
    /// Verified against when the account does not exist, so that an unknown
    /// e-mail costs the same time as a wrong password.
    dummy_hash: String,
}

impl Passwords {
    pub fn new(concurrency: usize) -> Self {
        let dummy = SecretString::from("not anybody's password, only for timing");
        Self {
            slots: Arc::new(Semaphore::new(concurrency.max(1))),
            dummy_hash: hash_now(&dummy),
        }
    }

    fn slot(&self) -> Result<tokio::sync::OwnedSemaphorePermit, ApiError> {
        self.slots.clone().try_acquire_owned().map_err(|_| {
            tracing::warn!(
                event = "auth.hash_capacity_exhausted",
                "password hashing is at capacity"
            );
            ApiError::ServiceUnavailable {
                detail: crate::error::Say::new("too_many_sign_ins"),
                retry_after: Some(Duration::from_secs(1)),
            }
        })
    }

    /// An argon2id PHC string of `password`.
    pub async fn hash(&self, password: SecretString) -> Result<String, ApiError> {
        let permit = self.slot()?;
        tokio::task::spawn_blocking(move || {
            let hash = hash_now(&password);
            drop(permit);
            hash
        })
        .await
        .map_err(ApiError::internal)
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
        tokio::task::spawn_blocking(move || {
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
        .map_err(ApiError::internal)
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
