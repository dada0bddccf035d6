//! The notification (melding) and every rule of the authority's form.
//!
//! [`NotificationInput`] is the wire form: lenient, so that one pass can
//! report every broken rule at once. [`validate`] turns it into a
//! [`Notification`], the checked content, or returns every violation, each
//! with a JSON pointer, a stable code and a message in three languages.
//! "Today" and the facts that live in the database are arguments.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

mod input;
mod rules;

use super::code_lists::{
    Country, Law, LegalGround, ProcessorRole, Purpose, RegistrationKind, ResearchConsent, Sector,
    SensitiveCategory, TransferBasis,
};
use super::i18n::Lang;
use super::identifiers::Identifier;
use super::number::NotificationNumber;
pub use super::party::{Address, AddressInput, IdentifierInput, email_is_valid, limits};
pub use super::violation::Violation;
pub use input::{
    ControllerInput, EXAMPLE_JSON, NotificationInput, PartyInput, ProcessorInput, ResearchInput,
    TransferInput, example,
};
pub use rules::{Context, Rejected, Validated, validate};

/// The controller, checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Controller {
    pub name: String,
    pub identifier: Identifier,
    pub address: Address,
    pub phone: String,
    pub responsible_title: String,
}

/// A representative, checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Representative {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identifier: Option<Identifier>,
    pub address: Address,
}

/// Another processor, checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Processor {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identifier: Option<Identifier>,
    pub country: Country,
    pub role: ProcessorRole,
}

/// The research project, checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Research {
    pub consent: ResearchConsent,
    pub project_end_date: NaiveDate,
    pub project_title: String,
}

/// A transfer abroad, checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transfer {
    pub country: Country,
    pub legal_basis: TransferBasis,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exception: Option<String>,
}

/// The content of a notification that keeps every rule. Made only by
/// [`validate`], or read back from storage by [`Notification::from_stored`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notification {
    law: Law,
    legal_ground: LegalGround,
    registration_kind: RegistrationKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    previous_number: Option<NotificationNumber>,
    start_date: NaiveDate,
    sensitive_categories: BTreeSet<SensitiveCategory>,
    manual_register_only: bool,
    controller: Controller,
    representative: Option<Representative>,
    processors: Vec<Processor>,
    sector: Sector,
    purpose: Purpose,
    #[serde(skip_serializing_if = "Option::is_none")]
    research_area: Option<Purpose>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    research: Option<Research>,
    transfers_abroad: Vec<Transfer>,
    confirmation_email: String,
    language: Lang,
}

impl Notification {
    /// Content stored by this service earlier. It was checked when it was
    /// submitted; date rules that depend on "today" are not checked again.
    pub fn from_stored(content: serde_json::Value) -> Result<Self, serde_json::Error> {
        serde_json::from_value(content)
    }

    /// The content as JSON, in the shape of the wire form.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).expect("the content serialises")
    }

    pub fn law(&self) -> Law {
        self.law
    }
    pub fn legal_ground(&self) -> LegalGround {
        self.legal_ground
    }
    pub fn registration_kind(&self) -> RegistrationKind {
        self.registration_kind
    }
    pub fn previous_number(&self) -> Option<NotificationNumber> {
        self.previous_number
    }
    pub fn start_date(&self) -> NaiveDate {
        self.start_date
    }
    pub fn sensitive_categories(&self) -> &BTreeSet<SensitiveCategory> {
        &self.sensitive_categories
    }
    pub fn controller(&self) -> &Controller {
        &self.controller
    }
    pub fn representative(&self) -> Option<&Representative> {
        self.representative.as_ref()
    }
    pub fn processors(&self) -> &[Processor] {
        &self.processors
    }
    pub fn sector(&self) -> Sector {
        self.sector
    }
    pub fn purpose(&self) -> Purpose {
        self.purpose
    }
    pub fn manual_register_only(&self) -> bool {
        self.manual_register_only
    }
    pub fn research(&self) -> Option<&Research> {
        self.research.as_ref()
    }
    pub fn research_area(&self) -> Option<Purpose> {
        self.research_area
    }
    pub fn description(&self) -> Option<&str> {
        self.description.as_deref()
    }
    pub fn transfers_abroad(&self) -> &[Transfer] {
        &self.transfers_abroad
    }
    pub fn confirmation_email(&self) -> &str {
        &self.confirmation_email
    }
    pub fn language(&self) -> Lang {
        self.language
    }
    pub fn is_patient_journal(&self) -> bool {
        self.legal_ground == LegalGround::PatientJournal
    }
}

#[cfg(test)]
mod tests;
