//! The commands: scan, collect, checks, and the original sek invocation.

use std::io::{self, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use sek_core::checks::{self, Framework};
use sek_core::compliance::{self, ComplianceFormat};
use sek_core::config::{Config, resolve_check};
use sek_core::evaluate::{Selection, evaluate};
use sek_core::inventory::k8s::KubernetesInventory;
use sek_core::inventory::{ClusterInventory, Failures, Inventory, Meta};
use sek_core::report::diff::Diff;
use sek_core::report::seed::{self, SEED_CHECKS};
use sek_core::report::{self, FailOn, Format, RenderOptions, Report, text::summary_line};
use sek_core::{demo, docs};

use crate::cli::RetryMode;
use crate::cli::{
    AwsArgs, ChecksCommand, Cli, CollectArgs, ColorChoice, Command, ComplianceArgs,
    ComplianceFormatArg, DiffArgs, DiffFormat, KubeArgs, KubeAuth, ListFormat, MergeArgs, NodeArgs,
    OutputFormat, ReportArgs, ScanArgs, SeedArgs, SourceArgs,
};
use crate::collect::aws::AwsOptions;
use crate::collect::k8s_files::read_export;
use crate::collect::kube::{AuthChoice, KubeOptions};
use crate::collect::{self, Accounts, Clusters, Progress, Regions, Scope};
use crate::error::CliError;
use crate::node;
use crate::output::write_to;

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

fn resolve_skips(names: &[String]) -> Result<Vec<&'static checks::Check>, CliError> {
    names
        .iter()
        .map(|name| resolve_check(name).map_err(|message| CliError::Usage { message }))
        .collect()
}

fn load_config(path: Option<&Path>) -> Result<Config, CliError> {
    match path {
        Some(path) => Ok(Config::load(path)?),
        None if Path::new("sek.toml").is_file() => Ok(Config::load(Path::new("sek.toml"))?),
        None => Ok(Config::default()),
    }
}

fn aws_options(args: &AwsArgs) -> AwsOptions {
    AwsOptions {
        profile: args.profile.clone(),
        region: args.region.first().cloned(),
        concurrency: usize::from(args.concurrency),
        max_attempts: args.max_attempts,
        adaptive_retry: args.retry_mode == RetryMode::Adaptive,
    }
}

/// What a live scan covers, from the flags.
fn scope(args: &AwsArgs, clusters: &[String], all_clusters: bool) -> Scope {
    let accounts = match (&args.org_role, args.account_role_arn.as_slice()) {
        (Some(role), _) => Accounts::Organization(role.clone()),
        (None, []) => Accounts::Caller,
        (None, roles) => Accounts::Roles(roles.to_vec()),
    };
    let mut regions: Vec<String> = Vec::new();
    for region in &args.region {
        if !region.is_empty() && !regions.contains(region) {
            regions.push(region.clone());
        }
    }
    Scope {
        accounts,
        regions: match (args.all_regions, regions.is_empty()) {
            (true, _) => Regions::AllEnabled,
            (false, true) => Regions::Default,
            (false, false) => Regions::Listed(regions),
        },
        clusters: if all_clusters {
            Clusters::All
        } else {
            Clusters::Named(clusters.to_vec())
        },
        external_id: args.external_id.clone(),
    }
}

/// How to read the Kubernetes side live, from the flags (`--k8s-dir` reads files instead).
fn kube_options(args: &KubeArgs, scope: &Scope) -> Result<KubeOptions, CliError> {
    let one_cluster = matches!(&scope.clusters, Clusters::Named(names) if names.len() == 1)
        && scope.is_single_target();
    if args.context.is_some() && !one_cluster {
        return Err(CliError::Usage {
            message: "--context names one cluster's API server; scan one cluster per context, or \
let sek find each cluster's context by its endpoint"
                .into(),
        });
    }
    if args.context.is_some() && matches!(args.kube_auth, KubeAuth::Eks | KubeAuth::InCluster) {
        return Err(CliError::Usage {
            message: "--context picks a kubeconfig context; it does not go with --kube-auth eks or in-cluster"
                .into(),
        });
    }
    Ok(KubeOptions {
        enabled: !args.no_kubernetes && args.k8s_dir.is_none(),
        auth: match args.kube_auth {
            KubeAuth::Auto => AuthChoice::Auto,
            KubeAuth::Eks => AuthChoice::EksToken,
            KubeAuth::Kubeconfig => AuthChoice::Kubeconfig,
            KubeAuth::InCluster => AuthChoice::InCluster,
        },
        kubeconfig: args.kubeconfig.clone(),
        context: args.context.clone(),
        kubelet_timeout: std::time::Duration::from_secs(args.kubelet_timeout),
        timeout: std::time::Duration::from_secs(args.kube_timeout),
        reads: sek_core::checks::required_kubernetes_reads(),
    })
}

