//! Collection: all of sek's I/O. It reads each resource once, with independent reads in flight
//! together (bounded), and stores failures as data in the inventory. Only a scan that cannot
//! start (no region, no credentials, unreachable endpoint, unknown cluster) is an error here.

pub mod aws;

use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

use futures::future::join_all;
use indicatif::ProgressBar;
use sek_core::inventory::{ClusterInventory, ErrorKind, Inventory, Meta};

use self::aws::ec2::TemplateKey;
use self::aws::{Aws, AwsOptions, autoscaling, ec2, eks, iam};

/// Why a scan could not run at all.
#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    /// No region configured.
    #[error("no AWS region is configured")]
    NoRegion,
    /// No usable credentials.
    #[error("no usable AWS credentials: {0}")]
    Credentials(String),
    /// The AWS endpoint did not answer.
    #[error("cannot reach AWS{}: {message}", endpoint.as_deref().map(|e| format!(" at {e}")).unwrap_or_default())]
    Unreachable {
        /// `AWS_ENDPOINT_URL`, when set.
        endpoint: Option<String>,
        /// The transport error.
        message: String,
    },
    /// The cluster does not exist in this account and region.
    #[error("cluster `{name}` was not found in {region}{}", account.as_deref().map(|a| format!(" (account {a})")).unwrap_or_default())]
    ClusterNotFound {
        /// The name asked for.
        name: String,
        /// The region searched.
        region: String,
        /// The account searched.
        account: Option<String>,
        /// The clusters that do exist there.
        known: Vec<String>,
    },
    /// Any other AWS failure before collection could start.
    #[error("AWS error: {0}")]
    Aws(String),
}

impl ScanError {
    /// What the user can do about it.
    pub fn help(&self) -> String {
        match self {
            ScanError::NoRegion => "pass --region, or set AWS_REGION or a region in your AWS profile".into(),
            ScanError::Credentials(_) => "configure credentials: AWS_PROFILE or --profile, `aws sso login`, \
AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or an instance or pod role"
                .into(),
            ScanError::Unreachable { .. } => {
                "check network access to the AWS endpoint (and AWS_ENDPOINT_URL if you set it); pass -v for details".into()
            }
            ScanError::ClusterNotFound { known, region, .. } if known.is_empty() => {
                format!("no clusters are visible in {region}; pass --region or --profile for the right account and region")
            }
            ScanError::ClusterNotFound { known, name, .. } => {
                let close = known
                    .iter()
                    .map(|k| (strsim::levenshtein(k, name), k))
                    .filter(|(distance, k)| *distance <= k.len().max(name.len()) / 3 + 1)
                    .min()
                    .map(|(_, k)| k);
                format!(
                    "clusters in this region: {}{}",
                    known.join(", "),
                    close.map(|c| format!(" (did you mean `{c}`?)")).unwrap_or_default()
                )
            }
            ScanError::Aws(_) => "pass -v for request details".into(),
        }
    }
}

/// A progress display on stderr (absent when stderr is not a terminal).
#[derive(Clone, Default)]
pub struct Progress(Option<ProgressBar>);

