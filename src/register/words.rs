//! The words of the register's web page, in bokmål, nynorsk and English.

use chrono::NaiveDate;

use crate::domain::i18n::{Lang, Text};

/// The site's name, in the header of every page.
pub const SITE: Text = Text::new(
    "Fortegnelsen over meldte behandlinger",
    "Fortegnelsen over melde behandlingar",
    "Register of notified processing",
);

pub const AUTHORITY: Text = Text::new("Datatilsynet", "Datatilsynet", "Datatilsynet");

pub const SKIP: Text = Text::new(
    "Hopp til hovedinnholdet",
    "Hopp til hovudinnhaldet",
    "Skip to main content",
);

/// The label of the language links.
pub const LANGUAGE: Text = Text::new("Språk", "Språk", "Language");

/// The search page's heading.
pub const SEARCH_TITLE: Text = Text::new(
    "Søk i fortegnelsen",
    "Søk i fortegnelsen",
    "Search the register",
);

pub const INTRO: Text = Text::new(
    "Fortegnelsen viser alle gjeldende meldinger om behandling av personopplysninger til Datatilsynet, slik de sist ble bekreftet. Kontaktopplysninger vises ikke.",
    "Fortegnelsen viser alle gjeldande meldingar om behandling av personopplysningar til Datatilsynet, slik dei sist vart stadfesta. Kontaktopplysningar blir ikkje viste.",
    "The register shows every valid notification of processing of personal data to the Norwegian Data Protection Authority, as last confirmed. Contact details are not shown.",
);

pub const Q: Text = Text::new(
    "Navn eller organisasjonsnummer",
    "Namn eller organisasjonsnummer",
    "Name or organisation number",
);

pub const Q_HINT: Text = Text::new(
    "Behandlingsansvarlig, representant eller databehandler. Starten av et ord er nok.",
    "Behandlingsansvarleg, representant eller databehandlar. Starten av eit ord er nok.",
    "Controller, representative or processor. The start of a word is enough.",
);

pub const FILTERS: Text = Text::new("Avgrens søket", "Avgrens søket", "Narrow the search");

pub const LAW: Text = Text::new("Lov", "Lov", "Law");
pub const LEGAL_GROUND: Text = Text::new("Rettslig grunnlag", "Rettsleg grunnlag", "Legal ground");
pub const SECTOR: Text = Text::new("Sektor", "Sektor", "Sector");
pub const PURPOSE: Text = Text::new("Formål", "Formål", "Purpose");
pub const TRANSFERS: Text = Text::new(
    "Overføring til land utenfor EØS",
    "Overføring til land utanfor EØS",
    "Transfers to countries outside the EEA",
);
pub const REGISTERED_FROM: Text = Text::new(
    "Først registrert fra og med",
    "Først registrert frå og med",
    "First registered on or after",
);
pub const REGISTERED_TO: Text = Text::new(
    "Først registrert til og med",
    "Først registrert til og med",
    "First registered on or before",
);
pub const LIMIT: Text = Text::new("Treff per side", "Treff per side", "Results per page");
pub const CURSOR: Text = Text::new("Side", "Side", "Page");

/// The choice of a select that filters nothing.
pub const ANY: Text = Text::new("Alle", "Alle", "Any");
pub const YES: Text = Text::new("Ja", "Ja", "Yes");
pub const NO: Text = Text::new("Nei", "Nei", "No");

pub const SEARCH: Text = Text::new("Søk", "Søk", "Search");

pub const NEWEST_FIRST: Text = Text::new(
    "Nyeste registreringer først.",
    "Nyaste registreringar først.",
    "Newest registrations first.",
);
pub const BEST_FIRST: Text = Text::new(
    "Beste treff først.",
    "Beste treff først.",
    "Best matches first.",
);

pub const NO_RESULTS: Text = Text::new(
    "Ingen meldinger passer til søket. Prøv færre ord eller færre avgrensninger.",
    "Ingen meldingar passar til søket. Prøv færre ord eller færre avgrensingar.",
    "No notification matches the search. Try fewer words or fewer filters.",
);

pub const PAGES: Text = Text::new("Sider", "Sider", "Pages");
pub const NEXT: Text = Text::new("Neste side", "Neste side", "Next page");
pub const FIRST_PAGE: Text = Text::new("Første side", "Første side", "First page");

/// Above the fields that could not be read.
pub const ERRORS: Text = Text::new(
    "Søket kunne ikke utføres",
    "Søket kunne ikkje utførast",
    "The search could not be run",
);
/// Before the title of a page that shows an error.
pub const ERROR: Text = Text::new("Feil", "Feil", "Error");
pub const DUPLICATE: Text = Text::new(
    "{name} er oppgitt mer enn én gang",
    "{name} er oppgjeven meir enn éin gong",
    "{name} is given more than once",
);
pub const QUERY_UNREADABLE: Text = Text::new(
    "Adressen kunne ikke leses",
    "Adressa kunne ikkje lesast",
    "The address could not be read",
);

// One entry.

