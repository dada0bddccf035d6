//! The words of the confirmation page, in bokmål, nynorsk and English.

use crate::domain::i18n::Text;

/// The page's title and heading.
pub const TITLE: Text = Text::new(
    "Bekreft melding til Datatilsynet",
    "Stadfest melding til Datatilsynet",
    "Confirm a notification to the Data Protection Authority",
);

/// Above what is confirmed.
pub const INTRO: Text = Text::new(
    "Les gjennom og bekreft. Meldingen er ikke gyldig før den er bekreftet.",
    "Les gjennom og stadfest. Meldinga er ikkje gyldig før ho er stadfesta.",
    "Read it through and confirm. It is not valid until it is confirmed.",
);

pub const NUMBER: Text = Text::new("Meldingsnummer", "Meldingsnummer", "Notification number");

pub const KIND: Text = Text::new("Gjelder", "Gjeld", "Confirms");

pub const ORGANISATION: Text = Text::new("Innsendt av", "Sendt inn av", "Submitted by");

pub const CONTROLLER: Text =
    Text::new("Behandlingsansvarlig", "Behandlingsansvarleg", "Controller");

pub const LAW: Text = Text::new("Lov og grunnlag", "Lov og grunnlag", "Law and ground");

pub const PURPOSE: Text = Text::new("Formål", "Formål", "Purpose");

pub const SECTOR: Text = Text::new("Sektor", "Sektor", "Sector");

pub const START: Text = Text::new("Oppstart", "Oppstart", "Start");

pub const EMAIL: Text = Text::new("Bekreftes fra", "Blir stadfesta frå", "Confirmed from");

/// The confirm button.
pub const BUTTON: Text = Text::new("Bekreft", "Stadfest", "Confirm");

/// After confirming.
pub const DONE: Text = Text::new(
    "Bekreftet. Her er kvitteringen.",
    "Stadfesta. Her er kvitteringa.",
    "Confirmed. Here is the receipt.",
);

pub const KEY_LABEL: Text = Text::new("Meldingsnøkkel", "Meldingsnøkkel", "Notification key");

/// Under the key.
pub const KEY_ONCE: Text = Text::new(
    "Skriv den ned eller ta vare på e-posten: nøkkelen vises bare denne ene gangen, og trengs for å endre eller trekke tilbake meldingen.",
    "Skriv han ned eller ta vare på e-posten: nøkkelen blir berre vist denne eine gongen, og trengst for å endre eller trekkje tilbake meldinga.",
    "Write it down or keep the e-mail: the key is shown only this once, and is needed to amend or withdraw the notification.",
);

pub const PDF: Text = Text::new(
    "Last ned kvitteringen (PDF)",
    "Last ned kvitteringa (PDF)",
    "Download the receipt (PDF)",
);

pub const GONE_TITLE: Text = Text::new(
    "Lenken virker ikke lenger",
    "Lenkja verkar ikkje lenger",
    "This link no longer works",
);

/// What to do when a link no longer works.
pub const GONE_HELP: Text = Text::new(
    "Er meldingen alt bekreftet, har du fått kvitteringen på e-post. Ellers kan virksomheten be om en ny bekreftelses-e-post.",
    "Er meldinga alt stadfesta, har du fått kvitteringa på e-post. Elles kan verksemda be om ein ny stadfestings-e-post.",
    "If it was confirmed already, the receipt is in your e-mail. Otherwise the organisation can ask for a new confirmation message.",
);

pub const UNKNOWN_TITLE: Text = Text::new("Ukjent lenke", "Ukjend lenkje", "Unknown link");

pub const UNKNOWN_HELP: Text = Text::new(
    "Kontroller at hele lenken fra e-posten er med.",
    "Kontroller at heile lenkja frå e-posten er med.",
    "Check that the whole link from the e-mail is there.",
);

/// A form without its cookie.
pub const FORGERY: Text = Text::new(
    "Skjemaet kom ikke fra denne siden. Last siden på nytt og prøv igjen.",
    "Skjemaet kom ikkje frå denne sida. Last sida på nytt og prøv igjen.",
    "The form did not come from this page. Reload the page and try again.",
);

pub const STATEMENT_LABEL: Text = Text::new("Merk", "Merk", "Note");
