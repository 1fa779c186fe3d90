//! `sa-aws-node-irsa`: the VPC CNI (`kube-system/aws-node`) gets its AWS permissions from its own
//! IAM role (IRSA or Pod Identity), not from the node role (checklist 001, EKS best practices).
//!
//! Passes when the DaemonSet's service account carries an `eks.amazonaws.com/role-arn`
//! annotation or a Pod Identity association; not applicable without aws-node (another CNI).

use serde_json::json;

use crate::checks::frameworks::{bp, nist};
use crate::checks::shared::k8s::kubernetes;
use crate::checks::{Area, Check, Ctx, Eval, Evaluation, Finding, Remediation, Severity};
use crate::inventory::k8s::resources::{DAEMONSETS, PODS, SERVICE_ACCOUNTS};
use crate::inventory::{Need, aws};

/// The annotation IRSA reads.
pub const ROLE_ARN_ANNOTATION: &str = "eks.amazonaws.com/role-arn";

/// The check.
pub static CHECK: Check = Check {
    id: "sa-aws-node-irsa",
    aliases: &[],
    area: Area::Sa,
    title: "The VPC CNI uses its own IAM role (IRSA or Pod Identity)",
    severity: Severity::Medium,
    refs: &[nist("PR.AC-4"), bp("identity-and-access-management")],
    needs: &[
        Need::Kubernetes(&PODS),
        Need::Kubernetes(&DAEMONSETS),
        Need::Kubernetes(&SERVICE_ACCOUNTS),
        aws("eks:ListPodIdentityAssociations"),
    ],
    rationale: "The VPC CNI needs AmazonEKS_CNI_Policy to manage network interfaces. Attached to the node role, \
that policy is available to every pod that reaches IMDS and to anything running on the node; with IRSA or Pod \
Identity only aws-node gets it and the node role can drop it.",
    remediation: Remediation {
        text: "Create an IAM role with AmazonEKS_CNI_Policy trusted by the cluster's OIDC provider for \
kube-system/aws-node (or a Pod Identity association), set it as the vpc-cni add-on's service account role, \
then detach the policy from the node role.",
        cli: Some(
            "aws eks update-addon --cluster-name <cluster> --addon-name vpc-cni --service-account-role-arn <role-arn>",
        ),
        terraform: None,
    },
    links: &["https://docs.aws.amazon.com/eks/latest/userguide/cni-iam-role.html"],
    eval: Eval::Cluster(eval),
};

fn eval(ctx: &Ctx<'_>) -> Evaluation {
    let view = kubernetes(ctx)?;
    // The aws-node DaemonSet is judged whatever became of the other kinds.
    let workloads = view.workloads_of(&[Need::Kubernetes(&PODS), Need::Kubernetes(&DAEMONSETS)])?;
    view.inventory.service_accounts()?;
    let Some(aws_node) = workloads.iter().find(|w| {
        w.kind == "DaemonSet"
            && w.metadata.namespace == "kube-system"
            && w.metadata.name == "aws-node"
    }) else {
        return Ok(vec![Finding::not_applicable(
            ctx.inventory.arn(),
            "there is no kube-system/aws-node DaemonSet (the VPC CNI is not installed)",
        )]);
    };
    let account = aws_node.spec.service_account();
    let resource = aws_node.reference();
    let irsa = view
        .service_account("kube-system", account)
        .and_then(|sa| sa.metadata.annotations.get(ROLE_ARN_ANNOTATION));
    let associations = ctx.inventory.pod_identity_associations();
    let pod_identity = associations
        .iter()
        .flat_map(|all| all.iter())
        .find(|a| a.namespace == "kube-system" && a.service_account == account);
    let evidence = json!({ "service_account": account, "irsa_role": irsa, "pod_identity_association": pod_identity.and_then(|a| a.association_arn.clone()) });
    let finding = match (irsa, pod_identity) {
        (Some(role), _) => Finding::pass(
            resource,
            format!("service account {account} uses IRSA role {role}"),
        ),
        (None, Some(_)) => Finding::pass(
            resource,
            format!("service account {account} has a Pod Identity association"),
        ),
        (None, None) if let Err(missing) = &associations => Finding::error(
            resource,
            format!(
                "service account {account} has no IRSA annotation, and {}",
                missing.reason()
            ),
        ),
        (None, None) => Finding::fail(
            resource,
            format!(
                "service account {account} has neither an IRSA role nor a Pod Identity association: the CNI uses the node role"
            ),
        ),
    };
    Ok(vec![finding.with_evidence(evidence)])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::Status;
    use crate::checks::testkit::k8s::*;
    use crate::checks::testkit::*;
    use crate::inventory::PodIdentityAssociation;

    #[test]
    fn the_node_role_fails_and_irsa_or_pod_identity_pass() {
        let mut inv = kube_cluster();
        assert_eq!(only(run(&CHECK, &inv)).status, Status::Fail);
        inv.pod_identity_associations = read(vec![PodIdentityAssociation {
            namespace: "kube-system".into(),
            service_account: "aws-node".into(),
            ..PodIdentityAssociation::default()
        }]);
        assert_eq!(only(run(&CHECK, &inv)).status, Status::Pass);
        inv.pod_identity_associations = read(vec![]);
        k8s(&mut inv).service_accounts.got_mut().unwrap()[4]
            .metadata
            .annotations
            .insert(
                ROLE_ARN_ANNOTATION.into(),
                "arn:aws:iam::111122223333:role/cni".into(),
            );
        let finding = only(run(&CHECK, &inv));
        assert_eq!(finding.status, Status::Pass);
        assert!(finding.message.contains("role/cni"));
    }

    #[test]
    fn without_aws_node_it_does_not_apply() {
        let mut inv = kube_cluster();
        k8s(&mut inv)
            .workloads
            .got_mut()
            .unwrap()
            .retain(|w| w.metadata.name != "aws-node");
        assert_eq!(only(run(&CHECK, &inv)).status, Status::NotApplicable);
    }
}
