//! The code lists of the authority's form, as data: every code with its
//! bokmål, nynorsk and English label. Validation and the API's
//! `/v1/code-lists` read the same data. The bokmål labels of sector and
//! purpose are the form's own words.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::countries::COUNTRIES;
use super::i18n::Text;

/// Defines a code list: an enum whose wire form is its code, with its labels.
macro_rules! code_list {
    (
        $(#[doc = $doc:literal])*
        $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $code:literal => ($nb:literal, $nn:literal, $en:literal) ),+ $(,)?
        }
    ) => {
        $(#[doc = $doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum $name {
            $( $(#[$vmeta])* #[serde(rename = $code)] $variant ),+
        }

        impl $name {
            /// Every code, in the form's order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The code on the wire.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            /// The value of a code, exactly as written on the wire.
            pub fn parse(code: &str) -> Option<Self> {
                match code { $($code => Some($name::$variant),)+ _ => None }
            }

            /// The label in the three languages.
            pub fn label(self) -> Text {
                match self { $($name::$variant => Text::new($nb, $nn, $en)),+ }
            }
        }

        // The schema is made from the same codes as the serde names, so the
        // document cannot drift from the wire.
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .description(Some(concat!($($doc, "\n"),*).trim()))
                    .enum_values(Some([$($code),+]))
                    .into()
            }
        }

        impl ToSchema for $name {}
    };
}

code_list! {
    /// The law the notification is given under (section 1a).
    Law {
        Personopplysningsloven = "personopplysningsloven" =>
            ("Personopplysningsloven (§ 31)", "Personopplysningslova (§ 31)", "Personal Data Act (s. 31)"),
        Helseregisterloven = "helseregisterloven" =>
            ("Helseregisterloven (§ 29)", "Helseregisterlova (§ 29)", "Health Registers Act (s. 29)"),
    }
}

code_list! {
    /// The legal ground within the law (section 1a).
    LegalGround {
        NotificationDuty = "notification_duty" => (
            "Meldepliktig behandling (ikke unntatt, ikke konsesjonspliktig)",
            "Meldepliktig behandling (ikkje unnateke, ikkje konsesjonspliktig)",
            "Notifiable processing (not exempt, no licence needed)"),
        UnauthorisedHealthPersonnel = "unauthorised_health_personnel" => (
            "Pasient- og klientopplysninger behandlet av helsepersonell uten autorisasjon",
            "Pasient- og klientopplysningar behandla av helsepersonell utan autorisasjon",
            "Patient or client data handled by health personnel without authorisation"),
        PatientJournal = "patient_journal" => (
            "Pasientjournal (én melding per virksomhet)",
            "Pasientjournal (éi melding per verksemd)",
            "Patient journal (one notification per organisation)"),
        ResearchExempt = "research_exempt" => (
            "Forskningsprosjekt unntatt konsesjon (personopplysningsforskriften § 7-27)",
            "Forskingsprosjekt unnateke konsesjon (personopplysningsforskrifta § 7-27)",
            "Research project exempt from licence (regulation § 7-27)"),
        HealthRegisterLocalRegional = "health_register_local_regional" => (
            "Lokalt eller regionalt helseregister (§ 7)",
            "Lokalt eller regionalt helseregister (§ 7)",
            "Local or regional health register (s. 7)"),
        HealthRegisterCentral = "health_register_central" => (
            "Sentralt helseregister (§ 8)",
            "Sentralt helseregister (§ 8)",
            "Central health register (s. 8)"),
    }
}

impl LegalGround {
    /// The law this ground belongs to.
    pub fn law(self) -> Law {
        match self {
            Self::NotificationDuty | Self::UnauthorisedHealthPersonnel => {
                Law::Personopplysningsloven
            }
            Self::PatientJournal
            | Self::ResearchExempt
            | Self::HealthRegisterLocalRegional
            | Self::HealthRegisterCentral => Law::Helseregisterloven,
        }
    }

    /// Grounds that concern health data, where sensitive data is expected.
    pub fn is_health_ground(self) -> bool {
        !matches!(self, Self::NotificationDuty)
    }
}

