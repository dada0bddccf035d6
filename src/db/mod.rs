//! The database: connection pool, embedded migrations, readiness.

mod enums;
pub mod local_postgres;

use std::time::Duration;

use diesel::migration::MigrationVersion;
use diesel::{Connection, RunQueryDsl as _};
use diesel_async::async_connection_wrapper::AsyncConnectionWrapper;
use diesel_async::pooled_connection::deadpool::Pool as DeadPool;
use diesel_async::pooled_connection::{AsyncDieselConnectionManager, ManagerConfig};
use diesel_async::{AsyncConnection, AsyncPgConnection};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};
use futures_util::FutureExt;

/// The connection pool every handler draws from.
pub type Pool = DeadPool<AsyncPgConnection>;

/// The migrations, embedded in the binary.
pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations");

/// Key of the advisory lock that serialises migrations across replicas.
const MIGRATION_LOCK: i64 = 0x6d65_6c64_6570; // "meldep"

/// Pool settings.
#[derive(Debug, Clone, Copy)]
pub struct PoolOptions {
    pub size: usize,
    pub wait_timeout: Duration,
    pub statement_timeout: Duration,
}

/// Builds the pool. Connections are opened lazily; each one gets the
/// statement timeout and UTC as its time zone.
pub fn build_pool(url: &str, options: PoolOptions) -> anyhow::Result<Pool> {
    let statement_timeout_ms = options.statement_timeout.as_millis();
    let mut config = ManagerConfig::<AsyncPgConnection>::default();
    config.custom_setup = Box::new(move |url| {
        let url = url.to_owned();
        async move {
            let mut conn = AsyncPgConnection::establish(&url).await?;
            let setup =
                format!("SET statement_timeout = {statement_timeout_ms}; SET TIME ZONE 'UTC'");
            diesel_async::SimpleAsyncConnection::batch_execute(&mut conn, &setup)
                .await
                .map_err(diesel::ConnectionError::CouldntSetupConfiguration)?;
            Ok(conn)
        }
        .boxed()
    });
    let manager = AsyncDieselConnectionManager::new_with_config(url, config);
    Ok(DeadPool::builder(manager)
        .max_size(options.size)
        .wait_timeout(Some(options.wait_timeout))
        .create_timeout(Some(options.wait_timeout))
        .recycle_timeout(Some(options.wait_timeout))
        .runtime(deadpool::Runtime::Tokio1)
        .build()?)
}

/// Runs the pending migrations under an advisory lock, so that replicas
/// starting together take turns. Returns the versions it applied.
///
/// diesel's migration harness is synchronous; it runs on a thread of its
/// own, away from any async executor.
pub async fn run_migrations(url: &str) -> anyhow::Result<Vec<String>> {
    let url = url.to_owned();
    on_own_thread(move || {
        let mut conn = <AsyncConnectionWrapper<AsyncPgConnection> as Connection>::establish(&url)?;
        diesel::sql_query(format!("SELECT pg_advisory_lock({MIGRATION_LOCK})"))
            .execute(&mut conn)?;
        let applied = conn
            .run_pending_migrations(MIGRATIONS)
            .map(|versions| versions.iter().map(MigrationVersion::to_string).collect())
            .map_err(|e| anyhow::anyhow!("migration failed: {e}"));
        diesel::sql_query(format!("SELECT pg_advisory_unlock({MIGRATION_LOCK})"))
            .execute(&mut conn)?;
        applied
    })
    .await
}

/// Reverts every applied migration, newest first. For tests of the down
/// migrations; never called by the service.
pub async fn revert_all_migrations(url: &str) -> anyhow::Result<Vec<String>> {
    let url = url.to_owned();
    on_own_thread(move || {
        let mut conn = <AsyncConnectionWrapper<AsyncPgConnection> as Connection>::establish(&url)?;
        conn.revert_all_migrations(MIGRATIONS)
            .map(|versions| versions.iter().map(MigrationVersion::to_string).collect())
            .map_err(|e| anyhow::anyhow!("revert failed: {e}"))
    })
    .await
}

async fn on_own_thread<T: Send + 'static>(
    work: impl FnOnce() -> anyhow::Result<T> + Send + 'static,
) -> anyhow::Result<T> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    std::thread::Builder::new()
        .name("migrations".into())
        .spawn(move || {
            let _ = tx.send(work());
        })?;
    rx.await?
}

/// Whether the database answers a trivial query in time.
pub async fn ping(pool: &Pool) -> Result<(), crate::error::ApiError> {
    let mut conn = pool.get().await?;
    diesel_async::RunQueryDsl::execute(diesel::sql_query("SELECT 1"), &mut conn).await?;
    Ok(())
}
