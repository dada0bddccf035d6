//! How many long polls may wait at once: per organisation (a regulator
//! counts as its own) and per client address, on each replica. A waiting
//! poll costs a socket and a little memory, nothing of the database; the
//! caps keep one caller from holding thousands of sockets. Beyond a cap
//! the poll is refused with 429 and `Retry-After`; a poll without `wait`
//! is never counted.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use uuid::Uuid;

pub use crate::config::webhooks::PollLimits;
use crate::error::ApiError;

/// What a caller is counted as.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    Organisation(Uuid),
    Regulator(Uuid),
    Address(String),
}

/// The polls waiting now.
pub struct Polls {
    limits: PollLimits,
    open: Arc<Mutex<HashMap<Key, usize>>>,
}

/// A poll's place; given back when dropped (the answer sent, or the
/// client gone).
pub struct Place {
    keys: [Key; 2],
    open: Arc<Mutex<HashMap<Key, usize>>>,
}

/// How long a refused poll is asked to wait before it tries again.
const RETRY_AFTER: Duration = Duration::from_secs(5);

impl Polls {
    pub fn new(limits: PollLimits) -> Self {
        Self {
            limits,
            open: Arc::default(),
        }
    }

    /// A place for a poll of `organisation` (or of the regulator `user`,
    /// when `organisation` is `None`) from `address`; 429 when either is at
    /// its cap.
    pub fn enter(
        &self,
        organisation: Option<Uuid>,
        user: Uuid,
        address: String,
    ) -> Result<Place, ApiError> {
        let owner = organisation.map_or(Key::Regulator(user), Key::Organisation);
        let keys = [owner, Key::Address(address)];
        let caps = [self.limits.per_organisation, self.limits.per_address];
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        let full = keys
            .iter()
            .zip(caps)
            .any(|(key, cap)| open.get(key).copied().unwrap_or(0) >= cap);
        if full {
            return Err(ApiError::TooManyRequests {
                retry_after: RETRY_AFTER,
            });
        }
        for key in &keys {
            *open.entry(key.clone()).or_default() += 1;
        }
        Ok(Place {
            keys,
            open: self.open.clone(),
        })
    }
}

impl Drop for Place {
    fn drop(&mut self) {
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        for key in &self.keys {
            if let Some(n) = open.get_mut(key) {
                *n -= 1;
                if *n == 0 {
                    open.remove(key);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn polls() -> Polls {
        Polls::new(PollLimits {
            per_organisation: 2,
            per_address: 3,
        })
    }

    #[test]
    fn an_organisation_waits_with_at_most_its_cap_and_gets_places_back() {
        let polls = polls();
        let (org, user) = (Uuid::new_v4(), Uuid::new_v4());
        let a = polls.enter(Some(org), user, "10.0.0.1".into()).unwrap();
        let _b = polls.enter(Some(org), user, "10.0.0.2".into()).unwrap();
        assert!(matches!(
            polls.enter(Some(org), user, "10.0.0.3".into()),
            Err(ApiError::TooManyRequests { .. })
        ));
        let _other = polls
            .enter(Some(Uuid::new_v4()), user, "10.0.0.3".into())
            .unwrap();
        drop(a);
        assert!(polls.enter(Some(org), user, "10.0.0.3".into()).is_ok());
    }

    #[test]
    fn an_address_waits_with_at_most_its_cap_whoever_asks() {
        let polls = polls();
        let kept: Vec<Place> = (0..3)
            .map(|_| {
                polls
                    .enter(Some(Uuid::new_v4()), Uuid::new_v4(), "::1".into())
                    .unwrap()
            })
            .collect();
        assert!(
            polls
                .enter(Some(Uuid::new_v4()), Uuid::new_v4(), "::1".into())
                .is_err()
        );
        assert!(polls.enter(None, Uuid::new_v4(), "::2".into()).is_ok());
        drop(kept);
        assert!(
            polls.open.lock().unwrap().is_empty(),
            "nothing left counted"
        );
    }
}
