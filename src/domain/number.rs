//! The public notification number (meldingsnummer): year and sequence,
//! `2026-000123`.

use std::fmt;
use std::str::FromStr;

/// A notification number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NotificationNumber {
    year: u16,
    sequence: u32,
}

/// Why a text is not a notification number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a notification number is a year and six or more digits, such as 2026-000123")]
pub struct NumberError;

impl NotificationNumber {
    /// Years the service can have issued numbers in.
    const YEARS: std::ops::RangeInclusive<u16> = 2000..=9999;
    const MAX_SEQUENCE: u32 = 99_999_999;

    pub fn new(year: u16, sequence: u32) -> Result<Self, NumberError> {
        if Self::YEARS.contains(&year) && (1..=Self::MAX_SEQUENCE).contains(&sequence) {
            Ok(Self { year, sequence })
        } else {
            Err(NumberError)
        }
    }

    pub fn year(self) -> u16 {
        self.year
    }

    pub fn sequence(self) -> u32 {
        self.sequence
    }
}

impl fmt::Display for NotificationNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{:06}", self.year, self.sequence)
    }
}

impl FromStr for NotificationNumber {
    type Err = NumberError;

    /// Exactly as written: four digits, a hyphen, six to eight digits.
    fn from_str(s: &str) -> Result<Self, NumberError> {
        let (year, sequence) = s.split_once('-').ok_or(NumberError)?;
        let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
        if year.len() != 4
            || !digits(year)
            || !(6..=8).contains(&sequence.len())
            || !digits(sequence)
        {
            return Err(NumberError);
        }
        let parsed = Self::new(
            year.parse().map_err(|_| NumberError)?,
            sequence.parse().map_err(|_| NumberError)?,
        )?;
        // One spelling per number: no extra leading zeros beyond six digits.
        if parsed.to_string() != s {
            return Err(NumberError);
        }
        Ok(parsed)
    }
}

impl serde::Serialize for NotificationNumber {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for NotificationNumber {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn formats_and_parses() {
        let n = NotificationNumber::new(2026, 123).unwrap();
        assert_eq!(n.to_string(), "2026-000123");
        assert_eq!("2026-000123".parse::<NotificationNumber>(), Ok(n));
        assert_eq!(
            "2026-12345678"
                .parse::<NotificationNumber>()
                .unwrap()
                .sequence(),
            12_345_678
        );
        for bad in [
            "",
            "2026",
            "2026-123",
            "2026-0000123",
            "26-000123",
            "2026-00012a",
            "2026-000000",
            "1999-000001",
            "2026–000123",
        ] {
            assert_eq!(bad.parse::<NotificationNumber>(), Err(NumberError), "{bad}");
        }
    }

    proptest! {
        #[test]
        fn round_trips(year in 2000u16..=9999, sequence in 1u32..=99_999_999) {
            let n = NotificationNumber::new(year, sequence).unwrap();
            prop_assert_eq!(n.to_string().parse::<NotificationNumber>(), Ok(n));
        }
    }
}
