//! What the register shows of an entry, and of its changes: the public
//! fields of the spec, each code with its label in the language asked for.
//! The keys here are the whole list; a test holds every answer to it.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::store::{ChangeRow, EntryRow};
use crate::domain::code_lists::{Country, IdentifierScheme, Law, LegalGround, Purpose, Sector};
use crate::domain::i18n::{Lang, Text};

/// A code and its label in the language of the answer.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Coded {
    #[schema(example = "county_or_municipal")]
    pub code: String,
    #[schema(example = "Fylkeskommunal/kommunal")]
    pub label: String,
}

impl Coded {
    fn new(code: &str, label: Option<Text>, lang: Lang) -> Self {
        Self {
            code: code.to_owned(),
            label: label.map_or_else(|| code.to_owned(), |t| t.get(lang).to_owned()),
        }
    }

    fn country(code: &str, lang: Lang) -> Self {
        Self::new(code, Country::parse(code).map(Country::name), lang)
    }
}

/// An organisation's identifier.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublicIdentifier {
    pub scheme: Coded,
    #[schema(example = "974761467")]
    pub value: String,
    /// The issuing country, for schemes that do not imply one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<Coded>,
}

impl PublicIdentifier {
    fn new(scheme: &str, value: &str, country: Option<&str>, lang: Lang) -> Self {
        Self {
            scheme: Coded::new(
                scheme,
                IdentifierScheme::parse(scheme).map(IdentifierScheme::label),
                lang,
            ),
            value: value.to_owned(),
            country: country.map(|c| Coded::country(c, lang)),
        }
    }
}

/// The controller or the representative: name and identifier.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublicParty {
    #[schema(example = "Fjordvik kommune")]
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identifier: Option<PublicIdentifier>,
}

/// A processor: name and country.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublicProcessor {
    #[schema(example = "Drift AS")]
    pub name: String,
    pub country: Coded,
}

/// An entry of the public register: the notification's confirmed version
/// valid now, as much as the register may show and nothing more.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RegisterEntry {
    #[schema(example = "2026-000123")]
    pub number: String,
    /// The confirmed version shown.
    #[schema(example = 2)]
    pub version: i32,
    pub controller: PublicParty,
    /// Only for a controller outside Norway and the EEA.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub representative: Option<PublicParty>,
    pub law: Coded,
    pub legal_ground: Coded,
    pub sector: Coded,
    pub purpose: Coded,
    /// With purpose `research`: the purpose the research is about.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub research_area: Option<Coded>,
    pub start_date: NaiveDate,
    pub first_registered_at: DateTime<Utc>,
    pub last_confirmed_at: DateTime<Utc>,
    pub expires_on: NaiveDate,
    pub processors: Vec<PublicProcessor>,
    /// Whether any data leaves Norway for a country outside the EEA.
    pub transfers_abroad: bool,
    /// The countries it goes to.
    pub transfer_countries: Vec<Coded>,
}

impl RegisterEntry {
    pub fn new(row: &EntryRow, lang: Lang) -> Self {
        let label = |code: &str, label: Option<Text>| Coded::new(code, label, lang);
        let representative = row.representative_name.as_ref().map(|name| PublicParty {
            name: name.clone(),
            identifier: row
                .representative_identifier_scheme
                .as_deref()
                .zip(row.representative_identifier_value.as_deref())
                .map(|(scheme, value)| {
                    PublicIdentifier::new(
                        scheme,
                        value,
                        row.representative_identifier_country.as_deref(),
                        lang,
                    )
                }),
        });
        Self {
            number: row.number.clone(),
            version: row.version,
            controller: PublicParty {
                name: row.controller_name.clone(),
                identifier: Some(PublicIdentifier::new(
                    &row.controller_identifier_scheme,
                    &row.controller_identifier_value,
                    row.controller_identifier_country.as_deref(),
                    lang,
                )),
            },
            representative,
            law: label(&row.law, Law::parse(&row.law).map(Law::label)),
            legal_ground: label(
                &row.legal_ground,
                LegalGround::parse(&row.legal_ground).map(LegalGround::label),
            ),
            sector: label(&row.sector, Sector::parse(&row.sector).map(Sector::label)),
            purpose: label(
                &row.purpose,
                Purpose::parse(&row.purpose).map(Purpose::label),
            ),
            research_area: row
                .research_area
                .as_deref()
                .map(|code| label(code, Purpose::parse(code).map(Purpose::label))),
            start_date: row.start_date,
            first_registered_at: row.first_registered_at,
            last_confirmed_at: row.last_confirmed_at,
            expires_on: row.expires_on,
            processors: row
                .processors
                .as_array()
                .into_iter()
                .flatten()
                .map(|p| PublicProcessor {
                    name: p["name"].as_str().unwrap_or_default().to_owned(),
                    country: Coded::country(p["country"].as_str().unwrap_or_default(), lang),
                })
                .collect(),
            transfers_abroad: row.transfers_abroad,
            transfer_countries: row
                .transfer_countries
                .iter()
                .flatten()
                .map(|c| Coded::country(c, lang))
                .collect(),
        }
    }
}

/// One page of a search of the register.
#[derive(Debug, Serialize, ToSchema)]
pub struct RegisterPage {
    pub items: Vec<RegisterEntry>,
    /// Pass as `cursor` for the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// What happened to an entry.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// It entered the register (a first registration or a re-registration).
    Added,
    /// A newer confirmed version replaced it (an amendment).
    Changed,
    /// It left the register (withdrawn, expired, or renewed by a newer one).
    Removed,
}

/// One change of the register, in the order they were committed.
#[derive(Debug, Serialize, ToSchema)]
pub struct RegisterChange {
    /// Its place in the feed; pass the last one seen as `after`.
    #[schema(example = 1042)]
    pub sequence: i64,
    #[schema(example = "2026-000123")]
    pub number: String,
    pub change: ChangeKind,
    /// The version the register shows from then on; absent once removed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<i32>,
    /// When it took effect.
    pub at: DateTime<Utc>,
}

impl From<&ChangeRow> for RegisterChange {
    fn from(row: &ChangeRow) -> Self {
        Self {
            sequence: row.sequence,
            number: row.number.clone(),
            change: match row.change.as_str() {
                "added" => ChangeKind::Added,
                "changed" => ChangeKind::Changed,
                _ => ChangeKind::Removed,
            },
            version: row.version,
            at: row.at,
        }
    }
}

/// A page of the feed of changes.
#[derive(Debug, Serialize, ToSchema)]
pub struct RegisterChanges {
    pub items: Vec<RegisterChange>,
    /// Where to go on from: the last sequence of this page, or `after` as
    /// given when nothing is newer.
    #[schema(example = 1042)]
    pub next_after: i64,
    /// Whether more changes follow at once.
    pub more: bool,
}
