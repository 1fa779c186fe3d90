//! What a scan reads: exactly what its checks declare in `needs`, plus the few calls discovery
//! makes whatever runs. The collector consults the plan before every read, so a scan of three
//! checks waits for (and needs permission for) three checks' data; a snapshot remembers the
//! checks it was collected for, so evaluating another check on it is an error, never a pass.

use std::collections::HashSet;

use super::{ALL, COLLECTOR_ACTIONS, Check, Severity};
use crate::inventory::Need;
use crate::inventory::k8s::resources::{CRDS, RESOURCES, Resource};

/// Calls made whatever checks run: who the caller is, the named cluster itself (its endpoint,
/// network and keys lead to everything else), the cluster list when a name is not found, and
/// what a fleet scan needs to find its accounts, regions and clusters.
pub const DISCOVERY_ACTIONS: &[&str] = &[
    "eks:DescribeCluster",
    "ec2:DescribeRegions",
    "sts:AssumeRole",
    "organizations:ListAccounts",
];

/// The reads a run makes.
#[derive(Debug, Clone)]
pub struct ReadPlan {
    /// The checks served; `None` for every check.
    checks: Option<Vec<&'static Check>>,
    needs: HashSet<Need>,
    /// The lowest vulnerability severity read (`[thresholds] vuln_min_severity`): Inspector and
    /// ECR hold every finding, and only those that can fail a check are fetched.
    vulnerability_floor: Severity,
}

impl Default for ReadPlan {
    fn default() -> Self {
        ReadPlan::everything()
    }
}

impl ReadPlan {
    /// Everything any check needs: the full scan.
    pub fn everything() -> Self {
        ReadPlan {
            checks: None,
            needs: needs_of(ALL),
            vulnerability_floor: Severity::Critical,
        }
    }

    /// What `checks` need. Every check is the full scan.
    pub fn for_checks(checks: &[&'static Check]) -> Self {
        if ALL
            .iter()
            .all(|c| checks.iter().any(|s| std::ptr::eq(*s, *c)))
        {
            return ReadPlan::everything();
        }
        ReadPlan {
            checks: Some(checks.to_vec()),
            needs: needs_of(checks),
            vulnerability_floor: Severity::Critical,
        }
    }

    /// What a snapshot's `collected_for` ids needed (`None`: it was collected for every check).
    /// Ids this build does not know (a newer sek's checks) add nothing.
    pub fn for_ids(ids: Option<&[String]>) -> Self {
        match ids {
            None => ReadPlan::everything(),
            Some(ids) => {
                let checks: Vec<&'static Check> =
                    ids.iter().filter_map(|id| super::find(id)).collect();
                ReadPlan {
                    checks: Some(checks.clone()),
                    needs: needs_of(&checks),
                    vulnerability_floor: Severity::Critical,
                }
            }
        }
    }

    /// The same plan, reading vulnerabilities at or above `floor`.
    pub fn with_vulnerability_floor(mut self, floor: Severity) -> Self {
        self.vulnerability_floor = floor;
        self
    }

    /// The lowest vulnerability severity read.
    pub fn vulnerability_floor(&self) -> Severity {
        self.vulnerability_floor
    }

    /// The checks served, unless every check is.
    pub fn checks(&self) -> Option<&[&'static Check]> {
        self.checks.as_deref()
    }

    /// Whether `need` is read.
    pub fn wants(&self, need: Need) -> bool {
        self.needs.contains(&need)
    }

    /// Whether the AWS call `action` (`ec2:DescribeVolumes`) is read for a check.
    pub fn wants_action(&self, action: &str) -> bool {
        self.needs.iter().any(|n| n.aws_action() == Some(action))
    }

    /// Whether the collector may send `action` at all: a check's read or discovery.
    pub fn allows_call(&self, action: &str) -> bool {
        COLLECTOR_ACTIONS.contains(&action)
            || DISCOVERY_ACTIONS.contains(&action)
            || self.wants_action(action)
    }

    /// Whether any Kubernetes read is made (the API server is contacted only then).
    pub fn wants_kubernetes(&self) -> bool {
        self.needs
            .iter()
            .any(|n| n.is_kubernetes() && *n != Need::NodeFiles)
    }

    /// Whether each kubelet's configuration is read (through the API server's node proxy).
    pub fn wants_kubelets(&self) -> bool {
        self.wants(Need::KubeletConfig)
    }

    /// The Kubernetes kinds listed (and the aws-auth ConfigMap, when read), in catalogue order.
    pub fn kubernetes_reads(&self) -> Vec<&'static Resource> {
        RESOURCES
            .iter()
            .filter(|r| self.wants(Need::Kubernetes(r)))
            .collect()
    }

