//! Notifications over HTTP: create, validate, read, history, amend with the
//! key, withdraw.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use diesel_async::{AsyncConnection, AsyncPgConnection};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::NotificationSettings;
use super::store::{self, Filters, NewVersion, NotificationRow, VersionRow};
use crate::api::{AcceptLanguage, List, PageParams, field_problems, request_id, validation_error};
use crate::audit::{self, Entry};
use crate::auth::{Principal, SubjectKind, throttle};
use crate::clock::Clock;
use crate::confirmations;
use crate::db::Pool;
use crate::domain::code_lists::{Law, LegalGround, Purpose, RegistrationKind, Sector};
use crate::domain::diff::{Change, diff};
use crate::domain::i18n::Lang;
use crate::domain::key::{KeyError, NotificationKey};
use crate::domain::lifecycle::{Action, Status};
use crate::domain::notification::{
    Context, Notification, NotificationInput, Validated, Violation, validate,
};
use crate::domain::number::NotificationNumber;
use crate::domain::receipt::content_digest;
use crate::error::{ApiError, FieldProblem, Problem};
use crate::extract::ApiJson;
use crate::idempotency::{Answer, Idempotency};
use crate::mail::templates::Confirming;

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(create_notification)
        .service(validate_notification)
        .service(list_notifications)
        .service(get_notification)
        .service(list_versions)
        .service(get_version)
        .service(get_diff)
        .service(create_amendment)
        .service(create_withdrawal);
}

/// Links to related resources.
#[derive(Debug, Serialize, ToSchema)]
pub struct Links {
    #[serde(rename = "self")]
    #[schema(example = "/v1/notifications/2026-000123")]
    pub self_link: String,
    #[schema(example = "/v1/notifications/2026-000123/versions")]
    pub versions: String,
}

impl Links {
    fn of(number: &str) -> Self {
        Self {
            self_link: format!("/v1/notifications/{number}"),
            versions: format!("/v1/notifications/{number}/versions"),
        }
    }
}

/// A submission accepted and waiting for confirmation by e-mail.
#[derive(Debug, Serialize, ToSchema)]
pub struct Submitted {
    #[schema(example = "2026-000123")]
    pub number: String,
    pub status: Status,
    #[schema(example = 1)]
    pub version: i32,
    /// With an amendment: the pending amendment this one replaced.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replaced_pending_version: Option<i32>,
    /// Problems that do not block, in the language asked for.
    pub warnings: Vec<FieldProblem>,
    pub links: Links,
}

/// What waits for confirmation.
#[derive(Debug, Serialize, ToSchema)]
pub struct Pending {
    /// `registration`, `amendment` or `withdrawal`.
    #[schema(example = "amendment")]
    pub kind: &'static str,
    /// The version waiting; none for a withdrawal.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<i32>,
}

/// A notification: its state and the content that counts now.
#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationView {
    #[schema(example = "2026-000123")]
    pub number: String,
    pub status: Status,
    /// The confirmed version valid now; none before the first confirmation.
    pub registered_version: Option<i32>,
    pub latest_version: i32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pending: Option<Pending>,
    /// Which version `content` is: the registered one, else the latest.
    pub content_version: i32,
    #[schema(value_type = NotificationInput)]
    pub content: serde_json::Value,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub registered_at: Option<DateTime<Utc>>,
    pub expires_on: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous_number: Option<String>,
    pub links: Links,
}

/// One notification in a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationSummary {
    #[schema(example = "2026-000123")]
    pub number: String,
    pub status: Status,
    pub controller_name: String,
    #[schema(value_type = Law)]
    pub law: String,
    #[schema(value_type = LegalGround)]
    pub legal_ground: String,
    #[schema(value_type = Sector)]
    pub sector: String,
    #[schema(value_type = Purpose)]
    pub purpose: String,
    pub start_date: NaiveDate,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub registered_at: Option<DateTime<Utc>>,
    pub expires_on: Option<NaiveDate>,
}

