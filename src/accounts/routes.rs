//! Registration, who am I, and the admin's users and API clients.

use actix_web::{HttpRequest, HttpResponse, delete, get, post, web};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use diesel_async::AsyncConnection;
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use super::store::{self, ApiClientRow, OrganisationRow, UserRow};
use crate::api::{AcceptLanguage, List, PageParams, request_id, validation_error};
use crate::audit::{self, Actor, Entry};
use crate::auth::password::Passwords;
use crate::auth::{Principal, Role, SubjectKind};
use crate::db::Pool;
use crate::domain::code_lists::IdentifierScheme;
use crate::domain::notification::{Violation, limits};
use crate::domain::organisation::{
    NewUserInput, RegistrationInput, validate_new_user, validate_registration,
};
use crate::error::{ApiError, Problem};
use crate::extract::ApiJson;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(create_organisation)
        .service(get_me)
        .service(list_users)
        .service(create_user)
        .service(delete_user)
        .service(list_api_clients)
        .service(create_api_client)
        .service(delete_api_client);
}

/// An organisation identifier.
#[derive(Debug, Serialize, ToSchema)]
pub struct IdentifierView {
    pub scheme: IdentifierScheme,
    #[schema(example = "974761467")]
    pub value: String,
}

/// An organisation.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrganisationView {
    pub id: Uuid,
    #[schema(example = "Fjordvik kommune")]
    pub name: String,
    pub identifier: IdentifierView,
}

impl From<&OrganisationRow> for OrganisationView {
    fn from(row: &OrganisationRow) -> Self {
        Self {
            id: row.id,
            name: row.name.clone(),
            identifier: IdentifierView {
                scheme: IdentifierScheme::parse(&row.identifier_scheme)
                    .unwrap_or(IdentifierScheme::Other),
                value: row.identifier_value.clone(),
            },
        }
    }
}

/// A user of an organisation.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserView {
    pub id: Uuid,
    #[schema(example = "personvern@fjordvik.kommune.no")]
    pub email: String,
    pub role: Role,
    pub created_at: DateTime<Utc>,
}

impl From<&UserRow> for UserView {
    fn from(row: &UserRow) -> Self {
        Self {
            id: row.id,
            email: row.email.clone(),
            role: row.role(),
            created_at: row.created_at,
        }
    }
}

/// A registered organisation and its first admin.
#[derive(Debug, Serialize, ToSchema)]
pub struct Registered {
    pub organisation: OrganisationView,
    pub admin: UserView,
}

/// Registers an organisation and its first admin.
///
/// A Norwegian organisation registers with its organisation number, which
/// must pass its check digit; one account per number.
#[utoipa::path(
    tag = "accounts",
    operation_id = "create_organisation",
    security(()),
    request_body = RegistrationInput,
    responses(
        (status = 201, description = "Registered", body = Registered),
        (status = 409, description = "The organisation or the e-mail address already has an account",
            body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Every problem with the registration, each naming its field",
            body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Too many sign-ups at once; retry", body = Problem,
            content_type = "application/problem+json"),
    )
)]
#[post("/v1/organisations")]
async fn create_organisation(
    req: HttpRequest,
    lang: AcceptLanguage,
    pool: web::Data<Pool>,
    passwords: web::Data<Passwords>,
    body: ApiJson<RegistrationInput>,
) -> Result<HttpResponse, ApiError> {
    let registration =
        validate_registration(&body.0).map_err(|errors| validation_error(&errors, &[], lang.0))?;
    let hash = passwords.hash(registration.admin.password.clone()).await?;
    let request_id = request_id(&req);
    let mut conn = pool.get().await?;
    let (organisation, admin) = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            let id = Uuid::new_v4();
            let organisation = store::insert_organisation(
                conn,
                id,
                &registration.name,
                &registration.identifier,
                &registration.address,
            )
            .await?;
            let admin = store::insert_user(
                conn,
                Some(id),
                &registration.admin.email,
                &hash,
                Role::Admin,
            )
            .await?;
            audit::record(
                conn,
                Entry {
                    actor: Actor::anonymous(),
                    organisation_id: Some(id),
                    action: "organisation.registered",
                    subject: Some(format!("organisation:{id}")),
                    request_id,
                    details: serde_json::json!({ "admin": admin.id }),
                },
            )
            .await?;
            Ok((organisation, admin))
        })
        .await?;
    tracing::info!(event = "accounts.organisation_registered", organisation = %organisation.id);
    Ok(HttpResponse::Created().json(Registered {
        organisation: OrganisationView::from(&organisation),
        admin: UserView::from(&admin),
    }))
}

