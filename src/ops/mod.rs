//! Operations: liveness, readiness, metrics, the OpenAPI document.

use actix_web::http::header;
use actix_web::{HttpResponse, get, web};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::clock::Clock;
use crate::db::{self, Pool};
use crate::error::{ApiError, Problem};
use crate::mail::health::{self as mail_health, MailHealth};
use crate::telemetry::Metrics;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(get_health_live)
        .service(get_health_ready)
        .service(get_metrics)
        .service(get_openapi);
}

/// The state of one check.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// `ok` when the check passed.
    #[schema(example = "ok")]
    pub status: &'static str,
}

/// Readiness, with the state of the mail: failing mail does not stop the
/// service from serving, but it is said here.
#[derive(Debug, Serialize, ToSchema)]
pub struct Readiness {
    /// `ok`: the database answers.
    #[schema(example = "ok")]
    pub status: &'static str,
    pub mail: MailHealth,
}

/// Liveness: the process answers requests.
#[utoipa::path(
    tag = "operations",
    operation_id = "get_health_live",
    security(()),
    responses((status = 200, description = "The process is alive", body = Health))
)]
#[get("/health/live")]
async fn get_health_live() -> HttpResponse {
    HttpResponse::Ok().json(Health { status: "ok" })
}

/// Readiness: the database answers (503 while it does not); and how the
/// mail is doing (`mail.status` is `failing` while mail is being retried).
#[utoipa::path(
    tag = "operations",
    operation_id = "get_health_ready",
    security(()),
    responses(
        (status = 200, description = "Ready to serve", body = Readiness),
        (status = 503, description = "The database does not answer", body = Problem,
            content_type = "application/problem+json"),
    )
)]
#[get("/health/ready")]
async fn get_health_ready(
    pool: web::Data<Pool>,
    clock: web::Data<Clock>,
) -> Result<HttpResponse, ApiError> {
    let ready = async {
        db::ping(&pool).await?;
        let mut conn = pool.get().await?;
        Ok::<_, ApiError>(mail_health::read(&mut conn, clock.now()).await?)
    };
    match ready.await {
        Ok(mail) => Ok(HttpResponse::Ok().json(Readiness { status: "ok", mail })),
        Err(err) => {
            tracing::warn!(error = ?err, "readiness check failed");
            Err(ApiError::ServiceUnavailable {
                detail: crate::error::Say::new("database_unreachable"),
                retry_after: Some(std::time::Duration::from_secs(5)),
            })
        }
    }
}

/// Metrics in the Prometheus text format: requests and latency by route and
/// status, database pool usage, the outbox (unsent, oldest unsent's age,
/// retrying, given up), webhooks (attempts by outcome, deliveries waiting,
/// the oldest one's age), events (stream reads, long polls waiting).
#[utoipa::path(
    tag = "operations",
    operation_id = "get_metrics",
    security(()),
    responses((status = 200, description = "Prometheus text exposition format",
        content_type = "text/plain; version=0.0.4", body = String))
)]
#[get("/metrics")]
async fn get_metrics(
    metrics: web::Data<Metrics>,
    pool: web::Data<Pool>,
    pools: web::Data<crate::db::ThreadPools>,
    clock: web::Data<Clock>,
) -> HttpResponse {
    // The outbox as last read, if the database does not answer now.
    if let Ok(mut conn) = pool.get().await
        && let Ok(mail) = mail_health::read(&mut conn, clock.now()).await
    {
        metrics.outbox_unsent.set(mail.unsent);
        metrics.outbox_oldest_unsent.set(mail.oldest_unsent_seconds);
        metrics.outbox_retrying.set(mail.retrying);
        metrics.outbox_failed.set(mail.failed);
        if let Ok(depth) = crate::events::webhooks::queue::depth(&mut conn, clock.now()).await {
            metrics.webhook_pending.set(depth.pending);
            metrics.webhook_oldest_pending.set(depth.oldest_seconds);
        }
    }
    let status = pools.status();
    metrics.pool_size.set(status.size as i64);
    metrics.pool_available.set(status.available as i64);
    metrics.pool_waiting.set(status.waiting as i64);
    metrics.pool_max.set(status.max_size as i64);
    let mut text = String::new();
    match prometheus::TextEncoder::new().encode_utf8(&metrics.registry.gather(), &mut text) {
        Ok(()) => HttpResponse::Ok()
            .insert_header((header::CONTENT_TYPE, "text/plain; version=0.0.4"))
            .body(text),
        Err(err) => actix_web::ResponseError::error_response(&ApiError::internal(err)),
    }
}

/// The rendered OpenAPI document, built once at start-up.
#[derive(Debug, Clone)]
pub struct OpenApiJson(pub actix_web::web::Bytes);

/// This OpenAPI document.
#[utoipa::path(
    tag = "operations",
    operation_id = "get_openapi",
    security(()),
    responses((status = 200, description = "The OpenAPI 3.1 document", content_type = "application/json"))
)]
#[get("/openapi.json")]
async fn get_openapi(doc: web::Data<OpenApiJson>) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "application/json"))
        .insert_header((header::CACHE_CONTROL, "public, max-age=300"))
        .body(doc.0.clone())
}
