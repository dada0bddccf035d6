//! The OpenAPI document, generated from the routes themselves.
//!
//! `document()` registers the same `configure` functions the server uses on
//! an app that never runs, so the document cannot drift from the routes.
//! The committed copy in `openapi/openapi.json` is checked by a test.

use utoipa::openapi::path::Operation;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, OpenApi as OpenApiDoc, Ref, RefOr, ResponseBuilder};
use utoipa::{Modify, OpenApi};
use utoipa_actix_web::AppExt;

use crate::error::{FieldProblem, PROBLEM_JSON, Problem};

mod headers;
mod wire;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "meldeplikt",
        description = "Notification of processing of personal data (melding om behandling av \
            personopplysninger) to the Norwegian data-protection authority: submit, confirm by \
            e-mail, receive a signed receipt (kvittering) with the notification key \
            (meldingsnøkkel), amend, withdraw; the public register (fortegnelse); the \
            regulator's back office.\n\nErrors are RFC 9457 problem details \
            (`application/problem+json`). Every response carries `X-Request-Id`.",
        license(name = "MIT OR Apache-2.0", identifier = "MIT OR Apache-2.0"),
        contact(name = "The meldeplikt team", email = "api@meldeplikt.example"),
    ),
    servers((url = "/", description = "This service; the path of every operation is relative to it")),
    tags(
        (name = "accounts", description = "Organisations, their users and integration clients"),
        (name = "tokens", description = "Tokens, revocation and the published keys"),
        (name = "notifications", description = "Submit, read, amend and withdraw notifications (meldinger); a new confirmation link, a new key"),
        (name = "confirmations", description = "Confirmation by the holder of the link in the mail: what it confirms, and confirming"),
        (name = "receipts", description = "Signed receipts (kvitteringer): JSON, PDF, verification"),
        (name = "code lists", description = "The code lists of the form, in nb, nn and en"),
        (name = "operations", description = "Health, metrics and this document"),
        (name = "events", description = "What happened to notifications, in order after a cursor, as CloudEvents 1.0; long polling"),
        (name = "webhooks", description = "Endpoints that events are delivered to (Standard Webhooks), their delivery log, tests and secrets"),
        (name = "back office", description = "The regulator's back office: regulator accounts only; for anyone else these routes do not exist (404)"),
    ),
    components(schemas(Problem, FieldProblem)),
    modifiers(&SecuritySchemes)
)]
struct ApiDoc;

/// The bearer scheme, declared once; operations name it or `security: []`.
struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut OpenApiDoc) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some(
                        "An access token (a JWT signed with EdDSA, 15 minutes) from \
                         `POST /v1/auth/token`: `grant_type=password` for people, \
                         `client_credentials` for integrations (an API client made by an \
                         organisation admin), `refresh_token` to renew without the password.",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "maskinporten",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some(
                        "Where the service is configured for it: an access token from \
                         Maskinporten, the national machine-to-machine authorisation server \
                         (a JWT signed RS256 with a key of its JWKS), holding the scope the \
                         service requires (`datatilsynet:meldeplikt` unless configured \
                         otherwise). The organisation it names (`consumer`, or the customer \
                         of an Altinn system user) is the caller, as a member: it is \
                         registered on first use and marked verified. Not for the routes \
                         that need a person (users, API clients, webhooks, second factor, a \
                         new notification key): those answer 403. A token without the scope \
                         answers 403 with `code: insufficient_scope`.",
                    ))
                    .build(),
            ),
        );
    }
}

/// Paths that answer without the database, so never with 503.
const WITHOUT_DATABASE: &[&str] = &[
    "/.well-known/jwks.json",
    "/openapi.json",
    "/health/live",
    "/metrics",
    "/register/accessibility",
    "/register/style.css",
];

