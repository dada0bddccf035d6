//! Submitting a notification, and checking one without storing it.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, post, web};
use chrono::NaiveDate;
use diesel::OptionalExtension;
use diesel_async::{AsyncConnection, AsyncPgConnection};
use uuid::Uuid;

use super::NotificationSettings;
use super::asks::{Asking, ask_to_confirm_new};
use super::store::{self, transitions, transitions::Submitter};
use super::views::{Links, Submitted, ValidationReport};
use crate::api::{AcceptLanguage, field_problems, request_id, validation_error};
use crate::audit::{self, Entry};
use crate::auth::{Principal, SubjectKind};
use crate::clock::Clock;
use crate::db::Pool;
use crate::domain::i18n::Lang;
use crate::domain::lifecycle::Action;
use crate::domain::lifecycle::Status;
use crate::domain::notification::{Context, NotificationInput, Validated, Violation, validate};
use crate::domain::number::NotificationNumber;
use crate::domain::version::{Confirming, VersionKind};
use crate::error::{ApiError, FieldProblem, Problem, Say, on_unique};
use crate::extract::LenientJson;
use crate::idempotency::{Answer, Idempotency};

pub(super) fn journal_conflict(number: Option<NotificationNumber>) -> ApiError {
    ApiError::conflict(
        "patient_journal_exists",
        match number {
            Some(n) => Say::new("patient_journal_exists").with("number", n),
            None => Say::new("patient_journal_exists_unnumbered"),
        },
    )
}

/// The index that refuses a second live patient journal.
const ONE_JOURNAL: &str = "notifications_one_journal_per_organisation";

/// Maps the database's refusal of a second live journal.
pub(super) fn journal_index(err: diesel::result::Error) -> ApiError {
    on_unique(err, ONE_JOURNAL, || journal_conflict(None))
}

/// Validates content: the rules of the domain plus the facts only the
/// database knows (the organisation's journal; the number renewed).
pub(super) async fn check(
    conn: &mut AsyncPgConnection,
    organisation: Uuid,
    input: &NotificationInput,
    today: NaiveDate,
    amending: Option<Uuid>,
    lang: Lang,
    shape: &[FieldProblem],
) -> Result<Validated, ApiError> {
    let existing_journal = store::live_journal(conn, organisation, amending).await?;
    let context = Context {
        today,
        existing_journal,
    };
    let validated = match validate(input, &context) {
        Ok(validated) if shape.is_empty() => validated,
        Ok(validated) => return Err(together(shape, &[], &validated.warnings, lang)),
        Err(rejected) if rejected.is_journal_conflict() && shape.is_empty() => {
            return Err(journal_conflict(existing_journal));
        }
        Err(rejected) => {
            return Err(together(shape, &rejected.errors, &rejected.warnings, lang));
        }
    };
    if let Some(previous) = validated.notification.previous_number() {
        let renewable = store::by_number(conn, organisation, &previous.to_string())
            .await
            .optional()?
            .is_some_and(|row| row.status().apply(Action::Renew).is_ok());
        if !renewable {
            let violation = Violation {
                pointer: "/previous_number".into(),
                code: "previous_number_unknown",
                args: vec![("number", previous.to_string())],
            };
            return Err(validation_error(&[violation], &validated.warnings, lang));
        }
    }
    Ok(validated)
}

/// The fields of the wrong shape and the rules' errors, in one answer; a
/// rule's error at a field already named for its shape is left out.
fn together(
    shape: &[FieldProblem],
    errors: &[Violation],
    warnings: &[Violation],
    lang: Lang,
) -> ApiError {
    let ApiError::Validation {
        errors: rules,
        warnings,
    } = validation_error(errors, warnings, lang)
    else {
        unreachable!("validation_error makes a validation problem")
    };
    let mut all: Vec<FieldProblem> = shape.iter().map(|s| s.clone().in_lang(lang)).collect();
    all.extend(
        rules
            .into_iter()
            .filter(|r| !shape.iter().any(|s| s.pointer == r.pointer)),
    );
    ApiError::Validation {
        errors: all,
        warnings,
    }
}

