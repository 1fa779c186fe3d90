//! Collection of the clusters of one region: each one's control plane and configuration, node
//! groups and nodes, then everything they reference, each read once.

use std::collections::BTreeMap;

use futures::future::join_all;
use sek_core::inventory::{
    ClusterInventory, CollectError, Collection, ErrorKind, Failures, Nodegroup, Read,
};

use super::ScanError;
use super::aws::ec2::TemplateKey;
use super::aws::{Aws, ec2, eks, eks_access, iam, kms, read_or_not};
use super::references::{self, References};
use super::region_wide::RegionWide;
use super::what_runs;

/// Everything the checks need about the clusters `names` of one region: each is read on its own
/// up to its nodes and templates, then what any of them references (security groups, subnets,
/// route tables, volumes, images and flow logs in EC2, in batches by id; instance profiles,
/// roles and managed policies in IAM) is read once and given to the clusters that reference it.
/// Their nodes, Auto Scaling groups and log groups come through `region_wide`: reads of the whole
/// region when the scan covers every cluster there, else each cluster's own queries.
pub async fn collect_clusters(
    aws: &Aws,
    names: &[String],
    region_wide: &RegionWide,
) -> Vec<Result<ClusterInventory, ScanError>> {
    let mut clusters = join_all(
        names
            .iter()
            .map(|name| collect_cluster(aws, name, region_wide)),
    )
    .await;
    let wanted: Vec<References> = clusters.iter().flatten().map(References::of).collect();
    let referenced = references::read(aws, &wanted.iter().collect::<Vec<_>>()).await;
    for (inv, refs) in clusters.iter_mut().flatten().zip(&wanted) {
        referenced.give(refs, inv);
    }
    what_runs::node_scans(aws, clusters.iter_mut().flatten()).await;
    for inv in clusters.iter_mut().flatten() {
        tracing::info!(
            cluster = inv.name,
            nodes = inv.instances.got().map_or(0, |n| n.len()),
            nodegroups = inv.nodegroups.got().map_or(0, |n| n.len()),
            failed_reads = inv.failures().len(),
            "collected"
        );
    }
    clusters
}

