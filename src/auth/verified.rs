//! Access tokens already verified, so that a client that sends the same
//! token with every request pays for the Ed25519 check once.
//!
//! Keyed by the SHA-256 of the whole token: only a byte-for-byte copy of a
//! token that passed every check is found here, never a token that merely
//! shares its claims. An entry is good while the token is (`exp` with the
//! same leeway the full check allows) and no longer; the map holds at most
//! [`CAPACITY`] tokens, the expired ones cleared first and the rest only
//! when it is full of live ones. What it holds is what the token said; the
//! caller as the database has it now is still read on every request.

use std::collections::HashMap;
use std::sync::Mutex;

use sha2::{Digest, Sha256};

use super::Principal;

/// Tokens held at most.
pub const CAPACITY: usize = 10_000;

/// A verified token's caller and when the token stops being good.
#[derive(Clone)]
struct Entry {
    principal: Principal,
    /// Unix seconds from which the token is no longer accepted.
    good_until: i64,
    /// Unix seconds before which it is not yet accepted.
    good_from: i64,
}

/// The verified tokens of this process.
#[derive(Default)]
pub struct Verified {
    entries: Mutex<HashMap<[u8; 32], Entry>>,
}

/// The key a token is held under.
pub fn key_of(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

impl Verified {
    /// The caller of a token verified before, if it is still good at `now`.
    pub fn get(&self, key: &[u8; 32], now: i64) -> Option<Principal> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries
            .get(key)
            .filter(|e| now >= e.good_from && now < e.good_until)
            .map(|e| e.principal)
    }

    /// Holds a token that passed every check, good from `good_from` until
    /// `good_until` (Unix seconds, leeway included).
    pub fn put(
        &self,
        key: [u8; 32],
        principal: Principal,
        good_from: i64,
        good_until: i64,
        now: i64,
    ) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= CAPACITY {
            entries.retain(|_, e| e.good_until > now);
            if entries.len() >= CAPACITY {
                entries.clear();
            }
        }
        entries.insert(
            key,
            Entry {
                principal,
                good_until,
                good_from,
            },
        );
    }

    pub fn len(&self) -> usize {
        self.entries.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::{Role, SubjectKind};

    fn caller() -> Principal {
        Principal {
            kind: SubjectKind::User,
            id: uuid::Uuid::new_v4(),
            organisation_id: Some(uuid::Uuid::new_v4()),
            role: Role::Member,
            mfa_at: None,
            supplier: None,
        }
    }

    #[test]
    fn only_the_same_token_is_found_and_only_while_it_is_good() {
        let verified = Verified::default();
        let principal = caller();
        verified.put(key_of("a.b.c"), principal, 100, 200, 100);
        assert_eq!(
            verified.get(&key_of("a.b.c"), 150).map(|p| p.id),
            Some(principal.id)
        );
        assert!(
            verified.get(&key_of("a.b.d"), 150).is_none(),
            "another token"
        );
        assert!(verified.get(&key_of("a.b.c"), 200).is_none(), "expired");
        assert!(verified.get(&key_of("a.b.c"), 99).is_none(), "not yet good");
    }

    #[test]
    fn it_never_holds_more_than_its_capacity_and_drops_the_expired_first() {
        let verified = Verified::default();
        for i in 0..CAPACITY {
            // Half of them expired by the time the map is full.
            let until = if i % 2 == 0 { 50 } else { 500 };
            verified.put(key_of(&i.to_string()), caller(), 0, until, 10);
        }
        assert_eq!(verified.len(), CAPACITY);
        verified.put(key_of("new"), caller(), 0, 500, 100);
        assert_eq!(verified.len(), CAPACITY / 2 + 1);
        assert!(verified.get(&key_of("1"), 100).is_some(), "a live one kept");
        assert!(verified.get(&key_of("new"), 100).is_some());
    }
}
