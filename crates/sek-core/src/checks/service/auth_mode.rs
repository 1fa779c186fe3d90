//! `service-auth-mode`: IAM access to Kubernetes is managed with EKS access entries, not only the
//! `aws-auth` ConfigMap (CIS EKS 1.8.0 4.1.7, Cluster Access Manager API).

use serde_json::json;

use crate::checks::frameworks::{bp, cis18, nist};
use crate::checks::{Area, Check, Ctx, Eval, Evaluation, Finding, Remediation, Severity};
use crate::inventory::aws;

/// The check.
pub static CHECK: Check = Check {
    id: "service-auth-mode",
    aliases: &[],
    area: Area::Service,
    title: "Cluster access is managed with EKS access entries",
    severity: Severity::Medium,
    refs: &[
        cis18("4.1.7"),
        nist("PR.AC-1"),
        nist("PR.AC-4"),
        bp("identity-and-access-management"),
    ],
    needs: &[aws("eks:DescribeCluster")],
    rationale: "With the CONFIG_MAP authentication mode, who is a cluster administrator is decided by the \
aws-auth ConfigMap inside the cluster: edits are not audited by CloudTrail, a typo can lock everyone out, and \
the cluster creator keeps an invisible system:masters grant that cannot be removed. Access entries (API or \
API_AND_CONFIG_MAP) are managed through the EKS API, logged, and can be audited and revoked.",
    remediation: Remediation {
        text: "Switch the authentication mode to API_AND_CONFIG_MAP, migrate aws-auth mappings to access \
entries, then to API. The change is one-way.",
        cli: Some(
            "aws eks update-cluster-config --name <cluster> --access-config authenticationMode=API_AND_CONFIG_MAP",
        ),
        terraform: Some("access_config { authentication_mode = \"API\" }"),
    },
    links: &["https://docs.aws.amazon.com/eks/latest/userguide/grant-k8s-access.html"],
    eval: Eval::Cluster(eval),
};

fn eval(ctx: &Ctx<'_>) -> Evaluation {
    ctx.on_control_plane(|cluster, arn| {
        let mode = cluster.access_config.as_ref().and_then(|a| a.authentication_mode.as_deref());
        let evidence = json!({ "authentication_mode": mode });
        match mode {
            Some("API") => Finding::pass(arn, "access is managed with access entries only (API)"),
            Some("API_AND_CONFIG_MAP") => {
                Finding::pass(arn, "access entries are enabled (API_AND_CONFIG_MAP); aws-auth still applies too")
            }
            Some("CONFIG_MAP") => Finding::fail(
                arn,
                "access is managed only by the aws-auth ConfigMap (CONFIG_MAP); switch to API_AND_CONFIG_MAP, then API",
            ),
            Some(other) => Finding::error(arn, format!("unknown authentication mode {other}")),
            // EKS reports accessConfig for every cluster; without it nothing can be decided.
            None => Finding::error(
                arn,
                "DescribeCluster reported no access configuration (authenticationMode); rescan against the EKS API",
            ),
        }
        .with_evidence(evidence)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::Status;
    use crate::checks::testkit::*;
    use crate::inventory::AccessConfig;

    fn mode(mode: Option<&str>) -> Status {
        let mut inv = cluster();
        inv.cluster.got_mut().unwrap().access_config = mode.map(|m| AccessConfig {
            authentication_mode: Some(m.into()),
            bootstrap_cluster_creator_admin_permissions: None,
        });
        only(run(&CHECK, &inv)).status
    }

    #[test]
    fn api_modes_pass_config_map_fails() {
        assert_eq!(mode(Some("API")), Status::Pass);
        assert_eq!(mode(Some("API_AND_CONFIG_MAP")), Status::Pass);
        assert_eq!(mode(Some("CONFIG_MAP")), Status::Fail);
        assert_eq!(mode(Some("SOMETHING_NEW")), Status::Error);
    }

    #[test]
    fn an_unreported_mode_is_an_error_not_a_guess() {
        assert_eq!(mode(None), Status::Error);
    }
}
