//! Confirmation over the JSON API, a new link, a new key.

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, RunQueryDsl};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use super::{Preview, confirm, issue, pending_content, preview};
use crate::api::request_id;
use crate::audit::{self, Entry};
use crate::auth::Principal;
use crate::clock::Clock;
use crate::db::Pool;
use crate::domain::key::NotificationKey;
use crate::domain::lifecycle::Action;
use crate::domain::notification::Notification;
use crate::domain::number::NotificationNumber;
use crate::error::{ApiError, Problem};
use crate::mail::templates;
use crate::notifications::NotificationSettings;
use crate::notifications::store as notification_store;
use crate::receipts::{ReceiptSigner, ReceiptView};
use crate::schema::notifications;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(get_confirmation)
        .service(post_confirmation)
        .service(resend_confirmation)
        .service(issue_key);
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
#[get("/v1/confirmations/{token}")]
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
    #[schema(example = "7K3M-Q9ZD-R2XW-4H8T")]
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
#[post("/v1/confirmations/{token}")]
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
    )
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(ConfirmationResult {
            receipt: confirmed.receipt,
            notification_key: confirmed.key.as_ref().map(NotificationKey::expose),
        }))
}

/// Accepted for delivery.
#[derive(Debug, Serialize, ToSchema)]
pub struct Accepted {
    #[schema(example = "2026-000123")]
    pub number: String,
    /// What was queued: `confirmation` or `key`.
    pub mail: &'static str,
}

/// Sends the pending confirmation again, with a new link; the old link
/// stops working.
#[utoipa::path(
    tag = "confirmations",
    operation_id = "resend_confirmation",
    security(("bearer" = [])),
    params(("number" = String, Path, description = "The notification number")),
    responses(
        (status = 202, description = "A new message is on its way", body = Accepted),
        (status = 404, description = "No such notification of one's organisation", body = Problem,
            content_type = "application/problem+json"),
        (status = 409, description = "Nothing waits for confirmation (`code: nothing_to_confirm`)", body = Problem,
            content_type = "application/problem+json"),
    )
)]
#[post("/v1/notifications/{number}/confirmation-mail")]
async fn resend_confirmation(
    req: HttpRequest,
    principal: Principal,
    path: web::Path<NotificationNumber>,
    pool: web::Data<Pool>,
    clock: web::Data<Clock>,
    settings: web::Data<NotificationSettings>,
) -> Result<HttpResponse, ApiError> {
    let organisation = principal.organisation()?;
    let number = path.to_string();
    let request_id = request_id(&req);
    let now = clock.now();
    let mut conn = pool.get().await?;
    conn.transaction::<_, ApiError, _>(async move |conn| {
        let row = notification_store::by_number_for_update(conn, organisation, &number).await?;
        row.status()
            .apply(Action::ResendConfirmation)
            .map_err(|e| ApiError::conflict("nothing_to_confirm", e.to_string()))?;
        let (confirming, version, content) = pending_content(conn, &row).await?;
        issue(conn, &settings, &row, confirming, version, &content, now).await?;
        audit::record(
            conn,
            Entry::by(
                &principal,
                "notification.confirmation_resent",
                format!("notification:{number}"),
                request_id,
                serde_json::json!({ "action": confirming.code() }),
            ),
        )
        .await
    })
    .await?;
    Ok(HttpResponse::Accepted().json(Accepted {
        number: path.to_string(),
        mail: "confirmation",
    }))
}

/// Issues a new notification key, mailed to the confirmation address; the
/// old key stops working. Organisation admins only.
#[utoipa::path(
    tag = "confirmations",
    operation_id = "issue_key",
    security(("bearer" = [])),
    params(("number" = String, Path, description = "The notification number")),
    responses(
        (status = 202, description = "The new key is on its way", body = Accepted),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such notification of one's organisation", body = Problem,
            content_type = "application/problem+json"),
        (status = 409, description = "The notification is not registered", body = Problem,
            content_type = "application/problem+json"),
    )
)]
#[post("/v1/notifications/{number}/key")]
async fn issue_key(
    req: HttpRequest,
    principal: Principal,
    path: web::Path<NotificationNumber>,
    pool: web::Data<Pool>,
    clock: web::Data<Clock>,
    settings: web::Data<NotificationSettings>,
) -> Result<HttpResponse, ApiError> {
    let organisation = principal.require_admin()?;
    let number = path.to_string();
    let request_id = request_id(&req);
    let now = clock.now();
    let mut conn = pool.get().await?;
    conn.transaction::<_, ApiError, _>(async move |conn| {
        let row = notification_store::by_number_for_update(conn, organisation, &number).await?;
        row.status()
            .apply(Action::IssueKey)
            .map_err(|e| ApiError::conflict("transition_not_allowed", e.to_string()))?;
        let registered = notification_store::version(conn, row.id, row.shown_version()).await?;
        let content = Notification::from_stored(registered.content).map_err(ApiError::internal)?;
        let key = NotificationKey::generate();
        diesel::update(notifications::table.find(row.id))
            .set((
                notifications::key_hash.eq(key.hash(settings.key_secret()).to_vec()),
                notifications::revision.eq(notifications::revision + 1),
            ))
            .execute(conn)
            .await?;
        let mail = templates::new_key(
            content.confirmation_email(),
            content.language(),
            &number,
            &key.expose(),
        );
        crate::mail::enqueue(conn, mail, now).await?;
        audit::record(
            conn,
            Entry::by(
                &principal,
                "notification.key_issued",
                format!("notification:{number}"),
                request_id,
                serde_json::json!({}),
            ),
        )
        .await
    })
    .await?;
    Ok(HttpResponse::Accepted().json(Accepted {
        number: path.to_string(),
        mail: "key",
    }))
}
