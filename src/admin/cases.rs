//! Case handling: a notification's case status and assignee, changed with
//! `If-Match` (412 on a stale one, 428 without), and its notes, which are
//! only ever added. Every change is audited in its transaction.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use diesel_async::AsyncConnection;

use super::case_store;
use super::store;
use super::views::{CaseInput, CaseView, NoteInput, NoteView, Notes};
use crate::api::request_id;
use crate::audit::{self, Entry};
use crate::auth::Principal;
use crate::clock::Clock;
use crate::db::Pool;
use crate::domain::number::NotificationNumber;
use crate::error::{ApiError, FieldProblem, Problem, Say};
use crate::extract::ApiJson;

/// The longest case note, in characters.
pub const NOTE_MAX: usize = 10_000;

fn invalid(pointer: &str, code: &str, say: Say) -> ApiError {
    ApiError::Validation {
        errors: vec![FieldProblem::new(pointer, code, say)],
        warnings: Vec::new(),
    }
}

/// Whether `If-Match` names the case's ETag.
fn matches(if_match: &str, etag: &str) -> bool {
    if_match.trim() == "*"
        || if_match
            .split(',')
            .map(|v| v.trim().trim_start_matches("W/"))
            .any(|v| v == etag)
}

/// Changes a notification's case: `case_status` (`new`, `in_review`,
/// `needs_follow_up`, `closed`) and `assignee` (a regulator, or `null`).
/// Needs `If-Match` with the case's ETag (from `GET` of the notification
/// or an earlier change): 428 without, 412 when the case changed since.
/// Audited.
#[utoipa::path(
    tag = "back office",
    operation_id = "admin_update_case",
    security(("bearer" = [])),
    params(
        ("number" = String, Path, description = "The notification number", example = "2026-000123"),
        ("If-Match" = String, Header, description = "The case's ETag as last read"),
    ),
    request_body = CaseInput,
    responses(
        (status = 200, description = "The case as it is now", body = CaseView,
            headers(("ETag" = String, description = "The case's new ETag"))),
        (status = 404, description = "No such notification, or the caller is no regulator",
            body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The case changed since it was read", body = Problem,
            content_type = "application/problem+json"),
        (status = 422, description = "An assignee who is no regulator, named", body = Problem,
            content_type = "application/problem+json"),
        (status = 428, description = "No If-Match", body = Problem,
            content_type = "application/problem+json"),
    )
)]
#[patch("/notifications/{number}/case")]
pub(super) async fn admin_update_case(
    req: HttpRequest,
    principal: Principal,
    number: web::Path<NotificationNumber>,
    pool: web::Data<Pool>,
    clock: web::Data<Clock>,
    body: ApiJson<CaseInput>,
) -> Result<HttpResponse, ApiError> {
    principal.require_regulator()?;
    let if_match = req
        .headers()
        .get(header::IF_MATCH)
        .map(|v| v.to_str().unwrap_or_default().to_owned());
    let input = body.0;
    let now = clock.now();
    let request_id = request_id(&req);
    let number = number.to_string();
    let mut conn = pool.get().await?;
    let case = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            let row = store::by_number(conn, &number).await?;
            let id = row.notification.id;
            let before = case_store::for_update(conn, id).await?;
            let Some(if_match) = if_match else {
                return Err(ApiError::PreconditionRequired);
            };
            if !matches(&if_match, &before.etag()) {
                return Err(ApiError::PreconditionFailed);
            }
            let status = input.case_status.unwrap_or(before.status);
            let assignee = input.assignee.unwrap_or(before.assignee);
            if let Some(who) = assignee
                && Some(who) != before.assignee
                && !case_store::is_regulator(conn, who).await?
            {
                return Err(invalid(
                    "/assignee",
                    "not_a_regulator",
                    Say::new("not_a_regulator"),
                ));
            }
            if status == before.status && assignee == before.assignee {
                return Ok(before);
            }
            let after = case_store::write(conn, id, &before, status, assignee, principal.id, now)
                .await
                .map_err(|e| match e {
                    // Another first change of the same case came first.
                    diesel::result::Error::DatabaseError(
                        diesel::result::DatabaseErrorKind::UniqueViolation,
                        _,
                    ) => ApiError::PreconditionFailed,
                    other => other.into(),
                })?;
            let entry = Entry {
                actor: (&principal).into(),
                organisation_id: Some(row.notification.organisation_id),
                action: "case.updated",
                subject: Some(format!("notification:{number}")),
                request_id,
                details: serde_json::json!({
                    "from": { "case_status": before.status, "assignee": before.assignee },
                    "to": { "case_status": after.status, "assignee": after.assignee },
                }),
            };
            audit::record(conn, entry).await?;
            Ok(after)
        })
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, case.etag()))
        .json(CaseView::from(&case)))
}

