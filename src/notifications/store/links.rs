//! Confirmation links: single use, stored only as the SHA-256 of the token
//! in the link, revoked when a newer one is issued or nothing waits any more.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::domain::version::Confirming;
use crate::schema::confirmation_tokens;

/// How long a link works.
pub const LINK_DAYS: i64 = 14;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = confirmation_tokens)]
pub struct LinkRow {
    pub id: Uuid,
    pub notification_id: Uuid,
    pub action: Confirming,
    pub version: Option<i32>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// The secret of a new link: 32 random bytes, base64url.
pub fn new_token() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// Whether `token` has the shape of one; anything else is not looked up.
pub fn looks_like_a_token(token: &str) -> bool {
    token.len() == 43 && URL_SAFE_NO_PAD.decode(token).is_ok_and(|b| b.len() == 32)
}

fn hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// Stores the link `token` for what now waits on the notification; earlier
/// links stop working.
pub async fn issue(
    conn: &mut AsyncPgConnection,
    notification_id: Uuid,
    token: &str,
    confirming: Confirming,
    version: Option<i32>,
    now: DateTime<Utc>,
) -> QueryResult<()> {
    revoke(conn, notification_id, now).await?;
    issue_first(conn, notification_id, token, confirming, version, now).await
}

/// When a link issued at `now` stops working.
pub fn expires(now: DateTime<Utc>) -> DateTime<Utc> {
    now + chrono::Duration::days(LINK_DAYS)
}

/// The first link of a notification made in this transaction: there is
/// none earlier to revoke.
pub async fn issue_first(
    mut conn: &AsyncPgConnection,
    notification_id: Uuid,
    token: &str,
    confirming: Confirming,
    version: Option<i32>,
    now: DateTime<Utc>,
) -> QueryResult<()> {
    let expires_at = expires(now);
    diesel::insert_into(confirmation_tokens::table)
        .values((
            confirmation_tokens::id.eq(Uuid::new_v4()),
            confirmation_tokens::notification_id.eq(notification_id),
            confirmation_tokens::token_hash.eq(hash(token)),
            confirmation_tokens::action.eq(confirming),
            confirmation_tokens::version.eq(version),
            confirmation_tokens::created_at.eq(now),
            confirmation_tokens::expires_at.eq(expires_at),
        ))
        .execute(&mut conn)
        .await?;
    Ok(())
}

/// Every unused link of the notification stops working.
pub async fn revoke(
    conn: &mut AsyncPgConnection,
    notification_id: Uuid,
    now: DateTime<Utc>,
) -> QueryResult<()> {
    diesel::update(
        confirmation_tokens::table
            .filter(confirmation_tokens::notification_id.eq(notification_id))
            .filter(confirmation_tokens::used_at.is_null())
            .filter(confirmation_tokens::revoked_at.is_null()),
    )
    .set(confirmation_tokens::revoked_at.eq(now))
    .execute(conn)
    .await?;
    Ok(())
}

/// The link of `token`, used, revoked or live; with `lock`, locked for the
/// rest of the transaction.
pub async fn find(
    conn: &mut AsyncPgConnection,
    token: &str,
    lock: bool,
) -> QueryResult<Option<LinkRow>> {
    let query = confirmation_tokens::table
        .filter(confirmation_tokens::token_hash.eq(hash(token)))
        .select(LinkRow::as_select());
    if lock {
        query.for_update().first(conn).await.optional()
    } else {
        query.first(conn).await.optional()
    }
}

/// The link was used and issued the receipt `receipt_id`.
pub async fn mark_used(
    conn: &mut AsyncPgConnection,
    link_id: Uuid,
    receipt_id: Uuid,
    now: DateTime<Utc>,
) -> QueryResult<()> {
    diesel::update(confirmation_tokens::table.find(link_id))
        .set((
            confirmation_tokens::used_at.eq(now),
            confirmation_tokens::receipt_id.eq(receipt_id),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// The receipt the link `token` issued, once used.
pub async fn receipt_of(conn: &mut AsyncPgConnection, token: &str) -> QueryResult<Option<Uuid>> {
    Ok(confirmation_tokens::table
        .filter(confirmation_tokens::token_hash.eq(hash(token)))
        .select(confirmation_tokens::receipt_id)
        .first::<Option<Uuid>>(conn)
        .await
        .optional()?
        .flatten())
}

/// What the confirmation page keeps of a used link for the browser that
/// used it (`confirmations::replay`).
#[derive(Debug, Clone, Queryable)]
pub struct Replay {
    pub receipt_id: Option<Uuid>,
    pub cookie_hash: Option<Vec<u8>>,
    pub sealed_key: Option<Vec<u8>>,
    pub until: Option<DateTime<Utc>>,
}

/// Keeps, with the used link, which browser used it, the key sealed for
/// that browser, and until when the page may show them again.
pub async fn keep_for_replay(
    conn: &mut AsyncPgConnection,
    link_id: Uuid,
    cookie_hash: &[u8],
    sealed_key: Option<&[u8]>,
    until: DateTime<Utc>,
) -> QueryResult<()> {
    diesel::update(confirmation_tokens::table.find(link_id))
        .set((
            confirmation_tokens::replay_cookie_hash.eq(cookie_hash),
            confirmation_tokens::replay_sealed_key.eq(sealed_key),
            confirmation_tokens::replay_until.eq(until),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// What was kept for the replay of the used link `token`, if anything.
pub async fn replay_of(conn: &mut AsyncPgConnection, token: &str) -> QueryResult<Option<Replay>> {
    confirmation_tokens::table
        .filter(confirmation_tokens::token_hash.eq(hash(token)))
        .filter(confirmation_tokens::used_at.is_not_null())
        .select((
            confirmation_tokens::receipt_id,
            confirmation_tokens::replay_cookie_hash,
            confirmation_tokens::replay_sealed_key,
            confirmation_tokens::replay_until,
        ))
        .first(conn)
        .await
        .optional()
}

/// Forgets the sealed keys whose replay window has passed.
pub async fn forget_replays(
    conn: &mut AsyncPgConnection,
    now: DateTime<Utc>,
) -> QueryResult<usize> {
    diesel::update(
        confirmation_tokens::table
            .filter(confirmation_tokens::replay_until.le(now))
            .filter(confirmation_tokens::replay_sealed_key.is_not_null()),
    )
    .set(confirmation_tokens::replay_sealed_key.eq(None::<Vec<u8>>))
    .execute(conn)
    .await
}
