//! The notification key (meldingsnøkkel): the secret that, with the
//! notification number, lets its owner amend or withdraw a notification.
//!
//! Humans type it, so it is 16 characters of Crockford base32 in four
//! groups (`XXXX-XXXX-XXXX-XXXX`): 15 random characters (75 bits) and a
//! check character. The check is Damm's algorithm over a totally
//! anti-symmetric quasigroup of order 32 (x∗y = 2x + y in GF(32)), which
//! catches every single wrong character and every swap of two neighbours.
//! The service stores only an HMAC-SHA256 of the key under a server secret.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Crockford's base32 alphabet: no I, L, O or U.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const LENGTH: usize = 16;

/// A notification key. Its `Debug` never shows the key.
#[derive(Clone, PartialEq, Eq)]
pub struct NotificationKey([u8; LENGTH]);

impl std::fmt::Debug for NotificationKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NotificationKey(****)")
    }
}

/// Why a typed key is not a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyError {
    /// Not 16 characters of the alphabet (spaces and hyphens aside).
    Format,
    /// A mistyped character: the check character does not match.
    Check,
}

/// Multiplication by 2 in GF(32) with the primitive polynomial x⁵ + x² + 1.
fn times_two(x: u8) -> u8 {
    let doubled = x << 1;
    if doubled & 0b10_0000 != 0 {
        (doubled ^ 0b10_0101) & 0b1_1111
    } else {
        doubled
    }
}

/// Damm's running value over symbol values; 0 for a valid whole key.
fn damm(values: &[u8]) -> u8 {
    values.iter().fold(0, |interim, &v| times_two(interim) ^ v)
}

fn value_of(c: char) -> Option<u8> {
    let c = match c.to_ascii_uppercase() {
        'O' => '0',
        'I' | 'L' => '1',
        other => other,
    };
    ALPHABET
        .iter()
        .position(|&a| char::from(a) == c)
        .map(|p| p as u8)
}

impl NotificationKey {
    /// A new key from the operating system's cryptographic random source.
    pub fn generate() -> Self {
        let mut random = [0u8; LENGTH - 1];
        getrandom::fill(&mut random).expect("the OS random source");
        let mut values = [0u8; LENGTH];
        for (value, byte) in values.iter_mut().zip(random) {
            // 256 is a multiple of 32: taking five bits keeps it uniform.
            *value = byte & 0b1_1111;
        }
        values[LENGTH - 1] = times_two(damm(&values[..LENGTH - 1]));
        Self(values)
    }

    /// Parses a typed key: case, spaces and hyphens do not matter, and O is
    /// read as 0, I and L as 1.
    pub fn parse(input: &str) -> Result<Self, KeyError> {
        let mut values = [0u8; LENGTH];
        let mut count = 0;
        for c in input.chars() {
            if c == '-' || c.is_whitespace() {
                continue;
            }
            if count == LENGTH {
                return Err(KeyError::Format);
            }
            values[count] = value_of(c).ok_or(KeyError::Format)?;
            count += 1;
        }
        if count != LENGTH {
            return Err(KeyError::Format);
        }
        if damm(&values) != 0 {
            return Err(KeyError::Check);
        }
        Ok(Self(values))
    }

    /// The key as shown to people: `XXXX-XXXX-XXXX-XXXX`. Only for the
    /// one response and the one mail that show it.
    pub fn expose(&self) -> String {
        let mut out = String::with_capacity(LENGTH + 3);
        for (i, &v) in self.0.iter().enumerate() {
            if i > 0 && i % 4 == 0 {
                out.push('-');
            }
            out.push(char::from(ALPHABET[usize::from(v)]));
        }
        out
    }

    /// The keyed hash that is stored instead of the key.
    pub fn hash(&self, secret: &[u8]) -> [u8; 32] {
        let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
        mac.update(&self.canonical());
        mac.finalize().into_bytes().into()
    }

    /// Whether this key is the one whose hash is stored, compared in
    /// constant time.
    pub fn matches(&self, secret: &[u8], stored_hash: &[u8]) -> bool {
        let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
        mac.update(&self.canonical());
        mac.verify_slice(stored_hash).is_ok()
    }

