//! What answers when no route does: 405 with `Allow` when the path exists
//! under another method, else 404; `HEAD` served as `GET`; and `/docs`
//! without its slash. Depends
//! on nothing above the error type, so that route registration does not
//! depend on the OpenAPI document.

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::{HttpRequest, HttpResponse, web};

use crate::error::ApiError;

/// The paths and methods of the API, to tell 405 from 404.
#[derive(Debug, Clone)]
pub struct RouteTable(Vec<(Vec<Option<String>>, Vec<&'static str>)>);

impl RouteTable {
    /// From path templates (`/v1/x/{id}`) and their methods.
    pub fn new(operations: Vec<(String, Vec<&'static str>)>) -> Self {
        let routes = operations
            .into_iter()
            .map(|(path, methods)| {
                let segments = path
                    .split('/')
                    .map(|s| (!(s.starts_with('{') && s.ends_with('}'))).then(|| s.to_owned()))
                    .collect();
                (segments, methods)
            })
            .collect();
        Self(routes)
    }

    /// The methods allowed on `path`, if any route matches it. Where a
    /// literal path and a template both match (`/v1/receipts/verify` and
    /// `/v1/receipts/{id}`), the literal one is the route, as in routing.
    pub fn allowed(&self, path: &str) -> Option<Vec<String>> {
        let parts: Vec<_> = path.split('/').collect();
        let mut best: Option<(usize, Vec<String>)> = None;
        for (segments, methods) in &self.0 {
            let matches = segments.len() == parts.len()
                && segments.iter().zip(&parts).all(|(s, p)| match s {
                    Some(fixed) => fixed == p,
                    None => !p.is_empty(),
                });
            if !matches {
                continue;
            }
            let literal = segments.iter().filter(|s| s.is_some()).count();
            let methods = methods.iter().map(|m| (*m).to_owned());
            match &mut best {
                Some((l, allowed)) if *l == literal => allowed.extend(methods),
                Some((l, _)) if *l > literal => {}
                _ => best = Some((literal, methods.collect())),
            }
        }
        let (_, mut allowed) = best?;
        allowed.sort();
        allowed.dedup();
        Some(allowed)
    }
}

/// Answers what no route matched.
pub async fn fallback(
    req: HttpRequest,
    routes: web::Data<RouteTable>,
) -> Result<HttpResponse, ApiError> {
    Err(match routes.allowed(req.path()) {
        Some(allow) => ApiError::MethodNotAllowed { allow },
        None => ApiError::NotFound,
    })
}

/// Before routing: `HEAD` wherever `GET` is (the request is routed as a
/// `GET`, and the HTTP layer, which saw the `HEAD`, sends the headers
/// without the body); and 405 for a method the path does not have, even
/// where a template would take it (`GET /v1/receipts/verify` is not
/// `GET /v1/receipts/{id}`).
pub async fn methods(
    mut request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    if request.method() == Method::HEAD {
        request.head_mut().method = Method::GET;
    }
    let refused = request
        .app_data::<web::Data<RouteTable>>()
        .and_then(|routes| routes.allowed(request.path()))
        .filter(|allow| {
            request.method() != Method::OPTIONS
                && !allow.iter().any(|m| m == request.method().as_str())
        });
    if let Some(allow) = refused {
        // Answered as an error, so that the layers around it (the problem's
        // language) see it as they see a handler's.
        let refusal = ApiError::MethodNotAllowed { allow };
        return Ok(request.error_response(refusal).map_into_right_body());
    }
    Ok(next.call(request).await?.map_into_left_body())
}

/// Longest path and query read, in bytes.
pub const MAX_URI_BYTES: usize = 8 * 1024;
/// Most header bytes read, names and values together.
pub const MAX_HEADER_BYTES: usize = 16 * 1024;
/// Most header fields read.
pub const MAX_HEADERS: usize = 64;

/// A request beyond what the service reads is answered 414 or 431 as a
/// problem, before anything else looks at it. (The HTTP layer has limits
/// of its own, far above these: a head over 128 KiB or with over 96
/// fields it answers itself, with an empty 431.)
pub async fn size_limits(
    request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let uri = request
        .uri()
        .path_and_query()
        .map_or(0, |pq| pq.as_str().len());
    let headers = request.headers();
    let header_bytes: usize = headers
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len())
        .sum();
    let refusal = if uri > MAX_URI_BYTES {
        Some(ApiError::UriTooLong {
            limit: MAX_URI_BYTES,
        })
    } else if header_bytes > MAX_HEADER_BYTES || headers.len() > MAX_HEADERS {
        Some(ApiError::HeadersTooLarge {
            limit: MAX_HEADER_BYTES,
        })
    } else {
        None
    };
    match refusal {
        Some(refusal) => Ok(request.error_response(refusal).map_into_right_body()),
        None => Ok(next.call(request).await?.map_into_left_body()),
    }
}

/// `/docs` without the slash leads to the Swagger UI.
pub async fn docs_redirect() -> HttpResponse {
    HttpResponse::PermanentRedirect()
        .insert_header(("Location", "/docs/"))
        .finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn route_table_matches_templates() {
        let table = RouteTable::new(vec![
            ("/v1/x/{id}".into(), vec!["GET", "POST"]),
            ("/metrics".into(), vec!["GET"]),
        ]);
        assert_eq!(
            table.allowed("/v1/x/abc"),
            Some(vec!["GET".into(), "POST".into()])
        );
        assert_eq!(table.allowed("/v1/x/"), None);
        assert_eq!(table.allowed("/v1/y/abc"), None);
        assert_eq!(table.allowed("/metrics"), Some(vec!["GET".into()]));
    }

    #[test]
    fn a_literal_path_wins_over_a_template() {
        let table = RouteTable::new(vec![
            ("/v1/receipts/{id}".into(), vec!["GET", "HEAD"]),
            ("/v1/receipts/verify".into(), vec!["POST"]),
        ]);
        assert_eq!(
            table.allowed("/v1/receipts/verify"),
            Some(vec!["POST".into()])
        );
        assert_eq!(
            table.allowed("/v1/receipts/abc"),
            Some(vec!["GET".into(), "HEAD".into()])
        );
    }
}
