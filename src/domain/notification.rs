//! The notification (melding) and every rule of the authority's form.
//!
//! [`NotificationInput`] is the wire form: lenient, so that one pass can
//! report every broken rule at once. [`validate`] turns it into a
//! [`Notification`], the checked content, or returns every violation, each
//! with a JSON pointer, a stable code and a message in three languages.
//! "Today" and the facts that live in the database are arguments.

use std::collections::BTreeSet;

use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::checker::Checker;
use super::code_lists::{
    Country, IdentifierScheme, Law, LegalGround, ProcessorRole, Purpose, RegistrationKind,
    ResearchConsent, Sector, SectorRule, SensitiveCategory, TransferBasis,
};
use super::i18n::Lang;
use super::identifiers::Identifier;
use super::messages;
use super::number::NotificationNumber;

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

// ---------------------------------------------------------------- wire form

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
    #[schema(value_type = String, format = Date, example = "2027-01-15", required = true)]
    pub start_date: Option<String>,
    /// 2. Categories of sensitive personal data; none, one or more.
    #[schema(value_type = Vec<SensitiveCategory>)]
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
    #[schema(example = "personvern@fjordvik.kommune.no", required = true)]
    pub confirmation_email: Option<String>,
    /// Language of the mail and receipt: `nb` (default), `nn` or `en`.
    #[schema(value_type = Option<Lang>)]
    pub language: Option<String>,
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
    #[schema(example = "SE")]
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
    #[schema(example = "NO", required = true)]
    pub country: Option<String>,
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
    #[schema(example = "NO", required = true)]
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
    #[schema(value_type = String, format = Date, example = "2029-12-31", required = true)]
    pub project_end_date: Option<String>,
    #[schema(example = "Hjemmetjenester 2027", required = true)]
    pub project_title: Option<String>,
}

/// 7. A destination outside the EEA and the legal basis for the transfer.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransferInput {
    #[schema(example = "US", required = true)]
    pub country: Option<String>,
    #[schema(value_type = TransferBasis, required = true)]
    pub legal_basis: Option<String>,
    /// With `other_exception` only: the exception under § 30.
    pub exception: Option<String>,
}

// ------------------------------------------------------------- domain form

/// A postal address, checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Address {
    pub street: String,
    pub postal_code: String,
    pub town: String,
    pub country: Country,
}

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

// --------------------------------------------------------------- validation

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
}

/// What validation needs to know beyond the content.
#[derive(Debug, Clone, Copy)]
pub struct Context {
    /// Today's date in Europe/Oslo.
    pub today: NaiveDate,
    /// The organisation's live patient-journal notification, if it has one
    /// (other than the one being amended).
    pub existing_journal: Option<NotificationNumber>,
}

/// A notification that keeps every rule, with the warnings that do not block.
#[derive(Debug, Clone)]
pub struct Validated {
    pub notification: Notification,
    pub warnings: Vec<Violation>,
}

/// Every broken rule, and the warnings found on the way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejected {
    pub errors: Vec<Violation>,
    pub warnings: Vec<Violation>,
}

impl Rejected {
    /// Whether the only problem is the organisation's existing journal
    /// (answered as a conflict rather than a validation error).
    pub fn is_journal_conflict(&self) -> bool {
        !self.errors.is_empty()
            && self
                .errors
                .iter()
                .all(|e| e.code == "patient_journal_exists")
    }
}

