//! The API's own texts for the back office and the open data (the
//! register's export): looked up with [`super::problem_texts::text`] as
//! one catalogue with it, in bokmål, nynorsk and English.

use super::i18n::Text;

/// Every text of this part of the catalogue, by key.
pub const TEXTS: &[(&str, Text)] = &[
    (
        "if_match_required",
        Text::new(
            "Send ETag-en fra siste lesing i If-Match, så ingen endring blir overskrevet",
            "Send ETag-en frå siste lesing i If-Match, så inga endring blir skriven over",
            "Send the ETag of your last read as If-Match, so that no change is overwritten",
        ),
    ),
    (
        "note_too_long",
        Text::new(
            "Notatet kan ha høyst {max} tegn",
            "Notatet kan ha høgst {max} teikn",
            "The note must be at most {max} characters",
        ),
    ),
    (
        "note_empty",
        Text::new(
            "Notatet kan ikke være tomt",
            "Notatet kan ikkje vere tomt",
            "The note must not be empty",
        ),
    ),
    (
        "not_a_regulator",
        Text::new(
            "Saken kan bare tildeles en saksbehandler hos Datatilsynet",
            "Saka kan berre tildelast ein saksbehandlar hos Datatilsynet",
            "A case can only be assigned to a regulator",
        ),
    ),
    (
        "exports_busy",
        Text::new(
            "Registeret lastes ned av mange akkurat nå; prøv igjen om litt",
            "Registeret blir lasta ned av mange akkurat no; prøv igjen om litt",
            "The register is being downloaded by many just now; try again shortly",
        ),
    ),
    (
        "unsupported_format",
        Text::new(
            "Registeret kan lastes ned som csv eller ndjson",
            "Registeret kan lastast ned som csv eller ndjson",
            "The register can be downloaded as csv or ndjson",
        ),
    ),
    (
        "step_up_required",
        Text::new(
            "Logg inn på nytt med engangskode; eksport krever en kode gitt de siste {minutes} minuttene",
            "Logg inn på nytt med eingongskode; eksport krev ein kode gjeven dei siste {minutes} minutta",
            "Sign in again with a one-time code; an export needs a code given within the last {minutes} minutes",
        ),
    ),
];
