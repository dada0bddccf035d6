//! The users of one's organisation: list, add, remove (admins).

use actix_web::{HttpRequest, HttpResponse, delete, get, post, web};
use chrono::{DateTime, Utc};
use diesel_async::AsyncConnection;
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::store::{self, UserRow};
use crate::api::{AcceptLanguage, List, PageParams, request_id, validation_error};
use crate::audit::{self, Entry};
use crate::auth::password::Passwords;
use crate::auth::{Principal, Role};
use crate::db::Pool;
use crate::domain::notification::Violation;
use crate::domain::organisation::{NewUserInput, validate_new_user};
use crate::error::{ApiError, Problem, Say};
use crate::extract::ApiJson;

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
#[get("/users")]
pub(super) async fn list_users(
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
    #[schema(example = "saksbehandler@fjordvik.kommune.no", format = Email, max_length = 254, required = true)]
    pub email: Option<String>,
    /// At least 12 characters, at most 1,024 bytes, not the e-mail address.
    #[schema(value_type = String, format = Password, min_length = 12, required = true)]
    pub password: Option<SecretString>,
    /// `admin` or `member`.
    #[schema(value_type = OrganisationRole, required = true)]
    pub role: Option<String>,
}

/// The role of a user of an organisation (regulators are made on the
/// command line only).
#[derive(ToSchema)]
#[schema(as = OrganisationRole)]
#[serde(rename_all = "lowercase")]
#[expect(dead_code, reason = "the schema of `CreateUserInput::role`")]
enum OrganisationRole {
    Admin,
    Member,
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
#[post("/users")]
pub(super) async fn create_user(
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
            let row = store::insert_user(conn, Some(organisation), &user.email, &hash, role)
                .await
                .map_err(store::conflict)?;
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
#[delete("/users/{id}")]
pub(super) async fn delete_user(
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
            Say::new("cannot_delete_self"),
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