impl Progress {
    /// Show a spinner counting API calls.
    pub fn spinner(message: &str) -> Progress {
        let bar = ProgressBar::new_spinner();
        bar.set_style(
            indicatif::ProgressStyle::with_template("{spinner} {prefix} {pos} API calls · {msg}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
        );
        bar.set_prefix(message.to_string());
        bar.enable_steady_tick(std::time::Duration::from_millis(100));
        Progress(Some(bar))
    }

    /// Count one request.
    pub fn tick(&self, api: &str) {
        if let Some(bar) = &self.0 {
            bar.inc(1);
            bar.set_message(api.to_string());
        }
    }

    /// Remove the display.
    pub fn finish(&self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}

/// Collect `clusters` in one account and region.
pub async fn collect(
    options: &AwsOptions,
    clusters: &[String],
    progress: Progress,
) -> Result<Inventory, ScanError> {
    let started = Instant::now();
    let aws = Aws::connect(options, progress.clone()).await?;
    // The identity check and collection start together, saving a round trip; if the identity
    // check fails (no credentials, unreachable endpoint), collection is cancelled and that one
    // error is reported.
    let scans =
        async { Ok(join_all(clusters.iter().map(|name| collect_cluster(&aws, name))).await) };
    let outcome = tokio::try_join!(aws.identify(), scans);
    progress.finish();
    let (identity, results) = outcome?;
    let calls = aws.calls();
    let mut inventory = Inventory::new(Meta {
        sek_version: Some(sek_core::VERSION.to_string()),
        collected_at: Some(jiff::Timestamp::now()),
        caller_arn: identity.arn.clone(),
        api_calls: Some(calls.values().sum()),
        api_calls_by_action: calls,
        duration_ms: Some(started.elapsed().as_millis() as u64),
    });
    for result in results {
        let mut cluster = result.map_err(|err| match err {
            ScanError::ClusterNotFound {
                name,
                region,
                known,
                ..
            } => ScanError::ClusterNotFound {
                name,
                region,
                known,
                account: identity.account_id.clone(),
            },
            other => other,
        })?;
        cluster.account_id = identity.account_id.clone();
        cluster.partition = identity.partition.clone();
        inventory.clusters.push(cluster);
    }
    Ok(inventory)
}

/// Everything the checks need about one cluster.
pub async fn collect_cluster(aws: &Aws, name: &str) -> Result<ClusterInventory, ScanError> {
    let mut inv = ClusterInventory::new(name, &aws.region);

    // The control plane, the node groups and the tagged nodes are independent.
    let (cluster, (nodegroups, errors), (mut instances, tag_errors)) = tokio::join!(
        eks::describe_cluster(aws, name),
        eks::nodegroups(aws, name),
        ec2::instances_by_cluster_tags(aws, name),
    );
    match cluster {
        Ok(cluster) => inv.cluster = Some(cluster),
        Err(err) if err.kind == ErrorKind::NotFound => {
            let known = eks::list_clusters(aws).await.unwrap_or_default();
            return Err(ScanError::ClusterNotFound {
                name: name.to_string(),
                region: aws.region.clone(),
                account: None,
                known,
            });
        }
        Err(err) => inv.gaps.push(err),
    }
    inv.gaps.extend(errors);
    inv.gaps.extend(tag_errors);
    inv.nodegroups = nodegroups;

    // Through the node groups: their Auto Scaling groups' instances and their launch templates.
    let asg_names: Vec<String> = inv
        .nodegroups
        .iter()
        .flat_map(|ng| ng.autoscaling_groups.clone())
        .collect();
    let template_keys: Vec<TemplateKey> = inv
        .nodegroups
        .iter()
        .filter_map(|ng| ng.launch_template.as_ref())
        .filter_map(|lt| {
            let (template, by_id) = match (&lt.id, &lt.name) {
                (Some(id), _) => (id.clone(), true),
                (None, Some(name)) => (name.clone(), false),
                (None, None) => return None,
            };
            Some(TemplateKey {
                template,
                by_id,
                version: lt.version.clone().unwrap_or_else(|| "$Default".into()),
            })
        })
        .collect();
    let ((asg_instances, asg_errors), (templates, template_errors)) = tokio::join!(
        autoscaling::group_instances(aws, &asg_names),
        ec2::launch_template_versions(aws, &template_keys),
    );
    inv.gaps.extend(asg_errors);
    inv.gaps.extend(template_errors);
    resolve_template_versions(&mut inv, &templates);
    inv.launch_templates = templates;

    // Auto Scaling members the tag queries did not already return.
    let mut unseen: BTreeMap<String, String> = BTreeMap::new();
    for (id, origin) in asg_instances {
        match instances.iter_mut().find(|i| i.id == id) {
            Some(known) => known.discovered_by.push(origin),
            None => {
                unseen.insert(id, origin);
            }
        }
    }
    let (extra, extra_errors) = ec2::instances_by_id(aws, &unseen).await;
    inv.gaps.extend(extra_errors);
    ec2::merge_instances(&mut instances, extra);
    instances.sort_by(|a, b| a.id.cmp(&b.id));
    inv.instances = instances;

    // Everything the nodes and the control plane reference, read once each.
    let mut groups = BTreeSet::new();
    let mut subnets = BTreeSet::new();
    let mut vpcs = BTreeSet::new();
    let mut volumes = BTreeSet::new();
    let mut profiles = BTreeSet::new();
    if let Some(cluster) = &inv.cluster {
        groups.extend(cluster.vpc.cluster_security_group_id.iter().cloned());
        groups.extend(cluster.vpc.security_group_ids.iter().cloned());
    }
    for node in &inv.instances {
        groups.extend(node.security_group_ids.iter().cloned());
        subnets.extend(node.subnet_id.iter().cloned());
        vpcs.extend(node.vpc_id.iter().cloned());
        volumes.extend(node.volumes.iter().map(|v| v.volume_id.clone()));
        profiles.extend(node.iam_instance_profile_arn.iter().cloned());
    }
    for template in &inv.launch_templates {
        groups.extend(template.security_group_ids.iter().cloned());
    }
    let roles: BTreeSet<String> = inv
        .nodegroups
        .iter()
        .filter_map(|ng| ng.node_role.clone())
        .collect();
    let list = |set: BTreeSet<String>| set.into_iter().collect::<Vec<_>>();
    let (groups, subnets, vpcs, volumes) = (list(groups), list(subnets), list(vpcs), list(volumes));
    let (
        (sgs, sg_errors),
        (subnet_list, subnet_errors),
        (tables, table_errors),
        (vols, volume_errors),
        node_iam,
    ) = tokio::join!(
        ec2::security_groups(aws, &groups),
        ec2::subnets(aws, &subnets),
        ec2::route_tables(aws, &vpcs),
        ec2::volumes(aws, &volumes),
        iam::node_iam(aws, &profiles, &roles),
    );
    inv.security_groups = sgs;
    inv.subnets = subnet_list;
    inv.route_tables = tables;
    inv.volumes = vols;
    inv.instance_profiles = node_iam.profiles;
    inv.roles = node_iam.roles;
    inv.policies = node_iam.policies;
    for errors in [
        sg_errors,
        subnet_errors,
        table_errors,
        volume_errors,
        node_iam.errors,
    ] {
        inv.gaps.extend(errors);
    }
    tracing::info!(
        cluster = name,
        nodes = inv.instances.len(),
        nodegroups = inv.nodegroups.len(),
        failed_reads = inv.gaps.len(),
        "collected"
    );
    Ok(inv)
}

/// Node groups may name `$Latest`/`$Default` (or no version); record the number that was read.
fn resolve_template_versions(
    inv: &mut ClusterInventory,
    templates: &[sek_core::inventory::LaunchTemplateVersion],
) {
    for nodegroup in &mut inv.nodegroups {
        let Some(reference) = nodegroup.launch_template.as_mut() else {
            continue;
        };
        if reference
            .version
            .as_deref()
            .is_some_and(|v| v.parse::<i64>().is_ok())
        {
            continue;
        }
        let candidates: Vec<_> = templates
            .iter()
            .filter(|t| {
                reference.id.as_deref() == Some(t.id.as_str())
                    || (reference.id.is_none() && reference.name == t.name)
            })
            .collect();
        if let [only] = candidates.as_slice() {
            reference.version = Some(only.version.to_string());
            reference.id.get_or_insert_with(|| only.id.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use sek_core::inventory::{LaunchTemplateRef, LaunchTemplateVersion, Nodegroup};

    use super::*;

    fn nodegroup(version: Option<&str>) -> Nodegroup {
        Nodegroup {
            name: "ng".into(),
            launch_template: Some(LaunchTemplateRef {
                id: None,
                name: Some("lt-name".into()),
                version: version.map(String::from),
            }),
            ..Default::default()
        }
    }

    fn template(version: i64) -> LaunchTemplateVersion {
        LaunchTemplateVersion {
            id: "lt-1".into(),
            name: Some("lt-name".into()),
            version,
            ..Default::default()
        }
    }

    #[test]
    fn symbolic_template_versions_resolve_to_the_version_read() {
        let mut inv = ClusterInventory::new("c", "r");
        inv.nodegroups = vec![
            nodegroup(Some("$Latest")),
            nodegroup(None),
            nodegroup(Some("2")),
        ];
        resolve_template_versions(&mut inv, &[template(7)]);
        let versions: Vec<_> = inv
            .nodegroups
            .iter()
            .map(|ng| ng.launch_template.clone().unwrap())
            .collect();
        assert_eq!(versions[0].version.as_deref(), Some("7"));
        assert_eq!(versions[0].id.as_deref(), Some("lt-1"));
        assert_eq!(versions[1].version.as_deref(), Some("7"));
        assert_eq!(
            versions[2].version.as_deref(),
            Some("2"),
            "numbers are kept"
        );
    }

    #[test]
    fn an_ambiguous_symbolic_version_stays_unresolved() {
        let mut inv = ClusterInventory::new("c", "r");
        inv.nodegroups = vec![nodegroup(Some("$Default"))];
        resolve_template_versions(&mut inv, &[template(1), template(2)]);
        assert_eq!(
            inv.nodegroups[0]
                .launch_template
                .as_ref()
                .unwrap()
                .version
                .as_deref(),
            Some("$Default")
        );
    }
}
