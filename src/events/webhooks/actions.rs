//! What an admin does with an endpoint besides changing it: reads its
//! delivery log, sends a delivery again, re-queues what failed, sends a
//! test event, rotates its secret.

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::DateTime;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::WebhookApi;
use super::views::{RecoverInput, Recovered, RotatedSecret, WebhookDelivery};
use super::{queue, store};
use crate::api::{List, PageParams, request_id};
use crate::audit::{self, Entry};
use crate::auth::Principal;
use crate::clock::Clock;
use crate::db::Pool;
use crate::error::{ApiError, Problem, Say};
use crate::extract::ApiJson;

/// How long the secret before a rotation keeps signing.
pub const ROTATION_OVERLAP: chrono::Duration = chrono::Duration::hours(24);

/// Wakes the delivery worker when the transaction commits.
async fn wake(conn: &mut AsyncPgConnection) -> diesel::QueryResult<()> {
    diesel::sql_query(format!("NOTIFY {}", crate::events::store::CHANNEL))
        .execute(conn)
        .await
        .map(|_| ())
}

/// The endpoint `id` of the admin's organisation, or 404.
async fn own_endpoint(
    conn: &mut AsyncPgConnection,
    principal: &Principal,
    id: Uuid,
) -> Result<store::EndpointRow, ApiError> {
    let organisation = principal.require_admin()?;
    store::endpoint(conn, organisation, id)
        .await?
        .ok_or(ApiError::NotFound)
}

/// The delivery log of an endpoint, newest first: each delivery with every
/// attempt (time, status, duration, the first kilobyte of the answer, or
/// the error).
#[utoipa::path(
    tag = "webhooks",
    operation_id = "list_webhook_deliveries",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The endpoint's id"), PageParams),
    responses(
        (status = 200, description = "One page of deliveries", body = List<WebhookDelivery>),
        (status = 400, description = "A bad limit or cursor", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such endpoint in one's organisation", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/webhooks/{id}/deliveries")]
pub(super) async fn list_webhook_deliveries(
    principal: Principal,
    path: web::Path<Uuid>,
    params: web::Query<PageParams>,
    pool: web::Data<Pool>,
) -> Result<HttpResponse, ApiError> {
    let page = params.page()?;
    let mut conn = pool.get().await?;
    let endpoint = own_endpoint(&mut conn, &principal, path.into_inner()).await?;
    let rows = store::deliveries_of(&mut conn, endpoint.id, page).await?;
    let list = List::from_rows(rows, page.limit, |(d, _)| (d.created_at, d.id));
    Ok(HttpResponse::Ok().json(List {
        items: list
            .items
            .iter()
            .map(|(d, attempts)| WebhookDelivery::new(d, attempts))
            .collect::<Vec<_>>(),
        next_cursor: list.next_cursor,
    }))
}

/// Sends a delivery again now, whatever its state, with the same
/// `webhook-id`; the retry schedule starts over.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "retry_webhook_delivery",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The endpoint's id"),
        ("delivery" = Uuid, Path, description = "The delivery's id"),
    ),
    responses(
        (status = 202, description = "Queued", body = WebhookDelivery),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such endpoint or delivery in one's organisation", body = Problem,
            content_type = "application/problem+json"),
    )
)]
#[post("/webhooks/{id}/deliveries/{delivery}/retry")]
pub(super) async fn retry_webhook_delivery(
    req: HttpRequest,
    principal: Principal,
    path: web::Path<(Uuid, Uuid)>,
    pool: web::Data<Pool>,
    clock: web::Data<Clock>,
) -> Result<HttpResponse, ApiError> {
    let (id, delivery) = path.into_inner();
    let now = clock.now();
    let request_id = request_id(&req);
    let mut conn = pool.get().await?;
    let row = conn
        .transaction::<_, ApiError, _>(async |conn| {
            let endpoint = own_endpoint(conn, &principal, id).await?;
            let row = queue::retry_delivery(conn, endpoint.id, delivery, now)
                .await?
                .ok_or(ApiError::NotFound)?;
            audit::record(
                conn,
                Entry::by(
                    &principal,
                    "webhook.delivery_retried",
                    format!("webhook:{id}"),
                    request_id,
                    serde_json::json!({ "delivery": delivery }),
                ),
            )
            .await?;
            wake(conn).await?;
            Ok(row)
        })
        .await?;
    Ok(HttpResponse::Accepted().json(WebhookDelivery::new(&row, &[])))
}