code_list! {
    /// First registration or the renewal after three years (section 1b).
    RegistrationKind {
        FirstRegistration = "first_registration" =>
            ("Førstegangsregistrering", "Førstegongsregistrering", "First registration"),
        ReRegistration = "re_registration" => (
            "Ny registrering (fornyelse etter tre år)",
            "Ny registrering (fornying etter tre år)",
            "Re-registration (renewal after three years)"),
    }
}

code_list! {
    /// Categories of sensitive personal data (section 2).
    SensitiveCategory {
        RacialOrEthnicOrigin = "racial_or_ethnic_origin" =>
            ("Rasemessig eller etnisk bakgrunn", "Rasemessig eller etnisk bakgrunn", "Racial or ethnic origin"),
        Beliefs = "beliefs" => (
            "Politisk, filosofisk eller religiøs oppfatning",
            "Politisk, filosofisk eller religiøs oppfatning",
            "Political, philosophical or religious beliefs"),
        CriminalOffences = "criminal_offences" => (
            "Mistenkt, siktet, tiltalt eller dømt for en straffbar handling",
            "Mistenkt, sikta, tiltalt eller dømd for ei straffbar handling",
            "Suspected, charged, indicted or convicted of a criminal offence"),
        Health = "health" => ("Helseforhold", "Helsetilhøve", "Health"),
        SexLife = "sex_life" => ("Seksuelle forhold", "Seksuelle tilhøve", "Sex life"),
        TradeUnionMembership = "trade_union_membership" =>
            ("Medlemskap i fagforeninger", "Medlemskap i fagforeiningar", "Trade union membership"),
    }
}

code_list! {
    /// Sector of the controller (section 6a: exactly one).
    Sector {
        CentralGovernment = "central_government" => ("Statlig", "Statleg", "Central government"),
        CountyOrMunicipal = "county_or_municipal" =>
            ("Fylkeskommunal/kommunal", "Fylkeskommunal/kommunal", "County or municipal"),
        Private = "private" => ("Privat", "Privat", "Private"),
    }
}

code_list! {
    /// Purpose of the processing (section 6b: exactly one).
    Purpose {
        Cctv = "cctv" => ("Fjernsynsovervåkning", "Fjernsynsovervaking", "Camera surveillance (CCTV)"),
        HealthServices = "health_services" => ("Helsetjenester", "Helsetenester", "Health services"),
        AccessControl = "access_control" => ("Adgangskontroll", "Tilgangskontroll", "Access control"),
        HealthAdministration = "health_administration" =>
            ("Helseforvaltning", "Helseforvaltning", "Health administration"),
        ClientAdministration = "client_administration" => (
            "Klient/kundeadministrasjon",
            "Klient-/kundeadministrasjon",
            "Client and customer administration"),
        Research = "research" => (
            "Forskning (spesifiser i punkt 6d)",
            "Forsking (spesifiser i punkt 6d)",
            "Research (specify in 6d)"),
        Marketing = "marketing" =>
            ("Adressering/markedsføring", "Adressering/marknadsføring", "Addressing and marketing"),
        StatutoryPublic = "statutory_public" => (
            "Lovpålagt behandling for stat/kommune/fylkeskommune (spesifiser lovhjemmel i punkt 6c)",
            "Lovpålagd behandling for stat/kommune/fylkeskommune (spesifiser lovheimel i punkt 6c)",
            "Statutory processing for the state, a municipality or county (give the legal basis in 6c)"),
        PersonnelAdministration = "personnel_administration" =>
            ("Personaladministrasjon", "Personaladministrasjon", "Personnel administration"),
        OtherPublic = "other_public" => (
            "Annen behandling i det offentlige (spesifiser i punkt 6c)",
            "Anna behandling i det offentlege (spesifiser i punkt 6c)",
            "Other processing in the public sector (specify in 6c)"),
        Insurance = "insurance" => ("Forsikringstjenester", "Forsikringstenester", "Insurance services"),
        FinancialServices = "financial_services" =>
            ("Finansielle tjenester", "Finansielle tenester", "Financial services"),
        DebtCollection = "debt_collection" => ("Inkasso", "Inkasso", "Debt collection"),
        OtherPrivate = "other_private" => (
            "Annen behandling i det private (spesifiser i punkt 6c)",
            "Anna behandling i det private (spesifiser i punkt 6c)",
            "Other processing in the private sector (specify in 6c)"),
    }
}

