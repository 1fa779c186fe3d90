//! Reading snapshots of schema 2 (and 1): their failed reads were kept apart from the data, in
//! `gaps` lists matched by API name, and an unread list was often an empty one. This moves each
//! failure into the field it concerns, as schema 3 records it (`{"failed_read": ...}` for a read
//! that failed whole, `{"items": [...], "failed": [...]}` for a collection read in parts), before
//! the snapshot is deserialised. A `null` stays "not collected".
//!
//! The API names below are every one sek 0.1 recorded a failure for; the table is frozen with
//! that schema.

use serde_json::{Map, Value, json};

use crate::inventory::k8s::resources;

/// Rewrite a schema 2 snapshot (as a JSON tree) into schema 3.
pub(super) fn upgrade(tree: &mut Value) {
    for cluster in entries(tree, "clusters") {
        upgrade_cluster(cluster);
    }
    for region in entries(tree, "regions") {
        let gaps = take_gaps(region);
        for gap in gaps {
            place_region_failure(region, gap);
        }
    }
    for account in entries(tree, "accounts") {
        for gap in take_gaps(account) {
            match api(&gap) {
                "iam:ListOpenIDConnectProviders" => whole(account, "oidc_providers", gap),
                "iam:ListRoles" => whole(account, "roles", gap),
                _ => {}
            }
        }
    }
}

/// The objects of the array `key` of `value`.
fn entries<'a>(
    value: &'a mut Value,
    key: &str,
) -> impl Iterator<Item = &'a mut Map<String, Value>> {
    value
        .get_mut(key)
        .and_then(Value::as_array_mut)
        .into_iter()
        .flatten()
        .filter_map(Value::as_object_mut)
}

fn take_gaps(object: &mut Map<String, Value>) -> Vec<Value> {
    match object.remove("gaps") {
        Some(Value::Array(gaps)) => gaps,
        _ => Vec::new(),
    }
}

fn api(gap: &Value) -> &str {
    gap.get("api").and_then(Value::as_str).unwrap_or("")
}

/// The ids a failure was about (none: the whole read).
fn about(gap: &Value) -> Vec<String> {
    gap.get("resources")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|r| r.as_str().map(str::to_string))
        .collect()
}

fn failed(gap: Value) -> Value {
    json!({ "failed_read": gap })
}

fn is_unread(value: Option<&Value>) -> bool {
    value.is_none_or(Value::is_null)
}

/// A read that fails whole: an unread (null) field becomes the failure; data stays.
fn whole(object: &mut Map<String, Value>, field: &str, gap: Value) {
    if is_unread(object.get(field)) {
        object.insert(field.to_string(), failed(gap));
    }
}

/// A part of a collection that failed: the list becomes `{"items", "failed"}`.
fn part(object: &mut Map<String, Value>, field: &str, gap: Value) {
    match object.get_mut(field) {
        None | Some(Value::Null) => {
            object.insert(field.to_string(), json!({ "items": [], "failed": [gap] }));
        }
        Some(Value::Array(items)) => {
            let items = std::mem::take(items);
            object.insert(
                field.to_string(),
                json!({ "items": items, "failed": [gap] }),
            );
        }
        Some(Value::Object(collection)) => {
            if let Some(Value::Array(failures)) = collection.get_mut("failed") {
                failures.push(gap);
            }
        }
        Some(_) => {}
    }
}

/// Sets the unread `field` of the objects of `list` that `matches` to the failure; whether any
/// matched.
fn nested(
    object: &mut Map<String, Value>,
    list: &str,
    matches: impl Fn(&Map<String, Value>) -> bool,
    field: &str,
    gap: &Value,
) -> bool {
    let mut placed = false;
    let items = match object.get_mut(list) {
        Some(Value::Array(items)) => items,
        Some(Value::Object(collection)) => match collection.get_mut("items") {
            Some(Value::Array(items)) => items,
            _ => return false,
        },
        _ => return false,
    };
    for item in items.iter_mut().filter_map(Value::as_object_mut) {
        if matches(item) && is_unread(item.get(field)) {
            item.insert(field.to_string(), failed(gap.clone()));
            placed = true;
        }
    }
    placed
}