/// Attach the exported Kubernetes side in `path` to the one cluster of `inventory`.
fn attach_export(inventory: &mut Inventory, path: &Path) -> Result<(), CliError> {
    let [cluster] = inventory.clusters.as_mut_slice() else {
        return Err(CliError::Usage {
            message: format!(
                "--k8s-dir holds one cluster's Kubernetes side, but this scan has {} clusters",
                inventory.clusters.len()
            ),
        });
    };
    cluster.kubernetes = sek_core::inventory::Read::Got(read_export_warning(path)?);
    Ok(())
}

fn read_export_warning(path: &Path) -> Result<KubernetesInventory, CliError> {
    let (k8s, ignored) = read_export(path).map_err(|e| CliError::Usage {
        message: format!("cannot read the Kubernetes export {e}"),
    })?;
    if !ignored.is_empty() {
        eprintln!(
            "note: ignored {} objects in the export: sek does not read them (and never reads Secret values)",
            ignored.join(", ")
        );
    }
    Ok(k8s)
}

/// An inventory of just an exported Kubernetes side, named after the export.
fn export_only(path: &Path) -> Result<Inventory, CliError> {
    let name = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("exported")
        .to_string();
    let mut cluster = ClusterInventory::new(name, "");
    cluster.kubernetes = sek_core::inventory::Read::Got(read_export_warning(path)?);
    let mut inventory = Inventory::new(Meta {
        sek_version: Some(sek_core::VERSION.to_string()),
        ..Meta::default()
    });
    inventory.clusters.push(cluster);
    Ok(inventory)
}

/// Collect what `scope` covers, with a progress display when stderr is a terminal.
fn collect_live(
    options: &AwsOptions,
    scope: &Scope,
    kube: &KubeOptions,
) -> Result<Inventory, CliError> {
    let progress = if io::stderr().is_terminal() {
        let what = match &scope.clusters {
            Clusters::Named(names) => names.join(", "),
            Clusters::All => "every cluster".into(),
        };
        Progress::new(&format!("collecting {what}:"))
    } else {
        Progress::default()
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::Usage {
            message: format!("cannot start the async runtime: {e}"),
        })?;
    let inventory = runtime.block_on(collect::collect(options, scope, kube, progress))?;
    if inventory.clusters.is_empty() && inventory.not_scanned.is_empty() {
        eprintln!(
            "note: no EKS clusters found{} in {} of the scanned account(s)",
            match &scope.clusters {
                Clusters::Named(names) => format!(" named {}", names.join(", ")),
                Clusters::All => String::new(),
            },
            match inventory.regions.len() {
                0 => "any region".to_string(),
                n => format!("{n} region(s)"),
            }
        );
    }
    Ok(inventory)
}

fn read_snapshot(path: &Path) -> Result<Inventory, CliError> {
    let started = Instant::now();
    let inventory = read_snapshot_file(path)?;
    tracing::info!(
        "read snapshot {} in {} ms",
        path.display(),
        started.elapsed().as_millis()
    );
    Ok(inventory)
}

fn read_snapshot_file(path: &Path) -> Result<Inventory, CliError> {
    let shown = path.display().to_string();
    let mut text = String::new();
    let read = if shown == "-" {
        io::stdin().read_to_string(&mut text).map(|_| ())
    } else {
        std::fs::read_to_string(path).map(|t| text = t)
    };
    read.map_err(|e| CliError::Snapshot {
        path: shown.clone(),
        reason: e.to_string(),
    })?;
    Inventory::from_json(&text).map_err(|e| CliError::snapshot(&shown, e))
}

/// Evaluate what `source` names: the demo, a snapshot, or a live cluster.
fn evaluate_source(source: &SourceArgs) -> Result<Report, CliError> {
    let config = load_config(source.config.as_deref())?;
    let mut selection = Selection {
        skip: resolve_skips(&source.skip)?,
        ..Selection::default()
    };
    let export = source.kube.k8s_dir.as_deref();
    let mut inventory = match (&source.snapshot, export) {
        _ if source.demo => demo::inventory(),
        (Some(path), _) => read_snapshot(path)?,
        (None, Some(export)) if source.cluster.is_empty() => {
            // Only the export: the AWS-side checks would all say "not collected".
            selection
                .checks
                .retain(|c| c.needs.iter().any(|n| n.is_kubernetes()));
            export_only(export)?
        }
        // clap requires --cluster, --snapshot, --k8s-dir or --demo.
        (None, _) => {
            let scope = scope(&source.aws, &source.cluster, source.all_clusters);
            collect_live(
                &aws_options(&source.aws),
                &scope,
                &kube_options(&source.kube, &scope)?,
            )?
        }
    };
    if let Some(export) = export
        && (source.snapshot.is_some() || !source.cluster.is_empty() || source.demo)
    {
        attach_export(&mut inventory, export)?;
    }
    let started = Instant::now();
    let report = evaluate(&inventory, &config, &selection);
    tracing::info!(
        "evaluated {} checks on {} clusters in {} ms",
        selection.checks.len(),
        inventory.clusters.len(),
        started.elapsed().as_millis()
    );
    Ok(report)
}

