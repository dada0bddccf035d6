//! The mail, written in `templates/mail/` in bokmål, nynorsk and English:
//! the first line of a rendered template is the subject, the rest the
//! plain text, from which the HTML part is made (`html`), so the two
//! always say the same.

use askama::Template;
use chrono::{DateTime, NaiveDate, Utc};

use super::Mail;
use super::html;
use crate::domain::i18n::{Lang, Text};
use crate::domain::inert::inert;
use crate::domain::party::one_line;
use crate::domain::version::Confirming;
use crate::domain::written;

/// What every mail about a notification has: to whom, in which language,
/// about which number, and who signs it (the authority).
#[derive(Debug, Clone, Copy)]
pub struct About<'a> {
    pub to: &'a str,
    pub lang: Lang,
    pub number: &'a str,
    pub sender: &'a str,
}

/// A rendered mail template: subject line, blank line, body.
/// `links` are the service's own links the template was given: the only
/// ones the HTML part makes links.
fn mail(
    kind: &'static str,
    about: About,
    rendered: askama::Result<String>,
    links: &[&str],
) -> Mail {
    // The templates are compiled in and take only strings, so rendering
    // cannot fail at run time; should it, the mail still says so.
    let text = rendered.unwrap_or_else(|e| format!("meldeplikt\n\n{e}\n"));
    let (subject, body) = text.split_once("\n\n").unwrap_or((&text, ""));
    let subject = subject.trim().to_owned();
    Mail {
        kind,
        to: about.to.to_owned(),
        html: Some(html::render(about.lang, &subject, body, links)),
        subject,
        body: body.to_owned(),
        attachment: None,
        about: Some(about.number.to_owned()),
    }
}

/// A mail rendered elsewhere (its first line the subject), about no
/// notification, with its HTML part made as every other's (`links` the
/// service's own links in it).
pub fn rendered(kind: &'static str, to: &str, lang: Lang, text: &str, links: &[&str]) -> Mail {
    let (subject, body) = text.split_once("\n\n").unwrap_or((text, ""));
    let subject = subject.trim().to_owned();
    Mail {
        kind,
        to: to.to_owned(),
        html: Some(html::render(lang, &subject, body, links)),
        subject,
        body: body.to_owned(),
        attachment: None,
        about: None,
    }
}

#[derive(Template)]
#[template(path = "mail/confirmation.txt")]
struct ConfirmationMail<'a> {
    lang: Lang,
    what: &'a str,
    number: &'a str,
    controller: &'a str,
    link: &'a str,
    expires_on: String,
    sender: &'a str,
}

/// The message with the confirmation link.
pub fn confirmation(
    about: About,
    confirming: Confirming,
    controller: &str,
    link: &str,
    expires_on: NaiveDate,
) -> Mail {
    let controller = inert(&one_line(controller));
    let template = ConfirmationMail {
        lang: about.lang,
        what: confirming.what(about.lang),
        number: about.number,
        controller: &controller,
        link,
        expires_on: written::date(expires_on, about.lang),
        sender: about.sender,
    };
    mail("confirmation", about, template.render(), &[link])
}

#[derive(Template)]
#[template(path = "mail/receipt.txt")]
struct ReceiptMail<'a> {
    lang: Lang,
    number: &'a str,
    statement: &'a str,
    receipt_lines: &'a str,
    key: Option<&'a str>,
    verify: &'a str,
    sender: &'a str,
}

/// What a receipt mail carries.
pub struct ReceiptParts<'a> {
    pub statement: &'a str,
    /// The receipt's lines as text.
    pub lines: &'a str,
    /// Where the receipt is checked.
    pub verify: &'a str,
    /// On a first registration: the key.
    pub key: Option<&'a str>,
    /// The receipt as PDF, attached.
    pub pdf: Vec<u8>,
}

/// The receipt, with the key on a first registration, and its PDF.
pub fn receipt(about: About, parts: ReceiptParts) -> Mail {
    let template = ReceiptMail {
        lang: about.lang,
        number: about.number,
        statement: parts.statement,
        receipt_lines: parts.lines,
        key: parts.key,
        verify: parts.verify,
        sender: about.sender,
    };
    let mut mail = mail("receipt", about, template.render(), &[parts.verify]);
    mail.attachment = Some((format!("kvittering-{}.pdf", about.number), parts.pdf));
    mail
}

/// Who asked for a new key.
pub enum AskedBy<'a> {
    User { email: &'a str },
    Client { name: &'a str },
}

impl AskedBy<'_> {
    fn say(&self, organisation: &str, lang: Lang) -> String {
        let organisation = inert(&one_line(organisation));
        match self {
            Self::User { email } => {
                let text = Text::new(
                    "En administrator i {org} ({who})",
                    "Ein administrator i {org} ({who})",
                    "An administrator of {org} ({who})",
                );
                text.get(lang)
                    .replace("{org}", &organisation)
                    .replace("{who}", email)
            }
            Self::Client { name } => {
                let text = Text::new(
                    "Integrasjonen «{who}» hos {org}",
                    "Integrasjonen «{who}» hos {org}",
                    "The integration \u{201c}{who}\u{201d} of {org}",
                );
                text.get(lang)
                    .replace("{org}", &organisation)
                    .replace("{who}", &inert(&one_line(name)))
            }
        }
    }
}

#[derive(Template)]
#[template(path = "mail/new_key.txt")]
struct NewKeyMail<'a> {
    lang: Lang,
    number: &'a str,
    controller: &'a str,
    key: &'a str,
    asked_by: &'a str,
    asked_at: &'a str,
    sender: &'a str,
}

/// A new notification key, issued by an admin: who asked and when.
pub fn new_key(
    about: About,
    controller: &str,
    key: &str,
    asked_by: AskedBy,
    organisation: &str,
    asked_at: DateTime<Utc>,
) -> Mail {
    let template = NewKeyMail {
        lang: about.lang,
        number: about.number,
        controller: &inert(&one_line(controller)),
        key,
        asked_by: &asked_by.say(organisation, about.lang),
        asked_at: &written::time(asked_at, about.lang),
        sender: about.sender,
    };
    mail("key", about, template.render(), &[])
}

#[derive(Template)]
#[template(path = "mail/renewal_reminder.txt")]
struct ReminderMail<'a> {
    lang: Lang,
    number: &'a str,
    controller: &'a str,
    purpose: &'a str,
    expires_on: &'a str,
    entry: &'a str,
    sender: &'a str,
}

/// The reminder six weeks before expiry: what expires, what happens if
/// nothing is done, and how to renew, step by step.
pub fn renewal_reminder(
    about: About,
    controller: &str,
    purpose: &str,
    expires_on: NaiveDate,
    entry: &str,
) -> Mail {
    let template = ReminderMail {
        lang: about.lang,
        number: about.number,
        controller: &inert(&one_line(controller)),
        purpose: written::plain(purpose),
        expires_on: &written::date(expires_on, about.lang),
        entry,
        sender: about.sender,
    };
    mail("reminder", about, template.render(), &[entry])
}

#[cfg(test)]
mod tests;