impl From<&NotificationRow> for NotificationSummary {
    fn from(row: &NotificationRow) -> Self {
        Self {
            number: row.number.clone(),
            status: row.status(),
            controller_name: row.controller_name.clone(),
            law: row.law.clone(),
            legal_ground: row.legal_ground.clone(),
            sector: row.sector.clone(),
            purpose: row.purpose.clone(),
            start_date: row.start_date,
            created_at: row.created_at,
            updated_at: row.updated_at,
            registered_at: row.registered_at,
            expires_on: row.expires_on,
        }
    }
}

/// Who submitted a version.
#[derive(Debug, Serialize, ToSchema)]
pub struct Submitter {
    pub kind: SubjectKind,
    pub id: Uuid,
}

/// One version of a notification. Versions never change.
#[derive(Debug, Serialize, ToSchema)]
pub struct VersionView {
    pub version: i32,
    /// `registration`, `re_registration` or `amendment`.
    #[schema(example = "registration")]
    pub kind: String,
    /// `pending`, `confirmed`, `superseded` (replaced by a newer amendment
    /// before confirmation) or `lapsed` (never confirmed).
    #[schema(example = "confirmed")]
    pub state: String,
    pub submitted_at: DateTime<Utc>,
    pub submitted_by: Submitter,
    pub confirmed_at: Option<DateTime<Utc>>,
    /// SHA-256 of the canonical JSON of the content, as in the receipt.
    pub content_digest: String,
    /// Only when one version is asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<NotificationInput>)]
    pub content: Option<serde_json::Value>,
}

impl VersionView {
    fn of(row: VersionRow, with_content: bool) -> Self {
        Self {
            version: row.version,
            kind: row.kind,
            state: row.state,
            submitted_at: row.submitted_at,
            submitted_by: Submitter {
                kind: if row.submitted_by_kind == "client" {
                    SubjectKind::Client
                } else {
                    SubjectKind::User
                },
                id: row.submitted_by,
            },
            confirmed_at: row.confirmed_at,
            content_digest: row.content_digest,
            content: with_content.then_some(row.content),
        }
    }
}

/// The versions of a notification, oldest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct Versions {
    pub items: Vec<VersionView>,
}

/// The field-by-field difference between two versions.
#[derive(Debug, Serialize, ToSchema)]
pub struct DiffView {
    pub from: i32,
    pub to: i32,
    pub changes: Vec<Change>,
}

/// A dry run's verdict.
#[derive(Debug, Serialize, ToSchema)]
pub struct ValidationReport {
    /// True when nothing blocks submission.
    pub valid: bool,
    pub errors: Vec<FieldProblem>,
    pub warnings: Vec<FieldProblem>,
}

fn journal_conflict(number: Option<NotificationNumber>) -> ApiError {
    ApiError::conflict(
        "patient_journal_exists",
        match number {
            Some(n) => format!(
                "The organisation already has a patient journal notification, {n}; amend that one instead"
            ),
            None => "The organisation already has a patient journal notification; amend that one instead"
                .to_owned(),
        },
    )
}

/// Maps the database's refusal of a second live journal.
fn journal_index(err: diesel::result::Error) -> ApiError {
    use diesel::result::{DatabaseErrorKind, Error};
    match &err {
        Error::DatabaseError(DatabaseErrorKind::UniqueViolation, info)
            if info.constraint_name() == Some("notifications_one_journal_per_organisation") =>
        {
            journal_conflict(None)
        }
        _ => err.into(),
    }
}

