//! Notifications (meldinger) over HTTP and in PostgreSQL: submit, read,
//! change with the key, ask for confirmation; and `store`, the one writer
//! of the notification's tables.

pub mod asks;
mod change;
mod read;
pub mod store;
mod submit;
pub mod views;

use crate::domain::receipt::Issuer;
use std::path::Path;

use secrecy::{ExposeSecret, SecretString};
use utoipa_actix_web::scope;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::config::RateLimits;
use crate::domain::lifecycle::Periods;

pub use read::Q_MAX;
pub use views::{AmendmentInput, WithdrawalInput};

/// What notification handlers need beyond the pool.
pub struct NotificationSettings {
    key_secret: SecretString,
    /// Base of the links in mail.
    pub public_url: String,
    pub periods: Periods,
    /// Wrong keys for one notification before back-off.
    pub free_key_failures: u32,
    /// How much mail an organisation may cause.
    pub limits: RateLimits,
    /// The authority, who signs the mail.
    pub issuer: Issuer,
}

impl NotificationSettings {
    /// The configured key secret, or a development one kept under `data_dir`.
    pub fn load(
        configured: Option<&SecretString>,
        data_dir: &Path,
        public_url: &str,
        limits: RateLimits,
        issuer: Issuer,
    ) -> anyhow::Result<Self> {
        let key_secret = match configured {
            Some(secret) => secret.clone(),
            None => SecretString::from(development_secret(data_dir)?),
        };
        Ok(Self {
            key_secret,
            public_url: public_url.to_owned(),
            periods: Periods::default(),
            free_key_failures: 5,
            limits,
            issuer,
        })
    }

    pub fn key_secret(&self) -> &[u8] {
        self.key_secret.expose_secret().as_bytes()
    }
}

fn development_secret(data_dir: &Path) -> anyhow::Result<String> {
    crate::auth::sealing::development_key(
        data_dir,
        "notification-key-secret",
        "MELDEPLIKT_NOTIFICATION_KEY_SECRET",
    )
}

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(
        scope("/v1/notifications")
            .service(submit::create_notification)
            .service(submit::validate_notification)
            .service(read::list_notifications)
            .service(read::get_notification)
            .service(read::list_versions)
            .service(read::get_version)
            .service(read::get_diff)
            .service(change::create_amendment)
            .service(change::create_withdrawal)
            .service(asks::resend_confirmation)
            .service(asks::issue_key)
            .service(read::list_receipts),
    );
}
