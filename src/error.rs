//! One error type for the whole API, rendered as RFC 9457 problem details.
//!
//! Handlers return [`ApiError`]; the client sees a [`Problem`] body with
//! `Content-Type: application/problem+json`. Internal causes are logged with
//! their whole chain and never sent.

use std::fmt::Write as _;
use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::i18n::{Lang, Text};
pub use crate::domain::messages::Say;

/// Media type of every error body.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// Base of the `type` URIs of our problems.
const TYPE_BASE: &str = "https://meldeplikt.example/problems/";

/// One problem with one field of the request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct FieldProblem {
    /// JSON pointer (RFC 6901) to the field in the request body, or the name of
    /// the header, path or query parameter.
    #[schema(example = "/controller/identifier/value")]
    pub pointer: String,
    /// Stable machine-readable code.
    #[schema(example = "orgnr_checksum")]
    pub code: String,
    /// Human-readable message in the language asked for.
    pub message: String,
    /// The message as said, to render again in the language of the
    /// response.
    #[serde(skip)]
    pub say: Say,
}

impl FieldProblem {
    /// A problem with the field at `pointer`; its message is rendered in
    /// the language of the response (bokmål until then).
    pub fn new(pointer: impl Into<String>, code: &str, say: Say) -> Self {
        Self {
            pointer: pointer.into(),
            code: code.to_owned(),
            message: say.render(Lang::default()),
            say,
        }
    }

    /// The same problem, its message in `lang`.
    pub fn in_lang(mut self, lang: Lang) -> Self {
        self.message = self.say.render(lang);
        self
    }
}

/// Problem details (RFC 9457), the body of every error response.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// URI naming the kind of problem.
    #[schema(example = "https://meldeplikt.example/problems/validation")]
    #[serde(rename = "type")]
    pub kind: String,
    /// Short summary of the kind of problem.
    #[schema(example = "The request is not valid")]
    pub title: String,
    /// The HTTP status code.
    #[schema(example = 422)]
    pub status: u16,
    /// What went wrong in this occurrence.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// A stable machine-readable code for the whole problem, where one helps
    /// (e.g. `invalid_grant`, `patient_journal_exists`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// Every problem with a field, all at once.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<FieldProblem>>,
    /// Problems that do not block the request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warnings: Option<Vec<FieldProblem>>,
}

/// Everything a handler can answer with instead of success.
#[derive(thiserror::Error)]
pub enum ApiError {
    /// The body or parameters broke one or more rules (422).
    #[error("the request is not valid")]
    Validation {
        errors: Vec<FieldProblem>,
        warnings: Vec<FieldProblem>,
    },
    /// The request could not be read at all (400), e.g. malformed JSON.
    #[error("bad request: {detail}")]
    BadRequest {
        detail: Say,
        errors: Vec<FieldProblem>,
    },
    /// No credentials, or credentials that do not hold (401). `error` is the
    /// OAuth 2.0 / RFC 6750 code (`invalid_token`, `invalid_grant`, ...).
    #[error("unauthorized: {detail}")]
    Unauthorized {
        error: Option<&'static str>,
        detail: Say,
    },
    /// Authenticated, but the role does not allow it, within one's own
    /// organisation (403). Other organisations' things are 404 instead.
    #[error("forbidden: {detail}")]
    Forbidden { detail: Say },
    /// A token from another issuer (Maskinporten) that lacks the scope the
    /// service requires (403, RFC 6750 `insufficient_scope`).
    #[error("insufficient scope: {scope}")]
    InsufficientScope { scope: String },
    #[error("not found")]
    NotFound,
    #[error("method not allowed")]
    MethodNotAllowed { allow: Vec<String> },
    #[error("unsupported media type")]
    UnsupportedMediaType { expected: &'static str },
    #[error("payload too large")]
    PayloadTooLarge { limit: usize },
    /// The request target is longer than the service reads (414).
    #[error("URI too long")]
    UriTooLong { limit: usize },
    /// The request's headers are more or larger than the service reads (431).
    #[error("request header fields too large")]
    HeadersTooLarge { limit: usize },
    #[error("not acceptable")]
    NotAcceptable { detail: Say },
    #[error("conflict: {detail}")]
    Conflict {
        detail: Say,
        code: Option<&'static str>,
    },
    #[error("precondition failed")]
    PreconditionFailed,
    /// The change needs `If-Match` and came without (428).
    #[error("precondition required")]
    PreconditionRequired,
    /// It existed, and is no more (410): a used or expired link.
    #[error("gone: {detail}")]
    Gone { detail: Say },
    #[error("too many requests")]
    TooManyRequests { retry_after: Duration },
    #[error("service unavailable: {detail}")]
    ServiceUnavailable {
        detail: Say,
        retry_after: Option<Duration>,
    },
    /// Anything we did not expect. The cause is logged, never sent.
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

impl std::fmt::Debug for ApiError {
    /// Walks the whole cause chain so that logs show where an error came from.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{self}")?;
        let mut source = std::error::Error::source(self);
        while let Some(cause) = source {
            write!(f, "\n  caused by: {cause}")?;
            source = cause.source();
        }
        Ok(())
    }
}

impl ApiError {
    pub fn internal(err: impl Into<anyhow::Error>) -> Self {
        Self::Internal(err.into())
    }

