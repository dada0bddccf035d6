//! What a search of the register asks, read from its text: the words (for
//! PostgreSQL's Norwegian full-text search, the last one a prefix so a
//! search box can search as one types), an identifier, and the position a
//! cursor stands for. Pure: no database, no HTTP.

use chrono::{DateTime, Datelike, Utc};

/// The longest search text, in characters.
pub const Q_MAX: usize = 200;
/// Words beyond this many are not searched for.
const MAX_WORDS: usize = 12;

/// What a register cursor looks like: a key and the number of the last
/// entry of the page (`1790000000123456_2026-000123`).
pub const CURSOR_PATTERN: &str = "^([0-9]{1,20}_[0-9]{4}-[0-9]{6,8})?$";

/// The words of a search, lower case, letters and digits only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Words(Vec<String>);

impl Words {
    /// The words of `text`, or `None` when it has none.
    pub fn parse(text: &str) -> Option<Self> {
        let words: Vec<String> = text
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .take(MAX_WORDS)
            .map(str::to_lowercase)
            .collect();
        (!words.is_empty()).then_some(Self(words))
    }

    /// The words as a `to_tsquery` text: all of them, the last as a prefix.
    /// Each is quoted; only letters and digits reach it, so nothing in the
    /// text can change the query's form.
    pub fn tsquery(&self) -> String {
        let last = self.0.len() - 1;
        self.0
            .iter()
            .enumerate()
            .map(|(i, w)| {
                if i == last {
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
    if !number_ok || key.is_empty() || key.len() > 20 || !key.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let key: u64 = key.parse().ok()?;
    Some(if ranked {
        After::Ranked(f32::from_bits(u32::try_from(key).ok()?), number.to_owned())
    } else {
        // Within the years the database holds.
        let at = DateTime::from_timestamp_micros(i64::try_from(key).ok()?)?;
        if at.year() > 9999 {
            return None;
        }
        After::Registered(at, number.to_owned())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_letters_and_digits_and_the_last_is_a_prefix() {
        let w = Words::parse("  Barnehagen «Solstråla» & co'; DROP--").unwrap();
        assert_eq!(w.tsquery(), "'barnehagen' & 'solstråla' & 'co' & 'drop':*");
        assert_eq!(Words::parse(" -- !! "), None);
        let many = "a ".repeat(40);
        assert_eq!(Words::parse(&many).unwrap().0.len(), MAX_WORDS);
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
        // A time beyond the year 9999 is not a position.
        assert_eq!(
            decode_cursor("99999999999999999999_2026-000123", false),
            None
        );
        // A rank key too large for a rank is not a position.
        assert_eq!(decode_cursor("99999999999_2026-000123", true), None);
    }
}
