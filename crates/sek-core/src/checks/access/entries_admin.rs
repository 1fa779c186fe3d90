//! `access-entries-admin`: every principal with cluster-admin through an access entry is listed,
//! and none belongs to an account that is neither the cluster's nor trusted.
//!
//! Cluster-admin through an access entry means the AmazonEKSClusterAdminPolicy access policy at
//! cluster scope, or membership of the `system:masters` group.

use serde_json::json;

use crate::checks::frameworks::{bp, cis13, cis18, nist};
use crate::checks::{Area, Check, Ctx, Eval, Evaluation, Finding, Remediation, Severity};
use crate::inventory::{AccessEntry, AccessPolicyAssociation, ClusterInventory, Missing, aws};

/// The access policy that makes an entry a cluster administrator.
pub const CLUSTER_ADMIN_POLICY: &str = "AmazonEKSClusterAdminPolicy";

/// The check.
pub static CHECK: Check = Check {
    id: "access-entries-admin",
    aliases: &[],
    area: Area::Access,
    title: "Cluster-admin access entries belong to known accounts only",
    severity: Severity::High,
    refs: &[
        cis13("4.1.1"),
        cis13("5.5.1"),
        cis18("4.1.1"),
        cis18("5.5.1"),
        nist("PR.AC-4"),
        bp("identity-and-access-management"),
    ],
    needs: &[
        aws("eks:DescribeCluster"),
        aws("eks:ListAccessEntries"),
        aws("eks:DescribeAccessEntry"),
        aws("eks:ListAssociatedAccessPolicies"),
    ],
    rationale: "An access entry with AmazonEKSClusterAdminPolicy (or in system:masters) gives an IAM principal \
full control of every workload and Secret. An administrator in another account extends the cluster's trust \
boundary to that account's IAM; every administrator should be known and few.",
    remediation: Remediation {
        text: "Review the administrators listed in the evidence. Remove cluster-admin from principals that do \
not need it (associate a namespaced or read-only access policy instead), and from principals in accounts you do \
not control. List accounts you do trust in sek.toml ([allow] trusted_accounts).",
        cli: Some(
            "aws eks disassociate-access-policy --cluster-name <cluster> --principal-arn <arn> --policy-arn arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy",
        ),
        terraform: None,
    },
    links: &["https://docs.aws.amazon.com/eks/latest/userguide/access-policies.html"],
    eval: Eval::Cluster(eval),
};

fn is_admin(entry: &AccessEntry, policies: &[AccessPolicyAssociation]) -> bool {
    entry
        .kubernetes_groups
        .iter()
        .any(|g| g == "system:masters")
        || policies.iter().any(|p| {
            p.policy_arn.ends_with(&format!("/{CLUSTER_ADMIN_POLICY}"))
                && p.scope.as_deref().is_none_or(|s| s == "cluster")
        })
}

/// The access entries that grant cluster-admin, or what could not be read: the list, or the
/// policies of any entry (the report lists every administrator, so all are needed).
pub(crate) fn admin_entries(inv: &ClusterInventory) -> Result<Vec<&AccessEntry>, Missing> {
    let mut admins = Vec::new();
    for entry in inv.access_entries()? {
        if is_admin(entry, entry.access_policies()?) {
            admins.push(entry);
        }
    }
    Ok(admins)
}

