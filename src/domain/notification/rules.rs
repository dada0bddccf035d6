//! Every rule of the authority's form, checked at once.

use std::collections::BTreeSet;

use chrono::{Days, NaiveDate};

use super::input::{
    ControllerInput, NotificationInput, PartyInput, ProcessorInput, ResearchInput, TransferInput,
};
use super::{Controller, Notification, Processor, Representative, Research, Transfer};
use crate::domain::checker::Checker;
use crate::domain::code_lists::{
    Country, IdentifierScheme, Law, LegalGround, ProcessorRole, Purpose, RegistrationKind,
    ResearchConsent, Sector, SectorRule, SensitiveCategory, TransferBasis,
};
use crate::domain::i18n::Lang;
use crate::domain::number::NotificationNumber;
use crate::domain::party::{limits, phone_is_valid};
use crate::domain::violation::Violation;

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
    let description =
        c.optional_multi_line_text("/description", &input.description, limits::DESCRIPTION);
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
