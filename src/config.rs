//! Settings from the environment, validated once at start.
//!
//! Every variable is read here and nowhere else. A bad value stops the
//! service with one message per bad variable, all at once.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use secrecy::SecretString;

use crate::auth::client::TrustedProxies;
use crate::auth::maskinporten::MaskinportenSettings;

pub mod maskinporten;
pub mod webhooks;

pub use webhooks::WebhookSettings;

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable lines (the default).
    Text,
    /// One JSON object per line, for log collectors.
    Json,
}

/// Every setting of the service.
#[derive(Debug, Clone)]
pub struct Settings {
    /// `DATABASE_URL`: the PostgreSQL server. Unset: a private server is started.
    pub database_url: Option<SecretString>,
    /// `MELDEPLIKT_LISTEN`: address and port to listen on.
    pub listen: SocketAddr,
    /// `MELDEPLIKT_DATA_DIR`: private database, development keys and mail.
    pub data_dir: PathBuf,
    /// `MELDEPLIKT_PUBLIC_URL`: base of links in mail, without a trailing slash.
    pub public_url: String,
    /// `MELDEPLIKT_CORS_ORIGINS`: comma-separated origins (`https://host[:port]`)
    /// whose browser code may call the authenticated routes. The public
    /// read-only routes are open to any origin.
    pub cors_origins: Vec<String>,
    /// `MELDEPLIKT_SMTP_URL`: an SMTP relay; unset, mail is written to `mail_dir`.
    pub smtp_url: Option<SecretString>,
    /// `MELDEPLIKT_SMTP_TIMEOUT_MS`: longest one mail may take at the relay,
    /// from connecting to its acceptance.
    pub smtp_timeout: Duration,
    /// `MELDEPLIKT_MAIL_FROM`: the sender of every mail, `Name <address>`.
    pub mail_from: String,
    /// `MELDEPLIKT_ISSUER_NAME`, `_ADDRESS`, `_ORGNR`, `_PLACE`: the
    /// authority named on receipts and in mail (default Datatilsynet).
    pub issuer: crate::domain::receipt::Issuer,
    /// `MELDEPLIKT_MAIL_DIR`: where `.eml` files go when no relay is set.
    pub mail_dir: PathBuf,
    /// `MELDEPLIKT_SIGNING_KEYS`: PEM files of Ed25519 keys; the first signs.
    pub signing_key_files: Vec<PathBuf>,
    /// `MELDEPLIKT_POOL_SIZE`: database connections.
    pub pool_size: usize,
    /// `MELDEPLIKT_POOL_TIMEOUT_MS`: longest wait for a free connection.
    pub pool_timeout: Duration,
    /// `MELDEPLIKT_STATEMENT_TIMEOUT_MS`: longest a single SQL statement may run.
    pub statement_timeout: Duration,
    /// `MELDEPLIKT_MAX_BODY_BYTES`: largest request body accepted.
    pub max_body_bytes: usize,
    /// `MELDEPLIKT_WORKERS`: HTTP worker threads.
    pub workers: usize,
    /// `MELDEPLIKT_SHUTDOWN_TIMEOUT_S`: how long requests in flight may finish on stop.
    pub shutdown_timeout: Duration,
    /// `MELDEPLIKT_LOG_FORMAT`: `text` or `json`.
    pub log_format: LogFormat,
    /// `MELDEPLIKT_ACCESS_TOKEN_TTL_S`: lifetime of an access token.
    pub access_token_ttl: Duration,
    /// `MELDEPLIKT_REFRESH_TOKEN_TTL_S`: lifetime of a refresh token.
    pub refresh_token_ttl: Duration,
    /// `MELDEPLIKT_HASH_CONCURRENCY`: password hashes computed at once.
    pub hash_concurrency: usize,
    /// `MELDEPLIKT_HASH_PRIORITY`: `low` (default: hashes use only the CPU
    /// requests leave) or `normal`.
    pub hash_priority: crate::auth::password::HashPriority,
    /// `MELDEPLIKT_LOGIN_FREE_FAILURES`: failed logins of an account before
    /// back-off starts (a client address gets four times as many).
    pub login_free_failures: u32,
    /// `MELDEPLIKT_TRUSTED_PROXIES`: comma-separated addresses and CIDR
    /// blocks of the reverse proxies whose `Forwarded` / `X-Forwarded-For`
    /// say who the client is. Unset: no proxy is trusted, the peer is the
    /// client (see [`crate::auth::client`]).
    pub trusted_proxies: TrustedProxies,
    /// Limits on what can be made to send mail or make accounts.
    pub rate_limits: RateLimits,
    /// `MELDEPLIKT_REGISTER_RATE_PER_MIN`: requests to the public
    /// register (API and page) per client address and minute; 0 is no limit.
    pub register_rate_per_min: u32,
    /// `MELDEPLIKT_EXPORT_STALL_S`: how long a download's reader may take
    /// nothing before the service gives up on it and frees what it held.
    pub export_stall: Duration,
    /// `MELDEPLIKT_NOTIFICATION_KEY_SECRET`: the server secret of the keyed
    /// hash of notification keys (at least 32 characters). Unset: a
    /// development secret is made under the data folder.
    pub notification_key_secret: Option<SecretString>,
    /// `MELDEPLIKT_TOTP_KEY`: the key (64 hexadecimal digits, 256 bits) the
    /// users' TOTP secrets are sealed under. Unset: a development key is
    /// made under the data folder.
    pub totp_key: Option<SecretString>,
    /// `MELDEPLIKT_WORKER_INTERVAL_MS`: pause between rounds of the worker
    /// (mail, lapse, expiry, reminders); 0 turns the worker off.
    pub worker_interval: Option<Duration>,
    /// `MELDEPLIKT_MASKINPORTEN_*`: where Maskinporten tokens are accepted
    /// beside the service's own; none when `..._ISSUER` is unset.
    pub maskinporten: Option<MaskinportenSettings>,
    /// Events and webhooks ([`webhooks::WebhookSettings`]).
    pub webhooks: WebhookSettings,
    /// The clock. Not an environment variable: tests set a fixed one.
    pub clock: crate::clock::Clock,
    /// Stop gracefully on SIGINT and SIGTERM. Not an environment variable:
    /// tests that run servers inside the test process turn it off.
    pub handle_signals: bool,
}

