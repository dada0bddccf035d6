//! Request extractors whose every failure is a problem+json that names the
//! field: JSON bodies (content type, size limit, the path of a bad value),
//! and the configuration of actix's own path and query extractors.

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::web::BytesMut;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::StreamExt;
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;

use crate::error::{ApiError, FieldProblem};

/// Largest request body accepted, set once for the whole app.
#[derive(Debug, Clone, Copy)]
pub struct BodyLimit(pub usize);

/// A JSON request body. Unlike actix's `Json`, every failure names the field
/// with a JSON pointer.
#[derive(Debug)]
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for ApiJson<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let limit = req.app_data::<BodyLimit>().map_or(256 * 1024, |l| l.0);
        let json = is_json(req);
        let declared = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        let mut payload = payload.take();
        Box::pin(async move {
            if !json {
                return Err(ApiError::UnsupportedMediaType {
                    expected: "application/json",
                });
            }
            if declared.is_some_and(|n| n > limit) {
                return Err(ApiError::PayloadTooLarge { limit });
            }
            let mut body = BytesMut::with_capacity(declared.unwrap_or(1024).min(limit));
            while let Some(chunk) = payload.next().await {
                let chunk = chunk.map_err(|e| {
                    ApiError::bad_request(format!("The request body could not be read: {e}"))
                })?;
                if body.len() + chunk.len() > limit {
                    return Err(ApiError::PayloadTooLarge { limit });
                }
                body.extend_from_slice(&chunk);
            }
            parse_json(&body).map(ApiJson)
        })
    }
}

fn is_json(req: &HttpRequest) -> bool {
    let Some(value) = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let essence = value
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// Parses a JSON body. Malformed JSON is a 400; JSON of the wrong shape is a
/// 422 naming the field.
pub fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let err = match serde_path_to_error::deserialize(&mut deserializer) {
        Ok(value) => {
            return match deserializer.end() {
                Ok(()) => Ok(value),
                Err(trailing) => Err(ApiError::bad_field(
                    "",
                    "malformed_json",
                    format!("The body is not valid JSON: {trailing}"),
                )),
            };
        }
        Err(err) => err,
    };
    let mut pointer = pointer_of(err.path());
    let inner = err.into_inner();
    match inner.classify() {
        serde_json::error::Category::Syntax | serde_json::error::Category::Eof => {
            Err(ApiError::bad_field(
                "",
                "malformed_json",
                format!("The body is not valid JSON: {inner}"),
            ))
        }
        serde_json::error::Category::Io => Err(ApiError::bad_request(inner.to_string())),
        serde_json::error::Category::Data => {
            let message = strip_position(&inner.to_string());
            let code = if let Some(field) = quoted_after(&message, "missing field `") {
                pointer.push('/');
                pointer.push_str(&escape(field));
                "required"
            } else if message.starts_with("unknown field `") {
                // The path already ends at the unknown key.
                "unknown_field"
            } else if message.starts_with("unknown variant") {
                "unknown_code"
            } else {
                "invalid_type"
            };
            Err(ApiError::Validation {
                errors: vec![FieldProblem::new(pointer, code, message)],
                warnings: Vec::new(),
            })
        }
    }
}

fn pointer_of(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut pointer = String::new();
    for segment in path {
        pointer.push('/');
        match segment {
            Segment::Seq { index } => pointer.push_str(&index.to_string()),
            Segment::Map { key } => pointer.push_str(&escape(key)),
            Segment::Enum { variant } => pointer.push_str(&escape(variant)),
            Segment::Unknown => pointer.push('?'),
        }
    }
    pointer
}

/// Escapes one reference token of a JSON pointer (RFC 6901).
fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

fn quoted_after<'a>(message: &'a str, prefix: &str) -> Option<&'a str> {
    let rest = message.strip_prefix(prefix)?;
    rest.split('`').next()
}

/// serde_json appends " at line L column C"; the pointer says where instead.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

/// Path parameter errors answer 404: a malformed id names nothing that exists.
pub fn path_config() -> web::PathConfig {
    web::PathConfig::default().error_handler(|_, _| ApiError::NotFound.into())
}

/// Query errors name the parameter.
pub fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|err, _| {
        let message = strip_position(&err.to_string());
        let field = quoted_after(&message, "Query deserialize error: unknown field `")
            .or_else(|| quoted_after(&message, "Query deserialize error: missing field `"))
            .unwrap_or("query")
            .to_owned();
        ApiError::bad_field(field, "invalid_query", message).into()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[expect(dead_code, reason = "only parsing is tested")]
    struct Outer {
        name: String,
        items: Vec<Inner>,
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[expect(dead_code, reason = "only parsing is tested")]
    struct Inner {
        count: u32,
    }

    fn first_error(body: &str) -> (u16, String, String) {
        use actix_web::ResponseError;
        let err = parse_json::<Outer>(body.as_bytes()).unwrap_err();
        let problem = err.problem();
        let e = &problem.errors.expect("names a field")[0];
        (
            err.status_code().as_u16(),
            e.pointer.clone(),
            e.code.clone(),
        )
    }

    #[test]
    fn each_kind_of_bad_body_names_its_field() {
        let cases = [
            ("{", 400, "", "malformed_json"),
            (r#"{"name":"a","items":[]} x"#, 400, "", "malformed_json"),
            (r#"{"items":[]}"#, 422, "/name", "required"),
            (
                r#"{"name":"a","items":[],"extra":1}"#,
                422,
                "/extra",
                "unknown_field",
            ),
            (
                r#"{"name":"a","items":[{"count":"x"}]}"#,
                422,
                "/items/0/count",
                "invalid_type",
            ),
            (
                r#"{"name":"a","items":[{"count":1,"a/b":2}]}"#,
                422,
                "/items/0/a~1b",
                "unknown_field",
            ),
        ];
        for (body, status, pointer, code) in cases {
            assert_eq!(
                first_error(body),
                (status, pointer.to_owned(), code.to_owned()),
                "body {body}"
            );
        }
    }
}
