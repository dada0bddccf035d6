//! The three languages of the service: bokmål (the default), nynorsk and
//! English.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A language of labels, messages, mail and receipts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// Norsk bokmål.
    #[default]
    Nb,
    /// Norsk nynorsk.
    Nn,
    /// English.
    En,
}

impl Lang {
    pub const ALL: [Lang; 3] = [Lang::Nb, Lang::Nn, Lang::En];

    pub fn code(self) -> &'static str {
        match self {
            Lang::Nb => "nb",
            Lang::Nn => "nn",
            Lang::En => "en",
        }
    }

    /// `nb`, `nn` or `en` (and `no`, which means bokmål in practice).
    pub fn parse(code: &str) -> Option<Lang> {
        match code.trim().to_ascii_lowercase().as_str() {
            "nb" | "no" | "nb-no" | "no-no" => Some(Lang::Nb),
            "nn" | "nn-no" => Some(Lang::Nn),
            "en" => Some(Lang::En),
            other if other.starts_with("en-") => Some(Lang::En),
            _ => None,
        }
    }

    /// The best language for an `Accept-Language` header (RFC 9110), bokmål
    /// when nothing we speak is asked for.
    pub fn from_accept_language(header: Option<&str>) -> Lang {
        let Some(header) = header else {
            return Lang::Nb;
        };
        let mut best: Option<(f32, usize, Lang)> = None;
        for (position, item) in header.split(',').enumerate() {
            let mut parts = item.split(';');
            let tag = parts.next().unwrap_or_default().trim();
            let quality = parts
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            let Some(lang) = Lang::parse(tag) else {
                continue;
            };
            if quality <= 0.0 {
                continue;
            }
            // Highest quality wins; among equals, the first named.
            let better = match best {
                None => true,
                Some((q, p, _)) => quality > q || (quality == q && position < p),
            };
            if better {
                best = Some((quality, position, lang));
            }
        }
        best.map_or(Lang::Nb, |(_, _, lang)| lang)
    }
}

/// One text in the three languages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Text {
    pub nb: &'static str,
    pub nn: &'static str,
    pub en: &'static str,
}

impl Text {
    pub const fn new(nb: &'static str, nn: &'static str, en: &'static str) -> Self {
        Self { nb, nn, en }
    }

    pub fn get(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::Nb => self.nb,
            Lang::Nn => self.nn,
            Lang::En => self.en,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_picks_the_best_language_we_speak() {
        let cases = [
            (None, Lang::Nb),
            (Some(""), Lang::Nb),
            (Some("en"), Lang::En),
            (Some("en-GB,en;q=0.9"), Lang::En),
            (Some("nn-NO, nb;q=0.8"), Lang::Nn),
            (Some("de, en;q=0.5, nn;q=0.7"), Lang::Nn),
            (Some("fr"), Lang::Nb),
            (Some("no"), Lang::Nb),
            (Some("en;q=0, nn"), Lang::Nn),
            (Some("nb;q=0.5, en;q=0.5"), Lang::Nb),
        ];
        for (header, expected) in cases {
            assert_eq!(Lang::from_accept_language(header), expected, "{header:?}");
        }
    }
}
