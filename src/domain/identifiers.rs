//! Organisation identifiers: Norwegian organisation numbers, LEI, and the
//! other schemes, each checked by its own rule.

use serde::{Deserialize, Serialize};

use super::code_lists::{Country, IdentifierScheme};

/// A Norwegian organisation number (organisasjonsnummer): nine digits, the
/// last a modulus-11 check digit with weights 3 2 7 6 5 4 3 2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct OrgNumber([u8; 9]);

/// Why an organisation number is not valid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrgNumberError {
    /// Not nine digits (spaces allowed).
    Format,
    /// The check digit does not match, or no valid check digit exists.
    Checksum,
}

impl OrgNumber {
    const WEIGHTS: [u32; 8] = [3, 2, 7, 6, 5, 4, 3, 2];

    /// Parses nine digits; spaces between them are allowed ("974 761 467").
    pub fn parse(input: &str) -> Result<Self, OrgNumberError> {
        let mut digits = [0u8; 9];
        let mut count = 0;
        for c in input.trim().chars() {
            match c {
                ' ' | '\u{a0}' => {}
                '0'..='9' if count < 9 => {
                    digits[count] = c as u8 - b'0';
                    count += 1;
                }
                _ => return Err(OrgNumberError::Format),
            }
        }
        if count != 9 {
            return Err(OrgNumberError::Format);
        }
        match Self::check_digit(&digits[..8]) {
            Some(check) if check == digits[8] => Ok(Self(digits)),
            _ => Err(OrgNumberError::Checksum),
        }
    }

    /// The check digit for eight digits, or `None` when it would be 10 and
    /// so no valid number starts with them.
    pub fn check_digit(first_eight: &[u8]) -> Option<u8> {
        let sum: u32 = first_eight
            .iter()
            .zip(Self::WEIGHTS)
            .map(|(&d, w)| u32::from(d) * w)
            .sum();
        match 11 - sum % 11 {
            11 => Some(0),
            10 => None,
            n => Some(n as u8),
        }
    }

    /// The nine digits without spaces.
    pub fn as_string(&self) -> String {
        self.0.iter().map(|d| char::from(b'0' + d)).collect()
    }
}

impl std::fmt::Display for OrgNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.as_string())
    }
}

/// Whether a Legal Entity Identifier (ISO 17442) is well-formed: 20
/// characters A-Z and 0-9, the last two check digits by ISO 7064 MOD 97-10.
pub fn lei_is_valid(lei: &str) -> Result<(), LeiError> {
    if lei.len() != 20
        || !lei
            .bytes()
            .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase())
    {
        return Err(LeiError::Format);
    }
    if !lei[18..].bytes().all(|b| b.is_ascii_digit()) {
        return Err(LeiError::Format);
    }
    if mod97(lei) == 1 {
        Ok(())
    } else {
        Err(LeiError::Checksum)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeiError {
    Format,
    Checksum,
}

/// ISO 7064 MOD 97-10 remainder, letters counting A=10 … Z=35.
fn mod97(text: &str) -> u32 {
    let mut remainder = 0u32;
    for b in text.bytes() {
        let value = if b.is_ascii_digit() {
            u32::from(b - b'0')
        } else {
            u32::from(b - b'A') + 10
        };
        remainder = if value >= 10 {
            (remainder * 100 + value) % 97
        } else {
            (remainder * 10 + value) % 97
        };
    }
    remainder
}

/// The two check digits that make `first_eighteen` a valid LEI.
pub fn lei_check_digits(first_eighteen: &str) -> String {
    let remainder = mod97(&format!("{first_eighteen}00"));
    format!("{:02}", 98 - remainder)
}

/// An EU VAT number: the member state's two-letter prefix (Greece: EL) and
/// 2 to 13 letters or digits.
pub fn eu_vat_is_valid(vat: &str) -> bool {
    let bytes = vat.as_bytes();
    bytes.len() >= 4
        && bytes.len() <= 15
        && bytes[..2].iter().all(u8::is_ascii_uppercase)
        && bytes[2..]
            .iter()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || *b == b'+' || *b == b'*')
}

