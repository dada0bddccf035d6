//! What a search of the register asks, read from its text: the words (for
//! PostgreSQL's Norwegian full-text search, the last one a prefix so a
//! search box can search as one types), an identifier, and the position a
//! cursor stands for. Pure: no database, no HTTP.

use chrono::{DateTime, NaiveDate, Utc};

use crate::domain::folding::fold;

/// The longest search text, in characters.
pub const Q_MAX: usize = 200;
/// The shortest last word searched for as the start of words.
const PREFIX_FROM: usize = 3;
/// Words beyond this many are not searched for.
const MAX_WORDS: usize = 12;

/// What a register cursor looks like: a key and the number of the last
/// entry of the page (`1790000000123456_2026-000123`).
pub const CURSOR_PATTERN: &str = "^([0-9]{1,19}_[0-9]{4}-[0-9]{6,8})?$";

/// The words of a search, lower case, letters and digits only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Words(Vec<String>);

impl Words {
    /// The words of `text`, or `None` when it has none.
    pub fn parse(text: &str) -> Option<Self> {
        // Folded here, as the entries' words are when they are written
        // (`projection`): the server's locale never decides a letter's case.
        let words: Vec<String> = fold(text)
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .take(MAX_WORDS)
            .map(str::to_owned)
            .collect();
        (!words.is_empty()).then_some(Self(words))
    }

    /// The words as a `to_tsquery` text: all of them, the last as a prefix
    /// once it has [`PREFIX_FROM`] characters (a letter or two would be the
    /// start of half the register's words). Each is quoted; only letters
    /// and digits reach it, so nothing in the text can change the query's
    /// form.
    pub fn tsquery(&self) -> String {
        let last = self.0.len() - 1;
        self.0
            .iter()
            .enumerate()
            .map(|(i, w)| {
                if i == last && w.chars().count() >= PREFIX_FROM {
                    format!("'{w}':*")
                } else {
                    format!("'{w}'")
                }
            })
            .collect::<Vec<_>>()
            .join(" & ")
    }
}

/// The text as an identifier, normalised as identifiers are stored (an
/// organisation number without spaces, codes in upper case), where it can
/// be one: one token with a digit in it, or groups of digits with spaces
/// between them ("974 761 467").
pub fn identifier(text: &str) -> Option<String> {
    let spaced = text.trim().contains(char::is_whitespace);
    if spaced
        && !text
            .split_whitespace()
            .all(|g| g.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    let compact = normalised_identifier(text);
    let plausible = (4..=40).contains(&compact.len())
        && compact.chars().any(|c| c.is_ascii_digit())
        && compact
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '/'));
    plausible.then_some(compact)
}

/// An identifier as identifiers are stored: no spaces, upper case.
pub fn normalised_identifier(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_uppercase)
        .collect()
}

/// Where a page starts: after this entry, in the order of the list.
#[derive(Debug, Clone, PartialEq)]
pub enum After {
    /// Browsing, newest registration first: its registration and number.
    Registered(DateTime<Utc>, String),
    /// Searching, best first: its rank and number.
    Ranked(f32, String),
}

/// Encodes the position after an entry.
pub fn encode_cursor(after: &After) -> String {
    match after {
        After::Registered(at, number) => format!("{}_{number}", at.timestamp_micros()),
        After::Ranked(rank, number) => format!("{}_{number}", rank.to_bits()),
    }
}

/// Reads a cursor back for a search (`ranked`) or a browse; any cursor of
/// the documented shape is a position.
pub fn decode_cursor(cursor: &str, ranked: bool) -> Option<After> {
    let (key, number) = cursor.split_once('_')?;
    let number_ok = number.len() >= 11
        && number.len() <= 13
        && number.as_bytes()[4] == b'-'
        && number
            .bytes()
            .enumerate()
            .all(|(i, b)| i == 4 || b.is_ascii_digit());
    if !number_ok || key.is_empty() || key.len() > 19 || !key.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // Nineteen digits always fit; a key beyond what a position can be
    // stands for the farthest one, so that every cursor of the documented
    // form is a position.
    let key: u64 = key.parse().ok()?;
    Some(if ranked {
        let bits = u32::try_from(key).unwrap_or(u32::MAX);
        After::Ranked(f32::from_bits(bits), number.to_owned())
    } else {
        let last = NaiveDate::from_ymd_opt(9999, 12, 31)?
            .and_hms_opt(23, 59, 59)?
            .and_utc()
            .timestamp_micros();
        let micros = i64::try_from(key).unwrap_or(i64::MAX).min(last);
        After::Registered(DateTime::from_timestamp_micros(micros)?, number.to_owned())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_letters_and_digits_and_the_last_is_a_prefix() {
        let w = Words::parse("  Barnehagen «Solstråla» & co'; DROP--").unwrap();
        assert_eq!(w.tsquery(), "'barnehagen' & 'solstråla' & 'co' & 'drop':*");
        // A last word of one or two letters is a whole word.
        let w = Words::parse("Bergen tannlege as").unwrap();
        assert_eq!(w.tsquery(), "'bergen' & 'tannlege' & 'as'");
        assert_eq!(Words::parse(" -- !! "), None);
        let many = "a ".repeat(40);
        assert_eq!(Words::parse(&many).unwrap().0.len(), MAX_WORDS);
    }

    #[test]
    fn norwegian_capitals_are_folded_in_the_service() {
        let w = Words::parse("ÆRØY Øygarden Ålesund").unwrap();
        assert_eq!(w.tsquery(), "'ærøy' & 'øygarden' & 'ålesund':*");
        // A decomposed Å is the same letter, not a split word.
        let w = Words::parse("A\u{30A}lesund").unwrap();
        assert_eq!(w.tsquery(), "'ålesund':*");
    }

    #[test]
    fn an_organisation_number_with_spaces_is_an_identifier() {
        assert_eq!(identifier("974 761 467").as_deref(), Some("974761467"));
        assert_eq!(
            identifier("5493001kjtiigc8y1r12").as_deref(),
            Some("5493001KJTIIGC8Y1R12")
        );
        assert_eq!(identifier("barnehage"), None);
        assert_eq!(identifier("Fjordvik kommune 2"), None);
        assert_eq!(identifier("12"), None);
    }

    #[test]
    fn cursors_round_trip_for_both_orders() {
        let at = DateTime::from_timestamp_micros(1_790_000_000_123_456).unwrap();
        let browse = After::Registered(at, "2026-000123".into());
        assert_eq!(
            decode_cursor(&encode_cursor(&browse), false),
            Some(browse.clone())
        );
        let ranked = After::Ranked(0.6079271, "2026-1234567".into());
        assert_eq!(decode_cursor(&encode_cursor(&ranked), true), Some(ranked));
        for bad in [
            "",
            "x_2026-000123",
            "1_2026000123",
            "1_2026-12",
            "1_",
            "_2026-000123",
        ] {
            assert_eq!(decode_cursor(bad, false), None, "{bad}");
        }
        // Any key of the documented form is a position: beyond the last
        // there is, it stands for the last.
        let far = decode_cursor("9999999999999999999_2026-000123", false).unwrap();
        assert!(matches!(far, After::Registered(at, _) if at.timestamp() == 253_402_300_799));
        assert!(decode_cursor("99999999999_2026-000123", true).is_some());
        assert_eq!(
            decode_cursor("99999999999999999999_2026-000123", false),
            None,
            "twenty digits are not of the form"
        );
    }
}
