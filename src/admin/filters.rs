//! The back office's selection of notifications: the filters of its list,
//! which its statistics and export share, each checked and named when
//! wrong; and the sort orders of the list.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::clock::oslo_instant;
use crate::domain::code_lists::{Law, LegalGround, Purpose, Sector};
use crate::domain::lifecycle::Status;
use crate::error::{ApiError, Say};
use crate::query::{self, code, date, given, unknown};

/// The longest search text of the back office.
pub const Q_MAX: usize = 200;

/// A case's state in the back office.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CaseStatus {
    New,
    InReview,
    NeedsFollowUp,
    Closed,
}

impl CaseStatus {
    pub const ALL: [CaseStatus; 4] = [Self::New, Self::InReview, Self::NeedsFollowUp, Self::Closed];

    pub fn code(self) -> &'static str {
        match self {
            Self::New => "new",
            Self::InReview => "in_review",
            Self::NeedsFollowUp => "needs_follow_up",
            Self::Closed => "closed",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }
}

/// Which notifications: every filter of the back office.
#[derive(Debug, Default, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FilterParams {
    #[param(value_type = Option<Status>)]
    pub status: Option<String>,
    #[param(value_type = Option<Law>)]
    pub law: Option<String>,
    #[param(value_type = Option<LegalGround>)]
    pub legal_ground: Option<String>,
    #[param(value_type = Option<Sector>)]
    pub sector: Option<String>,
    #[param(value_type = Option<Purpose>)]
    pub purpose: Option<String>,
    /// The submitting organisation's identifier (its organisation number;
    /// spaces allowed).
    #[param(example = "974761467")]
    pub organisation: Option<String>,
    #[param(value_type = Option<CaseStatus>)]
    pub case_status: Option<String>,
    /// The id of the regulator the case is assigned to.
    #[param(value_type = Option<Uuid>)]
    pub assignee: Option<String>,
    /// Expiring on or before this day (the renewals coming up).
    #[param(value_type = Option<String>, format = Date, example = "2027-01-01")]
    pub expires_before: Option<String>,
    /// Submitted on or after this day (Norwegian time).
    #[param(value_type = Option<String>, format = Date, example = "2026-01-01")]
    pub submitted_from: Option<String>,
    /// Submitted on or before this day (Norwegian time).
    #[param(value_type = Option<String>, format = Date, example = "2026-12-31")]
    pub submitted_to: Option<String>,
    /// Words in the controller's name or the description (at most 200 characters).
    pub q: Option<String>,
}

/// A selection, checked.
#[derive(Debug, Default, Clone)]
pub struct Filters {
    pub status: Option<Status>,
    pub law: Option<&'static str>,
    pub legal_ground: Option<&'static str>,
    pub sector: Option<&'static str>,
    pub purpose: Option<&'static str>,
    pub organisation: Option<String>,
    pub case_status: Option<CaseStatus>,
    pub assignee: Option<Uuid>,
    pub expires_before: Option<NaiveDate>,
    pub submitted_from: Option<DateTime<Utc>>,
    pub submitted_before: Option<DateTime<Utc>>,
    /// The words, found anywhere in the name or description in any case
    /// (`db::text::contains_case_blind`).
    pub q: Option<String>,
}

