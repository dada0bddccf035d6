//! The texts of the mail, in bokmål, nynorsk and English.

use chrono::NaiveDate;

use super::Mail;
use crate::domain::i18n::Lang;
use crate::domain::version::Confirming;

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
    let what = confirming.what(lang);
    let (subject, body) = match lang {
        Lang::Nb => (
            format!("Bekreft {what} {number}"),
            format!(
                "Hei,\n\n{controller} har sendt {what} {number} til Datatilsynet og oppgitt denne e-postadressen.\n\
                 Meldingen er ikke gyldig før den er bekreftet herfra.\n\n\
                 Se hva som er sendt inn, og bekreft:\n{link}\n\n\
                 Lenken kan brukes én gang og gjelder til og med {expires_on}.\n\
                 Har du ikke sendt dette, kan du se bort fra e-posten.\n"
            ),
        ),
        Lang::Nn => (
            format!("Stadfest {what} {number}"),
            format!(
                "Hei,\n\n{controller} har sendt {what} {number} til Datatilsynet og oppgjeve denne e-postadressa.\n\
                 Meldinga er ikkje gyldig før ho er stadfesta herifrå.\n\n\
                 Sjå kva som er sendt inn, og stadfest:\n{link}\n\n\
                 Lenkja kan brukast éin gong og gjeld til og med {expires_on}.\n\
                 Har du ikkje sendt dette, kan du sjå bort frå e-posten.\n"
            ),
        ),
        Lang::En => (
            format!("Confirm {what} {number}"),
            format!(
                "Hello,\n\n{controller} has sent {what} {number} to the Data Protection Authority and gave this address.\n\
                 It is not valid until it is confirmed from here.\n\n\
                 See what was submitted, and confirm:\n{link}\n\n\
                 The link works once, until {expires_on} inclusive.\n\
                 If you did not send this, you can ignore this message.\n"
            ),
        ),
    };
    Mail {
        kind: "confirmation",
        to: to.to_owned(),
        subject,
        body,
    }
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
    let key_part = |intro: &str, once: &str| {
        key.map(|k| format!("\n{intro}\n\n    {k}\n\n{once}\n"))
            .unwrap_or_default()
    };
    let (subject, body) = match lang {
        Lang::Nb => (
            format!("Kvittering for melding {number}"),
            format!(
                "Datatilsynet har mottatt og registrert meldingen.\n\n{receipt_lines}\n{statement}\n{}",
                key_part(
                    "Meldingsnøkkelen trengs for å endre eller trekke tilbake meldingen:",
                    "Ta vare på den. Den vises bare denne ene gangen."
                )
            ),
        ),
        Lang::Nn => (
            format!("Kvittering for melding {number}"),
            format!(
                "Datatilsynet har motteke og registrert meldinga.\n\n{receipt_lines}\n{statement}\n{}",
                key_part(
                    "Meldingsnøkkelen trengst for å endre eller trekkje tilbake meldinga:",
                    "Ta vare på han. Han blir berre vist denne eine gongen."
                )
            ),
        ),
        Lang::En => (
            format!("Receipt for notification {number}"),
            format!(
                "The Data Protection Authority has received and registered the notification.\n\n{receipt_lines}\n{statement}\n{}",
                key_part(
                    "The notification key is needed to amend or withdraw the notification:",
                    "Keep it safe. It is shown only this once."
                )
            ),
        ),
    };
    Mail {
        kind: "receipt",
        to: to.to_owned(),
        subject,
        body,
    }
}

/// A new notification key, issued by an admin.
pub fn new_key(to: &str, lang: Lang, number: &str, key: &str) -> Mail {
    let (subject, body) = match lang {
        Lang::Nb => (
            format!("Ny meldingsnøkkel for melding {number}"),
            format!(
                "Det er laget en ny meldingsnøkkel for melding {number}. Den gamle virker ikke lenger.\n\n    {key}\n\nTa vare på den. Den vises bare denne ene gangen.\n"
            ),
        ),
        Lang::Nn => (
            format!("Ny meldingsnøkkel for melding {number}"),
            format!(
                "Det er laga ein ny meldingsnøkkel for melding {number}. Den gamle verkar ikkje lenger.\n\n    {key}\n\nTa vare på han. Han blir berre vist denne eine gongen.\n"
            ),
        ),
        Lang::En => (
            format!("New notification key for {number}"),
            format!(
                "A new notification key was issued for {number}. The old one no longer works.\n\n    {key}\n\nKeep it safe. It is shown only this once.\n"
            ),
        ),
    };
    Mail {
        kind: "key",
        to: to.to_owned(),
        subject,
        body,
    }
}

/// The reminder six weeks before expiry.
pub fn renewal_reminder(to: &str, lang: Lang, number: &str, expires_on: NaiveDate) -> Mail {
    let (subject, body) = match lang {
        Lang::Nb => (
            format!("Melding {number} utløper {expires_on}"),
            format!(
                "Melding {number} utløper {expires_on}, tre år etter siste bekreftede versjon.\nPågår behandlingen fortsatt, send inn en ny registrering (fornyelse) som viser til {number}.\n"
            ),
        ),
        Lang::Nn => (
            format!("Melding {number} går ut {expires_on}"),
            format!(
                "Melding {number} går ut {expires_on}, tre år etter siste stadfesta versjon.\nHeld behandlinga fram, send inn ei ny registrering (fornying) som viser til {number}.\n"
            ),
        ),
        Lang::En => (
            format!("Notification {number} expires on {expires_on}"),
            format!(
                "Notification {number} expires on {expires_on}, three years after its last confirmed version.\nIf the processing goes on, submit a re-registration that names {number}.\n"
            ),
        ),
    };
    Mail {
        kind: "reminder",
        to: to.to_owned(),
        subject,
        body,
    }
}
