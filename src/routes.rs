//! Every route of the service, collected from each capability's
//! `configure`. Used by the server and by the OpenAPI document alike.

use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    crate::ops::configure(cfg);
    crate::accounts::configure(cfg);
    crate::tokens::configure(cfg);
    crate::notifications::configure(cfg);
    crate::code_lists::configure(cfg);
    crate::confirmations::configure(cfg);
    crate::confirmations::configure_page(cfg);
    crate::receipts::configure(cfg);
    crate::admin::configure(cfg);
    crate::events::configure(cfg);
    crate::register::configure(cfg);
    crate::register::page::configure(cfg);
}
