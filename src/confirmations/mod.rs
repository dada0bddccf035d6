//! Confirmation by e-mail: the single-use link that makes a submission,
//! an amendment or a withdrawal count, and the receipt it issues.

mod page;
mod routes;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use serde::Serialize;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::audit::{self, Actor, Entry};
use crate::clock::oslo_date;
use crate::db::Pool;
use crate::domain::code_lists::{Law, LegalGround, Purpose, RegistrationKind, Sector};
use crate::domain::i18n::Lang;
use crate::domain::key::NotificationKey;
use crate::domain::lifecycle::{Action, Status};
use crate::domain::notification::Notification;
use crate::domain::receipt::{Confirmation, ReceiptContent, ReceiptKind};
use crate::error::ApiError;
use crate::mail::templates::{self, Confirming};
use crate::notifications::NotificationSettings;
use crate::notifications::store::{self as notification_store, NotificationRow};
use crate::receipts::store::{self as receipt_store, ReceiptRow};
use crate::receipts::{ReceiptSigner, ReceiptView};
use crate::schema::{confirmation_tokens, notification_versions, notifications};

pub fn configure(cfg: &mut ServiceConfig) {
    routes::configure(cfg);
}

pub use page::configure as configure_page;

/// How long a link works.
pub const TOKEN_DAYS: i64 = 14;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = confirmation_tokens)]
struct TokenRow {
    id: Uuid,
    notification_id: Uuid,
    action: String,
    version: Option<i32>,
    created_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
    used_at: Option<DateTime<Utc>>,
    revoked_at: Option<DateTime<Utc>>,
}

fn hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// A token as it appears in links: 32 random bytes, base64url.
fn looks_like_a_token(token: &str) -> bool {
    token.len() == 43 && URL_SAFE_NO_PAD.decode(token).is_ok_and(|b| b.len() == 32)
}

/// Issues a confirmation link for what now waits on `row` and queues the
/// mail, in the caller's transaction. Earlier links stop working.
pub async fn issue(
    conn: &mut AsyncPgConnection,
    settings: &NotificationSettings,
    row: &NotificationRow,
    confirming: Confirming,
    version: Option<i32>,
    content: &Notification,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    diesel::update(
        confirmation_tokens::table
            .filter(confirmation_tokens::notification_id.eq(row.id))
            .filter(confirmation_tokens::used_at.is_null())
            .filter(confirmation_tokens::revoked_at.is_null()),
    )
    .set(confirmation_tokens::revoked_at.eq(now))
    .execute(conn)
    .await?;
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| ApiError::internal(anyhow::anyhow!("{e}")))?;
    let token = URL_SAFE_NO_PAD.encode(bytes);
    let expires_at = now + chrono::Duration::days(TOKEN_DAYS);
    diesel::insert_into(confirmation_tokens::table)
        .values((
            confirmation_tokens::id.eq(Uuid::new_v4()),
            confirmation_tokens::notification_id.eq(row.id),
            confirmation_tokens::token_hash.eq(hash(&token)),
            confirmation_tokens::action.eq(confirming.code()),
            confirmation_tokens::version.eq(version),
            confirmation_tokens::created_at.eq(now),
            confirmation_tokens::expires_at.eq(expires_at),
        ))
        .execute(conn)
        .await?;
    let link = format!("{}/confirm/{token}", settings.public_url);
    let mail = templates::confirmation(
        content.confirmation_email(),
        content.language(),
        confirming,
        &row.number,
        &content.controller().name,
        &link,
        oslo_date(expires_at),
    );
    crate::mail::enqueue(conn, mail, now).await
}

