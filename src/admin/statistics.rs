//! Counts of a selection of notifications: by status, law, legal ground,
//! sector and purpose, and submissions and confirmations per month, with
//! the labels of the codes in the language asked for. Counted by the
//! database; one grouped query per dimension.

use actix_web::{HttpResponse, get, web};
use chrono::NaiveDate;
use diesel::dsl::count_star;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Serialize;
use utoipa::ToSchema;

use super::filters::{FilterParams, Filters};
use super::store::selection;
use crate::api::AcceptLanguage;
use crate::auth::Principal;
use crate::db::Pool;
use crate::domain::code_lists::{Law, LegalGround, Purpose, Sector};
use crate::domain::i18n::{Lang, Text as Words};
use crate::domain::lifecycle::Status;
use crate::error::{ApiError, Problem};
use crate::schema::{notification_versions, notifications};

/// How many of a code.
#[derive(Debug, Serialize, ToSchema)]
pub struct CodeCount {
    #[schema(example = "registered")]
    pub code: String,
    #[schema(example = "Registrert")]
    pub label: String,
    pub count: i64,
}

/// How many in a month.
#[derive(Debug, Serialize, ToSchema)]
pub struct MonthCount {
    /// `YYYY-MM`, Norwegian time.
    #[schema(example = "2026-11")]
    pub month: String,
    pub count: i64,
}

/// The counts of a selection.
#[derive(Debug, Serialize, ToSchema)]
pub struct Statistics {
    /// How many notifications the filters select.
    pub total: i64,
    pub by_status: Vec<CodeCount>,
    pub by_law: Vec<CodeCount>,
    pub by_legal_ground: Vec<CodeCount>,
    pub by_sector: Vec<CodeCount>,
    pub by_purpose: Vec<CodeCount>,
    /// Notifications submitted per month, oldest first.
    pub submissions_by_month: Vec<MonthCount>,
    /// Versions confirmed per month (registrations, amendments), oldest first.
    pub confirmations_by_month: Vec<MonthCount>,
}

/// Codes and counts, largest first, each with its label.
fn labelled(
    counts: Vec<(String, i64)>,
    label: impl Fn(&str) -> Option<Words>,
    lang: Lang,
) -> Vec<CodeCount> {
    let mut out: Vec<CodeCount> = counts
        .into_iter()
        .map(|(code, count)| CodeCount {
            label: label(&code).map_or_else(|| code.clone(), |t| t.get(lang).to_owned()),
            code,
            count,
        })
        .collect();
    out.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.code.cmp(&b.code)));
    out
}

/// Versions of the selection confirmed per month, oldest first.
async fn confirmations(
    conn: &mut AsyncPgConnection,
    f: &Filters,
) -> QueryResult<Vec<(String, i64)>> {
    let rows: Vec<(Option<NaiveDate>, i64)> = notification_versions::table
        .filter(notification_versions::confirmed_at.is_not_null())
        .filter(
            notification_versions::notification_id.eq_any(selection(f).select(notifications::id)),
        )
        .group_by(notification_versions::confirmed_month)
        .select((notification_versions::confirmed_month, count_star()))
        .order_by(notification_versions::confirmed_month)
        .load(conn)
        .await?;
    Ok(rows.into_iter().map(|(m, n)| (month(m), n)).collect())
}

/// `YYYY-MM` of a month's first day.
fn month(first_day: Option<NaiveDate>) -> String {
    first_day
        .map(|d| d.format("%Y-%m").to_string())
        .unwrap_or_default()
}

/// One combination of the codes and the month, and how many.
type Combination = (
    Status,
    String,
    String,
    String,
    String,
    Option<NaiveDate>,
    i64,
);