/// Checks every rule of the spec and returns all violations at once.
pub fn validate(input: &NotificationInput, context: &Context) -> Result<Validated, Rejected> {
    let mut c = Checker::default();

    // 1. What the notification concerns.
    let law = c.code(
        "/law",
        input.law.as_deref(),
        Law::parse,
        Law::ALL.iter().map(|l| l.code()),
    );
    let legal_ground = c.code(
        "/legal_ground",
        input.legal_ground.as_deref(),
        LegalGround::parse,
        LegalGround::ALL.iter().map(|g| g.code()),
    );
    if let (Some(law), Some(ground)) = (law, legal_ground)
        && ground.law() != law
    {
        c.error_with(
            "/legal_ground",
            "legal_ground_not_in_law",
            vec![
                ("value", ground.code().to_owned()),
                ("law", ground.law().code().to_owned()),
            ],
        );
    }
    if let (Some(LegalGround::PatientJournal), Some(existing)) =
        (legal_ground, context.existing_journal)
    {
        c.error_with(
            "/legal_ground",
            "patient_journal_exists",
            vec![("number", existing.to_string())],
        );
    }
    let registration_kind = c.code(
        "/registration_kind",
        input.registration_kind.as_deref(),
        RegistrationKind::parse,
        RegistrationKind::ALL.iter().map(|k| k.code()),
    );
    let previous_number = match c.optional_text("/previous_number", &input.previous_number, 20) {
        None => None,
        Some(text) => {
            let number = text.parse::<NotificationNumber>().ok();
            if number.is_none() {
                c.error("/previous_number", "invalid_number");
            }
            if registration_kind == Some(RegistrationKind::FirstRegistration) {
                c.error(
                    "/previous_number",
                    "previous_number_without_re_registration",
                );
            }
            number
        }
    };
    let start_date = c.date("/start_date", &input.start_date, true);
    if let Some(start) = start_date {
        if start < context.today {
            c.error_with(
                "/start_date",
                "start_date_in_past",
                vec![("today", context.today.to_string())],
            );
        } else if start < context.today + Days::new(limits::NOTICE_DAYS) {
            c.warn("/start_date", "start_within_30_days");
        }
    }

    // 2. Sensitive personal data.
    let sensitive_categories = c.code_set(
        "/sensitive_categories",
        input.sensitive_categories.as_deref(),
        SensitiveCategory::parse,
        SensitiveCategory::ALL.iter().map(|s| s.code()),
        limits::SENSITIVE,
    );
    let manual_register_only = input.manual_register_only;
    if manual_register_only.is_none() {
        c.error("/manual_register_only", "required");
    }
    if manual_register_only == Some(true) && sensitive_categories.is_empty() {
        c.warn(
            "/manual_register_only",
            "manual_register_without_sensitive_data",
        );
    }
    if !sensitive_categories.is_empty() && legal_ground.is_some_and(|g| !g.is_health_ground()) {
        c.warn("/sensitive_categories", "licence_may_be_required");
    }

    // 3. The controller.
    let controller = match &input.controller {
        None => {
            c.error("/controller", "required");
            None
        }
        Some(ctrl) => c.controller(ctrl),
    };
    let controller_country = input
        .controller
        .as_ref()
        .and_then(|ctrl| ctrl.address.as_ref())
        .and_then(|a| a.country.as_deref())
        .and_then(|code| Country::parse(code.trim()));

    // 4. The representative.
    let representative = match (&input.representative, controller_country) {
        (None, Some(country)) if !country.in_eea() => {
            c.error("/representative", "representative_required_outside_eea");
            None
        }
        (Some(_), Some(country)) if country.in_eea() => {
            c.error("/representative", "representative_not_allowed");
            None
        }
        (Some(rep), _) => c.representative(rep),
        (None, _) => None,
    };

    // 5. Other processors.
    let processors = c.list(
        "/processors",
        input.processors.as_deref(),
        limits::PROCESSORS,
        |c, pointer, p| c.processor(pointer, p),
    );

    // 6. Sector, purpose, description, research.
    let sector = c.code(
        "/sector",
        input.sector.as_deref(),
        Sector::parse,
        Sector::ALL.iter().map(|s| s.code()),
    );
    let purpose = c.code(
        "/purpose",
        input.purpose.as_deref(),
        Purpose::parse,
        Purpose::ALL.iter().map(|p| p.code()),
    );
    let research_area = match input.research_area.as_deref() {
        None => None,
        Some(code) => {
            let area = c.code(
                "/research_area",
                Some(code),
                Purpose::parse,
                Purpose::ALL
                    .iter()
                    .filter(|p| **p != Purpose::Research)
                    .map(|p| p.code()),
            );
            if area == Some(Purpose::Research) {
                c.error("/research_area", "research_area_is_research");
            }
            if purpose.is_some_and(|p| p != Purpose::Research) {
                c.error("/research_area", "research_area_without_research");
            }
            area
        }
    };
    let description = c.optional_text("/description", &input.description, limits::DESCRIPTION);
    if let Some(purpose) = purpose {
        if purpose.needs_description() && description.is_none() {
            c.error_with(
                "/description",
                "description_required",
                vec![("purpose", purpose.code().to_owned())],
            );
        }
        match (purpose.sector_rule(), sector) {
            (SectorRule::PublicOnly, Some(s)) if !s.is_public() => {
                c.error("/sector", "purpose_needs_public_sector");
            }
            (SectorRule::PrivateOnly, Some(s)) if s.is_public() => {
                c.error("/sector", "purpose_needs_private_sector");
            }
            _ => {}
        }
    }
    let research = match (&input.research, purpose) {
        (None, Some(Purpose::Research)) => {
            c.error("/research", "research_required");
            None
        }
        (Some(_), Some(p)) if p != Purpose::Research => {
            c.error("/research", "research_without_research_purpose");
            None
        }
        (Some(r), _) => c.research(r, start_date),
        (None, _) => None,
    };

    // 7. Transfers abroad.
    let transfers_abroad = c.list(
        "/transfers_abroad",
        input.transfers_abroad.as_deref(),
        limits::TRANSFERS,
        |c, pointer, t| c.transfer(pointer, t),
    );
    let mut destinations = BTreeSet::new();
    for (i, t) in transfers_abroad.iter().enumerate() {
        if !destinations.insert(t.country) {
            c.error_with(
                format!("/transfers_abroad/{i}/country"),
                "duplicate",
                vec![("value", t.country.code().to_owned())],
            );
        }
    }

    // 8. E-mail for confirmation.
    let confirmation_email = c.email("/confirmation_email", &input.confirmation_email);
    let language = match input.language.as_deref() {
        None => Some(Lang::Nb),
        Some(code) => c.code(
            "/language",
            Some(code),
            |s| match s {
                "nb" => Some(Lang::Nb),
                "nn" => Some(Lang::Nn),
                "en" => Some(Lang::En),
                _ => None,
            },
            ["nb", "nn", "en"].into_iter(),
        ),
    };

    let Checker { errors, warnings } = c;
    if !errors.is_empty() {
        return Err(Rejected { errors, warnings });
    }
    // No errors means every required part was read.
    let complete = (|| {
        Some(Notification {
            law: law?,
            legal_ground: legal_ground?,
            registration_kind: registration_kind?,
            previous_number,
            start_date: start_date?,
            sensitive_categories,
            manual_register_only: manual_register_only?,
            controller: controller?,
            representative,
            processors,
            sector: sector?,
            purpose: purpose?,
            research_area,
            description,
            research,
            transfers_abroad,
            confirmation_email: confirmation_email?,
            language: language?,
        })
    })();
    match complete {
        Some(notification) => Ok(Validated {
            notification,
            warnings,
        }),
        None => unreachable!("every missing part was reported as an error"),
    }
}

