//! Changing a registered notification with its key: an amendment (a
//! complete new version) or a withdrawal. Both wait for confirmation by
//! e-mail and share one skeleton: the key, `Idempotency-Key`, the lock and
//! `If-Match`, the transition, the audit entry, the link.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, post, web};
use diesel_async::{AsyncConnection, AsyncPgConnection};
use serde::Serialize;
use uuid::Uuid;

use super::NotificationSettings;
use super::asks::ask_to_confirm;
use super::store::{self, NotificationRow, transitions, transitions::Submitter};
use super::submit::{check, journal_index};
use super::views::{AmendmentInput, Links, Submitted, WithdrawalInput};
use crate::api::{AcceptLanguage, field_problems, request_id, validation_error};
use crate::audit::{self, Entry};
use crate::auth::{Principal, throttle};
use crate::clock::Clock;
use crate::db::Pool;
use crate::domain::i18n::Lang;
use crate::domain::key::{KeyError, NotificationKey};
use crate::domain::lifecycle::{Action, TransitionError};
use crate::domain::notification::{Notification, NotificationInput, Violation};
use crate::domain::number::NotificationNumber;
use crate::error::{ApiError, Problem};
use crate::extract::ApiJson;
use crate::idempotency::{Answer, Idempotency};

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
    let row = store::by_number(&conn, organisation, number).await?;
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

fn not_allowed(err: TransitionError) -> ApiError {
    ApiError::conflict("transition_not_allowed", err.say())
}

/// What a change asks for.
enum Change<'a> {
    Amendment(&'a NotificationInput),
    Withdrawal,
}

/// The handlers' shared extractors.
struct Request<'a> {
    req: &'a HttpRequest,
    principal: Principal,
    lang: Lang,
    number: String,
    pool: &'a Pool,
    clock: &'a Clock,
    settings: web::Data<NotificationSettings>,
}

/// The skeleton of a change: everything but what differs between an
/// amendment and a withdrawal, which [`Change`] names.
async fn submit_change(
    r: Request<'_>,
    typed_key: &Option<String>,
    change: Change<'_>,
    body: &impl Serialize,
) -> Result<HttpResponse, ApiError> {
    let organisation = r.principal.organisation()?;
    let key = parse_key(typed_key, r.lang)?;
    let idempotency = Idempotency::of(r.req, format!("organisation:{organisation}"), body)?;
    verify_key(r.pool, &r.settings, organisation, &r.number, &key).await?;
    let request_id = request_id(r.req);
    let expected = if_match_header(r.req);
    let now = r.clock.now();
    let today = r.clock.today();
    let (principal, lang, number, settings) = (r.principal, r.lang, r.number, r.settings);
    let by = Submitter {
        kind: principal.kind,
        id: principal.id,
    };
    let mut conn = r.pool.get().await?;
    let answer = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            if let Some(answer) = idempotency.replay(conn).await? {
                return Ok(answer);
            }
            let row = lock_for_change(conn, organisation, &number, expected.as_deref()).await?;
            let (submitted, content, warnings, version) = match change {
                Change::Amendment(input) => {
                    let next = row.status().apply(Action::Amend).map_err(not_allowed)?;
                    let validated =
                        check(conn, organisation, input, today, Some(row.id), lang, &[]).await?;
                    let content = validated.notification;
                    let submitted =
                        transitions::submit_amendment(conn, &row, next, &content, by, now)
                            .await
                            .map_err(journal_index)?;
                    let version = submitted.row.latest_version;
                    let warnings = field_problems(&validated.warnings, lang);
                    (submitted, content, warnings, version)
                }
                Change::Withdrawal => {
                    let next = row.status().apply(Action::Withdraw).map_err(not_allowed)?;
                    let submitted = transitions::submit_withdrawal(conn, &row, next, now).await?;
                    let registered = store::version(conn, row.id, row.shown_version()).await?;
                    let content = Notification::from_stored(registered.content)
                        .map_err(ApiError::internal)?;
                    let version = submitted.row.shown_version();
                    (submitted, content, Vec::new(), version)
                }
            };
            let (action, details, location) = match change {
                Change::Amendment(_) => (
                    "notification.amendment_submitted",
                    serde_json::json!({
                        "version": version, "replaced_pending_version": submitted.replaced,
                    }),
                    format!("/v1/notifications/{number}/versions/{version}"),
                ),
                Change::Withdrawal => (
                    "notification.withdrawal_submitted",
                    serde_json::json!({ "replaced_pending_version": submitted.replaced }),
                    format!("/v1/notifications/{number}"),
                ),
            };
            ask_to_confirm(conn, &settings, &submitted.row, &content, now).await?;
            let mut answer = Answer::json(
                StatusCode::CREATED,
                &Submitted {
                    number: number.clone(),
                    status: submitted.row.status(),
                    version,
                    replaced_pending_version: submitted.replaced,
                    warnings,
                    links: Links::of(&number),
                },
            )?;
            answer.location = Some(location);
            answer.etag = Some(submitted.row.etag());
            idempotency.keep(conn, &answer).await?;
            // Last: the audit lock is the last lock taken (`audit`).
            let subject = format!("notification:{number}");
            let entry = Entry::by(&principal, action, subject, request_id, details);
            audit::record(conn, entry).await?;
            Ok(answer)
        })
        .await?;
    Ok(answer.into_response())
}

