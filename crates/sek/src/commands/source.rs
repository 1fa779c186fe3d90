//! What a command evaluates, from its flags: the demo, a snapshot (or a report, for the commands
//! that take either), an exported Kubernetes side, or a live scan.

use std::io::{self, IsTerminal, Read};
use std::path::Path;
use std::time::Instant;

use sek_core::checks::{Check, ReadPlan};
use sek_core::config::Config;
use sek_core::demo;
use sek_core::evaluate::{Selection, evaluate};
use sek_core::inventory::k8s::KubernetesInventory;
use sek_core::inventory::{ClusterInventory, Inventory, Meta};
use sek_core::report::Report;

use super::*;
use crate::cli::RetryMode;
use crate::cli::{AwsArgs, KubeArgs, KubeAuth, SourceArgs};
use crate::collect::aws::AwsOptions;
use crate::collect::k8s_files::read_export;
use crate::collect::kube::{AuthChoice, KubeOptions};
use crate::collect::{self, Accounts, Clusters, Estate, Progress, Regions};
use crate::error::CliError;

pub(super) fn aws_options(args: &AwsArgs) -> AwsOptions {
    AwsOptions {
        profile: args.profile.clone(),
        region: args.region.first().cloned(),
        concurrency: usize::from(args.concurrency),
        max_attempts: args.max_attempts,
        adaptive_retry: args.retry_mode == RetryMode::Adaptive,
    }
}

