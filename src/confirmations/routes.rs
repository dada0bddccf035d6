//! Confirmation over the JSON API.

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_actix_web::scope;
use utoipa_actix_web::service_config::ServiceConfig;

use super::{Preview, confirm, preview};
use crate::api::request_id;
use crate::clock::Clock;
use crate::db::Pool;
use crate::domain::key::NotificationKey;
use crate::error::{ApiError, Problem};
use crate::notifications::NotificationSettings;
use crate::receipts::{ReceiptSigner, ReceiptView};

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(
        scope("/v1/confirmations")
            .service(get_confirmation)
            .service(post_confirmation),
    );
}

/// What a link confirms.
#[utoipa::path(
    tag = "confirmations",
    operation_id = "get_confirmation",
    security(()),
    params(("token" = String, Path, description = "The token from the link in the mail")),
    responses(
        (status = 200, description = "What would be confirmed", body = Preview),
        (status = 404, description = "No such link", body = Problem, content_type = "application/problem+json"),
        (status = 410, description = "The link was used, replaced or has expired", body = Problem,
            content_type = "application/problem+json"),
    )
)]
#[get("/{token}")]
async fn get_confirmation(
    token: web::Path<String>,
    pool: web::Data<Pool>,
    clock: web::Data<Clock>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(preview(&pool, &token, clock.now()).await?))
}

/// The outcome of a confirmation.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConfirmationResult {
    pub receipt: ReceiptView,
    /// On the first registration only: the notification key, shown this once.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "7K3M-Q9ZD-R2XW-4H8Z")]
    pub notification_key: Option<String>,
}

/// Confirms: the version becomes the registered one (or the notification is
/// withdrawn), and a signed receipt is issued.
#[utoipa::path(
    tag = "confirmations",
    operation_id = "confirm",
    security(()),
    params(("token" = String, Path, description = "The token from the link in the mail")),
    responses(
        (status = 200, description = "Confirmed: the receipt, and on a first registration the key", body = ConfirmationResult),
        (status = 404, description = "No such link", body = Problem, content_type = "application/problem+json"),
        (status = 410, description = "The link was used, replaced or has expired", body = Problem,
            content_type = "application/problem+json"),
    )
)]
#[post("/{token}")]
async fn post_confirmation(
    req: HttpRequest,
    token: web::Path<String>,
    pool: web::Data<Pool>,
    clock: web::Data<Clock>,
    settings: web::Data<NotificationSettings>,
    signer: web::Data<ReceiptSigner>,
) -> Result<HttpResponse, ApiError> {
    let confirmed = confirm(
        &pool,
        &settings,
        &signer,
        &token,
        clock.now(),
        request_id(&req),
        None,
    )
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(ConfirmationResult {
            receipt: confirmed.receipt,
            notification_key: confirmed.key.as_ref().map(NotificationKey::expose),
        }))
}
