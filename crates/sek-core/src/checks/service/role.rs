//! `service-role`: the cluster IAM role is trusted only by EKS and holds only the AWS managed
//! policies EKS needs: AmazonEKSClusterPolicy (AmazonEKSServicePolicy on old clusters), the VPC
//! resource controller's for security groups for pods, and Auto Mode's compute, block storage,
//! load balancing and networking policies.
//!
//! Policies are recognised by their full AWS managed ARN, never by name. Whether other clusters
//! share the role is not judged: sek sees one cluster at a time here.

use serde_json::json;

use crate::checks::frameworks::{bp, nist};
use crate::checks::shared::iam_policy::{principals, statements};
use crate::checks::{Area, Check, Ctx, Eval, Evaluation, Finding, Remediation, Severity};
use crate::inventory::{aws, aws_managed_policy_name};

/// The AWS managed policies a cluster role may hold.
const CLUSTER_POLICIES: &[&str] = &[
    "AmazonEKSClusterPolicy",
    "AmazonEKSServicePolicy",
    "AmazonEKSVPCResourceController",
    "AmazonEKSComputePolicy",
    "AmazonEKSBlockStoragePolicy",
    "AmazonEKSLoadBalancingPolicy",
    "AmazonEKSNetworkingPolicy",
];

/// The check.
pub static CHECK: Check = Check {
    id: "service-role",
    aliases: &[],
    area: Area::Service,
    title: "The cluster IAM role is trusted only by EKS and holds only EKS's policies",
    severity: Severity::High,
    refs: &[nist("PR.AC-4"), bp("identity-and-access-management")],
    needs: &[
        aws("eks:DescribeCluster"),
        aws("iam:GetRole"),
        aws("iam:ListAttachedRolePolicies"),
        aws("iam:ListRolePolicies"),
    ],
    rationale: "EKS assumes the cluster role to manage network interfaces, load balancers and (in Auto Mode) \
instances for the control plane. Anyone else its trust policy admits gets those permissions, and any policy \
beyond EKS's own widens what a misused or confused control plane integration can do in the account.",
    remediation: Remediation {
        text: "Trust only the service principal eks.amazonaws.com in the cluster role, attach only \
AmazonEKSClusterPolicy (plus Auto Mode's or the VPC resource controller's policies where used), and remove \
inline policies.",
        cli: Some(
            "aws iam get-role --role-name <cluster-role> --query Role.AssumeRolePolicyDocument",
        ),
        terraform: None,
    },
    links: &["https://docs.aws.amazon.com/eks/latest/userguide/cluster-iam-role.html"],
    eval: Eval::Cluster(eval),
};

