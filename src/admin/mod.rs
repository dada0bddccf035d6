//! The regulator's back office. Every route is for `regulator` accounts
//! only; for anyone else it does not exist (404). Today: an organisation's
//! claim to its identifier, and marking it disputed; mail given up.

mod mail;
mod organisations;

use utoipa_actix_web::scope;
use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(
        scope("/v1/admin")
            .service(organisations::get_organisation)
            .service(organisations::dispute_claim)
            .service(organisations::clear_dispute)
            .service(mail::list_failed_mail),
    );
}
