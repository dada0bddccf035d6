//! Cross-origin requests from browsers. The public read-only routes (code
//! lists, the signing keys, receipt verification, the register, the document) are open to
//! any origin; the rest only to the origins in `MELDEPLIKT_CORS_ORIGINS`.
//! A preflight is answered here for the methods the route has. Written by
//! hand because the policy depends on the path, which `actix-cors` applies
//! per scope only.

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{Error, HttpResponse, web};

use crate::fallback::RouteTable;

/// The origins allowed on the authenticated routes.
#[derive(Debug, Clone, Default)]
pub struct CorsOrigins(pub Vec<String>);

/// Routes any origin may call.
const PUBLIC: &[&str] = &[
    "/v1/code-lists",
    "/.well-known/jwks.json",
    "/v1/receipts/verify",
    "/v1/register",
    "/openapi.json",
];

/// Request headers a browser client may send.
const ALLOW_HEADERS: &str = "Authorization, Content-Type, Accept-Language, If-Match, If-None-Match, Idempotency-Key, X-Request-Id";

/// Response headers a browser client may read.
const EXPOSE_HEADERS: &str = "ETag, Location, Retry-After, Idempotent-Replayed, X-Request-Id, WWW-Authenticate, Content-Disposition";

fn is_public(path: &str) -> bool {
    PUBLIC.iter().any(|p| {
        path == *p
            || path
                .strip_prefix(p)
                .is_some_and(|rest| rest.starts_with('/'))
    })
}

/// What the `Access-Control-Allow-Origin` of `origin` on `path` is, if any.
pub fn allow_origin(path: &str, origin: &str, allowed: &[String]) -> Option<HeaderValue> {
    if is_public(path) {
        Some(HeaderValue::from_static("*"))
    } else if allowed.iter().any(|o| o == origin) {
        HeaderValue::from_str(origin).ok()
    } else {
        None
    }
}

pub async fn cors(
    request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, Error> {
    let Some(origin) = request
        .headers()
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
    else {
        return Ok(next.call(request).await?.map_into_left_body());
    };
    let allowed = request
        .app_data::<web::Data<CorsOrigins>>()
        .map(|o| o.0.clone())
        .unwrap_or_default();
    let allow = allow_origin(request.path(), &origin, &allowed);
    let requested = request
        .headers()
        .get(header::ACCESS_CONTROL_REQUEST_METHOD)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    if request.method() == Method::OPTIONS
        && let Some(requested) = requested
    {
        let methods = request
            .app_data::<web::Data<RouteTable>>()
            .and_then(|routes| routes.allowed(request.path()))
            .unwrap_or_default();
        let response = match allow {
            Some(allow) if methods.contains(&requested) => HttpResponse::NoContent()
                .insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, allow))
                .insert_header((header::ACCESS_CONTROL_ALLOW_METHODS, methods.join(", ")))
                .insert_header((header::ACCESS_CONTROL_ALLOW_HEADERS, ALLOW_HEADERS))
                .insert_header((header::ACCESS_CONTROL_MAX_AGE, "600"))
                .insert_header((header::VARY, "Origin"))
                .finish(),
            // No CORS headers: the browser refuses the call.
            _ => HttpResponse::build(StatusCode::NO_CONTENT)
                .insert_header((header::VARY, "Origin"))
                .finish(),
        };
        return Ok(request.into_response(response).map_into_right_body());
    }
    let mut response = next.call(request).await?;
    if let Some(allow) = allow {
        let headers = response.headers_mut();
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, allow);
        headers.insert(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static(EXPOSE_HEADERS),
        );
        headers.append(header::VARY, HeaderValue::from_static("Origin"));
    }
    Ok(response.map_into_left_body())
}