/// Which sectors a purpose allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SectorRule {
    Any,
    PublicOnly,
    PrivateOnly,
}

impl Purpose {
    /// Purposes whose label says "spesifiser i punkt 6c" need a description.
    pub fn needs_description(self) -> bool {
        matches!(
            self,
            Self::StatutoryPublic | Self::OtherPublic | Self::OtherPrivate
        )
    }

    pub fn sector_rule(self) -> SectorRule {
        match self {
            Self::StatutoryPublic | Self::OtherPublic => SectorRule::PublicOnly,
            Self::OtherPrivate => SectorRule::PrivateOnly,
            _ => SectorRule::Any,
        }
    }
}

impl Sector {
    pub fn is_public(self) -> bool {
        !matches!(self, Self::Private)
    }
}

code_list! {
    /// What another organisation does with the data (section 5).
    ProcessorRole {
        Lawyer = "lawyer" => ("Advokat", "Advokat", "Lawyer"),
        Auditor = "auditor" => ("Revisor", "Revisor", "Auditor"),
        DataProcessor = "data_processor" => ("Databehandler", "Databehandlar", "Data processor"),
        Other = "other" => ("Annen", "Anna", "Other"),
    }
}

code_list! {
    /// Legal basis of a transfer to a country outside the EEA (section 7).
    TransferBasis {
        AdequacyDecision = "adequacy_decision" => (
            "Beslutning om tilstrekkelig beskyttelsesnivå",
            "Avgjerd om tilstrekkeleg vernenivå",
            "Adequacy decision"),
        StandardContractualClauses = "standard_contractual_clauses" =>
            ("Standardavtaler", "Standardavtalar", "Standard contractual clauses"),
        BindingCorporateRules = "binding_corporate_rules" =>
            ("Bindende virksomhetsregler", "Bindande verksemdsreglar", "Binding corporate rules"),
        Consent = "consent" =>
            ("Samtykke fra den registrerte", "Samtykke frå den registrerte", "Consent of the data subject"),
        ContractNecessity = "contract_necessity" => (
            "Nødvendig for å oppfylle en avtale",
            "Naudsynt for å oppfylle ein avtale",
            "Necessary for the performance of a contract"),
        AuthorityPermission = "authority_permission" => (
            "Tillatelse fra Datatilsynet",
            "Løyve frå Datatilsynet",
            "Permission from the Data Protection Authority"),
        OtherException = "other_exception" => (
            "Annet unntak etter § 30 (spesifiser)",
            "Anna unntak etter § 30 (spesifiser)",
            "Other exception under s. 30 (specify)"),
    }
}

code_list! {
    /// Whether the research participants consented (section 6d).
    ResearchConsent {
        Yes = "yes" => ("Ja", "Ja", "Yes"),
        No = "no" => ("Nei", "Nei", "No"),
        Partly = "partly" => ("Delvis", "Delvis", "Partly"),
    }
}

code_list! {
    /// How an organisation is identified.
    IdentifierScheme {
        NoOrgnr = "no_orgnr" => (
            "Norsk organisasjonsnummer",
            "Norsk organisasjonsnummer",
            "Norwegian organisation number"),
        Lei = "lei" => (
            "LEI (Legal Entity Identifier)",
            "LEI (Legal Entity Identifier)",
            "LEI (Legal Entity Identifier)"),
        EuVat = "eu_vat" => ("MVA-nummer i EU", "MVA-nummer i EU", "EU VAT number"),
        Euid = "euid" => (
            "EUID (europeisk unik identifikator)",
            "EUID (europeisk unik identifikator)",
            "EUID (European unique identifier)"),
        Other = "other" => ("Annen identifikator", "Anna identifikator", "Other identifier"),
    }
}

/// The EEA: the EU's 27 members, Iceland, Liechtenstein and Norway.
pub static EEA: [&str; 30] = [
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IS",
    "IT", "LI", "LT", "LU", "LV", "MT", "NL", "NO", "PL", "PT", "RO", "SE", "SI", "SK",
];

