//! A double click, or a reload of the result, must not hide the key: for a
//! short while after confirming, the page shows the same result again to
//! the browser that confirmed, the key included. That browser is the one
//! whose form cookie (set with the page, sent with every POST of it) is
//! the one that confirmed. The database keeps the cookie's SHA-256 and the
//! key sealed (XChaCha20-Poly1305) under a key derived from the server's
//! secret and the cookie itself, which the database never sees: neither a
//! copy of the database nor the server alone can open it.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use chrono::{DateTime, Duration, Utc};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::domain::key::NotificationKey;
use crate::notifications::store::links::Replay;

/// How long the page shows its result again.
pub const WINDOW: Duration = Duration::minutes(30);

const NONCE_BYTES: usize = 24;

/// The browser that confirms: its form cookie, and the server's secret.
pub struct Browser<'a> {
    pub cookie: &'a str,
    pub secret: &'a [u8],
}

impl Browser<'_> {
    /// What the database keeps to recognise this browser.
    pub fn cookie_hash(&self) -> Vec<u8> {
        Sha256::digest(self.cookie.as_bytes()).to_vec()
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(self.secret)
            .expect("HMAC takes a key of any length");
        mac.update(b"meldeplikt confirm-page replay\0");
        mac.update(self.cookie.as_bytes());
        let key: [u8; 32] = mac.finalize().into_bytes().into();
        XChaCha20Poly1305::new(&Key::from(key))
    }

    /// The key sealed for this browser and this link (`link` is bound in).
    pub fn seal(&self, key: &NotificationKey, link: &[u8]) -> Result<Vec<u8>, getrandom::Error> {
        let mut nonce = [0u8; NONCE_BYTES];
        getrandom::fill(&mut nonce)?;
        let exposed = key.expose();
        let sealed = self
            .cipher()
            .encrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: exposed.as_bytes(),
                    aad: link,
                },
            )
            .expect("XChaCha20-Poly1305 seals a short text");
        Ok([nonce.as_slice(), &sealed].concat())
    }

    /// Whether `replay` was kept for this browser and still may be shown;
    /// then the key, if one was sealed (a first registration).
    pub fn open(&self, replay: &Replay, link: &[u8], now: DateTime<Utc>) -> Option<Option<String>> {
        let kept = replay.cookie_hash.as_deref()?;
        let until = replay.until?;
        if self.cookie.is_empty() || until <= now || !bool::from(kept.ct_eq(&self.cookie_hash())) {
            return None;
        }
        let Some(sealed) = replay.sealed_key.as_deref() else {
            return Some(None);
        };
        let (nonce, sealed) = sealed.split_at_checked(NONCE_BYTES)?;
        let nonce: [u8; NONCE_BYTES] = nonce.try_into().ok()?;
        let key = self
            .cipher()
            .decrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: sealed,
                    aad: link,
                },
            )
            .ok()?;
        String::from_utf8(key).ok().map(Some)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kept(browser: &Browser, sealed: Option<Vec<u8>>, until: DateTime<Utc>) -> Replay {
        Replay {
            receipt_id: None,
            cookie_hash: Some(browser.cookie_hash()),
            sealed_key: sealed,
            until: Some(until),
        }
    }

    #[test]
    fn only_the_browser_that_confirmed_sees_the_key_again_and_only_for_a_while() {
        let now = Utc::now();
        let key = NotificationKey::generate();
        let mine = Browser {
            cookie: "cookie-of-the-browser",
            secret: b"server secret",
        };
        let sealed = mine.seal(&key, b"token-hash").unwrap();
        assert!(
            !sealed.windows(19).any(|w| w == key.expose().as_bytes()),
            "the key is not stored in the clear"
        );
        let replay = kept(&mine, Some(sealed), now + WINDOW);
        assert_eq!(
            mine.open(&replay, b"token-hash", now),
            Some(Some(key.expose()))
        );
        let other = Browser {
            cookie: "another-cookie",
            secret: b"server secret",
        };
        assert_eq!(other.open(&replay, b"token-hash", now), None);
        assert_eq!(mine.open(&replay, b"token-hash", now + WINDOW), None);
        assert_eq!(mine.open(&replay, b"other-link", now), None);
        let other_server = Browser {
            cookie: "cookie-of-the-browser",
            secret: b"another secret",
        };
        assert_eq!(other_server.open(&replay, b"token-hash", now), None);
        let no_key = kept(&mine, None, now + WINDOW);
        assert_eq!(mine.open(&no_key, b"token-hash", now), Some(None));
    }
}
