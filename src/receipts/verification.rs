//! Checking a receipt by its id, for anyone who holds it, on paper too:
//! whether it is genuine (the stored receipt's signature holds under a
//! key the service still publishes) and whether it is current (what it
//! attests still stands). The id is random (UUID v4), printed only on the
//! receipt, so whoever asks already holds what the answer repeats; the
//! answer says nothing the receipt does not (no address, phone or e-mail).

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::store;
use super::{ReceiptSigner, ReceiptView};
use crate::db::Pool;
use crate::domain::code_lists::{Law, Purpose, Sector};
use crate::domain::i18n::{Lang, Text};
use crate::domain::lifecycle::Status;
use crate::domain::receipt::ReceiptKind;
use crate::error::ApiError;

/// Whether what a receipt attests still stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    /// The receipt's version is the registered one (or, for a withdrawal,
    /// the notification is withdrawn).
    Current,
    /// A later version of the notification has been confirmed since.
    Superseded,
    /// The notification has been withdrawn since.
    Withdrawn,
    /// The notification expired (three years after its last confirmation).
    Expired,
    /// A re-registration has renewed the notification under a new number.
    Renewed,
}

impl Standing {
    pub fn text(self) -> Text {
        match self {
            Self::Current => Text::new(
                "Gjeldende: kvitteringen gjelder det som er registrert nå.",
                "Gjeldande: kvitteringa gjeld det som er registrert no.",
                "Current: the receipt is for what is registered now.",
            ),
            Self::Superseded => Text::new(
                "Erstattet: en senere versjon av meldingen er bekreftet.",
                "Erstatta: ein seinare versjon av meldinga er stadfesta.",
                "Superseded: a later version of the notification has been confirmed.",
            ),
            Self::Withdrawn => Text::new(
                "Meldingen er trukket tilbake.",
                "Meldinga er trekt tilbake.",
                "The notification has been withdrawn.",
            ),
            Self::Expired => Text::new(
                "Meldingen er utløpt.",
                "Meldinga har gått ut.",
                "The notification has expired.",
            ),
            Self::Renewed => Text::new(
                "Meldingen er fornyet med en ny registrering.",
                "Meldinga er fornya med ei ny registrering.",
                "The notification has been renewed by a re-registration.",
            ),
        }
    }

    fn of(status: Status, registered: Option<i32>, kind: ReceiptKind, version: i32) -> Self {
        match (status, kind) {
            (Status::Withdrawn, ReceiptKind::Withdrawal) => Self::Current,
            (Status::Withdrawn, _) => Self::Withdrawn,
            (Status::Expired, _) => Self::Expired,
            (Status::Renewed, _) => Self::Renewed,
            (_, ReceiptKind::Withdrawal) => Self::Superseded,
            _ if registered == Some(version) => Self::Current,
            _ => Self::Superseded,
        }
    }
}

/// What checking a receipt by its id says.
#[derive(Debug, Serialize, ToSchema)]
pub struct Verification {
    pub receipt_id: Uuid,
    /// The receipt is the service's, unaltered, and signed with a key it
    /// publishes at `/.well-known/jwks.json`.
    pub genuine: bool,
    /// What the receipt attests still stands (`standing` is `current`).
    pub current: bool,
    pub standing: Standing,
    /// What `standing` means, in the language asked for.
    pub standing_text: String,
    #[schema(example = "2026-000123")]
    pub number: String,
    pub version: u32,
    pub kind: ReceiptKind,
    pub controller_name: String,
    /// As people write it: `org.nr. 974 761 467`.
    pub controller_identifier: String,
    pub law: Law,
    pub sector: Sector,
    pub purpose: Purpose,
    pub start_date: NaiveDate,
    pub confirmed_at: DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_on: Option<NaiveDate>,
    /// SHA-256 of the confirmed content, as printed on the receipt.
    pub content_digest: String,
    /// The signing key's id.
    pub kid: String,
    /// The page people open from the printed link or QR code.
    pub verification_url: String,
}

/// Checks the receipt `id`; 404 when there is none.
pub async fn verify(
    pool: &Pool,
    signer: &ReceiptSigner,
    id: Uuid,
    lang: Lang,
) -> Result<(Verification, ReceiptView), ApiError> {
    let mut conn = pool.get().await?;
    let row = store::by_id(&mut conn, id).await?;
    let (status, registered) = store::notification_state(&mut conn, row.notification_id).await?;
    let view = ReceiptView::of(&row)?;
    let (genuine, kid) = match signer.verify(&row.jws) {
        Ok((claims, kid)) => (claims.jti == id && claims.receipt == view.receipt, kid),
        Err(_) => (false, String::new()),
    };
    let r = &view.receipt;
    let standing = Standing::of(status, registered, r.kind, row.version);
    let verification = Verification {
        receipt_id: id,
        genuine,
        current: genuine && standing == Standing::Current,
        standing,
        standing_text: standing.text().get(lang).to_owned(),
        number: r.number.to_string(),
        version: r.version,
        kind: r.kind,
        controller_name: r.controller_name.clone(),
        controller_identifier: crate::domain::written::identifier(&r.controller_identifier, lang),
        law: r.law,
        sector: r.sector,
        purpose: r.purpose,
        start_date: r.start_date,
        confirmed_at: r.confirmed_at,
        expires_on: r.expires_on,
        content_digest: r.content_digest.clone(),
        kid,
        verification_url: signer.verification_url(id),
    };
    Ok((verification, view))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_receipt_stands_while_its_version_is_the_registered_one() {
        use ReceiptKind as K;
        use Standing as S;
        use Status as St;
        let cases = [
            (St::Registered, Some(1), K::Registration, 1, S::Current),
            (St::Registered, Some(2), K::Registration, 1, S::Superseded),
            (
                St::AmendmentAwaitingConfirmation,
                Some(2),
                K::Amendment,
                2,
                S::Current,
            ),
            (St::Withdrawn, Some(2), K::Amendment, 2, S::Withdrawn),
            (St::Withdrawn, Some(2), K::Withdrawal, 2, S::Current),
            (St::Expired, Some(1), K::Registration, 1, S::Expired),
            (St::Renewed, Some(1), K::Registration, 1, S::Renewed),
        ];
        for (status, registered, kind, version, expected) in cases {
            assert_eq!(
                Standing::of(status, registered, kind, version),
                expected,
                "{status:?} {registered:?} {kind:?} {version}"
            );
        }
    }
}
