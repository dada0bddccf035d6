//! SQL of the second factor: the one writer of `totp_factors` and
//! `recovery_codes`.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::schema::{recovery_codes, totp_factors};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = totp_factors)]
pub struct FactorRow {
    pub user_id: Uuid,
    /// The secret as `auth::totp::TotpKey::seal` sealed it.
    pub secret_sealed: Vec<u8>,
    pub created_at: DateTime<Utc>,
    /// None while the enrolment waits for its first code.
    pub confirmed_at: Option<DateTime<Utc>>,
    pub last_step: Option<i64>,
}

impl FactorRow {
    pub fn is_active(&self) -> bool {
        self.confirmed_at.is_some()
    }
}

pub async fn factor(conn: &mut AsyncPgConnection, user_id: Uuid) -> QueryResult<Option<FactorRow>> {
    totp_factors::table
        .find(user_id)
        .select(FactorRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// Those of `users` whose second factor is active.
pub async fn active_among(conn: &mut AsyncPgConnection, users: &[Uuid]) -> QueryResult<Vec<Uuid>> {
    if users.is_empty() {
        return Ok(Vec::new());
    }
    totp_factors::table
        .filter(totp_factors::user_id.eq_any(users))
        .filter(totp_factors::confirmed_at.is_not_null())
        .select(totp_factors::user_id)
        .load(conn)
        .await
}

/// Stores a new secret for `user_id`, replacing one that waits for its
/// first code; `confirmed_at` makes it active at once (the command line).
/// An active factor is never replaced: false when there is one.
pub async fn put_factor(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    secret_sealed: &[u8],
    now: DateTime<Utc>,
    confirmed_at: Option<DateTime<Utc>>,
) -> QueryResult<bool> {
    use diesel::sql_types::{Bytea, Nullable, Timestamptz, Uuid as SqlUuid};
    // One statement, so that an enrolment confirmed meanwhile stays.
    let written = diesel::sql_query(
        "INSERT INTO totp_factors AS f (user_id, secret_sealed, created_at, confirmed_at)
         VALUES ($1, $2, $3, $4)
         ON CONFLICT (user_id) DO UPDATE SET
           secret_sealed = excluded.secret_sealed, created_at = excluded.created_at,
           confirmed_at = excluded.confirmed_at, last_step = NULL
         WHERE f.confirmed_at IS NULL",
    )
    .bind::<SqlUuid, _>(user_id)
    .bind::<Bytea, _>(secret_sealed)
    .bind::<Timestamptz, _>(now)
    .bind::<Nullable<Timestamptz>, _>(confirmed_at)
    .execute(conn)
    .await?;
    Ok(written == 1)
}

/// Records that a code of time step `step` was accepted for `factor`, if
/// no code of that step or a later one was before, and confirms it if it
/// waited: one statement, so two requests with the same code cannot both
/// pass, and only while the secret is still the one the code was checked
/// against (a new enrolment may have replaced it meanwhile). False when
/// the step is not later than the last one accepted.
pub async fn accept_step(
    conn: &mut AsyncPgConnection,
    factor: &FactorRow,
    step: i64,
    now: DateTime<Utc>,
) -> QueryResult<bool> {
    let updated = diesel::update(
        totp_factors::table
            .filter(totp_factors::user_id.eq(factor.user_id))
            .filter(totp_factors::secret_sealed.eq(&factor.secret_sealed))
            .filter(
                totp_factors::last_step
                    .is_null()
                    .or(totp_factors::last_step.lt(step)),
            ),
    )
    .set((
        totp_factors::last_step.eq(step),
        totp_factors::confirmed_at.eq(factor.confirmed_at.unwrap_or(now)),
    ))
    .execute(conn)
    .await?;
    Ok(updated == 1)
}

/// Removes the second factor of `user_id` and its recovery codes; false
/// when there was none.
pub async fn delete_factor(conn: &mut AsyncPgConnection, user_id: Uuid) -> QueryResult<bool> {
    diesel::delete(recovery_codes::table.filter(recovery_codes::user_id.eq(user_id)))
        .execute(conn)
        .await?;
    let deleted = diesel::delete(totp_factors::table.filter(totp_factors::user_id.eq(user_id)))
        .execute(conn)
        .await?;
    Ok(deleted == 1)
}

/// Replaces every recovery code of `user_id` with new ones (their hashes).
pub async fn replace_recovery_codes(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    hashes: &[[u8; 32]],
) -> QueryResult<()> {
    diesel::delete(recovery_codes::table.filter(recovery_codes::user_id.eq(user_id)))
        .execute(conn)
        .await?;
    let rows: Vec<_> = hashes
        .iter()
        .map(|hash| {
            (
                recovery_codes::user_id.eq(user_id),
                recovery_codes::code_hash.eq(hash.as_slice()),
            )
        })
        .collect();
    diesel::insert_into(recovery_codes::table)
        .values(rows)
        .execute(conn)
        .await?;
    Ok(())
}

/// Spends an unused recovery code of `user_id` by its hash: one statement,
/// so a code works once however many requests bring it. False when there
/// is no such unused code.
pub async fn spend_recovery_code(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    hash: &[u8; 32],
    now: DateTime<Utc>,
) -> QueryResult<bool> {
    let spent = diesel::update(
        recovery_codes::table
            .filter(recovery_codes::user_id.eq(user_id))
            .filter(recovery_codes::code_hash.eq(hash.as_slice()))
            .filter(recovery_codes::used_at.is_null()),
    )
    .set(recovery_codes::used_at.eq(now))
    .execute(conn)
    .await?;
    Ok(spent == 1)
}

/// Whether `user_id` has this recovery code unused (spending nothing).
pub async fn recovery_code_unused(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    hash: &[u8; 32],
) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        recovery_codes::table
            .filter(recovery_codes::user_id.eq(user_id))
            .filter(recovery_codes::code_hash.eq(hash.as_slice()))
            .filter(recovery_codes::used_at.is_null()),
    ))
    .get_result(conn)
    .await
}