pub const NUMBER: Text = Text::new("Meldingsnummer", "Meldingsnummer", "Notification number");
pub const CONTROLLER: Text =
    Text::new("Behandlingsansvarlig", "Behandlingsansvarleg", "Controller");
pub const NAME: Text = Text::new("Navn", "Namn", "Name");
pub const IDENTIFIER: Text = Text::new("Identifikator", "Identifikator", "Identifier");
pub const REPRESENTATIVE: Text = Text::new("Representant", "Representant", "Representative");
pub const PROCESSING: Text = Text::new("Behandlingen", "Behandlinga", "The processing");
pub const RESEARCH_AREA: Text = Text::new("Forskningsområde", "Forskingsområde", "Research area");
pub const DATES: Text = Text::new("Datoer", "Datoar", "Dates");
pub const START: Text = Text::new("Oppstart", "Oppstart", "Start date");
pub const FIRST_REGISTERED: Text =
    Text::new("Først registrert", "Først registrert", "First registered");
pub const LAST_CONFIRMED: Text = Text::new("Sist bekreftet", "Sist stadfesta", "Last confirmed");
pub const EXPIRES: Text = Text::new("Utløper", "Går ut", "Expires");
pub const VERSION: Text = Text::new("Versjon", "Versjon", "Version");
pub const PROCESSORS_AND_TRANSFERS: Text = Text::new(
    "Databehandlere og overføringer",
    "Databehandlarar og overføringar",
    "Processors and transfers",
);
pub const PROCESSORS: Text = Text::new("Databehandlere", "Databehandlarar", "Processors");
pub const TRANSFER_COUNTRIES: Text = Text::new(
    "Land utenfor EØS",
    "Land utanfor EØS",
    "Countries outside the EEA",
);
pub const NONE: Text = Text::new("Ingen", "Ingen", "None");
pub const BACK: Text = Text::new("Til søket", "Til søket", "Back to the search");

// Pages that say something went wrong.

pub const NOT_FOUND_TITLE: Text = Text::new(
    "Finnes ikke i fortegnelsen",
    "Finst ikkje i fortegnelsen",
    "Not in the register",
);
pub const NOT_FOUND_HELP: Text = Text::new(
    "Ingen gjeldende melding har denne adressen. En melding vises først når den er bekreftet, og ikke lenger når den er trukket tilbake eller har utløpt.",
    "Inga gjeldande melding har denne adressa. Ei melding blir vist først når ho er stadfesta, og ikkje lenger når ho er trekt tilbake eller har gått ut.",
    "No valid notification has this address. A notification is shown once it is confirmed, and no longer once it is withdrawn or has expired.",
);
pub const TOO_MANY_TITLE: Text = Text::new(
    "For mange forespørsler",
    "For mange førespurnader",
    "Too many requests",
);
pub const TOO_MANY_HELP: Text = Text::new(
    "Det har kommet mange forespørsler fra din adresse på kort tid. Vent litt og prøv igjen.",
    "Det har kome mange førespurnader frå adressa di på kort tid. Vent litt og prøv igjen.",
    "Many requests came from your address in a short time. Wait a moment and try again.",
);
pub const UNAVAILABLE_TITLE: Text = Text::new(
    "Fortegnelsen er ikke tilgjengelig akkurat nå",
    "Fortegnelsen er ikkje tilgjengeleg akkurat no",
    "The register is not available right now",
);
pub const FAILED_TITLE: Text =
    Text::new("Noe gikk galt", "Noko gjekk gale", "Something went wrong");
pub const TRY_AGAIN: Text = Text::new(
    "Prøv igjen om litt.",
    "Prøv igjen om litt.",
    "Try again in a moment.",
);

// The footer.

pub const ACCESSIBILITY: Text = Text::new(
    "Tilgjengelighetserklæring",
    "Tilgjengelegheitserklæring",
    "Accessibility statement",
);
pub const DOWNLOAD: Text = Text::new(
    "Last ned fortegnelsen (CSV)",
    "Last ned fortegnelsen (CSV)",
    "Download the register (CSV)",
);
pub const API: Text = Text::new(
    "API for utviklere",
    "API for utviklarar",
    "API for developers",
);

// The accessibility statement.

