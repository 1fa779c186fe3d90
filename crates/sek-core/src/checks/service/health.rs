//! `service-health`: the cluster reports no health issues and its latest updates did not fail.
//!
//! Updates are listed per control plane, per node group and per add-on (ListUpdates with
//! `nodegroupName` or `addonName`, <https://docs.aws.amazon.com/eks/latest/APIReference/API_ListUpdates.html>).
//! A failed update that a later successful update of the same kind superseded is history, not a
//! problem; the latest update of each kind (per control plane, node group or add-on) decides.
//! Node groups or add-ons that could not be read hide their updates: an error, not a pass.

use std::collections::BTreeMap;

use serde_json::json;

use crate::checks::frameworks::{bp, nist};
use crate::checks::{Area, Check, Ctx, Eval, Evaluation, Finding, Remediation, Severity, shared};
use crate::inventory::ClusterUpdate;
use crate::inventory::aws;

/// The check.
pub static CHECK: Check = Check {
    id: "service-health",
    aliases: &[],
    area: Area::Service,
    title: "The cluster has no health issues and no failed updates",
    severity: Severity::Medium,
    refs: &[nist("DE.CM-7"), nist("PR.PT-5"), bp("cluster-upgrades")],
    needs: &[
        aws("eks:DescribeCluster"),
        aws("eks:ListUpdates"),
        aws("eks:DescribeUpdate"),
        aws("eks:ListNodegroups"),
        aws("eks:DescribeNodegroup"),
        aws("eks:ListAddons"),
        aws("eks:DescribeAddon"),
    ],
    rationale: "A cluster with health issues (a deleted subnet or security group, a disabled KMS key) or a failed \
update may be running a configuration other than the one you think: a security fix or version upgrade that \
failed leaves the cluster exposed while reporting the intended change as requested. Updates are read for the \
control plane, every node group and every add-on; node groups or add-ons that cannot be read hide their \
updates, which is an error.",
    remediation: Remediation {
        text: "Read the issue or the update's errors in the EKS console or with the CLI below, fix the cause \
(IAM permissions, subnets, key state) and retry the update.",
        cli: Some("aws eks describe-update --name <cluster> --update-id <id>"),
        terraform: None,
    },
    links: &[
        "https://docs.aws.amazon.com/eks/latest/APIReference/API_ClusterHealth.html",
        "https://docs.aws.amazon.com/eks/latest/APIReference/API_ListUpdates.html",
    ],
    eval: Eval::Cluster(eval),
};

/// What an update is the latest of: (node group, add-on, kind).
type UpdateKey<'a> = (Option<&'a str>, Option<&'a str>, Option<&'a str>);