fn eval(ctx: &Ctx<'_>) -> Evaluation {
    let inv = ctx.inventory;
    let cluster = inv.control_plane()?;
    let Some(role_arn) = cluster.role_arn.as_deref() else {
        return Ok(vec![Finding::error(
            inv.arn(),
            "DescribeCluster named no cluster role",
        )]);
    };
    let role = inv.cluster_role()?;
    let mut problems = Vec::new();
    let mut trusted: Vec<String> = Vec::new();
    match &role.trust_policy {
        None => problems.push("its trust policy could not be read".to_string()),
        Some(trust) => {
            for statement in statements(trust) {
                if statement.get("Effect").and_then(|e| e.as_str()) != Some("Allow") {
                    continue;
                }
                for kind in ["Service", "AWS", "Federated"] {
                    for principal in principals(statement, kind) {
                        trusted.push(format!("{kind}:{principal}"));
                        if !(kind == "Service" && principal == "eks.amazonaws.com") {
                            problems.push(format!("its trust policy admits {kind} {principal}"));
                        }
                    }
                }
            }
        }
    }
    let attached = role.attached()?;
    let extra: Vec<&str> = attached
        .iter()
        .filter(|p| !aws_managed_policy_name(&p.arn).is_some_and(|n| CLUSTER_POLICIES.contains(&n)))
        .map(|p| p.arn.as_str())
        .collect();
    if !extra.is_empty() {
        problems.push(format!(
            "it holds policies EKS does not need: {}",
            extra.join(", ")
        ));
    }
    let inline = role.inline()?;
    if !inline.is_empty() {
        let names: Vec<&str> = inline.iter().map(|p| p.name.as_str()).collect();
        problems.push(format!("it has inline policies: {}", names.join(", ")));
    }
    let evidence = json!({
        "role": role_arn,
        "trusted": trusted,
        "attached": attached.iter().map(|p| &p.arn).collect::<Vec<_>>(),
        "inline": inline.iter().map(|p| &p.name).collect::<Vec<_>>(),
    });
    Ok(vec![
        if problems.is_empty() {
            Finding::pass(
                role_arn,
                format!(
                    "{} is trusted only by eks.amazonaws.com and holds only EKS's policies",
                    role.name
                ),
            )
        } else {
            Finding::fail(role_arn, format!("{}: {}", role.name, problems.join("; ")))
        }
        .with_evidence(evidence),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::Status;
    use crate::checks::testkit::*;
    use crate::inventory::{AttachedPolicy, IamRole, InlinePolicy, Read};

    fn with_role(trust: serde_json::Value, policies: &[&str], inline: &[&str]) -> Vec<Finding> {
        let mut inv = cluster();
        inv.cluster.got_mut().unwrap().role_arn =
            Some("arn:aws:iam::111122223333:role/eks-cluster".into());
        inv.cluster_role = Read::Got(IamRole {
            name: "eks-cluster".into(),
            arn: "arn:aws:iam::111122223333:role/eks-cluster".into(),
            trust_policy: Some(trust),
            attached_policies: Read::Got(
                policies
                    .iter()
                    .map(|arn| AttachedPolicy {
                        arn: arn.to_string(),
                        name: None,
                    })
                    .collect(),
            ),
            inline_policies: Read::Got(
                inline
                    .iter()
                    .map(|name| InlinePolicy {
                        name: name.to_string(),
                        document: Read::NotCollected,
                    })
                    .collect(),
            ),
        });
        run(&CHECK, &inv)
    }

    fn trust(principal: serde_json::Value) -> serde_json::Value {
        json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": principal, "Action": ["sts:AssumeRole", "sts:TagSession"]}]})
    }

    const CLUSTER_POLICY: &str = "arn:aws:iam::aws:policy/AmazonEKSClusterPolicy";

    #[test]
    fn eks_trust_and_eks_policies_pass() {
        let findings = with_role(
            trust(json!({"Service": "eks.amazonaws.com"})),
            &[
                CLUSTER_POLICY,
                "arn:aws:iam::aws:policy/AmazonEKSComputePolicy",
            ],
            &[],
        );
        assert_eq!(statuses(&findings), [Status::Pass]);
    }

    #[test]
    fn other_principals_policies_and_inline_policies_fail() {
        let findings = with_role(
            trust(
                json!({"Service": ["eks.amazonaws.com", "ec2.amazonaws.com"], "AWS": "arn:aws:iam::444455556666:root"}),
            ),
            &[
                CLUSTER_POLICY,
                "arn:aws:iam::aws:policy/AdministratorAccess",
            ],
            &["extra"],
        );
        assert_eq!(statuses(&findings), [Status::Fail]);
        let message = &findings[0].message;
        for expected in [
            "Service ec2.amazonaws.com",
            "AWS arn:aws:iam::444455556666:root",
            "AdministratorAccess",
            "inline policies: extra",
        ] {
            assert!(message.contains(expected), "{message}");
        }
    }

    #[test]
    fn a_customer_policy_named_like_eks_s_is_not_eks_s() {
        let findings = with_role(
            trust(json!({"Service": "eks.amazonaws.com"})),
            &["arn:aws:iam::111122223333:policy/AmazonEKSClusterPolicy"],
            &[],
        );
        assert_eq!(statuses(&findings), [Status::Fail]);
    }

    #[test]
    fn an_unread_role_is_an_error() {
        let mut inv = cluster();
        inv.cluster.got_mut().unwrap().role_arn =
            Some("arn:aws:iam::111122223333:role/eks-cluster".into());
        inv.cluster_role = Read::NotCollected;
        assert_eq!(statuses(&run(&CHECK, &inv)), [Status::Error]);
    }
}