    /// The IAM actions the plan calls, discovery's included, sorted: its minimal policy.
    pub fn actions(&self) -> Vec<&'static str> {
        let mut actions: Vec<&'static str> = COLLECTOR_ACTIONS
            .iter()
            .copied()
            .chain(self.needs.iter().filter_map(|n| n.aws_action()))
            .collect();
        actions.sort_unstable();
        actions.dedup();
        actions
    }

    /// The needs of `check` this plan does not read, in the check's order.
    pub fn unread_needs(&self, check: &Check) -> Vec<Need> {
        check
            .needs
            .iter()
            .copied()
            .filter(|n| !self.wants(*n))
            .collect()
    }
}

/// The needs of `checks`, and the CRD list whenever a custom kind is read: it tells a kind whose
/// CRD is not installed (none of it) from one whose CRD serves another version (unread).
fn needs_of(checks: &[&'static Check]) -> HashSet<Need> {
    let mut needs: HashSet<Need> = checks
        .iter()
        .flat_map(|c| c.needs.iter().copied())
        .collect();
    let custom = |n: &Need| matches!(n, Need::Kubernetes(r) if r.is_custom());
    if needs.iter().any(custom) {
        needs.insert(Need::Kubernetes(&CRDS));
    }
    needs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::select;

    #[test]
    fn the_full_plan_reads_every_need_of_every_check() {
        let plan = ReadPlan::everything();
        assert!(plan.checks().is_none());
        for check in ALL {
            assert!(plan.unread_needs(check).is_empty(), "{}", check.id);
        }
        assert_eq!(
            ReadPlan::for_checks(ALL).checks().map(|c| c.len()),
            None,
            "selecting every check is the full scan"
        );
    }

    #[test]
    fn a_selection_reads_only_its_checks_needs() {
        let plan = ReadPlan::for_checks(&select(&["node-ebs-default"]).unwrap());
        assert_eq!(
            plan.actions(),
            [
                "ec2:GetEbsEncryptionByDefault",
                "eks:ListClusters",
                "sts:GetCallerIdentity"
            ]
        );
        assert!(!plan.wants_kubernetes());
        assert!(plan.allows_call("eks:DescribeCluster"));
        assert!(!plan.allows_call("ec2:DescribeVolumes"));
        let volumes = crate::checks::find("node-volumes").unwrap();
        assert!(
            plan.unread_needs(volumes)
                .contains(&Need::Aws("ec2:DescribeVolumes"))
        );
    }

    #[test]
    fn kubernetes_reads_follow_the_selection() {
        let plan = ReadPlan::for_checks(&select(&["ns-network-policy"]).unwrap());
        let reads: Vec<&str> = plan.kubernetes_reads().iter().map(|r| r.need).collect();
        assert_eq!(
            reads,
            [
                "k8s:list:namespaces",
                "k8s:list:networkpolicies.networking.k8s.io"
            ]
        );
        assert!(plan.wants_kubernetes() && !plan.wants_kubelets());
        let kubelets = ReadPlan::for_checks(&select(&["kubelet-anonymous-auth"]).unwrap());
        assert!(kubelets.wants_kubelets());
        let files_only = ReadPlan::for_checks(&select(&["service-logging"]).unwrap());
        assert!(!files_only.wants_kubernetes());
    }

    #[test]
    fn reading_a_custom_kind_reads_the_crds_too() {
        let plan = ReadPlan::for_checks(&select(&["node-age"]).unwrap());
        let reads: Vec<&str> = plan.kubernetes_reads().iter().map(|r| r.need).collect();
        assert_eq!(
            reads,
            [
                "k8s:list:customresourcedefinitions.apiextensions.k8s.io",
                "k8s:list:nodepools.karpenter.sh"
            ]
        );
    }

    #[test]
    fn a_snapshot_plan_ignores_ids_it_does_not_know() {
        let ids = vec!["node-imds".to_string(), "from-a-newer-sek".to_string()];
        let plan = ReadPlan::for_ids(Some(&ids));
        assert_eq!(plan.checks().map(|c| c.len()), Some(1));
        assert!(plan.wants_action("ec2:DescribeInstances"));
        assert!(ReadPlan::for_ids(None).checks().is_none());
    }
}
