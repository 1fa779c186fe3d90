//! `rbac-system-masters`: CIS EKS 1.3.0 4.1.7, "avoid use of the system:masters group".
//!
//! The aws-auth ConfigMap maps IAM roles and users to Kubernetes groups; a mapping to
//! `system:masters` is cluster-admin that no RBAC edit can take away (the group is hard-wired in
//! the API server).

use serde_json::json;

use crate::checks::frameworks::{bp, cis13, nist};
use crate::checks::shared::k8s::kubernetes;
use crate::checks::{Area, Check, Ctx, Eval, Evaluation, Finding, Remediation, Severity};
use crate::inventory::Need;
use crate::inventory::k8s::AwsAuthConfigMap;
use crate::inventory::k8s::resources::CONFIG_MAPS;

/// The check.
pub static CHECK: Check = Check {
    id: "rbac-system-masters",
    aliases: &[],
    area: Area::Rbac,
    title: "No IAM principal is mapped to system:masters in aws-auth",
    severity: Severity::High,
    refs: &[
        cis13("4.1.7"),
        nist("PR.AC-1"),
        nist("PR.AC-4"),
        bp("identity-and-access-management"),
    ],
    needs: &[Need::Kubernetes(&CONFIG_MAPS)],
    rationale: "Members of system:masters bypass RBAC entirely: no binding grants their power, so none can \
revoke it, and it does not show in `kubectl auth can-i --list`. An IAM role mapped there is an irrevocable \
cluster-admin for whoever can assume the role.",
    remediation: Remediation {
        text: "Map administrators to a group bound to a narrower ClusterRole, or move to EKS access entries \
(authentication mode API) with access policies, and remove system:masters from aws-auth.",
        cli: Some("kubectl -n kube-system get configmap aws-auth -o yaml"),
        terraform: None,
    },
    links: &["https://docs.aws.amazon.com/eks/latest/userguide/access-entries.html"],
    eval: Eval::Cluster(eval),
};

fn eval(ctx: &Ctx<'_>) -> Evaluation {
    let aws_auth = kubernetes(ctx)?.inventory.aws_auth()?;
    let resource = "k8s:ConfigMap/kube-system/aws-auth";
    let AwsAuthConfigMap::Present(aws_auth) = aws_auth else {
        return Ok(vec![Finding::pass(
            resource,
            "there is no aws-auth ConfigMap: access is managed by access entries",
        )]);
    };
    let mut findings: Vec<Finding> = aws_auth
        .mappings
        .iter()
        .filter(|m| m.groups.iter().any(|g| g == "system:masters"))
        .map(|m| {
            Finding::fail(resource, format!("maps {} to system:masters", m.arn))
                .with_evidence(json!({ "arn": m.arn, "username": m.username, "groups": m.groups }))
        })
        .collect();
    for problem in &aws_auth.problems {
        findings.push(Finding::error(
            resource,
            format!("part of aws-auth could not be read, so a mapping may be missed: {problem}"),
        ));
    }
    if findings.is_empty() {
        findings.push(Finding::pass(
            resource,
            format!(
                "none of its {} mappings is to system:masters",
                aws_auth.mappings.len()
            ),
        ));
    }
    Ok(findings)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::Status;
    use crate::checks::testkit::k8s::*;
    use crate::checks::testkit::*;
    use crate::inventory::k8s::{AwsAuth, AwsAuthMapping};

    fn with(auth: AwsAuth) -> Vec<Finding> {
        let mut inv = kube_cluster();
        k8s(&mut inv).aws_auth = Read::Got(AwsAuthConfigMap::Present(auth));
        run(&CHECK, &inv)
    }

    #[test]
    fn a_role_mapped_to_system_masters_fails_naming_it() {
        let findings = with(AwsAuth {
            mappings: vec![
                AwsAuthMapping {
                    arn: "arn:aws:iam::111122223333:role/nodes".into(),
                    username: Some("system:node:{{EC2PrivateDNSName}}".into()),
                    groups: vec!["system:bootstrappers".into(), "system:nodes".into()],
                },
                AwsAuthMapping {
                    arn: "arn:aws:iam::111122223333:role/admin".into(),
                    username: Some("admin".into()),
                    groups: vec!["system:masters".into()],
                },
            ],
            ..AwsAuth::default()
        });
        let finding = only(findings);
        assert_eq!(finding.status, Status::Fail);
        assert!(finding.message.contains("role/admin"));
    }

    #[test]
    fn an_unparsable_part_is_an_error_not_a_pass() {
        let findings = with(AwsAuth {
            problems: vec!["mapRoles is not a YAML list".into()],
            ..AwsAuth::default()
        });
        assert_eq!(statuses(&findings), [Status::Error]);
    }

    #[test]
    fn no_configmap_passes_and_an_unread_one_is_an_error() {
        assert_eq!(statuses(&run(&CHECK, &kube_cluster())), [Status::Pass]);
        let mut inv = kube_cluster();
        k8s(&mut inv).aws_auth = Read::NotCollected;
        assert_denied_read_is_an_error(&CHECK, inv, CONFIG_MAPS);
    }
}
