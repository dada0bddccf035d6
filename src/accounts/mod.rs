//! Accounts and access: organisations register themselves, admins manage
//! users and integration clients, everyone gets tokens.

mod routes;
pub mod store;
mod token;

use std::time::Duration;

use utoipa_actix_web::service_config::ServiceConfig;

pub use routes::create_regulator;

/// Settings of sign-in that handlers need.
#[derive(Debug, Clone, Copy)]
pub struct AuthSettings {
    pub refresh_token_ttl: Duration,
    /// Failed logins of one account before back-off.
    pub free_failures: u32,
}

pub fn configure(cfg: &mut ServiceConfig) {
    routes::configure(cfg);
    token::configure(cfg);
}
