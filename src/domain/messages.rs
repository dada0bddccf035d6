//! The catalogue of rule messages, one text per code in bokmål, nynorsk
//! and English. `{name}` placeholders are filled from the violation's
//! arguments. The API's own texts (the details of problems, the messages
//! of fields that could not be read) are in [`super::problem_texts`]; both
//! are looked up here, by [`text`], and said with [`Say`].

use std::fmt;

use super::i18n::{Lang, Text};
use super::problem_texts;

/// The message of a rule code.
pub fn text(code: &str) -> Text {
    match code {
        "required" => Text::new(
            "Feltet må fylles ut.",
            "Feltet må fyllast ut.",
            "This field is required.",
        ),
        "too_long" => Text::new(
            "Teksten kan ikke være lengre enn {max} tegn.",
            "Teksten kan ikkje vere lengre enn {max} teikn.",
            "The text must not be longer than {max} characters.",
        ),
        "too_many" => Text::new(
            "Listen kan ha høyst {max} elementer.",
            "Lista kan ha høgst {max} element.",
            "The list may have at most {max} items.",
        ),
        "invalid_characters" => Text::new(
            "Teksten inneholder et tegn som ikke er tillatt her (linjeskift, et annet kontrolltegn eller et usynlig formateringstegn).",
            "Teksten inneheld eit teikn som ikkje er tillate her (linjeskift, eit anna kontrollteikn eller eit usynleg formateringsteikn).",
            "The text contains a character not allowed here (a line break, another control character or an invisible formatting character).",
        ),
        "unknown_code" => Text::new(
            "«{value}» er ikke en gyldig kode her. Gyldige koder: {allowed}.",
            "«{value}» er ikkje ein gyldig kode her. Gyldige kodar: {allowed}.",
            "\"{value}\" is not a valid code here. Valid codes: {allowed}.",
        ),
        "unknown_country" => Text::new(
            "«{value}» er ikke en landkode etter ISO 3166-1 alfa-2 (for eksempel NO).",
            "«{value}» er ikkje ein landkode etter ISO 3166-1 alfa-2 (til dømes NO).",
            "\"{value}\" is not an ISO 3166-1 alpha-2 country code (such as NO).",
        ),
        "duplicate" => Text::new(
            "«{value}» står mer enn én gang.",
            "«{value}» står meir enn éin gong.",
            "\"{value}\" is listed more than once.",
        ),
        "invalid_date" => Text::new(
            "Datoen må skrives ÅÅÅÅ-MM-DD og finnes i kalenderen.",
            "Datoen må skrivast ÅÅÅÅ-MM-DD og finnast i kalenderen.",
            "The date must be written YYYY-MM-DD and exist in the calendar.",
        ),
        "legal_ground_not_in_law" => Text::new(
            "Grunnlaget «{value}» hører til {law}, ikke til den valgte loven.",
            "Grunnlaget «{value}» høyrer til {law}, ikkje til den valde lova.",
            "The legal ground \"{value}\" belongs to {law}, not to the chosen law.",
        ),
        "previous_number_without_re_registration" => Text::new(
            "Nummeret på meldingen som fornyes, oppgis bare ved ny registrering.",
            "Nummeret på meldinga som blir fornya, skal berre oppgjevast ved ny registrering.",
            "The number of the notification being renewed is given only with a re-registration.",
        ),
        "invalid_number" => Text::new(
            "Et meldingsnummer skrives som år og løpenummer, for eksempel 2026-000123.",
            "Eit meldingsnummer blir skrive som år og løpenummer, til dømes 2026-000123.",
            "A notification number is a year and a sequence, such as 2026-000123.",
        ),
        "start_date_in_past" => Text::new(
            "Oppstart kan ikke ligge før dagens dato ({today}). Er behandlingen allerede startet, oppgir du dagens dato.",
            "Oppstart kan ikkje liggje før dagens dato ({today}). Er behandlinga allereie starta, oppgjev du dagens dato.",
            "The start cannot be before today ({today}). If the processing has already started, give today's date.",
        ),
        "start_within_30_days" => Text::new(
            "Meldingen bør komme fram til Datatilsynet 30 dager før behandlingen starter.",
            "Meldinga bør kome fram til Datatilsynet 30 dagar før behandlinga startar.",
            "The notification should reach the authority 30 days before the processing starts.",
        ),
        "manual_register_without_sensitive_data" => Text::new(
            "Et manuelt personregister uten sensitive personopplysninger er ikke meldepliktig.",
            "Eit manuelt personregister utan sensitive personopplysningar er ikkje meldepliktig.",
            "A manual register without sensitive personal data does not need to be notified.",
        ),
        "licence_may_be_required" => Text::new(
            "Behandling av sensitive personopplysninger utenfor helsegrunnlagene kan kreve konsesjon; konsesjonspliktig behandling meldes ikke her.",
            "Behandling av sensitive personopplysningar utanfor helsegrunnlaga kan krevje konsesjon; konsesjonspliktig behandling blir ikkje meld her.",
            "Processing sensitive personal data outside the health grounds may need a licence; processing that needs a licence is not notified here.",
        ),
        "orgnr_format" => Text::new(
            "Et organisasjonsnummer har ni sifre.",
            "Eit organisasjonsnummer har ni siffer.",
            "An organisation number has nine digits.",
        ),
        "orgnr_checksum" => Text::new(
            "Organisasjonsnummeret er ikke gyldig (kontrollsifferet stemmer ikke).",
            "Organisasjonsnummeret er ikkje gyldig (kontrollsifferet stemmer ikkje).",
            "The organisation number is not valid (the check digit does not match).",
        ),
        "lei_format" => Text::new(
            "En LEI har 20 tegn, A–Z og 0–9, og slutter med to kontrollsifre.",
            "Ein LEI har 20 teikn, A–Z og 0–9, og sluttar med to kontrollsiffer.",
            "A LEI has 20 characters, A-Z and 0-9, ending in two check digits.",
        ),
        "lei_checksum" => Text::new(
            "LEI-en er ikke gyldig (kontrollsifrene stemmer ikke).",
            "LEI-en er ikkje gyldig (kontrollsifra stemmer ikkje).",
            "The LEI is not valid (the check digits do not match).",
        ),
        "vat_format" => Text::new(
            "Et MVA-nummer i EU starter med landets to bokstaver, fulgt av 2–13 bokstaver eller sifre.",
            "Eit MVA-nummer i EU startar med dei to bokstavane til landet, følgde av 2–13 bokstavar eller siffer.",
            "An EU VAT number starts with the country's two letters, followed by 2 to 13 letters or digits.",
        ),
        "euid_format" => Text::new(
            "En EUID skrives som land og registerkode, punktum og nummeret i registeret.",
            "Ein EUID blir skriven som land og registerkode, punktum og nummeret i registeret.",
            "An EUID is the country and register code, a dot, and the number in that register.",
        ),
        "norwegian_controller_needs_orgnr" => Text::new(
            "En behandlingsansvarlig i Norge må oppgis med norsk organisasjonsnummer.",
            "Ein behandlingsansvarleg i Noreg må oppgjevast med norsk organisasjonsnummer.",
            "A controller in Norway must be identified by its Norwegian organisation number.",
        ),
        "invalid_phone" => Text::new(
            "Telefonnummeret kan bare inneholde sifre, mellomrom og en innledende +.",
            "Telefonnummeret kan berre innehalde siffer, mellomrom og ein innleiande +.",
            "The phone number may hold only digits, spaces and a leading +.",
        ),
        "invalid_postal_code" => Text::new(
            "Et norsk postnummer har fire sifre.",
            "Eit norsk postnummer har fire siffer.",
            "A Norwegian postal code has four digits.",
        ),
        "representative_required_outside_eea" => Text::new(
            "En behandlingsansvarlig som ikke er etablert i Norge eller EØS, må oppgi en representant.",
            "Ein behandlingsansvarleg som ikkje er etablert i Noreg eller EØS, må oppgje ein representant.",
            "A controller not established in Norway or the EEA must name a representative.",
        ),
        "representative_outside_eea" => Text::new(
            "Representanten må være etablert i Norge eller EØS.",
            "Representanten må vere etablert i Noreg eller EØS.",
            "The representative must be established in Norway or the EEA.",
        ),
        "representative_not_allowed" => Text::new(
            "Bare en behandlingsansvarlig utenfor Norge og EØS oppgir representant.",
            "Berre ein behandlingsansvarleg utanfor Noreg og EØS oppgjev representant.",
            "Only a controller outside Norway and the EEA names a representative.",
        ),
        "research_area_without_research" => Text::new(
            "Et forskningsområde kan bare oppgis når formålet er forskning.",
            "Eit forskingsområde kan berre oppgjevast når formålet er forsking.",
            "A research area can be given only when the purpose is research.",
        ),
        "research_area_is_research" => Text::new(
            "Forskningsområdet må være et annet formål enn forskning.",
            "Forskingsområdet må vere eit anna formål enn forsking.",
            "The research area must be a purpose other than research.",
        ),
        "description_required" => Text::new(
            "Formålet må spesifiseres i beskrivelsen (punkt 6c).",
            "Formålet må spesifiserast i skildringa (punkt 6c).",
            "The purpose must be specified in the description (6c).",
        ),
        "purpose_needs_public_sector" => Text::new(
            "Formålet gjelder offentlig sektor; velg statlig eller fylkeskommunal/kommunal sektor.",
            "Formålet gjeld offentleg sektor; vel statleg eller fylkeskommunal/kommunal sektor.",
            "The purpose concerns the public sector; choose central government or county or municipal.",
        ),
        "purpose_needs_private_sector" => Text::new(
            "Formålet gjelder privat sektor; velg privat sektor.",
            "Formålet gjeld privat sektor; vel privat sektor.",
            "The purpose concerns the private sector; choose private.",
        ),
        "research_required" => Text::new(
            "Når formålet er forskning, må samtykke, prosjektavslutning og prosjekttittel oppgis (punkt 6d).",
            "Når formålet er forsking, må samtykke, prosjektavslutning og prosjekttittel oppgjevast (punkt 6d).",
            "When the purpose is research, consent, project end and project title must be given (6d).",
        ),
        "research_without_research_purpose" => Text::new(
            "Opplysninger om forskning oppgis bare når formålet er forskning.",
            "Opplysningar om forsking blir berre oppgjevne når formålet er forsking.",
            "Research details are given only when the purpose is research.",
        ),
        "project_end_before_start" => Text::new(
            "Prosjektavslutningen må ligge etter oppstart ({start}).",
            "Prosjektavslutninga må liggje etter oppstart ({start}).",
            "The project must end after the start ({start}).",
        ),
        "transfer_within_eea" => Text::new(
            "{value} er i EØS; bare overføringer ut av EØS oppgis.",
            "{value} er i EØS; berre overføringar ut av EØS blir oppgjevne.",
            "{value} is in the EEA; only transfers out of the EEA are listed.",
        ),
        "exception_required" => Text::new(
            "Oppgi hvilket unntak etter § 30 overføringen bygger på.",
            "Oppgje kva unntak etter § 30 overføringa byggjer på.",
            "Name the exception under s. 30 that the transfer relies on.",
        ),
        "exception_not_allowed" => Text::new(
            "Tekst om unntak oppgis bare for «annet unntak etter § 30».",
            "Tekst om unntak blir berre oppgjeven for «anna unntak etter § 30».",
            "An exception text is given only with \"other exception under s. 30\".",
        ),
        "invalid_email" => Text::new(
            "E-postadressen er ikke gyldig.",
            "E-postadressa er ikkje gyldig.",
            "The e-mail address is not valid.",
        ),
        "patient_journal_exists" => Text::new(
            "Virksomheten har allerede meldt pasientjournal ({number}); endre den meldingen i stedet.",
            "Verksemda har alt meldt pasientjournal ({number}); endre den meldinga i staden.",
            "The organisation has already notified its patient journal ({number}); amend that notification instead.",
        ),
        "password_too_short" => Text::new(
            "Passordet må ha minst {min} tegn.",
            "Passordet må ha minst {min} teikn.",
            "The password must have at least {min} characters.",
        ),
        "password_too_long" => Text::new(
            "Passordet kan ikke være lengre enn {max} byte.",
            "Passordet kan ikkje vere lengre enn {max} byte.",
            "The password must not be longer than {max} bytes.",
        ),
        "password_is_email" => Text::new(
            "Passordet kan ikke være e-postadressen.",
            "Passordet kan ikkje vere e-postadressa.",
            "The password must not be the e-mail address.",
        ),
        "previous_number_unknown" => Text::new(
            "Virksomheten har ingen registrert eller utløpt melding {number} som kan fornyes.",
            "Verksemda har inga registrert eller utgått melding {number} som kan fornyast.",
            "The organisation has no registered or expired notification {number} to renew.",
        ),
        "key_format" => Text::new(
            "En meldingsnøkkel har 16 tegn i fire grupper, for eksempel 7K3M-Q9ZD-R2XW-4H8Z.",
            "Ein meldingsnøkkel har 16 teikn i fire grupper, til dømes 7K3M-Q9ZD-R2XW-4H8Z.",
            "A notification key has 16 characters in four groups, such as 7K3M-Q9ZD-R2XW-4H8Z.",
        ),
        "key_mistyped" => Text::new(
            "Meldingsnøkkelen er skrevet feil: kontroller tegnene mot kvitteringen.",
            "Meldingsnøkkelen er skriven feil: kontroller teikna mot kvitteringa.",
            "The notification key is mistyped: check the characters against the receipt.",
        ),
        other => problem_texts::text(other).unwrap_or(FALLBACK),
    }
}