/// Adds the errors every operation can answer with, so that no operation
/// forgets them: 500 everywhere; 503 with `Retry-After` where the database
/// is used; 401 where a bearer token is required; 404 on the routes of
/// one's own organisation (a caller without one, a regulator, finds
/// nothing there); 400, 413 and 415 where a body is read; 414 and 431
/// everywhere.
/// Runs after the routes have added their paths.
fn add_common_errors(openapi: &mut OpenApiDoc) {
    let problem = |description: &str| {
        RefOr::T(
            ResponseBuilder::new()
                .description(description)
                .content(
                    PROBLEM_JSON,
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("Problem")))
                        .build(),
                )
                .build(),
        )
    };
    let retry_after = || {
        utoipa::openapi::HeaderBuilder::new()
            .schema(
                utoipa::openapi::ObjectBuilder::new().schema_type(utoipa::openapi::Type::Integer),
            )
            .description(Some("Seconds to wait before trying again"))
            .build()
    };
    let request_id = || {
        utoipa::openapi::HeaderBuilder::new()
            .schema(
                utoipa::openapi::ObjectBuilder::new().schema_type(utoipa::openapi::Type::String),
            )
            .description(Some(
                "The request's id, as sent or made here; quote it when reporting a problem",
            ))
            .build()
    };
    for (path, item) in openapi.paths.paths.iter_mut() {
        let own_organisation =
            path.starts_with("/v1/notifications") || path.starts_with("/v1/organisation/");
        for (_, operation) in operations_mut(item) {
            let responses = &mut operation.responses.responses;
            if operation.request_body.is_some() {
                responses
                    .entry("400".into())
                    .or_insert_with(|| problem("The body is not valid JSON"));
                responses
                    .entry("413".into())
                    .or_insert_with(|| problem("The body is larger than the limit"));
                responses
                    .entry("415".into())
                    .or_insert_with(|| problem("The body is not application/json"));
                responses.entry("422".into()).or_insert_with(|| {
                    problem("A field of the body is missing, of the wrong type or not valid; each is named")
                });
            }
            let needs_token = operation.security.as_ref().is_some_and(|requirements| {
                requirements
                    .iter()
                    .any(|r| serde_json::to_value(r).is_ok_and(|v| v.get("bearer").is_some()))
            });
            if needs_token {
                responses
                    .entry("401".into())
                    .or_insert_with(|| problem("No valid access token; see WWW-Authenticate"));
            }
            let accepts_maskinporten = operation.security.as_ref().is_some_and(|requirements| {
                requirements
                    .iter()
                    .any(|r| serde_json::to_value(r).is_ok_and(|v| v.get("maskinporten").is_some()))
            });
            if accepts_maskinporten {
                responses.entry("403".into()).or_insert_with(|| {
                    problem("A Maskinporten token without the required scope (`code: insufficient_scope`; see WWW-Authenticate)")
                });
            }
            let reads_query = operation.parameters.as_ref().is_some_and(|parameters| {
                parameters
                    .iter()
                    .any(|p| matches!(p.parameter_in, utoipa::openapi::path::ParameterIn::Query))
            });
            if reads_query {
                responses.entry("422".into()).or_insert_with(|| {
                    problem("A query parameter holds NUL or another control character")
                });
            }
            if needs_token && own_organisation {
                responses.entry("404".into()).or_insert_with(|| {
                    problem("Not found in one's organisation, or the caller belongs to none")
                });
            }
            if !WITHOUT_DATABASE.contains(&path.as_str()) {
                responses.entry("503".into()).or_insert_with(|| {
                    let RefOr::T(mut response) = problem(
                        "Busy: no database connection in time; try again after Retry-After",
                    ) else {
                        unreachable!("made inline")
                    };
                    response.headers.insert("Retry-After".into(), retry_after());
                    RefOr::T(response)
                });
            }
            responses.entry("414".into()).or_insert_with(|| {
                problem("The path and query are longer than the service reads (8 KiB)")
            });
            responses.entry("431".into()).or_insert_with(|| {
                problem("The header fields are more or larger than the service reads (64; 16 KiB)")
            });
            responses
                .entry("500".into())
                .or_insert_with(|| problem("Internal error; quote the X-Request-Id"));
            for response in responses.values_mut() {
                if let RefOr::T(response) = response {
                    response
                        .headers
                        .entry("X-Request-Id".into())
                        .or_insert_with(request_id);
                }
            }
        }
    }
}

fn operations_mut(
    item: &mut utoipa::openapi::PathItem,
) -> impl Iterator<Item = (&'static str, &mut Operation)> {
    [
        ("GET", &mut item.get),
        ("PUT", &mut item.put),
        ("POST", &mut item.post),
        ("DELETE", &mut item.delete),
        ("OPTIONS", &mut item.options),
        ("HEAD", &mut item.head),
        ("PATCH", &mut item.patch),
    ]
    .into_iter()
    .filter_map(|(method, op)| op.as_mut().map(|op| (method, op)))
}

/// The whole document.
pub fn document() -> OpenApiDoc {
    let (_, mut openapi) = actix_web::App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(crate::routes::configure)
        .split_for_parts();
    add_common_errors(&mut openapi);
    add_examples(&mut openapi);
    summaries_and_descriptions(&mut openapi);
    add_head_operations(&mut openapi);
    drop_unused_schemas(&mut openapi);
    openapi
}

/// A handler's doc comment is the operation's text: its first sentence
/// the summary, the whole of it the description (utoipa puts a one-paragraph
/// comment in the summary only).
fn summaries_and_descriptions(openapi: &mut OpenApiDoc) {
    for item in openapi.paths.paths.values_mut() {
        for (_, operation) in operations_mut(item) {
            let Some(text) = operation.summary.clone() else {
                continue;
            };
            let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
            let first = text
                .split_inclusive(". ")
                .next()
                .unwrap_or(&text)
                .trim()
                .trim_end_matches('.')
                .to_owned();
            let description = match operation.description.take() {
                Some(rest) if !rest.trim().is_empty() => format!("{text}\n\n{rest}"),
                _ => text,
            };
            operation.summary = Some(first);
            operation.description = Some(description);
        }
    }
}