fn eval(ctx: &Ctx<'_>) -> Evaluation {
    let inv = ctx.inventory;
    // The control plane's health first: without it nothing here can be judged.
    inv.control_plane()?;
    // Updates are listed per node group and per add-on: those not read hide theirs (the
    // collector records them as failed parts of the updates; older snapshots did not).
    let updates = inv.updates().and_then(|u| u.all("the cluster's updates"));
    if let Some(unread) = shared::all_read(
        &inv.arn(),
        [
            inv.nodegroups()
                .and_then(|n| n.all("the updates of the node groups"))
                .err(),
            inv.addons().err(),
            updates.as_ref().err().cloned(),
        ],
    ) {
        return Ok(vec![unread]);
    }
    let updates = updates?;
    ctx.on_control_plane(|cluster, arn| {
        // The latest update per (node group, add-on, kind).
        let mut latest: BTreeMap<UpdateKey<'_>, &ClusterUpdate> = BTreeMap::new();
        for update in updates {
            let key = (
                update.nodegroup.as_deref(),
                update.addon.as_deref(),
                update.kind.as_deref(),
            );
            if latest.get(&key).is_none_or(|known| update.created_at > known.created_at) {
                latest.insert(key, update);
            }
        }
        let failed: Vec<&&ClusterUpdate> = latest.values().filter(|u| u.status.as_deref() == Some("Failed")).collect();
        let mut problems: Vec<String> = cluster
            .health_issues
            .iter()
            .map(|issue| format!("health issue {}: {}", issue.code.as_deref().unwrap_or("?"), issue.message.as_deref().unwrap_or("")))
            .collect();
        problems.extend(failed.iter().map(|u| {
            let scope = match (u.nodegroup.as_deref(), u.addon.as_deref()) {
                (Some(ng), _) => format!(" of node group {ng}"),
                (None, Some(addon)) => format!(" of add-on {addon}"),
                (None, None) => String::new(),
            };
            format!("{} {}{scope} failed ({})", u.kind.as_deref().unwrap_or("update"), u.id, u.errors.join("; "))
        }));
        let evidence = json!({ "health_issues": cluster.health_issues, "failed_updates": failed, "updates_read": updates.len() });
        if problems.is_empty() {
            Finding::pass(arn, "no health issues; the latest update of each kind did not fail")
        } else {
            Finding::fail(arn, problems.join("; "))
        }
        .with_evidence(evidence)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::Status;
    use crate::checks::testkit::*;
    use crate::inventory::HealthIssue;

    fn update(id: &str, kind: &str, status: &str, at: &str) -> ClusterUpdate {
        ClusterUpdate {
            id: id.into(),
            kind: Some(kind.into()),
            status: Some(status.into()),
            created_at: Some(at.parse().unwrap()),
            errors: if status == "Failed" {
                vec!["AccessDenied: role cannot describe subnets".into()]
            } else {
                vec![]
            },
            nodegroup: None,
            addon: None,
        }
    }

    #[test]
    fn a_healthy_cluster_passes() {
        assert_eq!(only(run(&CHECK, &cluster())).status, Status::Pass);
    }

    #[test]
    fn the_latest_failed_update_fails_but_a_superseded_one_does_not() {
        let mut inv = cluster();
        inv.updates = read(vec![
            update("u1", "VersionUpdate", "Failed", "2026-01-01T00:00:00Z"),
            update("u2", "VersionUpdate", "Successful", "2026-02-01T00:00:00Z"),
            update(
                "u3",
                "EndpointAccessUpdate",
                "Failed",
                "2026-03-01T00:00:00Z",
            ),
        ]);
        let finding = only(run(&CHECK, &inv));
        assert_eq!(finding.status, Status::Fail);
        assert!(
            finding
                .message
                .contains("EndpointAccessUpdate u3 failed (AccessDenied"),
            "{}",
            finding.message
        );
        assert!(!finding.message.contains("u1"));
    }

    #[test]
    fn health_issues_fail() {
        let mut inv = cluster();
        inv.cluster.got_mut().unwrap().health_issues = vec![HealthIssue {
            code: Some("Ec2SubnetNotFound".into()),
            message: Some("subnet-1 was deleted".into()),
            resources: vec![],
        }];
        let finding = only(run(&CHECK, &inv));
        assert_eq!(finding.status, Status::Fail);
        assert!(
            finding
                .message
                .starts_with("health issue Ec2SubnetNotFound: subnet-1 was deleted")
        );
    }

    #[test]
    fn unread_updates_are_an_error() {
        let mut inv = cluster();
        inv.updates = Read::Failed(denied("eks:ListUpdates", &["prod"]));
        let finding = only(run(&CHECK, &inv));
        assert_eq!(finding.status, Status::Error);
        assert!(finding.message.contains("eks:ListUpdates"));
    }

    #[test]
    fn a_failed_add_on_update_fails() {
        let mut inv = cluster();
        let mut failed = update("u9", "AddonUpdate", "Failed", "2026-03-01T00:00:00Z");
        failed.addon = Some("vpc-cni".into());
        inv.updates = read(vec![failed]);
        let finding = only(run(&CHECK, &inv));
        assert_eq!(finding.status, Status::Fail);
        assert!(
            finding.message.contains("of add-on vpc-cni"),
            "{}",
            finding.message
        );
    }

    #[test]
    fn unread_node_groups_or_add_ons_hide_their_updates_and_are_an_error() {
        // A failed node group update that sek could not see, because the group was not read.
        let mut inv = cluster();
        fail_part(
            &mut inv.nodegroups,
            denied("eks:DescribeNodegroup", &["workers"]),
        );
        let finding = only(run(&CHECK, &inv));
        assert_eq!(finding.status, Status::Error);
        assert!(
            finding.message.contains("eks:DescribeNodegroup"),
            "{}",
            finding.message
        );
        let mut inv = cluster();
        fail_part(&mut inv.nodegroups, denied("eks:ListNodegroups", &["prod"]));
        assert_eq!(only(run(&CHECK, &inv)).status, Status::Error);
        let mut inv = cluster();
        inv.addons = Read::Failed(denied("eks:ListAddons", &["prod"]));
        let finding = only(run(&CHECK, &inv));
        assert_eq!(finding.status, Status::Error);
        assert!(
            finding.message.contains("eks:ListAddons"),
            "{}",
            finding.message
        );
    }
}