/// The text of a code that no catalogue knows.
const FALLBACK: Text = Text::new(
    "Verdien er ikke gyldig.",
    "Verdien er ikkje gyldig.",
    "The value is not valid.",
);

/// Every code the catalogue knows, for tests that each has its text.
pub const CODES: &[&str] = &[
    "required",
    "too_long",
    "too_many",
    "invalid_characters",
    "unknown_code",
    "unknown_country",
    "duplicate",
    "invalid_date",
    "legal_ground_not_in_law",
    "previous_number_without_re_registration",
    "invalid_number",
    "start_date_in_past",
    "start_within_30_days",
    "manual_register_without_sensitive_data",
    "licence_may_be_required",
    "orgnr_format",
    "orgnr_checksum",
    "lei_format",
    "lei_checksum",
    "vat_format",
    "euid_format",
    "norwegian_controller_needs_orgnr",
    "invalid_phone",
    "invalid_postal_code",
    "representative_required_outside_eea",
    "representative_outside_eea",
    "representative_not_allowed",
    "research_area_without_research",
    "research_area_is_research",
    "description_required",
    "purpose_needs_public_sector",
    "purpose_needs_private_sector",
    "research_required",
    "research_without_research_purpose",
    "project_end_before_start",
    "transfer_within_eea",
    "exception_required",
    "exception_not_allowed",
    "invalid_email",
    "patient_journal_exists",
    "password_too_short",
    "password_too_long",
    "password_is_email",
    "previous_number_unknown",
    "key_format",
    "key_mistyped",
];