fn eval(ctx: &Ctx<'_>) -> Evaluation {
    let inv = ctx.inventory;
    let arn = inv.arn();
    let mode = inv
        .cluster
        .got()
        .and_then(|c| c.access_config.as_ref())
        .and_then(|a| a.authentication_mode.as_deref());
    if mode == Some("CONFIG_MAP") {
        return Ok(vec![Finding::not_applicable(
            arn,
            "access entries are off (CONFIG_MAP); aws-auth decides who is an administrator",
        )]);
    }
    let admins = admin_entries(inv)?;
    if admins.is_empty() {
        return Ok(vec![Finding::pass(
            arn,
            "no access entry grants cluster-admin",
        )]);
    }
    Ok(admins
        .into_iter()
        .map(|entry| {
            let account = entry.principal_arn.split(':').nth(4).unwrap_or("");
            let known = Some(account) == inv.account_id.as_deref() || ctx.settings.trusted_accounts.iter().any(|a| a == account);
            let evidence = json!({
                "principal": entry.principal_arn,
                "kubernetes_groups": entry.kubernetes_groups,
                "policies": entry.policies,
                "account": account,
            });
            if entry.principal_arn.contains('*') {
                Finding::fail(&entry.principal_arn, "a wildcard principal has cluster-admin; name the principals explicitly")
            } else if known {
                Finding::pass(&entry.principal_arn, format!("{} has cluster-admin (an account you control)", entry.principal_arn))
            } else {
                Finding::fail(
                    &entry.principal_arn,
                    format!("{} in account {account} has cluster-admin; remove it or add the account to [allow] trusted_accounts", entry.principal_arn),
                )
            }
            .with_evidence(evidence)
        })
        .collect())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::checks::Settings;
    use crate::checks::Status;
    use crate::checks::testkit::*;
    use crate::inventory::AccessPolicyAssociation;

    pub(crate) fn admin_entry(principal: &str) -> AccessEntry {
        AccessEntry {
            principal_arn: principal.into(),
            kind: Some("STANDARD".into()),
            username: None,
            kubernetes_groups: vec![],
            policies: read(vec![AccessPolicyAssociation {
                policy_arn: format!(
                    "arn:aws:eks::aws:cluster-access-policy/{CLUSTER_ADMIN_POLICY}"
                ),
                scope: Some("cluster".into()),
                namespaces: vec![],
            }]),
            created_at: None,
        }
    }

    fn with_entries(entries: Vec<AccessEntry>, settings: &Settings) -> Vec<Finding> {
        let mut inv = cluster();
        inv.access_entries = read(entries);
        run_with(&CHECK, &inv, settings)
    }

    #[test]
    fn same_account_admins_pass_as_evidence_and_foreign_ones_fail() {
        let findings = with_entries(
            vec![
                admin_entry("arn:aws:iam::111122223333:role/platform"),
                admin_entry("arn:aws:iam::999988887777:role/vendor"),
            ],
            &Settings::default(),
        );
        assert_eq!(statuses(&findings), [Status::Pass, Status::Fail]);
        assert!(findings[1].message.contains("account 999988887777"));
        let trusted = Settings {
            trusted_accounts: vec!["999988887777".into()],
            ..Settings::default()
        };
        let findings = with_entries(
            vec![admin_entry("arn:aws:iam::999988887777:role/vendor")],
            &trusted,
        );
        assert_eq!(statuses(&findings), [Status::Pass]);
    }

    #[test]
    fn system_masters_counts_and_namespaced_policies_do_not() {
        let mut masters = admin_entry("arn:aws:iam::999988887777:role/old");
        masters.policies = read(vec![]);
        masters.kubernetes_groups = vec!["system:masters".into()];
        let mut namespaced = admin_entry("arn:aws:iam::999988887777:role/dev");
        namespaced.policies.got_mut().unwrap()[0].scope = Some("namespace".into());
        let findings = with_entries(vec![masters, namespaced], &Settings::default());
        assert_eq!(statuses(&findings), [Status::Fail]);
        assert!(findings[0].resource.ends_with("role/old"));
    }

    #[test]
    fn no_admins_passes_and_config_map_is_not_applicable() {
        assert_eq!(
            statuses(&with_entries(vec![], &Settings::default())),
            [Status::Pass]
        );
        let mut inv = cluster();
        inv.cluster
            .got_mut()
            .unwrap()
            .access_config
            .as_mut()
            .unwrap()
            .authentication_mode = Some("CONFIG_MAP".into());
        assert_eq!(statuses(&run(&CHECK, &inv)), [Status::NotApplicable]);
    }

    #[test]
    fn unread_entries_or_policies_are_errors() {
        let mut entry = admin_entry("arn:aws:iam::111122223333:role/x");
        entry.policies = Read::NotCollected;
        let findings = with_entries(vec![entry], &Settings::default());
        assert_eq!(statuses(&findings), [Status::Error]);
        assert!(
            findings[0]
                .message
                .contains("eks:ListAssociatedAccessPolicies")
        );
        let mut inv = cluster();
        inv.access_entries = Read::NotCollected;
        assert_eq!(statuses(&run(&CHECK, &inv)), [Status::Error]);
    }
}
