//! `service-deletion-protection`: EKS deletion protection is on, so deleting the cluster takes a
//! deliberate configuration change first.
//!
//! Reads `deletionProtection` from DescribeCluster. When EKS did not report it (a snapshot from an
//! older sek, a partition without the feature yet), the check asks for a review rather than
//! guessing either way.

use serde_json::json;

use crate::checks::frameworks::{bp, nist};
use crate::checks::{Area, Check, Ctx, Eval, Evaluation, Finding, Remediation, Severity, Status};
use crate::inventory::aws;

/// The check.
pub static CHECK: Check = Check {
    id: "service-deletion-protection",
    aliases: &[],
    area: Area::Service,
    title: "Cluster deletion protection is on",
    severity: Severity::Medium,
    refs: &[nist("PR.IP-1"), nist("PR.DS-4"), bp("cluster-upgrades")],
    needs: &[aws("eks:DescribeCluster")],
    rationale: "Without deletion protection one DeleteCluster call — a mistaken script, a compromised \
pipeline role, a wrong Terraform plan — removes the control plane and every Kubernetes object in it, with no \
way back but a rebuild from backups. With it, deletion first needs an explicit UpdateClusterConfig that \
turns the protection off, which is a separate permission and a visible event in CloudTrail.",
    remediation: Remediation {
        text: "Turn deletion protection on for every cluster you cannot lose, and allow \
eks:UpdateClusterConfig to switch it off only to the break-glass role.",
        cli: Some("aws eks update-cluster-config --name <cluster> --deletion-protection"),
        terraform: Some("deletion_protection = true"),
    },
    links: &["https://docs.aws.amazon.com/eks/latest/userguide/deletion-protection.html"],
    eval: Eval::Cluster(eval),
};

fn eval(ctx: &Ctx<'_>) -> Evaluation {
    ctx.on_control_plane(|cluster, arn| {
        let evidence = json!({ "deletion_protection": cluster.deletion_protection });
        match cluster.deletion_protection {
            Some(true) => Finding::pass(arn, "deletion protection is on"),
            Some(false) => Finding::fail(
                arn,
                "deletion protection is off: one DeleteCluster call removes the cluster",
            ),
            None => Finding::new(
                Status::Manual,
                arn,
                "EKS did not report deletion protection (an older snapshot, or a partition without \
the feature); check it with `aws eks describe-cluster --query cluster.deletionProtection`",
            ),
        }
        .with_evidence(evidence)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testkit::*;

    fn with_protection(protection: Option<bool>) -> Vec<Status> {
        let mut inv = cluster();
        inv.cluster.got_mut().unwrap().deletion_protection = protection;
        statuses(&run(&CHECK, &inv))
    }

    #[test]
    fn on_passes_off_fails_unreported_is_for_review() {
        assert_eq!(with_protection(Some(true)), [Status::Pass]);
        assert_eq!(with_protection(Some(false)), [Status::Fail]);
        assert_eq!(with_protection(None), [Status::Manual]);
    }
}