/// An ISO 3166-1 alpha-2 country code that exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Country(&'static str);

impl utoipa::PartialSchema for Country {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .description(Some("An ISO 3166-1 alpha-2 country code, upper case"))
            .enum_values(Some(COUNTRIES.iter().map(|(code, _)| *code)))
            .into()
    }
}

impl ToSchema for Country {}

impl Country {
    pub const NORWAY: Country = Country("NO");

    /// A country by its code (upper case, as ISO writes it).
    pub fn parse(code: &str) -> Option<Country> {
        COUNTRIES
            .binary_search_by(|(c, _)| (*c).cmp(code))
            .ok()
            .map(|i| Country(COUNTRIES[i].0))
    }

    pub fn code(self) -> &'static str {
        self.0
    }

    pub fn name(self) -> Text {
        COUNTRIES
            .binary_search_by(|(c, _)| (*c).cmp(self.0))
            .map(|i| COUNTRIES[i].1)
            .unwrap_or(Text::new(self.0, self.0, self.0))
    }

    pub fn in_eea(self) -> bool {
        EEA.contains(&self.0)
    }
}

impl Serialize for Country {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.0)
    }
}

impl<'de> Deserialize<'de> for Country {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let code = String::deserialize(deserializer)?;
        Country::parse(&code)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown country code {code:?}")))
    }
}

/// One entry of a code list as the API serves it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub code: &'static str,
    pub label: Text,
    /// Facts about the entry that clients need: `law` of a legal ground,
    /// `eea` of a country, the rules of a purpose.
    pub attributes: Vec<(&'static str, String)>,
}

/// A named code list.
#[derive(Debug, Clone)]
pub struct CodeList {
    pub name: &'static str,
    pub entries: Vec<Entry>,
}

fn plain<T: Copy>(all: &[T], code: fn(T) -> &'static str, label: fn(T) -> Text) -> Vec<Entry> {
    all.iter()
        .map(|&v| Entry {
            code: code(v),
            label: label(v),
            attributes: Vec::new(),
        })
        .collect()
}

/// The names of every code list, in the order they are served.
pub const LIST_NAMES: [&str; 13] = [
    "laws",
    "legal-grounds",
    "registration-kinds",
    "sensitive-categories",
    "sectors",
    "purposes",
    "processor-roles",
    "transfer-bases",
    "research-consent",
    "identifier-schemes",
    "countries",
    "eea",
    "languages",
];