/// Submits a new notification (version 1). It counts once confirmed from
/// the `confirmation_email` address.
#[utoipa::path(
    tag = "notifications",
    operation_id = "create_notification",
    security(("bearer" = []), ("maskinporten" = [])),
    params(("Idempotency-Key" = Option<String>, Header, pattern = "^[\\x21-\\x7E]{1,255}$",
        description = "Makes retries safe: the same key and body within 24 hours return the first answer")),
    request_body(content = NotificationInput, example = crate::domain::notification::example),
    responses(
        (status = 201, description = "Submitted; a confirmation message is on its way", body = Submitted,
            headers(("Location" = String, description = "The new notification"),
                    ("ETag" = String, description = "Its current state"))),
        (status = 404, description = "The caller belongs to no organisation", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The organisation already has a patient journal (`code: patient_journal_exists`)",
            body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Every broken rule, each with its pointer and code; or an Idempotency-Key reused with another body",
            body = Problem, content_type = "application/problem+json", example = json!({
                "type": "https://meldeplikt.example/problems/validation",
                "title": "The request is not valid",
                "status": 422,
                "errors": [
                    { "pointer": "/controller/identifier/value", "code": "orgnr_checksum",
                      "message": "Organisasjonsnummeret er ikke gyldig (kontrollsifferet stemmer ikke)." },
                    { "pointer": "/research_area", "code": "research_area_without_research",
                      "message": "Et forskningsområde kan bare oppgis når formålet er forskning." }
                ],
                "warnings": []
            })),
        (status = 429, description = "The organisation's mail for the hour is spent; wait `Retry-After` seconds",
            body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("")]
#[tracing::instrument(skip_all)]
pub(super) async fn create_notification(
    req: HttpRequest,
    principal: Principal,
    lang: AcceptLanguage,
    pool: web::Data<Pool>,
    clock: web::Data<Clock>,
    settings: web::Data<NotificationSettings>,
    body: LenientJson<NotificationInput>,
) -> Result<HttpResponse, ApiError> {
    let organisation = principal.organisation()?;
    // The body as read and the fields set aside for their shape: a body
    // with a field of the wrong type is another body than one without it,
    // though both read to the same input.
    let set_aside: Vec<&str> = body.1.iter().map(|p| p.pointer.as_str()).collect();
    let idempotency = Idempotency::of(
        &req,
        format!("organisation:{organisation}"),
        &(&body.0, &set_aside),
    )?;
    let request_id = request_id(&req);
    let now = clock.now();
    let today = clock.today();
    let LenientJson(input, shape) = body;
    let mut conn = pool.get().await?;
    let answer = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            if let Some(answer) = idempotency.replay(conn).await? {
                return Ok(answer);
            }
            let validated = check(conn, organisation, &input, today, None, lang.0, &shape).await?;
            let content = &validated.notification;
            let year = u16::try_from(chrono::Datelike::year(&today)).map_err(ApiError::internal)?;
            let number = store::next_number(conn, year).await?;
            // Time-ordered: lists order by (created_at, id), and ids made
            // in one process sort in the order they were made, also when
            // two creations share a timestamp.
            let id = Uuid::now_v7();
            let by = Submitter {
                kind: principal.kind,
                id: principal.id,
            };
            let number_text = number.to_string();
            let kind = VersionKind::first(content.registration_kind());
            let mut answer = Answer::json(
                StatusCode::CREATED,
                &Submitted {
                    number: number_text.clone(),
                    status: Status::AwaitingConfirmation,
                    version: 1,
                    replaced_pending_version: None,
                    warnings: field_problems(&validated.warnings, lang.0),
                    links: Links::of(&number_text),
                },
            )?;
            answer.location = Some(format!("/v1/notifications/{number_text}"));
            let audited = Entry::by(
                &principal,
                "notification.submitted",
                format!("notification:{number}"),
                request_id,
                serde_json::json!({ "version": 1, "kind": kind.code() }),
            );
            let asking = Asking {
                notification_id: id,
                organisation_id: organisation,
                number: &number_text,
                confirming: Confirming::Registration,
                version: Some(1),
            };
            // What follows the last answer needed is sent at once, in this
            // order, and the answers are read after (pipelined): the
            // notification, the link and its mail, and the audit entry,
            // which is the last lock taken (`audit`), where nothing else
            // must come between it and the commit.
            let audit_now = !idempotency.is_active() && principal.kind != SubjectKind::Maskinporten;
            let (inline, after) = match audit_now {
                true => (Some(audited), None),
                false => (None, Some(audited)),
            };
            let shared: &AsyncPgConnection = conn;
            let (row, asked, appended) = tokio::join!(
                transitions::create(shared, id, number, organisation, content, by, now),
                ask_to_confirm_new(shared, &settings, asking, content, now),
                async move {
                    match inline {
                        Some(entry) => Some(audit::record(shared, entry).await),
                        None => None,
                    }
                },
            );
            let row = row.map_err(journal_index)?;
            asked?;
            if let Some(appended) = appended {
                appended?;
            }
            answer.etag = Some(row.etag());
            if principal.kind == SubjectKind::Maskinporten {
                // Registered on first use without a name: its first
                // notification about itself gives it one.
                let controller = content.controller();
                crate::accounts::store::name_if_unnamed(
                    conn,
                    organisation,
                    &controller.identifier,
                    &controller.name,
                )
                .await?;
            }
            if let Some(entry) = after {
                idempotency.keep(conn, &answer).await?;
                // Last: the audit lock is the last lock taken (`audit`).
                audit::record(conn, entry).await?;
            }
            Ok(answer)
        })
        .await?;
    Ok(answer.into_response())
}