/// One bad environment variable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadSetting {
    pub variable: &'static str,
    pub problem: String,
}

/// All bad environment variables at once.
#[derive(Debug, thiserror::Error)]
#[error("invalid configuration:{}", .0.iter().map(|b| format!("\n  {}: {}", b.variable, b.problem)).collect::<String>())]
pub struct ConfigError(pub Vec<BadSetting>);

impl Settings {
    /// Reads the settings from the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads the settings through `lookup`, so tests need not touch the
    /// process environment.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let mut bad = Vec::new();
        let get = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());

        let database_url = get("DATABASE_URL").map(SecretString::from);
        if let Some(url) = get("DATABASE_URL")
            && !(url.starts_with("postgres://") || url.starts_with("postgresql://"))
        {
            bad.push(BadSetting {
                variable: "DATABASE_URL",
                problem: "must start with postgres:// or postgresql://".into(),
            });
        }

        let listen = parse_or(&get, &mut bad, "MELDEPLIKT_LISTEN", "127.0.0.1:8080", |v| {
            v.parse::<SocketAddr>()
                .map_err(|_| "must be an address and port, such as 127.0.0.1:8080".to_owned())
        });

        let data_dir = PathBuf::from(get("MELDEPLIKT_DATA_DIR").unwrap_or_else(|| "./var".into()));

        let public_url = match get("MELDEPLIKT_PUBLIC_URL") {
            Some(url) => {
                let url = url.trim_end_matches('/').to_owned();
                if !(url.starts_with("http://") || url.starts_with("https://"))
                    || url.len() <= "https://".len()
                {
                    bad.push(BadSetting {
                        variable: "MELDEPLIKT_PUBLIC_URL",
                        problem: "must be an http:// or https:// URL".into(),
                    });
                }
                url
            }
            None => format!("http://{}", listen.unwrap_or(([127, 0, 0, 1], 8080).into())),
        };

        let cors_origins: Vec<String> = get("MELDEPLIKT_CORS_ORIGINS")
            .map(|v| {
                v.split(',')
                    .map(|o| o.trim().trim_end_matches('/').to_owned())
                    .filter(|o| !o.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        for origin in &cors_origins {
            let rest = origin
                .strip_prefix("https://")
                .or_else(|| origin.strip_prefix("http://"));
            if rest.is_none_or(|host| host.is_empty() || host.contains('/') || origin.contains('*'))
            {
                bad.push(BadSetting {
                    variable: "MELDEPLIKT_CORS_ORIGINS",
                    problem: format!(
                        "{origin:?} is not an origin such as https://skjema.example.no"
                    ),
                });
            }
        }

        let smtp_url = get("MELDEPLIKT_SMTP_URL");
        if let Some(url) = &smtp_url
            && !(url.starts_with("smtp://") || url.starts_with("smtps://"))
        {
            bad.push(BadSetting {
                variable: "MELDEPLIKT_SMTP_URL",
                problem: "must start with smtp:// or smtps://".into(),
            });
        }
        let smtp_url = smtp_url.map(SecretString::from);

        let mail_dir = get("MELDEPLIKT_MAIL_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| data_dir.join("mail"));

        let signing_key_files = get("MELDEPLIKT_SIGNING_KEYS")
            .map(|v| {
                v.split(',')
                    .map(str::trim)
                    .filter(|p| !p.is_empty())
                    .map(PathBuf::from)
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default();
        for file in &signing_key_files {
            if !file.is_file() {
                bad.push(BadSetting {
                    variable: "MELDEPLIKT_SIGNING_KEYS",
                    problem: format!("{} is not a readable file", file.display()),
                });
            }
        }

        let pool_size = parse_or(&get, &mut bad, "MELDEPLIKT_POOL_SIZE", "8", |v| {
            in_range(v, 2, 64)
        });
        let smtp_timeout = parse_or(&get, &mut bad, "MELDEPLIKT_SMTP_TIMEOUT_MS", "30000", |v| {
            in_range(v, 100, 600_000).map(|ms| Duration::from_millis(ms as u64))
        });
        let pool_timeout = parse_or(&get, &mut bad, "MELDEPLIKT_POOL_TIMEOUT_MS", "2000", |v| {
            in_range(v, 10, 60_000).map(|ms| Duration::from_millis(ms as u64))
        });
        let statement_timeout = parse_or(
            &get,
            &mut bad,
            "MELDEPLIKT_STATEMENT_TIMEOUT_MS",
            "10000",
            |v| in_range(v, 100, 600_000).map(|ms| Duration::from_millis(ms as u64)),
        );
        let max_body_bytes = parse_or(&get, &mut bad, "MELDEPLIKT_MAX_BODY_BYTES", "262144", |v| {
            in_range(v, 1024, 16 * 1024 * 1024)
        });
        let default_workers = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2)
            .to_string();
        let workers = parse_or(
            &get,
            &mut bad,
            "MELDEPLIKT_WORKERS",
            &default_workers,
            |v| in_range(v, 1, 256),
        );
        let shutdown_timeout =
            parse_or(&get, &mut bad, "MELDEPLIKT_SHUTDOWN_TIMEOUT_S", "30", |v| {
                in_range(v, 0, 3600).map(|s| Duration::from_secs(s as u64))
            });
        let log_format = parse_or(&get, &mut bad, "MELDEPLIKT_LOG_FORMAT", "text", |v| match v
            .to_ascii_lowercase()
            .as_str()
        {
            "text" => Ok(LogFormat::Text),
            "json" => Ok(LogFormat::Json),
            _ => Err("must be text or json".to_owned()),
        });

        let access_token_ttl = parse_or(
            &get,
            &mut bad,
            "MELDEPLIKT_ACCESS_TOKEN_TTL_S",
            "900",
            |v| in_range(v, 60, 3600).map(|s| Duration::from_secs(s as u64)),
        );
        let refresh_token_ttl = parse_or(
            &get,
            &mut bad,
            "MELDEPLIKT_REFRESH_TOKEN_TTL_S",
            "2592000",
            |v| in_range(v, 600, 31_536_000).map(|s| Duration::from_secs(s as u64)),
        );
        let hash_concurrency = parse_or(
            &get,
            &mut bad,
            "MELDEPLIKT_HASH_CONCURRENCY",
            &default_workers,
            |v| in_range(v, 1, 64),
        );
        let hash_priority = parse_or(&get, &mut bad, "MELDEPLIKT_HASH_PRIORITY", "low", |v| {
            use crate::auth::password::HashPriority;
            match v {
                "low" => Ok(HashPriority::Low),
                "normal" => Ok(HashPriority::Normal),
                _ => Err("must be low or normal".to_owned()),
            }
        });
        let login_free_failures =
            parse_or(&get, &mut bad, "MELDEPLIKT_LOGIN_FREE_FAILURES", "5", |v| {
                in_range(v, 1, 100).map(|n| n as u32)
            });

        let trusted_proxies = parse_or(&get, &mut bad, "MELDEPLIKT_TRUSTED_PROXIES", "", |v| {
            TrustedProxies::parse(v)
        });

        let per_hour = |bad: &mut Vec<BadSetting>, variable, default| {
            parse_or(&get, bad, variable, default, |v| {
                in_range(v, 1, 1_000_000).map(|n| crate::rate_limit::Limit::per_hour(n as u32))
            })
        };
        let resends = per_hour(&mut bad, "MELDEPLIKT_RESENDS_PER_HOUR", "3");
        let organisation_mail = per_hour(&mut bad, "MELDEPLIKT_ORGANISATION_MAIL_PER_HOUR", "200");
        let registrations = per_hour(&mut bad, "MELDEPLIKT_REGISTRATIONS_PER_HOUR", "10");
        let register_rate_per_min = parse_or(
            &get,
            &mut bad,
            "MELDEPLIKT_REGISTER_RATE_PER_MIN",
            "600",
            |v| in_range(v, 0, 1_000_000).map(|n| n as u32),
        );
        let export_stall = parse_or(&get, &mut bad, "MELDEPLIKT_EXPORT_STALL_S", "60", |v| {
            in_range(v, 1, 3600).map(|s| Duration::from_secs(s as u64))
        });

        let worker_interval = parse_or(
            &get,
            &mut bad,
            "MELDEPLIKT_WORKER_INTERVAL_MS",
            "1000",
            |v| {
                in_range(v, 0, 3_600_000)
                    .map(|ms| (ms > 0).then(|| Duration::from_millis(ms as u64)))
            },
        );
        let notification_key_secret = get("MELDEPLIKT_NOTIFICATION_KEY_SECRET");
        if notification_key_secret
            .as_ref()
            .is_some_and(|s| s.chars().count() < 32)
        {
            bad.push(BadSetting {
                variable: "MELDEPLIKT_NOTIFICATION_KEY_SECRET",
                problem: "must be at least 32 characters".into(),
            });
        }
        let notification_key_secret = notification_key_secret.map(SecretString::from);
        let totp_key = get("MELDEPLIKT_TOTP_KEY");
        if totp_key
            .as_deref()
            .is_some_and(|k| crate::auth::totp::TotpKey::from_hex(k).is_none())
        {
            bad.push(BadSetting {
                variable: "MELDEPLIKT_TOTP_KEY",
                problem: "must be 64 hexadecimal digits (openssl rand -hex 32)".into(),
            });
        }
        let totp_key = totp_key.map(SecretString::from);
        let maskinporten = maskinporten::read(&get, &mut bad, &public_url);
        let webhooks = webhooks::read(&get, &mut bad);

        let defaults = crate::domain::receipt::Issuer::default();
        let issuer = crate::domain::receipt::Issuer {
            name: get("MELDEPLIKT_ISSUER_NAME").unwrap_or(defaults.name),
            address: get("MELDEPLIKT_ISSUER_ADDRESS").unwrap_or(defaults.address),
            orgnr: get("MELDEPLIKT_ISSUER_ORGNR").unwrap_or(defaults.orgnr),
            place: get("MELDEPLIKT_ISSUER_PLACE").unwrap_or(defaults.place),
        };
        if crate::domain::identifiers::OrgNumber::parse(&issuer.orgnr).is_err() {
            bad.push(BadSetting {
                variable: "MELDEPLIKT_ISSUER_ORGNR",
                problem: "must be a Norwegian organisation number (nine digits, check digit)"
                    .into(),
            });
        }

        if !bad.is_empty() {
            return Err(ConfigError(bad));
        }
        // Every `parse_or` above pushed to `bad` when it returned None.
        let missing = || ConfigError(Vec::new());
        Ok(Self {
            database_url,
            listen: listen.ok_or_else(missing)?,
            data_dir,
            public_url,
            cors_origins,
            smtp_url,
            smtp_timeout: smtp_timeout.ok_or_else(missing)?,
            mail_from: get("MELDEPLIKT_MAIL_FROM").unwrap_or_else(|| DEFAULT_MAIL_FROM.to_owned()),
            issuer,
            mail_dir,
            signing_key_files,
            pool_size: pool_size.ok_or_else(missing)?,
            pool_timeout: pool_timeout.ok_or_else(missing)?,
            statement_timeout: statement_timeout.ok_or_else(missing)?,
            max_body_bytes: max_body_bytes.ok_or_else(missing)?,
            workers: workers.ok_or_else(missing)?,
            shutdown_timeout: shutdown_timeout.ok_or_else(missing)?,
            log_format: log_format.ok_or_else(missing)?,
            access_token_ttl: access_token_ttl.ok_or_else(missing)?,
            refresh_token_ttl: refresh_token_ttl.ok_or_else(missing)?,
            hash_concurrency: hash_concurrency.ok_or_else(missing)?,
            hash_priority: hash_priority.ok_or_else(missing)?,
            login_free_failures: login_free_failures.ok_or_else(missing)?,
            trusted_proxies: trusted_proxies.ok_or_else(missing)?,
            rate_limits: RateLimits {
                resends: resends.ok_or_else(missing)?,
                organisation_mail: organisation_mail.ok_or_else(missing)?,
                registrations: registrations.ok_or_else(missing)?,
            },
            register_rate_per_min: register_rate_per_min.ok_or_else(missing)?,
            export_stall: export_stall.ok_or_else(missing)?,
            notification_key_secret,
            totp_key,
            worker_interval: worker_interval.ok_or_else(missing)?,
            maskinporten,
            webhooks: webhooks.ok_or_else(missing)?,
            clock: crate::clock::Clock::System,
            handle_signals: true,
        })
    }
}

/// How often mail may be caused and accounts made, per hour.
#[derive(Debug, Clone, Copy)]
pub struct RateLimits {
    /// `MELDEPLIKT_RESENDS_PER_HOUR`: confirmation mail sent again, per
    /// notification.
    pub resends: crate::rate_limit::Limit,
    /// `MELDEPLIKT_ORGANISATION_MAIL_PER_HOUR`: mail an organisation's
    /// requests cause (confirmations, resends, new keys).
    pub organisation_mail: crate::rate_limit::Limit,
    /// `MELDEPLIKT_REGISTRATIONS_PER_HOUR`: organisations registered from
    /// one client address.
    pub registrations: crate::rate_limit::Limit,
}

/// The sender of every mail unless `MELDEPLIKT_MAIL_FROM` says otherwise.
const DEFAULT_MAIL_FROM: &str = "Datatilsynet <no-reply@meldeplikt.example>";

fn parse_or<T>(
    get: &impl Fn(&str) -> Option<String>,
    bad: &mut Vec<BadSetting>,
    variable: &'static str,
    default: &str,
    parse: impl Fn(&str) -> Result<T, String>,
) -> Option<T> {
    let value = get(variable).unwrap_or_else(|| default.to_owned());
    match parse(value.trim()) {
        Ok(v) => Some(v),
        Err(problem) => {
            bad.push(BadSetting {
                variable,
                problem: format!("{problem} (got {value:?})"),
            });
            None
        }
    }
}

fn in_range(value: &str, min: usize, max: usize) -> Result<usize, String> {
    value
        .parse::<usize>()
        .ok()
        .filter(|n| (min..=max).contains(n))
        .ok_or_else(|| format!("must be a whole number from {min} to {max}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;
    use std::collections::HashMap;

    fn settings(vars: &[(&str, &str)]) -> Result<Settings, ConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Settings::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn defaults_are_those_the_readme_promises() {
        let s = settings(&[]).unwrap();
        assert!(s.database_url.is_none());
        assert_eq!(s.listen, "127.0.0.1:8080".parse().unwrap());
        assert_eq!(s.data_dir, PathBuf::from("./var"));
        assert_eq!(s.mail_dir, PathBuf::from("./var/mail"));
        assert_eq!(s.public_url, "http://127.0.0.1:8080");
        assert_eq!(s.pool_size, 8);
        assert_eq!(s.max_body_bytes, 262_144);
        assert_eq!(s.log_format, LogFormat::Text);
        assert!(s.trusted_proxies.is_empty());
        assert_eq!(s.hash_priority, crate::auth::password::HashPriority::Low);
    }

    #[test]
    fn the_hash_priority_is_low_or_normal() {
        use crate::auth::password::HashPriority;
        let normal = settings(&[("MELDEPLIKT_HASH_PRIORITY", "normal")]).unwrap();
        assert_eq!(normal.hash_priority, HashPriority::Normal);
        let err = settings(&[("MELDEPLIKT_HASH_PRIORITY", "high")]).unwrap_err();
        assert!(
            err.to_string()
                .contains("MELDEPLIKT_HASH_PRIORITY: must be low or normal"),
            "{err}"
        );
    }

    #[test]
    fn every_bad_value_is_reported_at_once() {
        let err = settings(&[
            ("DATABASE_URL", "mysql://x"),
            ("MELDEPLIKT_LISTEN", "localhost"),
            ("MELDEPLIKT_POOL_SIZE", "1"),
            ("MELDEPLIKT_LOG_FORMAT", "xml"),
            ("MELDEPLIKT_PUBLIC_URL", "ftp://x"),
            (
                "MELDEPLIKT_CORS_ORIGINS",
                "https://skjema.example.no, https://x.no/path",
            ),
            ("MELDEPLIKT_SMTP_URL", "http://mail"),
            ("MELDEPLIKT_SIGNING_KEYS", "/nonexistent/key.pem"),
            ("MELDEPLIKT_TRUSTED_PROXIES", "10.0.0.0/8, proxy.example"),
            ("MELDEPLIKT_TOTP_KEY", "not hexadecimal"),
        ])
        .unwrap_err();
        let names: Vec<_> = err.0.iter().map(|b| b.variable).collect();
        assert_eq!(
            names,
            [
                "DATABASE_URL",
                "MELDEPLIKT_LISTEN",
                "MELDEPLIKT_PUBLIC_URL",
                "MELDEPLIKT_CORS_ORIGINS",
                "MELDEPLIKT_SMTP_URL",
                "MELDEPLIKT_SIGNING_KEYS",
                "MELDEPLIKT_POOL_SIZE",
                "MELDEPLIKT_LOG_FORMAT",
                "MELDEPLIKT_TRUSTED_PROXIES",
                "MELDEPLIKT_TOTP_KEY"
            ]
        );
        let text = err.to_string();
        assert!(text.contains("MELDEPLIKT_POOL_SIZE: must be a whole number from 2 to 64"));
    }

    #[test]
    fn secrets_are_not_printed_by_debug() {
        let key = "5f".repeat(32);
        let s = settings(&[
            ("DATABASE_URL", "postgres://u:hunter2@db/x"),
            ("MELDEPLIKT_TOTP_KEY", &key),
        ])
        .unwrap();
        assert!(!format!("{s:?}").contains(&key));
        assert_eq!(
            s.database_url.as_ref().unwrap().expose_secret(),
            "postgres://u:hunter2@db/x"
        );
        assert!(!format!("{s:?}").contains("hunter2"));
    }
}
