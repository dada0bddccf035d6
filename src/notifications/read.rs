//! Reading one's own notifications: the list, one notification, its
//! versions and what changed between two of them.

use actix_web::http::header;
use actix_web::{HttpResponse, get, web};
use serde::Deserialize;
use utoipa::IntoParams;

use super::store::{self, Filters};
use super::views::{DiffView, NotificationSummary, NotificationView, VersionView, Versions};
use crate::api::{List, PageParams};
use crate::auth::{Claimed, Principal};
use crate::db::Pool;
use crate::domain::code_lists::{Law, Purpose, Sector};
use crate::domain::diff::diff;
use crate::domain::lifecycle::Status;
use crate::domain::number::NotificationNumber;
use crate::error::{ApiError, Problem, Say};
use crate::query;
use crate::receipts::store as receipt_store;
use crate::receipts::{ReceiptView, Receipts};

/// Filters of the list of one's own notifications.
/// The longest search text.
pub const Q_MAX: usize = 200;

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
    /// Words in the controller's name or the description (at most 200
    /// characters).
    pub q: Option<String>,
    /// How many items, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// Lists one's own notifications, oldest first, with filters and cursors.
#[utoipa::path(
    tag = "notifications",
    operation_id = "list_notifications",
    security(("bearer" = []), ("maskinporten" = [])),
    params(ListParams),
    responses(
        (status = 200, description = "One page", body = List<NotificationSummary>),
        (status = 400, description = "A filter, limit or cursor that is not valid, named", body = Problem,
            content_type = "application/problem+json"),
    )
)]
#[get("")]
pub(super) async fn list_notifications(
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
    if q.is_some_and(|q| q.chars().count() > Q_MAX) {
        return Err(ApiError::bad_field(
            "q",
            "too_long",
            Say::new("parameter_too_long")
                .with("name", "q")
                .with("max", Q_MAX),
        ));
    }
    let filters = Filters {
        status: query::code("status", &params.status, Status::parse, |s| s)?,
        law: query::code("law", &params.law, Law::parse, Law::code)?,
        purpose: query::code("purpose", &params.purpose, Purpose::parse, Purpose::code)?,
        sector: query::code("sector", &params.sector, Sector::parse, Sector::code)?,
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

/// A notification of one's own organisation: state and current content.
#[utoipa::path(
    tag = "notifications",
    operation_id = "get_notification",
    security(("bearer" = []), ("maskinporten" = [])),
    params(("number" = String, Path, description = "The notification number", example = "2026-000123")),
    responses(
        (status = 200, description = "The notification", body = NotificationView,
            headers(("ETag" = String, description = "Send as If-Match when amending"))),
        (status = 404, description = "No such notification of one's organisation", body = Problem,
            content_type = "application/problem+json"),
    )
)]
#[get("/{number}")]
#[tracing::instrument(skip_all, fields(notification = %path))]
pub(super) async fn get_notification(
    caller: Claimed,
    path: web::Path<NotificationNumber>,
    pool: web::Data<Pool>,
) -> Result<HttpResponse, ApiError> {
    let organisation = caller.organisation()?;
    let conn = pool.get().await?;
    let number = path.to_string();
    // The caller's check and the two look-ups go out together (one round
    // trip); the check's answer is taken first (a removed account gets
    // 401, whatever exists).
    let (confirmed, row, shown) = tokio::join!(
        caller.confirm(&conn),
        store::by_number(&conn, organisation, &number),
        store::shown_version_by_number(&conn, organisation, &number),
    );
    confirmed?;
    let row = row?;
    let shown = shown?;
    let view = NotificationView::of(&row, shown);
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, row.etag()))
        .insert_header((header::CACHE_CONTROL, "private, no-cache"))
        .json(view))
}

/// Every version of a notification, who submitted it and when it was confirmed.
#[utoipa::path(
    tag = "notifications",
    operation_id = "list_versions",
    security(("bearer" = []), ("maskinporten" = [])),
    params(("number" = String, Path, description = "The notification number")),
    responses(
        (status = 200, description = "The versions, oldest first", body = Versions),
        (status = 404, description = "No such notification of one's organisation", body = Problem,
            content_type = "application/problem+json"),
    )
)]
#[get("/{number}/versions")]
#[tracing::instrument(skip_all, fields(notification = %path))]
pub(super) async fn list_versions(
    principal: Principal,
    path: web::Path<NotificationNumber>,
    pool: web::Data<Pool>,
) -> Result<HttpResponse, ApiError> {
    let organisation = principal.organisation()?;
    let mut conn = pool.get().await?;
    let row = store::by_number(&conn, organisation, &path.to_string()).await?;
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
    security(("bearer" = []), ("maskinporten" = [])),
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
#[get("/{number}/versions/{version}")]
#[tracing::instrument(skip_all, fields(notification = %path.0))]
pub(super) async fn get_version(
    principal: Principal,
    path: web::Path<(NotificationNumber, i32)>,
    pool: web::Data<Pool>,
) -> Result<HttpResponse, ApiError> {
    let organisation = principal.organisation()?;
    let (number, version) = path.into_inner();
    let mut conn = pool.get().await?;
    let row = store::by_number(&conn, organisation, &number.to_string()).await?;
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
    security(("bearer" = []), ("maskinporten" = [])),
    params(("number" = String, Path, description = "The notification number"), DiffParams),
    responses(
        (status = 200, description = "What changed", body = DiffView),
        (status = 400, description = "from or to is missing or not a number", body = Problem,
            content_type = "application/problem+json"),
        (status = 404, description = "No such notification or version", body = Problem,
            content_type = "application/problem+json"),
    )
)]
#[get("/{number}/diff")]
#[tracing::instrument(skip_all, fields(notification = %path))]
pub(super) async fn get_diff(
    principal: Principal,
    path: web::Path<NotificationNumber>,
    params: web::Query<DiffParams>,
    pool: web::Data<Pool>,
) -> Result<HttpResponse, ApiError> {
    let organisation = principal.organisation()?;
    let mut conn = pool.get().await?;
    let row = store::by_number(&conn, organisation, &path.to_string()).await?;
    let from = store::version(&mut conn, row.id, params.from).await?;
    let to = store::version(&mut conn, row.id, params.to).await?;
    Ok(HttpResponse::Ok().json(DiffView {
        from: from.version,
        to: to.version,
        changes: diff(&from.content, &to.content),
    }))
}

/// Every receipt of a notification of one's own organisation, oldest first.
#[utoipa::path(
    tag = "notifications",
    operation_id = "list_receipts",
    security(("bearer" = []), ("maskinporten" = [])),
    params(("number" = String, Path, description = "The notification number")),
    responses(
        (status = 200, description = "The receipts", body = Receipts),
        (status = 404, description = "No such notification of one's organisation", body = Problem,
            content_type = "application/problem+json"),
    )
)]
#[get("/{number}/receipts")]
#[tracing::instrument(skip_all, fields(notification = %path))]
pub(super) async fn list_receipts(
    principal: Principal,
    path: web::Path<NotificationNumber>,
    pool: web::Data<Pool>,
) -> Result<HttpResponse, ApiError> {
    let organisation = principal.organisation()?;
    let mut conn = pool.get().await?;
    let notification = store::by_number(&conn, organisation, &path.to_string()).await?;
    let items = receipt_store::of_notification(&mut conn, notification.id)
        .await?
        .iter()
        .map(ReceiptView::of)
        .collect::<Result<_, _>>()?;
    Ok(HttpResponse::Ok().json(Receipts { items }))
}
