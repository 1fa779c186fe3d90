//! `service-creator-admin`: the identity that created the cluster does not keep cluster-admin
//! (checklist 001: create clusters with a dedicated role, then remove its access).
//!
//! With access entries, EKS grants the creator an entry with AmazonEKSClusterAdminPolicy when
//! `bootstrapClusterCreatorAdminPermissions` is true. The EKS API does not say whose entry that
//! is, but it is created with the cluster: a cluster-admin entry created within
//! [`BOOTSTRAP_WINDOW_SECONDS`] of the cluster is taken to be the creator's. Entries with no
//! creation time cannot be told apart, so they fail too, rather than passing on a guess. With
//! CONFIG_MAP only, the creator's system:masters grant is invisible and permanent.

use serde_json::json;

use super::super::access::entries_admin::admin_entries;
use crate::checks::frameworks::{bp, cis13, cis18, nist};
use crate::checks::{Area, Check, Ctx, Eval, Evaluation, Finding, Remediation, Severity};
use crate::inventory::AccessEntry;
use crate::inventory::aws;

/// The check.
pub static CHECK: Check = Check {
    id: "service-creator-admin",
    aliases: &[],
    area: Area::Service,
    title: "The cluster creator's bootstrap admin access has been removed",
    severity: Severity::Medium,
    refs: &[
        cis13("4.1.7"),
        cis18("4.1.1"),
        nist("PR.AC-4"),
        nist("PR.AC-1"),
        bp("identity-and-access-management"),
    ],
    needs: &[
        aws("eks:DescribeCluster"),
        aws("eks:ListAccessEntries"),
        aws("eks:DescribeAccessEntry"),
        aws("eks:ListAssociatedAccessPolicies"),
    ],
    rationale: "Whoever creates a cluster becomes a Kubernetes administrator. If that is a person's role or a \
CI role used for other things, cluster-admin spreads beyond the few identities meant to hold it. Create \
clusters with a dedicated role, and remove its admin access once other administrators are set up.",
    remediation: Remediation {
        text: "Create clusters with bootstrapClusterCreatorAdminPermissions=false (access entries for the \
intended administrators instead), or delete the creator's access entry once others have access. With \
CONFIG_MAP, switch to API_AND_CONFIG_MAP first: only then can the creator's grant be removed.",
        cli: Some(
            "aws eks delete-access-entry --cluster-name <cluster> --principal-arn <creator-arn>",
        ),
        terraform: Some("enable_cluster_creator_admin_permissions = false"),
    },
    links: &["https://docs.aws.amazon.com/eks/latest/userguide/creating-access-entries.html"],
    eval: Eval::Cluster(eval),
};

/// How long after the cluster's creation an admin entry counts as the creator's bootstrap grant
/// (cluster creation takes 10-15 minutes; the entry appears at its end).
pub const BOOTSTRAP_WINDOW_SECONDS: i64 = 3600;

