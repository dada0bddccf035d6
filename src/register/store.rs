//! Reads of the register: only from its projection, which holds nothing
//! but the public fields.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Float4, Text};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use super::search::{After, Words};
use crate::schema::{register_changes, register_entries};

/// An entry as the projection holds it.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = register_entries)]
pub struct EntryRow {
    pub number: String,
    pub version: i32,
    pub controller_name: String,
    pub controller_identifier_scheme: String,
    pub controller_identifier_value: String,
    pub controller_identifier_country: Option<String>,
    pub representative_name: Option<String>,
    pub representative_identifier_scheme: Option<String>,
    pub representative_identifier_value: Option<String>,
    pub representative_identifier_country: Option<String>,
    pub law: String,
    pub legal_ground: String,
    pub sector: String,
    pub purpose: String,
    pub research_area: Option<String>,
    pub start_date: NaiveDate,
    pub first_registered_at: DateTime<Utc>,
    pub last_confirmed_at: DateTime<Utc>,
    pub expires_on: NaiveDate,
    pub processors: serde_json::Value,
    pub transfer_countries: Vec<Option<String>>,
    pub transfers_abroad: bool,
}

/// What a search asks for; the codes are checked.
#[derive(Debug, Clone, Default)]
pub struct Query {
    pub words: Option<Words>,
    /// An identifier, normalised.
    pub identifier: Option<String>,
    pub law: Option<&'static str>,
    pub legal_ground: Option<&'static str>,
    pub sector: Option<&'static str>,
    pub purpose: Option<&'static str>,
    pub transfers_abroad: Option<bool>,
    /// First registered at or after.
    pub registered_from: Option<DateTime<Utc>>,
    /// First registered before.
    pub registered_before: Option<DateTime<Utc>>,
}

impl Query {
    /// Whether the list is ranked by relevance rather than newest first.
    pub fn is_ranked(&self) -> bool {
        self.words.is_some() || self.identifier.is_some()
    }
}

type Boxed<'a> = register_entries::BoxedQuery<'a, diesel::pg::Pg>;

/// How well an entry matches: an identifier match above any words.
fn rank(q: &Query) -> diesel::expression::SqlLiteral<Float4> {
    sql::<Float4>(&rank_sql(q))
}

fn rank_sql(q: &Query) -> String {
    let words = q.words.as_ref().map(Words::tsquery).unwrap_or_default();
    let identifier = q.identifier.clone().unwrap_or_default();
    // Inlined as literals by `quote`: a rank is needed three times
    // (select, order, cursor), and a literal is the same each time.
    format!(
        "(CASE WHEN identifiers @> ARRAY[{}]::text[] THEN 1000::real \
              WHEN {} <> '' THEN ts_rank(search, to_tsquery('norwegian', {})) \
              ELSE 0::real END)",
        quote(&identifier),
        quote(&words),
        quote(&words)
    )
}

/// A SQL string literal. The texts quoted here hold only letters, digits
/// and the few signs [`super::search`] lets through; `'` is doubled all
/// the same (standard-conforming strings: a backslash is just a backslash).
fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// Whether an entry matches the words or the identifier, as SQL.
fn matches(q: &Query) -> String {
    let words = q
        .words
        .as_ref()
        .map(|w| format!("search @@ to_tsquery('norwegian', {})", quote(&w.tsquery())));
    let identifier = q
        .identifier
        .as_ref()
        .map(|id| format!("identifiers @> ARRAY[{}]::text[]", quote(id)));
    let parts: Vec<String> = words.into_iter().chain(identifier).collect();
    if parts.is_empty() {
        "true".to_owned()
    } else {
        format!("({})", parts.join(" OR "))
    }
}