/// Whether `item`'s `key` (or the last segment of it, for ARNs) is one of `ids`.
fn named(item: &Map<String, Value>, keys: &[&str], ids: &[String]) -> bool {
    keys.iter().any(|key| {
        item.get(*key).and_then(Value::as_str).is_some_and(|value| {
            let short = value.rsplit('/').next().unwrap_or(value);
            ids.iter().any(|id| id == value || id == short)
        })
    })
}

fn upgrade_cluster(cluster: &mut Map<String, Value>) {
    let gaps = take_gaps(cluster);
    if let Some(Value::Object(k8s)) = cluster.get_mut("kubernetes") {
        upgrade_kubernetes(k8s);
    }
    for gap in gaps {
        place_cluster_failure(cluster, gap);
    }
}

fn place_cluster_failure(cluster: &mut Map<String, Value>, gap: Value) {
    let ids = about(&gap);
    match api(&gap).to_string().as_str() {
        "eks:DescribeCluster" => whole(cluster, "cluster", gap),
        // Node groups not read: neither are their nodes nor their updates.
        "eks:ListNodegroups" | "eks:DescribeNodegroup" => {
            part(cluster, "nodegroups", gap.clone());
            part(cluster, "instances", gap.clone());
            if !is_unread(cluster.get("updates")) {
                part(cluster, "updates", gap);
            }
        }
        "ec2:DescribeInstances" | "autoscaling:DescribeAutoScalingGroups" => {
            part(cluster, "instances", gap)
        }
        "ec2:DescribeLaunchTemplateVersions" => part(cluster, "launch_templates", gap),
        "ec2:DescribeSecurityGroups" => part(cluster, "security_groups", gap),
        "ec2:DescribeSubnets" => part(cluster, "subnets", gap),
        "ec2:DescribeRouteTables" => part(cluster, "route_tables", gap),
        "ec2:DescribeVolumes" => part(cluster, "volumes", gap),
        "ec2:DescribeImages" => part(cluster, "images", gap),
        "ec2:DescribeFlowLogs" => whole(cluster, "flow_logs", gap),
        "iam:GetInstanceProfile" => part(cluster, "instance_profiles", gap),
        "iam:ListAttachedRolePolicies" => {
            let matches = |r: &Map<String, Value>| named(r, &["name", "arn"], &ids);
            if !nested(cluster, "roles", matches, "attached_policies", &gap) {
                part(cluster, "roles", gap);
            }
        }
        "iam:ListRolePolicies" => {
            let matches = |r: &Map<String, Value>| named(r, &["name", "arn"], &ids);
            if !nested(cluster, "roles", matches, "inline_policies", &gap) {
                part(cluster, "roles", gap);
            }
        }
        "iam:GetRolePolicy" => {
            if let Some(Value::Array(roles)) = cluster.get_mut("roles") {
                for role in roles.iter_mut().filter_map(Value::as_object_mut) {
                    if named(role, &["name", "arn"], &ids) {
                        nested(role, "inline_policies", |_| true, "document", &gap);
                    }
                }
            }
        }
        "iam:GetPolicy" | "iam:GetPolicyVersion" => {
            let matches = |p: &Map<String, Value>| named(p, &["arn"], &ids);
            if !nested(cluster, "policies", matches, "document", &gap) {
                part(cluster, "policies", gap);
            }
        }
        "eks:ListUpdates" | "eks:DescribeUpdate" => part(cluster, "updates", gap),
        "eks:ListAddons" | "eks:DescribeAddon" => whole(cluster, "addons", gap),
        "eks:ListAccessEntries" | "eks:DescribeAccessEntry" => {
            whole(cluster, "access_entries", gap)
        }
        "eks:ListAssociatedAccessPolicies" => {
            let matches = |e: &Map<String, Value>| named(e, &["principal_arn"], &ids);
            if !nested(cluster, "access_entries", matches, "policies", &gap) {
                whole(cluster, "access_entries", gap);
            }
        }
        "eks:ListPodIdentityAssociations" | "eks:DescribePodIdentityAssociation" => {
            whole(cluster, "pod_identity_associations", gap)
        }
        "eks:ListFargateProfiles" | "eks:DescribeFargateProfile" => {
            whole(cluster, "fargate_profiles", gap)
        }
        "kms:DescribeKey" => whole(cluster, "secrets_key", gap),
        "kms:GetKeyRotationStatus" => match cluster.get_mut("secrets_key") {
            Some(Value::Object(key)) => whole(key, "rotation_enabled", gap),
            _ => whole(cluster, "secrets_key", gap),
        },
        "logs:DescribeLogGroups" => whole(cluster, "log_groups", gap),
        other if other.starts_with("k8s:") => whole(cluster, "kubernetes", gap),
        _ => {}
    }
}

