//! Query parameters read one by one, as the lists and searches take them:
//! each is text (so that a wrong one is named in a problem, not refused by
//! the extractor as a whole), and each reader here names the parameter it
//! refuses.

use std::ops::RangeInclusive;

use chrono::NaiveDate;
use uuid::Uuid;

use crate::error::{ApiError, Say};

/// `value` is no value `name` has (quoted, at most 40 characters of it).
pub fn unknown(name: &str, value: &str) -> ApiError {
    ApiError::bad_field(
        name,
        "unknown_code",
        Say::new("parameter_value_unknown")
            .with("name", name)
            .with("value", value.chars().take(40).collect::<String>()),
    )
}

/// A parameter that is set; empty or blank is refused, as in every list.
pub fn given<'a>(name: &str, value: &'a Option<String>) -> Result<Option<&'a str>, ApiError> {
    match value.as_deref() {
        Some(v) if v.trim().is_empty() => Err(unknown(name, v)),
        other => Ok(other),
    }
}

/// A code of a closed list, as `code` gives it.
pub fn code<T, U>(
    name: &str,
    value: &Option<String>,
    parse: impl Fn(&str) -> Option<T>,
    code: impl Fn(T) -> U,
) -> Result<Option<U>, ApiError> {
    given(name, value)?
        .map(|v| parse(v).map(&code).ok_or_else(|| unknown(name, v)))
        .transpose()
}

/// An id.
pub fn uuid(name: &str, value: &Option<String>) -> Result<Option<Uuid>, ApiError> {
    code(name, value, |v| Uuid::try_parse(v).ok(), |u| u)
}

/// A calendar date with a four-digit year, as RFC 3339 writes one.
pub fn date(name: &str, value: &Option<String>) -> Result<Option<NaiveDate>, ApiError> {
    given(name, value)?
        .map(|v| {
            (v.len() == 10)
                .then(|| NaiveDate::parse_from_str(v, "%Y-%m-%d").ok())
                .flatten()
                .ok_or_else(|| {
                    ApiError::bad_field(
                        name,
                        "invalid_date",
                        Say::new("parameter_not_a_date").with("name", name),
                    )
                })
        })
        .transpose()
}

/// A whole number in `range`, `default` when absent; else the problem
/// `wrong` makes.
pub fn number_in(
    value: Option<&str>,
    default: i64,
    range: RangeInclusive<i64>,
    wrong: impl FnOnce() -> ApiError,
) -> Result<i64, ApiError> {
    match value {
        None => Ok(default),
        Some(v) => v
            .parse::<i64>()
            .ok()
            .filter(|n| range.contains(n))
            .ok_or_else(wrong),
    }
}

/// A page's `limit`: 1 to `max`, `default` when absent.
pub fn limit(value: Option<&str>, default: i64, max: i64) -> Result<i64, ApiError> {
    number_in(value, default, 1..=max, || {
        ApiError::bad_field(
            "limit",
            "invalid_limit",
            Say::new("invalid_limit").with("max", max),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pointer(err: ApiError) -> String {
        err.problem().errors.unwrap()[0].pointer.clone()
    }

    #[test]
    fn each_reader_names_what_it_refuses() {
        assert_eq!(given("q", &None).unwrap(), None);
        assert_eq!(pointer(given("law", &Some(" ".into())).unwrap_err()), "law");
        let uuid_text = Some("0f8fad5b-d9cb-469f-a165-70867728950e".to_owned());
        assert!(uuid("actor", &uuid_text).unwrap().is_some());
        assert_eq!(
            pointer(uuid("actor", &Some("x".into())).unwrap_err()),
            "actor"
        );
        assert!(date("from", &Some("2026-12-03".into())).unwrap().is_some());
        for bad in ["2026-1-3", "+12026-01-01", "2026-02-30"] {
            assert_eq!(
                pointer(date("from", &Some(bad.into())).unwrap_err()),
                "from"
            );
        }
        assert_eq!(limit(None, 20, 100).unwrap(), 20);
        assert_eq!(limit(Some("100"), 20, 100).unwrap(), 100);
        for bad in ["0", "101", "x", "-1"] {
            assert_eq!(pointer(limit(Some(bad), 20, 100).unwrap_err()), "limit");
        }
    }
}