/// The content a confirmation of `row` concerns: the pending version, or
/// for a withdrawal the registered one.
pub async fn pending_content(
    conn: &mut AsyncPgConnection,
    row: &NotificationRow,
) -> Result<(Confirming, Option<i32>, Notification), ApiError> {
    let (confirming, version) = match row.status() {
        Status::AwaitingConfirmation => (Confirming::Registration, Some(row.latest_version)),
        Status::AmendmentAwaitingConfirmation => (Confirming::Amendment, Some(row.latest_version)),
        Status::WithdrawalAwaitingConfirmation => (Confirming::Withdrawal, None),
        other => {
            return Err(ApiError::conflict(
                "nothing_to_confirm",
                format!(
                    "The notification is {} and waits for no confirmation",
                    other.code()
                ),
            ));
        }
    };
    let shown = version.unwrap_or(row.shown_version());
    let stored = notification_store::version(conn, row.id, shown).await?;
    let content = Notification::from_stored(stored.content).map_err(ApiError::internal)?;
    Ok((confirming, version, content))
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
fn gone(detail: &str) -> ApiError {
    ApiError::Gone {
        detail: detail.to_owned(),
    }
}

async fn live_token(
    conn: &mut AsyncPgConnection,
    token: &str,
    now: DateTime<Utc>,
    lock: bool,
) -> Result<TokenRow, ApiError> {
    if !looks_like_a_token(token) {
        return Err(ApiError::NotFound);
    }
    let query = confirmation_tokens::table
        .filter(confirmation_tokens::token_hash.eq(hash(token)))
        .select(TokenRow::as_select());
    let row: Option<TokenRow> = if lock {
        query.for_update().first(conn).await.optional()?
    } else {
        query.first(conn).await.optional()?
    };
    let row = row.ok_or(ApiError::NotFound)?;
    if row.used_at.is_some() {
        return Err(gone("This link has been used: the confirmation is done"));
    }
    if row.revoked_at.is_some() {
        return Err(gone(
            "This link was replaced by a newer one; use the newest message",
        ));
    }
    if row.expires_at <= now {
        return Err(gone(
            "This link has expired; ask for a new confirmation message",
        ));
    }
    Ok(row)
}

/// What the link `token` would confirm.
pub async fn preview(pool: &Pool, token: &str, now: DateTime<Utc>) -> Result<Preview, ApiError> {
    let mut conn = pool.get().await?;
    let t = live_token(&mut conn, token, now, false).await?;
    let row: NotificationRow = notifications::table
        .find(t.notification_id)
        .select(NotificationRow::as_select())
        .first(&mut conn)
        .await?;
    let (confirming, version, content) = pending_content(&mut conn, &row)
        .await
        .map_err(|_| gone("This no longer waits for confirmation"))?;
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
        expires_at: t.expires_at,
    })
}

/// The outcome of a confirmation.
pub struct Confirmed {
    pub receipt: ReceiptView,
    /// Only on a first registration; shown this once.
    pub key: Option<NotificationKey>,
    pub language: Lang,
}

