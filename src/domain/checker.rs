//! Reads wire input into checked values, collecting every violation on the way.

use std::collections::BTreeSet;

use chrono::NaiveDate;

use super::code_lists::{Country, IdentifierScheme};
use super::identifiers::{
    Identifier, LeiError, OrgNumber, OrgNumberError, eu_vat_is_valid, euid_is_valid, lei_is_valid,
};
use super::party::{Address, AddressInput, IdentifierInput, email_is_valid, limits};
use super::violation::Violation;
/// Collects violations while reading the input.
#[derive(Default)]
pub(crate) struct Checker {
    pub errors: Vec<Violation>,
    pub warnings: Vec<Violation>,
}

impl Checker {
    pub(crate) fn error(&mut self, pointer: impl Into<String>, code: &'static str) {
        self.error_with(pointer, code, Vec::new());
    }

    pub(crate) fn error_with(
        &mut self,
        pointer: impl Into<String>,
        code: &'static str,
        args: Vec<(&'static str, String)>,
    ) {
        self.errors.push(Violation {
            pointer: pointer.into(),
            code,
            args,
        });
    }

    pub(crate) fn warn(&mut self, pointer: impl Into<String>, code: &'static str) {
        self.warnings.push(Violation {
            pointer: pointer.into(),
            code,
            args: Vec::new(),
        });
    }

    /// A trimmed text that must be present.
    pub(crate) fn text(
        &mut self,
        pointer: &str,
        value: &Option<String>,
        max: usize,
    ) -> Option<String> {
        let text = self.optional_text(pointer, value, max);
        if text.is_none() && !self.errors.iter().any(|e| e.pointer == pointer) {
            self.error(pointer, "required");
        }
        text
    }

    /// A trimmed one-line text that may be absent; empty counts as absent.
    /// Line breaks, tabs, other control characters, format characters and
    /// separators are refused ([`super::characters`]).
    pub(crate) fn optional_text(
        &mut self,
        pointer: &str,
        value: &Option<String>,
        max: usize,
    ) -> Option<String> {
        self.checked_text(pointer, value, max, super::characters::refused_in_one_line)
    }

    /// A trimmed text of several lines that may be absent (a description):
    /// line breaks and tabs are allowed, other control characters are not.
    pub(crate) fn optional_multi_line_text(
        &mut self,
        pointer: &str,
        value: &Option<String>,
        max: usize,
    ) -> Option<String> {
        self.checked_text(pointer, value, max, |c| {
            c.is_control() && c != '\n' && c != '\r' && c != '\t'
        })
    }

    fn checked_text(
        &mut self,
        pointer: &str,
        value: &Option<String>,
        max: usize,
        refused: impl Fn(char) -> bool,
    ) -> Option<String> {
        let text = value.as_deref().map(str::trim).filter(|t| !t.is_empty())?;
        let mut ok = true;
        if text.chars().count() > max {
            self.error_with(pointer, "too_long", vec![("max", max.to_string())]);
            ok = false;
        }
        if text.chars().any(refused) {
            self.error(pointer, "invalid_characters");
            ok = false;
        }
        ok.then(|| text.to_owned())
    }

    pub(crate) fn code<T>(
        &mut self,
        pointer: &str,
        value: Option<&str>,
        parse: impl Fn(&str) -> Option<T>,
        allowed: impl Iterator<Item = &'static str>,
    ) -> Option<T> {
        let Some(code) = value.map(str::trim).filter(|v| !v.is_empty()) else {
            self.error(pointer, "required");
            return None;
        };
        let parsed = parse(code);
        if parsed.is_none() {
            self.error_with(
                pointer,
                "unknown_code",
                vec![
                    ("value", truncate(code)),
                    ("allowed", allowed.collect::<Vec<_>>().join(", ")),
                ],
            );
        }
        parsed
    }

    pub(crate) fn code_set<T: Ord + Copy>(
        &mut self,
        pointer: &str,
        values: Option<&[String]>,
        parse: impl Fn(&str) -> Option<T>,
        allowed: impl Iterator<Item = &'static str> + Clone,
        max: usize,
    ) -> BTreeSet<T> {
        let mut set = BTreeSet::new();
        let Some(values) = values else {
            return set;
        };
        if values.len() > max {
            self.error_with(pointer, "too_many", vec![("max", max.to_string())]);
            return set;
        }
        for (i, value) in values.iter().enumerate() {
            let item_pointer = format!("{pointer}/{i}");
            if let Some(v) = self.code(&item_pointer, Some(value), &parse, allowed.clone())
                && !set.insert(v)
            {
                self.error_with(item_pointer, "duplicate", vec![("value", truncate(value))]);
            }
        }
        set
    }

    pub(crate) fn list<I, T>(
        &mut self,
        pointer: &str,
        items: Option<&[I]>,
        max: usize,
        mut each: impl FnMut(&mut Self, &str, &I) -> Option<T>,
    ) -> Vec<T> {
        let Some(items) = items else {
            return Vec::new();
        };
        if items.len() > max {
            self.error_with(pointer, "too_many", vec![("max", max.to_string())]);
            return Vec::new();
        }
        items
            .iter()
            .enumerate()
            .filter_map(|(i, item)| each(self, &format!("{pointer}/{i}"), item))
            .collect()
    }

    pub(crate) fn date(
        &mut self,
        pointer: &str,
        value: &Option<String>,
        required: bool,
    ) -> Option<NaiveDate> {
        let Some(text) = value.as_deref().map(str::trim).filter(|t| !t.is_empty()) else {
            if required {
                self.error(pointer, "required");
            }
            return None;
        };
        let parsed = (text.len() == 10)
            .then(|| NaiveDate::parse_from_str(text, "%Y-%m-%d").ok())
            .flatten();
        if parsed.is_none() {
            self.error(pointer, "invalid_date");
        }
        parsed
    }

    pub(crate) fn country(&mut self, pointer: &str, value: &Option<String>) -> Option<Country> {
        let Some(code) = value.as_deref().map(str::trim).filter(|t| !t.is_empty()) else {
            self.error(pointer, "required");
            return None;
        };
        let country = Country::parse(code);
        if country.is_none() {
            self.error_with(pointer, "unknown_country", vec![("value", truncate(code))]);
        }
        country
    }

    pub(crate) fn identifier(
        &mut self,
        pointer: &str,
        input: &IdentifierInput,
    ) -> Option<Identifier> {
        let scheme = self.code(
            &format!("{pointer}/scheme"),
            input.scheme.as_deref(),
            IdentifierScheme::parse,
            IdentifierScheme::ALL.iter().map(|s| s.code()),
        );
        let value_pointer = format!("{pointer}/value");
        let value = self.text(&value_pointer, &input.value, limits::IDENTIFIER);
        let country = match &input.country {
            None => None,
            Some(_) => self.country(&format!("{pointer}/country"), &input.country),
        };
        let (scheme, value) = (scheme?, value?);
        let value = match scheme {
            IdentifierScheme::NoOrgnr => match OrgNumber::parse(&value) {
                Ok(number) => number.as_string(),
                Err(OrgNumberError::Format) => {
                    self.error(value_pointer, "orgnr_format");
                    return None;
                }
                Err(OrgNumberError::Checksum) => {
                    self.error(value_pointer, "orgnr_checksum");
                    return None;
                }
            },
            IdentifierScheme::Lei => {
                let lei = value.replace(' ', "").to_ascii_uppercase();
                match lei_is_valid(&lei) {
                    Ok(()) => lei,
                    Err(LeiError::Format) => {
                        self.error(value_pointer, "lei_format");
                        return None;
                    }
                    Err(LeiError::Checksum) => {
                        self.error(value_pointer, "lei_checksum");
                        return None;
                    }
                }
            }
            IdentifierScheme::EuVat => {
                let vat = value.replace([' ', '.', '-'], "").to_ascii_uppercase();
                if !eu_vat_is_valid(&vat) {
                    self.error(value_pointer, "vat_format");
                    return None;
                }
                vat
            }
            IdentifierScheme::Euid => {
                let euid = value.to_ascii_uppercase();
                if !euid_is_valid(&euid) {
                    self.error(value_pointer, "euid_format");
                    return None;
                }
                euid
            }
            IdentifierScheme::Other => value,
        };
        Some(Identifier {
            scheme,
            value,
            country,
        })
    }

    pub(crate) fn address(
        &mut self,
        pointer: &str,
        input: &Option<AddressInput>,
    ) -> Option<Address> {
        let Some(input) = input else {
            self.error(pointer, "required");
            return None;
        };
        let street = self.text(&format!("{pointer}/street"), &input.street, limits::STREET);
        let postal_pointer = format!("{pointer}/postal_code");
        let postal_code = self.text(&postal_pointer, &input.postal_code, limits::POSTAL_CODE);
        let town = self.text(&format!("{pointer}/town"), &input.town, limits::TOWN);
        let country = self.country(&format!("{pointer}/country"), &input.country);
        if country == Some(Country::NORWAY)
            && let Some(code) = &postal_code
            && !(code.len() == 4 && code.bytes().all(|b| b.is_ascii_digit()))
        {
            self.error(postal_pointer, "invalid_postal_code");
            return None;
        }
        Some(Address {
            street: street?,
            postal_code: postal_code?,
            town: town?,
            country: country?,
        })
    }

    pub(crate) fn email(&mut self, pointer: &str, value: &Option<String>) -> Option<String> {
        let email = self.text(pointer, value, limits::EMAIL)?;
        if email_is_valid(&email) {
            Some(email)
        } else {
            self.error(pointer, "invalid_email");
            None
        }
    }
}

/// Values quoted back in messages are cut short.
pub(crate) fn truncate(text: &str) -> String {
    text.chars().take(40).collect()
}