/// Validates content: the rules of the domain plus the facts only the
/// database knows (the organisation's journal; the number renewed).
async fn check(
    conn: &mut AsyncPgConnection,
    organisation: Uuid,
    input: &NotificationInput,
    today: NaiveDate,
    amending: Option<Uuid>,
    lang: Lang,
) -> Result<Validated, ApiError> {
    let existing_journal = store::live_journal(conn, organisation, amending).await?;
    let validated = match validate(
        input,
        &Context {
            today,
            existing_journal,
        },
    ) {
        Ok(validated) => validated,
        Err(rejected) if rejected.is_journal_conflict() => {
            return Err(journal_conflict(existing_journal));
        }
        Err(rejected) => {
            return Err(validation_error(&rejected.errors, &rejected.warnings, lang));
        }
    };
    if let Some(previous) = validated.notification.previous_number() {
        let renewable = match store::by_number(conn, organisation, &previous.to_string()).await {
            Ok(row) => row.status().is_registered() || row.status() == Status::Expired,
            Err(ApiError::NotFound) => false,
            Err(other) => return Err(other),
        };
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

/// Submits a new notification (version 1). It counts once confirmed from
/// the `confirmation_email` address.
#[utoipa::path(
    tag = "notifications",
    operation_id = "create_notification",
    security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header,
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
    )
)]
#[post("/v1/notifications")]
async fn create_notification(
    req: HttpRequest,
    principal: Principal,
    lang: AcceptLanguage,
    pool: web::Data<Pool>,
    clock: web::Data<Clock>,
    settings: web::Data<NotificationSettings>,
    body: ApiJson<NotificationInput>,
) -> Result<HttpResponse, ApiError> {
    let organisation = principal.organisation()?;
    let idempotency = Idempotency::of(&req, format!("organisation:{organisation}"), &body.0)?;
    let request_id = request_id(&req);
    let now = clock.now();
    let today = clock.today();
    let input = body.0;
    let mut conn = pool.get().await?;
    let answer = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            if let Some(answer) = idempotency.replay(conn).await? {
                return Ok(answer);
            }
            let validated = check(conn, organisation, &input, today, None, lang.0).await?;
            let content = &validated.notification;
            let year = u16::try_from(chrono::Datelike::year(&today)).map_err(ApiError::internal)?;
            let number = store::next_number(conn, year).await?;
            // Time-ordered: lists order by (created_at, id), and ids made
            // in one process sort in the order they were made, also when
            // two creations share a timestamp.
            let id = Uuid::now_v7();
            let row = store::insert_notification(conn, id, number, organisation, content, now)
                .await
                .map_err(journal_index)?;
            let kind = match content.registration_kind() {
                RegistrationKind::FirstRegistration => "registration",
                RegistrationKind::ReRegistration => "re_registration",
            };
            store::insert_version(
                conn,
                NewVersion {
                    notification_id: id,
                    version: 1,
                    kind,
                    content,
                    digest: &content_digest(&content.to_json()),
                    submitted_at: now,
                    submitted_by_kind: submitter_kind(&principal),
                    submitted_by: principal.id,
                },
            )
            .await?;
            audit::record(
                conn,
                Entry::by(
                    &principal,
                    "notification.submitted",
                    format!("notification:{number}"),
                    request_id,
                    serde_json::json!({ "version": 1, "kind": kind }),
                ),
            )
            .await?;
            confirmations::issue(
                conn,
                &settings,
                &row,
                Confirming::Registration,
                Some(1),
                content,
                now,
            )
            .await?;
            let mut answer = Answer::json(
                StatusCode::CREATED,
                &Submitted {
                    number: row.number.clone(),
                    status: row.status(),
                    version: 1,
                    replaced_pending_version: None,
                    warnings: field_problems(&validated.warnings, lang.0),
                    links: Links::of(&row.number),
                },
            )?;
            answer.location = Some(format!("/v1/notifications/{}", row.number));
            answer.etag = Some(row.etag());
            idempotency.keep(conn, &answer).await?;
            Ok(answer)
        })
        .await?;
    Ok(answer.into_response())
}

fn submitter_kind(principal: &Principal) -> &'static str {
    match principal.kind {
        SubjectKind::User => "user",
        SubjectKind::Client => "client",
    }
}

/// Checks a notification without storing anything: every error and warning.
#[utoipa::path(
    tag = "notifications",
    operation_id = "validate_notification",
    security(("bearer" = [])),
    request_body = NotificationInput,
    responses(
        (status = 200, description = "The verdict, with every error and warning", body = ValidationReport),
        (status = 404, description = "The caller belongs to no organisation", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The body is JSON of the wrong shape (unknown field, wrong type)",
            body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/v1/notifications/validate")]
async fn validate_notification(
    principal: Principal,
    lang: AcceptLanguage,
    pool: web::Data<Pool>,
    clock: web::Data<Clock>,
    body: ApiJson<NotificationInput>,
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
            errors: vec![FieldProblem::new(
                "/legal_ground",
                code.unwrap_or("conflict"),
                detail,
            )],
            warnings: Vec::new(),
        },
        Err(other) => return Err(other),
    };
    Ok(HttpResponse::Ok().json(report))
}