/// One cluster, up to what it references in EC2 and IAM.
async fn collect_cluster(
    aws: &Aws,
    name: &str,
    region_wide: &RegionWide,
) -> Result<ClusterInventory, ScanError> {
    let mut inv = ClusterInventory::new(name, &aws.region);

    // The control plane, the node groups, the tagged nodes and the cluster's configuration are
    // independent of each other. Each is read only when a selected check needs it; the control
    // plane always is (everything else is found through it).
    let (cluster, nodegroups, tagged, addons, fargate_profiles, pod_identity, log_groups, insights) = tokio::join!(
        eks::describe_cluster(aws, name),
        aws.when("eks:ListNodegroups", eks::nodegroups(aws, name)),
        aws.when("ec2:DescribeInstances", region_wide.nodes_of(aws, name)),
        aws.when("eks:ListAddons", eks::addons(aws, name)),
        aws.when("eks:ListFargateProfiles", eks::fargate_profiles(aws, name)),
        aws.when(
            "eks:ListPodIdentityAssociations",
            eks_access::pod_identity_associations(aws, name)
        ),
        aws.when(
            "logs:DescribeLogGroups",
            region_wide.log_groups_of(aws, name)
        ),
        aws.when("eks:ListInsights", eks::insights(aws, name)),
    );
    match cluster {
        Err(err) if err.kind == ErrorKind::NotFound => {
            let known = eks::list_clusters(aws).await.unwrap_or_default();
            return Err(ScanError::ClusterNotFound {
                name: name.to_string(),
                region: aws.region.clone(),
                account: None,
                known,
            });
        }
        read => inv.cluster = read.into(),
    }
    let mut nodegroups = nodegroups.map(|(items, failed)| Collection { items, failed });
    inv.addons = read_or_not(addons);
    inv.fargate_profiles = read_or_not(fargate_profiles);
    inv.pod_identity_associations = read_or_not(pod_identity);
    inv.log_groups = read_or_not(log_groups);
    inv.insights = read_or_not(insights);

    // Through the node groups: their Auto Scaling groups' instances and their launch templates;
    // through the control plane: its access entries and Secrets key.
    let no_nodegroups = Collection::default();
    let listed = nodegroups.as_ref().unwrap_or(&no_nodegroups);
    let asg_names: Vec<String> = listed
        .iter()
        .flat_map(|ng| ng.autoscaling_groups.clone())
        .collect();
    let template_keys: Vec<TemplateKey> = listed
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
    let nodegroup_names: Vec<String> = listed.iter().map(|ng| ng.name.clone()).collect();
    let addon_names: Vec<String> = inv
        .addons
        .got()
        .into_iter()
        .flatten()
        .map(|addon| addon.name.clone())
        .collect();
    let control_plane = inv.cluster.got();
    // Installed add-ons and the core components, whether add-ons or self-managed.
    let mut versions_of = addon_names.clone();
    for core in sek_core::inventory::CORE_ADDONS {
        if !versions_of.iter().any(|n| n == core) {
            versions_of.push(core.to_string());
        }
    }
    let (
        asg_instances,
        templates,
        updates,
        access_entries,
        secrets_key,
        cluster_role,
        addon_versions,
    ) = tokio::join!(
        aws.when(
            "autoscaling:DescribeAutoScalingGroups",
            region_wide.group_instances(aws, &asg_names)
        ),
        aws.when(
            "ec2:DescribeLaunchTemplateVersions",
            ec2::launch_template_versions(aws, &template_keys)
        ),
        aws.when(
            "eks:ListUpdates",
            eks::updates(aws, name, &nodegroup_names, &addon_names)
        ),
        aws.when("eks:ListAccessEntries", async {
            // With CONFIG_MAP authentication there are no access entries and the API refuses
            // to list them.
            let mode = control_plane
                .and_then(|c| c.access_config.as_ref())
                .and_then(|a| a.authentication_mode.as_deref());
            match mode {
                Some("CONFIG_MAP") => Ok(Vec::new()),
                _ => eks_access::access_entries(aws, name).await,
            }
        }),
        aws.when("kms:DescribeKey", async {
            let key = control_plane?
                .encryption
                .iter()
                .find_map(|e| e.key_arn.clone())?;
            Some(kms::key(aws, &key).await)
        }),
        aws.when("iam:GetRole", async {
            let role = control_plane?.role_arn.clone()?;
            Some(iam::cluster_role(aws, &role).await)
        }),
        aws.when("eks:DescribeAddonVersions", async {
            let version = control_plane?.version.clone()?;
            Some(eks::addon_versions(aws, &version, &versions_of).await)
        }),
    );
    if let Some(updates) = updates {
        // The updates of node groups and add-ons that were not read were not listed either.
        let owners_unread = listed.failed.iter().chain(inv.addons.failure()).cloned();
        inv.updates = Read::from(updates).map(|items| Collection {
            items,
            failed: owners_unread.collect(),
        });
    }
    inv.access_entries = read_or_not(access_entries);
    if let Some(key) = secrets_key.flatten() {
        inv.secrets_key = key.into();
    }
    if let Some(role) = cluster_role.flatten() {
        inv.cluster_role = role.into();
    }
    if let Some(versions) = addon_versions.flatten() {
        inv.addon_versions = versions.into();
    }
    if let (Some(nodegroups), Some((templates, _))) = (nodegroups.as_mut(), &templates) {
        resolve_template_versions(&mut nodegroups.items, templates);
    }
    if let Some((items, failed)) = templates {
        inv.launch_templates = Read::Got(Collection { items, failed });
    }

    if let Some((mut instances, tag_errors)) = tagged {
        // Auto Scaling members the tag queries did not already return.
        let (asg_instances, asg_errors) = asg_instances.unwrap_or_default();
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
        ec2::merge_instances(&mut instances, extra);
        instances.sort_by(|a, b| a.id.cmp(&b.id));
        // Nodes of node groups that were not read were not looked for.
        let unread_groups = nodegroups.iter().flat_map(|ng| ng.failed.iter().cloned());
        let discovery_errors: Vec<CollectError> = unread_groups
            .chain(tag_errors)
            .chain(asg_errors)
            .chain(extra_errors)
            .collect();
        inv.instances = Read::Got(Collection {
            items: instances,
            failed: discovery_errors,
        });
    }
    if let Some(nodegroups) = nodegroups {
        inv.nodegroups = Read::Got(nodegroups);
    }

    Ok(inv)
}

/// Node groups may name `$Latest`/`$Default` (or no version); record the number that was read.
fn resolve_template_versions(
    nodegroups: &mut [Nodegroup],
    templates: &[sek_core::inventory::LaunchTemplateVersion],
) {
    for nodegroup in nodegroups {
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
    use sek_core::inventory::{LaunchTemplateRef, LaunchTemplateVersion};

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
        let mut nodegroups = vec![
            nodegroup(Some("$Latest")),
            nodegroup(None),
            nodegroup(Some("2")),
        ];
        resolve_template_versions(&mut nodegroups, &[template(7)]);
        let versions: Vec<_> = nodegroups
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
        let mut nodegroups = vec![nodegroup(Some("$Default"))];
        resolve_template_versions(&mut nodegroups, &[template(1), template(2)]);
        assert_eq!(
            nodegroups[0]
                .launch_template
                .as_ref()
                .unwrap()
                .version
                .as_deref(),
            Some("$Default")
        );
    }
}
