//! Accounts: organisations register themselves, admins manage users and
//! integration clients, regulators are made from the command line, users
//! keep a second factor (`mfa`). Owns `organisations`, `users` and
//! `api_clients`, and through `mfa` `totp_factors` and `recovery_codes`;
//! tokens are in `tokens`.

mod api_clients;
pub mod mfa;
mod organisations;
pub mod proven;
mod regulators;
pub mod store;
mod users;

use utoipa_actix_web::scope;
use utoipa_actix_web::service_config::ServiceConfig;

pub use organisations::{IdentifierView, OrganisationView};
pub use regulators::{CreatedRegulator, create_regulator};
pub use users::UserView;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(organisations::create_organisation)
        .service(organisations::get_me)
        .service(crate::events::webhooks::mount(
            scope("/v1/organisation")
                .service(users::list_users)
                .service(users::create_user)
                .service(users::delete_user)
                .service(api_clients::list_api_clients)
                .service(api_clients::create_api_client)
                .service(api_clients::delete_api_client),
        ))
        .service(
            scope("/v1/me/mfa")
                .service(mfa::routes::enrol_totp)
                .service(mfa::routes::confirm_totp)
                .service(mfa::routes::delete_totp),
        );
}
