//! The catalogue of rule messages, one text per code in bokmål, nynorsk
//! and English. `{name}` placeholders are filled from the violation's
//! arguments.

use super::i18n::{Lang, Text};

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
            "Teksten inneholder et tegn som ikke er tillatt her (linjeskift eller et annet kontrolltegn).",
            "Teksten inneheld eit teikn som ikkje er tillate her (linjeskift eller eit anna kontrollteikn).",
            "The text contains a character not allowed here (a line break or another control character).",
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
        _ => Text::new(
            "Verdien er ikke gyldig.",
            "Verdien er ikkje gyldig.",
            "The value is not valid.",
        ),
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_its_own_text_in_three_languages() {
        let fallback = text("no such code");
        for code in CODES {
            let t = text(code);
            assert_ne!(t, fallback, "{code} has a text");
            assert!(t.nb != t.en && t.nn != t.en, "{code} is translated");
        }
    }

    #[test]
    fn placeholders_are_filled() {
        let m = render("too_long", Lang::En, &[("max", "200".into())]);
        assert_eq!(m, "The text must not be longer than 200 characters.");
    }
}