/// The field of the Kubernetes inventory a read fills (schema 2 recorded `k8s:<verb>:<resource>`).
fn kubernetes_field(read: &str) -> Option<&'static str> {
    let resource = read.rsplit(':').next().unwrap_or("");
    let plural = resource.split('.').next().unwrap_or("");
    Some(match plural {
        "namespaces" => "namespaces",
        "pods" | "deployments" | "daemonsets" | "statefulsets" | "replicasets" | "jobs"
        | "cronjobs" => "workloads",
        "serviceaccounts" => "service_accounts",
        "roles" | "clusterroles" => "roles",
        "rolebindings" | "clusterrolebindings" => "role_bindings",
        "networkpolicies" => "network_policies",
        "services" => "services",
        "ingresses" => "ingresses",
        "configmaps" => "aws_auth",
        "validatingwebhookconfigurations" | "mutatingwebhookconfigurations" => "webhooks",
        "customresourcedefinitions" => "crds",
        "nodes" => "nodes",
        "csidrivers" => "csi_drivers",
        _ => return None,
    })
}

fn upgrade_kubernetes(k8s: &mut Map<String, Value>) {
    // Schema 2 could not tell "no aws-auth ConfigMap" from "not read" (both `null`).
    if let Some(mappings) = k8s.get("aws_auth").filter(|v| v.is_object()).cloned() {
        k8s.insert(
            "aws_auth".into(),
            json!({ "state": "present", "mappings": mappings }),
        );
    }
    if let Some(Value::Array(nodes)) = k8s.get_mut("nodes") {
        for node in nodes.iter_mut().filter_map(Value::as_object_mut) {
            if let Some(error) = node.remove("kubelet_error").filter(|e| !e.is_null()) {
                whole(node, "kubelet", error);
            }
        }
    }
    for gap in take_gaps(k8s) {
        match kubernetes_field(api(&gap)) {
            Some(field @ ("workloads" | "roles" | "role_bindings" | "webhooks")) => {
                listing_part(k8s, field, gap)
            }
            Some(field) => whole(k8s, field, gap),
            None => {}
        }
    }
}

/// Why a read that did not fail is missing from an upgraded schema 2 snapshot.
const NOT_KEPT: &str = "not kept in this schema 2 snapshot: it dropped a whole list when one of \
its reads failed";

/// A failed read of a field made of several (workloads, RBAC, webhooks). Schema 2 kept none of
/// the field when one read failed (`null`), so the reads that succeeded are missing too: each
/// is a failure saying so, then replaced by its recorded failure, if any.
fn listing_part(k8s: &mut Map<String, Value>, field: &str, gap: Value) {
    let read = api(&gap).to_string();
    if is_unread(k8s.get(field)) {
        let failed: Vec<Value> = resources::RESOURCES
            .iter()
            .filter(|resource| kubernetes_field(resource.need) == Some(field))
            .map(|resource| json!({ "api": resource.need, "kind": "other", "message": NOT_KEPT }))
            .collect();
        k8s.insert(field.into(), json!({ "items": [], "failed": failed }));
    }
    if let Some(Value::Array(failed)) = k8s.get_mut(field).and_then(|f| f.get_mut("failed")) {
        match failed.iter_mut().find(|f| api(f) == read) {
            Some(placeholder) => *placeholder = gap,
            None => failed.push(gap),
        }
    }
}

