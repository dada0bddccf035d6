//! The catalogue of the API's own texts: the `detail` of a problem and the
//! message of a field that could not be read, in bokmål, nynorsk and
//! English. Looked up through [`super::messages::text`] like the rules'
//! messages, and said with [`super::messages::Say`]; `{name}` placeholders
//! are filled from its arguments. `{error}` is the reason a parser gave,
//! in English: only the English text quotes it.
//!
//! A key is not a machine-readable `code` of the API: several keys may
//! explain one code.

use super::i18n::Text;

/// Every text of the catalogue, by key.
pub const TEXTS: &[(&str, Text)] = &[
    // The request as a whole.
    (
        "method_not_allowed",
        Text::new(
            "Denne ressursen tillater bare {allow}",
            "Denne ressursen tillèt berre {allow}",
            "This resource allows only {allow}",
        ),
    ),
    (
        "unsupported_media_type",
        Text::new(
            "Innholdet må sendes som {expected}",
            "Innhaldet må sendast som {expected}",
            "The request body must be sent as {expected}",
        ),
    ),
    (
        "payload_too_large",
        Text::new(
            "Innholdet kan ikke være større enn {limit} byte",
            "Innhaldet kan ikkje vere større enn {limit} byte",
            "The request body must not exceed {limit} bytes",
        ),
    ),
    (
        "uri_too_long",
        Text::new(
            "Adressen med spørringen kan ikke være lengre enn {limit} byte",
            "Adressa med spørjinga kan ikkje vere lengre enn {limit} byte",
            "The path and query must not exceed {limit} bytes",
        ),
    ),
    (
        "headers_too_large",
        Text::new(
            "Hodefeltene kan til sammen ikke være større enn {limit} byte, eller flere enn 64",
            "Hovudfelta kan til saman ikkje vere større enn {limit} byte, eller fleire enn 64",
            "The header fields must not exceed {limit} bytes in all, nor number more than 64",
        ),
    ),
    (
        "too_many_requests",
        Text::new(
            "Prøv igjen om {seconds} sekunder",
            "Prøv igjen om {seconds} sekund",
            "Try again in {seconds} seconds",
        ),
    ),
    (
        "internal_error",
        Text::new(
            "Feilen er logget; oppgi forespørselens id (X-Request-Id)",
            "Feilen er logga; oppgje id-en til førespurnaden (X-Request-Id)",
            "The error has been logged; quote the request id",
        ),
    ),
    (
        "database_busy",
        Text::new(
            "Databasen er opptatt; prøv igjen",
            "Databasen er oppteken; prøv igjen",
            "The database is busy; try again",
        ),
    ),
    (
        "database_unavailable",
        Text::new(
            "Databasen svarer ikke akkurat nå; prøv igjen om litt",
            "Databasen svarar ikkje akkurat no; prøv igjen om litt",
            "The database does not answer just now; try again shortly",
        ),
    ),
    (
        "database_unreachable",
        Text::new(
            "Databasen svarer ikke",
            "Databasen svarar ikkje",
            "The database does not answer",
        ),
    ),
    // Reading the body and the query.
    (
        "body_unreadable",
        Text::new(
            "Innholdet kunne ikke leses",
            "Innhaldet kunne ikkje lesast",
            "The request body could not be read: {error}",
        ),
    ),
    (
        "malformed_json",
        Text::new(
            "Innholdet er ikke gyldig JSON (feil på linje {line}, kolonne {column})",
            "Innhaldet er ikkje gyldig JSON (feil på linje {line}, kolonne {column})",
            "The body is not valid JSON: {error} (line {line}, column {column})",
        ),
    ),
    (
        "form_unreadable",
        Text::new(
            "Skjemaet kunne ikke leses",
            "Skjemaet kunne ikkje lesast",
            "The form could not be read: {error}",
        ),
    ),
    (
        "unknown_field",
        Text::new(
            "Feltet finnes ikke her",
            "Feltet finst ikkje her",
            "There is no such field here",
        ),
    ),
    (
        "unknown_field_expected",
        Text::new(
            "Feltet finnes ikke her. Gyldige felt: {expected}",
            "Feltet finst ikkje her. Gyldige felt: {expected}",
            "There is no such field here. Valid fields: {expected}",
        ),
    ),
    (
        "invalid_type",
        Text::new(
            "Verdien har feil type eller form",
            "Verdien har feil type eller form",
            "The value has the wrong type or form: {error}",
        ),
    ),
    (
        "control_character",
        Text::new(
            "Teksten inneholder NUL eller et annet kontrolltegn",
            "Teksten inneheld NUL eller eit anna kontrollteikn",
            "The text contains NUL or another control character",
        ),
    ),
    (
        "one_line_character",
        Text::new(
            "Teksten inneholder et tegn som ikke er tillatt på én linje (linjeskift, kontrolltegn eller usynlig formateringstegn)",
            "Teksten inneheld eit teikn som ikkje er tillate på éi linje (linjeskift, kontrollteikn eller usynleg formateringsteikn)",
            "The text contains a character not allowed on one line (a line break, a control character or an invisible formatting character)",
        ),
    ),
    (
        "parameter_control_character",
        Text::new(
            "Parameteren {name} inneholder NUL eller et annet kontrolltegn",
            "Parameteren {name} inneheld NUL eller eit anna kontrollteikn",
            "The parameter {name} contains NUL or another control character",
        ),
    ),
    (
        "parameter_required",
        Text::new(
            "{name} må oppgis",
            "{name} må oppgjevast",
            "{name} is required",
        ),
    ),
    (
        "parameter_unknown",
        Text::new(
            "Parameteren {name} finnes ikke her",
            "Parameteren {name} finst ikkje her",
            "There is no parameter {name} here",
        ),
    ),
    (
        "parameter_too_long",
        Text::new(
            "{name} kan ha høyst {max} tegn",
            "{name} kan ha høgst {max} teikn",
            "{name} must be at most {max} characters",
        ),
    ),
    (
        "parameter_value_unknown",
        Text::new(
            "«{value}» er ikke en gyldig verdi for {name}",
            "«{value}» er ikkje ein gyldig verdi for {name}",
            "{name} has no value \"{value}\"",
        ),
    ),
    (
        "query_unreadable",
        Text::new(
            "Spørreparametrene kunne ikke leses",
            "Spørjeparametrane kunne ikkje lesast",
            "The query could not be read: {error}",
        ),
    ),
    (
        "parameter_not_a_date",
        Text::new(
            "{name} må være en dato (ÅÅÅÅ-MM-DD)",
            "{name} må vere ein dato (ÅÅÅÅ-MM-DD)",
            "{name} must be a date (YYYY-MM-DD)",
        ),
    ),
    (
        "parameter_not_an_instant",
        Text::new(
            "{name} må være et tidspunkt etter RFC 3339 (2026-12-03T10:00:00Z)",
            "{name} må vere eit tidspunkt etter RFC 3339 (2026-12-03T10:00:00Z)",
            "{name} must be an instant as RFC 3339 writes one (2026-12-03T10:00:00Z)",
        ),
    ),
    (
        "parameter_not_a_boolean",
        Text::new(
            "{name} må være true eller false",
            "{name} må vere true eller false",
            "{name} must be true or false",
        ),
    ),
    (
        "parameter_not_a_number",
        Text::new(
            "{name} må være et heltall fra 0",
            "{name} må vere eit heiltal frå 0",
            "{name} must be a whole number from 0",
        ),
    ),
    (
        "invalid_limit",
        Text::new(
            "limit må være fra 1 til {max}",
            "limit må vere frå 1 til {max}",
            "limit must be from 1 to {max}",
        ),
    ),
    (
        "invalid_cursor",
        Text::new(
            "cursor er ikke en verdi som dette API-et har gitt ut",
            "cursor er ikkje ein verdi som dette API-et har gjeve ut",
            "The cursor is not one this API gave",
        ),
    ),
    (
        "invalid_idempotency_key",
        Text::new(
            "Idempotency-Key må være 1 til 255 synlige ASCII-tegn",
            "Idempotency-Key må vere 1 til 255 synlege ASCII-teikn",
            "The Idempotency-Key must be 1 to 255 visible ASCII characters",
        ),
    ),
    (
        "idempotency_key_reused",
        Text::new(
            "Denne Idempotency-Key er brukt til en annen forespørsel; bruk en ny nøkkel",
            "Denne Idempotency-Key er brukt til ein annan førespurnad; bruk ein ny nøkkel",
            "This Idempotency-Key was used for another request; use a new key",
        ),
    ),
    (
        "malformed_jws",
        Text::new(
            "Dette er ikke en kompakt JWS (tre base64url-deler skilt med punktum)",
            "Dette er ikkje ein kompakt JWS (tre base64url-delar skilde med punktum)",
            "This is not a compact JWS (three base64url parts separated by dots)",
        ),
    ),
    // Signing in and access tokens.
    (
        "admins_only",
        Text::new(
            "Bare virksomhetens administratorer kan gjøre dette",
            "Berre administratorane i verksemda kan gjere dette",
            "Only the organisation's admins may do this",
        ),
    ),
    (
        "token_missing",
        Text::new(
            "Send et tilgangstoken: Authorization: Bearer <token>",
            "Send eit tilgangstoken: Authorization: Bearer <token>",
            "Send an access token: Authorization: Bearer <token>",
        ),
    ),
    (
        "authorization_malformed",
        Text::new(
            "Headeren Authorization må ha formen Bearer <token>",
            "Headeren Authorization må ha forma Bearer <token>",
            "The Authorization header must be: Bearer <token>",
        ),
    ),
    (
        "account_removed",
        Text::new(
            "Kontoen som dette tokenet ble utstedt til, er fjernet eller tilbakekalt",
            "Kontoen som dette tokenet vart utferda til, er fjerna eller tilbakekalla",
            "The account this token was issued to has been removed or revoked",
        ),
    ),
    (
        "token_malformed",
        Text::new(
            "Tokenet har feil format",
            "Tokenet har feil format",
            "The token is malformed",
        ),
    ),
    (
        "token_wrong_type",
        Text::new(
            "Tokenet er ikke et tilgangstoken",
            "Tokenet er ikkje eit tilgangstoken",
            "The token is not an access token",
        ),
    ),
    (
        "token_wrong_algorithm",
        Text::new(
            "Tokenet er ikke signert med en algoritme nøkkelen er for",
            "Tokenet er ikkje signert med ein algoritme nøkkelen er for",
            "The token is not signed with an algorithm its key is for",
        ),
    ),
    (
        "token_unknown_key",
        Text::new(
            "Tokenet er signert med en ukjent nøkkel",
            "Tokenet er signert med ein ukjend nøkkel",
            "The token is signed with an unknown key",
        ),
    ),
    (
        "token_expired",
        Text::new(
            "Tokenet er utløpt",
            "Tokenet har gått ut",
            "The token has expired",
        ),
    ),
    (
        "token_not_yet_valid",
        Text::new(
            "Tokenet er ikke gyldig ennå",
            "Tokenet er ikkje gyldig enno",
            "The token is not valid yet",
        ),
    ),
    (
        "token_wrong_audience",
        Text::new(
            "Tokenet er utstedt for en annen mottaker",
            "Tokenet er utferda for ein annan mottakar",
            "The token is for another audience",
        ),
    ),
    (
        "token_wrong_issuer",
        Text::new(
            "Tokenet er utstedt av en annen utsteder",
            "Tokenet er utferda av ein annan utferdar",
            "The token is from another issuer",
        ),
    ),
    (
        "token_bad_signature",
        Text::new(
            "Signaturen på tokenet stemmer ikke",
            "Signaturen på tokenet stemmer ikkje",
            "The token's signature does not match",
        ),
    ),
    (
        "token_no_organisation",
        Text::new(
            "Tokenet navngir ingen virksomhet med gyldig norsk organisasjonsnummer",
            "Tokenet namngjev inga verksemd med gyldig norsk organisasjonsnummer",
            "The token names no organisation by a valid Norwegian organisation number",
        ),
    ),
    (
        "token_insufficient_scope",
        Text::new(
            "Tokenet mangler scopet {scope}",
            "Tokenet manglar scopet {scope}",
            "The token lacks the scope {scope}",
        ),
    ),
    (
        "maskinporten_keys_unavailable",
        Text::new(
            "Maskinportens nøkler kan ikke leses nå; prøv igjen",
            "Maskinporten sine nøklar kan ikkje lesast no; prøv igjen",
            "Maskinporten's keys cannot be read now; try again",
        ),
    ),
    (
        "token_missing_claim",
        Text::new(
            "Tokenet mangler et påkrevd felt (claim)",
            "Tokenet manglar eit påkravd felt (claim)",
            "The token lacks a required claim",
        ),
    ),
    (
        "unsupported_grant_type",
        Text::new(
            "grant_type må være password, client_credentials eller refresh_token",
            "grant_type må vere password, client_credentials eller refresh_token",
            "grant_type must be password, client_credentials or refresh_token",
        ),
    ),
    (
        "wrong_credentials",
        Text::new(
            "E-postadressen eller passordet er feil",
            "E-postadressa eller passordet er feil",
            "The e-mail address or the password is wrong",
        ),
    ),
    (
        "wrong_client_credentials",
        Text::new(
            "Klient-id-en eller hemmeligheten er feil, eller klienten er tilbakekalt",
            "Klient-id-en eller løyndomen er feil, eller klienten er tilbakekalla",
            "The client id or secret is wrong, or the client is revoked",
        ),
    ),
    (
        "wrong_credentials_or_code",
        Text::new(
            "E-postadressen, passordet eller koden er feil; en kode virker bare én gang",
            "E-postadressa, passordet eller koden er feil; ein kode verkar berre éin gong",
            "The e-mail address, the password or the code is wrong; a code works only once",
        ),
    ),
    (
        "mfa_required",
        Text::new(
            "Kontoen har tofaktorinnlogging: send passordet igjen, med en kode fra autentiseringsappen i totp",
            "Kontoen har tofaktorinnlogging: send passordet att, med ein kode frå autentiseringsappen i totp",
            "The account has a second factor: send the password again, with a code from the authenticator app in totp",
        ),
    ),
    (
        "totp_malformed",
        Text::new(
            "totp må være seks sifre fra autentiseringsappen eller en gjenopprettingskode",
            "totp må vere seks siffer frå autentiseringsappen eller ein gjenopprettingskode",
            "totp must be six digits from the authenticator app or a recovery code",
        ),
    ),
    (
        "refresh_token_invalid",
        Text::new(
            "Fornyingstokenet er ikke gyldig",
            "Fornyingstokenet er ikkje gyldig",
            "The refresh token is not valid",
        ),
    ),
    (
        "refresh_token_reused",
        Text::new(
            "Fornyingstokenet er allerede brukt; logg inn på nytt",
            "Fornyingstokenet er alt brukt; logg inn på nytt",
            "The refresh token was already used; sign in again",
        ),
    ),
    (
        "user_gone",
        Text::new(
            "Brukeren finnes ikke lenger",
            "Brukaren finst ikkje lenger",
            "The user no longer exists",
        ),
    ),
    (
        "client_revoked",
        Text::new(
            "Klienten er tilbakekalt",
            "Klienten er tilbakekalla",
            "The client is revoked",
        ),
    ),
    (
        "too_many_sign_ins",
        Text::new(
            "For mange pålogginger samtidig; prøv igjen om litt",
            "For mange innloggingar samstundes; prøv igjen om litt",
            "Too many sign-ins at once; try again in a moment",
        ),
    ),
    // Accounts.
    (
        "cannot_delete_self",
        Text::new(
            "En administrator kan ikke fjerne sin egen konto; be en annen administrator om det",
            "Ein administrator kan ikkje fjerne sin eigen konto; be ein annan administrator om det",
            "An admin cannot remove their own account; ask another admin",
        ),
    ),
    (
        "mfa_users_only",
        Text::new(
            "Bare brukere har tofaktorinnlogging; API-klienter har det ikke",
            "Berre brukarar har tofaktorinnlogging; API-klientar har det ikkje",
            "Only users have a second factor; API clients have none",
        ),
    ),
    (
        "mfa_kept_by_regulators",
        Text::new(
            "Tilsynets saksbehandlere logger alltid inn med to faktorer og kan ikke fjerne den andre",
            "Tilsynet sine saksbehandlarar loggar alltid inn med to faktorar og kan ikkje fjerne den andre",
            "Regulators always sign in with a second factor and cannot remove it",
        ),
    ),
    (
        "mfa_active",
        Text::new(
            "Tofaktorinnlogging er allerede i bruk; fjern den (med en kode) før du tar i bruk en ny",
            "Tofaktorinnlogging er alt i bruk; fjern ho (med ein kode) før du tek i bruk ei ny",
            "A second factor is active already; remove it (with a code) before enrolling another",
        ),
    ),
    (
        "mfa_not_pending",
        Text::new(
            "Ingen tofaktorinnlogging venter på bekreftelse; start med POST /v1/me/mfa/totp",
            "Inga tofaktorinnlogging ventar på stadfesting; start med POST /v1/me/mfa/totp",
            "No second factor waits for a code; start with POST /v1/me/mfa/totp",
        ),
    ),
    (
        "totp_code_format",
        Text::new(
            "Koden er seks sifre fra autentiseringsappen.",
            "Koden er seks siffer frå autentiseringsappen.",
            "The code is six digits from the authenticator app.",
        ),
    ),
    (
        "mfa_code_format",
        Text::new(
            "Koden er seks sifre fra autentiseringsappen, eller en gjenopprettingskode.",
            "Koden er seks siffer frå autentiseringsappen, eller ein gjenopprettingskode.",
            "The code is six digits from the authenticator app, or a recovery code.",
        ),
    ),
    (
        "mfa_code_wrong",
        Text::new(
            "Koden stemmer ikke, eller er brukt før; vent på neste kode i appen.",
            "Koden stemmer ikkje, eller er brukt før; vent på neste kode i appen.",
            "The code is wrong, or was used before; wait for the app's next code.",
        ),
    ),
    (
        "organisation_exists",
        Text::new(
            "En virksomhet med denne identifikatoren har allerede en konto",
            "Ei verksemd med denne identifikatoren har alt ein konto",
            "An organisation with this identifier already has an account",
        ),
    ),
    (
        "organisation_required",
        Text::new(
            "Passordet passer til brukere i flere organisasjoner; oppgi organisation_id",
            "Passordet passar til brukarar i fleire organisasjonar; oppgje organisation_id",
            "The password fits users in several organisations; give organisation_id",
        ),
    ),
    (
        "organisation_id_invalid",
        Text::new(
            "organisation_id må være en UUID",
            "organisation_id må vere ein UUID",
            "organisation_id must be a UUID",
        ),
    ),
    (
        "email_taken",
        Text::new(
            "Organisasjonen har allerede en bruker med denne e-postadressen",
            "Organisasjonen har alt ein brukar med denne e-postadressa",
            "The organisation already has a user with this e-mail address",
        ),
    ),
    // Notifications and their confirmation.
    (
        "patient_journal_exists_unnumbered",
        Text::new(
            "Virksomheten har allerede meldt pasientjournal; endre den meldingen i stedet.",
            "Verksemda har alt meldt pasientjournal; endre den meldinga i staden.",
            "The organisation has already notified its patient journal; amend that notification instead.",
        ),
    ),
    (
        "transition_not_allowed",
        Text::new(
            "En melding med status «{state}» kan ikke {action}",
            "Ei melding med status «{state}» kan ikkje {action}",
            "A notification that is {state} cannot be {action}",
        ),
    ),
    (
        "nothing_to_confirm",
        Text::new(
            "Meldingen har status «{status}» og venter ikke på bekreftelse",
            "Meldinga har status «{status}» og ventar ikkje på stadfesting",
            "The notification is {status} and waits for no confirmation",
        ),
    ),
    (
        "link_used",
        Text::new(
            "Denne lenken er brukt: bekreftelsen er gjort",
            "Denne lenkja er brukt: stadfestinga er gjord",
            "This link has been used: the confirmation is done",
        ),
    ),
    (
        "link_replaced",
        Text::new(
            "Denne lenken er erstattet av en nyere; bruk den nyeste e-posten",
            "Denne lenkja er erstatta av ei nyare; bruk den nyaste e-posten",
            "This link was replaced by a newer one; use the newest message",
        ),
    ),
    (
        "link_expired",
        Text::new(
            "Denne lenken er utløpt; be om en ny bekreftelses-e-post",
            "Denne lenkja har gått ut; be om ein ny stadfestings-e-post",
            "This link has expired; ask for a new confirmation message",
        ),
    ),
    (
        "no_longer_waiting",
        Text::new(
            "Dette venter ikke lenger på bekreftelse",
            "Dette ventar ikkje lenger på stadfesting",
            "This no longer waits for confirmation",
        ),
    ),
    (
        "version_no_longer_waiting",
        Text::new(
            "Denne versjonen venter ikke lenger på bekreftelse",
            "Denne versjonen ventar ikkje lenger på stadfesting",
            "This version no longer waits for confirmation",
        ),
    ),
];

/// The text of `key`, if this catalogue (or the back office's and the
/// open data's, [`super::office_texts`]) has it.
pub fn text(key: &str) -> Option<Text> {
    TEXTS
        .iter()
        .chain(super::office_texts::TEXTS)
        .chain(super::webhook_texts::TEXTS)
        .find(|(k, _)| *k == key)
        .map(|(_, t)| *t)
}

/// Every key of this catalogue.
pub fn keys() -> impl Iterator<Item = &'static str> {
    TEXTS
        .iter()
        .chain(super::office_texts::TEXTS)
        .chain(super::webhook_texts::TEXTS)
        .map(|(k, _)| *k)
}