/// Checks a notification without storing anything: every error and warning.
#[utoipa::path(
    tag = "notifications",
    operation_id = "validate_notification",
    security(("bearer" = []), ("maskinporten" = [])),
    request_body(content = Object, description = "A notification as for `POST /v1/notifications`, complete or not: any JSON object; the report names every field that is wrong", example = crate::domain::notification::example),
    responses(
        (status = 200, description = "The verdict, with every error and warning", body = ValidationReport),
        (status = 404, description = "The caller belongs to no organisation", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The body cannot be read as a notification: not a JSON object, or NUL or another control character in a text (each named); fields of the wrong shape are reported in the 200",
            body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/validate")]
pub(super) async fn validate_notification(
    principal: Principal,
    lang: AcceptLanguage,
    pool: web::Data<Pool>,
    clock: web::Data<Clock>,
    body: LenientJson<NotificationInput>,
) -> Result<HttpResponse, ApiError> {
    let organisation = principal.organisation()?;
    let mut conn = pool.get().await?;
    let report = match check(
        &mut conn,
        organisation,
        &body.0,
        clock.today(),
        None,
        lang.0,
        &body.1,
    )
    .await
    {
        Ok(validated) => ValidationReport {
            valid: true,
            errors: Vec::new(),
            warnings: field_problems(&validated.warnings, lang.0),
        },
        Err(ApiError::Validation { errors, warnings }) => ValidationReport {
            valid: false,
            errors,
            warnings,
        },
        Err(ApiError::Conflict { detail, code }) => ValidationReport {
            valid: false,
            errors: vec![
                FieldProblem::new("/legal_ground", code.unwrap_or("conflict"), detail)
                    .in_lang(lang.0),
            ],
            warnings: Vec::new(),
        },
        Err(other) => return Err(other),
    };
    Ok(HttpResponse::Ok().json(report))
}