/// Submits an amendment: a complete new version, with the notification key.
/// It waits for confirmation; the registered version stays valid until then.
/// A second amendment while one waits replaces the waiting one.
#[utoipa::path(
    tag = "notifications",
    operation_id = "create_amendment",
    security(("bearer" = []), ("maskinporten" = [])),
    params(
        ("number" = String, Path, description = "The notification number"),
        ("If-Match" = Option<String>, Header, description = "The ETag last read; a stale one gets 412"),
        ("Idempotency-Key" = Option<String>, Header, pattern = "^[\\x21-\\x7E]{1,255}$", description = "Makes retries safe"),
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
        (status = 429, description = "Too many wrong keys for this notification, or the organisation's mail for the hour is spent; wait `Retry-After` seconds", body = Problem,
            content_type = "application/problem+json"),
    )
)]
#[post("/{number}/amendments")]
#[tracing::instrument(skip_all, fields(notification = %path))]
#[expect(clippy::too_many_arguments, reason = "one extractor per need")]
pub(super) async fn create_amendment(
    req: HttpRequest,
    principal: Principal,
    lang: AcceptLanguage,
    path: web::Path<NotificationNumber>,
    pool: web::Data<Pool>,
    clock: web::Data<Clock>,
    settings: web::Data<NotificationSettings>,
    body: ApiJson<AmendmentInput>,
) -> Result<HttpResponse, ApiError> {
    principal.organisation()?;
    let Some(input) = &body.0.notification else {
        let violation = Violation {
            pointer: "/notification".into(),
            code: "required",
            args: Vec::new(),
        };
        // A missing key is told first, as before.
        parse_key(&body.0.notification_key, lang.0)?;
        return Err(validation_error(&[violation], &[], lang.0));
    };
    let request = Request {
        req: &req,
        principal,
        lang: lang.0,
        number: path.to_string(),
        pool: &pool,
        clock: &clock,
        settings,
    };
    let change = Change::Amendment(input);
    submit_change(request, &body.0.notification_key, change, &body.0).await
}

/// The processing has ended: asks to withdraw the notification, with its
/// key. The withdrawal waits for confirmation, like a submission.
#[utoipa::path(
    tag = "notifications",
    operation_id = "create_withdrawal",
    security(("bearer" = []), ("maskinporten" = [])),
    params(
        ("number" = String, Path, description = "The notification number"),
        ("If-Match" = Option<String>, Header, description = "The ETag last read; a stale one gets 412"),
        ("Idempotency-Key" = Option<String>, Header, pattern = "^[\\x21-\\x7E]{1,255}$", description = "Makes retries safe"),
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
        (status = 429, description = "Too many wrong keys for this notification, or the organisation's mail for the hour is spent; wait `Retry-After` seconds", body = Problem,
            content_type = "application/problem+json"),
    )
)]
#[post("/{number}/withdrawal")]
#[tracing::instrument(skip_all, fields(notification = %path))]
#[expect(clippy::too_many_arguments, reason = "one extractor per need")]
pub(super) async fn create_withdrawal(
    req: HttpRequest,
    principal: Principal,
    lang: AcceptLanguage,
    path: web::Path<NotificationNumber>,
    pool: web::Data<Pool>,
    clock: web::Data<Clock>,
    settings: web::Data<NotificationSettings>,
    body: ApiJson<WithdrawalInput>,
) -> Result<HttpResponse, ApiError> {
    let request = Request {
        req: &req,
        principal,
        lang: lang.0,
        number: path.to_string(),
        pool: &pool,
        clock: &clock,
        settings,
    };
    submit_change(
        request,
        &body.0.notification_key,
        Change::Withdrawal,
        &body.0,
    )
    .await
}
