//! `Idempotency-Key` on creating requests: a retry with the same key and
//! body gets the first answer back; the same key with another body is 422.
//!
//! The key is claimed inside the request's own transaction, before any
//! other write. A concurrent request with the same key waits on that row
//! until the first commits, then replays its answer; if the first fails and
//! rolls back, the second proceeds as if it were first. Answers are kept
//! for 24 hours.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::{HttpRequest, HttpResponse};
use diesel::sql_types::{Bytea, Nullable, SmallInt, Text};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::domain::receipt::canonical_json;
use crate::error::{ApiError, FieldProblem, Say};

pub const IDEMPOTENCY_KEY: HeaderName = HeaderName::from_static("idempotency-key");
/// Set on a replayed answer.
pub const REPLAYED: HeaderName = HeaderName::from_static("idempotent-replayed");

/// The key of a request, if it sent one.
pub fn key_of(req: &HttpRequest) -> Result<Option<String>, ApiError> {
    let Some(value) = req.headers().get(&IDEMPOTENCY_KEY) else {
        return Ok(None);
    };
    value
        .to_str()
        .ok()
        .map(str::trim)
        .filter(|k| (1..=255).contains(&k.len()) && k.bytes().all(|b| b.is_ascii_graphic()))
        .map(|k| Some(k.to_owned()))
        .ok_or_else(|| ApiError::Validation {
            errors: vec![FieldProblem::new(
                "Idempotency-Key",
                "invalid_idempotency_key",
                Say::new("invalid_idempotency_key"),
            )],
            warnings: Vec::new(),
        })
}

/// A fingerprint of what was asked: method, path and the body's canonical JSON.
pub fn fingerprint(req: &HttpRequest, body: &impl Serialize) -> Vec<u8> {
    let json = serde_json::to_value(body).unwrap_or_default();
    let mut hash = Sha256::new();
    hash.update(req.method().as_str().as_bytes());
    hash.update(b" ");
    hash.update(req.path().as_bytes());
    hash.update(b"\n");
    hash.update(canonical_json(&json).as_bytes());
    hash.finalize().to_vec()
}

/// The idempotency of one request: its key (if it sent one), scoped to the
/// caller's organisation, and the fingerprint of what it asked.
pub struct Idempotency {
    scope: String,
    key: Option<String>,
    fingerprint: Vec<u8>,
}

impl Idempotency {
    /// The body is read for its fingerprint only when a key is given.
    pub fn of(req: &HttpRequest, scope: String, body: &impl Serialize) -> Result<Self, ApiError> {
        let key = key_of(req)?;
        Ok(Self {
            fingerprint: match key {
                Some(_) => fingerprint(req, body),
                None => Vec::new(),
            },
            key,
            scope,
        })
    }

    /// Whether the request carries a key: its answer is kept.
    pub fn is_active(&self) -> bool {
        self.key.is_some()
    }

    /// In the request's transaction, before any write: the kept answer of
    /// an earlier request with this key, if there was one.
    pub async fn replay(&self, conn: &mut AsyncPgConnection) -> Result<Option<Answer>, ApiError> {
        let Some(key) = &self.key else {
            return Ok(None);
        };
        Ok(
            match claim(conn, &self.scope, key, &self.fingerprint).await? {
                Claim::Replay(answer) => Some(answer),
                Claim::Fresh => None,
                Claim::Reused => return Err(reused()),
            },
        )
    }

    /// In the same transaction, after the change: keeps the answer.
    pub async fn keep(
        &self,
        conn: &mut AsyncPgConnection,
        answer: &Answer,
    ) -> Result<(), ApiError> {
        if let Some(key) = &self.key {
            remember(conn, &self.scope, key, answer).await?;
        }
        Ok(())
    }
}

/// A stored first answer.
#[derive(Debug, Clone, diesel::QueryableByName)]
pub struct Stored {
    #[diesel(sql_type = Bytea)]
    request_hash: Vec<u8>,
    #[diesel(sql_type = SmallInt)]
    status: i16,
    #[diesel(sql_type = Nullable<Text>)]
    location: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    etag: Option<String>,
    #[diesel(sql_type = Bytea)]
    body: Vec<u8>,
}

