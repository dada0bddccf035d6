//! An organisation's webhook endpoints (admins): list, register (the
//! secret shown once), read, change, delete. Every change is audited.

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use diesel_async::AsyncConnection;
use uuid::Uuid;

use super::WebhookApi;
use super::address::{self, UrlProblem};
use super::store::{self, EndpointChange, NewEndpoint};
use super::views::{
    DESCRIPTION_MAX, NewWebhookEndpoint, WebhookEndpoint, WebhookEndpointInput,
    WebhookEndpointPatch,
};
use crate::api::{List, PageParams, request_id};
use crate::audit::{self, Entry};
use crate::auth::Principal;
use crate::clock::Clock;
use crate::db::Pool;
use crate::error::{ApiError, FieldProblem, Problem, Say};
use crate::events::EventType;
use crate::extract::ApiJson;

/// Collects the problems of a body, all at once.
#[derive(Default)]
pub(super) struct Problems(Vec<FieldProblem>);

impl Problems {
    fn add(&mut self, pointer: &str, code: &str, say: Say) {
        self.0.push(FieldProblem::new(pointer, code, say));
    }

    fn into_result(self) -> Result<(), ApiError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(ApiError::Validation {
                errors: self.0,
                warnings: Vec::new(),
            })
        }
    }
}

/// The URL, checked as [`address::check`] does; its problem named.
async fn checked_url(url: &str, api: &WebhookApi, problems: &mut Problems) -> Option<String> {
    match address::check(url.trim(), api.allow_private).await {
        Ok(url) => Some(url.to_string()),
        Err(UrlProblem::Invalid) => {
            problems.add("/url", "invalid_url", Say::new("webhook_url_invalid"));
            None
        }
        Err(UrlProblem::Refused { address, why }) => {
            problems.add(
                "/url",
                "address_refused",
                Say::new("webhook_url_refused")
                    .with("address", address.to_string())
                    .with("why", why),
            );
            None
        }
        Err(UrlProblem::Unresolved { host }) => {
            problems.add(
                "/url",
                "unresolved_host",
                Say::new("webhook_url_unresolved").with("host", host),
            );
            None
        }
    }
}

/// The types as codes, each once, in the order given.
fn checked_types(types: &[String], problems: &mut Problems) -> Vec<String> {
    if types.is_empty() {
        problems.add(
            "/event_types",
            "empty",
            Say::new("webhook_event_types_empty"),
        );
    }
    let mut codes: Vec<String> = Vec::new();
    for (i, code) in types.iter().enumerate() {
        match EventType::parse(code) {
            Some(kind) if !codes.iter().any(|c| c == kind.code()) => codes.push(kind.code().into()),
            Some(_) => {}
            None => problems.add(
                &format!("/event_types/{i}"),
                "unknown_code",
                Say::new("webhook_event_type_unknown")
                    .with("value", code.chars().take(40).collect::<String>()),
            ),
        }
    }
    codes
}

fn checked_description(description: &str, problems: &mut Problems) -> String {
    let description = description.trim();
    if description.chars().count() > DESCRIPTION_MAX {
        problems.add(
            "/description",
            "too_long",
            Say::new("webhook_description_too_long").with("max", DESCRIPTION_MAX),
        );
    }
    if crate::domain::characters::first_refused_in_one_line(description).is_some() {
        problems.add(
            "/description",
            "invalid_characters",
            Say::new("one_line_character"),
        );
    }
    description.to_owned()
}

/// Lists one's organisation's webhook endpoints, oldest first.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "list_webhooks",
    security(("bearer" = [])),
    params(PageParams),
    responses(
        (status = 200, description = "One page of endpoints", body = List<WebhookEndpoint>),
        (status = 400, description = "A bad limit or cursor", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "The caller has no organisation", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/webhooks")]
pub(super) async fn list_webhooks(
    principal: Principal,
    params: web::Query<PageParams>,
    pool: web::Data<Pool>,
) -> Result<HttpResponse, ApiError> {
    let organisation = principal.require_admin()?;
    let page = params.page()?;
    let mut conn = pool.get().await?;
    let rows = store::endpoints_of(&mut conn, organisation, page).await?;
    let list = List::from_rows(rows, page.limit, |e| (e.created_at, e.id));
    Ok(HttpResponse::Ok().json(List {
        items: list
            .items
            .iter()
            .map(WebhookEndpoint::from)
            .collect::<Vec<_>>(),
        next_cursor: list.next_cursor,
    }))
}

/// Registers a webhook endpoint. Its URL must be `https` and must not
/// resolve to a loopback, private, link-local or metadata address. The
/// signing secret is in this response only.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "create_webhook",
    security(("bearer" = [])),
    request_body = WebhookEndpointInput,
    responses(
        (status = 201, description = "Registered; the secret is shown this once", body = NewWebhookEndpoint,
            headers(("Location" = String, description = "The endpoint"))),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "The caller has no organisation", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A URL, type or description that will not do, each named", body = Problem,
            content_type = "application/problem+json"),
    )
)]
#[post("/webhooks")]
pub(super) async fn create_webhook(
    req: HttpRequest,
    principal: Principal,
    pool: web::Data<Pool>,
    clock: web::Data<Clock>,
    api: web::Data<WebhookApi>,
    body: ApiJson<WebhookEndpointInput>,
) -> Result<HttpResponse, ApiError> {
    let organisation = principal.require_admin()?;
    let input = body.0;
    let mut problems = Problems::default();
    let url = match input.url.as_deref() {
        Some(url) => checked_url(url, &api, &mut problems).await,
        None => {
            problems.add("/url", "required", Say::new("required"));
            None
        }
    };
    let types = input
        .event_types
        .as_deref()
        .map(|t| checked_types(t, &mut problems));
    let description = checked_description(
        input.description.as_deref().unwrap_or_default(),
        &mut problems,
    );
    problems.into_result()?;
    let url = url.expect("checked");
    let id = Uuid::new_v4();
    let (secret, sealed) = api.new_secret(id)?;
    let now = clock.now();
    let request_id = request_id(&req);
    let mut conn = pool.get().await?;
    let row = conn
        .transaction::<_, ApiError, _>(async |conn| {
            let row = store::insert_endpoint(
                conn,
                NewEndpoint {
                    id,
                    organisation_id: organisation,
                    url: &url,
                    description: &description,
                    event_types: types.as_deref(),
                    enabled: input.enabled.unwrap_or(true),
                    secret_sealed: &sealed,
                },
                now,
            )
            .await?;
            audit::record(
                conn,
                Entry::by(
                    &principal,
                    "webhook.created",
                    format!("webhook:{id}"),
                    request_id,
                    serde_json::json!({ "url": row.url, "event_types": row.event_types }),
                ),
            )
            .await?;
            Ok(row)
        })
        .await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/v1/organisation/webhooks/{id}")))
        .insert_header(("Cache-Control", "no-store"))
        .json(NewWebhookEndpoint {
            endpoint: WebhookEndpoint::from(&row),
            secret: secret.expose(),
        }))
}

