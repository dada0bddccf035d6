//! One broken rule or warning, with the pointer to its field.

use super::i18n::Lang;
use super::messages::{self, Arg, Say};

/// One broken rule, or one warning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// JSON pointer to the field.
    pub pointer: String,
    /// Stable machine code.
    pub code: &'static str,
    /// Values for the message's placeholders.
    pub args: Vec<(&'static str, String)>,
}

impl Violation {
    pub fn message(&self, lang: Lang) -> String {
        messages::render(self.code, lang, &self.args)
    }

    /// The message, to render in the language of the response.
    pub fn say(&self) -> Say {
        Say {
            key: self.code,
            args: self
                .args
                .iter()
                .map(|(name, value)| (*name, Arg::Plain(value.clone())))
                .collect(),
        }
    }
}
