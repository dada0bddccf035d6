//! Confirmation by e-mail, for the holder of the link: what a link would
//! confirm, and the confirmation itself, over the JSON API (`routes`) and
//! as the page behind the link (`page`). The notification's tables are
//! changed through `notifications::store` only.

mod confirm;
mod page;
mod routes;
mod words;

use chrono::{DateTime, NaiveDate, Utc};
use diesel_async::AsyncPgConnection;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::db::Pool;
use crate::domain::code_lists::{Law, LegalGround, Purpose, Sector};
use crate::domain::i18n::Lang;
use crate::error::{ApiError, Say};
use crate::notifications::asks::content_to_confirm;
use crate::notifications::store::{self as notification_store, links};
use crate::receipts::store::ReceiptRow;

pub use confirm::{Confirmed, confirm};
pub use page::configure as configure_page;

pub fn configure(cfg: &mut ServiceConfig) {
    routes::configure(cfg);
}

/// What a link confirms.
#[derive(Debug, Serialize, ToSchema)]
pub struct Preview {
    #[schema(example = "2026-000123")]
    pub number: String,
    /// `registration`, `amendment` or `withdrawal`.
    #[schema(example = "registration")]
    pub kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<i32>,
    /// The organisation that submitted it.
    pub organisation: String,
    pub controller_name: String,
    pub controller_identifier: String,
    pub law: Law,
    pub legal_ground: LegalGround,
    pub sector: Sector,
    pub purpose: Purpose,
    pub start_date: NaiveDate,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub confirmation_email: String,
    pub language: Lang,
    /// When the link stops working.
    pub expires_at: DateTime<Utc>,
}

/// Why a link does not work.
fn gone(detail: Say) -> ApiError {
    ApiError::Gone { detail }
}

/// The link of `token` while it works: 404 for an unknown one, 410 for one
/// used, replaced or expired.
async fn live_link(
    conn: &mut AsyncPgConnection,
    token: &str,
    now: DateTime<Utc>,
    lock: bool,
) -> Result<links::LinkRow, ApiError> {
    if !links::looks_like_a_token(token) {
        return Err(ApiError::NotFound);
    }
    let link = links::find(conn, token, lock)
        .await?
        .ok_or(ApiError::NotFound)?;
    if link.used_at.is_some() {
        return Err(gone(Say::new("link_used")));
    }
    if link.revoked_at.is_some() {
        return Err(gone(Say::new("link_replaced")));
    }
    if link.expires_at <= now {
        return Err(gone(Say::new("link_expired")));
    }
    Ok(link)
}

/// What the link `token` would confirm.
pub async fn preview(pool: &Pool, token: &str, now: DateTime<Utc>) -> Result<Preview, ApiError> {
    let mut conn = pool.get().await?;
    let link = live_link(&mut conn, token, now, false).await?;
    let row = notification_store::by_id(&mut conn, link.notification_id).await?;
    let Some((confirming, version)) = row.waiting() else {
        return Err(gone(Say::new("no_longer_waiting")));
    };
    let content = content_to_confirm(&mut conn, &row).await?;
    let organisation = crate::accounts::store::organisation(&mut conn, row.organisation_id).await?;
    let identifier = &content.controller().identifier;
    Ok(Preview {
        number: row.number,
        kind: confirming.code(),
        version,
        organisation: organisation.name,
        controller_name: content.controller().name.clone(),
        controller_identifier: format!("{} {}", identifier.scheme.code(), identifier.value),
        law: content.law(),
        legal_ground: content.legal_ground(),
        sector: content.sector(),
        purpose: content.purpose(),
        start_date: content.start_date(),
        description: content.description().map(str::to_owned),
        confirmation_email: content.confirmation_email().to_owned(),
        language: content.language(),
        expires_at: link.expires_at,
    })
}

/// The receipt a used link issued, for the page behind the link.
pub async fn receipt_of_used_link(pool: &Pool, token: &str) -> Result<ReceiptRow, ApiError> {
    if !links::looks_like_a_token(token) {
        return Err(ApiError::NotFound);
    }
    let mut conn = pool.get().await?;
    let receipt_id = links::receipt_of(&mut conn, token)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(crate::receipts::store::by_id(&mut conn, receipt_id).await?)
}
