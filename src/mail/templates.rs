//! The mail, written in `templates/mail/` in bokmål, nynorsk and English:
//! the first line of a rendered template is the subject, the rest the body.

use askama::Template;
use chrono::NaiveDate;

use super::Mail;
use crate::domain::i18n::Lang;
use crate::domain::party::one_line;
use crate::domain::version::Confirming;

/// A rendered mail template about the notification `number`: subject
/// line, blank line, body.
fn mail(kind: &'static str, to: &str, number: &str, rendered: askama::Result<String>) -> Mail {
    // The templates are compiled in and take only strings and dates, so
    // rendering cannot fail at run time; should it, the mail still says so.
    let text = rendered.unwrap_or_else(|e| format!("meldeplikt\n\n{e}\n"));
    let (subject, body) = text.split_once("\n\n").unwrap_or((&text, ""));
    Mail {
        kind,
        to: to.to_owned(),
        subject: subject.trim().to_owned(),
        body: body.to_owned(),
        about: Some(number.to_owned()),
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
    expires_on: NaiveDate,
}

/// The message with the confirmation link.
pub fn confirmation(
    to: &str,
    lang: Lang,
    confirming: Confirming,
    number: &str,
    controller: &str,
    link: &str,
    expires_on: NaiveDate,
) -> Mail {
    let controller = one_line(controller);
    let template = ConfirmationMail {
        lang,
        what: confirming.what(lang),
        number,
        controller: &controller,
        link,
        expires_on,
    };
    mail("confirmation", to, number, template.render())
}

#[derive(Template)]
#[template(path = "mail/receipt.txt")]
struct ReceiptMail<'a> {
    lang: Lang,
    number: &'a str,
    statement: &'a str,
    receipt_lines: &'a str,
    key: Option<&'a str>,
}

/// The receipt, with the key on a first registration.
pub fn receipt(
    to: &str,
    lang: Lang,
    number: &str,
    statement: &str,
    receipt_lines: &str,
    key: Option<&str>,
) -> Mail {
    let template = ReceiptMail {
        lang,
        number,
        statement,
        receipt_lines,
        key,
    };
    mail("receipt", to, number, template.render())
}

#[derive(Template)]
#[template(path = "mail/new_key.txt")]
struct NewKeyMail<'a> {
    lang: Lang,
    number: &'a str,
    key: &'a str,
}

/// A new notification key, issued by an admin.
pub fn new_key(to: &str, lang: Lang, number: &str, key: &str) -> Mail {
    mail("key", to, number, NewKeyMail { lang, number, key }.render())
}

#[derive(Template)]
#[template(path = "mail/renewal_reminder.txt")]
struct ReminderMail<'a> {
    lang: Lang,
    number: &'a str,
    expires_on: NaiveDate,
}

/// The reminder six weeks before expiry.
pub fn renewal_reminder(to: &str, lang: Lang, number: &str, expires_on: NaiveDate) -> Mail {
    let template = ReminderMail {
        lang,
        number,
        expires_on,
    };
    mail("reminder", to, number, template.render())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_mail_has_a_subject_line_and_a_body_in_each_language() {
        let expires = NaiveDate::from_ymd_opt(2029, 11, 23).unwrap();
        for lang in Lang::ALL {
            let mails = [
                confirmation(
                    "a@b.no",
                    lang,
                    Confirming::Amendment,
                    "2026-000001",
                    "Fjordvik",
                    "https://x/confirm/t",
                    expires,
                ),
                receipt(
                    "a@b.no",
                    lang,
                    "2026-000001",
                    "Statement.",
                    "Line: 1",
                    Some("ABCD-EFGH-JKMN-PQRS"),
                ),
                receipt("a@b.no", lang, "2026-000001", "Statement.", "Line: 1", None),
                new_key("a@b.no", lang, "2026-000001", "ABCD-EFGH-JKMN-PQRS"),
                renewal_reminder("a@b.no", lang, "2026-000001", expires),
            ];
            for m in mails {
                assert!(m.subject.contains("2026-000001"), "{lang:?}: {}", m.subject);
                assert!(!m.subject.contains('\n') && !m.subject.contains("{{"));
                assert!(!m.body.is_empty() && !m.body.contains("{%"), "{}", m.body);
                assert!(m.body.ends_with('\n'), "{:?}", m.body);
            }
        }
        let with_key = receipt(
            "a@b.no",
            Lang::Nb,
            "2026-000001",
            "S.",
            "L",
            Some("ABCD-EFGH-JKMN-PQRS"),
        );
        assert!(with_key.body.contains("\n    ABCD-EFGH-JKMN-PQRS\n"));
        let without = receipt("a@b.no", Lang::Nb, "2026-000001", "S.", "L", None);
        assert!(!without.body.contains("Meldingsnøkkelen"));
        let link = confirmation(
            "a@b.no",
            Lang::En,
            Confirming::Registration,
            "2026-000001",
            "A & B",
            "https://x/confirm/t?a=1&b=2",
            expires,
        );
        assert!(
            link.body.contains("https://x/confirm/t?a=1&b=2"),
            "plain text is not escaped"
        );
        assert!(link.body.contains("A & B sent") || link.body.contains("A & B has sent"));
        assert_eq!(link.subject, "Confirm the notification 2026-000001");
        // Whatever a name holds, it stays on its line of the mail.
        let pasted = confirmation(
            "a@b.no",
            Lang::En,
            Confirming::Registration,
            "2026-000001",
            "Fjordvik\r\n\r\nClick https://evil.example now\u{2028}",
            "https://x/confirm/t",
            expires,
        );
        assert!(
            pasted
                .body
                .contains("Fjordvik Click https://evil.example now has sent"),
            "{}",
            pasted.body
        );
    }
}
