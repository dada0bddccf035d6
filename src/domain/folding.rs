//! How searches compare letters: decided here, in the service, and not by
//! the database server's locale. A cluster initialised with the C locale
//! lower-cases only A–Z, so `Æ`, `Ø` and `Å` (and every other letter beyond
//! ASCII) would keep their case in the database and never meet a query
//! lower-cased here. Text is folded before it reaches the database, and a
//! substring search sends a pattern that spells out both cases itself.

use unicode_normalization::UnicodeNormalization;

/// `text` as searches compare it: composed (NFC, so `A` + ring is `Å`) and
/// lower case by Unicode's rules, whatever the server's locale.
pub fn fold(text: &str) -> String {
    text.nfc().collect::<String>().to_lowercase()
}

/// A PostgreSQL regular expression (for `~`, which compares code points in
/// every locale) that finds `text` anywhere, in any mix of upper and lower
/// case: each cased letter becomes a bracket of its cases (`æ` → `[æÆ]`),
/// every other character outside letters and digits is escaped, so nothing
/// in the text can change the expression's form.
pub fn case_blind_pattern(text: &str) -> String {
    let mut pattern = String::new();
    for c in text.nfc() {
        let cases = cases_of(c);
        if cases.len() > 1 {
            pattern.push('[');
            pattern.extend(cases);
            pattern.push(']');
        } else if c.is_alphanumeric() {
            pattern.push(c);
        } else {
            // In an advanced expression `\` before a character that is not
            // a letter or digit stands for that character itself.
            pattern.push('\\');
            pattern.push(c);
        }
    }
    pattern
}

/// The character and its single-character lower and upper cases, and the
/// lower case of its upper case (`ς` → `Σ` → `σ`), each once.
fn cases_of(c: char) -> Vec<char> {
    let mut cases = vec![c];
    let mut add = |mapped: &mut dyn Iterator<Item = char>| {
        let mapped: Vec<char> = mapped.collect();
        if let [one] = mapped[..]
            && !cases.contains(&one)
        {
            cases.push(one);
        }
    };
    add(&mut c.to_lowercase());
    add(&mut c.to_uppercase());
    let upper: Vec<char> = c.to_uppercase().collect();
    if let [u] = upper[..] {
        add(&mut u.to_lowercase());
    }
    cases
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn norwegian_letters_fold_to_lower_case() {
        assert_eq!(fold("ÆRØY Helse"), "ærøy helse");
        assert_eq!(fold("Ålesund"), "ålesund");
        assert_eq!(fold("ØYGARDEN"), "øygarden");
    }

    #[test]
    fn a_decomposed_letter_folds_as_the_composed_one() {
        assert_eq!(fold("A\u{30A}lesund"), "ålesund");
        assert_eq!(fold("A\u{30A}lesund"), fold("Ålesund"));
    }

    #[test]
    fn letters_beyond_latin_fold_too() {
        assert_eq!(fold("ΩMEGA"), "ωmega");
        assert_eq!(fold("БОЛГАРИЯ"), "болгария");
    }

    #[test]
    fn the_pattern_spells_out_both_cases_of_each_letter() {
        assert_eq!(case_blind_pattern("Ærøy"), "[Ææ][rR][øØ][yY]");
        assert_eq!(case_blind_pattern("å1"), "[åÅ]1");
    }

    #[test]
    fn the_pattern_escapes_what_is_not_a_letter_or_digit() {
        assert_eq!(case_blind_pattern("a.b*"), "[aA]\\.[bB]\\*");
        assert_eq!(case_blind_pattern("x y"), "[xX]\\ [yY]");
        assert_eq!(case_blind_pattern("(%_\\"), "\\(\\%\\_\\\\");
    }

    #[test]
    fn final_sigma_meets_both_other_sigmas() {
        let p = case_blind_pattern("ς");
        for c in ['ς', 'σ', 'Σ'] {
            assert!(p.contains(c), "{p} lacks {c}");
        }
    }

    #[test]
    fn a_letter_whose_upper_case_is_two_letters_stays_itself() {
        // ß upper-cases to "SS": no single character to bracket with.
        assert_eq!(case_blind_pattern("ß"), "ß");
    }
}