    pub fn unauthorized(error: &'static str, detail: Say) -> Self {
        Self::Unauthorized {
            error: Some(error),
            detail,
        }
    }

    pub fn forbidden(detail: Say) -> Self {
        Self::Forbidden { detail }
    }

    pub fn conflict(code: &'static str, detail: Say) -> Self {
        Self::Conflict {
            detail,
            code: Some(code),
        }
    }

    pub fn bad_request(detail: Say) -> Self {
        Self::BadRequest {
            detail,
            errors: Vec::new(),
        }
    }

    /// A 400 that names the field that could not be read; the detail says
    /// what the field's message says.
    pub fn bad_field(pointer: impl Into<String>, code: &str, say: Say) -> Self {
        Self::BadRequest {
            detail: say.clone(),
            errors: vec![FieldProblem::new(pointer, code, say)],
        }
    }

    /// The problem body in English; [`localise`] renders it again in the
    /// language the request asked for.
    pub fn problem(&self) -> Problem {
        self.problem_in(Lang::En)
    }

    /// The problem body in `lang`: the title, the detail and every field's
    /// message.
    pub fn problem_in(&self, lang: Lang) -> Problem {
        let status = self.status_code();
        let (slug, title) = match self {
            Self::Validation { .. } => (
                "validation",
                Text::new(
                    "Forespørselen er ikke gyldig",
                    "Førespurnaden er ikkje gyldig",
                    "The request is not valid",
                ),
            ),
            Self::BadRequest { .. } => (
                "bad-request",
                Text::new(
                    "Forespørselen kunne ikke leses",
                    "Førespurnaden kunne ikkje lesast",
                    "The request could not be read",
                ),
            ),
            Self::Unauthorized { .. } => (
                "unauthorized",
                Text::new("Ikke autentisert", "Ikkje autentisert", "Not authenticated"),
            ),
            Self::Forbidden { .. } | Self::InsufficientScope { .. } => (
                "forbidden",
                Text::new("Ikke tillatt", "Ikkje tillate", "Not allowed"),
            ),
            Self::NotFound => (
                "not-found",
                Text::new("Ikke funnet", "Ikkje funne", "Not found"),
            ),
            Self::MethodNotAllowed { .. } => (
                "method-not-allowed",
                Text::new(
                    "Metoden er ikke tillatt",
                    "Metoden er ikkje tillaten",
                    "Method not allowed",
                ),
            ),
            Self::UnsupportedMediaType { .. } => (
                "unsupported-media-type",
                Text::new(
                    "Innholdstypen støttes ikke",
                    "Innhaldstypen er ikkje støtta",
                    "Unsupported media type",
                ),
            ),
            Self::PayloadTooLarge { .. } => (
                "payload-too-large",
                Text::new(
                    "Innholdet er for stort",
                    "Innhaldet er for stort",
                    "The request body is too large",
                ),
            ),
            Self::UriTooLong { .. } => (
                "uri-too-long",
                Text::new(
                    "Adressen er for lang",
                    "Adressa er for lang",
                    "The URI is too long",
                ),
            ),
            Self::HeadersTooLarge { .. } => (
                "header-fields-too-large",
                Text::new(
                    "Hodefeltene er for store",
                    "Hovudfelta er for store",
                    "The request header fields are too large",
                ),
            ),
            Self::NotAcceptable { .. } => (
                "not-acceptable",
                Text::new(
                    "Kan ikke svare i formatet som er bedt om",
                    "Kan ikkje svare i formatet som er bede om",
                    "Not acceptable",
                ),
            ),
            Self::Conflict { .. } => ("conflict", Text::new("Konflikt", "Konflikt", "Conflict")),
            Self::PreconditionFailed => (
                "precondition-failed",
                Text::new(
                    "Ressursen er endret siden den ble lest",
                    "Ressursen er endra sidan han vart lesen",
                    "Precondition failed",
                ),
            ),
            Self::PreconditionRequired => (
                "precondition-required",
                Text::new(
                    "If-Match mangler",
                    "If-Match manglar",
                    "Precondition required",
                ),
            ),
            Self::Gone { .. } => (
                "gone",
                Text::new(
                    "Ikke lenger tilgjengelig",
                    "Ikkje lenger tilgjengeleg",
                    "Gone",
                ),
            ),
            Self::TooManyRequests { .. } => (
                "too-many-requests",
                Text::new("For mange forsøk", "For mange forsøk", "Too many requests"),
            ),
            Self::ServiceUnavailable { .. } => (
                "service-unavailable",
                Text::new(
                    "Tjenesten er opptatt",
                    "Tenesta er oppteken",
                    "Service unavailable",
                ),
            ),
            Self::Internal(_) => (
                "internal",
                Text::new("Intern feil", "Intern feil", "Internal server error"),
            ),
        };
        let title = title.get(lang);
        let detail = self.detail().map(|say| say.render(lang));
        let in_lang = |problems: &[FieldProblem]| {
            problems
                .iter()
                .map(|p| p.clone().in_lang(lang))
                .collect::<Vec<_>>()
        };
        let (errors, warnings) = match self {
            Self::Validation { errors, warnings } => {
                (Some(in_lang(errors)), Some(in_lang(warnings)))
            }
            Self::BadRequest { errors, .. } if !errors.is_empty() => (Some(in_lang(errors)), None),
            _ => (None, None),
        };
        let code = match self {
            Self::Unauthorized { error, .. } => error.map(str::to_owned),
            Self::InsufficientScope { .. } => Some("insufficient_scope".to_owned()),
            Self::Conflict { code, .. } => code.map(str::to_owned),
            _ => None,
        };
        Problem {
            kind: format!("{TYPE_BASE}{slug}"),
            title: title.to_owned(),
            status: status.as_u16(),
            detail,
            code,
            errors,
            warnings,
        }
    }
}

impl ApiError {
    /// What went wrong in this occurrence, to say in the language asked for.
    fn detail(&self) -> Option<Say> {
        Some(match self {
            Self::BadRequest { detail, .. }
            | Self::Conflict { detail, .. }
            | Self::Unauthorized { detail, .. }
            | Self::Forbidden { detail }
            | Self::Gone { detail }
            | Self::ServiceUnavailable { detail, .. }
            | Self::NotAcceptable { detail } => detail.clone(),
            Self::MethodNotAllowed { allow } => {
                Say::new("method_not_allowed").with("allow", allow.join(", "))
            }
            Self::UnsupportedMediaType { expected } => {
                Say::new("unsupported_media_type").with("expected", expected)
            }
            Self::PayloadTooLarge { limit } => Say::new("payload_too_large").with("limit", limit),
            Self::UriTooLong { limit } => Say::new("uri_too_long").with("limit", limit),
            Self::HeadersTooLarge { limit } => Say::new("headers_too_large").with("limit", limit),
            Self::TooManyRequests { retry_after } => {
                Say::new("too_many_requests").with("seconds", retry_after.as_secs().max(1))
            }
            Self::Internal(_) => Say::new("internal_error"),
            Self::InsufficientScope { scope } => {
                Say::new("token_insufficient_scope").with("scope", scope)
            }
            Self::PreconditionRequired => Say::new("if_match_required"),
            Self::Validation { .. } | Self::NotFound | Self::PreconditionFailed => return None,
        })
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::Validation { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            Self::BadRequest { .. } => StatusCode::BAD_REQUEST,
            Self::Unauthorized { .. } => StatusCode::UNAUTHORIZED,
            Self::Forbidden { .. } | Self::InsufficientScope { .. } => StatusCode::FORBIDDEN,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            Self::UnsupportedMediaType { .. } => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UriTooLong { .. } => StatusCode::URI_TOO_LONG,
            Self::HeadersTooLarge { .. } => StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            Self::NotAcceptable { .. } => StatusCode::NOT_ACCEPTABLE,
            Self::Conflict { .. } => StatusCode::CONFLICT,
            Self::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
            Self::PreconditionRequired => StatusCode::PRECONDITION_REQUIRED,
            Self::Gone { .. } => StatusCode::GONE,
            Self::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::ServiceUnavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let Self::Internal(_) = self {
            tracing::error!(error = ?self, "request failed");
        }
        self.response_in(Lang::En)
    }
}

impl ApiError {
    /// The whole error response (status, headers, problem body) in `lang`.
    pub fn response_in(&self, lang: Lang) -> HttpResponse {
        let mut response = HttpResponse::build(self.status_code());
        match self {
            Self::MethodNotAllowed { allow } => {
                response.insert_header((header::ALLOW, allow.join(", ")));
            }
            Self::Unauthorized { error, detail } => {
                // RFC 6750 §3: a bare challenge when no token was sent.
                // The description is in English whatever the language of
                // the body: RFC 6750 allows only printable ASCII there.
                let challenge = match error {
                    Some(
                        code @ ("invalid_token"
                        | "invalid_request"
                        | "insufficient_user_authentication"),
                    ) => format!(
                        "Bearer realm=\"meldeplikt\", error=\"{code}\", error_description=\"{}\"",
                        detail
                            .render(Lang::En)
                            .replace(['"', '\\'], "'")
                            .replace(|c: char| !c.is_ascii() || c.is_ascii_control(), "?")
                    ),
                    _ => "Bearer realm=\"meldeplikt\"".to_owned(),
                };
                response.insert_header((header::WWW_AUTHENTICATE, challenge));
            }
            Self::InsufficientScope { scope } => {
                // The scope is configuration: printable ASCII without quotes.
                let scope =
                    scope.replace(|c: char| !c.is_ascii_graphic() || c == '"' || c == '\\', "");
                response.insert_header((
                    header::WWW_AUTHENTICATE,
                    format!(
                        "Bearer realm=\"meldeplikt\", error=\"insufficient_scope\", scope=\"{scope}\""
                    ),
                ));
            }
            Self::TooManyRequests { retry_after }
            | Self::ServiceUnavailable {
                retry_after: Some(retry_after),
                ..
            } => {
                response.insert_header((
                    header::RETRY_AFTER,
                    retry_after.as_secs().max(1).to_string(),
                ));
            }
            _ => {}
        }
        problem_response(response, &self.problem_in(lang))
    }
}

/// Renders an error response again in the language the request asked for
/// (`Accept-Language`; bokmål when it names none of ours), like the field
/// messages of a validation problem.
pub async fn localise(
    request: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody + 'static>,
) -> Result<
    actix_web::dev::ServiceResponse<actix_web::body::EitherBody<impl actix_web::body::MessageBody>>,
    actix_web::Error,
> {
    let lang = Lang::from_accept_language(
        request
            .headers()
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok()),
    );
    let response = next.call(request).await?;
    let localised = response
        .response()
        .error()
        .and_then(|e| e.as_error::<ApiError>())
        .filter(|_| lang != Lang::En)
        .map(|e| e.response_in(lang));
    Ok(match localised {
        Some(body) => response.into_response(body).map_into_right_body(),
        None => response.map_into_left_body(),
    })
}

/// Serialises a problem body onto a response builder.
pub fn problem_response(
    mut builder: actix_web::HttpResponseBuilder,
    problem: &Problem,
) -> HttpResponse {
    let body = serde_json::to_vec(problem).unwrap_or_else(|_| {
        let mut fallback = String::new();
        let _ = write!(
            fallback,
            r#"{{"title":"error","status":{}}}"#,
            problem.status
        );
        fallback.into_bytes()
    });
    builder
        .insert_header((header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON)))
        .body(body)
}

