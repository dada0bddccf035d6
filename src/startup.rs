//! Building and running the application: one `Application::build` for
//! `main` and for every test.

use std::future::Future;
use std::net::TcpListener;
use std::pin::Pin;
use std::sync::Arc;

use actix_web::dev::{Server, ServerHandle};
use actix_web::middleware::from_fn;
use actix_web::{App, HttpServer, web};
use anyhow::Context as _;
use secrecy::ExposeSecret;
use tracing_actix_web::TracingLogger;
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::{Config as SwaggerConfig, SwaggerUi};

use crate::accounts::mfa::MfaSettings;
use crate::auth::keys::Keys;
use crate::auth::maskinporten::Maskinporten;
use crate::auth::password::Passwords;
use crate::auth::sealing::SealingKey;
use crate::auth::tokens::TokenService;
use crate::auth::totp::TotpKey;
use crate::clock::Clock;
use crate::config::Settings;
use crate::db::data_migrations::Step;
use crate::db::local_postgres::{self, LocalPostgres, Supervisor};
use crate::db::{self, Pool, PoolOptions, ThreadPools};
use crate::events::wake::Wake;
use crate::events::webhooks::{Deliverer, WebhookApi};
use crate::extract::{BodyLimit, path_config, query_config};
use crate::fallback::RouteTable;
use crate::mail::Mailer;
use crate::notifications::NotificationSettings;
use crate::ops::OpenApiJson;
use crate::receipts::ReceiptSigner;
use crate::telemetry::{self, Metrics, SpanBuilder};
use crate::tokens::AuthSettings;
use crate::worker::{Running, Worker};

/// A database the service can use: the configured one, or a private one
/// started for the purpose (and stopped with the service).
pub struct Database {
    pub url: String,
    local: Option<LocalPostgres>,
    supervisor: Option<Supervisor>,
}

impl Database {
    pub async fn resolve(settings: &Settings) -> anyhow::Result<Self> {
        match &settings.database_url {
            Some(url) => Ok(Self {
                url: url.expose_secret().to_owned(),
                local: None,
                supervisor: None,
            }),
            None => {
                let cluster = settings.data_dir.join("postgres");
                let local =
                    LocalPostgres::start(&cluster, &local_postgres::Options::default()).await?;
                Ok(Self {
                    url: local.url(local_postgres::DATABASE),
                    local: Some(local),
                    supervisor: None,
                })
            }
        }
    }

    /// Keeps a private server running while the service runs: started
    /// again when it dies (see [`LocalPostgres::supervise`]).
    pub fn supervise(&mut self) {
        if let Some(local) = self.local.take() {
            self.supervisor = Some(local.supervise(local_postgres::SUPERVISE_EVERY));
        }
    }

    /// Stops a private server this process owns.
    pub async fn close(self) -> anyhow::Result<()> {
        if let Some(supervisor) = self.supervisor {
            supervisor.stop().await?;
        }
        if let Some(local) = self.local {
            local.stop().await?;
        }
        Ok(())
    }
}

/// The service, bound to its port and ready to run.
pub struct Application {
    port: u16,
    server: Server,
    pool: Pool,
    database: Database,
    worker: Worker,
    worker_task: Option<Running>,
    shutdown_timeout: std::time::Duration,
}

/// The data migrations, oldest first. A name never changes once released.
const DATA_MIGRATIONS: &[Step] = &[Step {
    name: "2026-12-04 register words folded by the service",
    work: refold_register,
}];

fn refold_register(
    conn: &mut diesel_async::AsyncPgConnection,
) -> Pin<Box<dyn Future<Output = diesel::QueryResult<u64>> + Send + '_>> {
    Box::pin(crate::register::projection::refold_all(conn))
}

/// Every migration the database lacks: the schema's, then the data's
/// (`db::data_migrations`). What the service, its commands and the tests'
/// template all run; returns what it applied.
pub async fn migrate(url: &str) -> anyhow::Result<Vec<String>> {
    let mut applied = db::run_migrations(url).await?;
    let ran = db::data_migrations::run(url, DATA_MIGRATIONS).await?;
    applied.extend(ran.into_iter().map(|name| format!("data: {name}")));
    Ok(applied)
}