/// Removes component schemas nothing refers to (a generic's item that
/// ended up inlined, say), so that the document holds only what it uses.
fn drop_unused_schemas(openapi: &mut OpenApiDoc) {
    loop {
        let Ok(text) = serde_json::to_string(&*openapi) else {
            return;
        };
        let Some(components) = openapi.components.as_mut() else {
            return;
        };
        let unused: Vec<String> = components
            .schemas
            .keys()
            .filter(|name| !text.contains(&format!("\"#/components/schemas/{name}\"")))
            .cloned()
            .collect();
        if unused.is_empty() {
            return;
        }
        for name in unused {
            components.schemas.remove(&name);
        }
    }
}

mod examples {
    include!(concat!(env!("OUT_DIR"), "/examples.rs"));
}

/// An example by its file stem in `openapi/examples/`.
fn example(stem: &str) -> Option<serde_json::Value> {
    examples::EXAMPLES
        .iter()
        .find(|(name, _)| *name == stem)
        .map(|(_, text)| serde_json::from_str(text).expect("the examples are JSON (tested)"))
}

/// Puts the examples of `openapi/examples/` on the request bodies
/// (`<operation id>.request.json`, or the example notification for a body
/// that is one) and the answers (`<operation id>.<status>.json`).
fn add_examples(openapi: &mut OpenApiDoc) {
    for item in openapi.paths.paths.values_mut() {
        for (_, operation) in operations_mut(item) {
            let Some(id) = operation.operation_id.clone() else {
                continue;
            };
            if let Some(body) = &mut operation.request_body {
                for content in body.content.values_mut() {
                    let is_notification = matches!(
                        &content.schema,
                        Some(RefOr::Ref(r)) if r.ref_location.ends_with("/NotificationInput")
                    );
                    let found = example(&format!("{id}.request"))
                        .or_else(|| is_notification.then(|| example("notification")).flatten());
                    if content.example.is_none() {
                        content.example = found;
                    }
                }
            }
            for (status, response) in operation.responses.responses.iter_mut() {
                let RefOr::T(response) = response else {
                    continue;
                };
                for (media, content) in response.content.iter_mut() {
                    if media.contains("json") && content.example.is_none() {
                        content.example = example(&format!("{id}.{status}"));
                    }
                    if media == "application/pdf" {
                        // Bytes, not an array of numbers.
                        content.schema = Some(RefOr::T(
                            utoipa::openapi::ObjectBuilder::new()
                                .schema_type(utoipa::openapi::Type::String)
                                .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
                                    utoipa::openapi::KnownFormat::Binary,
                                )))
                                .content_media_type("application/pdf")
                                .into(),
                        ));
                    }
                }
            }
        }
    }
}

/// `HEAD` wherever `GET` is: the same operation, the same headers, no body.
fn add_head_operations(openapi: &mut OpenApiDoc) {
    for item in openapi.paths.paths.values_mut() {
        let Some(get) = &item.get else { continue };
        let mut head = get.clone();
        head.operation_id = get.operation_id.as_ref().map(|id| format!("head_{id}"));
        head.summary = Some(format!(
            "The headers of GET{}",
            get.summary
                .as_ref()
                .map(|s| format!(": {s}"))
                .unwrap_or_default()
        ));
        head.description =
            Some("The same answer as GET, without its body: status and headers only.".to_owned());
        for response in head.responses.responses.values_mut() {
            if let RefOr::T(response) = response {
                response.content.clear();
            }
        }
        item.head = Some(head);
    }
}

/// The document as pretty JSON with a final newline, as committed.
pub fn document_json() -> String {
    render(&document())
}

/// `openapi` as served: refined for input, pretty, with a final newline.
pub fn render(openapi: &OpenApiDoc) -> String {
    let mut value = serde_json::to_value(openapi).expect("the document serialises");
    wire::refine(&mut value);
    headers::declare(&mut value);
    let mut json = serde_json::to_string_pretty(&value).expect("the document serialises");
    json.push('\n');
    json
}

/// Every path of the document with its methods, for the fallback to tell
/// 405 from 404.
pub fn operations(openapi: &OpenApiDoc) -> Vec<(String, Vec<&'static str>)> {
    openapi
        .paths
        .paths
        .iter()
        .map(|(path, item)| {
            let mut item = item.clone();
            let methods = operations_mut(&mut item).map(|(m, _)| m).collect();
            (path.clone(), methods)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_declares_its_id_security_and_a_500() {
        let doc = document();
        for (path, item) in &doc.paths.paths {
            let mut item = item.clone();
            for (method, op) in operations_mut(&mut item) {
                assert!(
                    op.operation_id.is_some(),
                    "{method} {path} has no operation id"
                );
                assert!(
                    op.security.is_some(),
                    "{method} {path} declares no security"
                );
                assert!(
                    op.responses.responses.contains_key("500"),
                    "{method} {path}"
                );
                assert!(
                    op.summary
                        .as_ref()
                        .is_some_and(|s| !s.is_empty() && !s.contains('\n'))
                        && op.description.as_ref().is_some_and(|d| !d.is_empty()),
                    "{method} {path} has no one-line summary and description"
                );
            }
        }
    }
}