/// Who the token belongs to.
#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    pub kind: SubjectKind,
    pub id: Uuid,
    pub role: Role,
    /// A user's e-mail address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// An API client's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// None for regulators.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organisation: Option<OrganisationView>,
}

/// Who the token belongs to: user or client, organisation, role.
#[utoipa::path(
    tag = "accounts",
    operation_id = "get_me",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The caller", body = Me),
    )
)]
#[get("/v1/me")]
async fn get_me(principal: Principal, pool: web::Data<Pool>) -> Result<HttpResponse, ApiError> {
    let mut conn = pool.get().await?;
    let (email, name) = match principal.kind {
        SubjectKind::User => {
            let user =
                store::user(&mut conn, principal.id)
                    .await?
                    .ok_or(ApiError::unauthorized(
                        "invalid_token",
                        "The user no longer exists",
                    ))?;
            (Some(user.email), None)
        }
        SubjectKind::Client => {
            let client = store::client(&mut conn, principal.id)
                .await?
                .filter(|c| c.revoked_at.is_none())
                .ok_or(ApiError::unauthorized(
                    "invalid_token",
                    "The client is revoked",
                ))?;
            (None, Some(client.name))
        }
    };
    let organisation = match principal.organisation_id {
        Some(id) => Some(OrganisationView::from(
            &store::organisation(&mut conn, id).await?,
        )),
        None => None,
    };
    Ok(HttpResponse::Ok().json(Me {
        kind: principal.kind,
        id: principal.id,
        role: principal.role,
        email,
        name,
        organisation,
    }))
}

/// Lists the users of one's own organisation.
#[utoipa::path(
    tag = "accounts",
    operation_id = "list_users",
    security(("bearer" = [])),
    params(PageParams),
    responses(
        (status = 200, description = "One page of users", body = List<UserView>),
        (status = 400, description = "A bad limit or cursor", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v1/organisation/users")]
async fn list_users(
    principal: Principal,
    params: web::Query<PageParams>,
    pool: web::Data<Pool>,
) -> Result<HttpResponse, ApiError> {
    let organisation = principal.require_admin()?;
    let page = params.page()?;
    let mut conn = pool.get().await?;
    let rows = store::users_of(&mut conn, organisation, page).await?;
    let list = List::from_rows(rows, page.limit, |u| (u.created_at, u.id));
    Ok(HttpResponse::Ok().json(List {
        items: list.items.iter().map(UserView::from).collect::<Vec<_>>(),
        next_cursor: list.next_cursor,
    }))
}

/// A new user of one's own organisation.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUserInput {
    #[schema(example = "saksbehandler@fjordvik.kommune.no", required = true)]
    pub email: Option<String>,
    /// At least 12 characters, at most 1,024 bytes, not the e-mail address.
    #[schema(value_type = String, format = Password, required = true)]
    pub password: Option<SecretString>,
    /// `admin` or `member`.
    #[schema(value_type = Role, required = true)]
    pub role: Option<String>,
}

/// Adds a user to one's own organisation.
#[utoipa::path(
    tag = "accounts",
    operation_id = "create_user",
    security(("bearer" = [])),
    request_body = CreateUserInput,
    responses(
        (status = 201, description = "Created", body = UserView),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The e-mail address has an account", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Every problem, each naming its field", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Too many password hashes at once; retry", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/v1/organisation/users")]
