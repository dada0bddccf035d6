//! Text a submitter wrote, made inert for mail: a web address in it (a
//! controller named `Fjordvik AS https://evil.example/bekreft`) is broken
//! up the way banks do (`https[:]//evil[.]example/bekreft`), so that no
//! mail client makes it a link beside the authority's own. E-mail
//! addresses stay as written.

/// `text` with every word that reads as a web address broken up.
pub fn inert(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, word) in text.split(' ').enumerate() {
        if i > 0 {
            out.push(' ');
        }
        if reads_as_web_address(word) {
            out.push_str(&word.replace("://", "[:]//").replace('.', "[.]"));
        } else {
            out.push_str(word);
        }
    }
    out
}

/// A word with a scheme (`https://…`, `hxxp://…`), one that starts with
/// `www.`, or a bare host name of two labels or more (`evil.example`,
/// `evil.example/path`), punctuation around it aside.
fn reads_as_web_address(word: &str) -> bool {
    let word = word.trim_matches(|c: char| "()<>[]{}\"'«»,;:!?".contains(c));
    let lower = word.to_lowercase();
    if lower.contains("://") || lower.starts_with("www.") {
        return true;
    }
    if word.contains('@') {
        return false;
    }
    let host = lower.split(['/', '?', '#']).next().unwrap_or_default();
    let host = host.strip_suffix('.').unwrap_or(host);
    let labels: Vec<&str> = host.split('.').collect();
    labels.len() >= 2
        && labels
            .iter()
            .all(|l| !l.is_empty() && l.chars().all(|c| c.is_alphanumeric() || c == '-'))
        && labels
            .last()
            .is_some_and(|tld| tld.chars().count() >= 2 && tld.chars().all(char::is_alphabetic))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn web_addresses_are_broken_up_and_everything_else_stays() {
        for (text, made) in [
            (
                "Fjordvik AS https://evil.example/datatilsynet/bekreft",
                "Fjordvik AS https[:]//evil[.]example/datatilsynet/bekreft",
            ),
            (
                "Fjordvik (www.evil.example)",
                "Fjordvik (www[.]evil[.]example)",
            ),
            ("Se evil.example/bekreft.", "Se evil[.]example/bekreft[.]"),
            ("Bank.no AS", "Bank[.]no AS"),
            ("HTTP://EVIL.EXAMPLE", "HTTP[:]//EVIL[.]EXAMPLE"),
        ] {
            assert_eq!(inert(text), made, "{text}");
        }
        for kept in [
            "Fjordvik AS",
            "St. Olavs hospital HF",
            "Dr. A.S. Hansen",
            "Ærøy kommune, avd. 2.1",
            "post@fjordvik.no",
            "v1.2",
            "",
        ] {
            assert_eq!(inert(kept), kept, "{kept}");
        }
    }
}