/// One webhook endpoint of one's organisation.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "get_webhook",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The endpoint's id")),
    responses(
        (status = 200, description = "The endpoint", body = WebhookEndpoint),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such endpoint in one's organisation", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/webhooks/{id}")]
pub(super) async fn get_webhook(
    principal: Principal,
    path: web::Path<Uuid>,
    pool: web::Data<Pool>,
) -> Result<HttpResponse, ApiError> {
    let organisation = principal.require_admin()?;
    let mut conn = pool.get().await?;
    let row = store::endpoint(&mut conn, organisation, path.into_inner())
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(HttpResponse::Ok().json(WebhookEndpoint::from(&row)))
}

/// Changes a webhook endpoint: its URL (checked as when registered), the
/// types, the description, or whether it is enabled. Enabling a disabled
/// endpoint forgets its failures; its failed deliveries stay failed until
/// recovered.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "update_webhook",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The endpoint's id")),
    request_body = WebhookEndpointPatch,
    responses(
        (status = 200, description = "The endpoint as it is now", body = WebhookEndpoint),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such endpoint in one's organisation", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A URL, type or description that will not do, each named", body = Problem,
            content_type = "application/problem+json"),
    )
)]
#[patch("/webhooks/{id}")]
pub(super) async fn update_webhook(
    req: HttpRequest,
    principal: Principal,
    path: web::Path<Uuid>,
    pool: web::Data<Pool>,
    clock: web::Data<Clock>,
    api: web::Data<WebhookApi>,
    body: ApiJson<WebhookEndpointPatch>,
) -> Result<HttpResponse, ApiError> {
    let organisation = principal.require_admin()?;
    let id = path.into_inner();
    let input = body.0;
    let mut problems = Problems::default();
    let url = match input.url.as_deref() {
        Some(url) => checked_url(url, &api, &mut problems).await,
        None => None,
    };
    let change = EndpointChange {
        url,
        description: input
            .description
            .as_deref()
            .map(|d| checked_description(d, &mut problems)),
        event_types: input
            .event_types
            .map(|types| types.map(|t| checked_types(&t, &mut problems))),
        enabled: input.enabled,
    };
    problems.into_result()?;
    let now = clock.now();
    let request_id = request_id(&req);
    let mut conn = pool.get().await?;
    let row = conn
        .transaction::<_, ApiError, _>(async |conn| {
            let row = store::update_endpoint(conn, organisation, id, &change, now)
                .await?
                .ok_or(ApiError::NotFound)?;
            audit::record(
                conn,
                Entry::by(
                    &principal,
                    "webhook.updated",
                    format!("webhook:{id}"),
                    request_id,
                    serde_json::json!({
                        "url": change.url, "event_types": change.event_types,
                        "enabled": change.enabled,
                    }),
                ),
            )
            .await?;
            Ok(row)
        })
        .await?;
    Ok(HttpResponse::Ok().json(WebhookEndpoint::from(&row)))
}

/// Deletes a webhook endpoint, its deliveries and their log.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "delete_webhook",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The endpoint's id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such endpoint in one's organisation", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/webhooks/{id}")]
pub(super) async fn delete_webhook(
    req: HttpRequest,
    principal: Principal,
    path: web::Path<Uuid>,
    pool: web::Data<Pool>,
) -> Result<HttpResponse, ApiError> {
    let organisation = principal.require_admin()?;
    let id = path.into_inner();
    let request_id = request_id(&req);
    let mut conn = pool.get().await?;
    conn.transaction::<_, ApiError, _>(async |conn| {
        if !store::delete_endpoint(conn, organisation, id).await? {
            return Err(ApiError::NotFound);
        }
        audit::record(
            conn,
            Entry::by(
                &principal,
                "webhook.deleted",
                format!("webhook:{id}"),
                request_id,
                serde_json::json!({}),
            ),
        )
        .await?;
        Ok(())
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
