//! The commands, one module each: `scan` (and the original sek invocation), `snapshot` (`sek
//! collect`), `catalog` (`sek checks`),
//! `diff`/`merge`/`compliance` over reports; `source` turns the flags into what to evaluate
//! (the demo, a snapshot, an export, a live scan).

use std::io::{self, IsTerminal};
use std::path::Path;

use sek_core::checks::{self};
use sek_core::config::{Config, resolve_check};
use sek_core::evaluate::{Selection, evaluate};

use crate::cli::{Cli, Command, NodeArgs};
use crate::error::CliError;
use crate::node;

mod catalog;
mod reports;
mod scan;
mod snapshot;
mod source;

use self::catalog::*;
use self::reports::*;
use self::scan::*;
use self::snapshot::*;
use self::source::*;

/// Run the parsed command line; returns the exit status.
pub fn run(cli: Cli) -> Result<u8, CliError> {
    if cli.command.is_some() && cli.seed.name.is_some() {
        return Err(CliError::Usage {
            message: "the original invocation (--cloud, --resource, --name) takes no subcommand; \
use `sek scan --cluster NAME` instead"
                .into(),
        });
    }
    match cli.command {
        Some(Command::Scan(args)) => scan(args),
        Some(Command::Compliance(args)) => compliance_command(args),
        Some(Command::Collect(args)) => collect_snapshot(args),
        Some(Command::Node(args)) => node_command(args),
        Some(Command::Checks(command)) => checks_command(command),
        Some(Command::Diff(args)) => diff_command(args),
        Some(Command::Merge(args)) => merge_command(args),
        None if cli.seed.name.is_some() => seed_scan(cli.seed),
        None => Err(CliError::Usage {
            message: "no command given; try `sek scan --demo`, or `sek --help`".into(),
        }),
    }
}

pub(super) fn resolve_skips(names: &[String]) -> Result<Vec<&'static checks::Check>, CliError> {
    names
        .iter()
        .map(|name| resolve_check(name).map_err(|message| CliError::Usage { message }))
        .collect()
}

pub(super) fn load_config(path: Option<&Path>) -> Result<Config, CliError> {
    match path {
        Some(path) => Ok(Config::load(path)?),
        None if Path::new("sek.toml").is_file() => Ok(Config::load(Path::new("sek.toml"))?),
        None => Ok(Config::default()),
    }
}

/// The terminal's width when stdout is a terminal (text is then wrapped to it).
pub(super) fn terminal_width() -> Option<usize> {
    if !io::stdout().is_terminal() {
        return None;
    }
    terminal_size::terminal_size().map(|(width, _)| usize::from(width.0))
}

/// `sek node`: this node's kubelet files and configuration.
pub(super) fn node_command(args: NodeArgs) -> Result<u8, CliError> {
    let (inventory, selected) = node::inspect(
        &args.root,
        args.kubelet_config.as_deref(),
        args.node_name.clone(),
    )
    .map_err(|e| CliError::Usage {
        message: format!("{e}; pass --root (the host's filesystem) or --kubelet-config"),
    })?;
    let selection = Selection {
        checks: selected,
        skip: Vec::new(),
    };
    let report = evaluate(&inventory, &load_config(None)?, &selection);
    deliver(&report, &args.report)
}
