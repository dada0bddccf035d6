//! Logs, request ids and metrics.
//!
//! Every request gets a span with its method, route pattern and request id
//! (never the raw path: confirmation links carry secrets in it), and one
//! "request finished" event. Every response carries `X-Request-Id`.

use std::sync::Arc;
use std::time::Instant;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage, HttpResponse};
use prometheus::{HistogramOpts, HistogramVec, IntCounterVec, IntGauge, Opts, Registry};
use tracing::Span;
use tracing_actix_web::RootSpanBuilder;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

use crate::config::LogFormat;
use crate::error::{PROBLEM_JSON, problem_for_status, problem_response};

/// The request id header.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Installs the global subscriber. `RUST_LOG` filters (default `info`).
pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let registry = tracing_subscriber::registry().with(filter);
    let result = match format {
        LogFormat::Json => registry
            .with(
                tracing_subscriber::fmt::layer()
                    .json()
                    .flatten_event(true)
                    .with_current_span(true)
                    .with_span_list(false),
            )
            .try_init(),
        LogFormat::Text => registry.with(tracing_subscriber::fmt::layer()).try_init(),
    };
    // A second call (tests) keeps the first subscriber.
    let _ = result;
}

/// The id of the request, from `X-Request-Id` when the caller sent a usable
/// one, else a new UUID.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

impl RequestId {
    fn from_request(request: &ServiceRequest) -> Self {
        let given = request
            .headers()
            .get(&REQUEST_ID)
            .and_then(|v| v.to_str().ok())
            .filter(|v| is_usable_request_id(v));
        Self(given.map_or_else(|| uuid::Uuid::new_v4().to_string(), str::to_owned))
    }
}

/// A caller's id is kept only when it cannot forge log lines or grow without bound.
fn is_usable_request_id(id: &str) -> bool {
    (1..=128).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.:/+=@".contains(&b))
}

/// Builds the root span of each request, without the raw path.
pub struct SpanBuilder;

impl RootSpanBuilder for SpanBuilder {
    fn on_request_start(request: &ServiceRequest) -> Span {
        let id = RequestId::from_request(request);
        let span = tracing::info_span!(
            "request",
            method = %request.method(),
            route = tracing::field::Empty,
            request_id = %id.0,
            status = tracing::field::Empty,
        );
        request.extensions_mut().insert(id);
        span
    }

    fn on_request_end<B: MessageBody>(span: Span, outcome: &Result<ServiceResponse<B>, Error>) {
        match outcome {
            Ok(response) => {
                span.record("status", response.status().as_u16());
                span.record("route", route_of(response.request()).as_str());
            }
            Err(error) => {
                span.record("status", error.as_response_error().status_code().as_u16());
            }
        }
    }
}

fn route_of(request: &actix_web::HttpRequest) -> String {
    request
        .match_pattern()
        .unwrap_or_else(|| "unmatched".to_owned())
}

/// Prometheus metrics of the service.
pub struct Metrics {
    pub registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    pub pool_size: IntGauge,
    pub pool_available: IntGauge,
    pub pool_waiting: IntGauge,
    pub pool_max: IntGauge,
    pub outbox_unsent: IntGauge,
    pub outbox_oldest_unsent: IntGauge,
    pub outbox_retrying: IntGauge,
    pub outbox_failed: IntGauge,
    webhook_attempts: IntCounterVec,
    pub webhook_pending: IntGauge,
    pub webhook_oldest_pending: IntGauge,
    /// Reads of an event stream (`GET /v1/events`, a poll's each read).
    pub event_reads: prometheus::IntCounter,
    /// Long polls waiting now.
    pub event_polls_waiting: IntGauge,
}

