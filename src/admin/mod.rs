//! The regulator's back office. Every route is for `regulator` accounts
//! only; for anyone else it does not exist (404), and no answer is kept by
//! a cache (`Cache-Control: no-store`). Every organisation's notifications
//! (list, one, versions, receipts; reads audited), their cases and case
//! notes, an organisation's claim to its identifier, mail given up, and
//! the audit log (searched, and its hash chain checked).

mod audit;
mod case_store;
mod cases;
mod export;
mod filters;
mod mail;
mod notifications;
mod organisations;
mod statistics;
mod store;
mod views;

pub use audit::CURSOR_PATTERN as AUDIT_CURSOR_PATTERN;

use actix_web::http::header;
use actix_web::middleware::DefaultHeaders;
use utoipa_actix_web::scope;
use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(
        scope("/v1/admin")
            .wrap(DefaultHeaders::new().add((header::CACHE_CONTROL, "no-store")))
            .service(notifications::admin_list_notifications)
            .service(notifications::admin_get_notification)
            .service(notifications::admin_list_versions)
            .service(notifications::admin_list_receipts)
            .service(statistics::admin_statistics)
            .service(export::admin_export)
            .service(cases::admin_update_case)
            .service(cases::admin_add_case_note)
            .service(cases::admin_list_case_notes)
            .service(organisations::get_organisation)
            .service(organisations::dispute_claim)
            .service(organisations::clear_dispute)
            .service(mail::list_failed_mail)
            .service(audit::admin_list_audit)
            .service(audit::admin_verify_audit),
    );
}
