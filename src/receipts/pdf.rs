//! The printable receipt in nb, nn or en: what it says (`rows`, shared
//! with the mail and the confirmation page) and how it is printed
//! (`render`, laid out by `pdf_page`, made PDF/A by `pdfa`).

use super::pdf_page::{Font, LEFT, Layout, wrap};
use super::{ReceiptSigner, ReceiptView, pdfa, signature_fingerprint};
use crate::clock::oslo_date;
use crate::domain::code_lists::IdentifierScheme;
use crate::domain::i18n::Lang;
use crate::domain::identifiers::Identifier;
use crate::domain::party::one_line;
use crate::domain::receipt::{ReceiptContent, ReceiptKind, STATEMENT};
use crate::domain::written;

/// The printed receipt's words, in bokmål, nynorsk and English.
mod labels {
    use crate::domain::i18n::Text;

    pub const TITLE: Text = Text::new(
        "Kvittering for melding om behandling av personopplysninger",
        "Kvittering for melding om behandling av personopplysningar",
        "Receipt for a notification of processing of personal data",
    );
    pub const PAGE: Text = Text::new("Side", "Side", "Page");
    pub const OF: Text = Text::new("av", "av", "of");
    pub const CHECK: Text = Text::new(
        "Kontroller at kvitteringen er ekte og gjeldende:",
        "Kontroller at kvitteringa er ekte og gjeldande:",
        "Check that this receipt is genuine and current:",
    );
    pub const NUMBER: Text = Text::new("Meldingsnummer", "Meldingsnummer", "Notification number");
    pub const VERSION: Text = Text::new("Versjon", "Versjon", "Version");
    pub const KIND: Text = Text::new("Gjelder", "Gjeld", "Confirms");
    pub const CONTROLLER: Text =
        Text::new("Behandlingsansvarlig", "Behandlingsansvarleg", "Controller");
    pub const IDENTIFIER: Text = Text::new("Identifikator", "Identifikator", "Identifier");
    pub const LAW: Text = Text::new("Lov", "Lov", "Law");
    pub const SECTOR: Text = Text::new("Sektor", "Sektor", "Sector");
    pub const PURPOSE: Text = Text::new("Formål", "Formål", "Purpose");
    pub const START: Text = Text::new("Oppstart", "Oppstart", "Start");
    pub const SUBMITTED: Text = Text::new("Sendt inn", "Sendt inn", "Submitted");
    pub const CONFIRMED: Text = Text::new("Bekreftet", "Stadfesta", "Confirmed");
    pub const EXPIRES: Text = Text::new("Utløper", "Går ut", "Expires");
    pub const DIGEST: Text = Text::new(
        "SHA-256 av innholdet",
        "SHA-256 av innhaldet",
        "SHA-256 of the content",
    );
    pub const SIGNATURE: Text = Text::new(
        "Signaturens fingeravtrykk",
        "Fingeravtrykket til signaturen",
        "Signature fingerprint",
    );
    pub const KEY_ID: Text = Text::new("Nøkkel-id", "Nøkkel-id", "Key id");
    pub const VERIFY: Text = Text::new(
        "Skann koden eller skriv inn adressen. Den signerte kvitteringen (JWS) kan også kontrolleres uten nett med nøklene i /.well-known/jwks.json, eller med POST /v1/receipts/verify.",
        "Skann koden eller skriv inn adressa. Den signerte kvitteringa (JWS) kan òg kontrollerast utan nett med nøklane i /.well-known/jwks.json, eller med POST /v1/receipts/verify.",
        "Scan the code or type the address. The signed receipt (JWS) can also be checked offline with the keys at /.well-known/jwks.json, or with POST /v1/receipts/verify.",
    );
}

fn kind_label(kind: ReceiptKind, lang: Lang) -> &'static str {
    match (kind, lang) {
        (ReceiptKind::Registration, Lang::Nb | Lang::Nn) => "Førstegangsregistrering",
        (ReceiptKind::ReRegistration, Lang::Nb | Lang::Nn) => "Ny registrering (fornying)",
        (ReceiptKind::Amendment, Lang::Nb | Lang::Nn) => "Endring",
        (ReceiptKind::Withdrawal, Lang::Nb) => "Tilbaketrekking",
        (ReceiptKind::Withdrawal, Lang::Nn) => "Tilbaketrekking",
        (ReceiptKind::Registration, Lang::En) => "First registration",
        (ReceiptKind::ReRegistration, Lang::En) => "Re-registration (renewal)",
        (ReceiptKind::Amendment, Lang::En) => "Amendment",
        (ReceiptKind::Withdrawal, Lang::En) => "Withdrawal",
    }
}