/// One `-o [FORMAT=]FILE`.
fn parse_output(spec: &str) -> Result<(Format, PathBuf), CliError> {
    if let Some((name, path)) = spec.split_once('=')
        && let Some(format) = Format::from_name(name)
    {
        return Ok((format, PathBuf::from(path)));
    }
    let format = Format::from_extension(spec).ok_or_else(|| CliError::Usage {
        message: format!(
            "cannot tell the format of `{spec}` from its extension; write FORMAT=FILE with FORMAT one of {}",
            Format::ALL.iter().map(|(name, _)| *name).collect::<Vec<_>>().join(", ")
        ),
    })?;
    Ok((format, PathBuf::from(spec)))
}

fn format_of(format: OutputFormat) -> Format {
    match format {
        OutputFormat::Text => Format::Text,
        OutputFormat::Json => Format::Json,
        OutputFormat::Sarif => Format::Sarif,
        OutputFormat::Junit => Format::Junit,
        OutputFormat::Csv => Format::Csv,
        OutputFormat::Markdown => Format::Markdown,
        OutputFormat::Html => Format::Html,
        OutputFormat::Asff => Format::Asff,
        OutputFormat::Ocsf => Format::Ocsf,
    }
}

/// The terminal's width when stdout is a terminal (text is then wrapped to it).
fn terminal_width() -> Option<usize> {
    if !io::stdout().is_terminal() {
        return None;
    }
    terminal_size::terminal_size().map(|(width, _)| usize::from(width.0))
}

fn scan(args: ScanArgs) -> Result<u8, CliError> {
    let report = evaluate_source(&args.source)?;
    deliver(&report, &args.report)
}

