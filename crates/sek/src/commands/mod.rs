//! The commands, one module each: `scan` (and the original sek invocation), `snapshot` (`sek
//! collect`), `catalog` (`sek checks`),
//! `diff`/`merge`/`compliance` over reports; `source` turns the flags into what to evaluate
//! (the demo, a snapshot, an export, a live scan).

use std::io::{self, IsTerminal};
use std::path::Path;

use sek_core::checks::{self, ReadPlan};
use sek_core::config::Config;
use sek_core::evaluate::{Selection, evaluate};

use crate::cli::{Cli, ColorChoice, Command, NodeArgs, SelectArgs};
use crate::error::CliError;
use crate::node;
use crate::output::write_to;

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
        Some(Command::Completions { shell }) => {
            let mut command = <Cli as clap::CommandFactory>::command();
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut command, "sek", &mut script);
            write_to(None, ColorChoice::Never, |out| out.write_all(&script))?;
            Ok(0)
        }
        Some(Command::Man) => {
            let page = clap_mangen::Man::new(<Cli as clap::CommandFactory>::command());
            write_to(None, ColorChoice::Never, |out| page.render(out))?;
            Ok(0)
        }
        None if cli.seed.name.is_some() => seed_scan(cli.seed),
        None => Err(CliError::Usage {
            message: "no command given; try `sek scan --demo`, or `sek --help`".into(),
        }),
    }
}

/// The checks `names` select (`--checks`, `--skip`): ids, aliases, globs, areas, frameworks.
pub(super) fn select_checks(names: &[String]) -> Result<Vec<&'static checks::Check>, CliError> {
    checks::select(names).map_err(|message| CliError::Usage { message })
}

/// What runs, from `--checks`/`--skip` and the configuration file: `--checks`, else the file's
/// `checks`, else `default`; skips from both are listed as skipped.
pub(super) fn choose(
    select: &SelectArgs,
    config: &Config,
    default: Vec<&'static checks::Check>,
) -> Result<Selection, CliError> {
    let checks = match (select.checks.as_slice(), &config.checks) {
        ([], Some(from_file)) => from_file.clone(),
        ([], None) => default,
        (names, _) => select_checks(names)?,
    };
    Ok(Selection {
        checks,
        skip: select_checks(&select.skip)?,
    })
}

/// The reads `selection` needs: its checks but the skipped ones (on the command line or in
/// `config`).
pub(super) fn read_plan(selection: &Selection, config: &Config) -> ReadPlan {
    let run: Vec<&'static checks::Check> = selection
        .checks
        .iter()
        .copied()
        .filter(|c| {
            !selection
                .skip
                .iter()
                .chain(&config.skip)
                .any(|s| s.id == c.id)
        })
        .collect();
    ReadPlan::for_checks(&run).with_vulnerability_floor(config.settings.vuln_min_severity)
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
