//! Commands over finished reports (or snapshots): `diff`, `merge`, `compliance`.

use std::path::{Path, PathBuf};

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
    let mut reports = Vec::new();
    for input in &args.inputs {
        for path in json_files(input)? {
            reports.push(report_or_snapshot(&path, &config)?);
        }
    }
    let report = Report::merge(reports);
    deliver(&report, &args.report)
}

/// `path`, or the `*.json` files of a directory (in name order), so a container without a shell
/// can merge a directory of per-account reports.
fn json_files(path: &Path) -> Result<Vec<PathBuf>, CliError> {
    if !path.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let error = |reason: String| CliError::Input {
        path: path.display().to_string(),
        reason,
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(path)
        .map_err(|e| error(e.to_string()))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(error(
            "a directory with no .json report or snapshot in it".into(),
        ));
    }
    Ok(files)
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
