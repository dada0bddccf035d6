//! Integration clients of one's organisation: list, create (the secret
//! shown once), revoke (admins).

use actix_web::{HttpRequest, HttpResponse, delete, get, post, web};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use diesel_async::AsyncConnection;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;
use uuid::Uuid;

use super::store::{self, ApiClientRow};
use crate::api::{AcceptLanguage, List, PageParams, request_id, validation_error};
use crate::audit::{self, Entry};
use crate::auth::Principal;
use crate::db::Pool;
use crate::domain::notification::{Violation, limits};
use crate::error::{ApiError, Problem};
use crate::extract::ApiJson;

/// An integration's credentials, without the secret.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiClientView {
    pub id: Uuid,
    #[schema(example = "Sak og arkiv")]
    pub name: String,
    #[schema(example = "mp_5f0c8a7e2b1d4c3a9e8f7a6b5c4d3e2f")]
    pub client_id: String,
    pub created_at: DateTime<Utc>,
}

impl From<&ApiClientRow> for ApiClientView {
    fn from(row: &ApiClientRow) -> Self {
        Self {
            id: row.id,
            name: row.name.clone(),
            client_id: row.client_id.clone(),
            created_at: row.created_at,
        }
    }
}

/// A new integration's credentials: the secret is shown this once.
#[derive(Debug, Serialize, ToSchema)]
pub struct NewApiClient {
    #[serde(flatten)]
    pub client: ApiClientView,
    /// Shown only in this response; store it now.
    pub client_secret: String,
}

/// A new integration client.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateApiClientInput {
    #[schema(example = "Sak og arkiv", required = true)]
    pub name: Option<String>,
}

/// Lists the active integration clients of one's own organisation.
#[utoipa::path(
    tag = "accounts",
    operation_id = "list_api_clients",
    security(("bearer" = [])),
    params(PageParams),
    responses(
        (status = 200, description = "One page of clients", body = List<ApiClientView>),
        (status = 400, description = "A bad limit or cursor", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api-clients")]
pub(super) async fn list_api_clients(
    principal: Principal,
    params: web::Query<PageParams>,
    pool: web::Data<Pool>,
) -> Result<HttpResponse, ApiError> {
    let organisation = principal.require_admin()?;
    let page = params.page()?;
    let mut conn = pool.get().await?;
    let rows = store::clients_of(&mut conn, organisation, page).await?;
    let list = List::from_rows(rows, page.limit, |c| (c.created_at, c.id));
    Ok(HttpResponse::Ok().json(List {
        items: list
            .items
            .iter()
            .map(ApiClientView::from)
            .collect::<Vec<_>>(),
        next_cursor: list.next_cursor,
    }))
}

/// Creates integration credentials; the secret is in this response only.
#[utoipa::path(
    tag = "accounts",
    operation_id = "create_api_client",
    security(("bearer" = [])),
    request_body = CreateApiClientInput,
    responses(
        (status = 201, description = "Created; the secret is shown this once", body = NewApiClient),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The name is missing or too long", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api-clients")]
pub(super) async fn create_api_client(
    req: HttpRequest,
    principal: Principal,
    lang: AcceptLanguage,
    pool: web::Data<Pool>,
    body: ApiJson<CreateApiClientInput>,
) -> Result<HttpResponse, ApiError> {
    let organisation = principal.require_admin()?;
    let name = body
        .0
        .name
        .as_deref()
        .map(str::trim)
        .unwrap_or_default()
        .to_owned();
    let problem = if name.is_empty() {
        Some(("required", Vec::new()))
    } else if name.chars().count() > limits::NAME {
        Some(("too_long", vec![("max", limits::NAME.to_string())]))
    } else if crate::domain::characters::first_refused_in_one_line(&name).is_some() {
        Some(("invalid_characters", Vec::new()))
    } else {
        None
    };
    if let Some((code, args)) = problem {
        let violation = Violation {
            pointer: "/name".into(),
            code,
            args,
        };
        return Err(validation_error(&[violation], &[], lang.0));
    }
    let client_id = format!("mp_{}", hex::encode(random::<16>()));
    let secret = URL_SAFE_NO_PAD.encode(random::<32>());
    let secret_hash = Sha256::digest(secret.as_bytes());
    let request_id = request_id(&req);
    let mut conn = pool.get().await?;
    let row = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            let row =
                store::insert_client(conn, organisation, &name, &client_id, &secret_hash).await?;
            audit::record(
                conn,
                Entry::by(
                    &principal,
                    "api_client.created",
                    format!("api_client:{}", row.id),
                    request_id,
                    serde_json::json!({ "client_id": row.client_id }),
                ),
            )
            .await?;
            Ok(row)
        })
        .await?;
    Ok(HttpResponse::Created()
        .insert_header(("Cache-Control", "no-store"))
        .json(NewApiClient {
            client: ApiClientView::from(&row),
            client_secret: secret,
        }))
}

/// Revokes integration credentials; the access tokens it holds stop working at once.
#[utoipa::path(
    tag = "accounts",
    operation_id = "delete_api_client",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The client's id")),
    responses(
        (status = 204, description = "Revoked"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such active client in one's organisation", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/api-clients/{id}")]
pub(super) async fn delete_api_client(
    req: HttpRequest,
    principal: Principal,
    path: web::Path<Uuid>,
    pool: web::Data<Pool>,
) -> Result<HttpResponse, ApiError> {
    let organisation = principal.require_admin()?;
    let id = path.into_inner();
    let request_id = request_id(&req);
    let mut conn = pool.get().await?;
    conn.transaction::<_, ApiError, _>(async move |conn| {
        if !store::revoke_client(conn, organisation, id).await? {
            return Err(ApiError::NotFound);
        }
        audit::record(
            conn,
            Entry::by(
                &principal,
                "api_client.revoked",
                format!("api_client:{id}"),
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

fn random<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).expect("the OS random source");
    bytes
}
