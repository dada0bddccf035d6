//! Counts of a selection of notifications: by status, law, legal ground,
//! sector and purpose, and submissions and confirmations per month, with
//! the labels of the codes in the language asked for. Counted by the
//! database; one grouped query per dimension.

use actix_web::{HttpResponse, get, web};
use diesel::dsl::{count_star, sql};
use diesel::prelude::*;
use diesel::sql_types::Text;
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

/// The month of a timestamp in Oslo, as SQL.
const MONTH: &str = "to_char(timezone('Europe/Oslo', {}), 'YYYY-MM')";

async fn months(
    conn: &mut AsyncPgConnection,
    f: &Filters,
) -> QueryResult<(Vec<(String, i64)>, Vec<(String, i64)>)> {
    let month = |column: &str| MONTH.replace("{}", column);
    let submitted = notifications::table
        .filter(notifications::id.eq_any(selection(f).select(notifications::id)))
        .group_by(sql::<Text>(&month("notifications.created_at")))
        .select((
            sql::<Text>(&month("notifications.created_at")),
            count_star(),
        ))
        .order_by(sql::<Text>(&month("notifications.created_at")))
        .load(conn)
        .await?;
    let confirmed = notification_versions::table
        .filter(notification_versions::confirmed_at.is_not_null())
        .filter(
            notification_versions::notification_id.eq_any(selection(f).select(notifications::id)),
        )
        .group_by(sql::<Text>(&month("notification_versions.confirmed_at")))
        .select((
            sql::<Text>(&month("notification_versions.confirmed_at")),
            count_star(),
        ))
        .order_by(sql::<Text>(&month("notification_versions.confirmed_at")))
        .load(conn)
        .await?;
    Ok((submitted, confirmed))
}

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
    macro_rules! by {
        ($column:expr) => {
            notifications::table
                .filter(notifications::id.eq_any(selection(&f).select(notifications::id)))
                .group_by($column)
                .select(($column, count_star()))
                .load::<(String, i64)>(&mut conn)
                .await?
        };
    }
    let by_status = by!(notifications::status);
    let by_law = by!(notifications::law);
    let by_legal_ground = by!(notifications::legal_ground);
    let by_sector = by!(notifications::sector);
    let by_purpose = by!(notifications::purpose);
    let (submitted, confirmed) = months(&mut conn, &f).await?;
    let per_month = |rows: Vec<(String, i64)>| {
        rows.into_iter()
            .map(|(month, count)| MonthCount { month, count })
            .collect()
    };
    Ok(HttpResponse::Ok().json(Statistics {
        total: by_status.iter().map(|(_, n)| n).sum(),
        by_status: labelled(by_status, |c| Status::parse(c).map(Status::label), lang),
        by_law: labelled(by_law, |c| Law::parse(c).map(Law::label), lang),
        by_legal_ground: labelled(
            by_legal_ground,
            |c| LegalGround::parse(c).map(LegalGround::label),
            lang,
        ),
        by_sector: labelled(by_sector, |c| Sector::parse(c).map(Sector::label), lang),
        by_purpose: labelled(by_purpose, |c| Purpose::parse(c).map(Purpose::label), lang),
        submissions_by_month: per_month(submitted),
        confirmations_by_month: per_month(confirmed),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

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
