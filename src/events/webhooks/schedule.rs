//! What an attempt's answer means, and when to try again. Pure: the
//! randomness of the jitter and the time come in as arguments.

use std::time::Duration;

use chrono::{DateTime, Utc};

/// The longest a `Retry-After` may put a retry off.
const RETRY_AFTER_MAX: Duration = Duration::from_secs(24 * 3600);
/// The jitter on each wait: ±20 %.
const JITTER: f64 = 0.2;

/// What an attempt came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Any 2xx.
    Delivered,
    /// `410 Gone`: the receiver wants no more; the endpoint is disabled.
    Gone,
    /// Anything else: another status (a redirect too, never followed), a
    /// timeout, a refused address, no connection. `retry_after` from a
    /// `429` or `503` that said when.
    Failed { retry_after: Option<Duration> },
}

/// The outcome of an answer with `status` and its `Retry-After` header.
pub fn classify(status: u16, retry_after: Option<&str>, now: DateTime<Utc>) -> Outcome {
    match status {
        200..=299 => Outcome::Delivered,
        410 => Outcome::Gone,
        429 | 503 => Outcome::Failed {
            retry_after: retry_after.and_then(|v| parse_retry_after(v, now)),
        },
        _ => Outcome::Failed { retry_after: None },
    }
}

/// `Retry-After` as seconds or an HTTP date, at most a day; `None` when
/// it is neither.
pub fn parse_retry_after(value: &str, now: DateTime<Utc>) -> Option<Duration> {
    let value = value.trim();
    let wait = if let Ok(seconds) = value.parse::<u64>() {
        Duration::from_secs(seconds)
    } else {
        let at = DateTime::parse_from_rfc2822(value).ok()?.to_utc();
        (at - now).to_std().unwrap_or_default()
    };
    Some(wait.min(RETRY_AFTER_MAX))
}

/// The wait before the next attempt after the `failures`-th failure in a
/// row (1 for the first), or `None` when the schedule is spent and the
/// delivery has failed. `unit` is a random number in [0, 1) for the
/// jitter; a `Retry-After` is a lower bound.
pub fn next_wait(
    schedule: &[Duration],
    failures: usize,
    unit: f64,
    retry_after: Option<Duration>,
) -> Option<Duration> {
    let base = *schedule.get(failures.checked_sub(1)?)?;
    let factor = 1.0 + JITTER * (2.0 * unit.clamp(0.0, 1.0) - 1.0);
    let wait = base.mul_f64(factor);
    Some(retry_after.map_or(wait, |after| wait.max(after)))
}

/// A random number in [0, 1).
pub fn random_unit() -> f64 {
    let mut bytes = [0u8; 4];
    if getrandom::fill(&mut bytes).is_err() {
        return 0.5;
    }
    f64::from(u32::from_le_bytes(bytes)) / (f64::from(u32::MAX) + 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schedule() -> Vec<Duration> {
        crate::config::webhooks::DEFAULT_RETRY_SCHEDULE
            .split(',')
            .map(|d| crate::config::webhooks::parse_duration(d).unwrap())
            .collect()
    }

    #[test]
    fn statuses_mean_what_the_specification_says() {
        let now = Utc::now();
        assert_eq!(classify(200, None, now), Outcome::Delivered);
        assert_eq!(classify(204, None, now), Outcome::Delivered);
        assert_eq!(classify(299, None, now), Outcome::Delivered);
        assert_eq!(classify(410, None, now), Outcome::Gone);
        for failed in [100, 301, 302, 307, 400, 404, 500, 502] {
            assert_eq!(
                classify(failed, Some("5"), now),
                Outcome::Failed { retry_after: None },
                "{failed}"
            );
        }
        assert_eq!(
            classify(429, Some("120"), now),
            Outcome::Failed {
                retry_after: Some(Duration::from_secs(120))
            }
        );
        let at = (now + chrono::Duration::seconds(600)).to_rfc2822();
        let Outcome::Failed {
            retry_after: Some(wait),
        } = classify(503, Some(&at), now)
        else {
            panic!("an HTTP date is honoured");
        };
        assert!(wait <= Duration::from_secs(600) && wait >= Duration::from_secs(599));
        assert_eq!(
            classify(503, Some("soon"), now),
            Outcome::Failed { retry_after: None }
        );
        assert_eq!(parse_retry_after("999999999", now), Some(RETRY_AFTER_MAX));
    }

    #[test]
    fn waits_follow_the_schedule_within_twenty_percent_and_then_stop() {
        let schedule = schedule();
        let expected = [5, 300, 1800, 7200, 18000, 36000, 36000];
        for (i, seconds) in expected.iter().enumerate() {
            let base = Duration::from_secs(*seconds);
            assert_eq!(next_wait(&schedule, i + 1, 0.5, None), Some(base));
            assert_eq!(
                next_wait(&schedule, i + 1, 0.0, None),
                Some(base.mul_f64(0.8))
            );
            let high = next_wait(&schedule, i + 1, 0.999_999, None).unwrap();
            assert!(high <= base.mul_f64(1.2) && high > base.mul_f64(1.19));
        }
        assert_eq!(next_wait(&schedule, 8, 0.5, None), None);
        assert_eq!(next_wait(&schedule, 0, 0.5, None), None);
        // Retry-After is honoured as a lower bound.
        assert_eq!(
            next_wait(&schedule, 1, 0.5, Some(Duration::from_secs(60))),
            Some(Duration::from_secs(60))
        );
        assert_eq!(
            next_wait(&schedule, 3, 0.5, Some(Duration::from_secs(60))),
            Some(Duration::from_secs(1800))
        );
        let unit = random_unit();
        assert!((0.0..1.0).contains(&unit));
    }
}