/// Queues again every failed delivery of the endpoint made at or after
/// `since` (after it was enabled again, say).
#[utoipa::path(
    tag = "webhooks",
    operation_id = "recover_webhook",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The endpoint's id")),
    request_body = RecoverInput,
    responses(
        (status = 202, description = "How many were queued again", body = Recovered),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such endpoint in one's organisation", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`since` is no RFC 3339 time", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/webhooks/{id}/recover")]
pub(super) async fn recover_webhook(
    req: HttpRequest,
    principal: Principal,
    path: web::Path<Uuid>,
    pool: web::Data<Pool>,
    clock: web::Data<Clock>,
    body: ApiJson<RecoverInput>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let since = DateTime::parse_from_rfc3339(body.0.since.trim())
        .map(|t| t.to_utc())
        .map_err(|_| ApiError::Validation {
            errors: vec![crate::error::FieldProblem::new(
                "/since",
                "invalid_time",
                Say::new("webhook_since_invalid"),
            )],
            warnings: Vec::new(),
        })?;
    let now = clock.now();
    let request_id = request_id(&req);
    let mut conn = pool.get().await?;
    let requeued = conn
        .transaction::<_, ApiError, _>(async |conn| {
            let endpoint = own_endpoint(conn, &principal, id).await?;
            let requeued = queue::recover(conn, endpoint.id, since, now).await?;
            audit::record(
                conn,
                Entry::by(
                    &principal,
                    "webhook.recovered",
                    format!("webhook:{id}"),
                    request_id,
                    serde_json::json!({ "since": since, "requeued": requeued }),
                ),
            )
            .await?;
            wake(conn).await?;
            Ok(requeued)
        })
        .await?;
    Ok(HttpResponse::Accepted().json(Recovered {
        requeued: requeued as i64,
    }))
}

/// Sends a `webhook.test` event to the endpoint (enabled ones only).
#[utoipa::path(
    tag = "webhooks",
    operation_id = "test_webhook",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The endpoint's id")),
    responses(
        (status = 202, description = "The test delivery, queued", body = WebhookDelivery),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such endpoint in one's organisation", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The endpoint is disabled", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/webhooks/{id}/test")]
pub(super) async fn test_webhook(
    principal: Principal,
    path: web::Path<Uuid>,
    pool: web::Data<Pool>,
    clock: web::Data<Clock>,
) -> Result<HttpResponse, ApiError> {
    let mut conn = pool.get().await?;
    let endpoint = own_endpoint(&mut conn, &principal, path.into_inner()).await?;
    if !endpoint.enabled {
        return Err(ApiError::conflict(
            "endpoint_disabled",
            Say::new("webhook_disabled"),
        ));
    }
    let row = queue::insert_test(&mut conn, endpoint.id, clock.now()).await?;
    Ok(HttpResponse::Accepted().json(WebhookDelivery::new(&row, &[])))
}

/// Makes a new signing secret, shown in this response only. For 24 hours
/// each delivery carries two signatures, with the new secret and the old,
/// so receivers can switch without losing a delivery.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "rotate_webhook_secret",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The endpoint's id")),
    responses(
        (status = 200, description = "The new secret, shown this once", body = RotatedSecret),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such endpoint in one's organisation", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/webhooks/{id}/rotate-secret")]
pub(super) async fn rotate_webhook_secret(
    req: HttpRequest,
    principal: Principal,
    path: web::Path<Uuid>,
    pool: web::Data<Pool>,
    clock: web::Data<Clock>,
    api: web::Data<WebhookApi>,
) -> Result<HttpResponse, ApiError> {
    let organisation = principal.require_admin()?;
    let id = path.into_inner();
    let (secret, sealed) = api.new_secret(id)?;
    let now = clock.now();
    let until = now + ROTATION_OVERLAP;
    let request_id = request_id(&req);
    let mut conn = pool.get().await?;
    conn.transaction::<_, ApiError, _>(async |conn| {
        store::rotate_secret(conn, organisation, id, &sealed, until, now)
            .await?
            .ok_or(ApiError::NotFound)?;
        audit::record(
            conn,
            Entry::by(
                &principal,
                "webhook.secret_rotated",
                format!("webhook:{id}"),
                request_id,
                serde_json::json!({ "previous_secret_until": until }),
            ),
        )
        .await?;
        Ok(())
    })
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(RotatedSecret {
            secret: secret.expose(),
            previous_secret_until: until,
        }))
}
