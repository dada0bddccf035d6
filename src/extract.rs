//! Request extractors whose every failure is a problem+json that names the
//! field: JSON bodies (content type, size limit, the path of a bad value),
//! and the configuration of actix's own path and query extractors.

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::Next;
use actix_web::web::BytesMut;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::StreamExt;
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;
use serde_json::Value;
use unicode_normalization::UnicodeNormalization;

use crate::error::{ApiError, FieldProblem, Say};

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
        let body = json_body(req, payload);
        Box::pin(async move { parse_json(&body.await?).map(ApiJson) })
    }
}

/// The bytes of a JSON body: 415 for another media type, 413 beyond the
/// configured limit, declared or not.
fn json_body(
    req: &HttpRequest,
    payload: &mut Payload,
) -> LocalBoxFuture<'static, Result<BytesMut, ApiError>> {
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
            let chunk = chunk
                .map_err(|e| ApiError::bad_request(Say::new("body_unreadable").with("error", e)))?;
            if body.len() + chunk.len() > limit {
                return Err(ApiError::PayloadTooLarge { limit });
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    })
}

/// A JSON body read leniently: the value without the fields of the wrong
/// shape, and a problem for each, for a handler that reports them together
/// with the rules' errors.
#[derive(Debug)]
pub struct LenientJson<T>(pub T, pub Vec<FieldProblem>);

impl<T: DeserializeOwned + 'static> FromRequest for LenientJson<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let body = json_body(req, payload);
        Box::pin(async move {
            let (read, problems) = lenient(json_value(&body.await?)?)?;
            Ok(LenientJson(read, problems))
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
/// 422 naming the field. Every string is checked and normalised first, by
/// [`from_value`].
pub fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    from_value(json_value(body)?)
}

/// The body as JSON; malformed JSON is a 400.
pub fn json_value(body: &[u8]) -> Result<Value, ApiError> {
    serde_json::from_slice(body).map_err(|e| {
        ApiError::bad_field(
            "",
            "malformed_json",
            Say::new("malformed_json")
                .with("error", strip_position(&e.to_string()))
                .with("line", e.line())
                .with("column", e.column()),
        )
    })
}

/// A form body (`application/x-www-form-urlencoded`) as an object of
/// strings, for the same checks as JSON; unreadable is a 400.
pub fn form_value(body: &[u8]) -> Result<Value, ApiError> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body).map_err(|e| {
        ApiError::bad_field(
            "",
            "invalid_request",
            Say::new("form_unreadable").with("error", e),
        )
    })?;
    let object: serde_json::Map<String, Value> = pairs
        .into_iter()
        .map(|(k, v)| (k, Value::String(v)))
        .collect();
    Ok(Value::Object(object))
}

/// Input hygiene for every body: each string (and key) is put in Unicode
/// normal form C, and NUL or another control character other than a line
/// break or tab is refused wherever it is, each at its pointer. Which
/// fields may hold line breaks is for the domain's rules to say.
pub fn from_value<T: DeserializeOwned>(value: Value) -> Result<T, ApiError> {
    match lenient(value)? {
        (value, problems) if problems.is_empty() => Ok(value),
        (_, problems) => Err(ApiError::Validation {
            errors: problems,
            warnings: Vec::new(),
        }),
    }
}

/// Reads `value` as a `T`, setting aside each field of the wrong shape (an
/// unknown field, a wrong type, an unknown code) so that every one is
/// reported, and together with the rules' errors where the caller merges
/// them. `Err` when the body cannot be read as a `T` even without them.
pub fn lenient<T: DeserializeOwned>(mut value: Value) -> Result<(T, Vec<FieldProblem>), ApiError> {
    // Every body of the API is an object; serde would also read a struct
    // from an array of its fields in order, which no client means.
    if !value.is_object() {
        return Err(ApiError::Validation {
            errors: vec![FieldProblem::new(
                "",
                "invalid_type",
                Say::new("invalid_type").with("error", "expected a JSON object"),
            )],
            warnings: Vec::new(),
        });
    }
    let mut problems = Vec::new();
    clean(&mut value, &mut String::new(), &mut problems);
    if !problems.is_empty() {
        return Err(ApiError::Validation {
            errors: problems,
            warnings: Vec::new(),
        });
    }
    // Each round sets one field aside; a body has only so many.
    for _ in 0..100 {
        let err = match serde_path_to_error::deserialize(&value) {
            Ok(read) => return Ok((read, problems)),
            Err(err) => err,
        };
        let problem = shape_problem(err);
        let removed = !problem.pointer.is_empty()
            && problem.code != "required"
            && remove_at(&mut value, &problem.pointer);
        problems.push(problem);
        if !removed {
            break;
        }
    }
    Err(ApiError::Validation {
        errors: problems,
        warnings: Vec::new(),
    })
}