/// Filters of the list of one's own notifications.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Only in this state.
    #[param(value_type = Option<Status>)]
    pub status: Option<String>,
    #[param(value_type = Option<Law>)]
    pub law: Option<String>,
    #[param(value_type = Option<Purpose>)]
    pub purpose: Option<String>,
    #[param(value_type = Option<Sector>)]
    pub sector: Option<String>,
    /// Words in the controller's name or the description.
    pub q: Option<String>,
    /// How many items, 1 to 100 (default 20).
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

fn filter_code<T: Copy>(
    name: &str,
    value: &Option<String>,
    parse: impl Fn(&str) -> Option<T>,
    code: impl Fn(T) -> &'static str,
) -> Result<Option<&'static str>, ApiError> {
    match value.as_deref() {
        None | Some("") => Ok(None),
        Some(v) => parse(v).map(|p| Some(code(p))).ok_or_else(|| {
            ApiError::bad_field(name, "unknown_code", format!("{name} has no value {v:?}"))
        }),
    }
}

/// Lists one's own notifications, oldest first, with filters and cursors.
#[utoipa::path(
    tag = "notifications",
    operation_id = "list_notifications",
    security(("bearer" = [])),
    params(ListParams),
    responses(
        (status = 200, description = "One page", body = List<NotificationSummary>),
        (status = 400, description = "A filter, limit or cursor that is not valid, named", body = Problem,
            content_type = "application/problem+json"),
    )
)]
#[get("/v1/notifications")]
async fn list_notifications(
    principal: Principal,
    params: web::Query<ListParams>,
    pool: web::Data<Pool>,
) -> Result<HttpResponse, ApiError> {
    let organisation = principal.organisation()?;
    let page = PageParams {
        limit: params.limit,
        cursor: params.cursor.clone(),
    }
    .page()?;
    let q = params.q.as_deref().map(str::trim).filter(|q| !q.is_empty());
    if q.is_some_and(|q| q.chars().count() > 200) {
        return Err(ApiError::bad_field(
            "q",
            "too_long",
            "q must be at most 200 characters",
        ));
    }
    let filters = Filters {
        status: filter_code("status", &params.status, Status::parse, Status::code)?,
        law: filter_code("law", &params.law, Law::parse, Law::code)?,
        purpose: filter_code("purpose", &params.purpose, Purpose::parse, Purpose::code)?,
        sector: filter_code("sector", &params.sector, Sector::parse, Sector::code)?,
        q: q.map(str::to_owned),
    };
    let mut conn = pool.get().await?;
    let rows = store::list(&mut conn, organisation, &filters, page).await?;
    let list = List::from_rows(rows, page.limit, |r| (r.created_at, r.id));
    Ok(HttpResponse::Ok().json(List {
        items: list
            .items
            .iter()
            .map(NotificationSummary::from)
            .collect::<Vec<_>>(),
        next_cursor: list.next_cursor,
    }))
}

fn pending_of(row: &NotificationRow) -> Option<Pending> {
    match row.status() {
        Status::AwaitingConfirmation => Some(Pending {
            kind: "registration",
            version: Some(row.latest_version),
        }),
        Status::AmendmentAwaitingConfirmation => Some(Pending {
            kind: "amendment",
            version: Some(row.latest_version),
        }),
        Status::WithdrawalAwaitingConfirmation => Some(Pending {
            kind: "withdrawal",
            version: None,
        }),
        _ => None,
    }
}

