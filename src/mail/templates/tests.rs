use super::*;

fn about(lang: Lang) -> About<'static> {
    About {
        to: "a@b.no",
        lang,
        number: "2026-000001",
        sender: "Datatilsynet",
    }
}

fn parts(key: Option<&'static str>) -> ReceiptParts<'static> {
    ReceiptParts {
        statement: "Statement.",
        lines: "Line: 1",
        verify: "https://x/receipts/1",
        key,
        pdf: b"%PDF-".to_vec(),
    }
}

#[test]
fn every_mail_has_a_subject_a_greeting_a_sign_off_and_an_html_twin() {
    let expires = NaiveDate::from_ymd_opt(2029, 11, 23).unwrap();
    let at: DateTime<Utc> = "2026-11-23T10:00:00Z".parse().unwrap();
    for lang in Lang::ALL {
        let mails = [
            confirmation(
                about(lang),
                Confirming::Amendment,
                "Fjordvik",
                "https://x/confirm/t",
                expires,
            ),
            receipt(about(lang), parts(Some("ABCD-EFGH-JKMN-PQRS"))),
            receipt(about(lang), parts(None)),
            new_key(
                about(lang),
                "Fjordvik",
                "ABCD-EFGH-JKMN-PQRS",
                AskedBy::User {
                    email: "admin@x.no",
                },
                "Fjordvik kommune",
                at,
            ),
            renewal_reminder(
                about(lang),
                "Fjordvik",
                "Forskning (spesifiser i punkt 6d)",
                expires,
                "https://x/register/2026-000001",
            ),
        ];
        for m in mails {
            assert!(m.subject.contains("2026-000001"), "{lang:?}: {}", m.subject);
            assert!(!m.subject.contains('\n') && !m.subject.contains("{{"));
            assert!(!m.body.is_empty() && !m.body.contains("{%"), "{}", m.body);
            assert!(m.body.ends_with("Datatilsynet\n"), "signed: {:?}", m.body);
            assert!(
                m.body.starts_with("Hei,\n") || m.body.starts_with("Hello,\n"),
                "{:?}",
                m.body
            );
            let html = m.html.as_deref().expect("an HTML part");
            assert!(
                html.contains(&format!("<html lang=\"{}\">", lang.code())),
                "{html}"
            );
        }
    }
}

#[test]
fn the_receipt_mail_carries_its_pdf_and_the_key_once() {
    let with_key = receipt(about(Lang::Nb), parts(Some("ABCD-EFGH-JKMN-PQRS")));
    assert!(with_key.body.contains("\n    ABCD-EFGH-JKMN-PQRS\n"));
    assert!(with_key.body.contains("https://x/receipts/1"));
    let (name, bytes) = with_key.attachment.expect("the PDF attached");
    assert_eq!(name, "kvittering-2026-000001.pdf");
    assert_eq!(bytes, b"%PDF-");
    let without = receipt(about(Lang::Nb), parts(None));
    assert!(!without.body.contains("Meldingsnøkkelen"));
}

#[test]
fn the_reminder_says_what_expires_what_happens_and_how_to_renew() {
    let expires = NaiveDate::from_ymd_opt(2029, 11, 23).unwrap();
    let m = renewal_reminder(
        about(Lang::Nb),
        "Fjordvik kommune",
        "Forskning (spesifiser i punkt 6d)",
        expires,
        "https://x/register/2026-000001",
    );
    assert_eq!(m.subject, "Melding 2026-000001 utløper 23. november 2029");
    for expected in [
        "Fjordvik kommune",
        "«Forskning»",
        "forsvinner da fra den offentlige fortegnelsen",
        "\n1. Se hva som er registrert nå: https://x/register/2026-000001\n",
        "\n2. Send inn en ny registrering (fornyelse)",
        "\n3. Bekreft fra lenken",
    ] {
        assert!(m.body.contains(expected), "{expected:?} in {}", m.body);
    }
    assert!(
        m.html
            .unwrap()
            .contains("<a href=\"https://x/register/2026-000001\"")
    );
}

#[test]
fn the_new_key_mail_says_who_asked_and_when_and_what_if_unexpected() {
    let at: DateTime<Utc> = "2026-11-23T10:00:00Z".parse().unwrap();
    let m = new_key(
        about(Lang::En),
        "Fjordvik",
        "ABCD-EFGH-JKMN-PQRS",
        AskedBy::Client { name: "Sak" },
        "Fjordvik kommune",
        at,
    );
    assert!(
        m.body
            .contains("The integration \u{201c}Sak\u{201d} of Fjordvik kommune asked"),
        "{}",
        m.body
    );
    assert!(
        m.body
            .contains("on 23 November 2026 at 11:00 Norwegian time"),
        "{}",
        m.body
    );
    assert!(m.body.contains("Not expecting this?"), "{}", m.body);
}

#[test]
fn plain_text_is_not_escaped_and_a_name_stays_on_its_line() {
    let expires = NaiveDate::from_ymd_opt(2029, 11, 23).unwrap();
    let link = confirmation(
        about(Lang::En),
        Confirming::Registration,
        "A & B",
        "https://x/confirm/t?a=1&b=2",
        expires,
    );
    assert!(
        link.body.contains("https://x/confirm/t?a=1&b=2"),
        "plain text is not escaped"
    );
    assert!(link.body.contains("A & B has sent"));
    assert_eq!(link.subject, "Confirm the notification 2026-000001");
    let pasted = confirmation(
        about(Lang::En),
        Confirming::Registration,
        "Fjordvik\r\n\r\nClick https://evil.example now\u{2028}",
        "https://x/confirm/t",
        expires,
    );
    assert!(
        pasted
            .body
            .contains("Fjordvik Click https[:]//evil[.]example now has sent"),
        "{}",
        pasted.body
    );
}