/// A generic problem for a bare status, used by the safety net that turns any
/// non-problem error response into problem+json.
pub fn problem_for_status(status: StatusCode) -> Problem {
    let title = status.canonical_reason().unwrap_or("Error").to_owned();
    let slug = title.to_lowercase().replace(' ', "-");
    Problem {
        kind: format!("{TYPE_BASE}{slug}"),
        title,
        status: status.as_u16(),
        detail: None,
        code: None,
        errors: None,
        warnings: None,
    }
}

impl From<deadpool::managed::PoolError<diesel_async::pooled_connection::PoolError>> for ApiError {
    fn from(err: deadpool::managed::PoolError<diesel_async::pooled_connection::PoolError>) -> Self {
        use deadpool::managed::PoolError;
        match err {
            PoolError::Timeout(_) => Self::ServiceUnavailable {
                detail: Say::new("database_busy"),
                retry_after: Some(Duration::from_secs(1)),
            },
            // No connection could be made: the database is down or refuses.
            other => {
                tracing::warn!(error = %other, "no database connection");
                database_unavailable()
            }
        }
    }
}

/// 503 while the database cannot be reached; clients retry after a while.
fn database_unavailable() -> ApiError {
    ApiError::ServiceUnavailable {
        detail: Say::new("database_unavailable"),
        retry_after: Some(Duration::from_secs(5)),
    }
}