/// A notification of one's own organisation: state and current content.
#[utoipa::path(
    tag = "notifications",
    operation_id = "get_notification",
    security(("bearer" = [])),
    params(("number" = String, Path, description = "The notification number", example = "2026-000123")),
    responses(
        (status = 200, description = "The notification", body = NotificationView,
            headers(("ETag" = String, description = "Send as If-Match when amending"))),
        (status = 404, description = "No such notification of one's organisation", body = Problem,
            content_type = "application/problem+json"),
    )
)]
#[get("/v1/notifications/{number}")]
async fn get_notification(
    principal: Principal,
    path: web::Path<NotificationNumber>,
    pool: web::Data<Pool>,
) -> Result<HttpResponse, ApiError> {
    let organisation = principal.organisation()?;
    let mut conn = pool.get().await?;
    let row = store::by_number(&mut conn, organisation, &path.to_string()).await?;
    let shown = store::version(&mut conn, row.id, row.shown_version()).await?;
    let view = NotificationView {
        number: row.number.clone(),
        status: row.status(),
        registered_version: row.registered_version,
        latest_version: row.latest_version,
        pending: pending_of(&row),
        content_version: shown.version,
        content: shown.content,
        created_at: row.created_at,
        updated_at: row.updated_at,
        registered_at: row.registered_at,
        expires_on: row.expires_on,
        previous_number: row.previous_number.clone(),
        links: Links::of(&row.number),
    };
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, row.etag()))
        .insert_header((header::CACHE_CONTROL, "private, no-cache"))
        .json(view))
}

/// Every version of a notification, who submitted it and when it was confirmed.
#[utoipa::path(
    tag = "notifications",
    operation_id = "list_versions",
    security(("bearer" = [])),
    params(("number" = String, Path, description = "The notification number")),
    responses(
        (status = 200, description = "The versions, oldest first", body = Versions),
        (status = 404, description = "No such notification of one's organisation", body = Problem,
            content_type = "application/problem+json"),
    )
)]
#[get("/v1/notifications/{number}/versions")]
async fn list_versions(
    principal: Principal,
    path: web::Path<NotificationNumber>,
    pool: web::Data<Pool>,
) -> Result<HttpResponse, ApiError> {
    let organisation = principal.organisation()?;
    let mut conn = pool.get().await?;
    let row = store::by_number(&mut conn, organisation, &path.to_string()).await?;
    let items = store::versions(&mut conn, row.id)
        .await?
        .into_iter()
        .map(|v| VersionView::of(v, false))
        .collect();
    Ok(HttpResponse::Ok().json(Versions { items }))
}

/// One version with its content.
#[utoipa::path(
    tag = "notifications",
    operation_id = "get_version",
    security(("bearer" = [])),
    params(
        ("number" = String, Path, description = "The notification number"),
        ("version" = i32, Path, description = "The version, from 1"),
    ),
    responses(
        (status = 200, description = "The version", body = VersionView),
        (status = 404, description = "No such notification or version", body = Problem,
            content_type = "application/problem+json"),
    )
)]
#[get("/v1/notifications/{number}/versions/{version}")]
async fn get_version(
    principal: Principal,
    path: web::Path<(NotificationNumber, i32)>,
    pool: web::Data<Pool>,
) -> Result<HttpResponse, ApiError> {
    let organisation = principal.organisation()?;
    let (number, version) = path.into_inner();
    let mut conn = pool.get().await?;
    let row = store::by_number(&mut conn, organisation, &number.to_string()).await?;
    let version = store::version(&mut conn, row.id, version).await?;
    Ok(HttpResponse::Ok().json(VersionView::of(version, true)))
}

/// Which two versions to compare.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DiffParams {
    /// The older version.
    pub from: i32,
    /// The newer version.
    pub to: i32,
}

/// The field-by-field difference between two versions, by JSON pointer.
#[utoipa::path(
    tag = "notifications",
    operation_id = "get_diff",
    security(("bearer" = [])),
    params(("number" = String, Path, description = "The notification number"), DiffParams),
    responses(
        (status = 200, description = "What changed", body = DiffView),
        (status = 400, description = "from or to is missing or not a number", body = Problem,
            content_type = "application/problem+json"),
        (status = 404, description = "No such notification or version", body = Problem,
            content_type = "application/problem+json"),
    )
)]
#[get("/v1/notifications/{number}/diff")]
async fn get_diff(
    principal: Principal,
    path: web::Path<NotificationNumber>,
    params: web::Query<DiffParams>,
    pool: web::Data<Pool>,
) -> Result<HttpResponse, ApiError> {
    let organisation = principal.organisation()?;
    let mut conn = pool.get().await?;
    let row = store::by_number(&mut conn, organisation, &path.to_string()).await?;
    let from = store::version(&mut conn, row.id, params.from).await?;
    let to = store::version(&mut conn, row.id, params.to).await?;
    Ok(HttpResponse::Ok().json(DiffView {
        from: from.version,
        to: to.version,
        changes: diff(&from.content, &to.content),
    }))
}