/// Fills `{name}` placeholders.
pub fn render(code: &str, lang: Lang, args: &[(&'static str, String)]) -> String {
    let mut message = text(code).get(lang).to_owned();
    for (name, value) in args {
        message = message.replace(&format!("{{{name}}}"), value);
    }
    message
}

/// Something to say in the language of whoever asks, which is not known
/// where it is decided: a catalogue key and the values of its
/// placeholders. Problem details and field messages are kept as this until
/// the response is rendered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Say {
    /// The key of the text in the catalogue.
    pub key: &'static str,
    /// Values for the text's placeholders.
    pub args: Vec<(&'static str, Arg)>,
}

/// The value of a placeholder: as it is (a number, a name, a code), or
/// words of its own in the three languages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arg {
    Plain(String),
    Words(Text),
}

impl Say {
    pub fn new(key: &'static str) -> Self {
        Self {
            key,
            args: Vec::new(),
        }
    }

    /// Fills the placeholder `{name}` with `value` as it is.
    pub fn with(mut self, name: &'static str, value: impl ToString) -> Self {
        self.args.push((name, Arg::Plain(value.to_string())));
        self
    }

    /// Fills the placeholder `{name}` with words in the language said in.
    pub fn with_words(mut self, name: &'static str, words: Text) -> Self {
        self.args.push((name, Arg::Words(words)));
        self
    }

    /// The text in `lang`, its placeholders filled.
    pub fn render(&self, lang: Lang) -> String {
        let mut message = text(self.key).get(lang).to_owned();
        for (name, value) in &self.args {
            let value = match value {
                Arg::Plain(value) => value.as_str(),
                Arg::Words(words) => words.get(lang),
            };
            message = message.replace(&format!("{{{name}}}"), value);
        }
        message
    }
}

/// In English, for logs.
impl fmt::Display for Say {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(Lang::En))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_its_own_text_in_three_languages() {
        let fallback = text("no such code");
        assert_eq!(fallback, FALLBACK);
        for code in CODES.iter().copied().chain(problem_texts::keys()) {
            let t = text(code);
            assert_ne!(t, fallback, "{code} has a text");
            assert!(t.nb != t.en && t.nn != t.en, "{code} is translated");
            assert!(
                !t.nb.is_empty() && !t.nn.is_empty() && !t.en.is_empty(),
                "{code}"
            );
        }
    }

    #[test]
    fn no_key_is_in_both_catalogues_or_twice() {
        let mut seen = std::collections::BTreeSet::new();
        for code in CODES.iter().copied().chain(problem_texts::keys()) {
            assert!(seen.insert(code), "{code} is listed twice");
        }
    }

    /// The three texts of a code have the same placeholders, but for
    /// `{error}`: the parser's own reason, in English, which only the
    /// English text quotes.
    #[test]
    fn the_three_languages_have_the_same_placeholders() {
        fn placeholders(text: &str) -> Vec<&str> {
            let mut names: Vec<&str> = text
                .split('{')
                .skip(1)
                .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
                .filter(|name| *name != "error")
                .collect();
            names.sort_unstable();
            names
        }
        for code in CODES.iter().copied().chain(problem_texts::keys()) {
            let t = text(code);
            let en = placeholders(t.en);
            let nb = placeholders(t.nb);
            let nn = placeholders(t.nn);
            assert!(nb == en && nn == en, "{code}: {nb:?} {nn:?} {en:?}");
        }
    }

    #[test]
    fn a_say_is_rendered_in_the_language_asked_for() {
        let say = Say::new("parameter_required").with("name", "grant_type");
        assert_eq!(say.render(Lang::Nb), "grant_type må oppgis");
        assert_eq!(say.render(Lang::Nn), "grant_type må oppgjevast");
        assert_eq!(say.to_string(), "grant_type is required");
        let words = Text::new("registrert", "registrert", "registered");
        let say = Say::new("nothing_to_confirm").with_words("status", words);
        assert!(say.render(Lang::En).contains("is registered"));
    }

    #[test]
    fn placeholders_are_filled() {
        let m = render("too_long", Lang::En, &[("max", "200".into())]);
        assert_eq!(m, "The text must not be longer than 200 characters.");
    }
}