impl From<diesel::result::Error> for ApiError {
    /// Not found is 404; anything else, a unique violation the call site
    /// did not map with [`on_unique`] included, is an internal error: logged
    /// with its cause, never sent with a constraint's name.
    fn from(err: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind as Kind, Error};
        match err {
            Error::NotFound => Self::NotFound,
            // The connection broke under the query: the database went away.
            Error::DatabaseError(Kind::ClosedConnection | Kind::UnableToSendCommand, info) => {
                tracing::warn!(error = %info.message(), "the database connection broke");
                database_unavailable()
            }
            // The server ended the session (SQLSTATE class 57: terminated
            // by an administrator, shutting down, starting up, crashed),
            // which diesel reports by its message alone.
            Error::DatabaseError(Kind::Unknown, info) if server_went_away(info.message()) => {
                tracing::warn!(error = %info.message(), "the database ended the session");
                database_unavailable()
            }
            other => Self::Internal(anyhow::Error::new(other).context("database query")),
        }
    }
}

/// Whether `message` is PostgreSQL's word that it ended the session or
/// takes none now (class 57, "operator intervention").
fn server_went_away(message: &str) -> bool {
    const ENDED: [&str; 5] = [
        "terminating connection due to",
        "the database system is shutting down",
        "the database system is starting up",
        "the database system is in recovery mode",
        "the database system is not yet accepting connections",
    ];
    ENDED.iter().any(|m| message.starts_with(m))
}

/// `conflict` when `err` is a violation of the unique constraint or index
/// named `constraint`; otherwise `err` as usual.
pub fn on_unique(
    err: diesel::result::Error,
    constraint: &str,
    conflict: impl FnOnce() -> ApiError,
) -> ApiError {
    use diesel::result::{DatabaseErrorKind, Error};
    match &err {
        Error::DatabaseError(DatabaseErrorKind::UniqueViolation, info)
            if info.constraint_name() == Some(constraint) =>
        {
            conflict()
        }
        _ => err.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_the_server_ended_is_unavailable_and_other_errors_are_not() {
        use diesel::result::{DatabaseErrorKind as Kind, Error};
        let said = |message: &str| {
            ApiError::from(Error::DatabaseError(
                Kind::Unknown,
                Box::new(message.to_owned()),
            ))
        };
        for ended in [
            "terminating connection due to administrator command",
            "terminating connection due to unexpected postmaster exit",
            "the database system is shutting down",
            "the database system is starting up",
        ] {
            assert!(
                matches!(said(ended), ApiError::ServiceUnavailable { .. }),
                "{ended}"
            );
        }
        assert!(matches!(said("division by zero"), ApiError::Internal(_)));
    }
}
