//! Every organisation's notifications, for the regulator: the list with
//! every filter and sort, and one notification with all there is to know
//! of it. A regulator's read of one notification is audited.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, web};
use diesel_async::AsyncPgConnection;
use serde::Deserialize;
use utoipa::IntoParams;

use super::case_store;
use super::filters::{FilterParams, SortParams};
use super::organisations::AdminOrganisationView;
use super::store::{self, AdminRow};
use super::views::{
    AdminNotificationPage, AdminNotificationSummary, AdminNotificationView, CaseView,
    ConfirmationState, MailState, NoteView,
};
use crate::accounts::store as accounts;
use crate::api::{decode_key_cursor, encode_key_cursor, request_id};
use crate::audit::{self, Entry};
use crate::auth::Principal;
use crate::clock::Clock;
use crate::db::Pool;
use crate::domain::number::NotificationNumber;
use crate::error::{ApiError, Problem, Say};
use crate::notifications::store as notification_store;
use crate::notifications::views::{NotificationView, VersionView, Versions};
use crate::query;
use crate::receipts::{ReceiptView, Receipts, store as receipt_store};

/// A page of the list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AdminPageParams {
    /// How many items, 1 to 100 (default 20).
    #[param(value_type = Option<i64>, minimum = 1, maximum = 100)]
    pub limit: Option<String>,
    /// The `next_cursor` of the previous page; empty is the first page.
    pub cursor: Option<String>,
}

const MAX_LIMIT: i64 = 100;

impl AdminPageParams {
    fn check(&self) -> Result<(i64, Option<(i64, uuid::Uuid)>), ApiError> {
        let limit = query::limit(self.limit.as_deref(), 20, MAX_LIMIT)?;
        let after = match self.cursor.as_deref().filter(|c| !c.is_empty()) {
            None => None,
            Some(c) => Some(decode_key_cursor(c).ok_or_else(|| {
                ApiError::bad_field("cursor", "invalid_cursor", Say::new("invalid_cursor"))
            })?),
        };
        Ok((limit, after))
    }
}

/// Every organisation's notifications, filtered and sorted: by when they
/// were submitted (the default), when they expire, or their number; up
/// or down.
#[utoipa::path(
    tag = "back office",
    operation_id = "admin_list_notifications",
    security(("bearer" = [])),
    params(FilterParams, SortParams, AdminPageParams),
    responses(
        (status = 200, description = "One page", body = AdminNotificationPage),
        (status = 400, description = "A filter, sort, limit or cursor that is not valid, named",
            body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "The caller is no regulator", body = Problem,
            content_type = "application/problem+json"),
    )
)]
#[get("/notifications")]
pub(super) async fn admin_list_notifications(
    principal: Principal,
    filters: web::Query<FilterParams>,
    sort: web::Query<SortParams>,
    page: web::Query<AdminPageParams>,
    pool: web::Data<Pool>,
) -> Result<HttpResponse, ApiError> {
    principal.require_regulator()?;
    let filters = filters.check()?;
    let (key, descending) = sort.check()?;
    let (limit, after) = page.check()?;
    let mut conn = pool.get().await?;
    let mut rows = store::list(&mut conn, &filters, (key, descending), after, limit + 1).await?;
    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    let next_cursor = more
        .then(|| rows.last())
        .flatten()
        .map(|r| encode_key_cursor(store::sort_key(key, &r.notification), r.notification.id));
    Ok(HttpResponse::Ok().json(AdminNotificationPage {
        items: rows.iter().map(AdminNotificationSummary::from).collect(),
        next_cursor,
    }))
}

/// The notification `number` of any organisation, and an audit entry of
/// the regulator's read.
async fn read(
    conn: &mut AsyncPgConnection,
    principal: &Principal,
    req: &HttpRequest,
    number: &NotificationNumber,
    what: &str,
) -> Result<AdminRow, ApiError> {
    let row = store::by_number(conn, &number.to_string()).await?;
    let entry = Entry {
        actor: principal.into(),
        organisation_id: Some(row.notification.organisation_id),
        action: "notification.read_by_regulator",
        subject: Some(format!("notification:{number}")),
        request_id: request_id(req),
        details: serde_json::json!({ "read": what }),
    };
    audit::record(conn, entry).await?;
    Ok(row)
}

const NUMBER: &str = "The notification number";