/// Counts a selection of notifications: the same filters as the list.
#[utoipa::path(
    tag = "back office",
    operation_id = "admin_statistics",
    security(("bearer" = [])),
    params(FilterParams, ("Accept-Language" = Option<String>, Header, description = "nb, nn or en: the language of the labels")),
    responses(
        (status = 200, description = "The counts", body = Statistics),
        (status = 400, description = "A filter that is not valid, named", body = Problem,
            content_type = "application/problem+json"),
        (status = 404, description = "The caller is no regulator", body = Problem,
            content_type = "application/problem+json"),
    )
)]
#[get("/statistics")]
pub(super) async fn admin_statistics(
    principal: Principal,
    lang: AcceptLanguage,
    filters: web::Query<FilterParams>,
    pool: web::Data<Pool>,
) -> Result<HttpResponse, ApiError> {
    principal.require_regulator()?;
    let f = filters.check()?;
    let lang = lang.0;
    let mut conn = pool.get().await?;
    // One pass: every combination of the codes and the month, counted,
    // then summed per dimension here.
    let combinations: Vec<Combination> = notifications::table
        .filter(notifications::id.eq_any(selection(&f).select(notifications::id)))
        .group_by((
            notifications::status,
            notifications::law,
            notifications::legal_ground,
            notifications::sector,
            notifications::purpose,
            notifications::submitted_month,
        ))
        .select((
            notifications::status,
            notifications::law,
            notifications::legal_ground,
            notifications::sector,
            notifications::purpose,
            notifications::submitted_month,
            count_star(),
        ))
        .load(&mut conn)
        .await?;
    let tally = Tally::of(&combinations);
    let confirmed = confirmations(&mut conn, &f).await?;
    let per_month = |rows: Vec<(String, i64)>| {
        rows.into_iter()
            .map(|(month, count)| MonthCount { month, count })
            .collect()
    };
    Ok(HttpResponse::Ok().json(Statistics {
        total: tally.total,
        by_status: labelled(
            tally.by_status,
            |c| Status::parse(c).map(Status::label),
            lang,
        ),
        by_law: labelled(tally.by_law, |c| Law::parse(c).map(Law::label), lang),
        by_legal_ground: labelled(
            tally.by_legal_ground,
            |c| LegalGround::parse(c).map(LegalGround::label),
            lang,
        ),
        by_sector: labelled(
            tally.by_sector,
            |c| Sector::parse(c).map(Sector::label),
            lang,
        ),
        by_purpose: labelled(
            tally.by_purpose,
            |c| Purpose::parse(c).map(Purpose::label),
            lang,
        ),
        submissions_by_month: per_month(tally.by_month),
        confirmations_by_month: per_month(confirmed),
    }))
}

/// The counts per dimension of the counted combinations.
#[derive(Debug, Default)]
struct Tally {
    total: i64,
    by_status: Vec<(String, i64)>,
    by_law: Vec<(String, i64)>,
    by_legal_ground: Vec<(String, i64)>,
    by_sector: Vec<(String, i64)>,
    by_purpose: Vec<(String, i64)>,
    /// Oldest first.
    by_month: Vec<(String, i64)>,
}

impl Tally {
    fn of(rows: &[Combination]) -> Self {
        use std::collections::BTreeMap;
        let mut maps: [BTreeMap<String, i64>; 6] = Default::default();
        let mut total = 0;
        for (status, law, ground, sector, purpose, submitted, n) in rows {
            total += n;
            let keys = [
                status.code().to_owned(),
                law.clone(),
                ground.clone(),
                sector.clone(),
                purpose.clone(),
                month(*submitted),
            ];
            for (map, key) in maps.iter_mut().zip(keys) {
                *map.entry(key).or_default() += n;
            }
        }
        let [s, l, g, se, p, m] = maps.map(|map| map.into_iter().collect::<Vec<_>>());
        Self {
            total,
            by_status: s,
            by_law: l,
            by_legal_ground: g,
            by_sector: se,
            by_purpose: p,
            by_month: m,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn combinations_are_summed_per_dimension() {
        let row = |s: Status, l: &str, m: u32, n| -> Combination {
            let first = NaiveDate::from_ymd_opt(2026, m, 1);
            (s, l.into(), "g".into(), "sec".into(), "p".into(), first, n)
        };
        let t = Tally::of(&[
            row(Status::Registered, "a", 1, 2),
            row(Status::Registered, "b", 2, 3),
            row(Status::Withdrawn, "a", 1, 1),
        ]);
        assert_eq!(t.total, 6);
        assert_eq!(
            t.by_status,
            [("registered".into(), 5), ("withdrawn".into(), 1)]
        );
        assert_eq!(t.by_law, [("a".into(), 3), ("b".into(), 3)]);
        assert_eq!(t.by_month, [("2026-01".into(), 3), ("2026-02".into(), 3)]);
    }

    #[test]
    fn counts_come_largest_first_with_labels_and_unknown_codes_as_themselves() {
        let out = labelled(
            vec![
                ("private".into(), 2),
                ("central_government".into(), 5),
                ("zzz".into(), 2),
            ],
            |c| Sector::parse(c).map(Sector::label),
            Lang::En,
        );
        let seen: Vec<_> = out
            .iter()
            .map(|c| (c.code.as_str(), c.label.as_str(), c.count))
            .collect();
        assert_eq!(
            seen,
            [
                ("central_government", "Central government", 5),
                ("private", "Private", 2),
                ("zzz", "zzz", 2)
            ]
        );
    }
}
