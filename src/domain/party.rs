//! What notifications and organisations share: an organisation's
//! identifier and postal address as sent and as checked, the bounds of
//! every text, and the rules of phone numbers and e-mail addresses.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::code_lists::{Country, IdentifierScheme};

/// Bounds of every string and list.
pub mod limits {
    pub const NAME: usize = 200;
    pub const STREET: usize = 200;
    pub const POSTAL_CODE: usize = 20;
    pub const TOWN: usize = 100;
    pub const PHONE: usize = 30;
    pub const TITLE: usize = 100;
    pub const IDENTIFIER: usize = 60;
    pub const DESCRIPTION: usize = 4000;
    pub const PROJECT_TITLE: usize = 300;
    pub const EXCEPTION: usize = 500;
    pub const EMAIL: usize = 254;
    pub const PROCESSORS: usize = 100;
    pub const TRANSFERS: usize = 100;
    pub const SENSITIVE: usize = 6;
    /// Days ahead of the start a notification should arrive.
    pub const NOTICE_DAYS: u64 = 30;
}

/// An organisation identifier: `no_orgnr` (required for a controller in
/// Norway), `lei`, `eu_vat`, `euid` or `other`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IdentifierInput {
    #[schema(value_type = IdentifierScheme, required = true)]
    pub scheme: Option<String>,
    #[schema(example = "974761467", required = true)]
    pub value: Option<String>,
    /// ISO 3166-1 alpha-2 code of the issuing country, for schemes that do
    /// not imply one.
    #[schema(value_type = Option<Country>, example = "SE")]
    pub country: Option<String>,
}

/// A postal address.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddressInput {
    /// Street address or PO box.
    #[schema(example = "Postboks 1", required = true)]
    pub street: Option<String>,
    #[schema(example = "5001", required = true)]
    pub postal_code: Option<String>,
    #[schema(example = "Bergen", required = true)]
    pub town: Option<String>,
    /// ISO 3166-1 alpha-2.
    #[schema(value_type = Country, example = "NO", required = true)]
    pub country: Option<String>,
}

/// A postal address, checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Address {
    pub street: String,
    pub postal_code: String,
    pub town: String,
    pub country: Country,
}

pub fn phone_is_valid(phone: &str) -> bool {
    let body = phone.strip_prefix('+').unwrap_or(phone);
    let digits = body.bytes().filter(u8::is_ascii_digit).count();
    (5..=15).contains(&digits) && body.bytes().all(|b| b.is_ascii_digit() || b == b' ')
}

/// Text made to sit on one line, for mail and printed receipts: every run
/// of line breaks, tabs and other control characters becomes one space.
/// Input of one line refuses them already; this holds for anything stored
/// before that rule, and for anything a template is handed.
pub fn one_line(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut gap = false;
    for c in text.trim().chars() {
        if c.is_control() || super::characters::is_line_or_paragraph_separator(c) {
            gap = true;
            continue;
        }
        if gap && !out.ends_with(' ') {
            out.push(' ');
        }
        gap = false;
        out.push(c);
    }
    out
}

/// A pragmatic address check: one `@`, a local part without spaces, and a
/// domain of at least two labels of letters, digits and hyphens (an
/// internationalised domain too); no invisible formatting character
/// (zero-width, bidirectional) anywhere; and an address the mailer can
/// send to, by the mailer's own parser, so that no accepted address is
/// one that can never be sent.
pub fn email_is_valid(email: &str) -> bool {
    if email.chars().any(super::characters::is_format) || email.parse::<lettre::Address>().is_err()
    {
        return false;
    }
    let Some((local, domain)) = email.rsplit_once('@') else {
        return false;
    };
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local
            .chars()
            .all(|c| !c.is_whitespace() && !c.is_control() && !"@<>()[]\\,;:\"".contains(c));
    let labels: Vec<_> = domain.split('.').collect();
    let domain_ok = labels.len() >= 2
        && domain.len() <= 253
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_alphanumeric() || c == '-')
        })
        && labels
            .last()
            .is_some_and(|tld| tld.len() >= 2 && !tld.chars().all(|c| c.is_ascii_digit()));
    local_ok && domain_ok
}
