//! The register's API for anyone: search, one entry, the feed of changes.

use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::Deserialize;
use utoipa::IntoParams;

use super::params::{Search, SearchParams};
use super::public::{Allowed, Public};
use super::search::{After, encode_cursor};
use super::store::{self, EntryRow};
use super::views::{RegisterChange, RegisterChanges, RegisterEntry, RegisterPage};
use crate::api::{AcceptLanguage, cacheable, cacheable_bytes};
use diesel_async::AsyncPgConnection;

use crate::db::Pool;
use crate::domain::number::NotificationNumber;
use crate::error::{ApiError, Problem, Say};
use crate::query;

/// How long anyone may cache an answer of the register, in seconds: a
/// change shows within a minute everywhere, at once here.
pub const MAX_AGE: u32 = 60;

/// One page of entries and the cursor after it.
pub async fn find(
    pool: &Pool,
    search: &Search,
) -> Result<(Vec<EntryRow>, Option<String>), ApiError> {
    let mut conn = pool.get().await?;
    find_on(&mut conn, search).await
}

/// [`find`] on a connection the caller holds.
async fn find_on(
    conn: &mut AsyncPgConnection,
    search: &Search,
) -> Result<(Vec<EntryRow>, Option<String>), ApiError> {
    let mut rows =
        store::search(conn, &search.query, search.after.as_ref(), search.limit + 1).await?;
    let more = rows.len() as i64 > search.limit;
    rows.truncate(search.limit as usize);
    let ranked = search.query.is_ranked();
    let next = more.then(|| rows.last()).flatten().map(|(row, rank)| {
        encode_cursor(&if ranked {
            After::Ranked(*rank, row.number.clone())
        } else {
            After::Registered(row.first_registered_at, row.number.clone())
        })
    });
    Ok((rows.into_iter().map(|(row, _)| row).collect(), next))
}

/// Searches the public register: every notification registered now, in its
/// latest confirmed version. With `q` or `identifier`, best matches first;
/// otherwise the newest registrations first.
#[utoipa::path(
    tag = "register",
    operation_id = "search_register",
    security(()),
    params(SearchParams, ("Accept-Language" = Option<String>, Header, description = "nb, nn or en: the language of the labels")),
    responses(
        (status = 200, description = "One page", body = RegisterPage,
            headers(("ETag" = String), ("Cache-Control" = String))),
        (status = 304, description = "Unchanged since the ETag in If-None-Match"),
        (status = 400, description = "A parameter that is not valid, named", body = Problem,
            content_type = "application/problem+json"),
        (status = 429, description = "Too many requests from this address", body = Problem,
            content_type = "application/problem+json"),
    )
)]
#[get("")]
pub(super) async fn search_register(
    req: HttpRequest,
    _allowed: Allowed,
    lang: AcceptLanguage,
    params: web::Query<SearchParams>,
    pool: web::Data<Pool>,
    public: web::Data<Public>,
) -> Result<HttpResponse, ApiError> {
    let search = params.check()?;
    let key = format!("{}?{}", lang.0.code(), req.query_string());
    let mut conn = pool.get().await?;
    let sequence = store::last_change(&mut conn).await?.map_or(0, |(s, _)| s);
    if let Some(body) = public.cache.get(&key, sequence) {
        return Ok(cacheable_bytes(&req, lang.0, body, MAX_AGE));
    }
    let (rows, next_cursor) = find_on(&mut conn, &search).await?;
    drop(conn);
    let page = RegisterPage {
        items: rows.iter().map(|r| RegisterEntry::new(r, lang.0)).collect(),
        next_cursor,
    };
    let body = Bytes::from(serde_json::to_vec(&page).map_err(ApiError::internal)?);
    public.cache.put(key, sequence, body.clone());
    Ok(cacheable_bytes(&req, lang.0, body, MAX_AGE))
}

/// One entry of the public register. A number that is not registered now
/// (never was, awaits confirmation, withdrawn, lapsed, expired, renewed)
/// is not found, the same for each.
#[utoipa::path(
    tag = "register",
    operation_id = "get_register_entry",
    security(()),
    params(
        ("number" = String, Path, description = "The notification number", example = "2026-000123"),
        ("Accept-Language" = Option<String>, Header, description = "nb, nn or en: the language of the labels"),
    ),
    responses(
        (status = 200, description = "The entry", body = RegisterEntry,
            headers(("ETag" = String), ("Cache-Control" = String))),
        (status = 304, description = "Unchanged since the ETag in If-None-Match"),
        (status = 404, description = "Not in the register", body = Problem,
            content_type = "application/problem+json"),
        (status = 429, description = "Too many requests from this address", body = Problem,
            content_type = "application/problem+json"),
    )
)]
#[get("/{number}")]
pub(super) async fn get_register_entry(
    req: HttpRequest,
    _allowed: Allowed,
    lang: AcceptLanguage,
    number: web::Path<NotificationNumber>,
    pool: web::Data<Pool>,
) -> Result<HttpResponse, ApiError> {
    let mut conn = pool.get().await?;
    let row = store::entry(&mut conn, &number.to_string())
        .await?
        .ok_or(ApiError::NotFound)?;
    cacheable(&req, lang.0, &RegisterEntry::new(&row, lang.0), MAX_AGE)
}

/// Where the feed goes on from.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ChangesParams {
    /// The last `sequence` seen; 0 (the default) is the beginning.
    #[param(value_type = Option<i64>, minimum = 0, example = 1042)]
    pub after: Option<String>,
    /// How many changes, 1 to 1000 (default 100).
    #[param(value_type = Option<i64>, minimum = 1, maximum = 1000)]
    pub limit: Option<String>,
}

const MAX_CHANGES: i64 = 1000;

/// What changed in the register after a sequence number, in the order it
/// took effect: each entry added, changed (a newer version confirmed) or
/// removed (withdrawn, expired, renewed). A mirror keeps `next_after` and
/// fetches the entries named; it never has to download everything again.
#[utoipa::path(
    tag = "register",
    operation_id = "list_register_changes",
    security(()),
    params(ChangesParams),
    responses(
        (status = 200, description = "The changes", body = RegisterChanges,
            headers(("ETag" = String), ("Cache-Control" = String))),
        (status = 304, description = "Unchanged since the ETag in If-None-Match"),
        (status = 400, description = "A parameter that is not valid, named", body = Problem,
            content_type = "application/problem+json"),
        (status = 429, description = "Too many requests from this address", body = Problem,
            content_type = "application/problem+json"),
    )
)]
#[get("/changes")]
pub(super) async fn list_register_changes(
    req: HttpRequest,
    _allowed: Allowed,
    lang: AcceptLanguage,
    params: web::Query<ChangesParams>,
    pool: web::Data<Pool>,
) -> Result<HttpResponse, ApiError> {
    let after = query::number_in(params.after.as_deref(), 0, 0..=i64::MAX, || {
        ApiError::bad_field(
            "after",
            "invalid_number",
            Say::new("parameter_not_a_number").with("name", "after"),
        )
    })?;
    let limit = query::limit(params.limit.as_deref(), 100, MAX_CHANGES)?;
    let mut conn = pool.get().await?;
    let mut rows = store::changes(&mut conn, after, limit + 1).await?;
    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    let body = RegisterChanges {
        next_after: rows.last().map_or(after, |r| r.sequence),
        items: rows.iter().map(RegisterChange::from).collect(),
        more,
    };
    cacheable(&req, lang.0, &body, MAX_AGE)
}
