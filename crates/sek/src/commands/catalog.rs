//! `sek checks`: the catalog of checks, listed, shown and documented.

use std::io::{self, Write};
use std::path::PathBuf;

use sek_core::checks::{self, Framework, ReadPlan};
use sek_core::compliance::{self};
use sek_core::config::resolve_check;
use sek_core::docs;

use crate::cli::{ChecksCommand, ColorChoice, ListFormat, ShowFormat};
use crate::error::CliError;
use crate::markdown_text;
use crate::output::write_to;

use super::select_checks;

pub(super) fn checks_command(command: ChecksCommand) -> Result<u8, CliError> {
    match command {
        ChecksCommand::List {
            format,
            framework: None,
        } => {
            write_to(None, ColorChoice::Never, |out| match format {
                ListFormat::Text => list_text(out),
                ListFormat::Json => list_json(out),
            })?;
            Ok(0)
        }
        ChecksCommand::List {
            format,
            framework: Some(framework),
        } => {
            write_to(None, ColorChoice::Never, |out| {
                coverage(framework, format, out)
            })?;
            Ok(0)
        }
        ChecksCommand::Show { id, format } => {
            let check = resolve_check(&id).map_err(|message| CliError::Usage { message })?;
            let width = super::terminal_width();
            let page = docs::page(check);
            let page = match (format, width) {
                (Some(ShowFormat::Markdown), _) | (None, None) => page,
                (Some(ShowFormat::Text), width) | (None, width) => {
                    markdown_text::to_text(&page, width.unwrap_or(100).clamp(40, 120))
                }
            };
            write_to(None, ColorChoice::Never, |out| {
                out.write_all(page.as_bytes())
            })?;
            Ok(0)
        }
        ChecksCommand::Permissions { kubernetes, checks } => {
            let plan = match checks.as_slice() {
                [] => ReadPlan::everything(),
                names => ReadPlan::for_checks(&select_checks(names)?),
            };
            let text = if kubernetes {
                if !plan.wants_kubernetes() {
                    eprintln!("note: none of the selected checks reads the Kubernetes API");
                }
                docs::kubernetes_cluster_role_for(&plan)
            } else {
                docs::iam_policy_for(&plan)
            };
            write_to(None, ColorChoice::Never, |out| {
                out.write_all(text.as_bytes())
            })?;
            Ok(0)
        }
        ChecksCommand::Docs {
            write: Some(dir), ..
        } => {
            let files = docs::files();
            for (relative, contents) in &files {
                let path = dir.join(relative);
                let written = path
                    .parent()
                    .map_or(Ok(()), std::fs::create_dir_all)
                    .and_then(|()| std::fs::write(&path, contents));
                written.map_err(|source| CliError::Write {
                    path: path.display().to_string(),
                    source,
                })?;
            }
            eprintln!("wrote {} files under {}", files.len(), dir.display());
            Ok(0)
        }
        ChecksCommand::Docs { check, .. } => {
            let dir: PathBuf = check.unwrap_or_else(|| PathBuf::from("docs"));
            let stale: Vec<String> = docs::files()
                .into_iter()
                .filter(|(relative, contents)| {
                    std::fs::read_to_string(dir.join(relative)).ok().as_deref() != Some(contents)
                })
                .map(|(relative, _)| relative)
                .collect();
            if stale.is_empty() {
                eprintln!("{} is up to date", dir.display());
                Ok(0)
            } else {
                eprintln!(
                    "stale: {}; run `sek checks docs --write {}`",
                    stale.join(", "),
                    dir.display()
                );
                Ok(1)
            }
        }
    }
}

pub(super) fn refs(check: &checks::Check, framework: Framework) -> String {
    let ids: Vec<&str> = check.refs_for(framework).iter().map(|r| r.id).collect();
    if ids.is_empty() {
        "-".to_string()
    } else {
        ids.join(",")
    }
}

pub(super) fn list_text(out: &mut dyn Write) -> io::Result<()> {
    let id_width = checks::ALL.iter().map(|c| c.id.len()).max().unwrap_or(2);
    writeln!(
        out,
        "{:<id_width$}  {:<8}  {:<9}  {:<9}  {:<24}  TITLE",
        "ID", "SEVERITY", "CIS 1.3.0", "CIS 1.8.0", "NIST CSF 1.1"
    )?;
    for check in checks::ALL {
        writeln!(
            out,
            "{:<id_width$}  {:<8}  {:<9}  {:<9}  {:<24}  {}",
            check.id,
            check.severity.as_str(),
            refs(check, Framework::CisEks1_3_0),
            refs(check, Framework::CisEks1_8_0),
            refs(check, Framework::NistCsf1_1),
            check.title,
        )?;
    }
    writeln!(
        out,
        "\n{} checks. `sek checks show ID` explains one.",
        checks::ALL.len()
    )
}

/// A framework's requirements and the checks that cover them.
pub(super) fn coverage(
    framework: Framework,
    format: ListFormat,
    out: &mut dyn Write,
) -> io::Result<()> {
    let rows: Vec<(&'static str, &'static str, Vec<&'static str>)> = framework
        .catalog()
        .iter()
        .map(|r| {
            (
                r.id,
                r.title,
                compliance::checks_for(framework, r)
                    .iter()
                    .map(|c| c.id)
                    .collect(),
            )
        })
        .collect();
    if format == ListFormat::Json {
        let list: Vec<serde_json::Value> = rows
            .iter()
            .map(|(id, title, checks)| serde_json::json!({ "id": id, "title": title, "checks": checks }))
            .collect();
        serde_json::to_writer_pretty(&mut *out, &list)?;
        return writeln!(out);
    }
    let covered = rows
        .iter()
        .filter(|(_, _, checks)| !checks.is_empty())
        .count();
    writeln!(
        out,
        "{}: {covered} of {} requirements evaluated by sek checks\n",
        framework.name(),
        rows.len()
    )?;
    let id_width = rows.iter().map(|(id, _, _)| id.len()).max().unwrap_or(2);
    let checks_width = rows
        .iter()
        .map(|(_, _, c)| c.join(", ").len())
        .max()
        .unwrap_or(0)
        .max(10);
    writeln!(
        out,
        "{:<id_width$}  {:<checks_width$}  REQUIREMENT",
        "ID", "CHECKS"
    )?;
    for (id, title, checks) in rows {
        let checks = if checks.is_empty() {
            "- (manual)".to_string()
        } else {
            checks.join(", ")
        };
        writeln!(out, "{id:<id_width$}  {checks:<checks_width$}  {title}")?;
    }
    Ok(())
}

pub(super) fn list_json(out: &mut dyn Write) -> io::Result<()> {
    let list: Vec<serde_json::Value> = checks::ALL
        .iter()
        .map(|check| {
            serde_json::json!({
                "id": check.id,
                "aliases": check.aliases,
                "area": check.area,
                "severity": check.severity,
                "title": check.title,
                "references": check.all_refs(),
                "permissions": check.needs,
                "docs": check.docs_path(),
            })
        })
        .collect();
    serde_json::to_writer_pretty(&mut *out, &list)?;
    writeln!(out)
}
