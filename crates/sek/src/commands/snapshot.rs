//! `sek collect`: a snapshot file, to scan later or elsewhere.

use sek_core::inventory::Failures;

use super::*;
use crate::cli::{CollectArgs, ColorChoice};
use crate::error::CliError;
use crate::output::write_to;

pub(super) fn collect_snapshot(args: CollectArgs) -> Result<u8, CliError> {
    let inventory = match &args.kube.k8s_dir {
        Some(export) if args.cluster.is_empty() => export_only(export)?,
        export => {
            let estate = estate(&args.aws, &args.cluster, args.all_clusters);
            let selection = choose(&args.select, &Config::default(), checks::ALL.to_vec())?;
            // The configuration decides only which vulnerability findings are read: a snapshot
            // holds every check's data, whatever the configuration skips.
            let config = load_config(args.config.as_deref())?;
            let plan = read_plan(&selection, &Config::default())
                .with_vulnerability_floor(config.settings.vuln_min_severity);
            let inventory = collect_live(
                &aws_options(&args.aws),
                &estate,
                &kube_options(&args.kube, &estate, &plan)?,
                &plan,
            )?;
            // The export was given to the cluster during collection.
            if export.is_some() {
                one_cluster_for_export(&inventory)?;
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