async fn create_user(
    req: HttpRequest,
    principal: Principal,
    lang: AcceptLanguage,
    pool: web::Data<Pool>,
    passwords: web::Data<Passwords>,
    body: ApiJson<CreateUserInput>,
) -> Result<HttpResponse, ApiError> {
    let organisation = principal.require_admin()?;
    let input = body.0;
    let user = validate_new_user(&NewUserInput {
        email: input.email,
        password: input.password,
    });
    let role = match input.role.as_deref().map(str::trim) {
        Some("admin") => Ok(Role::Admin),
        Some("member") => Ok(Role::Member),
        None | Some("") => Err(Violation {
            pointer: "/role".into(),
            code: "required",
            args: Vec::new(),
        }),
        Some(other) => Err(Violation {
            pointer: "/role".into(),
            code: "unknown_code",
            args: vec![
                ("value", other.chars().take(40).collect()),
                ("allowed", "admin, member".into()),
            ],
        }),
    };
    let (user, role) = match (user, role) {
        (Ok(user), Ok(role)) => (user, role),
        (user, role) => {
            let mut errors = user.err().unwrap_or_default();
            errors.extend(role.err());
            return Err(validation_error(&errors, &[], lang.0));
        }
    };
    let hash = passwords.hash(user.password).await?;
    let request_id = request_id(&req);
    let mut conn = pool.get().await?;
    let row = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            let row =
                store::insert_user(conn, Some(organisation), &user.email, &hash, role).await?;
            audit::record(
                conn,
                Entry::by(
                    &principal,
                    "user.created",
                    format!("user:{}", row.id),
                    request_id,
                    serde_json::json!({ "role": role.code() }),
                ),
            )
            .await?;
            Ok(row)
        })
        .await?;
    Ok(HttpResponse::Created().json(UserView::from(&row)))
}

/// Removes a user of one's own organisation; their refresh tokens die with them.
#[utoipa::path(
    tag = "accounts",
    operation_id = "delete_user",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The user's id")),
    responses(
        (status = 204, description = "Removed"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such user in one's organisation", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "One cannot remove oneself", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/v1/organisation/users/{id}")]
async fn delete_user(
    req: HttpRequest,
    principal: Principal,
    path: web::Path<Uuid>,
    pool: web::Data<Pool>,
) -> Result<HttpResponse, ApiError> {
    let organisation = principal.require_admin()?;
    let id = path.into_inner();
    if id == principal.id {
        return Err(ApiError::conflict(
            "cannot_delete_self",
            "An admin cannot remove their own account; ask another admin",
        ));
    }
    let request_id = request_id(&req);
    let mut conn = pool.get().await?;
    conn.transaction::<_, ApiError, _>(async move |conn| {
        if !store::delete_user(conn, organisation, id).await? {
            return Err(ApiError::NotFound);
        }
        audit::record(
            conn,
            Entry::by(
                &principal,
                "user.deleted",
                format!("user:{id}"),
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
#[get("/v1/organisation/api-clients")]
async fn list_api_clients(
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
#[post("/v1/organisation/api-clients")]
async fn create_api_client(
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

/// Revokes integration credentials; tokens it holds stop working at expiry.
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
#[delete("/v1/organisation/api-clients/{id}")]
async fn delete_api_client(
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

/// Creates a regulator account (the command line's `create-regulator`).
pub async fn create_regulator(
    pool: &Pool,
    email: &str,
    password: SecretString,
) -> Result<Uuid, Vec<String>> {
    let user = validate_new_user(&NewUserInput {
        email: Some(email.to_owned()),
        password: Some(password),
    })
    .map_err(|errors| {
        errors
            .iter()
            .map(|e| {
                format!(
                    "{}: {}",
                    e.pointer.trim_start_matches('/'),
                    e.message(crate::domain::i18n::Lang::En)
                )
            })
            .collect::<Vec<_>>()
    })?;
    let hash = crate::auth::password::hash_now(&user.password);
    let failed = |e: ApiError| vec![format!("{e:?}")];
    let mut conn = pool.get().await.map_err(|e| failed(e.into()))?;
    let row = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            let row = store::insert_user(conn, None, &user.email, &hash, Role::Regulator).await?;
            audit::record(
                conn,
                Entry {
                    actor: Actor::system(),
                    organisation_id: None,
                    action: "regulator.created",
                    subject: Some(format!("user:{}", row.id)),
                    request_id: None,
                    details: serde_json::json!({ "via": "command line" }),
                },
            )
            .await?;
            Ok(row)
        })
        .await
        .map_err(failed)?;
    Ok(row.id)
}
