//! Confirmation by e-mail, for the holder of the link: what a link would
//! confirm, and the confirmation itself, over the JSON API (`routes`) and
//! as the page behind the link (`page`). The notification's tables are
//! changed through `notifications::store` only.

mod confirm;
mod page;
mod page_views;
mod replay;
mod routes;
mod sections;
mod words;

use chrono::{DateTime, NaiveDate, Utc};
use diesel_async::AsyncPgConnection;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::db::Pool;
use crate::domain::code_lists::{Law, LegalGround, Purpose, RegistrationKind, Sector};
use crate::domain::i18n::Lang;
use crate::domain::notification::Notification;
use crate::domain::version::Confirming;
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
    Ok(read_preview(&mut conn, token, now).await?.0)
}

/// What the page shows before confirming: the preview, the content
/// section by section, and for an amendment what changed since the
/// registered version.
pub struct Review {
    pub preview: Preview,
    pub confirming: Confirming,
    pub registration_kind: RegistrationKind,
    pub sections: Vec<sections::Section>,
    pub changes: Vec<sections::Change>,
}

/// What the link `token` would confirm, for the page.
pub async fn review(pool: &Pool, token: &str, now: DateTime<Utc>) -> Result<Review, ApiError> {
    let mut conn = pool.get().await?;
    let (preview, row, content) = read_preview(&mut conn, token, now).await?;
    let lang = content.language();
    let confirming = row
        .waiting()
        .map_or(Confirming::Registration, |(confirming, _)| confirming);
    let mut shown = sections::sections(&content, lang);
    let mut changes = Vec::new();
    if let (Confirming::Amendment, Some(registered)) = (confirming, row.registered_version) {
        let stored = notification_store::version(&mut conn, row.id, registered).await?;
        let before = Notification::from_stored(stored.content).map_err(ApiError::internal)?;
        changes = sections::compare(&sections::sections(&before, lang), &mut shown);
    }
    Ok(Review {
        preview,
        confirming,
        registration_kind: content.registration_kind(),
        sections: shown,
        changes,
    })
}

/// The language of the notification behind `token`, whatever state the
/// link is in; `None` for a link that never existed.
pub async fn language_of(pool: &Pool, token: &str) -> Option<Lang> {
    if !links::looks_like_a_token(token) {
        return None;
    }
    let mut conn = pool.get().await.ok()?;
    let link = links::find(&mut conn, token, false).await.ok()??;
    let row = notification_store::by_id(&mut conn, link.notification_id)
        .await
        .ok()?;
    let number = link.version.unwrap_or(row.shown_version());
    let stored = notification_store::version(&mut conn, row.id, number)
        .await
        .ok()?;
    Notification::from_stored(stored.content)
        .ok()
        .map(|n| n.language())
}

async fn read_preview(
    conn: &mut AsyncPgConnection,
    token: &str,
    now: DateTime<Utc>,
) -> Result<(Preview, notification_store::NotificationRow, Notification), ApiError> {
    let link = live_link(conn, token, now, false).await?;
    let row = notification_store::by_id(conn, link.notification_id).await?;
    let Some((confirming, version)) = row.waiting() else {
        return Err(gone(Say::new("no_longer_waiting")));
    };
    let content = content_to_confirm(conn, &row).await?;
    let organisation = crate::accounts::store::organisation(conn, row.organisation_id).await?;
    let identifier = &content.controller().identifier;
    let preview = Preview {
        number: row.number.clone(),
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
    };
    Ok((preview, row, content))
}

/// A used link's receipt and what was kept for the browser that used it.
pub async fn replay_of(pool: &Pool, token: &str) -> Result<Option<links::Replay>, ApiError> {
    if !links::looks_like_a_token(token) {
        return Ok(None);
    }
    let mut conn = pool.get().await?;
    Ok(links::replay_of(&mut conn, token).await?)
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
