//! Small pieces every capability's handlers share: the language asked for,
//! validation problems in that language, the request id, cursor pagination.

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpMessage, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::domain::i18n::Lang;
use crate::domain::notification::Violation;
use crate::error::{ApiError, FieldProblem, Say};
use crate::telemetry::RequestId;

/// The language of messages, from `Accept-Language` (bokmål by default).
#[derive(Debug, Clone, Copy)]
pub struct AcceptLanguage(pub Lang);

impl FromRequest for AcceptLanguage {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let header = req
            .headers()
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok());
        std::future::ready(Ok(Self(Lang::from_accept_language(header))))
    }
}

/// The language a request asks for: `lang` in the query, else an
/// `Accept-Language` that names one we speak, else `fallback` (for a
/// receipt: the language it was submitted in).
pub fn asked_language(req: &HttpRequest, fallback: Lang) -> Lang {
    let from_query = serde_urlencoded::from_str::<Vec<(String, String)>>(req.query_string())
        .ok()
        .and_then(|pairs| {
            pairs
                .into_iter()
                .find(|(name, _)| name == "lang")
                .and_then(|(_, value)| Lang::parse(&value))
        });
    if let Some(lang) = from_query {
        return lang;
    }
    let header = req
        .headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok());
    let speaks = header.is_some_and(|h| {
        h.split(',')
            .any(|item| Lang::parse(item.split(';').next().unwrap_or_default()).is_some())
    });
    if speaks {
        Lang::from_accept_language(header)
    } else {
        fallback
    }
}

/// Whether `If-None-Match` names `etag` (weakly compared, RFC 9110).
pub fn if_none_match(req: &HttpRequest, etag: &str) -> bool {
    req.headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',').any(|t| {
                let t = t.trim();
                t == "*" || t.trim_start_matches("W/") == etag.trim_start_matches("W/")
            })
        })
}

/// A public JSON answer with an ETag of its bytes, 304 when the client
/// has it, cacheable by anyone for `max_age` seconds.
pub fn cacheable(
    req: &HttpRequest,
    lang: Lang,
    body: &impl Serialize,
    max_age: u32,
) -> Result<HttpResponse, ApiError> {
    let bytes = serde_json::to_vec(body).map_err(ApiError::internal)?;
    Ok(cacheable_bytes(req, lang, bytes.into(), max_age))
}

/// [`cacheable`] for a JSON body already serialised.
pub fn cacheable_bytes(
    req: &HttpRequest,
    lang: Lang,
    bytes: actix_web::web::Bytes,
    max_age: u32,
) -> HttpResponse {
    let etag = format!("\"{}\"", &hex::encode(Sha256::digest(&bytes))[..32]);
    let fresh = if_none_match(req, &etag);
    let mut response = if fresh {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    response
        .insert_header((header::ETAG, etag))
        .insert_header((header::CACHE_CONTROL, format!("public, max-age={max_age}")))
        .insert_header((header::VARY, "Accept-Language"))
        .insert_header((header::CONTENT_LANGUAGE, lang.code()));
    if fresh {
        return response.finish();
    }
    response.content_type("application/json").body(bytes)
}

/// Domain violations as field problems in `lang`.
pub fn field_problems(violations: &[Violation], lang: Lang) -> Vec<FieldProblem> {
    violations
        .iter()
        .map(|v| FieldProblem::new(v.pointer.clone(), v.code, v.say()).in_lang(lang))
        .collect()
}

/// A 422 listing every violation.
pub fn validation_error(errors: &[Violation], warnings: &[Violation], lang: Lang) -> ApiError {
    ApiError::Validation {
        errors: field_problems(errors, lang),
        warnings: field_problems(warnings, lang),
    }
}

/// The id of the request, for audit entries.
pub fn request_id(req: &HttpRequest) -> Option<String> {
    req.extensions().get::<RequestId>().map(|r| r.0.clone())
}

/// `limit` and `cursor` of a list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// How many items, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page; empty is the first page.
    pub cursor: Option<String>,
}

