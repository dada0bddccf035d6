//! What the confirmation page's templates show: every text in the
//! notification's language, dates as its readers write them, and the
//! title saying what is confirmed, or that it is.

use askama::Template;

use super::sections::Section;
use super::{Review, words};
use crate::domain::code_lists::RegistrationKind;
use crate::domain::i18n::{Lang, Text};
use crate::domain::receipt::ReceiptKind;
use crate::domain::version::Confirming;
use crate::domain::written;
use crate::receipts::ReceiptView;

/// A page with a heading and paragraphs (errors, refusals).
#[derive(Template)]
#[template(path = "page/message.html")]
pub struct MessagePage<'a> {
    pub lang: &'a str,
    pub title: &'a str,
    pub paragraphs: Vec<String>,
}

/// A label and its value, at the top of a page.
pub struct Fact {
    pub label: &'static str,
    pub value: String,
}

/// One changed field of an amendment.
pub struct ChangeLine {
    pub field: String,
    pub before: String,
    pub after: String,
}

/// What the link confirms, and the button.
#[derive(Template)]
#[template(path = "confirm/review.html")]
pub struct ReviewPage<'a> {
    pub lang: &'static str,
    pub title: &'static str,
    pub intro: &'static str,
    pub facts: Vec<Fact>,
    pub changes_heading: &'static str,
    pub field_label: &'static str,
    pub before_label: &'static str,
    pub after_label: &'static str,
    pub changes: Vec<ChangeLine>,
    pub sections: Vec<Section>,
    pub changed: &'static str,
    pub token: &'a str,
    pub csrf: &'a str,
    pub button: &'static str,
}

/// The receipt and, on a first registration, the key.
#[derive(Template)]
#[template(path = "confirm/done.html")]
pub struct DonePage<'a> {
    pub lang: &'static str,
    pub title: &'static str,
    pub done: &'static str,
    pub key: Option<String>,
    pub key_label: &'static str,
    pub key_once: &'static str,
    pub rows: Vec<(&'static str, String)>,
    pub statement_label: &'static str,
    pub statement: &'a str,
    pub token: &'a str,
    pub pdf: &'static str,
    pub verify_href: String,
    pub verify: &'static str,
}

/// The title and the kind's description of what a link confirms.
fn kind(confirming: Confirming, registration: RegistrationKind) -> (Text, Text) {
    match (confirming, registration) {
        (Confirming::Registration, RegistrationKind::ReRegistration) => {
            (words::TITLE_RENEWAL, words::KIND_RENEWAL)
        }
        (Confirming::Registration, _) => (words::TITLE_NEW, words::KIND_NEW),
        (Confirming::Amendment, _) => (words::TITLE_AMENDMENT, words::KIND_AMENDMENT),
        (Confirming::Withdrawal, _) => (words::TITLE_WITHDRAWAL, words::KIND_WITHDRAWAL),
    }
}

pub fn review_page<'a>(r: &Review, token: &'a str, csrf: &'a str) -> ReviewPage<'a> {
    let p = &r.preview;
    let lang = p.language;
    let (title, kind) = kind(r.confirming, r.registration_kind);
    let fact = |label: Text, value: String| Fact {
        label: label.get(lang),
        value,
    };
    let mut facts = vec![
        fact(words::NUMBER, p.number.clone()),
        fact(words::KIND, kind.get(lang).to_owned()),
    ];
    if let Some(version) = p.version {
        facts.push(fact(words::VERSION, version.to_string()));
    }
    facts.push(fact(words::ORGANISATION, p.organisation.clone()));
    facts.push(fact(words::LINK_EXPIRES, written::time(p.expires_at, lang)));
    let removed = words::REMOVED.get(lang);
    let joined = |values: &[String]| match values {
        [] => removed.to_owned(),
        values => values.join("; "),
    };
    let changes = r
        .changes
        .iter()
        .map(|c| ChangeLine {
            field: format!("{}: {}", c.section, c.label),
            before: joined(&c.before),
            after: joined(&c.after),
        })
        .collect();
    ReviewPage {
        lang: lang.code(),
        title: title.get(lang),
        intro: match r.confirming {
            Confirming::Withdrawal => words::INTRO_WITHDRAWAL.get(lang),
            _ => words::INTRO.get(lang),
        },
        facts,
        changes_heading: words::CHANGES.get(lang),
        field_label: words::FIELD.get(lang),
        before_label: words::BEFORE.get(lang),
        after_label: words::AFTER.get(lang),
        changes,
        sections: r.sections.clone(),
        changed: words::CHANGED.get(lang),
        token,
        csrf,
        button: words::BUTTON.get(lang),
    }
}

/// The title of the page once `kind` is confirmed.
pub fn done_title(kind: ReceiptKind) -> Text {
    match kind {
        ReceiptKind::Registration | ReceiptKind::ReRegistration => words::DONE_REGISTERED,
        ReceiptKind::Amendment => words::DONE_AMENDED,
        ReceiptKind::Withdrawal => words::DONE_WITHDRAWN,
    }
}

pub fn done_page<'a>(
    receipt: &'a ReceiptView,
    key: Option<String>,
    token: &'a str,
    public_url: &str,
) -> DonePage<'a> {
    let lang: Lang = receipt.receipt.language;
    DonePage {
        lang: lang.code(),
        title: done_title(receipt.receipt.kind).get(lang),
        done: words::DONE.get(lang),
        key,
        key_label: words::KEY_LABEL.get(lang),
        key_once: words::KEY_ONCE.get(lang),
        rows: crate::receipts::pdf::rows(&receipt.receipt, lang),
        statement_label: words::STATEMENT_LABEL.get(lang),
        statement: &receipt.receipt.statement,
        token,
        pdf: words::PDF.get(lang),
        verify_href: crate::receipts::verification_url(public_url, receipt.id),
        verify: words::VERIFY_LINK.get(lang),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_a_submitter_typed_is_escaped_on_the_page() {
        let page = ReviewPage {
            lang: "nb",
            title: words::TITLE_NEW.get(Lang::Nb),
            intro: words::INTRO.get(Lang::Nb),
            facts: vec![Fact {
                label: "Navn",
                value: "<script>alert(1)</script> & \"co\"".to_owned(),
            }],
            changes_heading: "",
            field_label: "",
            before_label: "",
            after_label: "",
            changes: Vec::new(),
            sections: Vec::new(),
            changed: "",
            token: "t\"><x",
            csrf: "c",
            button: words::BUTTON.get(Lang::Nb),
        }
        .render()
        .unwrap();
        assert!(!page.contains("<script>"), "{page}");
        assert!(
            page.contains("&#60;script&#62;") || page.contains("&lt;script&gt;"),
            "{page}"
        );
        assert!(!page.contains("t\"><x"), "{page}");
        assert!(
            page.starts_with("<!doctype html>\n<html lang=\"nb\">"),
            "{page}"
        );
        assert!(page.contains("<title>Bekreft ny melding til Datatilsynet</title>"));
    }
}
