//! The confirmation, step by step as the lifecycle draws it: spend the
//! link, confirm the version (or the withdrawal), renew the notification a
//! re-registration names, issue the receipt, queue its mail, audit. One
//! transaction; two confirmations of one link: one wins, the other 410.

use chrono::{DateTime, NaiveDate, Utc};
use diesel_async::{AsyncConnection, AsyncPgConnection};
use uuid::Uuid;

use super::replay::{self, Browser};
use super::{gone, live_link};
use crate::audit::{self, Actor, ActorKind, Entry};
use crate::clock::oslo_date;
use crate::db::Pool;
use crate::domain::code_lists::RegistrationKind;
use crate::domain::i18n::Lang;
use crate::domain::key::NotificationKey;
use crate::domain::lifecycle::{Action, Status};
use crate::domain::notification::Notification;
use crate::domain::number::NotificationNumber;
use crate::domain::receipt::{Confirmation, ReceiptContent, ReceiptKind};
use crate::domain::version::Confirming;
use crate::error::{ApiError, Say};
use crate::mail::templates;
use crate::notifications::NotificationSettings;
use crate::notifications::store::links::{self, LinkRow};
use crate::notifications::store::transitions::{self, Confirmed as ConfirmedVersion};
use crate::notifications::store::{self as notification_store, NotificationRow, VersionRow};
use crate::receipts::store::{self as receipt_store, ReceiptRow};
use crate::receipts::{ReceiptSigner, ReceiptView};
use crate::register::projection as register;

/// The outcome of a confirmation.
pub struct Confirmed {
    pub receipt: ReceiptView,
    /// Only on a first registration; shown this once.
    pub key: Option<NotificationKey>,
    pub language: Lang,
}

/// What the link confirms, read and locked.
struct Waiting {
    link: LinkRow,
    row: NotificationRow,
    next: Status,
    version: VersionRow,
    content: Notification,
}

/// Confirms what the link `token` stands for: the version becomes the
/// registered one (or the notification is withdrawn), a signed receipt is
/// issued and mailed, and on a first registration a notification key is
/// made.
#[tracing::instrument(skip_all, fields(notification = tracing::field::Empty))]
pub async fn confirm(
    pool: &Pool,
    settings: &NotificationSettings,
    signer: &ReceiptSigner,
    token: &str,
    now: DateTime<Utc>,
    request_id: Option<String>,
    browser: Option<&Browser<'_>>,
) -> Result<Confirmed, ApiError> {
    let mut conn = pool.get().await?;
    let token = token.to_owned();
    conn.transaction::<_, ApiError, _>(async move |conn| {
        let c = read_what_waits(conn, &token, now).await?;
        tracing::Span::current().record("notification", c.row.number.as_str());
        let receipt_id = Uuid::new_v4();
        links::mark_used(conn, c.link.id, receipt_id, now).await?;
        let key = c
            .row
            .registered_version
            .is_none()
            .then(NotificationKey::generate);
        // The renewed notification is locked before the register is
        // written (see `register::projection`).
        let renewed = match key {
            Some(_) => renew_previous(conn, &c, now).await?,
            None => None,
        };
        let expires_on =
            confirm_or_withdraw(conn, settings, &c, key.as_ref(), receipt_id, now).await?;
        if let Some(previous) = renewed {
            register::refresh(conn, &previous.to_string(), now).await?;
        }
        let receipt = issue_receipt(conn, signer, &c, receipt_id, expires_on, now).await?;
        if let Some(browser) = browser {
            keep_for_replay(conn, browser, &c, &token, key.as_ref(), now).await?;
        }
        queue_receipt_mail(conn, signer, &c, &receipt, key.as_ref(), now).await?;
        // Audited last: the audit lock is the last lock taken (`audit`).
        if let Some(previous) = renewed {
            audit::record(conn, renewed_entry(&c, previous, request_id.clone())).await?;
        }
        audit::record(conn, confirmed_entry(&c, receipt_id, request_id)).await?;
        Ok(Confirmed {
            receipt,
            key,
            language: c.content.language(),
        })
    })
    .await
}

/// The live link, its notification locked, and the content that waits; 410
/// when the notification no longer waits for what the link confirms.
async fn read_what_waits(
    conn: &mut AsyncPgConnection,
    token: &str,
    now: DateTime<Utc>,
) -> Result<Waiting, ApiError> {
    let link = live_link(conn, token, now, true).await?;
    let row = notification_store::by_id_for_update(conn, link.notification_id).await?;
    let waits = row.waiting().is_some_and(|(confirming, version)| {
        confirming == link.action && (link.version.is_none() || link.version == version)
    });
    if !waits {
        return Err(gone(Say::new("no_longer_waiting")));
    }
    let next = row
        .status()
        .apply(Action::Confirm)
        .map_err(|e| gone(e.say()))?;
    let number = link.version.unwrap_or(row.shown_version());
    let version = notification_store::version(conn, row.id, number).await?;
    let content = Notification::from_stored(version.content.clone()).map_err(ApiError::internal)?;
    Ok(Waiting {
        link,
        row,
        next,
        version,
        content,
    })
}

