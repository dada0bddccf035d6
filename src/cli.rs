//! The command line.

use clap::{Parser, Subcommand};

use crate::config::Settings;
use crate::startup::{Application, Database};

#[derive(Debug, Parser)]
#[command(
    name = "meldeplikt",
    version,
    about = "The notification service (meldeplikt)"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Clone, Subcommand)]
pub enum Command {
    /// Run the service (the default).
    Serve,
    /// Apply the database migrations and exit.
    Migrate,
    /// Print the OpenAPI document.
    Openapi,
}

/// Runs a command that needs the settings.
pub async fn run(command: Command, settings: Settings) -> anyhow::Result<()> {
    match command {
        Command::Serve => {
            Application::build(settings)
                .await?
                .run_until_stopped()
                .await
        }
        Command::Migrate => {
            let database = Database::resolve(&settings).await?;
            let result = crate::db::run_migrations(&database.url).await;
            database.close().await?;
            let applied = result?;
            if applied.is_empty() {
                println!("the database is up to date");
            } else {
                for version in applied {
                    println!("applied {version}");
                }
            }
            Ok(())
        }
        Command::Openapi => {
            print!("{}", crate::openapi::document_json());
            Ok(())
        }
    }
}