/// A checked page request: items after `after` in (created_at, id) order.
#[derive(Debug, Clone, Copy)]
pub struct Page {
    pub limit: i64,
    pub after: Option<(DateTime<Utc>, Uuid)>,
}

pub const MAX_LIMIT: i64 = 100;
const DEFAULT_LIMIT: i64 = 20;

impl PageParams {
    pub fn page(&self) -> Result<Page, ApiError> {
        let limit = self.limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(ApiError::bad_field(
                "limit",
                "invalid_limit",
                Say::new("invalid_limit").with("max", MAX_LIMIT),
            ));
        }
        let after = match self.cursor.as_deref().filter(|c| !c.is_empty()) {
            None => None,
            Some(cursor) => Some(decode_cursor(cursor).ok_or_else(|| {
                ApiError::bad_field("cursor", "invalid_cursor", Say::new("invalid_cursor"))
            })?),
        };
        Ok(Page { limit, after })
    }
}

/// What a cursor looks like; the document says it of every `cursor`.
pub const CURSOR_PATTERN: &str = "^([0-9]{1,16}-[0-9a-f]{32})?$";

/// The cursor for the position after an item: its time in microseconds
/// and its id (`1790000000123456-0f8f…`). A client passes it back as it
/// came; any cursor of that shape is a position, so the documented
/// pattern is the whole rule.
pub fn encode_cursor(created_at: DateTime<Utc>, id: Uuid) -> String {
    format!("{}-{}", created_at.timestamp_micros(), id.simple())
}

fn decode_cursor(cursor: &str) -> Option<(DateTime<Utc>, Uuid)> {
    let (micros, id) = decode_key_cursor(cursor)?;
    Some((DateTime::from_timestamp_micros(micros)?, id))
}

/// A cursor of the same form for lists sorted by another key (a day, a
/// number): the key, at least 0, and the id.
pub fn encode_key_cursor(key: i64, id: Uuid) -> String {
    format!("{}-{}", key.max(0), id.simple())
}

/// Reads a cursor back as its key and id.
pub fn decode_key_cursor(cursor: &str) -> Option<(i64, Uuid)> {
    let (key, id) = cursor.split_once('-')?;
    let key_ok = (1..=16).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_digit());
    let id_ok = id.len() == 32 && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    if !(key_ok && id_ok) {
        return None;
    }
    Some((key.parse().ok()?, Uuid::try_parse(id).ok()?))
}

/// One page of a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct List<T> {
    pub items: Vec<T>,
    /// Pass as `cursor` for the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

impl<T> List<T> {
    /// A page from up to `limit + 1` rows: the extra row only says there is more.
    pub fn from_rows(
        mut rows: Vec<T>,
        limit: i64,
        position: impl Fn(&T) -> (DateTime<Utc>, Uuid),
    ) -> Self {
        let more = rows.len() as i64 > limit;
        rows.truncate(limit as usize);
        let next_cursor = if more {
            rows.last().map(|last| {
                let (t, id) = position(last);
                encode_cursor(t, id)
            })
        } else {
            None
        };
        Self {
            items: rows,
            next_cursor,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_strangers_are_refused() {
        let t = DateTime::from_timestamp_micros(1_790_000_000_123_456).unwrap();
        let id = Uuid::new_v4();
        assert_eq!(decode_cursor(&encode_cursor(t, id)), Some((t, id)));
        assert_eq!(decode_cursor("not-a-cursor"), None);
        // The documented pattern is the whole rule: any cursor of that
        // shape is a position.
        let any = format!("0-{}", "f".repeat(32));
        assert!(decode_cursor(&any).is_some());
        assert_eq!(decode_cursor(&format!("0-{}", "F".repeat(32))), None);
        assert_eq!(
            decode_cursor(&format!("12345678901234567-{}", "0".repeat(32))),
            None
        );
        let p = PageParams {
            limit: Some(0),
            cursor: None,
        };
        assert!(p.page().is_err());
        let p = PageParams {
            limit: None,
            cursor: Some("x".into()),
        };
        assert!(p.page().is_err());
    }
}
