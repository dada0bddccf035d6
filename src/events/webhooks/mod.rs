//! Webhooks: an organisation's endpoints that its events are delivered to,
//! as the Standard Webhooks specification has it. The events module queues
//! a delivery for each endpoint that wants the event in the transaction of
//! the event; the worker's deliverer sends them.
//!
//! - `endpoints` (routes: register, list, read, change, delete) and
//!   `actions` (the delivery log, a retry, recovery, a test, a new secret);
//!   `views`; `store`, the only writer of `webhook_endpoints`;
//! - `queue` (claims with leases and outcomes: the worker's side of
//!   `webhook_deliveries` and `webhook_attempts`) and `deliver` (the HTTP);
//! - pure: `secret` (secrets and signatures), `address` (which URLs and
//!   addresses are refused), `schedule` (what an answer means, when to try
//!   again); `mail` (to the admins when an endpoint is disabled).

mod actions;
pub mod address;
pub mod deliver;
mod endpoints;
mod mail;
pub mod queue;
pub mod schedule;
pub mod secret;
mod special;
mod store;
mod views;

use actix_web::dev::{ServiceFactory, ServiceRequest};
use utoipa_actix_web::scope::Scope;

use crate::auth::sealing::SealingKey;

pub use deliver::{Delivered, Deliverer};

/// What the routes need: the key secrets are sealed under, and whether
/// private addresses are allowed.
#[derive(Clone, Debug)]
pub struct WebhookApi {
    pub key: SealingKey,
    pub allow_private: bool,
}

impl WebhookApi {
    /// A new signing secret for the endpoint `id`, and it sealed.
    fn new_secret(
        &self,
        id: uuid::Uuid,
    ) -> Result<(secret::WebhookSecret, Vec<u8>), crate::error::ApiError> {
        let random = |e: getrandom::Error| crate::error::ApiError::internal(anyhow::anyhow!("{e}"));
        let secret = secret::WebhookSecret::generate().map_err(random)?;
        let sealed = self.key.seal(id, secret.bytes()).map_err(random)?;
        Ok((secret, sealed))
    }
}

/// Mounts the routes in the `/v1/organisation` scope (one scope per
/// prefix: actix does not look in a second scope of the same prefix).
pub fn mount<T>(scope: Scope<T>) -> Scope<T>
where
    T: ServiceFactory<ServiceRequest, Config = (), Error = actix_web::Error, InitError = ()>,
{
    scope
        .service(endpoints::list_webhooks)
        .service(endpoints::create_webhook)
        .service(endpoints::get_webhook)
        .service(endpoints::update_webhook)
        .service(endpoints::delete_webhook)
        .service(actions::list_webhook_deliveries)
        .service(actions::retry_webhook_delivery)
        .service(actions::recover_webhook)
        .service(actions::test_webhook)
        .service(actions::rotate_webhook_secret)
}
