//! The settings of events and webhooks.

use std::time::Duration;

use secrecy::SecretString;

use super::{BadSetting, in_range, parse_or};

/// How webhooks are delivered and events kept.
#[derive(Debug, Clone)]
pub struct WebhookSettings {
    /// `MELDEPLIKT_WEBHOOK_TIMEOUT_MS`: the longest one delivery may take,
    /// from connecting to the end of the answer (default 15 s).
    pub timeout: Duration,
    /// `MELDEPLIKT_WEBHOOK_RETRY_SCHEDULE`: the waits before each retry,
    /// comma-separated durations (`5s,5m,30m,2h,5h,10h,10h`, about a day);
    /// after the last the delivery has failed.
    pub retry_schedule: Vec<Duration>,
    /// `MELDEPLIKT_WEBHOOK_DISABLE_AFTER`: an endpoint whose every delivery
    /// failed this long is disabled (default `5d`).
    pub disable_after: Duration,
    /// `MELDEPLIKT_WEBHOOK_ALLOW_PRIVATE`: `true` allows loopback and
    /// private addresses and `http` (tests, development). Cloud metadata
    /// addresses are refused always.
    pub allow_private: bool,
    /// `MELDEPLIKT_WEBHOOK_CONCURRENCY`: deliveries in flight at once, in
    /// all (each endpoint has one at a time).
    pub concurrency: usize,
    /// `MELDEPLIKT_EVENT_RETENTION_DAYS`: how long events (and their
    /// deliveries) are kept (default 90).
    pub event_retention: Duration,
    /// `MELDEPLIKT_WEBHOOK_SECRET_KEY`: the key (64 hexadecimal digits)
    /// signing secrets are sealed under. Unset: a development key is made
    /// under the data folder.
    pub secret_key: Option<SecretString>,
    /// `MELDEPLIKT_EVENT_POLLS_PER_ORGANISATION` (default 20) and
    /// `MELDEPLIKT_EVENT_POLLS_PER_ADDRESS` (default 100): long polls of
    /// `GET /v1/events` waiting at once on one replica.
    pub poll_limits: PollLimits,
}

/// How many long polls may wait at once (see `events::polls`).
#[derive(Debug, Clone, Copy)]
pub struct PollLimits {
    pub per_organisation: usize,
    pub per_address: usize,
}

pub const DEFAULT_RETRY_SCHEDULE: &str = "5s,5m,30m,2h,5h,10h,10h";

/// A duration as written: a whole number and a unit, `ms`, `s`, `m`, `h`
/// or `d`.
pub fn parse_duration(text: &str) -> Option<Duration> {
    let text = text.trim();
    let split = text.find(|c: char| !c.is_ascii_digit())?;
    let (number, unit) = text.split_at(split);
    let n: u64 = number.parse().ok()?;
    let unit_ms: u64 = match unit {
        "ms" => 1,
        "s" => 1_000,
        "m" => 60_000,
        "h" => 3_600_000,
        "d" => 86_400_000,
        _ => return None,
    };
    n.checked_mul(unit_ms).map(Duration::from_millis)
}

fn schedule(text: &str) -> Result<Vec<Duration>, String> {
    let waits: Option<Vec<Duration>> = text.split(',').map(parse_duration).collect();
    match waits {
        Some(waits) if !waits.is_empty() && waits.len() <= 20 => Ok(waits),
        _ => Err("must be 1 to 20 comma-separated durations such as 5s,5m,2h".into()),
    }
}

pub(super) fn read(
    get: &impl Fn(&str) -> Option<String>,
    bad: &mut Vec<BadSetting>,
) -> Option<WebhookSettings> {
    let timeout = parse_or(get, bad, "MELDEPLIKT_WEBHOOK_TIMEOUT_MS", "15000", |v| {
        in_range(v, 100, 120_000).map(|ms| Duration::from_millis(ms as u64))
    });
    let retry_schedule = parse_or(
        get,
        bad,
        "MELDEPLIKT_WEBHOOK_RETRY_SCHEDULE",
        DEFAULT_RETRY_SCHEDULE,
        schedule,
    );
    let disable_after = parse_or(get, bad, "MELDEPLIKT_WEBHOOK_DISABLE_AFTER", "5d", |v| {
        parse_duration(v).ok_or_else(|| "must be a duration such as 5d or 12h".to_owned())
    });
    let allow_private = parse_or(
        get,
        bad,
        "MELDEPLIKT_WEBHOOK_ALLOW_PRIVATE",
        "false",
        |v| match v {
            "true" => Ok(true),
            "false" => Ok(false),
            _ => Err("must be true or false".to_owned()),
        },
    );
    let concurrency = parse_or(get, bad, "MELDEPLIKT_WEBHOOK_CONCURRENCY", "16", |v| {
        in_range(v, 1, 1024)
    });
    let event_retention = parse_or(get, bad, "MELDEPLIKT_EVENT_RETENTION_DAYS", "90", |v| {
        in_range(v, 1, 3650).map(|days| Duration::from_secs(days as u64 * 86_400))
    });
    let polls_per_organisation = parse_or(
        get,
        bad,
        "MELDEPLIKT_EVENT_POLLS_PER_ORGANISATION",
        "20",
        |v| in_range(v, 1, 10_000),
    );
    let polls_per_address = parse_or(get, bad, "MELDEPLIKT_EVENT_POLLS_PER_ADDRESS", "100", |v| {
        in_range(v, 1, 100_000)
    });
    let secret_key = get("MELDEPLIKT_WEBHOOK_SECRET_KEY");
    if secret_key
        .as_deref()
        .is_some_and(|k| crate::auth::sealing::SealingKey::from_hex(k).is_none())
    {
        bad.push(BadSetting {
            variable: "MELDEPLIKT_WEBHOOK_SECRET_KEY",
            problem: "must be 64 hexadecimal digits (openssl rand -hex 32)".into(),
        });
    }
    Some(WebhookSettings {
        timeout: timeout?,
        retry_schedule: retry_schedule?,
        disable_after: disable_after?,
        allow_private: allow_private?,
        concurrency: concurrency?,
        event_retention: event_retention?,
        secret_key: secret_key.map(SecretString::from),
        poll_limits: PollLimits {
            per_organisation: polls_per_organisation?,
            per_address: polls_per_address?,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_and_schedules_read_as_written() {
        assert_eq!(parse_duration("250ms"), Some(Duration::from_millis(250)));
        assert_eq!(parse_duration("5d"), Some(Duration::from_secs(5 * 86_400)));
        assert_eq!(parse_duration("5"), None);
        assert_eq!(parse_duration("h"), None);
        assert_eq!(parse_duration("5w"), None);
        let waits = schedule(DEFAULT_RETRY_SCHEDULE).unwrap();
        assert_eq!(waits.len(), 7);
        let total: Duration = waits.iter().sum();
        // About a day in all.
        assert_eq!(
            total,
            Duration::from_secs(5 + 5 * 60 + 30 * 60 + (2 + 5 + 10 + 10) * 3600)
        );
        assert!(schedule("").is_err() && schedule("5s,,5m").is_err());
    }
}