    fn canonical(&self) -> [u8; LENGTH] {
        self.0.map(|v| ALPHABET[usize::from(v)])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The key the documentation and the messages show as an example.
    const EXAMPLE: &str = "7K3M-Q9ZD-R2XW-4H8Z";

    #[test]
    fn the_documented_example_key_is_a_valid_key() {
        assert!(NotificationKey::parse(EXAMPLE).is_ok());
        assert!(NotificationKey::parse("7K3M-Q9ZD-R2XW-4H8T").is_err());
    }
    use proptest::prelude::*;

    #[test]
    fn a_generated_key_looks_as_promised_and_parses() {
        let key = NotificationKey::generate();
        let shown = key.expose();
        assert_eq!(shown.len(), 19);
        assert_eq!(shown.matches('-').count(), 3);
        assert!(
            shown
                .chars()
                .all(|c| c == '-' || ALPHABET.contains(&(c as u8)))
        );
        assert_eq!(NotificationKey::parse(&shown).unwrap(), key);
        assert_ne!(NotificationKey::generate(), key, "random");
        assert_eq!(format!("{key:?}"), "NotificationKey(****)");
    }

    #[test]
    fn typing_variants_are_accepted() {
        let key = NotificationKey::generate();
        let shown = key.expose();
        let variants = [
            shown.to_lowercase(),
            shown.replace('-', ""),
            shown.replace('-', " "),
            format!("  {} ", shown.replace('-', "  ")),
            shown.replace('0', "O").replace('1', "l"),
            shown.replace('1', "I").to_lowercase(),
        ];
        for typed in variants {
            assert_eq!(NotificationKey::parse(&typed), Ok(key.clone()), "{typed}");
        }
    }

    #[test]
    fn malformed_keys_are_format_errors() {
        for bad in [
            "",
            "ABCD",
            "ABCD-EFGH-JKMN-PQRS-T",
            "ABCD-EFGH-JKMN-PQRU",
            "ÆØÅ0-0000-0000-0000",
        ] {
            assert_eq!(NotificationKey::parse(bad), Err(KeyError::Format), "{bad}");
        }
    }

    #[test]
    fn the_hash_is_keyed_and_compared_exactly() {
        let key = NotificationKey::generate();
        let hash = key.hash(b"server secret");
        assert!(key.matches(b"server secret", &hash));
        assert!(!key.matches(b"another secret", &hash));
        assert!(!NotificationKey::generate().matches(b"server secret", &hash));
        assert!(!key.matches(b"server secret", &hash[..31]));
        assert_ne!(hash, key.hash(b"another secret"));
    }

    fn any_key() -> impl Strategy<Value = NotificationKey> {
        proptest::collection::vec(0u8..32, LENGTH - 1).prop_map(|values| {
            let mut all = [0u8; LENGTH];
            all[..LENGTH - 1].copy_from_slice(&values);
            all[LENGTH - 1] = times_two(damm(&values));
            NotificationKey(all)
        })
    }

    proptest! {
        #[test]
        fn keys_round_trip(key in any_key()) {
            prop_assert_eq!(NotificationKey::parse(&key.expose()).unwrap(), key);
        }

        #[test]
        fn any_single_wrong_character_is_caught(key in any_key(), position in 0..LENGTH, shift in 1u8..32) {
            let mut values = key.0;
            values[position] = (values[position] + shift) % 32;
            let typed: String = values.iter().map(|&v| char::from(ALPHABET[usize::from(v)])).collect();
            prop_assert_eq!(NotificationKey::parse(&typed), Err(KeyError::Check));
        }

        #[test]
        fn any_swap_of_two_neighbours_is_caught(key in any_key(), position in 0..LENGTH - 1) {
            let mut values = key.0;
            prop_assume!(values[position] != values[position + 1]);
            values.swap(position, position + 1);
            let typed: String = values.iter().map(|&v| char::from(ALPHABET[usize::from(v)])).collect();
            prop_assert_eq!(NotificationKey::parse(&typed), Err(KeyError::Check));
        }
    }

    #[test]
    fn every_single_error_and_swap_is_caught_exhaustively_for_one_key() {
        let key = NotificationKey::generate();
        for position in 0..LENGTH {
            for value in 0..32u8 {
                let mut values = key.0;
                if values[position] == value {
                    continue;
                }
                values[position] = value;
                assert_ne!(damm(&values), 0, "position {position} value {value}");
            }
        }
        for position in 0..LENGTH - 1 {
            let mut values = key.0;
            if values[position] != values[position + 1] {
                values.swap(position, position + 1);
                assert_ne!(damm(&values), 0, "swap at {position}");
            }
        }
    }
}
