//! The register's projection, `register_entries`, and its feed,
//! `register_changes`: written only here, by the transitions that change
//! what the register shows, in their transaction. The projection holds the
//! public fields and nothing else, so a column added to a notification
//! cannot reach the register by accident.
//!
//! Writers serialise on one transaction-level lock, so the feed's sequence
//! numbers are committed in order and a mirror that reads `after=N` never
//! misses a change committed later with a lower number. To keep that lock
//! free of deadlocks, a transaction takes every row lock it needs before
//! its first [`refresh`].

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, Date, Integer, Jsonb, Nullable, Text, Timestamptz};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::domain::folding::fold;
use crate::domain::lifecycle::Status;
use crate::domain::notification::Notification;
use crate::schema::{notification_versions, notifications, register_entries};

/// The key of the register writers' advisory lock ("meldreg").
const WRITER_LOCK: i64 = 0x006d_656c_6472_6567;

/// What the register shows of one notification, from its confirmed version.
#[derive(Debug, Clone, PartialEq)]
pub struct PublicEntry {
    pub number: String,
    pub version: i32,
    pub first_registered_at: DateTime<Utc>,
    pub last_confirmed_at: DateTime<Utc>,
    pub expires_on: NaiveDate,
    pub content: Notification,
}

impl PublicEntry {
    /// The processors as the register keeps them: name and country only.
    fn processors(&self) -> serde_json::Value {
        self.content
            .processors()
            .iter()
            .map(|p| serde_json::json!({ "name": p.name, "country": p.country.code() }))
            .collect()
    }

    /// The countries data goes to outside the EEA, each once, in order.
    fn transfer_countries(&self) -> Vec<String> {
        let mut codes: Vec<String> = self
            .content
            .transfers_abroad()
            .iter()
            .map(|t| t.country.code().to_owned())
            .collect();
        codes.sort();
        codes.dedup();
        codes
    }
}

/// Brings the register in line with the notification `number` as it stands
/// in this transaction: added, changed or removed, with the change in the
/// feed; nothing when the register already shows it so.
pub async fn refresh(
    conn: &mut AsyncPgConnection,
    number: &str,
    now: DateTime<Utc>,
) -> QueryResult<()> {
    diesel::sql_query("SELECT pg_advisory_xact_lock($1)")
        .bind::<diesel::sql_types::BigInt, _>(WRITER_LOCK)
        .execute(conn)
        .await?;
    let shown = registered(conn, number).await?;
    let before: Option<i32> = register_entries::table
        .find(number)
        .select(register_entries::version)
        .get_result(conn)
        .await
        .optional()?;
    match (before, shown) {
        (None, None) => Ok(()),
        (Some(_), None) => {
            diesel::delete(register_entries::table.find(number))
                .execute(conn)
                .await?;
            record(conn, number, "removed", None, now).await
        }
        (Some(shown_before), Some(entry)) if shown_before == entry.version => Ok(()),
        (before, Some(entry)) => {
            write(conn, &entry).await?;
            let change = if before.is_some() { "changed" } else { "added" };
            record(conn, number, change, Some(entry.version), now).await
        }
    }
}

/// The confirmed version valid now, where the notification is registered.
async fn registered(
    conn: &mut AsyncPgConnection,
    number: &str,
) -> QueryResult<Option<PublicEntry>> {
    type Row = (
        Status,
        Option<DateTime<Utc>>,
        Option<NaiveDate>,
        i32,
        serde_json::Value,
        Option<DateTime<Utc>>,
    );
    let row: Option<Row> = notifications::table
        .inner_join(
            notification_versions::table.on(notification_versions::notification_id
                .eq(notifications::id)
                .and(
                    notifications::registered_version.eq(notification_versions::version.nullable()),
                )),
        )
        .filter(notifications::number.eq(number))
        .select((
            notifications::status,
            notifications::registered_at,
            notifications::expires_on,
            notification_versions::version,
            notification_versions::content,
            notification_versions::confirmed_at,
        ))
        .get_result(conn)
        .await
        .optional()?;
    let Some((status, registered_at, expires_on, version, content, confirmed_at)) = row else {
        return Ok(None);
    };
    if !status.is_registered() {
        return Ok(None);
    }
    let broken = |what: &str| {
        diesel::result::Error::DeserializationError(
            format!("registered notification {number} has no {what}").into(),
        )
    };
    Ok(Some(PublicEntry {
        number: number.to_owned(),
        version,
        first_registered_at: registered_at.ok_or_else(|| broken("registration time"))?,
        last_confirmed_at: confirmed_at.ok_or_else(|| broken("confirmation time"))?,
        expires_on: expires_on.ok_or_else(|| broken("expiry date"))?,
        content: Notification::from_stored(content)
            .map_err(|e| diesel::result::Error::DeserializationError(Box::new(e)))?,
    }))
}