/// One notification of any organisation, with everything the back office
/// needs: its current content, organisation, versions, receipts, where its
/// confirmation stands, its mail and how delivery goes, and its case with
/// the notes. The read is audited. `ETag` is the case's, for `If-Match`
/// when changing it.
#[utoipa::path(
    tag = "back office",
    operation_id = "admin_get_notification",
    security(("bearer" = [])),
    params(("number" = String, Path, description = NUMBER, example = "2026-000123")),
    responses(
        (status = 200, description = "The notification", body = AdminNotificationView,
            headers(("ETag" = String, description = "The case's; send as If-Match to change it"))),
        (status = 404, description = "No such notification, or the caller is no regulator",
            body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/notifications/{number}")]
pub(super) async fn admin_get_notification(
    principal: Principal,
    req: HttpRequest,
    number: web::Path<NotificationNumber>,
    pool: web::Data<Pool>,
    clock: web::Data<Clock>,
) -> Result<HttpResponse, ApiError> {
    principal.require_regulator()?;
    let mut conn = pool.get().await?;
    let row = read(&mut conn, &principal, &req, &number, "notification").await?;
    let n = &row.notification;
    let shown = notification_store::version(&mut conn, n.id, n.shown_version()).await?;
    let organisation = accounts::organisation(&mut conn, n.organisation_id).await?;
    let versions = notification_store::versions(&mut conn, n.id).await?;
    let receipts = receipt_store::of_notification(&mut conn, n.id).await?;
    let link = store::newest_link(&mut conn, n.id).await?;
    let mail = store::mail_about(&mut conn, &n.number).await?;
    let case = case_store::current(&mut conn, n.id).await?;
    let notes = case_store::notes(&mut conn, n.id).await?;
    let now = clock.now();
    let view = AdminNotificationView {
        notification: NotificationView::of(n, shown),
        organisation: AdminOrganisationView::from(organisation),
        versions: versions
            .into_iter()
            .map(|v| VersionView::of(v, false))
            .collect(),
        receipts: receipts
            .iter()
            .map(ReceiptView::of)
            .collect::<Result<_, _>>()?,
        confirmation: link.as_ref().map(|l| ConfirmationState::of(l, now)),
        mail: mail.iter().map(MailState::from).collect(),
        case: CaseView::from(&case),
        notes: notes.iter().map(NoteView::from).collect(),
    };
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, case.etag()))
        .json(view))
}

/// Every version of a notification of any organisation, oldest first. The
/// read is audited.
#[utoipa::path(
    tag = "back office",
    operation_id = "admin_list_versions",
    security(("bearer" = [])),
    params(("number" = String, Path, description = NUMBER, example = "2026-000123")),
    responses(
        (status = 200, description = "The versions", body = Versions),
        (status = 404, description = "No such notification, or the caller is no regulator",
            body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/notifications/{number}/versions")]
pub(super) async fn admin_list_versions(
    principal: Principal,
    req: HttpRequest,
    number: web::Path<NotificationNumber>,
    pool: web::Data<Pool>,
) -> Result<HttpResponse, ApiError> {
    principal.require_regulator()?;
    let mut conn = pool.get().await?;
    let row = read(&mut conn, &principal, &req, &number, "versions").await?;
    let items = notification_store::versions(&mut conn, row.notification.id)
        .await?
        .into_iter()
        .map(|v| VersionView::of(v, true))
        .collect();
    Ok(HttpResponse::Ok().json(Versions { items }))
}

/// Every receipt of a notification of any organisation, oldest first. The
/// read is audited.
#[utoipa::path(
    tag = "back office",
    operation_id = "admin_list_receipts",
    security(("bearer" = [])),
    params(("number" = String, Path, description = NUMBER, example = "2026-000123")),
    responses(
        (status = 200, description = "The receipts", body = Receipts),
        (status = 404, description = "No such notification, or the caller is no regulator",
            body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/notifications/{number}/receipts")]
pub(super) async fn admin_list_receipts(
    principal: Principal,
    req: HttpRequest,
    number: web::Path<NotificationNumber>,
    pool: web::Data<Pool>,
) -> Result<HttpResponse, ApiError> {
    principal.require_regulator()?;
    let mut conn = pool.get().await?;
    let row = read(&mut conn, &principal, &req, &number, "receipts").await?;
    let items = receipt_store::of_notification(&mut conn, row.notification.id)
        .await?
        .iter()
        .map(ReceiptView::of)
        .collect::<Result<_, _>>()?;
    Ok(HttpResponse::Ok().json(Receipts { items }))
}
