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
    /// Create a regulator (back-office) account. The password comes from
    /// MELDEPLIKT_PASSWORD or, if unset, the first line of standard input.
    /// Prints the account's TOTP secret (an otpauth:// URI) and ten
    /// recovery codes, once.
    CreateRegulator {
        #[arg(long)]
        email: String,
    },
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
            let result = crate::startup::migrate(&database.url).await;
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
        Command::CreateRegulator { email } => {
            let password = match std::env::var("MELDEPLIKT_PASSWORD") {
                Ok(p) => p,
                Err(_) => {
                    let mut line = String::new();
                    std::io::stdin().read_line(&mut line)?;
                    line.trim_end_matches(['\r', '\n']).to_owned()
                }
            };
            let totp_key =
                crate::auth::totp::TotpKey::load(settings.totp_key.as_ref(), &settings.data_dir)?;
            let database = Database::resolve(&settings).await?;
            let result = async {
                crate::startup::migrate(&database.url).await?;
                let pool = crate::db::build_pool(
                    &database.url,
                    crate::db::PoolOptions {
                        size: 2,
                        wait_timeout: settings.pool_timeout,
                        statement_timeout: settings.statement_timeout,
                    },
                )?;
                let created = crate::accounts::create_regulator(
                    &pool,
                    &totp_key,
                    &email,
                    password.into(),
                    settings.clock.now(),
                )
                .await;
                pool.close();
                created.map_err(|problems| anyhow::anyhow!(problems.join("; ")))
            }
            .await;
            database.close().await?;
            let created = result?;
            print_regulator(&mut std::io::stdout().lock(), &email, &created)?;
            Ok(())
        }
        Command::Openapi => Ok(write_openapi(&mut std::io::stdout().lock())?),
    }
}

/// What a new regulator needs, shown this once: the TOTP secret as an
/// `otpauth://` URI (for an authenticator app; most read it from a QR
/// code, `qrencode -t ansiutf8 '<uri>'`, or take the secret typed) and the
/// recovery codes.
fn print_regulator(
    out: &mut impl std::io::Write,
    email: &str,
    created: &crate::accounts::CreatedRegulator,
) -> std::io::Result<()> {
    writeln!(out, "created regulator {email} ({})", created.id)?;
    writeln!(out)?;
    writeln!(
        out,
        "Second factor (TOTP), shown only now: add it to the regulator's authenticator app."
    )?;
    writeln!(out, "  {}", created.enrolment.otpauth_uri)?;
    writeln!(out, "  secret: {}", created.enrolment.secret)?;
    writeln!(out)?;
    writeln!(
        out,
        "Recovery codes, shown only now; each signs in once without the app. Keep them safe:"
    )?;
    for code in &created.recovery_codes {
        writeln!(out, "  {code}")?;
    }
    out.flush()
}

/// Writes the OpenAPI document. A reader that stops early (`| head`) is
/// not an error: the rest is not wanted.
pub fn write_openapi(out: &mut impl std::io::Write) -> std::io::Result<()> {
    let written = out
        .write_all(crate::openapi::document_json().as_bytes())
        .and_then(|()| out.flush());
    match written {
        Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}
