//! Every route of the service, collected from each capability's
//! `configure`. Used by the server and by the OpenAPI document alike.

use actix_web::{HttpRequest, HttpResponse, web};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::error::ApiError;
use crate::openapi::RouteTable;

pub fn configure(cfg: &mut ServiceConfig) {
    crate::ops::configure(cfg);
    crate::accounts::configure(cfg);
    crate::notifications::configure(cfg);
    crate::code_lists::configure(cfg);
    crate::confirmations::configure(cfg);
    crate::confirmations::configure_page(cfg);
    crate::receipts::configure(cfg);
}

/// Answers what no route matched: 405 with `Allow` when the path exists
/// under another method, else 404.
pub async fn fallback(
    req: HttpRequest,
    routes: web::Data<RouteTable>,
) -> Result<HttpResponse, ApiError> {
    Err(match routes.allowed(req.path()) {
        Some(allow) => ApiError::MethodNotAllowed { allow },
        None => ApiError::NotFound,
    })
}

/// `/docs` without the slash leads to the Swagger UI.
pub async fn docs_redirect() -> HttpResponse {
    HttpResponse::PermanentRedirect()
        .insert_header(("Location", "/docs/"))
        .finish()
}