impl Metrics {
    pub fn new() -> Arc<Self> {
        let registry =
            Registry::new_custom(Some("meldeplikt".into()), None).expect("a fixed prefix is valid");
        let requests = IntCounterVec::new(
            Opts::new("http_requests_total", "HTTP requests by route and status"),
            &["method", "route", "status"],
        )
        .expect("valid metric");
        let latency = HistogramVec::new(
            HistogramOpts::new(
                "http_request_duration_seconds",
                "HTTP request latency by route and status",
            )
            .buckets(vec![
                0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
            ]),
            &["method", "route", "status"],
        )
        .expect("valid metric");
        let gauge = |name: &str, help: &str| IntGauge::new(name, help).expect("valid metric");
        let pool_size = gauge("db_pool_connections", "Open database connections");
        let pool_available = gauge("db_pool_idle", "Idle database connections");
        let pool_waiting = gauge("db_pool_waiting", "Requests waiting for a connection");
        let pool_max = gauge("db_pool_max", "Largest number of database connections");
        let outbox_unsent = gauge("outbox_unsent", "Mail waiting to go out");
        let outbox_oldest_unsent = gauge(
            "outbox_oldest_unsent_seconds",
            "Seconds the oldest unsent mail has waited",
        );
        let outbox_retrying = gauge("outbox_retrying", "Unsent mail whose last attempt failed");
        let outbox_failed = gauge("outbox_failed", "Mail given up for good");
        let webhook_attempts = IntCounterVec::new(
            Opts::new(
                "webhook_attempts_total",
                "Webhook delivery attempts by outcome (delivered, failed, gone)",
            ),
            &["outcome"],
        )
        .expect("valid metric");
        let webhook_pending = gauge("webhook_pending", "Webhook deliveries not yet delivered");
        let webhook_oldest_pending = gauge(
            "webhook_oldest_pending_seconds",
            "Seconds the oldest undelivered webhook delivery has waited",
        );
        let event_reads =
            prometheus::IntCounter::new("event_reads_total", "Reads of an event stream")
                .expect("valid metric");
        let event_polls_waiting = gauge("event_polls_waiting", "Long polls of events waiting");
        for metric in [
            Box::new(requests.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(event_reads.clone()),
            Box::new(event_polls_waiting.clone()),
            Box::new(latency.clone()),
            Box::new(pool_size.clone()),
            Box::new(pool_available.clone()),
            Box::new(pool_waiting.clone()),
            Box::new(pool_max.clone()),
            Box::new(outbox_unsent.clone()),
            Box::new(outbox_oldest_unsent.clone()),
            Box::new(outbox_retrying.clone()),
            Box::new(outbox_failed.clone()),
            Box::new(webhook_attempts.clone()),
            Box::new(webhook_pending.clone()),
            Box::new(webhook_oldest_pending.clone()),
        ] {
            registry
                .register(metric)
                .expect("each metric is registered once");
        }
        Arc::new(Self {
            registry,
            requests,
            latency,
            pool_size,
            pool_available,
            pool_waiting,
            pool_max,
            outbox_unsent,
            outbox_oldest_unsent,
            outbox_retrying,
            outbox_failed,
            webhook_attempts,
            webhook_pending,
            webhook_oldest_pending,
            event_reads,
            event_polls_waiting,
        })
    }

    /// Counts a webhook attempt by its outcome.
    pub fn webhook_attempt(&self, outcome: &str) {
        self.webhook_attempts.with_label_values(&[outcome]).inc();
    }

    fn observe(&self, method: &str, route: &str, status: u16, seconds: f64) {
        let status = status.to_string();
        let labels = [method, route, status.as_str()];
        self.requests.with_label_values(&labels).inc();
        self.latency.with_label_values(&labels).observe(seconds);
    }
}

/// Middleware: request id header, metrics, the access log line, and the
/// safety net that turns any error response that is not problem+json (from
/// actix itself or an extractor) into one.
pub async fn observe(
    request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, Error> {
    let started = Instant::now();
    let metrics = request.app_data::<actix_web::web::Data<Metrics>>().cloned();
    let method = request.method().to_string();
    let request_id = request
        .extensions()
        .get::<RequestId>()
        .cloned()
        .unwrap_or_else(|| RequestId::from_request(&request));

    let response = next.call(request).await?;
    let status = response.status();
    let mut response = if status.as_u16() >= 400 && is_bare(response.headers()) {
        let (req, old) = response.into_parts();
        let mut builder = HttpResponse::build(status);
        for (name, value) in old.headers() {
            if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
                builder.append_header((name.clone(), value.clone()));
            }
        }
        let replaced = problem_response(builder, &problem_for_status(status));
        ServiceResponse::new(req, replaced).map_into_right_body()
    } else {
        response.map_into_left_body()
    };
    if let Ok(value) = HeaderValue::from_str(&request_id.0) {
        response.headers_mut().insert(REQUEST_ID, value);
    }

    let route = route_of(response.request());
    let elapsed = started.elapsed();
    if let Some(metrics) = metrics {
        metrics.observe(&method, &route, status.as_u16(), elapsed.as_secs_f64());
    }
    tracing::info!(
        status = status.as_u16(),
        route = %route,
        elapsed_ms = elapsed.as_secs_f64() * 1000.0,
        "request finished"
    );
    Ok(response)
}

/// An error body nobody chose: none, or actix's plain text. Problem+json
/// and deliberate pages (the confirmation page's HTML) are left alone.
fn is_bare(headers: &actix_web::http::header::HeaderMap) -> bool {
    match headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    {
        None => true,
        Some(v) => v.starts_with("text/plain") && !v.starts_with(PROBLEM_JSON),
    }
}

#[cfg(test)]
mod tests {
    use super::is_usable_request_id;

    #[test]
    fn request_ids_that_could_forge_log_lines_are_replaced() {
        assert!(is_usable_request_id("abc-123"));
        assert!(is_usable_request_id("6f1c0b4e-8f7e-4b7e-9d59-5c1b0e1f1a2b"));
        assert!(!is_usable_request_id(""));
        assert!(!is_usable_request_id("a b"));
        assert!(!is_usable_request_id("a\"}\n{\"x"));
        assert!(!is_usable_request_id(&"a".repeat(129)));
    }
}
