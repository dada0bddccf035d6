//! The database: connection pool, embedded migrations, readiness.

pub mod data_migrations;
mod enums;
pub mod local_postgres;
pub mod text;

use std::time::Duration;

use diesel::migration::MigrationVersion;
use diesel::{Connection, RunQueryDsl as _};
use diesel_async::async_connection_wrapper::AsyncConnectionWrapper;
use diesel_async::pooled_connection::deadpool::Pool as DeadPool;
use diesel_async::pooled_connection::{
    AsyncDieselConnectionManager, ManagerConfig, RecyclingMethod,
};
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

/// How long a session may sit idle inside a transaction before the server
/// ends it: three statement timeouts, at least 30 s. No transaction of the
/// service waits on anything but the database (downloads are spooled
/// first), so only a stuck one is ended.
pub fn idle_in_transaction_timeout(statement_timeout: Duration) -> Duration {
    (statement_timeout * 3).max(Duration::from_secs(30))
}

/// Builds the pool. Connections are opened lazily; each one gets the
/// statement timeout, the idle-in-transaction timeout
/// ([`idle_in_transaction_timeout`]) and UTC as its time zone.
pub fn build_pool(url: &str, options: PoolOptions) -> anyhow::Result<Pool> {
    let statement_timeout_ms = options.statement_timeout.as_millis();
    let idle_ms = idle_in_transaction_timeout(options.statement_timeout).as_millis();
    let mut config = ManagerConfig::<AsyncPgConnection>::default();
    config.custom_setup = Box::new(move |url| {
        let url = url.to_owned();
        async move {
            let mut conn = AsyncPgConnection::establish(&url).await?;
            let setup =
                format!("SET statement_timeout = {statement_timeout_ms}; SET idle_in_transaction_session_timeout = {idle_ms}; SET TIME ZONE 'UTC'");
            diesel_async::SimpleAsyncConnection::batch_execute(&mut conn, &setup)
                .await
                .map_err(diesel::ConnectionError::CouldntSetupConfiguration)?;
            Ok(conn)
        }
        .boxed()
    });
    // A connection comes back from a request whole or marked broken (an
    // open transaction, a closed socket): the pool drops those and checks
    // nothing more, so handing one out costs no round trip. A connection
    // the server closed while idle fails its first statement, and is then
    // dropped.
    config.recycling_method = RecyclingMethod::Fast;
    let manager = AsyncDieselConnectionManager::new_with_config(url, config);
    Ok(DeadPool::builder(manager)
        .max_size(options.size)
        .wait_timeout(Some(options.wait_timeout))
        .create_timeout(Some(options.wait_timeout))
        .recycle_timeout(Some(options.wait_timeout))
        .runtime(deadpool::Runtime::Tokio1)
        .build()?)
}

/// The pools of the HTTP worker threads, one each. actix-web runs every
/// worker thread as a runtime of its own, and a connection's socket is
/// driven by a task of the runtime that opened it: a connection shared
/// across threads wakes the other thread for every answer. A pool per
/// thread keeps a request and its connection on one thread.
#[derive(Clone)]
pub struct ThreadPools {
    url: String,
    options: PoolOptions,
    pools: std::sync::Arc<std::sync::Mutex<Vec<Pool>>>,
}

impl ThreadPools {
    /// `options.size` connections in all, shared out among `threads`
    /// threads (at least two each).
    pub fn new(url: &str, options: PoolOptions, threads: usize) -> anyhow::Result<Self> {
        let options = PoolOptions {
            size: options.size.div_ceil(threads.max(1)).max(2),
            ..options
        };
        // The settings are checked once here; each thread builds the same.
        build_pool(url, options)?;
        Ok(Self {
            url: url.to_owned(),
            options,
            pools: Default::default(),
        })
    }

    /// The pool of the calling thread, made for it.
    pub fn for_this_thread(&self) -> Pool {
        let pool = build_pool(&self.url, self.options).expect("the pool settings were checked");
        self.pools
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(pool.clone());
        pool
    }

    /// Every thread's pool's state, added up.
    pub fn status(&self) -> deadpool::Status {
        let pools = self
            .pools
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        pools.iter().map(Pool::status).fold(
            deadpool::Status {
                max_size: 0,
                size: 0,
                available: 0,
                waiting: 0,
            },
            |sum, s| deadpool::Status {
                max_size: sum.max_size + s.max_size,
                size: sum.size + s.size,
                available: sum.available + s.available,
                waiting: sum.waiting + s.waiting,
            },
        )
    }

    /// Closes every thread's pool.
    pub fn close(&self) {
        for pool in self
            .pools
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .iter()
        {
            pool.close();
        }
    }
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