/// Confirms what the link `token` stands for: the version becomes the
/// registered one (or the notification is withdrawn), a signed receipt is
/// issued and mailed, and on a first registration a notification key is
/// made. Two concurrent confirmations of one link: one wins, the other 410.
pub async fn confirm(
    pool: &Pool,
    settings: &NotificationSettings,
    signer: &ReceiptSigner,
    token: &str,
    now: DateTime<Utc>,
    request_id: Option<String>,
) -> Result<Confirmed, ApiError> {
    let mut conn = pool.get().await?;
    let token = token.to_owned();
    conn.transaction::<_, ApiError, _>(async move |conn| {
        let t = live_token(conn, &token, now, true).await?;
        let row: NotificationRow = notifications::table
            .find(t.notification_id)
            .select(NotificationRow::as_select())
            .for_update()
            .first(conn)
            .await?;
        let confirming = Confirming::parse(&t.action).ok_or_else(|| gone("Unknown action"))?;
        let expected = match confirming {
            Confirming::Registration => Status::AwaitingConfirmation,
            Confirming::Amendment => Status::AmendmentAwaitingConfirmation,
            Confirming::Withdrawal => Status::WithdrawalAwaitingConfirmation,
        };
        if row.status() != expected
            || (t.version.is_some() && t.version != Some(row.latest_version))
        {
            return Err(gone("This no longer waits for confirmation"));
        }
        let next = row
            .status()
            .apply(Action::Confirm)
            .map_err(|e| gone(&e.to_string()))?;
        let version_number = t.version.unwrap_or(row.shown_version());
        let version = notification_store::version(conn, row.id, version_number).await?;
        let content =
            Notification::from_stored(version.content.clone()).map_err(ApiError::internal)?;
        let today = oslo_date(now);
        let first = row.registered_version.is_none();
        let key = first.then(NotificationKey::generate);

        let expires_on = match confirming {
            Confirming::Withdrawal => None,
            _ => {
                let confirmed = diesel::update(
                    notification_versions::table
                        .find((row.id, version_number))
                        .filter(notification_versions::state.eq("pending")),
                )
                .set((
                    notification_versions::state.eq("confirmed"),
                    notification_versions::confirmed_at.eq(now),
                ))
                .execute(conn)
                .await?;
                if confirmed != 1 {
                    return Err(gone("This version no longer waits for confirmation"));
                }
                Some(settings.periods.expires_on(today))
            }
        };
        match confirming {
            Confirming::Withdrawal => {
                diesel::update(notifications::table.find(row.id))
                    .set((
                        notifications::status.eq(next.code()),
                        notifications::revision.eq(notifications::revision + 1),
                        notifications::updated_at.eq(now),
                    ))
                    .execute(conn)
                    .await?;
            }
            _ => {
                diesel::update(notifications::table.find(row.id))
                    .set((
                        notifications::status.eq(next.code()),
                        notifications::registered_version.eq(version_number),
                        notifications::registered_at.eq(row.registered_at.unwrap_or(now)),
                        notifications::expires_on.eq(expires_on),
                        notifications::journal.eq(content.is_patient_journal()),
                        notifications::reminder_sent_for.eq(None::<NaiveDate>),
                        notifications::revision.eq(notifications::revision + 1),
                        notifications::updated_at.eq(now),
                        notification_store::summary_columns(&content),
                    ))
                    .execute(conn)
                    .await?;
                if let Some(key) = &key {
                    diesel::update(notifications::table.find(row.id))
                        .set(notifications::key_hash.eq(key.hash(settings.key_secret()).to_vec()))
                        .execute(conn)
                        .await?;
                }
            }
        }

        // A confirmed re-registration renews the notification it names.
        if first
            && content.registration_kind() == RegistrationKind::ReRegistration
            && let Some(previous) = content.previous_number()
        {
            let renewable = [
                Status::Registered,
                Status::AmendmentAwaitingConfirmation,
                Status::WithdrawalAwaitingConfirmation,
                Status::Expired,
            ]
            .map(Status::code);
            let renewed = diesel::update(
                notifications::table
                    .filter(notifications::number.eq(previous.to_string()))
                    .filter(notifications::organisation_id.eq(row.organisation_id))
                    .filter(notifications::status.eq_any(renewable)),
            )
            .set((
                notifications::status.eq(Status::Renewed.code()),
                notifications::revision.eq(notifications::revision + 1),
                notifications::updated_at.eq(now),
            ))
            .execute(conn)
            .await?;
            if renewed == 1 {
                audit::record(
                    conn,
                    Entry {
                        actor: Actor {
                            kind: "token_holder",
                            id: None,
                            organisation_id: Some(row.organisation_id),
                        },
                        organisation_id: Some(row.organisation_id),
                        action: "notification.renewed",
                        subject: Some(format!("notification:{previous}")),
                        request_id: request_id.clone(),
                        details: serde_json::json!({ "by": row.number }),
                    },
                )
                .await?;
            }
        }

        let kind = match confirming {
            Confirming::Registration => ReceiptKind::of_version(1, content.registration_kind()),
            Confirming::Amendment => ReceiptKind::Amendment,
            Confirming::Withdrawal => ReceiptKind::Withdrawal,
        };
        let number = row.number.parse().map_err(ApiError::internal)?;
        let receipt = ReceiptContent::new(
            &content,
            Confirmation {
                number,
                version: version_number as u32,
                kind,
                submitted_at: if confirming == Confirming::Withdrawal {
                    t.created_at
                } else {
                    version.submitted_at
                },
                confirmed_at: now,
                expires_on,
            },
        );
        let receipt_id = Uuid::new_v4();
        let jws = signer.sign(receipt_id, &receipt, now.timestamp());
        let receipt_row = ReceiptRow {
            id: receipt_id,
            notification_id: row.id,
            number: row.number.clone(),
            version: version_number,
            kind: serde_json::to_value(kind)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default(),
            content: serde_json::to_value(&receipt).map_err(ApiError::internal)?,
            jws: jws.clone(),
            created_at: now,
        };
        receipt_store::insert(conn, &receipt_row).await?;
        diesel::update(confirmation_tokens::table.find(t.id))
            .set((
                confirmation_tokens::used_at.eq(now),
                confirmation_tokens::receipt_id.eq(receipt_id),
            ))
            .execute(conn)
            .await?;
        let lang = content.language();
        let exposed = key.as_ref().map(NotificationKey::expose);
        let mail = templates::receipt(
            content.confirmation_email(),
            lang,
            &row.number,
            &receipt.statement,
            &crate::receipts::pdf::text(&receipt, lang),
            exposed.as_deref(),
        );
        crate::mail::enqueue(conn, mail, now).await?;
        audit::record(
            conn,
            Entry {
                actor: Actor {
                    kind: "token_holder",
                    id: None,
                    organisation_id: Some(row.organisation_id),
                },
                organisation_id: Some(row.organisation_id),
                action: "notification.confirmed",
                subject: Some(format!("notification:{}", row.number)),
                request_id,
                details: serde_json::json!({
                    "action": confirming.code(),
                    "version": version_number,
                    "receipt": receipt_id,
                    "status": next.code(),
                }),
            },
        )
        .await?;
        Ok(Confirmed {
            receipt: ReceiptView {
                id: receipt_id,
                receipt,
                jws,
            },
            key,
            language: lang,
        })
    })
    .await
}

/// The receipt a used link issued, for the page behind the link.
pub async fn receipt_of_used_link(pool: &Pool, token: &str) -> Result<ReceiptRow, ApiError> {
    if !looks_like_a_token(token) {
        return Err(ApiError::NotFound);
    }
    let mut conn = pool.get().await?;
    let receipt_id: Option<Uuid> = confirmation_tokens::table
        .filter(confirmation_tokens::token_hash.eq(hash(token)))
        .select(confirmation_tokens::receipt_id)
        .first(&mut conn)
        .await
        .optional()?
        .flatten();
    let receipt_id = receipt_id.ok_or(ApiError::NotFound)?;
    use crate::schema::receipts;
    Ok(receipts::table
        .find(receipt_id)
        .select(ReceiptRow::as_select())
        .first(&mut conn)
        .await?)
}
