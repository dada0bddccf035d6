//! Tokens: the token endpoint (password, client credentials and refresh
//! grants), refresh-token rotation with reuse detection, revocation, and
//! the published keys. Owns `refresh_tokens`; reads accounts.

mod request;
mod routes;
pub mod store;

use std::time::Duration;

use utoipa_actix_web::service_config::ServiceConfig;

/// Settings of sign-in that handlers need.
#[derive(Debug, Clone, Copy)]
pub struct AuthSettings {
    pub refresh_token_ttl: Duration,
    /// Failed logins of one account before back-off.
    pub free_failures: u32,
}

pub fn configure(cfg: &mut ServiceConfig) {
    routes::configure(cfg);
}
