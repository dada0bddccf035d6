//! The printable receipt: one A4 page in nb, nn or en with everything the
//! receipt states and the signature's fingerprint.

use printpdf::{BuiltinFont, Mm, PdfDocument};

use super::signature_fingerprint;
use crate::domain::code_lists::IdentifierScheme;
use crate::domain::i18n::Lang;
use crate::domain::party::one_line;
use crate::domain::receipt::{ReceiptContent, ReceiptKind};

/// The printed receipt's words, in bokmål, nynorsk and English.
mod labels {
    use crate::domain::i18n::Text;

    pub const TITLE: Text = Text::new(
        "Kvittering for melding til Datatilsynet",
        "Kvittering for melding til Datatilsynet",
        "Receipt for a notification to the Data Protection Authority",
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
        "Kvitteringen kan kontrolleres med POST /v1/receipts/verify og nøklene i /.well-known/jwks.json.",
        "Kvitteringa kan kontrollerast med POST /v1/receipts/verify og nøklane i /.well-known/jwks.json.",
        "Verify this receipt with POST /v1/receipts/verify and the keys at /.well-known/jwks.json.",
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
    let scheme = match receipt.controller_identifier.scheme {
        IdentifierScheme::NoOrgnr => "org.nr.",
        other => other.code(),
    };
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
            format!("{scheme} {}", receipt.controller_identifier.value),
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
            receipt.purpose.label().get(lang).to_owned(),
        ),
        (labels::START.get(lang), receipt.start_date.to_string()),
        (
            labels::SUBMITTED.get(lang),
            receipt
                .submitted_at
                .format("%Y-%m-%d %H:%M UTC")
                .to_string(),
        ),
        (
            labels::CONFIRMED.get(lang),
            receipt
                .confirmed_at
                .format("%Y-%m-%d %H:%M UTC")
                .to_string(),
        ),
    ];
    if let Some(expires) = receipt.expires_on {
        rows.push((labels::EXPIRES.get(lang), expires.to_string()));
    }
    // Each value on its one line, on paper and in mail.
    rows.into_iter()
        .map(|(label, value)| (label, one_line(&value)))
        .collect()
}

/// The lines as plain text, for mail.
pub fn text(receipt: &ReceiptContent, lang: Lang) -> String {
    rows(receipt, lang)
        .into_iter()
        .map(|(label, value)| format!("{label}: {value}\n"))
        .collect::<String>()
        + &format!("{}: {}\n", labels::DIGEST.get(lang), receipt.content_digest)
}

/// The receipt as PDF bytes.
pub fn render(
    receipt: &ReceiptContent,
    jws: &str,
    kid: &str,
    lang: Lang,
) -> Result<Vec<u8>, String> {
    let (doc, page, layer) =
        PdfDocument::new(labels::TITLE.get(lang), Mm(210.0), Mm(297.0), "receipt");
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
    layer.use_text(labels::TITLE.get(lang), 15.0, Mm(20.0), Mm(y), &bold);
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
    layer.use_text(labels::DIGEST.get(lang), 10.0, Mm(20.0), Mm(y), &bold);
    y -= 6.0;
    layer.use_text(&receipt.content_digest[..32], 9.0, Mm(20.0), Mm(y), &mono);
    y -= 5.0;
    layer.use_text(&receipt.content_digest[32..], 9.0, Mm(20.0), Mm(y), &mono);
    y -= 9.0;
    layer.use_text(labels::SIGNATURE.get(lang), 10.0, Mm(20.0), Mm(y), &bold);
    y -= 6.0;
    for line in wrap(&signature_fingerprint(jws), 40) {
        layer.use_text(&line, 9.0, Mm(20.0), Mm(y), &mono);
        y -= 5.0;
    }
    layer.use_text(
        format!("{}: {kid}", labels::KEY_ID.get(lang)),
        8.0,
        Mm(20.0),
        Mm(y),
        &mono,
    );
    y -= 12.0;
    for line in wrap(&receipt.statement, 85) {
        layer.use_text(&line, 11.0, Mm(20.0), Mm(y), &bold);
        y -= 6.0;
    }
    y -= 4.0;
    for line in wrap(labels::VERIFY.get(lang), 95) {
        layer.use_text(&line, 8.0, Mm(20.0), Mm(y), &regular);
        y -= 4.5;
    }
    doc.save_to_bytes().map_err(|e| e.to_string())
}