/// What the receipt states, as labelled lines in `lang`.
pub fn rows(receipt: &ReceiptContent, lang: Lang) -> Vec<(&'static str, String)> {
    let mut rows: Vec<(&str, String)> = vec![
        (labels::NUMBER.get(lang), receipt.number.to_string()),
        (labels::VERSION.get(lang), receipt.version.to_string()),
        (
            labels::KIND.get(lang),
            kind_label(receipt.kind, lang).to_owned(),
        ),
        (
            labels::CONTROLLER.get(lang),
            receipt.controller_name.clone(),
        ),
        (
            labels::IDENTIFIER.get(lang),
            written::identifier(&receipt.controller_identifier, lang),
        ),
        (
            labels::LAW.get(lang),
            receipt.law.label().get(lang).to_owned(),
        ),
        (
            labels::SECTOR.get(lang),
            receipt.sector.label().get(lang).to_owned(),
        ),
        (
            labels::PURPOSE.get(lang),
            written::plain(receipt.purpose.label().get(lang)).to_owned(),
        ),
        (
            labels::START.get(lang),
            written::date(receipt.start_date, lang),
        ),
        (
            labels::SUBMITTED.get(lang),
            written::time(receipt.submitted_at, lang),
        ),
        (
            labels::CONFIRMED.get(lang),
            written::time(receipt.confirmed_at, lang),
        ),
    ];
    if let Some(expires) = receipt.expires_on {
        rows.push((labels::EXPIRES.get(lang), written::date(expires, lang)));
    }
    // Each value on its one line, on paper and in mail.
    rows.into_iter()
        .map(|(label, value)| (label, one_line(&value)))
        .collect()
}

/// The lines as plain text, for mail: a web address a submitter wrote made
/// inert ([`crate::domain::inert`]).
pub fn text(receipt: &ReceiptContent, lang: Lang) -> String {
    rows(receipt, lang)
        .into_iter()
        .map(|(label, value)| format!("{label}: {}\n", crate::domain::inert::inert(&value)))
        .collect::<String>()
        + &format!("{}: {}\n", labels::DIGEST.get(lang), receipt.content_digest)
}

