//! An organisation as the back office sees it, and the mark on a claim to
//! an identifier that is disputed: any organisation can register with any
//! organisation number and name any controller, so the regulator needs to
//! say "this one is not who it says".

use actix_web::{HttpRequest, HttpResponse, delete, get, put, web};
use chrono::{DateTime, Utc};
use diesel_async::AsyncConnection;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::accounts::store::{self, OrganisationRow};
use crate::api::request_id;
use crate::audit::{self, Entry};
use crate::auth::Principal;
use crate::clock::Clock;
use crate::db::Pool;
use crate::domain::code_lists::IdentifierScheme;
use crate::domain::messages::Say;
use crate::domain::party::limits;
use crate::error::{ApiError, FieldProblem, Problem};
use crate::extract::ApiJson;

/// An organisation, with the back office's view of its claim.
#[derive(Debug, Serialize, ToSchema)]
pub struct AdminOrganisationView {
    pub id: Uuid,
    #[schema(example = "Fjordvik kommune")]
    pub name: String,
    pub identifier_scheme: IdentifierScheme,
    #[schema(example = "974761467")]
    pub identifier_value: String,
    pub created_at: DateTime<Utc>,
    /// Whether the back office disputes the organisation's claim to its
    /// identifier.
    pub claim_disputed: bool,
    pub claim_disputed_at: Option<DateTime<Utc>>,
    pub claim_dispute_note: Option<String>,
    /// Whether the organisation proved its organisation number with a
    /// Maskinporten token naming it; since when.
    pub verified: bool,
    pub verified_at: Option<DateTime<Utc>>,
}

impl From<OrganisationRow> for AdminOrganisationView {
    fn from(row: OrganisationRow) -> Self {
        Self {
            id: row.id,
            name: row.name,
            identifier_scheme: row.identifier_scheme,
            identifier_value: row.identifier_value,
            created_at: row.created_at,
            claim_disputed: row.claim_disputed_at.is_some(),
            claim_disputed_at: row.claim_disputed_at,
            claim_dispute_note: row.claim_dispute_note,
            verified: row.verified_at.is_some(),
            verified_at: row.verified_at,
        }
    }
}

/// Why the claim is disputed.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DisputeInput {
    /// What the back office found (several lines allowed).
    #[schema(example = "Enhetsregisteret names another contact; asked for proof 2026-12-03.")]
    pub note: String,
}

/// One organisation, with its claim's state.
#[utoipa::path(
    tag = "back office",
    operation_id = "admin_get_organisation",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The organisation's id")),
    responses(
        (status = 200, description = "The organisation", body = AdminOrganisationView),
        (status = 404, description = "No such organisation, or the caller is no regulator", body = Problem,
            content_type = "application/problem+json"),
    )
)]
#[get("/organisations/{id}")]
pub(super) async fn get_organisation(
    principal: Principal,
    path: web::Path<Uuid>,
    pool: web::Data<Pool>,
) -> Result<HttpResponse, ApiError> {
    principal.require_regulator()?;
    let mut conn = pool.get().await?;
    let row = store::organisation(&mut conn, path.into_inner()).await?;
    Ok(HttpResponse::Ok().json(AdminOrganisationView::from(row)))
}

/// Marks the organisation's claim to its identifier as disputed, with a
/// note (again: the note is replaced). Audited.
#[utoipa::path(
    tag = "back office",
    operation_id = "admin_dispute_claim",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The organisation's id")),
    request_body = DisputeInput,
    responses(
        (status = 200, description = "Marked", body = AdminOrganisationView),
        (status = 404, description = "No such organisation, or the caller is no regulator", body = Problem,
            content_type = "application/problem+json"),
    )
)]
#[put("/organisations/{id}/dispute")]
pub(super) async fn dispute_claim(
    req: HttpRequest,
    principal: Principal,
    path: web::Path<Uuid>,
    pool: web::Data<Pool>,
    clock: web::Data<Clock>,
    body: ApiJson<DisputeInput>,
) -> Result<HttpResponse, ApiError> {
    principal.require_regulator()?;
    let note = body.0.note.trim().to_owned();
    if note.is_empty() || note.chars().count() > limits::DESCRIPTION {
        let code = if note.is_empty() {
            "required"
        } else {
            "too_long"
        };
        let say = Say::new(code).with("max", limits::DESCRIPTION);
        let problem = FieldProblem::new("/note", code, say);
        return Err(ApiError::Validation {
            errors: vec![problem],
            warnings: Vec::new(),
        });
    }
    let dispute = Some((note.as_str(), clock.now()));
    let row = record_dispute(&req, principal, path.into_inner(), dispute, &pool).await?;
    Ok(HttpResponse::Ok().json(AdminOrganisationView::from(row)))
}

/// Clears the mark: the claim is no longer disputed. Audited.
#[utoipa::path(
    tag = "back office",
    operation_id = "admin_clear_dispute",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The organisation's id")),
    responses(
        (status = 200, description = "Cleared", body = AdminOrganisationView),
        (status = 404, description = "No such organisation, or the caller is no regulator", body = Problem,
            content_type = "application/problem+json"),
    )
)]
#[delete("/organisations/{id}/dispute")]
pub(super) async fn clear_dispute(
    req: HttpRequest,
    principal: Principal,
    path: web::Path<Uuid>,
    pool: web::Data<Pool>,
) -> Result<HttpResponse, ApiError> {
    principal.require_regulator()?;
    let row = record_dispute(&req, principal, path.into_inner(), None, &pool).await?;
    Ok(HttpResponse::Ok().json(AdminOrganisationView::from(row)))
}

/// Sets or clears the dispute mark and audits it, in one transaction.
async fn record_dispute(
    req: &HttpRequest,
    principal: Principal,
    id: Uuid,
    dispute: Option<(&str, DateTime<Utc>)>,
    pool: &Pool,
) -> Result<OrganisationRow, ApiError> {
    let request_id = request_id(req);
    let (action, details) = match dispute {
        Some((note, _)) => (
            "organisation.claim_disputed",
            serde_json::json!({ "note": note }),
        ),
        None => ("organisation.claim_dispute_cleared", serde_json::json!({})),
    };
    let mut conn = pool.get().await?;
    conn.transaction::<_, ApiError, _>(async move |conn| {
        let row = store::set_claim_dispute(conn, id, dispute).await?;
        let entry = Entry {
            organisation_id: Some(id),
            ..Entry::by(
                &principal,
                action,
                format!("organisation:{id}"),
                request_id,
                details,
            )
        };
        audit::record(conn, entry).await?;
        Ok(row)
    })
    .await
}