/// A European Unique Identifier (BRIS): country, register code, a dot, and
/// the number in that register, e.g. `DEK1101R.HRB116737`.
pub fn euid_is_valid(euid: &str) -> bool {
    let Some((register, number)) = euid.split_once('.') else {
        return false;
    };
    register.len() >= 3
        && register.len() <= 20
        && register[..2].bytes().all(|b| b.is_ascii_uppercase())
        && register
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        && !number.is_empty()
        && number.len() <= 40
        && number
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-/.".contains(&b))
}

/// A checked organisation identifier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identifier {
    pub scheme: IdentifierScheme,
    /// Normalised: an organisation number without spaces, codes upper case.
    pub value: String,
    /// The country that issued it, where the scheme does not imply one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<Country>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_specs_numbers_are_judged_as_the_spec_says() {
        for valid in [
            "974761467",
            "974760673",
            "889640782",
            "983887457",
            "123456785",
            "974 761 467",
        ] {
            assert!(OrgNumber::parse(valid).is_ok(), "{valid}");
        }
        assert_eq!(OrgNumber::parse("123456789"), Err(OrgNumberError::Checksum));
        for last in 0..=9 {
            assert_eq!(
                OrgNumber::parse(&format!("10000013{last}")),
                Err(OrgNumberError::Checksum),
                "no check digit exists for 10000013"
            );
        }
        assert_eq!(OrgNumber::check_digit(&[1, 0, 0, 0, 0, 0, 1, 3]), None);
        for bad in ["", "97476146", "9747614670", "97476146x", "974-761-467"] {
            assert_eq!(
                OrgNumber::parse(bad),
                Err(OrgNumberError::Format),
                "{bad:?}"
            );
        }
        assert_eq!(
            OrgNumber::parse(" 974 761 467 ").unwrap().to_string(),
            "974761467"
        );
    }

    #[test]
    fn lei_check_digits_follow_iso_7064() {
        // Published LEIs.
        for lei in [
            "5493001KJTIIGC8Y1R12",
            "7ZW8QJWVPR4P1J1KQY45",
            "529900T8BM49AURSDO55",
        ] {
            assert_eq!(lei_is_valid(lei), Ok(()), "{lei}");
        }
        assert_eq!(
            lei_is_valid("5493001KJTIIGC8Y1R13"),
            Err(LeiError::Checksum)
        );
        assert_eq!(lei_is_valid("5493001KJTIIGC8Y1R1"), Err(LeiError::Format));
        assert_eq!(lei_is_valid("5493001kjtiigc8y1r12"), Err(LeiError::Format));
    }

    #[test]
    fn vat_and_euid_shapes() {
        assert!(eu_vat_is_valid("SE556677889901"));
        assert!(eu_vat_is_valid("EL123456789"));
        assert!(!eu_vat_is_valid("123456789"));
        assert!(!eu_vat_is_valid("SE"));
        assert!(euid_is_valid("DEK1101R.HRB116737"));
        assert!(!euid_is_valid("DEK1101R"));
        assert!(!euid_is_valid("dek1101r.HRB1"));
    }

    proptest! {
        #[test]
        fn every_valid_organisation_number_round_trips(first in proptest::collection::vec(0u8..10, 8)) {
            if let Some(check) = OrgNumber::check_digit(&first) {
                let text: String = first.iter().chain([check].iter()).map(|d| char::from(b'0' + d)).collect();
                let parsed = OrgNumber::parse(&text).unwrap();
                prop_assert_eq!(parsed.to_string(), text.clone());
                // Spaced as people write it.
                let spaced = format!("{} {} {}", &text[..3], &text[3..6], &text[6..]);
                prop_assert_eq!(OrgNumber::parse(&spaced).unwrap(), parsed);
                // Any other last digit is refused.
                for other in (0..10u8).filter(|d| *d != check) {
                    let wrong = format!("{}{}", &text[..8], other);
                    prop_assert_eq!(OrgNumber::parse(&wrong), Err(OrgNumberError::Checksum));
                }
            }
        }

        #[test]
        fn every_generated_lei_is_valid(body in "[0-9A-Z]{18}") {
            let lei = format!("{body}{}", lei_check_digits(&body));
            prop_assert_eq!(lei_is_valid(&lei), Ok(()));
        }
    }
}