/// An amendment: the key and the complete new content.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AmendmentInput {
    /// The notification key (meldingsnøkkel) from the receipt.
    #[schema(example = "7K3M-Q9ZD-R2XW-4H8T", required = true)]
    pub notification_key: Option<String>,
    /// The complete new content.
    #[schema(required = true)]
    pub notification: Option<NotificationInput>,
}

/// A withdrawal: the processing has ended.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WithdrawalInput {
    /// The notification key (meldingsnøkkel) from the receipt.
    #[schema(example = "7K3M-Q9ZD-R2XW-4H8T", required = true)]
    pub notification_key: Option<String>,
}

/// Reads the key; a mistyped one is told apart from a wrong one, since the
/// check character says so without looking anything up.
fn parse_key(typed: &Option<String>, lang: Lang) -> Result<NotificationKey, ApiError> {
    let code = match typed.as_deref().map(NotificationKey::parse) {
        Some(Ok(key)) => return Ok(key),
        None => "required",
        Some(Err(KeyError::Format)) => "key_format",
        Some(Err(KeyError::Check)) => "key_mistyped",
    };
    let violation = Violation {
        pointer: "/notification_key".into(),
        code,
        args: Vec::new(),
    };
    Err(validation_error(&[violation], &[], lang))
}

/// Checks the key of a notification of the caller's organisation; a wrong
/// key reads as an unknown number, and repeated wrong keys are throttled.
async fn verify_key(
    pool: &Pool,
    settings: &NotificationSettings,
    organisation: Uuid,
    number: &str,
    key: &NotificationKey,
) -> Result<(), ApiError> {
    let mut conn = pool.get().await?;
    let row = store::by_number(&mut conn, organisation, number).await?;
    let throttle_key = format!("notification-key:{}", row.id);
    throttle::check(&mut conn, &throttle_key).await?;
    let genuine = row
        .key_hash
        .as_deref()
        .is_some_and(|hash| key.matches(settings.key_secret(), hash));
    if genuine {
        throttle::clear(&mut conn, &throttle_key).await?;
        Ok(())
    } else {
        throttle::fail(&mut conn, &throttle_key, settings.free_key_failures).await?;
        tracing::info!(event = "notification.key_rejected", notification = %row.number, "a wrong notification key");
        Err(ApiError::NotFound)
    }
}

/// Locks the notification for a change and checks `If-Match` against it.
async fn lock_for_change(
    conn: &mut AsyncPgConnection,
    organisation: Uuid,
    number: &str,
    expected: Option<&str>,
) -> Result<NotificationRow, ApiError> {
    let row = store::by_number_for_update(conn, organisation, number).await?;
    if_match(expected, &row)?;
    Ok(row)
}

/// The `If-Match` header, read before a transaction.
fn if_match_header(req: &HttpRequest) -> Option<String> {
    req.headers()
        .get(header::IF_MATCH)
        .map(|v| v.to_str().unwrap_or_default().to_owned())
}

/// Checks `If-Match` against the notification's ETag.
fn if_match(value: Option<&str>, row: &NotificationRow) -> Result<(), ApiError> {
    let Some(value) = value else {
        return Ok(());
    };
    let etag = row.etag();
    let matches = value.trim() == "*"
        || value
            .split(',')
            .map(|v| v.trim().trim_start_matches("W/"))
            .any(|v| v == etag);
    if matches {
        Ok(())
    } else {
        Err(ApiError::PreconditionFailed)
    }
}

fn not_allowed(err: crate::domain::lifecycle::TransitionError) -> ApiError {
    ApiError::conflict("transition_not_allowed", err.to_string())
}

