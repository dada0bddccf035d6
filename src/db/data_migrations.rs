//! Data migrations: steps over stored rows that SQL alone cannot make (the
//! service's own folding of letters, say), run once each, in order, after
//! the schema's migrations and under the same advisory lock, so that
//! replicas starting together take turns and only the first does the work.
//! A step whose name is in `data_migrations` is done; a step cut short is
//! run again whole at the next start, so every step must be idempotent.

use std::future::Future;
use std::pin::Pin;

use diesel::prelude::*;
use diesel::result::QueryResult;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};

use crate::schema::data_migrations;

/// What a step does: rewrites rows and says how many.
pub type Work = for<'c> fn(
    &'c mut AsyncPgConnection,
) -> Pin<Box<dyn Future<Output = QueryResult<u64>> + Send + 'c>>;

/// One data migration: a name that never changes once released, and its work.
#[derive(Clone, Copy)]
pub struct Step {
    pub name: &'static str,
    pub work: Work,
}

/// Runs the steps not yet done, in the order given; the names it ran.
pub async fn run(url: &str, steps: &[Step]) -> anyhow::Result<Vec<&'static str>> {
    let mut conn = AsyncPgConnection::establish(url).await?;
    diesel::sql_query(format!(
        "SELECT pg_advisory_lock({})",
        super::MIGRATION_LOCK
    ))
    .execute(&mut conn)
    .await?;
    let result = run_locked(&mut conn, steps).await;
    diesel::sql_query(format!(
        "SELECT pg_advisory_unlock({})",
        super::MIGRATION_LOCK
    ))
    .execute(&mut conn)
    .await?;
    result
}

async fn run_locked(
    conn: &mut AsyncPgConnection,
    steps: &[Step],
) -> anyhow::Result<Vec<&'static str>> {
    let done: Vec<String> = data_migrations::table
        .select(data_migrations::name)
        .load(conn)
        .await?;
    let mut ran = Vec::new();
    for step in steps.iter().filter(|s| !done.iter().any(|d| d == s.name)) {
        let name = step.name;
        let work = step.work;
        // The rows and the mark commit together: a step is done only when
        // all its rows are.
        let rows = conn
            .transaction::<_, diesel::result::Error, _>(async move |conn| {
                let rows = work(&mut *conn).await?;
                diesel::insert_into(data_migrations::table)
                    .values((
                        data_migrations::name.eq(name),
                        data_migrations::rows.eq(i64::try_from(rows).unwrap_or(i64::MAX)),
                    ))
                    .execute(conn)
                    .await?;
                Ok(rows)
            })
            .await
            .map_err(|e| anyhow::anyhow!("data migration {name} failed: {e}"))?;
        tracing::info!(step = name, rows, "data migration done");
        ran.push(name);
    }
    Ok(ran)
}
