//! What the register's public routes share: where the service is seen from
//! (for the catalogue's links), and a limit on requests per client address,
//! answered 429 with `Retry-After` beyond it.
//!
//! The limit is kept in memory, per process: it guards this process's
//! capacity against one greedy client, and needs no database write on a
//! read. Behind several replicas each counts its own share.

use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use tokio::sync::Semaphore;

use super::cache::SearchCache;
use crate::error::ApiError;

/// Exports at once, at most; a pool of connections serves everything else.
const EXPORTS_AT_ONCE: usize = 2;

/// The register's shared state.
pub struct Public {
    /// `MELDEPLIKT_PUBLIC_URL`.
    pub public_url: String,
    limiter: Option<Arc<DefaultKeyedRateLimiter<String>>>,
    /// Answers to searches, while the register is unchanged.
    pub cache: SearchCache,
    /// Exports being written out at once: each holds a database connection
    /// until its spool is written (never while its reader reads).
    pub exports: Arc<Semaphore>,
}

impl Public {
    /// `per_minute` requests per client address, in bursts of up to a
    /// tenth of them; 0 is no limit.
    pub fn new(public_url: &str, per_minute: u32) -> Self {
        let limiter = NonZeroU32::new(per_minute).map(|n| {
            let burst = NonZeroU32::new(per_minute.div_ceil(10).max(10)).unwrap_or(n);
            Arc::new(RateLimiter::keyed(Quota::per_minute(n).allow_burst(burst)))
        });
        Self {
            public_url: public_url.trim_end_matches('/').to_owned(),
            limiter,
            cache: SearchCache::default(),
            exports: Arc::new(Semaphore::new(EXPORTS_AT_ONCE)),
        }
    }

    /// Takes one request of `client`'s allowance, or says how long to wait.
    fn take(&self, client: String) -> Result<(), Duration> {
        let Some(limiter) = &self.limiter else {
            return Ok(());
        };
        // Forget quiet clients now and then, so the table stays small.
        if limiter.len() > 10_000 {
            limiter.retain_recent();
        }
        limiter
            .check_key(&client)
            .map_err(|not_until| not_until.wait_time_from(DefaultClock::default().now()))
    }
}

/// A request within its client's allowance; the extractor refuses one
/// beyond it with 429 and `Retry-After`.
pub struct Allowed;

impl FromRequest for Allowed {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let outcome = match req.app_data::<web::Data<Public>>() {
            None => Ok(Self),
            Some(public) => public
                .take(crate::auth::client::address_key(req))
                .map(|()| Self)
                .map_err(|wait| ApiError::TooManyRequests {
                    retry_after: wait.max(Duration::from_secs(1)),
                }),
        };
        std::future::ready(outcome)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_beyond_its_burst_waits_and_others_do_not() {
        let public = Public::new("http://x/", 60);
        assert_eq!(public.public_url, "http://x");
        for _ in 0..10 {
            assert!(public.take("a".into()).is_ok());
        }
        let wait = public.take("a".into()).unwrap_err();
        assert!(
            wait > Duration::ZERO && wait <= Duration::from_secs(1),
            "{wait:?}"
        );
        assert!(public.take("b".into()).is_ok());
        let unlimited = Public::new("http://x", 0);
        for _ in 0..1000 {
            assert!(unlimited.take("a".into()).is_ok());
        }
    }
}
