//! The public register (fortegnelse): for anyone, without an account.
//! Search and one entry, the feed of changes, the open-data export and its
//! DCAT catalogue, and the web page for people. Everything reads the
//! projection that [`projection`] keeps in the transaction of each change,
//! so the register shows a confirmation, a withdrawal or an expiry at the
//! moment it takes effect, and only the public fields exist to show.

mod cache;
mod catalog;
mod export;
mod form;
pub mod page;
mod page_views;
mod params;
pub mod projection;
pub mod public;
mod routes;
mod search;
mod store;
mod views;
mod words;

use utoipa_actix_web::scope;
use utoipa_actix_web::service_config::ServiceConfig;

pub use public::Public;
pub use search::{CURSOR_PATTERN, Q_MAX};

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(
        scope("/v1/register")
            .service(routes::search_register)
            .service(export::export_register)
            .service(routes::list_register_changes)
            .service(catalog::get_register_catalog)
            .service(routes::get_register_entry),
    );
}