/// The version becomes the registered one, valid for the configured
/// period from today; or the withdrawal takes effect. The expiry date.
async fn confirm_or_withdraw(
    conn: &mut AsyncPgConnection,
    settings: &NotificationSettings,
    c: &Waiting,
    key: Option<&NotificationKey>,
    receipt_id: Uuid,
    now: DateTime<Utc>,
) -> Result<Option<NaiveDate>, ApiError> {
    if c.link.action == Confirming::Withdrawal {
        transitions::withdraw(conn, &c.row, c.next, receipt_id, now).await?;
        return Ok(None);
    }
    let expires_on = settings.periods.expires_on(oslo_date(now));
    let confirmed = ConfirmedVersion {
        version: c.version.version,
        content: &c.content,
        expires_on,
        key_hash: key.map(|k| k.hash(settings.key_secret()).to_vec()),
        receipt_id,
    };
    if !transitions::confirm_version(conn, &c.row, c.next, confirmed, now).await? {
        return Err(gone(Say::new("version_no_longer_waiting")));
    }
    Ok(Some(expires_on))
}

/// A confirmed re-registration renews the notification it names; the
/// number of the one it renewed.
async fn renew_previous(
    conn: &mut AsyncPgConnection,
    c: &Waiting,
    now: DateTime<Utc>,
) -> Result<Option<NotificationNumber>, ApiError> {
    if c.content.registration_kind() != RegistrationKind::ReRegistration {
        return Ok(None);
    }
    let Some(previous) = c.content.previous_number() else {
        return Ok(None);
    };
    let renewed = transitions::renew_previous(conn, c.row.organisation_id, previous, now).await?;
    Ok(renewed.then_some(previous))
}

/// The signed receipt of the confirmation.
async fn issue_receipt(
    conn: &mut AsyncPgConnection,
    signer: &ReceiptSigner,
    c: &Waiting,
    receipt_id: Uuid,
    expires_on: Option<NaiveDate>,
    now: DateTime<Utc>,
) -> Result<ReceiptView, ApiError> {
    let kind = match c.link.action {
        Confirming::Registration => ReceiptKind::of_version(1, c.content.registration_kind()),
        Confirming::Amendment => ReceiptKind::Amendment,
        Confirming::Withdrawal => ReceiptKind::Withdrawal,
    };
    let receipt = ReceiptContent::new(
        &c.content,
        Confirmation {
            number: c.row.number.parse().map_err(ApiError::internal)?,
            version: c.version.version as u32,
            kind,
            submitted_at: match c.link.action {
                Confirming::Withdrawal => c.link.created_at,
                _ => c.version.submitted_at,
            },
            confirmed_at: now,
            expires_on,
        },
    );
    let jws = signer.sign(receipt_id, &receipt, now.timestamp());
    let row = ReceiptRow {
        id: receipt_id,
        notification_id: c.row.id,
        number: c.row.number.clone(),
        version: c.version.version,
        kind: serde_json::to_value(kind)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default(),
        content: serde_json::to_value(&receipt).map_err(ApiError::internal)?,
        jws: jws.clone(),
        created_at: now,
    };
    receipt_store::insert(conn, &row).await?;
    Ok(ReceiptView {
        id: receipt_id,
        receipt,
        jws,
    })
}

/// The page shows this result again to `browser` for a while (`replay`).
async fn keep_for_replay(
    conn: &mut AsyncPgConnection,
    browser: &Browser<'_>,
    c: &Waiting,
    token: &str,
    key: Option<&NotificationKey>,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    let sealed = key
        .map(|k| browser.seal(k, token.as_bytes()))
        .transpose()
        .map_err(|e| ApiError::internal(anyhow::anyhow!("{e}")))?;
    let until = now + replay::WINDOW;
    links::keep_for_replay(
        conn,
        c.link.id,
        &browser.cookie_hash(),
        sealed.as_deref(),
        until,
    )
    .await?;
    Ok(())
}

/// The receipt to the confirmation address, with the key on a first
/// registration.
async fn queue_receipt_mail(
    conn: &mut AsyncPgConnection,
    signer: &ReceiptSigner,
    c: &Waiting,
    receipt: &ReceiptView,
    key: Option<&NotificationKey>,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    let lang = c.content.language();
    let exposed = key.map(NotificationKey::expose);
    let about = templates::About {
        to: c.content.confirmation_email(),
        lang,
        number: &c.row.number,
        sender: &signer.authority().name,
    };
    let pdf = crate::receipts::render_pdf(receipt, lang, signer)
        .map_err(|e| ApiError::internal(anyhow::anyhow!(e)))?;
    let parts = templates::ReceiptParts {
        statement: &receipt.receipt.statement,
        lines: &crate::receipts::pdf::text(&receipt.receipt, lang),
        verify: &signer.verification_url(receipt.id),
        key: exposed.as_deref(),
        pdf,
    };
    let mail = templates::receipt(about, parts);
    Ok(crate::mail::enqueue(conn, mail, now).await?)
}

fn token_holder(row: &NotificationRow) -> Actor {
    Actor {
        kind: ActorKind::TokenHolder,
        id: None,
        organisation_id: Some(row.organisation_id),
        supplier: None,
    }
}

fn confirmed_entry(c: &Waiting, receipt_id: Uuid, request_id: Option<String>) -> Entry<'static> {
    Entry {
        actor: token_holder(&c.row),
        organisation_id: Some(c.row.organisation_id),
        action: "notification.confirmed",
        subject: Some(format!("notification:{}", c.row.number)),
        request_id,
        details: serde_json::json!({
            "action": c.link.action.code(),
            "version": c.version.version,
            "receipt": receipt_id,
            "status": c.next.code(),
        }),
    }
}

fn renewed_entry(
    c: &Waiting,
    previous: NotificationNumber,
    request_id: Option<String>,
) -> Entry<'static> {
    Entry {
        actor: token_holder(&c.row),
        organisation_id: Some(c.row.organisation_id),
        action: "notification.renewed",
        subject: Some(format!("notification:{previous}")),
        request_id,
        details: serde_json::json!({ "by": c.row.number }),
    }
}
