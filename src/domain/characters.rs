//! Characters a text may not hold. A one-line field (a name, an address
//! line, a title) refuses control characters, Unicode's format characters
//! (category Cf: zero-width spaces and joiners, soft hyphens, bidirectional
//! marks, overrides and isolates, the BOM, tags) and the line and paragraph
//! separators (Zl, Zp): each of them either breaks the line or makes the
//! text read otherwise than it is stored, in the register and in mail.

/// Unicode's format characters (category Cf, Unicode 15.1).
pub fn is_format(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{0600}'..='\u{0605}' | '\u{061C}' | '\u{06DD}' | '\u{070F}'
        | '\u{0890}'..='\u{0891}' | '\u{08E2}' | '\u{180E}' | '\u{200B}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{206F}'
        | '\u{FEFF}' | '\u{FFF9}'..='\u{FFFB}' | '\u{110BD}' | '\u{110CD}'
        | '\u{13430}'..='\u{1343F}' | '\u{1BCA0}'..='\u{1BCA3}' | '\u{1D173}'..='\u{1D17A}'
        | '\u{E0001}' | '\u{E0020}'..='\u{E007F}')
}

/// The line separator (Zl) and the paragraph separator (Zp).
pub fn is_line_or_paragraph_separator(c: char) -> bool {
    matches!(c, '\u{2028}' | '\u{2029}')
}

/// A character a one-line field refuses.
pub fn refused_in_one_line(c: char) -> bool {
    c.is_control() || is_format(c) || is_line_or_paragraph_separator(c)
}

/// The first character of `text` a one-line field refuses, if any.
pub fn first_refused_in_one_line(text: &str) -> Option<char> {
    text.chars().find(|c| refused_in_one_line(*c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_fields_refuse_controls_formats_and_separators() {
        for c in [
            '\n',
            '\t',
            '\u{7}',
            '\u{85}',
            '\u{AD}',
            '\u{200B}',
            '\u{200D}',
            '\u{200E}',
            '\u{202E}',
            '\u{2066}',
            '\u{2069}',
            '\u{FEFF}',
            '\u{E0041}',
            '\u{2028}',
            '\u{2029}',
        ] {
            assert!(refused_in_one_line(c), "U+{:04X}", c as u32);
        }
        for c in [
            'a', 'Æ', 'ø', 'Å', ' ', '-', '&', 'Ω', 'Ж', '\u{A0}', '\u{301}',
        ] {
            assert!(!refused_in_one_line(c), "U+{:04X}", c as u32);
        }
        assert_eq!(
            first_refused_in_one_line("Fjord\u{202E}vik"),
            Some('\u{202E}')
        );
        assert_eq!(first_refused_in_one_line("Fjordvik AS"), None);
    }
}