impl FilterParams {
    pub fn check(&self) -> Result<Filters, ApiError> {
        // Empty or blank words search for nothing in particular, as in
        // the organisations' own list.
        let q = self.q.as_deref().map(str::trim).filter(|q| !q.is_empty());
        if q.is_some_and(|q| q.chars().count() > Q_MAX) {
            return Err(ApiError::bad_field(
                "q",
                "too_long",
                Say::new("parameter_too_long")
                    .with("name", "q")
                    .with("max", Q_MAX),
            ));
        }
        let organisation = given("organisation", &self.organisation)?.map(|v| {
            v.chars()
                .filter(|c| !c.is_whitespace())
                .flat_map(char::to_uppercase)
                .collect::<String>()
        });
        let midnight = NaiveTime::MIN;
        Ok(Filters {
            status: code("status", &self.status, Status::parse, |s| s)?,
            law: code("law", &self.law, Law::parse, Law::code)?,
            legal_ground: code(
                "legal_ground",
                &self.legal_ground,
                LegalGround::parse,
                LegalGround::code,
            )?,
            sector: code("sector", &self.sector, Sector::parse, Sector::code)?,
            purpose: code("purpose", &self.purpose, Purpose::parse, Purpose::code)?,
            organisation,
            case_status: code("case_status", &self.case_status, CaseStatus::parse, |s| s)?,
            assignee: query::uuid("assignee", &self.assignee)?,
            expires_before: date("expires_before", &self.expires_before)?,
            submitted_from: date("submitted_from", &self.submitted_from)?
                .map(|d| oslo_instant(d, midnight)),
            submitted_before: date("submitted_to", &self.submitted_to)?
                .and_then(|d| d.succ_opt())
                .map(|d| oslo_instant(d, midnight)),
            q: q.map(str::to_owned),
        })
    }
}

/// What the list is sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortKey {
    #[default]
    SubmittedAt,
    ExpiresOn,
    Number,
}

/// The order of the list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SortParams {
    /// `submitted_at` (the default), `expires_on` (never-registered last) or
    /// `number`; ascending, or descending with a `-` before it
    /// (`-submitted_at`).
    #[param(value_type = Option<String>, pattern = "^-?(submitted_at|expires_on|number)$")]
    pub sort: Option<String>,
}

impl SortParams {
    /// The key and whether it runs downwards.
    pub fn check(&self) -> Result<(SortKey, bool), ApiError> {
        let Some(sort) = given("sort", &self.sort)? else {
            return Ok((SortKey::SubmittedAt, false));
        };
        let (descending, field) = match sort.strip_prefix('-') {
            Some(field) => (true, field),
            None => (false, sort),
        };
        let key = match field {
            "submitted_at" => SortKey::SubmittedAt,
            "expires_on" => SortKey::ExpiresOn,
            "number" => SortKey::Number,
            _ => return Err(unknown("sort", sort)),
        };
        Ok((key, descending))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_are_checked_and_named() {
        let ok = FilterParams {
            status: Some("registered".into()),
            organisation: Some("974 761 467".into()),
            case_status: Some("in_review".into()),
            submitted_to: Some("2026-12-31".into()),
            q: Some("50%_off".into()),
            ..Default::default()
        }
        .check()
        .unwrap();
        assert_eq!(ok.organisation.as_deref(), Some("974761467"));
        assert_eq!(ok.case_status, Some(CaseStatus::InReview));
        assert_eq!(ok.q.as_deref(), Some("50%_off"));
        for (params, field) in [
            (
                FilterParams {
                    law: Some("x".into()),
                    ..Default::default()
                },
                "law",
            ),
            (
                FilterParams {
                    assignee: Some("nobody".into()),
                    ..Default::default()
                },
                "assignee",
            ),
            (
                FilterParams {
                    sector: Some(" ".into()),
                    ..Default::default()
                },
                "sector",
            ),
            (
                FilterParams {
                    expires_before: Some("2026-1-1".into()),
                    ..Default::default()
                },
                "expires_before",
            ),
        ] {
            let err = params.check().unwrap_err();
            assert_eq!(err.problem().errors.unwrap()[0].pointer, field);
        }
        let sort = SortParams {
            sort: Some("-number".into()),
        };
        assert_eq!(sort.check().unwrap(), (SortKey::Number, true));
        let sort = SortParams {
            sort: Some("expires_on".into()),
        };
        assert_eq!(sort.check().unwrap(), (SortKey::ExpiresOn, false));
        for bad in ["name", "--number", "-", "+number"] {
            let sort = SortParams {
                sort: Some(bad.into()),
            };
            assert!(sort.check().is_err(), "{bad}");
        }
    }
}
