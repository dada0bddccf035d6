//! SQL of the accounts: organisations, users, API clients, refresh tokens.
//! Every read of organisation data is scoped to the caller's organisation.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::api::Page;
use crate::auth::Role;
use crate::domain::code_lists::IdentifierScheme;
use crate::domain::identifiers::Identifier;
use crate::domain::notification::Address;
use crate::error::{ApiError, Say};
use crate::schema::{api_clients, organisations, users};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = organisations)]
pub struct OrganisationRow {
    pub id: Uuid,
    pub name: String,
    pub identifier_scheme: IdentifierScheme,
    pub identifier_value: String,
    pub address: serde_json::Value,
    pub created_at: DateTime<Utc>,
    /// When the back office marked the organisation's claim to its
    /// identifier as disputed, if it has.
    pub claim_disputed_at: Option<DateTime<Utc>>,
    pub claim_dispute_note: Option<String>,
    /// When the organisation first proved its organisation number (a
    /// Maskinporten token naming it); none while it has not.
    pub verified_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct UserRow {
    pub id: Uuid,
    pub organisation_id: Option<Uuid>,
    pub email: String,
    pub password_hash: String,
    pub role: Role,
    pub created_at: DateTime<Utc>,
}

impl UserRow {
    pub fn role(&self) -> Role {
        self.role
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = api_clients)]
pub struct ApiClientRow {
    pub id: Uuid,
    pub organisation_id: Uuid,
    pub name: String,
    pub client_id: String,
    pub secret_hash: Vec<u8>,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// Maps the unique constraints of accounts to conflicts a user understands.
pub fn conflict(err: diesel::result::Error) -> ApiError {
    use diesel::result::{DatabaseErrorKind, Error};
    if let Error::DatabaseError(DatabaseErrorKind::UniqueViolation, info) = &err {
        match info.constraint_name() {
            Some("organisations_identifier_unique") => {
                return ApiError::conflict("organisation_exists", Say::new("organisation_exists"));
            }
            // Within one's own organisation only (or among regulators):
            // who has an account elsewhere is never said.
            Some("users_email_in_organisation" | "users_email_of_regulators") => {
                return ApiError::conflict("email_taken", Say::new("email_taken"));
            }
            _ => {}
        }
    }
    err.into()
}

pub async fn insert_organisation(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    name: &str,
    identifier: &Identifier,
    address: &Address,
) -> QueryResult<OrganisationRow> {
    diesel::insert_into(organisations::table)
        .values((
            organisations::id.eq(id),
            organisations::name.eq(name),
            organisations::identifier_scheme.eq(identifier.scheme),
            organisations::identifier_value.eq(&identifier.value),
            organisations::address.eq(serde_json::to_value(address)
                .map_err(|e| diesel::result::Error::SerializationError(Box::new(e)))?),
        ))
        .returning(OrganisationRow::as_returning())
        .get_result(conn)
        .await
}

pub async fn organisation(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<OrganisationRow> {
    organisations::table
        .find(id)
        .select(OrganisationRow::as_select())
        .first(conn)
        .await
}

/// How an organisation that proved its number was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Proven {
    /// Already verified: nothing changed.
    Known,
    /// Registered before, verified now.
    Verified,
    /// Registered now, on its first request, without a name.
    Registered,
}

/// The id of the verified organisation with this Norwegian organisation
/// number, if there is one: the look-up of every request a Maskinporten
/// token makes, once the organisation is verified.
pub async fn verified_by_orgnr(
    conn: &mut AsyncPgConnection,
    orgnr: &str,
) -> QueryResult<Option<Uuid>> {
    organisations::table
        .filter(organisations::identifier_scheme.eq(IdentifierScheme::NoOrgnr))
        .filter(organisations::identifier_value.eq(orgnr))
        .filter(organisations::verified_at.is_not_null())
        .select(organisations::id)
        .first(conn)
        .await
        .optional()
}

/// The organisation with this Norwegian organisation number, proven at
/// `now`: registered when there is none (no name yet, no address), marked
/// verified when it was not. Safe when two first requests race: the
/// loser finds the winner's row.
pub async fn prove_orgnr(
    conn: &mut AsyncPgConnection,
    orgnr: &str,
    now: DateTime<Utc>,
) -> QueryResult<(Uuid, Proven)> {
    let inserted: Option<Uuid> = diesel::insert_into(organisations::table)
        .values((
            organisations::id.eq(Uuid::new_v4()),
            organisations::name.eq(""),
            organisations::identifier_scheme.eq(IdentifierScheme::NoOrgnr),
            organisations::identifier_value.eq(orgnr),
            organisations::address.eq(serde_json::json!({})),
            organisations::verified_at.eq(now),
        ))
        .on_conflict_do_nothing()
        .returning(organisations::id)
        .get_result(conn)
        .await
        .optional()?;
    if let Some(id) = inserted {
        return Ok((id, Proven::Registered));
    }
    let of_number = organisations::table
        .filter(organisations::identifier_scheme.eq(IdentifierScheme::NoOrgnr))
        .filter(organisations::identifier_value.eq(orgnr));
    let verified: Option<Uuid> =
        diesel::update(of_number.filter(organisations::verified_at.is_null()))
            .set(organisations::verified_at.eq(now))
            .returning(organisations::id)
            .get_result(conn)
            .await
            .optional()?;
    if let Some(id) = verified {
        return Ok((id, Proven::Verified));
    }
    let id = of_number.select(organisations::id).first(conn).await?;
    Ok((id, Proven::Known))
}

/// Gives an organisation registered without a name (on its first
/// Maskinporten request) the name it gives itself, where it names itself
/// by its own identifier; false when it had a name, or named another.
pub async fn name_if_unnamed(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    identifier: &Identifier,
    name: &str,
) -> QueryResult<bool> {
    let named = diesel::update(
        organisations::table
            .find(id)
            .filter(organisations::name.eq(""))
            .filter(organisations::identifier_scheme.eq(identifier.scheme))
            .filter(organisations::identifier_value.eq(&identifier.value)),
    )
    .set(organisations::name.eq(name))
    .execute(conn)
    .await?;
    Ok(named == 1)
}

/// Marks the organisation's claim to its identifier as disputed, with the
/// back office's note; `None` clears the mark.
pub async fn set_claim_dispute(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    dispute: Option<(&str, DateTime<Utc>)>,
) -> QueryResult<OrganisationRow> {
    diesel::update(organisations::table.find(id))
        .set((
            organisations::claim_disputed_at.eq(dispute.map(|(_, at)| at)),
            organisations::claim_dispute_note.eq(dispute.map(|(note, _)| note)),
        ))
        .returning(OrganisationRow::as_returning())
        .get_result(conn)
        .await
}

pub async fn insert_user(
    conn: &mut AsyncPgConnection,
    organisation_id: Option<Uuid>,
    email: &str,
    password_hash: &str,
    role: Role,
) -> QueryResult<UserRow> {
    diesel::insert_into(users::table)
        .values((
            users::id.eq(Uuid::new_v4()),
            users::organisation_id.eq(organisation_id),
            users::email.eq(email),
            users::password_hash.eq(password_hash),
            users::role.eq(role),
        ))
        .returning(UserRow::as_returning())
        .get_result(conn)
        .await
}

/// Most accounts one e-mail address is looked up in at sign-in.
pub const MAX_ACCOUNTS_PER_EMAIL: i64 = 20;

/// The accounts of an e-mail address (one per organisation it has an
/// account in, and a regulator's), newest first; only the one of
/// `organisation` when it is named, however many others there are.
pub async fn users_by_email(
    conn: &mut AsyncPgConnection,
    email: &str,
    organisation: Option<Uuid>,
) -> QueryResult<Vec<UserRow>> {
    let mut query = users::table
        .filter(users::email.eq(email))
        .select(UserRow::as_select())
        .order((users::created_at.desc(), users::id))
        .limit(MAX_ACCOUNTS_PER_EMAIL)
        .into_boxed();
    if let Some(organisation) = organisation {
        query = query.filter(users::organisation_id.eq(organisation));
    }
    query.load(conn).await
}

pub async fn user(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<UserRow>> {
    users::table
        .find(id)
        .select(UserRow::as_select())
        .first(conn)
        .await
        .optional()
}

pub async fn users_of(
    conn: &mut AsyncPgConnection,
    organisation_id: Uuid,
    page: Page,
) -> QueryResult<Vec<UserRow>> {
    let mut query = users::table
        .filter(users::organisation_id.eq(organisation_id))
        .select(UserRow::as_select())
        .order((users::created_at, users::id))
        .limit(page.limit + 1)
        .into_boxed();
    if let Some((t, id)) = page.after {
        query = query.filter(
            users::created_at
                .gt(t)
                .or(users::created_at.eq(t).and(users::id.gt(id))),
        );
    }
    query.load(conn).await
}

/// Deletes a user of `organisation_id`; false when there is none such.
pub async fn delete_user(
    conn: &mut AsyncPgConnection,
    organisation_id: Uuid,
    id: Uuid,
) -> QueryResult<bool> {
    let deleted = diesel::delete(
        users::table
            .filter(users::id.eq(id))
            .filter(users::organisation_id.eq(organisation_id)),
    )
    .execute(conn)
    .await?;
    Ok(deleted == 1)
}

pub async fn insert_client(
    conn: &mut AsyncPgConnection,
    organisation_id: Uuid,
    name: &str,
    client_id: &str,
    secret_hash: &[u8],
) -> QueryResult<ApiClientRow> {
    diesel::insert_into(api_clients::table)
        .values((
            api_clients::id.eq(Uuid::new_v4()),
            api_clients::organisation_id.eq(organisation_id),
            api_clients::name.eq(name),
            api_clients::client_id.eq(client_id),
            api_clients::secret_hash.eq(secret_hash),
        ))
        .returning(ApiClientRow::as_returning())
        .get_result(conn)
        .await
}

pub async fn active_client(
    conn: &mut AsyncPgConnection,
    client_id: &str,
) -> QueryResult<Option<ApiClientRow>> {
    api_clients::table
        .filter(api_clients::client_id.eq(client_id))
        .filter(api_clients::revoked_at.is_null())
        .select(ApiClientRow::as_select())
        .first(conn)
        .await
        .optional()
}

pub async fn client(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<ApiClientRow>> {
    api_clients::table
        .find(id)
        .select(ApiClientRow::as_select())
        .first(conn)
        .await
        .optional()
}

pub async fn clients_of(
    conn: &mut AsyncPgConnection,
    organisation_id: Uuid,
    page: Page,
) -> QueryResult<Vec<ApiClientRow>> {
    let mut query = api_clients::table
        .filter(api_clients::organisation_id.eq(organisation_id))
        .filter(api_clients::revoked_at.is_null())
        .select(ApiClientRow::as_select())
        .order((api_clients::created_at, api_clients::id))
        .limit(page.limit + 1)
        .into_boxed();
    if let Some((t, id)) = page.after {
        query = query.filter(
            api_clients::created_at
                .gt(t)
                .or(api_clients::created_at.eq(t).and(api_clients::id.gt(id))),
        );
    }
    query.load(conn).await
}

/// Revokes an active client of `organisation_id`; false when there is none such.
pub async fn revoke_client(
    conn: &mut AsyncPgConnection,
    organisation_id: Uuid,
    id: Uuid,
) -> QueryResult<bool> {
    let revoked = diesel::update(
        api_clients::table
            .filter(api_clients::id.eq(id))
            .filter(api_clients::organisation_id.eq(organisation_id))
            .filter(api_clients::revoked_at.is_null()),
    )
    .set(api_clients::revoked_at.eq(diesel::dsl::now))
    .execute(conn)
    .await?;
    Ok(revoked == 1)
}
