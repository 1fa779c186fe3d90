//! `sek scan` and the original sek invocation: evaluate, then deliver the report.

use std::path::PathBuf;
use std::time::Instant;

use sek_core::checks::{self};
use sek_core::config::Config;
use sek_core::evaluate::{Selection, evaluate};
use sek_core::report::seed::{self, SEED_CHECKS};
use sek_core::report::{self, Format, RenderOptions, Report, text::summary_line};

use super::*;
use crate::cli::{ColorChoice, ReportArgs, ScanArgs, SeedArgs};
use crate::collect::aws::AwsOptions;
use crate::collect::kube::KubeOptions;
use crate::collect::{Accounts, Clusters, Estate, Regions};
use crate::error::CliError;
use crate::output::write_to;

/// One `-o [FORMAT=]FILE`: the format named, else the file's extension's, else `--format`'s.
pub(super) fn parse_output(
    spec: &str,
    explicit: Option<Format>,
) -> Result<(Format, PathBuf), CliError> {
    if let Some((name, path)) = spec.split_once('=')
        && let Some(format) = Format::from_name(name)
    {
        return Ok((format, PathBuf::from(path)));
    }
    let format = Format::from_extension(spec)
        .or(explicit)
        .ok_or_else(|| CliError::Usage {
            message: format!(
                "cannot tell the format of `{spec}` from its extension; write FORMAT=FILE with FORMAT one of {}, or pass --format",
                Format::ALL.iter().map(|(name, _)| *name).collect::<Vec<_>>().join(", ")
            ),
        })?;
    Ok((format, PathBuf::from(spec)))
}

pub(super) fn scan(args: ScanArgs) -> Result<u8, CliError> {
    let report = evaluate_source(&args.source, checks::ALL.to_vec())?;
    deliver(&report, &args.report)
}

/// Write `report` to stdout and the files `args` asks for; the exit status from --fail-on.
pub(super) fn deliver(report: &Report, args: &ReportArgs) -> Result<u8, CliError> {
    let files = args
        .output
        .iter()
        .map(|spec| parse_output(spec, args.format))
        .collect::<Result<Vec<_>, _>>()?;
    let fail_on = args.fail_on;
    // stdout gets the report unless files were asked for without an explicit --format.
    let stdout_format = match (args.format, files.is_empty()) {
        (Some(format), _) => Some(format),
        (None, true) => Some(Format::Text),
        (None, false) => None,
    };
    let started = Instant::now();
    if let Some(format) = stdout_format {
        let options = RenderOptions {
            fail_on,
            width: terminal_width(),
        };
        write_to(None, args.color, |out| {
            report::render(report, format, &options, out)
        })?;
    }
    for (format, path) in &files {
        let options = RenderOptions {
            fail_on,
            width: None,
        };
        write_to(Some(path), ColorChoice::Never, |out| {
            report::render(report, *format, &options, out)
        })?;
    }
    tracing::info!(
        "rendered the report in {} ms",
        started.elapsed().as_millis()
    );
    if !files.is_empty() {
        let paths: Vec<String> = files.iter().map(|(_, p)| p.display().to_string()).collect();
        eprintln!(
            "report written to {} ({})",
            paths.join(", "),
            summary_line(&report.counts())
        );
    }
    Ok(u8::from(report.trips(fail_on)))
}

pub(super) fn seed_scan(args: SeedArgs) -> Result<u8, CliError> {
    let started = Instant::now();
    let name = args.name.clone().unwrap_or_default();
    let selection = Selection {
        checks: SEED_CHECKS
            .iter()
            .filter_map(|id| checks::find(id))
            .collect(),
        skip: select_checks(&args.skip)?,
    };
    // The original invocation's ten checks read only what they need.
    let plan = read_plan(&selection, &Config::default());
    let estate = Estate {
        accounts: Accounts::Caller,
        regions: Regions::Default,
        clusters: Clusters::Named(vec![name.clone()]),
        external_id: None,
    };
    let inventory = collect_live(
        &AwsOptions::default(),
        &estate,
        &KubeOptions::default(),
        &plan,
    )?;
    let report = evaluate(&inventory, &Config::default(), &selection);
    let echo = seed::SeedArgs {
        cloud: args.cloud.unwrap_or_default(),
        resource: args.resource.unwrap_or_default(),
        name,
        skip: args.skip,
    };
    let mut all_passed = false;
    write_to(None, ColorChoice::Never, |out| {
        all_passed = seed::render(&report, &echo, started.elapsed(), out)?;
        Ok(())
    })?;
    Ok(u8::from(!all_passed))
}
