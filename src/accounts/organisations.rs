//! Registering an organisation with its first admin, and who a token
//! belongs to.

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use diesel_async::AsyncConnection;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::store::{self, OrganisationRow};
use super::users::UserView;
use crate::api::{AcceptLanguage, request_id, validation_error};
use crate::audit::{self, Actor, Entry};
use crate::auth::client;
use crate::auth::password::Passwords;
use crate::auth::{Principal, Role, SubjectKind};
use crate::clock::Clock;
use crate::config::RateLimits;
use crate::db::Pool;
use crate::domain::code_lists::IdentifierScheme;
use crate::domain::organisation::{RegistrationInput, validate_registration};
use crate::error::{ApiError, Problem, Say};
use crate::extract::ApiJson;
use crate::rate_limit;

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
                scheme: row.identifier_scheme,
                value: row.identifier_value.clone(),
            },
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
        (status = 429, description = "Too many registrations from this client address in the hour; wait `Retry-After` seconds",
            body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Too many sign-ups at once; retry", body = Problem,
            content_type = "application/problem+json"),
    )
)]
#[post("/v1/organisations")]
pub(super) async fn create_organisation(
    req: HttpRequest,
    lang: AcceptLanguage,
    pool: web::Data<Pool>,
    passwords: web::Data<Passwords>,
    limits: web::Data<RateLimits>,
    clock: web::Data<Clock>,
    body: ApiJson<RegistrationInput>,
) -> Result<HttpResponse, ApiError> {
    // Every attempt counts, before any work: registration is anonymous.
    let key = format!("registration:{}", client::address_key(&req));
    rate_limit::take(&*pool.get().await?, &key, limits.registrations, clock.now()).await?;
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
            .await
            .map_err(store::conflict)?;
            let admin = store::insert_user(
                conn,
                Some(id),
                &registration.admin.email,
                &hash,
                Role::Admin,
            )
            .await
            .map_err(store::conflict)?;
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
    security(("bearer" = []), ("maskinporten" = [])),
    responses(
        (status = 200, description = "The caller", body = Me),
    )
)]
#[get("/v1/me")]
pub(super) async fn get_me(
    principal: Principal,
    pool: web::Data<Pool>,
) -> Result<HttpResponse, ApiError> {
    let mut conn = pool.get().await?;
    let (email, name) = match principal.kind {
        SubjectKind::User => {
            let user =
                store::user(&mut conn, principal.id)
                    .await?
                    .ok_or(ApiError::unauthorized(
                        "invalid_token",
                        Say::new("user_gone"),
                    ))?;
            (Some(user.email), None)
        }
        SubjectKind::Client => {
            let client = store::client(&mut conn, principal.id)
                .await?
                .filter(|c| c.revoked_at.is_none())
                .ok_or(ApiError::unauthorized(
                    "invalid_token",
                    Say::new("client_revoked"),
                ))?;
            (None, Some(client.name))
        }
        // The organisation itself calls; the view below names it.
        SubjectKind::Maskinporten => (None, None),
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
