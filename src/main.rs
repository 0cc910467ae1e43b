//! The `xeroctl` binary: parse arguments, run the command, turn the result into an exit code.
//! Errors print as one `error: …` line; never a panic or a backtrace.

use std::process::ExitCode;

use clap::FromArgMatches;
use clap::parser::ValueSource;
use tracing_subscriber::EnvFilter;

use xeroctl::cli::args::{Cli, Command, Origin};
use xeroctl::cli::output::note_line;
use xeroctl::config::Settings;
use xeroctl::web::server::Application;

fn main() -> ExitCode {
    let matches = xeroctl::cli::examples::command().get_matches();
    let mut cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(error) => error.exit(),
    };
    // The client commands hold their connection flags at the first level (`global` flags
    // given after a deeper subcommand are propagated up to it).
    if let (Some(connection), Some((_, sub))) = (cli.command.connection_mut(), matches.subcommand())
    {
        connection.base_url_origin = match sub.value_source("base_url") {
            Some(ValueSource::CommandLine) => Origin::Flag,
            Some(ValueSource::EnvVariable) => Origin::Env,
            _ => Origin::Default,
        };
    }
    init_logging(matches!(cli.command, Command::Serve(_)));
    // Client commands block on HTTP: they run outside the async runtime.
    let result = match cli.command {
        Command::Models(args) => xeroctl::cli::models::run(args),
        Command::Catalog(args) => xeroctl::cli::catalog::run(args),
        Command::Deploy(args) => xeroctl::cli::deploy::run_deploy(args),
        Command::Endpoints(args) => xeroctl::cli::deploy::run_endpoints(args),
        Command::Completions { shell } => {
            xeroctl::cli::completions::print(shell);
            return ExitCode::SUCCESS;
        }
        other => return run_async(Cli { command: other }),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            note_line(format_args!("error: {error}"));
            ExitCode::from(error.exit_code())
        }
    }
}

fn run_async(cli: Cli) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            note_line(format_args!("error: cannot start the async runtime: {e}"));
            return ExitCode::from(2);
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            note_line(format_args!("error: {}", chain(&e)));
            ExitCode::from(xeroctl::cli::admin::exit_code(&e))
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve(args) => {
            let settings = Settings::from_args(args)?;
            let bind = settings.bind;
            let app = Application::build(settings).await?;
            {
                use std::io::Write;
                // Best effort: a server whose stdout went away keeps serving.
                let _ = writeln!(
                    std::io::stdout(),
                    "xeroctl is serving the catalog at {}",
                    app.catalog_url(bind)
                );
            }
            app.run_until_stopped().await?;
            tracing::info!("server stopped");
            Ok(())
        }
        Command::Admin(args) => xeroctl::cli::admin::run(args).await,
        Command::Models(_)
        | Command::Catalog(_)
        | Command::Deploy(_)
        | Command::Endpoints(_)
        | Command::Completions { .. } => Ok(()),
    }
}

/// The server logs at info by default; admin commands only warn. `RUST_LOG` overrides both.
fn init_logging(is_server: bool) {
    let default = if is_server { "info" } else { "warn" };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    use std::io::IsTerminal;
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        // Colour codes only for a person at a terminal, never into a redirected log.
        .with_ansi(std::io::stderr().is_terminal())
        .init();
}

fn chain(error: &anyhow::Error) -> String {
    error
        .chain()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(": ")
}
