//! How dates, times, identifiers and labels are written for people, as
//! each language writes them: `6. desember 2026 kl. 14.05` in Norwegian
//! time, `6 December 2026`, `org.nr. 946 155 128`, and a form's label
//! without its instruction to the one filling it in.

use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};
use chrono_tz::Europe::Oslo;

use super::code_lists::IdentifierScheme;
use super::i18n::{Lang, Text};
use super::identifiers::Identifier;

const MONTHS_NO: [&str; 12] = [
    "januar",
    "februar",
    "mars",
    "april",
    "mai",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "desember",
];

const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// A calendar date: `6. desember 2026` (nb, nn), `6 December 2026` (en).
pub fn date(d: NaiveDate, lang: Lang) -> String {
    let month = d.month0() as usize;
    match lang {
        Lang::Nb | Lang::Nn => format!("{}. {} {}", d.day(), MONTHS_NO[month], d.year()),
        Lang::En => format!("{} {} {}", d.day(), MONTHS_EN[month], d.year()),
    }
}

/// An instant in Norwegian time (Europe/Oslo): `6. desember 2026 kl.
/// 14.05` (nb, nn), `6 December 2026 at 14:05 Norwegian time` (en; a
/// reader abroad should not take it for their own).
pub fn time(at: DateTime<Utc>, lang: Lang) -> String {
    let local = at.with_timezone(&Oslo);
    let day = date(local.date_naive(), lang);
    let (h, m) = (local.hour(), local.minute());
    match lang {
        Lang::Nb | Lang::Nn => format!("{day} kl. {h:02}.{m:02}"),
        Lang::En => format!("{day} at {h:02}:{m:02} Norwegian time"),
    }
}

const ORGNR: Text = Text::new("org.nr.", "org.nr.", "org. no.");

/// An identifier as people write it: `org.nr. 946 155 128`, else the
/// scheme's name and the value.
pub fn identifier(id: &Identifier, lang: Lang) -> String {
    match id.scheme {
        IdentifierScheme::NoOrgnr => format!("{} {}", ORGNR.get(lang), grouped_orgnr(&id.value)),
        scheme => match id.country {
            Some(country) => format!(
                "{} {} ({})",
                scheme.label().get(lang),
                id.value,
                country.name().get(lang)
            ),
            None => format!("{} {}", scheme.label().get(lang), id.value),
        },
    }
}

/// Nine digits in groups of three (`946 155 128`); anything else as given.
fn grouped_orgnr(value: &str) -> String {
    let digits: String = value.chars().filter(char::is_ascii_digit).collect();
    if digits.len() != 9 {
        return value.to_owned();
    }
    format!("{} {} {}", &digits[..3], &digits[3..6], &digits[6..])
}

/// A label without the form's instruction to the one filling it in:
/// `Forskning (spesifiser i punkt 6d)` → `Forskning`.
pub fn plain(label: &str) -> &str {
    match label.rfind(" (") {
        Some(i)
            if label.ends_with(')')
                && ["(spesifiser", "(specify", "(give the"]
                    .iter()
                    .any(|s| label[i + 1..].starts_with(s)) =>
        {
            &label[..i]
        }
        _ => label,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_written_as_each_language_writes_them() {
        let d = NaiveDate::from_ymd_opt(2026, 12, 6).unwrap();
        assert_eq!(date(d, Lang::Nb), "6. desember 2026");
        assert_eq!(date(d, Lang::Nn), "6. desember 2026");
        assert_eq!(date(d, Lang::En), "6 December 2026");
    }

    #[test]
    fn times_are_norwegian_time_summer_and_winter() {
        let winter: DateTime<Utc> = "2026-12-06T13:05:00Z".parse().unwrap();
        assert_eq!(time(winter, Lang::Nb), "6. desember 2026 kl. 14.05");
        assert_eq!(
            time(winter, Lang::En),
            "6 December 2026 at 14:05 Norwegian time"
        );
        // Summer time is two hours ahead; the date follows Oslo too.
        let summer: DateTime<Utc> = "2026-06-30T22:30:00Z".parse().unwrap();
        assert_eq!(time(summer, Lang::Nn), "1. juli 2026 kl. 00.30");
    }

    #[test]
    fn an_organisation_number_is_grouped_and_named() {
        let id = Identifier {
            scheme: IdentifierScheme::NoOrgnr,
            value: "946155128".into(),
            country: None,
        };
        assert_eq!(identifier(&id, Lang::Nb), "org.nr. 946 155 128");
        assert_eq!(identifier(&id, Lang::En), "org. no. 946 155 128");
    }

    #[test]
    fn the_forms_instructions_are_left_out() {
        assert_eq!(plain("Forskning (spesifiser i punkt 6d)"), "Forskning");
        assert_eq!(
            plain(
                "Statutory processing for the state, a municipality or county (give the legal basis in 6c)"
            ),
            "Statutory processing for the state, a municipality or county"
        );
        assert_eq!(
            plain("Annet unntak etter § 30 (spesifiser)"),
            "Annet unntak etter § 30"
        );
        assert_eq!(
            plain("LEI (Legal Entity Identifier)"),
            "LEI (Legal Entity Identifier)"
        );
    }
}