impl Checker {
    fn controller(&mut self, input: &ControllerInput) -> Option<Controller> {
        let name = self.text("/controller/name", &input.name, limits::NAME);
        let identifier = match &input.identifier {
            None => {
                self.error("/controller/identifier", "required");
                None
            }
            Some(id) => self.identifier("/controller/identifier", id),
        };
        let address = self.address("/controller/address", &input.address);
        let phone = self.text("/controller/phone", &input.phone, limits::PHONE);
        if let Some(phone) = &phone
            && !phone_is_valid(phone)
        {
            self.error("/controller/phone", "invalid_phone");
        }
        let title = self.text(
            "/controller/responsible_title",
            &input.responsible_title,
            limits::TITLE,
        );
        // A controller in Norway is known by its organisation number.
        let in_norway = input
            .address
            .as_ref()
            .and_then(|a| a.country.as_deref())
            .is_some_and(|c| c.trim() == "NO");
        let scheme = input
            .identifier
            .as_ref()
            .and_then(|i| i.scheme.as_deref())
            .and_then(|s| IdentifierScheme::parse(s.trim()));
        if in_norway && scheme.is_some_and(|s| s != IdentifierScheme::NoOrgnr) {
            self.error(
                "/controller/identifier/scheme",
                "norwegian_controller_needs_orgnr",
            );
            return None;
        }
        Some(Controller {
            name: name?,
            identifier: identifier?,
            address: address?,
            phone: phone.filter(|p| phone_is_valid(p))?,
            responsible_title: title?,
        })
    }