/// The receipt as a PDF/A-2b file in `lang`: the issuer, a title, place
/// and date, everything the receipt attests, its signature's fingerprint,
/// and where and how to check it (a link and its QR code); "Side 1 av 1"
/// on every page.
pub fn render(view: &ReceiptView, lang: Lang, signer: &ReceiptSigner) -> Result<Vec<u8>, String> {
    let receipt = &view.receipt;
    let issuer = signer.authority();
    let url = signer.verification_url(view.id);
    let kid = jsonwebtoken::decode_header(&view.jws)
        .ok()
        .and_then(|h| h.kid)
        .unwrap_or_default();
    let mut page = Layout::new();

    page.put(LEFT, &issuer.name, 13.0, Font::Bold);
    let dated = format!(
        "{}, {}",
        issuer.place,
        written::date(oslo_date(receipt.confirmed_at), lang)
    );
    page.put(
        190.0 - dated.chars().count() as f32 * 1.75,
        &dated,
        10.0,
        Font::Regular,
    );
    page.down(5.5);
    page.put(LEFT, &issuer.address, 9.5, Font::Regular);
    page.down(4.5);
    let orgnr = Identifier {
        scheme: IdentifierScheme::NoOrgnr,
        value: issuer.orgnr.clone(),
        country: None,
    };
    page.put(LEFT, &written::identifier(&orgnr, lang), 9.5, Font::Regular);
    page.down(14.0);
    page.paragraph(labels::TITLE.get(lang), 60, 15.0, Font::Bold, 7.0);
    page.down(5.0);

    for (label, value) in rows(receipt, lang) {
        page.row(label, &value, 72.0, 62);
    }
    page.down(3.0);
    page.room(26.0);
    page.put(LEFT, labels::DIGEST.get(lang), 9.5, Font::Bold);
    page.down(5.0);
    page.put(LEFT, &receipt.content_digest, 8.0, Font::Mono);
    page.down(7.0);
    page.put(LEFT, labels::SIGNATURE.get(lang), 9.5, Font::Bold);
    page.down(5.0);
    page.put(LEFT, &signature_fingerprint(&view.jws), 8.0, Font::Mono);
    page.down(4.5);
    page.put(
        LEFT,
        &format!("{}: {kid}", labels::KEY_ID.get(lang)),
        8.0,
        Font::Mono,
    );
    page.down(10.0);
    // In the language printed, whichever the receipt was issued in.
    page.paragraph(STATEMENT.get(lang), 80, 11.0, Font::Bold, 6.0);
    page.down(6.0);

    let qr = qrcode::QrCode::new(url.as_bytes()).map_err(|e| e.to_string())?;
    page.room(40.0);
    page.qr(qr, LEFT - 3.0, 36.0);
    let text_x = LEFT + 38.0;
    page.put(text_x, labels::CHECK.get(lang), 9.5, Font::Bold);
    page.down(5.5);
    for line in wrap(&url, 80) {
        page.put(text_x, &line, 7.5, Font::Mono);
        page.down(4.5);
    }
    page.down(1.5);
    for line in wrap(labels::VERIFY.get(lang), 75) {
        page.put(text_x, &line, 8.5, Font::Regular);
        page.down(4.2);
    }

    let title = format!("{} {}", labels::TITLE.get(lang), receipt.number);
    let footer = |n: usize, of: usize| {
        format!(
            "{} {n} {} {of} · {}",
            labels::PAGE.get(lang),
            labels::OF.get(lang),
            view.id
        )
    };
    let doc = page.render(&title, footer)?;
    let bytes = doc.save_to_bytes().map_err(|e| e.to_string())?;
    pdfa::conform(
        &bytes,
        &pdfa::Meta {
            title: &title,
            author: &issuer.name,
            created: receipt.confirmed_at,
            id: view.id.as_bytes(),
        },
    )
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::auth::keys::Keys;
    use crate::domain::notification::{Notification, example};
    use crate::domain::receipt::{Confirmation, Issuer};

    /// A receipt of the example, signed with a throw-away key.
    pub fn sample(lang: Lang) -> Vec<u8> {
        let dir = tempfile::tempdir().unwrap();
        let keys = Arc::new(Keys::load(&[], dir.path()).unwrap());
        let signer =
            ReceiptSigner::new(keys, "https://meldeplikt.example".into(), Issuer::default());
        let content = Notification::from_stored(example()).unwrap();
        let receipt = ReceiptContent::new(
            &content,
            Confirmation {
                number: "2026-000123".parse().unwrap(),
                version: 1,
                kind: ReceiptKind::Registration,
                submitted_at: "2026-12-06T12:55:00Z".parse().unwrap(),
                confirmed_at: "2026-12-06T13:05:00Z".parse().unwrap(),
                expires_on: chrono::NaiveDate::from_ymd_opt(2029, 12, 6),
            },
        );
        let id = uuid::Uuid::nil();
        let jws = signer.sign(id, &receipt, 0);
        render(&ReceiptView { id, receipt, jws }, lang, &signer).unwrap()
    }

    #[test]
    fn a_receipt_prints_in_each_language() {
        for lang in Lang::ALL {
            let bytes = sample(lang);
            assert!(bytes.starts_with(b"%PDF-1.7\n%"));
            // The binary comment PDF/A asks for: four bytes above 127.
            assert!(bytes[10..18].iter().all(|b| *b > 127), "{:?}", &bytes[..20]);
            let raw = String::from_utf8_lossy(&bytes);
            assert!(raw.contains("<pdfaid:part>2</pdfaid:part>"));
            assert!(
                raw.contains("/CIDToGIDMap /Identity") || raw.contains("/CIDToGIDMap/Identity")
            );
            // `MELDEPLIKT_SAMPLE_PDF=/tmp/receipt` keeps them, to look at
            // or to give a PDF/A validator.
            if let Some(path) = std::env::var_os("MELDEPLIKT_SAMPLE_PDF") {
                let path = format!("{}-{}.pdf", path.to_string_lossy(), lang.code());
                std::fs::write(path, &bytes).unwrap();
            }
        }
    }
}