pub const A11Y_SCOPE: Text = Text::new(
    "Denne erklæringen gjelder nettsidene til fortegnelsen: søket og sidene for hver melding.",
    "Denne erklæringa gjeld nettsidene til fortegnelsen: søket og sidene for kvar melding.",
    "This statement covers the web pages of the register: the search and the page of each notification.",
);
pub const A11Y_STATUS_TITLE: Text = Text::new("Status", "Status", "Status");
pub const A11Y_STATUS: Text = Text::new(
    "Sidene er laget for å oppfylle kravene i WCAG 2.1 på nivå A og AA, som forskrift om universell utforming av IKT-løsninger viser til. Vi kjenner ikke til brudd på kravene.",
    "Sidene er laga for å oppfylle krava i WCAG 2.1 på nivå A og AA, som forskrift om universell utforming av IKT-løysingar viser til. Vi kjenner ikkje til brot på krava.",
    "The pages are made to meet the requirements of WCAG 2.1 at levels A and AA, to which the Norwegian regulation on universal design of ICT refers. We know of no breach of them.",
);
pub const A11Y_HOW_TITLE: Text = Text::new(
    "Slik er sidene laget og prøvd",
    "Slik er sidene laga og prøvde",
    "How the pages are made and tested",
);
pub const A11Y_HOW: [Text; 3] = [
    Text::new(
        "Sidene virker uten JavaScript, og søket er et vanlig skjema der hvert felt har en synlig ledetekst. En lenke øverst hopper rett til innholdet, og fokus vises tydelig når du bruker tastaturet.",
        "Sidene verkar utan JavaScript, og søket er eit vanleg skjema der kvart felt har ein synleg leietekst. Ei lenkje øvst hoppar rett til innhaldet, og fokus blir vist tydeleg når du brukar tastaturet.",
        "The pages work without JavaScript, and the search is a plain form in which every field has a visible label. A link at the top skips straight to the content, and focus is clearly shown when you use the keyboard.",
    ),
    Text::new(
        "Sidene tilpasser seg smale skjermer og forstørring uten at du må rulle sidelengs, og teksten har god kontrast mot bakgrunnen.",
        "Sidene tilpassar seg smale skjermar og forstørring utan at du må rulle sidelengs, og teksten har god kontrast mot bakgrunnen.",
        "The pages fit narrow screens and magnification without scrolling sideways, and the text contrasts well with its background.",
    ),
    Text::new(
        "Hver endring av tjenesten prøves automatisk i en nettleser med axe-core, på bokmål, nynorsk og engelsk, i full bredde og i mobilbredde, og skjemaet prøves med JavaScript slått av.",
        "Kvar endring av tenesta blir prøvd automatisk i ein nettlesar med axe-core, på bokmål, nynorsk og engelsk, i full breidd og i mobilbreidd, og skjemaet blir prøvd med JavaScript slått av.",
        "Every change of the service is tested automatically in a browser with axe-core, in bokmål, nynorsk and English, at full width and at phone width, and the form is tested with JavaScript turned off.",
    ),
];
pub const A11Y_FEEDBACK_TITLE: Text = Text::new(
    "Si fra om feil",
    "Sei frå om feil",
    "Tell us about a problem",
);
pub const A11Y_FEEDBACK: Text = Text::new(
    "Finner du noe som ikke virker for deg, skriv til oss:",
    "Finn du noko som ikkje verkar for deg, skriv til oss:",
    "If you find something that does not work for you, write to us:",
);
pub const A11Y_ENFORCEMENT: Text = Text::new(
    "Får du ikke svar, eller er du ikke fornøyd med svaret, kan du klage til Tilsynet for universell utforming av ikt:",
    "Får du ikkje svar, eller er du ikkje nøgd med svaret, kan du klage til Tilsynet for universell utforming av ikt:",
    "If you get no answer, or are not satisfied with it, you can complain to the Norwegian Authority for Universal Design of ICT:",
);

/// "N treff": how many entries match, `capped` when there are more than
/// `n`.
pub fn hits(n: i64, capped: bool, lang: Lang) -> String {
    let number = grouped(n, lang);
    match (lang, capped) {
        (Lang::En, true) => format!("More than {number} results"),
        (Lang::En, false) if n == 1 => "1 result".to_owned(),
        (Lang::En, false) => format!("{number} results"),
        (_, true) => format!("Mer enn {number} treff"),
        (_, false) => format!("{number} treff"),
    }
}

/// A whole number with its thousands grouped as the language writes them.
fn grouped(n: i64, lang: Lang) -> String {
    let separator = if lang == Lang::En { ',' } else { '\u{a0}' };
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(separator);
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

/// A date as the language writes it: 23.11.2026, or 23 November 2026.
pub fn date(d: NaiveDate, lang: Lang) -> String {
    match lang {
        Lang::En => d.format("%-d %B %Y").to_string(),
        _ => d.format("%d.%m.%Y").to_string(),
    }
}

/// Yes or no.
pub fn yes_no(value: bool) -> Text {
    if value { YES } else { NO }
}

/// The language's own name, for the language links.
pub fn language_name(lang: Lang) -> &'static str {
    match lang {
        Lang::Nb => "Bokmål",
        Lang::Nn => "Nynorsk",
        Lang::En => "English",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_dates_read_as_each_language_writes_them() {
        assert_eq!(hits(1, false, Lang::En), "1 result");
        assert_eq!(hits(12, false, Lang::En), "12 results");
        assert_eq!(hits(1000, true, Lang::En), "More than 1,000 results");
        assert_eq!(hits(1000, true, Lang::Nb), "Mer enn 1\u{a0}000 treff");
        assert_eq!(hits(0, false, Lang::Nn), "0 treff");
        assert_eq!(grouped(1_234_567, Lang::En), "1,234,567");
        assert_eq!(grouped(999, Lang::Nb), "999");
        let d = NaiveDate::from_ymd_opt(2026, 3, 7).unwrap();
        assert_eq!(date(d, Lang::Nb), "07.03.2026");
        assert_eq!(date(d, Lang::En), "7 March 2026");
    }
}
