//! The wire form of a notification: lenient, so that one pass can report
//! every broken rule at once.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::code_lists::{
    Country, Law, LegalGround, ProcessorRole, Purpose, RegistrationKind, ResearchConsent, Sector,
    SensitiveCategory, TransferBasis,
};
use crate::domain::i18n::Lang;
pub use crate::domain::party::{AddressInput, IdentifierInput};

/// A notification as submitted (sections 1 to 8 of the form).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NotificationInput {
    /// 1a. The law: `personopplysningsloven` (§ 31) or `helseregisterloven` (§ 29).
    #[schema(value_type = Law, required = true)]
    pub law: Option<String>,
    /// 1a. The legal ground; it must belong to the law.
    #[schema(value_type = LegalGround, required = true)]
    pub legal_ground: Option<String>,
    /// 1b. First registration, or the renewal after three years.
    #[schema(value_type = RegistrationKind, required = true)]
    pub registration_kind: Option<String>,
    /// 1b. With a re-registration: the number of the notification it renews.
    #[schema(example = "2023-000042")]
    pub previous_number: Option<String>,
    /// 1c. Planned start of the processing (Europe/Oslo); today if it has started.
    #[schema(value_type = String, format = Date, example = "2030-01-15", required = true)]
    pub start_date: Option<String>,
    /// 2. Categories of sensitive personal data; none, one or more.
    #[schema(value_type = Vec<SensitiveCategory>, max_items = 6)]
    pub sensitive_categories: Option<Vec<String>>,
    /// 2. True only where the data is kept solely in a manual (paper) register.
    #[schema(required = true)]
    pub manual_register_only: Option<bool>,
    /// 3. The controller (behandlingsansvarlig).
    #[schema(required = true)]
    pub controller: Option<ControllerInput>,
    /// 4. The representative in Norway or the EEA, only for a controller outside them.
    pub representative: Option<PartyInput>,
    /// 5. Other organisations that process the data on the controller's behalf.
    pub processors: Option<Vec<ProcessorInput>>,
    /// 6a. Exactly one sector.
    #[schema(value_type = Sector, required = true)]
    pub sector: Option<String>,
    /// 6b. Exactly one purpose.
    #[schema(value_type = Purpose, required = true)]
    pub purpose: Option<String>,
    /// 6b. Only with purpose `research`: the purpose the research is about.
    #[schema(value_type = Option<Purpose>)]
    pub research_area: Option<String>,
    /// 6c. Free text, at most 4,000 characters; required where the purpose says
    /// "spesifiser i punkt 6c".
    pub description: Option<String>,
    /// 6d. Required when the purpose is research, absent otherwise.
    pub research: Option<ResearchInput>,
    /// 7. Destinations outside the EEA; empty when nothing leaves Norway.
    pub transfers_abroad: Option<Vec<TransferInput>>,
    /// Section 8: the submitter's own e-mail address; the notification
    /// counts once it is confirmed from it.
    #[schema(example = "personvern@fjordvik.kommune.no", format = Email, max_length = 254, required = true)]
    pub confirmation_email: Option<String>,
    /// Language of the mail and receipt: `nb` (default), `nn` or `en`.
    #[schema(value_type = Option<Lang>)]
    pub language: Option<String>,
}

/// 3. The controller.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ControllerInput {
    #[schema(example = "Fjordvik kommune", required = true)]
    pub name: Option<String>,
    #[schema(required = true)]
    pub identifier: Option<IdentifierInput>,
    #[schema(required = true)]
    pub address: Option<AddressInput>,
    #[schema(example = "+47 55 00 00 00", required = true)]
    pub phone: Option<String>,
    /// Only the title of the person with day-to-day responsibility, never a name.
    #[schema(example = "Kommunedirektør", required = true)]
    pub responsible_title: Option<String>,
}

/// 4. A representative: name, identifier where known, address.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PartyInput {
    #[schema(required = true)]
    pub name: Option<String>,
    pub identifier: Option<IdentifierInput>,
    #[schema(required = true)]
    pub address: Option<AddressInput>,
}

/// 5. Another organisation processing the data on the controller's behalf.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProcessorInput {
    #[schema(example = "Drift AS", required = true)]
    pub name: Option<String>,
    pub identifier: Option<IdentifierInput>,
    #[schema(value_type = Country, example = "NO", required = true)]
    pub country: Option<String>,
    #[schema(value_type = ProcessorRole, required = true)]
    pub role: Option<String>,
}

/// 6d. The research project.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResearchInput {
    #[schema(value_type = ResearchConsent, required = true)]
    pub consent: Option<String>,
    /// After the start date.
    #[schema(value_type = String, format = Date, example = "2033-12-31", required = true)]
    pub project_end_date: Option<String>,
    #[schema(example = "Hjemmetjenester 2030", required = true)]
    pub project_title: Option<String>,
}

/// 7. A destination outside the EEA and the legal basis for the transfer.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransferInput {
    #[schema(value_type = Country, example = "US", required = true)]
    pub country: Option<String>,
    #[schema(value_type = TransferBasis, required = true)]
    pub legal_basis: Option<String>,
    /// With `other_exception` only: the exception under § 30.
    pub exception: Option<String>,
}

/// The example notification of the documentation, the domain tests and
/// the API tests: `openapi/examples/notification.json`.
pub const EXAMPLE_JSON: &str = include_str!("../../../openapi/examples/notification.json");

/// [`EXAMPLE_JSON`] as a JSON value.
pub fn example() -> serde_json::Value {
    serde_json::from_str(EXAMPLE_JSON).expect("openapi/examples/notification.json is JSON")
}