/// Inserts or replaces the entry, with the words its search matches.
async fn write(conn: &mut AsyncPgConnection, entry: &PublicEntry) -> QueryResult<()> {
    let c = &entry.content;
    let controller = c.controller();
    let representative = c.representative();
    let rep_id = representative.and_then(|r| r.identifier.as_ref());
    let processor_names = c
        .processors()
        .iter()
        .map(|p| p.name.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    diesel::sql_query(format!(
        "INSERT INTO register_entries (
             number, version, controller_name, controller_identifier_scheme,
             controller_identifier_value, controller_identifier_country,
             representative_name, representative_identifier_scheme,
             representative_identifier_value, representative_identifier_country,
             law, legal_ground, sector, purpose, research_area, start_date,
             first_registered_at, last_confirmed_at, expires_on, processors,
             transfer_countries, search)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16,
                 $17, $18, $19, $20, $21, {})
         ON CONFLICT (number) DO UPDATE SET
             version = EXCLUDED.version,
             controller_name = EXCLUDED.controller_name,
             controller_identifier_scheme = EXCLUDED.controller_identifier_scheme,
             controller_identifier_value = EXCLUDED.controller_identifier_value,
             controller_identifier_country = EXCLUDED.controller_identifier_country,
             representative_name = EXCLUDED.representative_name,
             representative_identifier_scheme = EXCLUDED.representative_identifier_scheme,
             representative_identifier_value = EXCLUDED.representative_identifier_value,
             representative_identifier_country = EXCLUDED.representative_identifier_country,
             law = EXCLUDED.law,
             legal_ground = EXCLUDED.legal_ground,
             sector = EXCLUDED.sector,
             purpose = EXCLUDED.purpose,
             research_area = EXCLUDED.research_area,
             start_date = EXCLUDED.start_date,
             first_registered_at = EXCLUDED.first_registered_at,
             last_confirmed_at = EXCLUDED.last_confirmed_at,
             expires_on = EXCLUDED.expires_on,
             processors = EXCLUDED.processors,
             transfer_countries = EXCLUDED.transfer_countries,
             search = EXCLUDED.search",
        search_vector(22, 23, 24)
    ))
    .bind::<Text, _>(&entry.number)
    .bind::<Integer, _>(entry.version)
    .bind::<Text, _>(&controller.name)
    .bind::<Text, _>(controller.identifier.scheme.code())
    .bind::<Text, _>(&controller.identifier.value)
    .bind::<Nullable<Text>, _>(controller.identifier.country.map(|c| c.code()))
    .bind::<Nullable<Text>, _>(representative.map(|r| r.name.as_str()))
    .bind::<Nullable<Text>, _>(rep_id.map(|i| i.scheme.code()))
    .bind::<Nullable<Text>, _>(rep_id.map(|i| i.value.as_str()))
    .bind::<Nullable<Text>, _>(rep_id.and_then(|i| i.country).map(|c| c.code()))
    .bind::<Text, _>(c.law().code())
    .bind::<Text, _>(c.legal_ground().code())
    .bind::<Text, _>(c.sector().code())
    .bind::<Text, _>(c.purpose().code())
    .bind::<Nullable<Text>, _>(c.research_area().map(|p| p.code()))
    .bind::<Date, _>(c.start_date())
    .bind::<Timestamptz, _>(entry.first_registered_at)
    .bind::<Timestamptz, _>(entry.last_confirmed_at)
    .bind::<Date, _>(entry.expires_on)
    .bind::<Jsonb, _>(entry.processors())
    .bind::<Array<Text>, _>(entry.transfer_countries())
    .bind::<Text, _>(fold(&controller.name))
    .bind::<Nullable<Text>, _>(representative.map(|r| fold(&r.name)))
    .bind::<Text, _>(fold(&processor_names))
    .execute(conn)
    .await?;
    Ok(())
}

/// The words an entry's search matches, from the parameters `$a` (the
/// controller's name), `$b` (the representative's, or null) and `$c` (the
/// processors' names), each already folded in Rust: the server's own
/// lower-casing follows its locale, and a C locale leaves `Æ`, `Ø` and `Å`
/// upper case, where a search's words are folded by the service.
fn search_vector(a: u8, b: u8, c: u8) -> String {
    format!(
        "setweight(to_tsvector('norwegian', ${a}), 'A') \
         || setweight(to_tsvector('norwegian', COALESCE(${b}, '')), 'B') \
         || setweight(to_tsvector('norwegian', ${c}), 'C')"
    )
}

/// Makes every entry's words again from its names, folded as [`write`]
/// folds them. For entries written before the service folded their words
/// (run once, at start-up, by the data migrations); a batch at a time, in
/// the order of their numbers. Returns how many entries it rewrote.
pub async fn refold_all(conn: &mut AsyncPgConnection) -> QueryResult<u64> {
    const BATCH: i64 = 1_000;
    let mut after = String::new();
    let mut done = 0;
    loop {
        let rows: Vec<(String, String, Option<String>, serde_json::Value)> =
            register_entries::table
                .filter(register_entries::number.gt(&after))
                .order(register_entries::number)
                .select((
                    register_entries::number,
                    register_entries::controller_name,
                    register_entries::representative_name,
                    register_entries::processors,
                ))
                .limit(BATCH)
                .load(conn)
                .await?;
        let Some(last) = rows.last() else {
            return Ok(done);
        };
        after = last.0.clone();
        for (number, controller, representative, processors) in &rows {
            let processor_names = processors
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|p| p["name"].as_str())
                .collect::<Vec<_>>()
                .join(" ");
            diesel::sql_query(format!(
                "UPDATE register_entries SET search = {} WHERE number = $1",
                search_vector(2, 3, 4)
            ))
            .bind::<Text, _>(number)
            .bind::<Text, _>(fold(controller))
            .bind::<Nullable<Text>, _>(representative.as_deref().map(fold))
            .bind::<Text, _>(fold(&processor_names))
            .execute(conn)
            .await?;
            done += 1;
        }
    }
}

/// One line of the feed.
async fn record(
    conn: &mut AsyncPgConnection,
    number: &str,
    change: &str,
    version: Option<i32>,
    now: DateTime<Utc>,
) -> QueryResult<()> {
    diesel::sql_query(
        "INSERT INTO register_changes (number, change, version, at) VALUES ($1, $2, $3, $4)",
    )
    .bind::<Text, _>(number)
    .bind::<Text, _>(change)
    .bind::<Nullable<Integer>, _>(version)
    .bind::<Timestamptz, _>(now)
    .execute(conn)
    .await?;
    Ok(())
}