fn eval(ctx: &Ctx<'_>) -> Evaluation {
    let inv = ctx.inventory;
    ctx.on_control_plane(|cluster, arn| {
        let access = cluster.access_config.as_ref();
        let Some(mode) = access.and_then(|a| a.authentication_mode.as_deref()) else {
            return Finding::error(
                arn,
                "DescribeCluster reported no access configuration, so the creator's grant cannot be judged",
            );
        };
        let bootstrap = access.and_then(|a| a.bootstrap_cluster_creator_admin_permissions);
        if mode == "CONFIG_MAP" {
            return Finding::fail(
                arn,
                "with CONFIG_MAP authentication the creator keeps a permanent, invisible system:masters grant; switch to access entries and remove it",
            )
            .with_evidence(json!({ "authentication_mode": mode }));
        }
        if bootstrap == Some(false) {
            return Finding::pass(arn, "the creator was not granted cluster-admin at creation")
                .with_evidence(json!({ "bootstrap_cluster_creator_admin_permissions": false }));
        }
        let admins = match admin_entries(inv) {
            Ok(admins) => admins,
            Err(missing) => return Finding::missing(arn, &missing),
        };
        let created = cluster.created_at;
        let from_creation = |entry: &&AccessEntry| match (created, entry.created_at) {
            (Some(cluster), Some(entry)) => {
                let delay = entry.as_second() - cluster.as_second();
                Some((0..=BOOTSTRAP_WINDOW_SECONDS).contains(&delay))
            }
            _ => None,
        };
        let principals = |keep: &dyn Fn(Option<bool>) -> bool| -> Vec<&str> {
            admins
                .iter()
                .filter(|e| keep(from_creation(e)))
                .map(|e| e.principal_arn.as_str())
                .collect()
        };
        let bootstrap_entries = principals(&|c| c == Some(true));
        let undated = principals(&|c| c.is_none());
        let evidence = json!({
            "bootstrap_cluster_creator_admin_permissions": bootstrap,
            "cluster_created_at": created,
            "admin_entries": admins.iter().map(|e| json!({ "principal": e.principal_arn, "created_at": e.created_at })).collect::<Vec<_>>(),
        });
        if !bootstrap_entries.is_empty() {
            Finding::fail(
                arn,
                format!(
                    "cluster-admin entries created with the cluster remain ({}): the creator's bootstrap grant; delete it once other administrators have access",
                    bootstrap_entries.join(", ")
                ),
            )
        } else if !undated.is_empty() {
            Finding::fail(
                arn,
                format!(
                    "the creator was granted cluster-admin and cluster-admin entries with no creation time remain ({}); one may be the creator's",
                    undated.join(", ")
                ),
            )
        } else {
            Finding::pass(
                arn,
                "no cluster-admin entry dates from the cluster's creation: the creator's bootstrap grant was removed",
            )
        }
        .with_evidence(evidence)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::Status;
    use crate::checks::access::entries_admin::tests::admin_entry;
    use crate::checks::testkit::*;
    use crate::inventory::AccessConfig;

    fn with(mode: &str, bootstrap: Option<bool>, admins: &[&str]) -> Finding {
        let mut inv = cluster();
        inv.cluster.got_mut().unwrap().access_config = Some(AccessConfig {
            authentication_mode: Some(mode.into()),
            bootstrap_cluster_creator_admin_permissions: bootstrap,
        });
        inv.access_entries = Read::Got(admins.iter().map(|p| admin_entry(p)).collect());
        only(run(&CHECK, &inv))
    }

    #[test]
    fn no_bootstrap_grant_passes() {
        assert_eq!(
            with(
                "API",
                Some(false),
                &["arn:aws:iam::111122223333:role/admin"]
            )
            .status,
            Status::Pass
        );
    }

    #[test]
    fn bootstrap_with_remaining_admins_fails_and_lists_them() {
        let finding = with("API", Some(true), &["arn:aws:iam::111122223333:role/ci"]);
        assert_eq!(finding.status, Status::Fail);
        assert!(finding.message.contains("role/ci"));
        assert_eq!(
            with("API_AND_CONFIG_MAP", Some(true), &[]).status,
            Status::Pass
        );
    }

    #[test]
    fn only_admin_entries_created_with_the_cluster_count_as_the_creators() {
        let created: jiff::Timestamp = "2024-06-18T14:03:27Z".parse().unwrap();
        let entry_at = |principal: &str, minutes: i64| {
            let mut entry = admin_entry(principal);
            entry.created_at = Some(created + jiff::SignedDuration::from_mins(minutes));
            entry
        };
        let mut inv = cluster();
        let control_plane = inv.cluster.got_mut().unwrap();
        control_plane.created_at = Some(created);
        control_plane.access_config = Some(AccessConfig {
            authentication_mode: Some("API".into()),
            bootstrap_cluster_creator_admin_permissions: Some(true),
        });
        inv.access_entries = read(vec![
            entry_at("arn:aws:iam::111122223333:role/creator", 12),
            entry_at(
                "arn:aws:iam::111122223333:role/platform-admin",
                60 * 24 * 40,
            ),
        ]);
        let finding = only(run(&CHECK, &inv));
        assert_eq!(finding.status, Status::Fail);
        assert!(
            finding.message.contains("role/creator"),
            "{}",
            finding.message
        );
        assert!(
            !finding.message.contains("platform-admin"),
            "{}",
            finding.message
        );

        inv.access_entries.got_mut().unwrap().remove(0);
        let finding = only(run(&CHECK, &inv));
        assert_eq!(finding.status, Status::Pass, "{}", finding.message);
    }

    #[test]
    fn config_map_only_fails() {
        assert_eq!(with("CONFIG_MAP", Some(true), &[]).status, Status::Fail);
    }

    #[test]
    fn unread_access_entries_are_an_error() {
        let mut inv = cluster();
        inv.cluster.got_mut().unwrap().access_config = Some(AccessConfig {
            authentication_mode: Some("API".into()),
            bootstrap_cluster_creator_admin_permissions: Some(true),
        });
        inv.access_entries = Read::Failed(denied("eks:ListAccessEntries", &["prod"]));
        let finding = only(run(&CHECK, &inv));
        assert_eq!(finding.status, Status::Error);
        assert!(finding.message.contains("eks:ListAccessEntries"));
    }

    #[test]
    fn a_denied_entry_is_named_not_taken_for_a_vanished_cluster() {
        let mut inv = cluster();
        inv.cluster.got_mut().unwrap().access_config = Some(AccessConfig {
            authentication_mode: Some("API".into()),
            bootstrap_cluster_creator_admin_permissions: Some(true),
        });
        inv.access_entries = Read::Failed(denied(
            "eks:DescribeAccessEntry",
            &["arn:aws:iam::111122223333:role/admin"],
        ));
        let finding = only(run(&CHECK, &inv));
        assert_eq!(finding.status, Status::Error);
        assert!(
            finding.message.contains("eks:DescribeAccessEntry")
                && finding.message.contains("access denied"),
            "{}",
            finding.message
        );
        assert!(
            !finding.message.contains("still exists"),
            "{}",
            finding.message
        );
        assert_eq!(finding.evidence["api"], "eks:DescribeAccessEntry");
    }
}
