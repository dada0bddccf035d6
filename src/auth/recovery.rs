//! Recovery codes: what signs in when the authenticator app is lost. Each
//! is 120 random bits as 24 characters of Crockford's base32 in six groups
//! of four (`7KQ2-M9XD-4PTH-W3RJ-C8FN-6VAE`), typed in any case, with or
//! without the hyphens; `O` is read as `0`, `I` and `L` as `1`. The service
//! keeps only a SHA-256 of each (a guess of 120 bits needs no slow hash),
//! and each works once.

use sha2::{Digest, Sha256};

/// Crockford's base32 alphabet: no I, L, O or U.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// Characters of a code: 24 × 5 = 120 bits.
const LENGTH: usize = 24;
const GROUP: usize = 4;
/// How many codes an enrolment gives.
pub const COUNT: usize = 10;

/// A recovery code, its characters as the alphabet spells them. Its
/// `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct RecoveryCode([u8; LENGTH]);

impl std::fmt::Debug for RecoveryCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RecoveryCode(****)")
    }
}

impl std::fmt::Display for RecoveryCode {
    /// In groups of four, joined by hyphens.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, group) in self.0.chunks(GROUP).enumerate() {
            if i > 0 {
                f.write_str("-")?;
            }
            f.write_str(std::str::from_utf8(group).expect("the alphabet is ASCII"))?;
        }
        Ok(())
    }
}

impl RecoveryCode {
    pub fn generate() -> Result<Self, getrandom::Error> {
        let mut random = [0u8; LENGTH * 5 / 8];
        getrandom::fill(&mut random)?;
        // 15 bytes are 120 bits: five at a time, one character each.
        let mut code = [0u8; LENGTH];
        for (i, c) in code.iter_mut().enumerate() {
            let bit = i * 5;
            let two = u16::from(random[bit / 8]) << 8
                | u16::from(random.get(bit / 8 + 1).copied().unwrap_or(0));
            let value = (two >> (11 - bit % 8)) & 0b1_1111;
            *c = ALPHABET[usize::from(value)];
        }
        Ok(Self(code))
    }

    /// A typed code: any case, hyphens and spaces anywhere, the letters
    /// Crockford reads as digits read so; `None` unless it comes to 24
    /// characters of the alphabet.
    pub fn parse(text: &str) -> Option<Self> {
        let mut code = [0u8; LENGTH];
        let mut n = 0;
        for c in text.chars().filter(|c| *c != '-' && !c.is_whitespace()) {
            let c = match c.to_ascii_uppercase() {
                'O' => '0',
                'I' | 'L' => '1',
                other => other,
            };
            if !c.is_ascii() || !ALPHABET.contains(&(c as u8)) || n == LENGTH {
                return None;
            }
            code[n] = c as u8;
            n += 1;
        }
        (n == LENGTH).then_some(Self(code))
    }

    /// What the service stores: SHA-256 of the 24 characters.
    pub fn hash(&self) -> [u8; 32] {
        Sha256::digest(self.0).into()
    }
}

/// A new set of codes.
pub fn generate_set() -> Result<Vec<RecoveryCode>, getrandom::Error> {
    (0..COUNT).map(|_| RecoveryCode::generate()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_reads_back_however_it_is_typed() {
        let code = RecoveryCode::generate().unwrap();
        let shown = code.to_string();
        assert_eq!(shown.len(), 29);
        assert_eq!(shown.matches('-').count(), 5);
        for typed in [
            shown.clone(),
            shown.to_lowercase(),
            shown.replace('-', ""),
            shown.replace('-', " "),
            format!(" {shown} "),
        ] {
            assert_eq!(RecoveryCode::parse(&typed), Some(code.clone()), "{typed}");
        }
        assert_eq!(format!("{code:?}"), "RecoveryCode(****)");
    }

    #[test]
    fn look_alike_letters_are_read_as_digits() {
        let code = RecoveryCode::parse("0000-1111-2222-3333-4444-5555").unwrap();
        assert_eq!(
            RecoveryCode::parse("oOoO-iIlL-2222-3333-4444-5555"),
            Some(code)
        );
    }

    #[test]
    fn anything_else_is_not_a_code() {
        for typed in [
            "",
            "123456",
            "0000-1111-2222-3333-4444-555",
            "0000-1111-2222-3333-4444-55555",
            "0000-1111-2222-3333-4444-555U",
            "0000-1111-2222-3333-4444-555Ø",
        ] {
            assert_eq!(RecoveryCode::parse(typed), None, "{typed:?}");
        }
    }

    #[test]
    fn codes_spread_over_the_alphabet_and_differ() {
        let set = generate_set().unwrap();
        assert_eq!(set.len(), COUNT);
        let distinct: std::collections::BTreeSet<String> =
            set.iter().map(ToString::to_string).collect();
        assert_eq!(distinct.len(), COUNT);
        // 240 characters from a fair source use most of the 32 symbols.
        let used: std::collections::BTreeSet<u8> = set.iter().flat_map(|c| c.0).collect();
        assert!(used.len() > 20, "{used:?}");
        assert_ne!(set[0].hash(), set[1].hash());
    }
}