    fn representative(&mut self, input: &PartyInput) -> Option<Representative> {
        let name = self.text("/representative/name", &input.name, limits::NAME);
        let identifier = input
            .identifier
            .as_ref()
            .map(|id| self.identifier("/representative/identifier", id));
        let address = self.address("/representative/address", &input.address);
        if let Some(address) = &address
            && !address.country.in_eea()
        {
            self.error(
                "/representative/address/country",
                "representative_outside_eea",
            );
            return None;
        }
        Some(Representative {
            name: name?,
            identifier: transpose(identifier)?,
            address: address?,
        })
    }

    fn processor(&mut self, pointer: &str, input: &ProcessorInput) -> Option<Processor> {
        let name = self.text(&format!("{pointer}/name"), &input.name, limits::NAME);
        let identifier = input
            .identifier
            .as_ref()
            .map(|id| self.identifier(&format!("{pointer}/identifier"), id));
        let country = self.country(&format!("{pointer}/country"), &input.country);
        let role = self.code(
            &format!("{pointer}/role"),
            input.role.as_deref(),
            ProcessorRole::parse,
            ProcessorRole::ALL.iter().map(|r| r.code()),
        );
        Some(Processor {
            name: name?,
            identifier: transpose(identifier)?,
            country: country?,
            role: role?,
        })
    }

    fn research(&mut self, input: &ResearchInput, start: Option<NaiveDate>) -> Option<Research> {
        let consent = self.code(
            "/research/consent",
            input.consent.as_deref(),
            ResearchConsent::parse,
            ResearchConsent::ALL.iter().map(|c| c.code()),
        );
        let end = self.date("/research/project_end_date", &input.project_end_date, true);
        let title = self.text(
            "/research/project_title",
            &input.project_title,
            limits::PROJECT_TITLE,
        );
        if let (Some(start), Some(end)) = (start, end)
            && end <= start
        {
            self.error_with(
                "/research/project_end_date",
                "project_end_before_start",
                vec![("start", start.to_string())],
            );
            return None;
        }
        Some(Research {
            consent: consent?,
            project_end_date: end?,
            project_title: title?,
        })
    }

    fn transfer(&mut self, pointer: &str, input: &TransferInput) -> Option<Transfer> {
        let country_pointer = format!("{pointer}/country");
        let country = self.country(&country_pointer, &input.country);
        if let Some(country) = country
            && country.in_eea()
        {
            self.error_with(
                country_pointer,
                "transfer_within_eea",
                vec![("value", country.code().to_owned())],
            );
        }
        let basis = self.code(
            &format!("{pointer}/legal_basis"),
            input.legal_basis.as_deref(),
            TransferBasis::parse,
            TransferBasis::ALL.iter().map(|b| b.code()),
        );
        let exception_pointer = format!("{pointer}/exception");
        let exception = self.optional_text(&exception_pointer, &input.exception, limits::EXCEPTION);
        match (basis, &exception) {
            (Some(TransferBasis::OtherException), None) => {
                self.error(exception_pointer, "exception_required");
                return None;
            }
            (Some(b), Some(_)) if b != TransferBasis::OtherException => {
                self.error(exception_pointer, "exception_not_allowed");
                return None;
            }
            _ => {}
        }
        Some(Transfer {
            country: country.filter(|c| !c.in_eea())?,
            legal_basis: basis?,
            exception,
        })
    }
}

/// An optional part that was present must have been read: `Some(None)`
/// (present but broken) gives `None`.
fn transpose<T>(part: Option<Option<T>>) -> Option<Option<T>> {
    match part {
        None => Some(None),
        Some(None) => None,
        Some(Some(value)) => Some(Some(value)),
    }
}

fn phone_is_valid(phone: &str) -> bool {
    let body = phone.strip_prefix('+').unwrap_or(phone);
    let digits = body.bytes().filter(u8::is_ascii_digit).count();
    (5..=15).contains(&digits) && body.bytes().all(|b| b.is_ascii_digit() || b == b' ')
}

/// A pragmatic address check: one `@`, a local part without spaces, and a
/// domain of at least two labels of letters, digits and hyphens.
pub fn email_is_valid(email: &str) -> bool {
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

#[cfg(test)]
#[path = "notification_tests.rs"]
mod tests;