fn filtered<'a>(q: &'a Query) -> Boxed<'a> {
    let mut query = register_entries::table.into_boxed();
    if q.is_ranked() {
        query = query.filter(sql::<Bool>(&matches(q)));
    }
    if let Some(v) = q.law {
        query = query.filter(register_entries::law.eq(v));
    }
    if let Some(v) = q.legal_ground {
        query = query.filter(register_entries::legal_ground.eq(v));
    }
    if let Some(v) = q.sector {
        query = query.filter(register_entries::sector.eq(v));
    }
    if let Some(v) = q.purpose {
        query = query.filter(register_entries::purpose.eq(v));
    }
    if let Some(v) = q.transfers_abroad {
        query = query.filter(register_entries::transfers_abroad.eq(v));
    }
    if let Some(v) = q.registered_from {
        query = query.filter(register_entries::first_registered_at.ge(v));
    }
    if let Some(v) = q.registered_before {
        query = query.filter(register_entries::first_registered_at.lt(v));
    }
    query
}

/// Up to `limit` entries after `after`, with each one's rank (0 when
/// browsing), best or newest first.
pub async fn search(
    conn: &mut AsyncPgConnection,
    q: &Query,
    after: Option<&After>,
    limit: i64,
) -> QueryResult<Vec<(EntryRow, f32)>> {
    let mut query = filtered(q);
    if q.is_ranked() {
        if let Some(After::Ranked(r, number)) = after {
            query = query.filter(
                sql::<Bool>(&format!("({}, number) < (", rank_sql(q)))
                    .bind::<Float4, _>(*r)
                    .sql(", ")
                    .bind::<Text, _>(number.clone())
                    .sql(")"),
            );
        }
        query
            .order((rank(q).desc(), register_entries::number.desc()))
            .select((EntryRow::as_select(), rank(q)))
            .limit(limit)
            .load(conn)
            .await
    } else {
        if let Some(After::Registered(at, number)) = after {
            query = query.filter(
                register_entries::first_registered_at.lt(*at).or(
                    register_entries::first_registered_at
                        .eq(*at)
                        .and(register_entries::number.lt(number.clone())),
                ),
            );
        }
        query
            .order((
                register_entries::first_registered_at.desc(),
                register_entries::number.desc(),
            ))
            .select((EntryRow::as_select(), sql::<Float4>("0::real")))
            .limit(limit)
            .load(conn)
            .await
    }
}

/// How many entries match, to say so above the results (capped at `cap`:
/// beyond it a page says "more than").
pub async fn count(conn: &mut AsyncPgConnection, q: &Query, cap: i64) -> QueryResult<i64> {
    let numbers: Vec<String> = filtered(q)
        .select(register_entries::number)
        .limit(cap + 1)
        .load(conn)
        .await?;
    Ok(numbers.len() as i64)
}

/// The entry `number`, when the register shows it.
pub async fn entry(conn: &mut AsyncPgConnection, number: &str) -> QueryResult<Option<EntryRow>> {
    register_entries::table
        .find(number)
        .select(EntryRow::as_select())
        .get_result(conn)
        .await
        .optional()
}

/// A line of the feed of changes.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = register_changes)]
pub struct ChangeRow {
    pub sequence: i64,
    pub number: String,
    pub change: String,
    pub version: Option<i32>,
    pub at: DateTime<Utc>,
}

/// Up to `limit` changes after the sequence number `after`, in order.
pub async fn changes(
    conn: &mut AsyncPgConnection,
    after: i64,
    limit: i64,
) -> QueryResult<Vec<ChangeRow>> {
    register_changes::table
        .filter(register_changes::sequence.gt(after))
        .order(register_changes::sequence.asc())
        .select(ChangeRow::as_select())
        .limit(limit)
        .load(conn)
        .await
}

/// The last change: what the register is as of (its sequence and time).
pub async fn last_change(
    conn: &mut AsyncPgConnection,
) -> QueryResult<Option<(i64, DateTime<Utc>)>> {
    register_changes::table
        .order(register_changes::sequence.desc())
        .select((register_changes::sequence, register_changes::at))
        .first(conn)
        .await
        .optional()
}

/// Up to `limit` entries after `number`, in number order: the export's pages.
pub async fn export_page(
    conn: &mut AsyncPgConnection,
    after: Option<&str>,
    limit: i64,
) -> QueryResult<Vec<EntryRow>> {
    let mut query = register_entries::table.into_boxed();
    if let Some(number) = after {
        query = query.filter(register_entries::number.gt(number.to_owned()));
    }
    query
        .order(register_entries::number.asc())
        .select(EntryRow::as_select())
        .limit(limit)
        .load(conn)
        .await
}