/// Submits an amendment: a complete new version, with the notification key.
/// It waits for confirmation; the registered version stays valid until then.
/// A second amendment while one waits replaces the waiting one.
#[utoipa::path(
    tag = "notifications",
    operation_id = "create_amendment",
    security(("bearer" = [])),
    params(
        ("number" = String, Path, description = "The notification number"),
        ("If-Match" = Option<String>, Header, description = "The ETag last read; a stale one gets 412"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe"),
    ),
    request_body = AmendmentInput,
    responses(
        (status = 201, description = "The new version, waiting for confirmation", body = Submitted,
            headers(("Location" = String, description = "The new version"), ("ETag" = String))),
        (status = 404, description = "No such notification of one's organisation, or a wrong key", body = Problem,
            content_type = "application/problem+json"),
        (status = 409, description = "The notification's state allows no amendment (`code: transition_not_allowed`), or a second journal",
            body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The notification changed since the ETag in If-Match", body = Problem,
            content_type = "application/problem+json"),
        (status = 422, description = "Every broken rule; or a mistyped key (`key_mistyped`)", body = Problem,
            content_type = "application/problem+json"),
        (status = 429, description = "Too many wrong keys for this notification", body = Problem,
            content_type = "application/problem+json"),
    )
)]
#[post("/v1/notifications/{number}/amendments")]
#[expect(clippy::too_many_arguments, reason = "one extractor per need")]
async fn create_amendment(
    req: HttpRequest,
    principal: Principal,
    lang: AcceptLanguage,
    path: web::Path<NotificationNumber>,
    pool: web::Data<Pool>,
    clock: web::Data<Clock>,
    settings: web::Data<NotificationSettings>,
    body: ApiJson<AmendmentInput>,
) -> Result<HttpResponse, ApiError> {
    let organisation = principal.organisation()?;
    let number = path.to_string();
    let key = parse_key(&body.0.notification_key, lang.0)?;
    let Some(input) = &body.0.notification else {
        let violation = Violation {
            pointer: "/notification".into(),
            code: "required",
            args: Vec::new(),
        };
        return Err(validation_error(&[violation], &[], lang.0));
    };
    let idempotency = Idempotency::of(&req, format!("organisation:{organisation}"), &body.0)?;
    verify_key(&pool, &settings, organisation, &number, &key).await?;
    let request_id = request_id(&req);
    let expected = if_match_header(&req);
    let now = clock.now();
    let today = clock.today();
    let mut conn = pool.get().await?;
    let answer = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            if let Some(answer) = idempotency.replay(conn).await? {
                return Ok(answer);
            }
            let row = lock_for_change(conn, organisation, &number, expected.as_deref()).await?;
            let next = row.status().apply(Action::Amend).map_err(not_allowed)?;
            let validated = check(conn, organisation, input, today, Some(row.id), lang.0).await?;
            let content: &Notification = &validated.notification;
            let replaced = if store::supersede_pending(conn, row.id).await? {
                Some(row.latest_version)
            } else {
                None
            };
            let version = row.latest_version + 1;
            store::insert_version(
                conn,
                NewVersion {
                    notification_id: row.id,
                    version,
                    kind: "amendment",
                    content,
                    digest: &content_digest(&content.to_json()),
                    submitted_at: now,
                    submitted_by_kind: submitter_kind(&principal),
                    submitted_by: principal.id,
                },
            )
            .await?;
            let registered_is_journal = row.legal_ground == LegalGround::PatientJournal.code();
            let updated = store::set_pending(
                conn,
                row.id,
                next,
                version,
                registered_is_journal || content.is_patient_journal(),
                now,
            )
            .await
            .map_err(|e| match e {
                ApiError::Conflict { .. } => journal_conflict(None),
                other => other,
            })?;
            audit::record(
                conn,
                Entry::by(
                    &principal,
                    "notification.amendment_submitted",
                    format!("notification:{number}"),
                    request_id,
                    serde_json::json!({ "version": version, "replaced_pending_version": replaced }),
                ),
            )
            .await?;
            confirmations::issue(
                conn,
                &settings,
                &updated,
                Confirming::Amendment,
                Some(version),
                content,
                now,
            )
            .await?;
            let mut answer = Answer::json(
                StatusCode::CREATED,
                &Submitted {
                    number: number.clone(),
                    status: updated.status(),
                    version,
                    replaced_pending_version: replaced,
                    warnings: field_problems(&validated.warnings, lang.0),
                    links: Links::of(&number),
                },
            )?;
            answer.location = Some(format!("/v1/notifications/{number}/versions/{version}"));
            answer.etag = Some(updated.etag());
            idempotency.keep(conn, &answer).await?;
            Ok(answer)
        })
        .await?;
    Ok(answer.into_response())
}