impl Application {
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let mut database = Database::resolve(&settings).await?;
        database.supervise();
        let applied = migrate(&database.url)
            .await
            .context("running the database migrations")?;
        if !applied.is_empty() {
            tracing::info!(?applied, "applied migrations");
        }
        let pool = db::build_pool(
            &database.url,
            PoolOptions {
                size: settings.pool_size,
                wait_timeout: settings.pool_timeout,
                statement_timeout: settings.statement_timeout,
            },
        )?;
        let listener = TcpListener::bind(settings.listen)
            .with_context(|| format!("cannot listen on {}", settings.listen))?;
        let port = listener.local_addr()?.port();
        let wake = Wake::listen(database.url.clone());
        let shared = Shared::new(&settings, wake.clone())?;
        let mailer = Mailer::new(
            settings.smtp_url.as_ref(),
            settings.mail_dir.clone(),
            settings.smtp_timeout,
            &settings.mail_from,
        )?;
        let deliverer = Deliverer::new(
            pool.clone(),
            Arc::new(settings.webhooks.clone()),
            shared.webhooks.key.clone(),
            settings.clock.clone(),
            Some(shared.metrics.clone().into_inner()),
        )?;
        let worker = Worker::new(
            pool.clone(),
            mailer,
            settings.clock.clone(),
            shared.notification_settings.clone().into_inner(),
            settings.smtp_timeout,
        )
        .with_webhooks(deliverer, wake, settings.webhooks.event_retention);
        let worker_task = settings
            .worker_interval
            .map(|every| worker.clone().spawn(every));
        let pools = ThreadPools::new(
            &database.url,
            PoolOptions {
                size: settings.pool_size,
                wait_timeout: settings.pool_timeout,
                statement_timeout: settings.statement_timeout,
            },
            settings.workers,
        )?;
        let server = serve(listener, pools.clone(), &settings, shared)?;
        tracing::info!(address = %listener_address(&settings, port), "meldeplikt is listening");
        Ok(Self {
            port,
            server,
            pool,
            database,
            worker,
            worker_task,
            shutdown_timeout: settings.shutdown_timeout,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn pool(&self) -> &Pool {
        &self.pool
    }

    /// The worker, to run a round by hand (tests, maintenance).
    pub fn worker(&self) -> Worker {
        self.worker.clone()
    }

    /// A handle to stop the server gracefully.
    pub fn handle(&self) -> ServerHandle {
        self.server.handle()
    }

    /// Serves until stopped (Ctrl-C, SIGTERM or the handle), lets requests
    /// in flight finish, stops the worker (which hands back the mail it
    /// claimed), then stops a private database.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        let served = self.server.await;
        if let Some(worker) = self.worker_task {
            worker.stop(self.shutdown_timeout).await;
        }
        tracing::info!("meldeplikt stopped");
        self.pool.close();
        self.database.close().await?;
        Ok(served?)
    }
}

fn listener_address(settings: &Settings, port: u16) -> String {
    format!("{}:{port}", settings.listen.ip())
}

/// State built once and shared by every worker thread.
struct Shared {
    openapi_json: web::Data<OpenApiJson>,
    routes: web::Data<RouteTable>,
    cors_origins: web::Data<crate::cors::CorsOrigins>,
    metrics: web::Data<Metrics>,
    tokens: web::Data<TokenService>,
    signer: web::Data<ReceiptSigner>,
    passwords: web::Data<Passwords>,
    auth_settings: web::Data<AuthSettings>,
    mfa: web::Data<MfaSettings>,
    notification_settings: web::Data<NotificationSettings>,
    clock: web::Data<Clock>,
    register: web::Data<crate::register::Public>,
    /// Where Maskinporten tokens are accepted.
    maskinporten: Option<web::Data<Maskinporten>>,
    webhooks: web::Data<WebhookApi>,
    wake: web::Data<Wake>,
    polls: web::Data<crate::events::polls::Polls>,
}

impl Shared {
    fn new(settings: &Settings, wake: Wake) -> anyhow::Result<Self> {
        let openapi = crate::openapi::document();
        let keys = Arc::new(Keys::load(&settings.signing_key_files, &settings.data_dir)?);
        Ok(Self {
            routes: web::Data::new(RouteTable::new(crate::openapi::operations(&openapi))),
            openapi_json: web::Data::new(OpenApiJson(crate::openapi::render(&openapi).into())),
            cors_origins: web::Data::new(crate::cors::CorsOrigins(settings.cors_origins.clone())),
            metrics: web::Data::from(Metrics::new()),
            tokens: web::Data::new(TokenService::new(
                keys.clone(),
                settings.public_url.clone(),
                settings.access_token_ttl,
            )),
            signer: web::Data::new(ReceiptSigner::new(
                keys,
                settings.public_url.clone(),
                settings.issuer.clone(),
            )),
            passwords: web::Data::new(Passwords::with_priority(
                settings.hash_concurrency,
                settings.hash_priority,
            )),
            auth_settings: web::Data::new(AuthSettings {
                refresh_token_ttl: settings.refresh_token_ttl,
                free_failures: settings.login_free_failures,
            }),
            mfa: web::Data::new(MfaSettings {
                key: TotpKey::load(settings.totp_key.as_ref(), &settings.data_dir)?,
                free_failures: settings.login_free_failures,
            }),
            notification_settings: web::Data::new(NotificationSettings::load(
                settings.notification_key_secret.as_ref(),
                &settings.data_dir,
                &settings.public_url,
                settings.rate_limits,
                settings.issuer.clone(),
            )?),
            clock: web::Data::new(settings.clock.clone()),
            register: web::Data::new(crate::register::Public::new(
                &settings.public_url,
                settings.register_rate_per_min,
            )),
            maskinporten: match &settings.maskinporten {
                Some(m) => Some(web::Data::new(Maskinporten::new(
                    m.clone(),
                    crate::accounts::proven::register,
                )?)),
                None => None,
            },
            webhooks: web::Data::new(WebhookApi {
                key: SealingKey::load(
                    settings.webhooks.secret_key.as_ref(),
                    &settings.data_dir,
                    "webhook-secret-key",
                    "MELDEPLIKT_WEBHOOK_SECRET_KEY",
                )?,
                allow_private: settings.webhooks.allow_private,
            }),
            wake: web::Data::new(wake),
            polls: web::Data::new(crate::events::polls::Polls::new(
                settings.webhooks.poll_limits,
            )),
        })
    }
}

fn serve(
    listener: TcpListener,
    pools: ThreadPools,
    settings: &Settings,
    shared: Shared,
) -> anyhow::Result<Server> {
    let Shared {
        openapi_json,
        routes,
        cors_origins,
        metrics,
        tokens,
        signer,
        passwords,
        auth_settings,
        mfa,
        notification_settings,
        clock,
        register,
        maskinporten,
        webhooks,
        wake,
        polls,
    } = shared;
    let body_limit = BodyLimit(settings.max_body_bytes);
    let rate_limits = web::Data::new(settings.rate_limits);
    let export_stall = web::Data::new(crate::export::Stall(settings.export_stall));
    let trusted_proxies = web::Data::new(settings.trusted_proxies.clone());

    let server = HttpServer::new(move || {
        let pool = web::Data::new(pools.for_this_thread());
        App::new()
            .wrap(from_fn(crate::fallback::methods))
            .wrap(from_fn(crate::extract::clean_query))
            .wrap(from_fn(crate::fallback::size_limits))
            .wrap(from_fn(crate::error::localise))
            .wrap(from_fn(crate::cors::cors))
            .wrap(from_fn(telemetry::observe))
            .wrap(TracingLogger::<SpanBuilder>::new())
            .app_data(pool)
            .app_data(web::Data::new(pools.clone()))
            .app_data(metrics.clone())
            .app_data(routes.clone())
            .app_data(cors_origins.clone())
            .app_data(openapi_json.clone())
            .app_data(tokens.clone())
            .app_data(passwords.clone())
            .app_data(auth_settings.clone())
            .app_data(mfa.clone())
            .app_data(notification_settings.clone())
            .app_data(clock.clone())
            .app_data(register.clone())
            .app_data(webhooks.clone())
            .app_data(wake.clone())
            .app_data(polls.clone())
            .app_data(signer.clone())
            .app_data(rate_limits.clone())
            .app_data(export_stall.clone())
            .app_data(trusted_proxies.clone())
            .app_data(body_limit)
            .app_data(path_config())
            .app_data(query_config())
            .configure(|cfg| {
                if let Some(maskinporten) = &maskinporten {
                    cfg.app_data(maskinporten.clone());
                }
            })
            .into_utoipa_app()
            .configure(crate::routes::configure)
            .into_app()
            .service(web::resource("/docs").get(crate::fallback::docs_redirect))
            .service(SwaggerUi::new("/docs/{_:.*}").config(SwaggerConfig::from("/openapi.json")))
            .default_service(web::to(crate::fallback::fallback))
    })
    .workers(settings.workers)
    .shutdown_timeout(settings.shutdown_timeout.as_secs());
    let server = if settings.handle_signals {
        server
    } else {
        server.disable_signals()
    };
    Ok(server.listen(listener)?.run())
}