/// One code list by name.
pub fn code_list(name: &str) -> Option<CodeList> {
    let entries = match name {
        "laws" => plain(Law::ALL, Law::code, Law::label),
        "legal-grounds" => LegalGround::ALL
            .iter()
            .map(|&g| Entry {
                code: g.code(),
                label: g.label(),
                attributes: vec![("law", g.law().code().to_owned())],
            })
            .collect(),
        "registration-kinds" => plain(
            RegistrationKind::ALL,
            RegistrationKind::code,
            RegistrationKind::label,
        ),
        "sensitive-categories" => plain(
            SensitiveCategory::ALL,
            SensitiveCategory::code,
            SensitiveCategory::label,
        ),
        "sectors" => plain(Sector::ALL, Sector::code, Sector::label),
        "purposes" => Purpose::ALL
            .iter()
            .map(|&p| {
                let mut attributes = Vec::new();
                if p.needs_description() {
                    attributes.push(("description_required", "true".to_owned()));
                }
                match p.sector_rule() {
                    SectorRule::PublicOnly => attributes.push(("sectors", "public".to_owned())),
                    SectorRule::PrivateOnly => attributes.push(("sectors", "private".to_owned())),
                    SectorRule::Any => {}
                }
                if p == Purpose::Research {
                    attributes.push(("research_required", "true".to_owned()));
                }
                Entry {
                    code: p.code(),
                    label: p.label(),
                    attributes,
                }
            })
            .collect(),
        "processor-roles" => plain(
            ProcessorRole::ALL,
            ProcessorRole::code,
            ProcessorRole::label,
        ),
        "transfer-bases" => plain(
            TransferBasis::ALL,
            TransferBasis::code,
            TransferBasis::label,
        ),
        "research-consent" => plain(
            ResearchConsent::ALL,
            ResearchConsent::code,
            ResearchConsent::label,
        ),
        "identifier-schemes" => plain(
            IdentifierScheme::ALL,
            IdentifierScheme::code,
            IdentifierScheme::label,
        ),
        "countries" => COUNTRIES
            .iter()
            .map(|(code, name)| Entry {
                code,
                label: *name,
                attributes: vec![("eea", EEA.contains(code).to_string())],
            })
            .collect(),
        "eea" => EEA
            .iter()
            .map(|code| Entry {
                code,
                label: Country::parse(code)
                    .map(Country::name)
                    .unwrap_or(Text::new(code, code, code)),
                attributes: Vec::new(),
            })
            .collect(),
        "languages" => vec![
            Entry {
                code: "nb",
                label: Text::new("Bokmål", "Bokmål", "Norwegian Bokmål"),
                attributes: Vec::new(),
            },
            Entry {
                code: "nn",
                label: Text::new("Nynorsk", "Nynorsk", "Norwegian Nynorsk"),
                attributes: Vec::new(),
            },
            Entry {
                code: "en",
                label: Text::new("Engelsk", "Engelsk", "English"),
                attributes: Vec::new(),
            },
        ],
        _ => return None,
    };
    let name = LIST_NAMES.iter().find(|n| **n == name)?;
    Some(CodeList { name, entries })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_schema_of_each_code_list_is_its_wire_codes() {
        fn check<T: utoipa::PartialSchema + Serialize>(all: &[T]) {
            let schema = serde_json::to_value(T::schema()).unwrap();
            let wire: Vec<serde_json::Value> = all
                .iter()
                .map(|c| serde_json::to_value(c).unwrap())
                .collect();
            assert_eq!(schema["enum"], serde_json::Value::Array(wire));
            assert_eq!(schema["type"], "string");
            assert!(
                schema["description"]
                    .as_str()
                    .is_some_and(|d| !d.is_empty())
            );
        }
        check(Law::ALL);
        check(LegalGround::ALL);
        check(RegistrationKind::ALL);
        check(SensitiveCategory::ALL);
        check(Sector::ALL);
        check(Purpose::ALL);
        check(ProcessorRole::ALL);
        check(TransferBasis::ALL);
        check(ResearchConsent::ALL);
        check(IdentifierScheme::ALL);
    }

    /// The bokmål labels of the spec's code lists, word for word, read from
    /// `code-lists.md` when the shared folder is beside the checkout.
    fn spec_rows() -> Option<Vec<(String, String)>> {
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/spec/code-lists.md");
        let text = std::fs::read_to_string(path).ok()?;
        let mut rows = Vec::new();
        for line in text.lines() {
            let cells: Vec<_> = line.split('|').map(str::trim).collect();
            // | `code` | nb | ... or | law | `ground` | nb | ...
            if cells.len() < 4 {
                continue;
            }
            let code_cell = cells
                .iter()
                .position(|c| c.starts_with('`') && c.ends_with('`') && c.len() > 2);
            let Some(i) = code_cell else { continue };
            // In the law table the first code is the law and the second the ground.
            let (i, code) = match cells.get(i + 1) {
                Some(next) if next.starts_with('`') => (i + 1, next.trim_matches('`')),
                _ => (i, cells[i].trim_matches('`')),
            };
            rows.push((code.to_owned(), cells[i + 1].to_owned()));
        }
        Some(rows)
    }

    /// The same labels, written here too so the test runs without the spec.
    const FORM_LABELS: &[(&str, &str)] = &[
        ("central_government", "Statlig"),
        ("county_or_municipal", "Fylkeskommunal/kommunal"),
        ("private", "Privat"),
        ("cctv", "Fjernsynsovervåkning"),
        ("health_services", "Helsetjenester"),
        ("access_control", "Adgangskontroll"),
        ("health_administration", "Helseforvaltning"),
        ("client_administration", "Klient/kundeadministrasjon"),
        ("research", "Forskning (spesifiser i punkt 6d)"),
        ("marketing", "Adressering/markedsføring"),
        (
            "statutory_public",
            "Lovpålagt behandling for stat/kommune/fylkeskommune (spesifiser lovhjemmel i punkt 6c)",
        ),
        ("personnel_administration", "Personaladministrasjon"),
        (
            "other_public",
            "Annen behandling i det offentlige (spesifiser i punkt 6c)",
        ),
        ("insurance", "Forsikringstjenester"),
        ("financial_services", "Finansielle tjenester"),
        ("debt_collection", "Inkasso"),
        (
            "other_private",
            "Annen behandling i det private (spesifiser i punkt 6c)",
        ),
    ];

    fn our_label(code: &str) -> Option<&'static str> {
        Sector::parse(code)
            .map(|s| s.label().nb)
            .or_else(|| Purpose::parse(code).map(|p| p.label().nb))
            .or_else(|| LegalGround::parse(code).map(|g| g.label().nb))
            .or_else(|| SensitiveCategory::parse(code).map(|c| c.label().nb))
    }

    #[test]
    fn bokmal_labels_are_the_forms_word_for_word() {
        for (code, label) in FORM_LABELS {
            assert_eq!(our_label(code), Some(*label), "label of {code}");
        }
        assert_eq!(Purpose::ALL.len(), 14, "fourteen purposes");
        let order: Vec<_> = Purpose::ALL.iter().map(|p| p.code()).collect();
        let form_order: Vec<_> = FORM_LABELS[3..].iter().map(|(c, _)| *c).collect();
        assert_eq!(order, form_order, "purposes in the form's order");
    }

    #[test]
    fn bokmal_labels_match_the_spec_file() {
        let Some(rows) = spec_rows() else {
            // The spec lives outside the repository; FORM_LABELS covers it then.
            return;
        };
        let mut checked = 0;
        for (code, nb) in rows {
            if let Some(ours) = our_label(&code) {
                assert_eq!(ours, nb, "bokmål label of {code} in code-lists.md");
                checked += 1;
            }
        }
        // 3 sectors, 14 purposes, 6 grounds, 6 sensitive categories.
        assert_eq!(checked, 29, "every labelled code of the spec was compared");
    }

    #[test]
    fn every_code_round_trips_and_has_three_labels() {
        for name in LIST_NAMES {
            let list = code_list(name).expect(name);
            assert!(!list.entries.is_empty(), "{name}");
            for entry in &list.entries {
                for text in [entry.label.nb, entry.label.nn, entry.label.en] {
                    assert!(!text.is_empty(), "{name}/{}", entry.code);
                }
            }
        }
        for p in Purpose::ALL {
            assert_eq!(Purpose::parse(p.code()), Some(*p));
            assert_eq!(serde_json::to_value(p).unwrap(), p.code());
        }
        assert!(code_list("nope").is_none());
    }

    #[test]
    fn every_legal_ground_belongs_to_one_law() {
        let personal: Vec<_> = LegalGround::ALL
            .iter()
            .filter(|g| g.law() == Law::Personopplysningsloven)
            .map(|g| g.code())
            .collect();
        assert_eq!(
            personal,
            ["notification_duty", "unauthorised_health_personnel"]
        );
        assert_eq!(LegalGround::ALL.len(), 6);
    }

    #[test]
    fn the_eea_is_thirty_known_countries() {
        assert_eq!(EEA.len(), 30);
        for code in EEA {
            assert!(Country::parse(code).is_some_and(Country::in_eea), "{code}");
        }
        for outside in ["US", "GB", "CH", "CN"] {
            assert!(!Country::parse(outside).unwrap().in_eea(), "{outside}");
        }
        assert_eq!(Country::parse("NO").unwrap().name().nn, "Noreg");
        assert!(Country::parse("XX").is_none());
        assert!(Country::parse("no").is_none(), "codes are upper case");
        assert_eq!(super::COUNTRIES.len(), 249);
        assert!(
            super::COUNTRIES.windows(2).all(|w| w[0].0 < w[1].0),
            "sorted, for binary search"
        );
    }
}