/// `sek node`: this node's kubelet files and configuration.
fn node_command(args: NodeArgs) -> Result<u8, CliError> {
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

/// Write `report` to stdout and the files `args` asks for; the exit status from --fail-on.
fn deliver(report: &Report, args: &ReportArgs) -> Result<u8, CliError> {
    let files = args
        .output
        .iter()
        .map(|spec| parse_output(spec))
        .collect::<Result<Vec<_>, _>>()?;
    let fail_on = FailOn::parse(&args.fail_on).unwrap_or(FailOn::Severity(checks::Severity::Low));
    // stdout gets the report unless files were asked for without an explicit --format.
    let stdout_format = match (args.format, files.is_empty()) {
        (Some(format), _) => Some(format_of(format)),
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

/// A JSON report, or a snapshot evaluated with `config`.
fn report_or_snapshot(path: &Path, config: &Config) -> Result<Report, CliError> {
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| CliError::Input {
        path: shown.clone(),
        reason: e.to_string(),
    })?;
    #[derive(serde::Deserialize)]
    struct Probe {
        report_schema_version: Option<serde::de::IgnoredAny>,
    }
    let probe: Probe = serde_json::from_str(&text).map_err(|e| CliError::Input {
        path: shown.clone(),
        reason: format!("not JSON: {e}"),
    })?;
    if probe.report_schema_version.is_some() {
        return Report::from_json(&text).map_err(|e| CliError::Input {
            path: shown,
            reason: e.to_string(),
        });
    }
    let inventory = Inventory::from_json(&text).map_err(|e| CliError::Input {
        path: shown,
        reason: e.to_string(),
    })?;
    Ok(evaluate(&inventory, config, &Selection::default()))
}

/// `sek diff OLD NEW`.
fn diff_command(args: DiffArgs) -> Result<u8, CliError> {
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
fn merge_command(args: MergeArgs) -> Result<u8, CliError> {
    let config = load_config(args.config.as_deref())?;
    let reports = args
        .inputs
        .iter()
        .map(|path| report_or_snapshot(path, &config))
        .collect::<Result<Vec<_>, _>>()?;
    let report = Report::merge(reports);
    deliver(&report, &args.report)
}

fn compliance_command(args: ComplianceArgs) -> Result<u8, CliError> {
    let framework = Framework::from_slug(&args.framework).expect("clap checks the framework");
    let report = evaluate_source(&args.source)?;
    let table = compliance::compliance(&report, framework);
    let format = match args.format {
        ComplianceFormatArg::Text => ComplianceFormat::Text,
        ComplianceFormatArg::Markdown => ComplianceFormat::Markdown,
        ComplianceFormatArg::Csv => ComplianceFormat::Csv,
        ComplianceFormatArg::Json => ComplianceFormat::Json,
        ComplianceFormatArg::Html => ComplianceFormat::Html,
    };
    write_to(args.output.as_deref(), ColorChoice::Never, |out| {
        compliance::render(&table, format, out)
    })?;
    if let Some(path) = &args.output {
        eprintln!("{} table written to {}", table.name, path.display());
    }
    Ok(0)
}

fn seed_scan(args: SeedArgs) -> Result<u8, CliError> {
    let started = Instant::now();
    let name = args.name.clone().unwrap_or_default();
    let selection = Selection {
        checks: SEED_CHECKS
            .iter()
            .filter_map(|id| checks::find(id))
            .collect(),
        skip: resolve_skips(&args.skip)?,
    };
    let scope = Scope {
        accounts: Accounts::Caller,
        regions: Regions::Default,
        clusters: Clusters::Named(vec![name.clone()]),
        external_id: None,
    };
    let inventory = collect_live(&AwsOptions::default(), &scope, &KubeOptions::default())?;
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

fn collect_snapshot(args: CollectArgs) -> Result<u8, CliError> {
    let inventory = match &args.kube.k8s_dir {
        Some(export) if args.cluster.is_empty() => export_only(export)?,
        export => {
            let scope = scope(&args.aws, &args.cluster, args.all_clusters);
            let mut inventory = collect_live(
                &aws_options(&args.aws),
                &scope,
                &kube_options(&args.kube, &scope)?,
            )?;
            if let Some(export) = export {
                attach_export(&mut inventory, export)?;
            }
            inventory
        }
    };
    write_to(args.output.as_deref(), ColorChoice::Never, |out| {
        inventory.write_json(out)
    })?;
    for cluster in &inventory.clusters {
        eprintln!(
            "collected {}: {} nodes, {} node groups, {}, {} API calls in {:.1} s{}",
            cluster.name,
            cluster.instances.got().map_or(0, |n| n.len()),
            cluster.nodegroups.got().map_or(0, |n| n.len()),
            match cluster.kubernetes.got() {
                Some(k8s) => format!(
                    "{} workloads in {} namespaces",
                    k8s.workloads.got().map_or(0, |w| w.len()),
                    k8s.namespaces.got().map_or(0, Vec::len)
                ),
                None => "Kubernetes side not read".to_string(),
            },
            inventory.meta.api_calls.unwrap_or(0),
            inventory.meta.duration_ms.unwrap_or(0) as f64 / 1000.0,
            match cluster.failures().len() {
                0 => String::new(),
                n => format!(
                    "; {n} reads failed (recorded as `failed_read` where the data would be; the checks needing them will report ERROR)"
                ),
            }
        );
    }
    let shared_failures: usize = inventory
        .regions
        .iter()
        .map(|r| r.failures().len())
        .sum::<usize>()
        + inventory
            .accounts
            .iter()
            .map(|a| a.failures().len())
            .sum::<usize>();
    if shared_failures > 0 {
        eprintln!(
            "{shared_failures} reads of the account's and region's settings failed (recorded as `failed_read` under `regions[]` and `accounts[]`)"
        );
    }
    if let Some(path) = &args.output {
        eprintln!(
            "snapshot written to {}; scan it with `sek scan --snapshot {}`",
            path.display(),
            path.display()
        );
    }
    Ok(0)
}

fn checks_command(command: ChecksCommand) -> Result<u8, CliError> {
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
            framework: Some(slug),
        } => {
            let framework = Framework::from_slug(&slug).expect("clap checks the framework");
            write_to(None, ColorChoice::Never, |out| {
                coverage(framework, format, out)
            })?;
            Ok(0)
        }
        ChecksCommand::Show { id } => {
            let check = resolve_check(&id).map_err(|message| CliError::Usage { message })?;
            write_to(None, ColorChoice::Never, |out| {
                out.write_all(docs::page(check).as_bytes())
            })?;
            Ok(0)
        }
        ChecksCommand::Permissions { kubernetes } => {
            let text = if kubernetes {
                docs::kubernetes_cluster_role()
            } else {
                docs::iam_policy()
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

fn refs(check: &checks::Check, framework: Framework) -> String {
    let ids: Vec<&str> = check.refs_for(framework).iter().map(|r| r.id).collect();
    if ids.is_empty() {
        "-".to_string()
    } else {
        ids.join(",")
    }
}

fn list_text(out: &mut dyn Write) -> io::Result<()> {
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
fn coverage(framework: Framework, format: ListFormat, out: &mut dyn Write) -> io::Result<()> {
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

fn list_json(out: &mut dyn Write) -> io::Result<()> {
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