/// What the key says about this request.
pub enum Claim {
    /// First time: go on, and `remember` the answer before committing.
    Fresh,
    /// Answered before: send this again.
    Replay(Answer),
    /// The key was used for another request.
    Reused,
}

fn reused() -> ApiError {
    ApiError::Validation {
        errors: vec![crate::error::FieldProblem::new(
            "Idempotency-Key",
            "idempotency_key_reused",
            Say::new("idempotency_key_reused"),
        )],
        warnings: Vec::new(),
    }
}

/// A JSON answer as plain data, so it can leave a transaction and be kept.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: StatusCode,
    pub location: Option<String>,
    pub etag: Option<String>,
    pub body: Vec<u8>,
    pub replayed: bool,
}

impl Answer {
    pub fn json(status: StatusCode, body: &impl Serialize) -> Result<Self, ApiError> {
        Ok(Self {
            status,
            location: None,
            etag: None,
            body: serde_json::to_vec(body).map_err(ApiError::internal)?,
            replayed: false,
        })
    }

    pub fn into_response(self) -> HttpResponse {
        let mut response = HttpResponse::build(self.status);
        response.insert_header((header::CONTENT_TYPE, "application/json"));
        if self.replayed {
            response.insert_header((REPLAYED, HeaderValue::from_static("true")));
        }
        if let Some(location) = self.location {
            response.insert_header((header::LOCATION, location));
        }
        if let Some(etag) = self.etag {
            response.insert_header((header::ETAG, etag));
        }
        response.body(self.body)
    }
}

#[derive(diesel::QueryableByName)]
struct Inserted {
    #[diesel(sql_type = diesel::sql_types::Integer)]
    #[expect(dead_code, reason = "only its presence matters")]
    one: i32,
}

/// Claims `key` for this request in the current transaction.
pub async fn claim(
    conn: &mut AsyncPgConnection,
    scope: &str,
    key: &str,
    request_hash: &[u8],
) -> diesel::QueryResult<Claim> {
    diesel::sql_query(
        "DELETE FROM idempotency_keys
         WHERE scope = $1 AND key = $2 AND created_at < now() - interval '24 hours'",
    )
    .bind::<Text, _>(scope)
    .bind::<Text, _>(key)
    .execute(conn)
    .await?;
    let inserted: Vec<Inserted> = diesel::sql_query(
        "INSERT INTO idempotency_keys (scope, key, request_hash, status, body)
         VALUES ($1, $2, $3, 0, ''::bytea)
         ON CONFLICT (scope, key) DO NOTHING
         RETURNING 1 AS one",
    )
    .bind::<Text, _>(scope)
    .bind::<Text, _>(key)
    .bind::<Bytea, _>(request_hash)
    .load(conn)
    .await?;
    if !inserted.is_empty() {
        return Ok(Claim::Fresh);
    }
    let stored: Stored = diesel::sql_query(
        "SELECT request_hash, status, location, etag, body FROM idempotency_keys
         WHERE scope = $1 AND key = $2",
    )
    .bind::<Text, _>(scope)
    .bind::<Text, _>(key)
    .get_result(conn)
    .await?;
    if stored.request_hash != request_hash {
        return Ok(Claim::Reused);
    }
    Ok(Claim::Replay(Answer {
        status: StatusCode::from_u16(stored.status as u16).unwrap_or(StatusCode::OK),
        location: stored.location,
        etag: stored.etag,
        body: stored.body,
        replayed: true,
    }))
}

/// Keeps the answer for replays, in the same transaction as the change.
pub async fn remember(
    conn: &mut AsyncPgConnection,
    scope: &str,
    key: &str,
    answer: &Answer,
) -> diesel::QueryResult<()> {
    diesel::sql_query(
        "UPDATE idempotency_keys SET status = $3, location = $4, etag = $5, body = $6
         WHERE scope = $1 AND key = $2",
    )
    .bind::<Text, _>(scope)
    .bind::<Text, _>(key)
    .bind::<SmallInt, _>(answer.status.as_u16() as i16)
    .bind::<Nullable<Text>, _>(answer.location.as_deref())
    .bind::<Nullable<Text>, _>(answer.etag.as_deref())
    .bind::<Bytea, _>(&answer.body)
    .execute(conn)
    .await?;
    Ok(())
}