/// What a live scan covers, from the flags.
pub(super) fn estate(args: &AwsArgs, clusters: &[String], all_clusters: bool) -> Estate {
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
    Estate {
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

/// How to read the Kubernetes side live, from the flags (`--k8s-dir` reads files instead): only
/// the kinds `plan` needs, and nothing when it needs none.
pub(super) fn kube_options(
    args: &KubeArgs,
    estate: &Estate,
    plan: &ReadPlan,
) -> Result<KubeOptions, CliError> {
    let one_cluster = matches!(&estate.clusters, Clusters::Named(names) if names.len() == 1)
        && estate.is_single_target();
    if args.context.is_some() && !one_cluster {
        return Err(CliError::Usage {
            message: "--context names one cluster's API server; scan one cluster per context, or \
let sek find each cluster's context by its endpoint"
                .into(),
        });
    }
    if args.k8s_dir.is_some()
        && matches!(&estate.clusters, Clusters::Named(names) if names.len() > 1)
    {
        return Err(CliError::Usage {
            message: "--k8s-dir holds one cluster's Kubernetes side: name one --cluster with it"
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
        enabled: !args.no_kubernetes && args.k8s_dir.is_none() && plan.wants_kubernetes(),
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
        reads: plan.kubernetes_reads(),
        kubelets: plan.wants_kubelets(),
        // Read before collection, so a bad export stops the scan before any request.
        export: args
            .k8s_dir
            .as_deref()
            .map(read_export_warning)
            .transpose()?
            .map(std::sync::Arc::new),
    })
}

/// Attach the exported Kubernetes side in `path` to the one cluster of `inventory` (a snapshot's
/// or the demo's; a live scan is given it during collection, [`KubeOptions::export`]).
pub(super) fn attach_export(inventory: &mut Inventory, path: &Path) -> Result<(), CliError> {
    one_cluster_for_export(inventory)?;
    inventory.clusters[0].kubernetes = sek_core::inventory::Read::Got(read_export_warning(path)?);
    Ok(())
}

/// An export (`--k8s-dir`) is one cluster's Kubernetes side: an error for any other count.
pub(super) fn one_cluster_for_export(inventory: &Inventory) -> Result<(), CliError> {
    if inventory.clusters.len() == 1 {
        return Ok(());
    }
    Err(CliError::Usage {
        message: format!(
            "--k8s-dir holds one cluster's Kubernetes side, but this scan has {} clusters",
            inventory.clusters.len()
        ),
    })
}

pub(super) fn read_export_warning(path: &Path) -> Result<KubernetesInventory, CliError> {
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
pub(super) fn export_only(path: &Path) -> Result<Inventory, CliError> {
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

/// Collect what `estate` covers, with a progress display when stderr is a terminal.
pub(super) fn collect_live(
    options: &AwsOptions,
    estate: &Estate,
    kube: &KubeOptions,
    plan: &ReadPlan,
) -> Result<Inventory, CliError> {
    let progress = if io::stderr().is_terminal() {
        let what = match &estate.clusters {
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
    let inventory = runtime.block_on(collect::collect(options, estate, kube, plan, progress))?;
    if inventory.clusters.is_empty() && inventory.not_scanned.is_empty() {
        eprintln!(
            "note: no EKS clusters found{} in {} of the scanned account(s)",
            match &estate.clusters {
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

pub(super) fn read_snapshot(path: &Path) -> Result<Inventory, CliError> {
    let started = Instant::now();
    let inventory = read_snapshot_file(path)?;
    tracing::info!(
        "read snapshot {} in {} ms",
        path.display(),
        started.elapsed().as_millis()
    );
    Ok(inventory)
}

pub(super) fn read_snapshot_file(path: &Path) -> Result<Inventory, CliError> {
    let error = |reason: String| CliError::Snapshot {
        path: path.display().to_string(),
        reason,
    };
    // The snapshot reader says itself when it is given a report instead.
    let text = read_text(path).map_err(error)?;
    Inventory::from_json(&text).map_err(|e| error(e.to_string()))
}

/// The text of `path`, or of standard input for `-`.
fn read_text(path: &Path) -> Result<String, String> {
    if path == Path::new("-") {
        let mut text = String::new();
        io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| e.to_string())?;
        Ok(text)
    } else {
        std::fs::read_to_string(path).map_err(|e| e.to_string())
    }
}

/// A JSON file given to a command: a report or a snapshot.
pub(super) enum Document {
    /// A report written by `sek scan -f json`.
    Report(Report),
    /// A snapshot written by `sek collect -o FILE`.
    Snapshot(Inventory),
}

/// Read `path` (`-`: standard input) as a report or a snapshot, for the commands that take
/// either (`diff`, `merge`). `Err` is why it is neither, for the caller's error.
pub(super) fn read_document(path: &Path) -> Result<Document, String> {
    let text = read_text(path)?;
    // Only the field that marks a report is read; anything else is left to the snapshot
    // reader, whose errors say what a snapshot lacks.
    #[derive(serde::Deserialize)]
    struct Probe {
        report_schema_version: Option<serde::de::IgnoredAny>,
    }
    let is_report = serde_json::from_str::<Probe>(&text)
        .is_ok_and(|probe| probe.report_schema_version.is_some());
    if is_report {
        Report::from_json(&text)
            .map(Document::Report)
            .map_err(|e| e.to_string())
    } else {
        Inventory::from_json(&text)
            .map(Document::Snapshot)
            .map_err(|e| e.to_string())
    }
}

/// Evaluate what `source` names: the demo, a snapshot, or a live cluster. The checks are
/// `--checks`, else the configuration's, else `default`; a live scan reads only what they need.
pub(super) fn evaluate_source(
    source: &SourceArgs,
    default: Vec<&'static Check>,
) -> Result<Report, CliError> {
    let config = load_config(source.config.as_deref())?;
    let mut selection = choose(&source.select, &config, default)?;
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
            let estate = estate(&source.aws, &source.cluster, source.all_clusters);
            let plan = read_plan(&selection, &config);
            collect_live(
                &aws_options(&source.aws),
                &estate,
                &kube_options(&source.kube, &estate, &plan)?,
                &plan,
            )?
        }
    };
    if let Some(export) = export
        && (source.snapshot.is_some() || source.demo)
    {
        attach_export(&mut inventory, export)?;
    } else if export.is_some() && !source.cluster.is_empty() {
        // Given to the cluster during collection.
        one_cluster_for_export(&inventory)?;
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

/// A JSON report, or a snapshot evaluated with `config`.
pub(super) fn report_or_snapshot(path: &Path, config: &Config) -> Result<Report, CliError> {
    let document = read_document(path).map_err(|reason| CliError::Input {
        path: path.display().to_string(),
        reason,
    })?;
    Ok(match document {
        Document::Report(report) => report,
        Document::Snapshot(inventory) => evaluate(&inventory, config, &Selection::default()),
    })
}