fn place_region_failure(region: &mut Map<String, Value>, gap: Value) {
    let ids = about(&gap);
    let by_name = |item: &Map<String, Value>| named(item, &["name", "arn"], &ids);
    match api(&gap) {
        "ec2:GetEbsEncryptionByDefault" => whole(region, "ebs_encryption_by_default", gap),
        "eks:DescribeClusterVersions" => whole(region, "cluster_versions", gap),
        "cloudtrail:DescribeTrails" => whole(region, "trails", gap),
        "cloudtrail:GetTrailStatus" => {
            nested(region, "trails", by_name, "logging", &gap);
        }
        "cloudtrail:GetEventSelectors" => {
            nested(region, "trails", by_name, "selectors", &gap);
        }
        "guardduty:ListDetectors" | "guardduty:GetDetector" => whole(region, "guardduty", gap),
        "inspector2:BatchGetAccountStatus" => whole(region, "inspector", gap),
        "ecr:GetRegistryScanningConfiguration" => whole(region, "ecr_scanning", gap),
        "ecr:DescribeRepositories" => whole(region, "ecr_repositories", gap),
        "ecr:GetLifecyclePolicy" => {
            nested(
                region,
                "ecr_repositories",
                by_name,
                "lifecycle_policy",
                &gap,
            );
        }
        "ecr:GetRepositoryPolicy" => {
            nested(
                region,
                "ecr_repositories",
                by_name,
                "repository_policy",
                &gap,
            );
        }
        "events:ListRules" => whole(region, "event_rules", gap),
        "events:ListTargetsByRule" => {
            nested(region, "event_rules", by_name, "targets", &gap);
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gap(api: &str, resources: &[&str]) -> Value {
        json!({ "api": api, "resources": resources, "kind": "access-denied", "message": "no" })
    }

    #[test]
    fn failures_move_into_the_fields_they_concern() {
        let mut tree = json!({
            "schema_version": 2,
            "clusters": [{
                "name": "c", "region": "r",
                "volumes": [{"id": "vol-1"}],
                "addons": null,
                "roles": [{"name": "node", "arn": "arn:aws:iam::1:role/node", "attached_policies": null}],
                "gaps": [
                    gap("ec2:DescribeVolumes", &["vol-2"]),
                    gap("eks:ListAddons", &[]),
                    gap("iam:ListAttachedRolePolicies", &["node"]),
                ],
                "kubernetes": {
                    "roles": null,
                    "role_bindings": null,
                    "aws_auth": {"mappings": []},
                    "nodes": [{"name": "n1", "kubelet_error": gap("k8s:get:nodes/proxy", &["n1"])}],
                    "gaps": [
                        gap("k8s:list:clusterroles.rbac.authorization.k8s.io", &[]),
                        gap("k8s:list:namespaces", &[]),
                        gap("k8s:list:rolebindings.rbac.authorization.k8s.io", &[]),
                        gap("k8s:list:clusterrolebindings.rbac.authorization.k8s.io", &[]),
                    ]
                }
            }],
            "regions": [{
                "region": "r",
                "trails": [{"name": "t", "logging": null}],
                "gaps": [gap("cloudtrail:GetTrailStatus", &["t"])]
            }]
        });
        upgrade(&mut tree);
        let cluster = &tree["clusters"][0];
        assert!(cluster.get("gaps").is_none());
        assert_eq!(cluster["volumes"]["items"][0]["id"], "vol-1");
        assert_eq!(cluster["volumes"]["failed"][0]["resources"][0], "vol-2");
        assert_eq!(cluster["addons"]["failed_read"]["api"], "eks:ListAddons");
        assert_eq!(
            cluster["roles"][0]["attached_policies"]["failed_read"]["api"],
            "iam:ListAttachedRolePolicies"
        );
        let k8s = &cluster["kubernetes"];
        assert!(k8s.get("gaps").is_none());
        // Schema 2 dropped the Roles with the ClusterRoles: both are missing, one failed.
        let roles = k8s["roles"]["failed"].as_array().unwrap();
        assert_eq!(roles.len(), 2);
        assert_eq!(roles[0]["message"], NOT_KEPT);
        assert_eq!(roles[1]["message"], "no");
        assert!(k8s["namespaces"]["failed_read"].is_object());
        // Both failed reads of a field made of two are kept.
        let bindings = k8s["role_bindings"]["failed"].as_array().unwrap();
        assert!(
            bindings.iter().all(|f| f["message"] == "no"),
            "{bindings:?}"
        );
        assert_eq!(k8s["aws_auth"]["state"], "present");
        assert!(k8s["nodes"][0]["kubelet"]["failed_read"].is_object());
        assert!(k8s["nodes"][0].get("kubelet_error").is_none());
        let region = &tree["regions"][0];
        assert!(region["trails"][0]["logging"]["failed_read"].is_object());
    }

    #[test]
    fn node_groups_not_read_take_their_nodes_and_updates_with_them() {
        let mut tree = json!({"clusters": [{
            "name": "c", "region": "r", "nodegroups": [], "instances": [], "updates": [],
            "gaps": [gap("eks:ListNodegroups", &[])]
        }]});
        upgrade(&mut tree);
        let cluster = &tree["clusters"][0];
        for field in ["nodegroups", "instances", "updates"] {
            assert_eq!(
                cluster[field]["failed"][0]["api"], "eks:ListNodegroups",
                "{field}"
            );
        }
    }

    /// Every verdict sek 0.1.0 reached from a schema 2 snapshot (`testdata/schema-v2`), reached
    /// again from the upgraded inventory: same check, status and resource, no more, no fewer.
    #[test]
    fn schema_2_snapshots_keep_their_verdicts() {
        use crate::config::Config;
        use crate::evaluate::{Selection, evaluate};
        use crate::inventory::Inventory;
        let fixtures = [
            (
                "demo",
                include_str!("../../../../testdata/schema-v2/demo.json"),
                include_str!("../../../../testdata/schema-v2/demo.verdicts"),
            ),
            (
                "moto-insecure",
                include_str!("../../../../testdata/schema-v2/moto-insecure.json"),
                include_str!("../../../../testdata/schema-v2/moto-insecure.verdicts"),
            ),
            (
                "moto-insecure-denied",
                include_str!("../../../../testdata/schema-v2/moto-insecure-denied.json"),
                include_str!("../../../../testdata/schema-v2/moto-insecure-denied.verdicts"),
            ),
        ];
        for (name, snapshot, expected) in fixtures {
            let v2: Value = serde_json::from_str(snapshot).unwrap();
            assert_eq!(v2["schema_version"], 2, "{name} is a schema 2 snapshot");
            let inventory = Inventory::from_json(snapshot).unwrap();
            let report = evaluate(&inventory, &Config::default(), &Selection::default());
            let mut verdicts: Vec<String> = report
                .clusters
                .iter()
                .flat_map(|cluster| &cluster.results)
                .flat_map(|result| {
                    result.findings.iter().map(move |finding| {
                        format!(
                            "{} {} {}",
                            result.check.id, finding.status, finding.resource
                        )
                    })
                })
                .collect();
            let expected: Vec<&str> = expected.lines().collect();
            // Checks added since the verdicts were recorded are judged on their own terms (their
            // unit tests); every recorded check keeps its verdicts.
            let recorded: std::collections::BTreeSet<&str> = expected
                .iter()
                .filter_map(|line| line.split(' ').next())
                .collect();
            verdicts.retain(|v| v.split(' ').next().is_some_and(|id| recorded.contains(id)));
            verdicts.sort();
            assert_eq!(verdicts, expected, "{name}: verdicts changed");
            // Every failure the old snapshot recorded is still reported, none invented.
            let gaps: usize = v2["clusters"]
                .as_array()
                .unwrap()
                .iter()
                .map(|cluster| {
                    let count = |v: &Value| v.as_array().map_or(0, Vec::len);
                    count(&cluster["gaps"]) + count(&cluster["kubernetes"]["gaps"])
                })
                .sum();
            let reported: usize = report
                .clusters
                .iter()
                .map(|cluster| cluster.collection_errors.len())
                .sum();
            assert!(
                reported >= gaps,
                "{name}: {reported} errors reported, {gaps} recorded"
            );
        }
    }
}