/// The field problem of a serde error, at its pointer.
fn shape_problem(err: serde_path_to_error::Error<serde_json::Error>) -> FieldProblem {
    let mut pointer = pointer_of(err.path());
    let inner = err.into_inner();
    let message = strip_position(&inner.to_string());
    let invalid_type = || Say::new("invalid_type").with("error", &message);
    let (code, say) = if let Some(field) = quoted_after(&message, "missing field `") {
        pointer.push('/');
        pointer.push_str(&escape(field));
        ("required", Say::new("required"))
    } else if message.starts_with("unknown field `") {
        // The path already ends at the unknown key.
        let say = match expected(&message) {
            Some(fields) => Say::new("unknown_field_expected").with("expected", fields),
            None => Say::new("unknown_field"),
        };
        ("unknown_field", say)
    } else if message.starts_with("unknown variant") {
        let say = quoted_after(&message, "unknown variant `")
            .zip(expected(&message))
            .map_or_else(invalid_type, |(value, allowed)| {
                Say::new("unknown_code")
                    .with("value", value)
                    .with("allowed", allowed)
            });
        ("unknown_code", say)
    } else {
        ("invalid_type", invalid_type())
    };
    FieldProblem::new(pointer, code, say)
}

/// The names serde lists after "expected" in an unknown field or variant
/// ("expected one of `a`, `b`"), as "a, b".
fn expected(message: &str) -> Option<String> {
    let (_, list) = message.split_once(", expected ")?;
    let list = list.strip_prefix("one of ").unwrap_or(list);
    list.starts_with('`').then(|| list.replace('`', ""))
}

/// Removes the member or item at a JSON pointer; false when there is none.
fn remove_at(value: &mut Value, pointer: &str) -> bool {
    let Some((parent, last)) = pointer.rsplit_once('/') else {
        return false;
    };
    let key = last.replace("~1", "/").replace("~0", "~");
    match value.pointer_mut(parent) {
        Some(Value::Object(map)) => map.remove(&key).is_some(),
        Some(Value::Array(items)) => match key.parse::<usize>() {
            Ok(i) if i < items.len() => {
                items[i] = Value::Null;
                true
            }
            _ => false,
        },
        _ => false,
    }
}

/// A character no text of the API may hold.
fn refused(c: char) -> bool {
    c.is_control() && !matches!(c, '\n' | '\r' | '\t')
}

fn clean_text(text: &mut String, pointer: &str, errors: &mut Vec<FieldProblem>) {
    if text.chars().any(refused) {
        errors.push(FieldProblem::new(
            pointer,
            "invalid_characters",
            Say::new("control_character"),
        ));
    } else if !unicode_normalization::is_nfc_quick(text.chars())
        .eq(&unicode_normalization::IsNormalized::Yes)
    {
        *text = text.nfc().collect();
    }
}

fn clean(value: &mut Value, pointer: &mut String, errors: &mut Vec<FieldProblem>) {
    match value {
        Value::String(text) => clean_text(text, pointer, errors),
        Value::Array(items) => {
            for (i, item) in items.iter_mut().enumerate() {
                let len = pointer.len();
                pointer.push_str(&format!("/{i}"));
                clean(item, pointer, errors);
                pointer.truncate(len);
            }
        }
        Value::Object(map) => {
            let entries = std::mem::take(map);
            for (mut key, mut item) in entries {
                let len = pointer.len();
                pointer.push('/');
                pointer.push_str(&escape(&key));
                clean_text(&mut key, pointer, errors);
                clean(&mut item, pointer, errors);
                pointer.truncate(len);
                map.insert(key, item);
            }
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

/// The query string's first parameter that holds NUL or another control
/// character (a line break included: no parameter is multi-line), as a
/// 422 naming it.
pub fn check_query(query: &str) -> Result<(), ApiError> {
    let Ok(pairs) = serde_urlencoded::from_str::<Vec<(String, String)>>(query) else {
        return Ok(()); // left for the route's own Query to name
    };
    match pairs
        .iter()
        .find(|(k, v)| k.chars().chain(v.chars()).any(char::is_control))
    {
        Some((name, _)) => Err(ApiError::Validation {
            errors: vec![FieldProblem::new(
                name.clone(),
                "invalid_characters",
                Say::new("parameter_control_character").with("name", name),
            )],
            warnings: Vec::new(),
        }),
        None => Ok(()),
    }
}

/// Refuses a request whose query holds a control character before any
/// route reads it.
pub async fn clean_query(
    request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    if let Err(err) = check_query(request.query_string()) {
        // Answered as an error, so that the layers around it (the problem's
        // language) see it as they see a handler's.
        return Ok(request.error_response(err).map_into_right_body());
    }
    Ok(next.call(request).await?.map_into_left_body())
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
        let unknown = quoted_after(&message, "Query deserialize error: unknown field `");
        let missing = quoted_after(&message, "Query deserialize error: missing field `");
        let (field, say) = match (unknown, missing) {
            (Some(name), _) => (name, Say::new("parameter_unknown").with("name", name)),
            (None, Some(name)) => (name, Say::new("parameter_required").with("name", name)),
            (None, None) => (
                "query",
                Say::new("query_unreadable").with("error", &message),
            ),
        };
        ApiError::bad_field(field, "invalid_query", say).into()
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