/// The processing has ended: asks to withdraw the notification, with its
/// key. The withdrawal waits for confirmation, like a submission.
#[utoipa::path(
    tag = "notifications",
    operation_id = "create_withdrawal",
    security(("bearer" = [])),
    params(
        ("number" = String, Path, description = "The notification number"),
        ("If-Match" = Option<String>, Header, description = "The ETag last read; a stale one gets 412"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe"),
    ),
    request_body = WithdrawalInput,
    responses(
        (status = 201, description = "The withdrawal, waiting for confirmation", body = Submitted,
            headers(("Location" = String), ("ETag" = String))),
        (status = 404, description = "No such notification of one's organisation, or a wrong key", body = Problem,
            content_type = "application/problem+json"),
        (status = 409, description = "The notification's state allows no withdrawal", body = Problem,
            content_type = "application/problem+json"),
        (status = 412, description = "The notification changed since the ETag in If-Match", body = Problem,
            content_type = "application/problem+json"),
        (status = 422, description = "The key is missing or mistyped", body = Problem,
            content_type = "application/problem+json"),
        (status = 429, description = "Too many wrong keys for this notification", body = Problem,
            content_type = "application/problem+json"),
    )
)]
#[post("/v1/notifications/{number}/withdrawal")]
#[expect(clippy::too_many_arguments, reason = "one extractor per need")]
async fn create_withdrawal(
    req: HttpRequest,
    principal: Principal,
    lang: AcceptLanguage,
    path: web::Path<NotificationNumber>,
    pool: web::Data<Pool>,
    clock: web::Data<Clock>,
    settings: web::Data<NotificationSettings>,
    body: ApiJson<WithdrawalInput>,
) -> Result<HttpResponse, ApiError> {
    let organisation = principal.organisation()?;
    let number = path.to_string();
    let key = parse_key(&body.0.notification_key, lang.0)?;
    let idempotency = Idempotency::of(&req, format!("organisation:{organisation}"), &body.0)?;
    verify_key(&pool, &settings, organisation, &number, &key).await?;
    let request_id = request_id(&req);
    let expected = if_match_header(&req);
    let now = clock.now();
    let mut conn = pool.get().await?;
    let answer = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            if let Some(answer) = idempotency.replay(conn).await? {
                return Ok(answer);
            }
            let row = lock_for_change(conn, organisation, &number, expected.as_deref()).await?;
            let next = row.status().apply(Action::Withdraw).map_err(not_allowed)?;
            let replaced = if store::supersede_pending(conn, row.id).await? {
                Some(row.latest_version)
            } else {
                None
            };
            // A dropped amendment no longer claims the journal.
            let journal = row.legal_ground == LegalGround::PatientJournal.code();
            let updated =
                store::set_pending(conn, row.id, next, row.latest_version, journal, now).await?;
            audit::record(
                conn,
                Entry::by(
                    &principal,
                    "notification.withdrawal_submitted",
                    format!("notification:{number}"),
                    request_id,
                    serde_json::json!({ "replaced_pending_version": replaced }),
                ),
            )
            .await?;
            let registered = store::version(conn, row.id, row.shown_version()).await?;
            let content =
                Notification::from_stored(registered.content).map_err(ApiError::internal)?;
            confirmations::issue(
                conn,
                &settings,
                &updated,
                Confirming::Withdrawal,
                None,
                &content,
                now,
            )
            .await?;
            let mut answer = Answer::json(
                StatusCode::CREATED,
                &Submitted {
                    number: number.clone(),
                    status: updated.status(),
                    version: updated.registered_version.unwrap_or(updated.latest_version),
                    replaced_pending_version: replaced,
                    warnings: Vec::new(),
                    links: Links::of(&number),
                },
            )?;
            answer.location = Some(format!("/v1/notifications/{number}"));
            answer.etag = Some(updated.etag());
            idempotency.keep(conn, &answer).await?;
            Ok(answer)
        })
        .await?;
    Ok(answer.into_response())
}
