//! The search's parameters, as the API and the web page read them: each
//! checked, and a problem that names the one that is wrong.

use chrono::NaiveTime;
use serde::Deserialize;
use utoipa::IntoParams;

use super::search::{self, After, Q_MAX, Words};
use super::store::Query;
use crate::clock::oslo_instant;
use crate::domain::code_lists::{Law, LegalGround, Purpose, Sector};
use crate::error::{ApiError, Say};
use crate::query::{self, code, date, given, unknown};

/// The most entries on one page.
pub const MAX_LIMIT: i64 = 100;
const DEFAULT_LIMIT: i64 = 20;
/// The longest identifier looked for, in characters.
const IDENTIFIER_MAX: usize = 64;

/// A search of the register.
#[derive(Debug, Default, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// Words in the controller's, representative's or processors' names
    /// (Norwegian stemming, any case; the last word may be the start of
    /// one), or an identifier such as an organisation number, with or
    /// without spaces. Best matches first.
    #[param(example = "barnehage")]
    pub q: Option<String>,
    /// An identifier of the controller or the representative, exactly
    /// (an organisation number may have spaces).
    #[param(max_length = 64, example = "974 761 467")]
    pub identifier: Option<String>,
    #[param(value_type = Option<Law>)]
    pub law: Option<String>,
    #[param(value_type = Option<LegalGround>)]
    pub legal_ground: Option<String>,
    #[param(value_type = Option<Sector>)]
    pub sector: Option<String>,
    #[param(value_type = Option<Purpose>)]
    pub purpose: Option<String>,
    /// `true`: only entries whose data leaves Norway for a country outside
    /// the EEA; `false`: only those where none does.
    #[param(value_type = Option<bool>)]
    pub transfers_abroad: Option<String>,
    /// First registered on or after this day (Norwegian time).
    #[param(value_type = Option<String>, format = Date, example = "2026-01-01")]
    pub registered_from: Option<String>,
    /// First registered on or before this day (Norwegian time).
    #[param(value_type = Option<String>, format = Date, example = "2026-12-31")]
    pub registered_to: Option<String>,
    /// How many entries, 1 to 100 (default 20).
    #[param(value_type = Option<i64>, minimum = 1, maximum = 100)]
    pub limit: Option<String>,
    /// The `next_cursor` of the previous page; empty is the first page.
    pub cursor: Option<String>,
}

/// A search, checked.
#[derive(Debug, Clone)]
pub struct Search {
    pub query: Query,
    pub after: Option<After>,
    pub limit: i64,
}

impl SearchParams {
    /// Whether nothing narrows the search (the web page's first view).
    pub fn is_empty(&self) -> bool {
        self.q.as_deref().is_none_or(|q| q.trim().is_empty())
            && self.identifier.as_deref().is_none_or(str::is_empty)
            && [
                &self.law,
                &self.legal_ground,
                &self.sector,
                &self.purpose,
                &self.transfers_abroad,
                &self.registered_from,
                &self.registered_to,
            ]
            .iter()
            .all(|v| v.as_deref().is_none_or(str::is_empty))
    }

    /// The same search with empty fields left out, as a web form sends
    /// them (a select left at "any").
    pub fn without_empty(mut self) -> Self {
        for v in [
            &mut self.q,
            &mut self.identifier,
            &mut self.law,
            &mut self.legal_ground,
            &mut self.sector,
            &mut self.purpose,
            &mut self.transfers_abroad,
            &mut self.registered_from,
            &mut self.registered_to,
            &mut self.limit,
            &mut self.cursor,
        ] {
            if v.as_deref().is_some_and(|s| s.trim().is_empty()) {
                *v = None;
            }
        }
        self
    }

    pub fn check(&self) -> Result<Search, ApiError> {
        let q = self.q.as_deref().map(str::trim);
        if q.is_some_and(|q| q.chars().count() > Q_MAX) {
            return Err(ApiError::bad_field(
                "q",
                "too_long",
                Say::new("parameter_too_long")
                    .with("name", "q")
                    .with("max", Q_MAX),
            ));
        }
        if self
            .identifier
            .as_deref()
            .is_some_and(|v| v.chars().count() > IDENTIFIER_MAX)
        {
            return Err(ApiError::bad_field(
                "identifier",
                "too_long",
                Say::new("parameter_too_long")
                    .with("name", "identifier")
                    .with("max", IDENTIFIER_MAX),
            ));
        }
        // Any text is an identifier to look for; one of no form matches nothing.
        let identifier = given("identifier", &self.identifier)?.map(search::normalised_identifier);
        if identifier.as_deref() == Some("") {
            return Err(unknown("identifier", ""));
        }
        let (words, q_identifier) = match q.filter(|q| !q.is_empty()) {
            None => (None, None),
            Some(q) => (Words::parse(q), search::identifier(q)),
        };
        let from = date("registered_from", &self.registered_from)?;
        let to = date("registered_to", &self.registered_to)?;
        // A range that ends before it starts holds no registration: no entries.
        let transfers_abroad = match given("transfers_abroad", &self.transfers_abroad)? {
            None => None,
            Some("true") => Some(true),
            Some("false") => Some(false),
            Some(_) => {
                return Err(ApiError::bad_field(
                    "transfers_abroad",
                    "invalid_boolean",
                    Say::new("parameter_not_a_boolean").with("name", "transfers_abroad"),
                ));
            }
        };
        let midnight = NaiveTime::MIN;
        let query = Query {
            // A text of signs only searches for nothing in particular.
            words,
            identifier: identifier.or(q_identifier),
            law: code("law", &self.law, Law::parse, Law::code)?,
            legal_ground: code(
                "legal_ground",
                &self.legal_ground,
                LegalGround::parse,
                LegalGround::code,
            )?,
            sector: code("sector", &self.sector, Sector::parse, Sector::code)?,
            purpose: code("purpose", &self.purpose, Purpose::parse, Purpose::code)?,
            transfers_abroad,
            registered_from: from.map(|d| oslo_instant(d, midnight)),
            registered_before: to
                .and_then(|d| d.succ_opt())
                .map(|d| oslo_instant(d, midnight)),
        };
        let limit = query::limit(self.limit.as_deref(), DEFAULT_LIMIT, MAX_LIMIT)?;
        let after = match self.cursor.as_deref().filter(|c| !c.is_empty()) {
            None => None,
            Some(c) => Some(search::decode_cursor(c, query.is_ranked()).ok_or_else(|| {
                ApiError::bad_field("cursor", "invalid_cursor", Say::new("invalid_cursor"))
            })?),
        };
        Ok(Search {
            query,
            after,
            limit,
        })
    }
}
