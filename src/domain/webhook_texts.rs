//! The API's own texts for events and webhooks: looked up with
//! [`super::problem_texts::text`] as one catalogue with it, in bokmål,
//! nynorsk and English.

use super::i18n::Text;

/// Every text of this part of the catalogue, by key.
pub const TEXTS: &[(&str, Text)] = &[
    (
        "events_organisation_regulators_only",
        Text::new(
            "organisation kan bare brukes av tilsynet; en virksomhet ser bare sine egne hendelser",
            "organisation kan berre brukast av tilsynet; ei verksemd ser berre sine eigne hendingar",
            "organisation is for the regulator; an organisation sees only its own events",
        ),
    ),
    (
        "invalid_wait",
        Text::new(
            "wait må være et helt antall sekunder fra 0 til {max}",
            "wait må vere eit heilt tal sekund frå 0 til {max}",
            "wait must be a whole number of seconds from 0 to {max}",
        ),
    ),
    (
        "webhook_url_invalid",
        Text::new(
            "Adressen må være en absolutt https-URL uten brukernavn og passord",
            "Adressa må vere ein absolutt https-URL utan brukarnamn og passord",
            "The URL must be an absolute https URL without user name or password",
        ),
    ),
    (
        "webhook_url_refused",
        Text::new(
            "Adressen peker til {address}, som ikke kan motta webhooks herfra ({why})",
            "Adressa peikar til {address}, som ikkje kan ta imot webhooks herfrå ({why})",
            "The URL points to {address}, which cannot receive webhooks from here ({why})",
        ),
    ),
    (
        "webhook_url_unresolved",
        Text::new(
            "Fant ingen adresse for vertsnavnet {host}",
            "Fann inga adresse for vertsnamnet {host}",
            "The host name {host} has no address",
        ),
    ),
    (
        "webhook_event_types_empty",
        Text::new(
            "Oppgi minst én hendelsestype, eller utelat feltet for å få alle",
            "Oppgje minst éin hendingstype, eller utelat feltet for å få alle",
            "Name at least one event type, or leave the field out to get all",
        ),
    ),
    (
        "webhook_event_type_unknown",
        Text::new(
            "{value} er ingen hendelsestype",
            "{value} er ingen hendingstype",
            "{value} is no event type",
        ),
    ),
    (
        "webhook_description_too_long",
        Text::new(
            "Beskrivelsen kan ha høyst {max} tegn",
            "Skildringa kan ha høgst {max} teikn",
            "The description must be at most {max} characters",
        ),
    ),
    (
        "webhook_disabled",
        Text::new(
            "Endepunktet er slått av; slå det på med PATCH og enabled: true først",
            "Endepunktet er slått av; slå det på med PATCH og enabled: true først",
            "The endpoint is disabled; enable it with PATCH and enabled: true first",
        ),
    ),
    (
        "webhook_since_invalid",
        Text::new(
            "since må være et tidspunkt etter RFC 3339, for eksempel 2026-12-01T00:00:00Z",
            "since må vere eit tidspunkt etter RFC 3339, til dømes 2026-12-01T00:00:00Z",
            "since must be an RFC 3339 time, such as 2026-12-01T00:00:00Z",
        ),
    ),
];
