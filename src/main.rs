use std::process::ExitCode;

use clap::Parser;
use meldeplikt::cli::{Cli, Command};
use meldeplikt::config::Settings;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let command = cli.command.unwrap_or(Command::Serve);
    if let Command::Openapi = command {
        return match meldeplikt::cli::write_openapi(&mut std::io::stdout().lock()) {
            Ok(()) => ExitCode::SUCCESS,
            Err(err) => {
                eprintln!("meldeplikt: {err}");
                ExitCode::FAILURE
            }
        };
    }
    let settings = match Settings::from_env() {
        Ok(settings) => settings,
        Err(err) => {
            eprintln!("meldeplikt: {err}");
            return ExitCode::from(2);
        }
    };
    meldeplikt::telemetry::init(settings.log_format);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    match runtime.block_on(meldeplikt::cli::run(command, settings)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            tracing::error!(error = format!("{err:#}"), "meldeplikt failed");
            eprintln!("meldeplikt: {err:#}");
            ExitCode::FAILURE
        }
    }
}
