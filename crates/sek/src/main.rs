//! The `sek` binary: parse the command line, run, map errors to exit statuses.

mod cli;
mod collect;
mod commands;
mod error;
mod markdown_text;
mod node;
mod output;

use std::process::ExitCode;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use clap::Parser;
use tracing_subscriber::EnvFilter;

fn init_logging(verbosity: u8) {
    // The SDK dumps whole requests (signatures, session tokens) at trace level: never enable
    // that here, however many -v.
    let default = match verbosity {
        0 => "sek=warn",
        1 => "sek=info",
        2 => "sek=debug,aws_smithy_runtime=debug,aws_config=info",
        _ => "sek=trace,aws=debug,aws_smithy_runtime=debug,aws_config=debug",
    };
    let filter = EnvFilter::try_from_env("SEK_LOG").unwrap_or_else(|_| EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(filter)
        .with_target(verbosity > 1)
        .init();
}

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    init_logging(cli.verbose);
    match commands::run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            output::print_error(&err);
            ExitCode::from(err.exit_code())
        }
    }
}
