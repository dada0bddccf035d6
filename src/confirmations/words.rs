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

/// The page's title and heading, by what is confirmed.
pub const TITLE_NEW: Text = Text::new(
    "Bekreft ny melding til Datatilsynet",
    "Stadfest ny melding til Datatilsynet",
    "Confirm a new notification to the Data Protection Authority",
);
pub const TITLE_RENEWAL: Text = Text::new(
    "Bekreft fornyelse av melding til Datatilsynet",
    "Stadfest fornying av melding til Datatilsynet",
    "Confirm a re-registration with the Data Protection Authority",
);
pub const TITLE_AMENDMENT: Text = Text::new(
    "Bekreft endring av melding til Datatilsynet",
    "Stadfest endring av melding til Datatilsynet",
    "Confirm an amendment of a notification to the Data Protection Authority",
);
pub const TITLE_WITHDRAWAL: Text = Text::new(
    "Bekreft tilbaketrekking av melding til Datatilsynet",
    "Stadfest tilbaketrekking av melding til Datatilsynet",
    "Confirm the withdrawal of a notification to the Data Protection Authority",
);

/// What is confirmed, in the facts at the top.
pub const KIND_NEW: Text = Text::new(
    "Ny melding (førstegangsregistrering)",
    "Ny melding (førstegongsregistrering)",
    "A new notification (first registration)",
);
pub const KIND_RENEWAL: Text = Text::new(
    "Ny registrering som fornyer en melding som utløper",
    "Ny registrering som fornyar ei melding som går ut",
    "A re-registration, renewing a notification that expires",
);
pub const KIND_AMENDMENT: Text = Text::new(
    "Endring av en registrert melding",
    "Endring av ei registrert melding",
    "An amendment of a registered notification",
);
pub const KIND_WITHDRAWAL: Text = Text::new(
    "Tilbaketrekking: behandlingen er avsluttet",
    "Tilbaketrekking: behandlinga er avslutta",
    "A withdrawal: the processing has ended",
);

/// Above a withdrawal's content.
pub const INTRO_WITHDRAWAL: Text = Text::new(
    "Når du bekrefter, er meldingen trukket tilbake og forsvinner fra den offentlige fortegnelsen. Dette er meldingen som trekkes tilbake:",
    "Når du stadfestar, er meldinga trekt tilbake og forsvinn frå den offentlege oversikta. Dette er meldinga som blir trekt tilbake:",
    "Once you confirm, the notification is withdrawn and leaves the public register. This is the notification withdrawn:",
);

pub const CHANGES: Text = Text::new(
    "Dette er endret siden registrert versjon",
    "Dette er endra sidan registrert versjon",
    "What changed since the registered version",
);
pub const FIELD: Text = Text::new("Felt", "Felt", "Field");
pub const BEFORE: Text = Text::new("Før", "Før", "Before");
pub const AFTER: Text = Text::new("Etter", "Etter", "After");
pub const CHANGED: Text = Text::new("endret", "endra", "changed");
pub const REMOVED: Text = Text::new("(fjernet)", "(fjerna)", "(removed)");
pub const VERSION: Text = Text::new("Versjon", "Versjon", "Version");
pub const LINK_EXPIRES: Text = Text::new(
    "Lenken virker til",
    "Lenkja verkar til",
    "This link works until",
);
/// The result page's title and heading, by what was confirmed.
pub const DONE_REGISTERED: Text = Text::new(
    "Meldingen er bekreftet",
    "Meldinga er stadfesta",
    "The notification is confirmed",
);
pub const DONE_AMENDED: Text = Text::new(
    "Endringen er bekreftet",
    "Endringa er stadfesta",
    "The amendment is confirmed",
);
pub const DONE_WITHDRAWN: Text = Text::new(
    "Tilbaketrekkingen er bekreftet",
    "Tilbaketrekkinga er stadfesta",
    "The withdrawal is confirmed",
);
pub const VERIFY_LINK: Text = Text::new(
    "Kontroller kvitteringen",
    "Kontroller kvitteringa",
    "Check the receipt",
);

pub const NUMBER: Text = Text::new("Meldingsnummer", "Meldingsnummer", "Notification number");

pub const KIND: Text = Text::new("Gjelder", "Gjeld", "Confirms");

pub const ORGANISATION: Text = Text::new("Innsendt av", "Sendt inn av", "Submitted by");

/// The confirm button.
pub const BUTTON: Text = Text::new("Bekreft", "Stadfest", "Confirm");

/// After confirming.
pub const DONE: Text = Text::new(
    "Her er kvitteringen. Den er også sendt til deg på e-post.",
    "Her er kvitteringa. Ho er òg send til deg på e-post.",
    "Here is the receipt. It has been sent to you by e-mail as well.",
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
