//! The printable receipt: one A4 page in nb, nn or en with everything the
//! receipt states and the signature's fingerprint.

use printpdf::{BuiltinFont, Mm, PdfDocument};

use super::signature_fingerprint;
use crate::domain::code_lists::IdentifierScheme;
use crate::domain::i18n::Lang;
use crate::domain::receipt::{ReceiptContent, ReceiptKind};

struct Labels {
    title: &'static str,
    number: &'static str,
    version: &'static str,
    kind: &'static str,
    controller: &'static str,
    identifier: &'static str,
    law: &'static str,
    sector: &'static str,
    purpose: &'static str,
    start: &'static str,
    submitted: &'static str,
    confirmed: &'static str,
    expires: &'static str,
    digest: &'static str,
    signature: &'static str,
    key_id: &'static str,
    verify: &'static str,
}

fn labels(lang: Lang) -> Labels {
    match lang {
        Lang::Nb => Labels {
            title: "Kvittering for melding til Datatilsynet",
            number: "Meldingsnummer",
            version: "Versjon",
            kind: "Gjelder",
            controller: "Behandlingsansvarlig",
            identifier: "Identifikator",
            law: "Lov",
            sector: "Sektor",
            purpose: "Formål",
            start: "Oppstart",
            submitted: "Sendt inn",
            confirmed: "Bekreftet",
            expires: "Utløper",
            digest: "SHA-256 av innholdet",
            signature: "Signaturens fingeravtrykk",
            key_id: "Nøkkel-id",
            verify: "Kvitteringen kan kontrolleres med POST /v1/receipts/verify og nøklene i /.well-known/jwks.json.",
        },
        Lang::Nn => Labels {
            title: "Kvittering for melding til Datatilsynet",
            number: "Meldingsnummer",
            version: "Versjon",
            kind: "Gjeld",
            controller: "Behandlingsansvarleg",
            identifier: "Identifikator",
            law: "Lov",
            sector: "Sektor",
            purpose: "Formål",
            start: "Oppstart",
            submitted: "Sendt inn",
            confirmed: "Stadfesta",
            expires: "Går ut",
            digest: "SHA-256 av innhaldet",
            signature: "Fingeravtrykket til signaturen",
            key_id: "Nøkkel-id",
            verify: "Kvitteringa kan kontrollerast med POST /v1/receipts/verify og nøklane i /.well-known/jwks.json.",
        },
        Lang::En => Labels {
            title: "Receipt for a notification to the Data Protection Authority",
            number: "Notification number",
            version: "Version",
            kind: "Confirms",
            controller: "Controller",
            identifier: "Identifier",
            law: "Law",
            sector: "Sector",
            purpose: "Purpose",
            start: "Start",
            submitted: "Submitted",
            confirmed: "Confirmed",
            expires: "Expires",
            digest: "SHA-256 of the content",
            signature: "Signature fingerprint",
            key_id: "Key id",
            verify: "Verify this receipt with POST /v1/receipts/verify and the keys at /.well-known/jwks.json.",
        },
    }
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

/// Splits text into lines of at most `width` characters at spaces.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// What the receipt states, as labelled lines in `lang`.
pub fn rows(receipt: &ReceiptContent, lang: Lang) -> Vec<(&'static str, String)> {
    let l = labels(lang);
    let scheme = match receipt.controller_identifier.scheme {
        IdentifierScheme::NoOrgnr => "org.nr.",
        other => other.code(),
    };
    let mut rows: Vec<(&str, String)> = vec![
        (l.number, receipt.number.to_string()),
        (l.version, receipt.version.to_string()),
        (l.kind, kind_label(receipt.kind, lang).to_owned()),
        (l.controller, receipt.controller_name.clone()),
        (
            l.identifier,
            format!("{scheme} {}", receipt.controller_identifier.value),
        ),
        (l.law, receipt.law.label().get(lang).to_owned()),
        (l.sector, receipt.sector.label().get(lang).to_owned()),
        (l.purpose, receipt.purpose.label().get(lang).to_owned()),
        (l.start, receipt.start_date.to_string()),
        (
            l.submitted,
            receipt
                .submitted_at
                .format("%Y-%m-%d %H:%M UTC")
                .to_string(),
        ),
        (
            l.confirmed,
            receipt
                .confirmed_at
                .format("%Y-%m-%d %H:%M UTC")
                .to_string(),
        ),
    ];
    if let Some(expires) = receipt.expires_on {
        rows.push((l.expires, expires.to_string()));
    }
    rows
}

/// The lines as plain text, for mail.
pub fn text(receipt: &ReceiptContent, lang: Lang) -> String {
    rows(receipt, lang)
        .into_iter()
        .map(|(label, value)| format!("{label}: {value}\n"))
        .collect::<String>()
        + &format!("{}: {}\n", labels(lang).digest, receipt.content_digest)
}

/// The receipt as PDF bytes.
pub fn render(
    receipt: &ReceiptContent,
    jws: &str,
    kid: &str,
    lang: Lang,
) -> Result<Vec<u8>, String> {
    let l = labels(lang);
    let (doc, page, layer) = PdfDocument::new(l.title, Mm(210.0), Mm(297.0), "receipt");
    let regular = doc
        .add_builtin_font(BuiltinFont::Helvetica)
        .map_err(|e| e.to_string())?;
    let bold = doc
        .add_builtin_font(BuiltinFont::HelveticaBold)
        .map_err(|e| e.to_string())?;
    let mono = doc
        .add_builtin_font(BuiltinFont::Courier)
        .map_err(|e| e.to_string())?;
    let layer = doc.get_page(page).get_layer(layer);

    let mut y = 270.0;
    layer.use_text(l.title, 15.0, Mm(20.0), Mm(y), &bold);
    y -= 14.0;
    let rows = rows(receipt, lang);
    for (label, value) in rows {
        layer.use_text(label, 10.0, Mm(20.0), Mm(y), &bold);
        for (i, line) in wrap(&value, 60).iter().enumerate() {
            layer.use_text(line, 10.0, Mm(75.0), Mm(y - 5.0 * i as f32), &regular);
            if i > 0 {
                y -= 5.0;
            }
        }
        y -= 7.0;
    }
    y -= 4.0;
    layer.use_text(l.digest, 10.0, Mm(20.0), Mm(y), &bold);
    y -= 6.0;
    layer.use_text(&receipt.content_digest[..32], 9.0, Mm(20.0), Mm(y), &mono);
    y -= 5.0;
    layer.use_text(&receipt.content_digest[32..], 9.0, Mm(20.0), Mm(y), &mono);
    y -= 9.0;
    layer.use_text(l.signature, 10.0, Mm(20.0), Mm(y), &bold);
    y -= 6.0;
    for line in wrap(&signature_fingerprint(jws), 40) {
        layer.use_text(&line, 9.0, Mm(20.0), Mm(y), &mono);
        y -= 5.0;
    }
    layer.use_text(format!("{}: {kid}", l.key_id), 8.0, Mm(20.0), Mm(y), &mono);
    y -= 12.0;
    for line in wrap(&receipt.statement, 85) {
        layer.use_text(&line, 11.0, Mm(20.0), Mm(y), &bold);
        y -= 6.0;
    }
    y -= 4.0;
    for line in wrap(l.verify, 95) {
        layer.use_text(&line, 8.0, Mm(20.0), Mm(y), &regular);
        y -= 4.5;
    }
    doc.save_to_bytes().map_err(|e| e.to_string())
}
