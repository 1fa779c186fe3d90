//! Commands over finished reports (or snapshots): `diff`, `merge`, `compliance`.

use sek_core::compliance::{self};
use sek_core::report::Report;
use sek_core::report::diff::Diff;

use super::*;
use crate::cli::{ColorChoice, ComplianceArgs, DiffArgs, DiffFormat, MergeArgs};
use crate::error::CliError;
use crate::output::write_to;

/// `sek diff OLD NEW`.
pub(super) fn diff_command(args: DiffArgs) -> Result<u8, CliError> {
    let config = load_config(args.config.as_deref())?;
    let old = report_or_snapshot(&args.old, &config)?;
    let new = report_or_snapshot(&args.new, &config)?;
    let diff = Diff::between(&old, &new);
    write_to(
        args.output.as_deref(),
        ColorChoice::Never,
        |out| match args.format {
            DiffFormat::Text => diff.render_text(out),
            DiffFormat::Json => diff.render_json(out),
        },
    )?;
    Ok(u8::from(diff.regressions() > 0))
}

/// `sek merge FILE...`.
pub(super) fn merge_command(args: MergeArgs) -> Result<u8, CliError> {
    let config = load_config(args.config.as_deref())?;
    let reports = args
        .inputs
        .iter()
        .map(|path| report_or_snapshot(path, &config))
        .collect::<Result<Vec<_>, _>>()?;
    let report = Report::merge(reports);
    deliver(&report, &args.report)
}

pub(super) fn compliance_command(args: ComplianceArgs) -> Result<u8, CliError> {
    let framework = args.framework;
    // The framework's checks, unless --checks (or sek.toml) narrows them.
    let report = evaluate_source(
        &args.source,
        checks::select_one(framework.slug()).unwrap_or_default(),
    )?;
    let table = compliance::compliance(&report, framework);
    let format = args.format;
    write_to(args.output.as_deref(), ColorChoice::Never, |out| {
        compliance::render(&table, format, out)
    })?;
    if let Some(path) = &args.output {
        eprintln!("{} table written to {}", table.name, path.display());
    }
    Ok(0)
}
