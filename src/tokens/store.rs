//! Refresh tokens: stored as hashes, rotated on use, revoked by family
//! when one is used twice.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::schema::refresh_tokens;

pub async fn insert_refresh_token(
    conn: &mut AsyncPgConnection,
    family_id: Uuid,
    user_id: Uuid,
    token_hash: &[u8],
    expires_at: DateTime<Utc>,
    mfa_at: Option<DateTime<Utc>>,
) -> QueryResult<()> {
    diesel::insert_into(refresh_tokens::table)
        .values((
            refresh_tokens::id.eq(Uuid::new_v4()),
            refresh_tokens::family_id.eq(family_id),
            refresh_tokens::user_id.eq(user_id),
            refresh_tokens::token_hash.eq(token_hash),
            refresh_tokens::expires_at.eq(expires_at),
            refresh_tokens::mfa_at.eq(mfa_at),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// What became of a presented refresh token.
pub enum Spent {
    /// It was live and is now spent: rotate within its family, keeping
    /// when the sign-in checked a second factor.
    Rotated {
        family_id: Uuid,
        user_id: Uuid,
        mfa_at: Option<DateTime<Utc>>,
    },
    /// It had been spent or revoked before: its family is revoked now.
    Reused { family_id: Uuid },
    /// No such token, or expired.
    Unknown,
}

/// Spends a refresh token atomically; concurrent uses of one token get one
/// `Rotated` and the rest `Reused`.
pub async fn spend_refresh_token(
    conn: &mut AsyncPgConnection,
    token_hash: &[u8],
) -> QueryResult<Spent> {
    let live: Option<(Uuid, Uuid, Option<DateTime<Utc>>)> = diesel::update(
        refresh_tokens::table
            .filter(refresh_tokens::token_hash.eq(token_hash))
            .filter(refresh_tokens::used_at.is_null())
            .filter(refresh_tokens::revoked_at.is_null())
            .filter(refresh_tokens::expires_at.gt(diesel::dsl::now)),
    )
    .set(refresh_tokens::used_at.eq(diesel::dsl::now))
    .returning((
        refresh_tokens::family_id,
        refresh_tokens::user_id,
        refresh_tokens::mfa_at,
    ))
    .get_result(conn)
    .await
    .optional()?;
    if let Some((family_id, user_id, mfa_at)) = live {
        return Ok(Spent::Rotated {
            family_id,
            user_id,
            mfa_at,
        });
    }
    let earlier: Option<(Uuid, bool)> = refresh_tokens::table
        .filter(refresh_tokens::token_hash.eq(token_hash))
        .select((
            refresh_tokens::family_id,
            refresh_tokens::used_at
                .is_not_null()
                .or(refresh_tokens::revoked_at.is_not_null()),
        ))
        .first(conn)
        .await
        .optional()?;
    match earlier {
        Some((family_id, true)) => {
            revoke_family(conn, family_id).await?;
            Ok(Spent::Reused { family_id })
        }
        _ => Ok(Spent::Unknown),
    }
}

pub async fn revoke_family(conn: &mut AsyncPgConnection, family_id: Uuid) -> QueryResult<()> {
    diesel::update(
        refresh_tokens::table
            .filter(refresh_tokens::family_id.eq(family_id))
            .filter(refresh_tokens::revoked_at.is_null()),
    )
    .set(refresh_tokens::revoked_at.eq(diesel::dsl::now))
    .execute(conn)
    .await?;
    Ok(())
}

/// The family of a token of `user_id`, if it is theirs.
pub async fn family_of(
    conn: &mut AsyncPgConnection,
    token_hash: &[u8],
    user_id: Uuid,
) -> QueryResult<Option<Uuid>> {
    refresh_tokens::table
        .filter(refresh_tokens::token_hash.eq(token_hash))
        .filter(refresh_tokens::user_id.eq(user_id))
        .select(refresh_tokens::family_id)
        .first(conn)
        .await
        .optional()
}

/// The family of a presented token, whatever its state; `None` for a token
/// never issued.
pub async fn family_by_hash(
    conn: &mut AsyncPgConnection,
    token_hash: &[u8],
) -> QueryResult<Option<Uuid>> {
    refresh_tokens::table
        .filter(refresh_tokens::token_hash.eq(token_hash))
        .select(refresh_tokens::family_id)
        .first(conn)
        .await
        .optional()
}

/// Serialises everything done to one family until the transaction ends:
/// a rotation and a reuse of the same sign-in cannot interleave.
pub async fn lock_family(conn: &mut AsyncPgConnection, family_id: Uuid) -> QueryResult<()> {
    diesel::sql_query("SELECT pg_advisory_xact_lock(hashtextextended($1::text, 0))")
        .bind::<diesel::sql_types::Uuid, _>(family_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Whether any token of the family has been revoked: nothing more is
/// issued into it.
pub async fn family_revoked(conn: &mut AsyncPgConnection, family_id: Uuid) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        refresh_tokens::table
            .filter(refresh_tokens::family_id.eq(family_id))
            .filter(refresh_tokens::revoked_at.is_not_null()),
    ))
    .get_result(conn)
    .await
}