/// Adds a note to a notification's case: several lines, at most 10,000
/// characters, with its author and time. Notes are never changed or
/// removed. Audited.
#[utoipa::path(
    tag = "back office",
    operation_id = "admin_add_case_note",
    security(("bearer" = [])),
    params(("number" = String, Path, description = "The notification number", example = "2026-000123")),
    request_body = NoteInput,
    responses(
        (status = 201, description = "The note", body = NoteView),
        (status = 404, description = "No such notification, or the caller is no regulator",
            body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "An empty or too long note", body = Problem,
            content_type = "application/problem+json"),
    )
)]
#[post("/notifications/{number}/case-notes")]
pub(super) async fn admin_add_case_note(
    req: HttpRequest,
    principal: Principal,
    number: web::Path<NotificationNumber>,
    pool: web::Data<Pool>,
    clock: web::Data<Clock>,
    body: ApiJson<NoteInput>,
) -> Result<HttpResponse, ApiError> {
    principal.require_regulator()?;
    let text = body.0.text;
    if text.trim().is_empty() {
        return Err(invalid("/text", "required", Say::new("note_empty")));
    }
    if text.chars().count() > NOTE_MAX {
        return Err(invalid(
            "/text",
            "too_long",
            Say::new("note_too_long").with("max", NOTE_MAX),
        ));
    }
    let now = clock.now();
    let request_id = request_id(&req);
    let number = number.to_string();
    let mut conn = pool.get().await?;
    let note = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            let row = store::by_number(conn, &number).await?;
            let note =
                case_store::add_note(conn, row.notification.id, principal.id, &text, now).await?;
            let entry = Entry {
                actor: (&principal).into(),
                organisation_id: Some(row.notification.organisation_id),
                action: "case.note_added",
                subject: Some(format!("notification:{number}")),
                request_id,
                details: serde_json::json!({ "note": note.id }),
            };
            audit::record(conn, entry).await?;
            Ok(note)
        })
        .await?;
    Ok(HttpResponse::Created().json(NoteView::from(&note)))
}

/// The notes of a notification's case, oldest first.
#[utoipa::path(
    tag = "back office",
    operation_id = "admin_list_case_notes",
    security(("bearer" = [])),
    params(("number" = String, Path, description = "The notification number", example = "2026-000123")),
    responses(
        (status = 200, description = "The notes", body = Notes),
        (status = 404, description = "No such notification, or the caller is no regulator",
            body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/notifications/{number}/case-notes")]
pub(super) async fn admin_list_case_notes(
    principal: Principal,
    number: web::Path<NotificationNumber>,
    pool: web::Data<Pool>,
) -> Result<HttpResponse, ApiError> {
    principal.require_regulator()?;
    let mut conn = pool.get().await?;
    let row = store::by_number(&mut conn, &number.to_string()).await?;
    let notes = case_store::notes(&mut conn, row.notification.id).await?;
    Ok(HttpResponse::Ok().json(Notes {
        items: notes.iter().map(NoteView::from).collect(),
    }))
}
