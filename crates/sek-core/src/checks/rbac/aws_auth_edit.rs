//! `rbac-aws-auth-edit`: few bindings may change `kube-system/aws-auth`, the ConfigMap that maps
//! IAM principals to Kubernetes users and groups (`system:masters` included).
//!
//! A rule counts when it allows `update`, `patch` or `delete` on ConfigMaps in the API core group,
//! for every name or for `aws-auth`, through a ClusterRoleBinding or a RoleBinding in
//! `kube-system`. Kubernetes' and EKS's own bindings are built-in exceptions.

use crate::checks::frameworks::{bp, cis18, nist};
use crate::checks::shared::k8s::{Access, Grant, describe_rule, judge_bindings};
use crate::checks::{Area, Check, Ctx, Eval, Evaluation, Remediation, Severity};
use crate::inventory::k8s::resources::RBAC_READS;

/// Changing (or deleting and recreating) a ConfigMap.
const ACCESS: Access = Access {
    verbs: &["update", "patch", "delete"],
    groups: &[""],
    resources: &["configmaps"],
};

/// The check.
pub static CHECK: Check = Check {
    id: "rbac-aws-auth-edit",
    aliases: &[],
    area: Area::Rbac,
    title: "Few bindings may change the aws-auth ConfigMap",
    severity: Severity::Critical,
    refs: &[
        cis18("4.1.7"),
        nist("PR.AC-1"),
        nist("PR.AC-4"),
        bp("identity-and-access-management"),
    ],
    needs: RBAC_READS,
    rationale: "While a cluster authenticates with the aws-auth ConfigMap, whoever may edit it can map any \
IAM principal they control to system:masters: cluster-admin that no RBAC binding shows and that survives \
the removal of their own access. Access entries (authentication mode API) take this lever away.",
    remediation: Remediation {
        text: "Remove update, patch and delete on configmaps (or on aws-auth by name) in kube-system from every \
role but the administrators'; move to access entries and the API authentication mode.",
        cli: Some("kubectl auth can-i update configmaps/aws-auth -n kube-system --as=<subject>"),
        terraform: None,
    },
    links: &["https://docs.aws.amazon.com/eks/latest/userguide/auth-configmap.html"],
    eval: Eval::Cluster(eval),
};

fn eval(ctx: &Ctx<'_>) -> Evaluation {
    judge_bindings(ctx, "changes to kube-system/aws-auth", |view, binding| {
        // A RoleBinding grants in its own namespace only.
        let reaches_kube_system =
            binding.kind == "ClusterRoleBinding" || binding.metadata.namespace == "kube-system";
        if !reaches_kube_system {
            return None;
        }
        let role = view.role_of(binding)?;
        let rules: Vec<String> = role
            .rules
            .iter()
            .filter(|rule| {
                ACCESS.allowed_by(rule)
                    && (rule.resource_names.is_empty()
                        || rule.resource_names.iter().any(|n| n == "aws-auth"))
            })
            .map(describe_rule)
            .collect();
        (!rules.is_empty()).then(|| Grant::new(role, rules))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::Status;
    use crate::checks::testkit::k8s::*;
    use crate::checks::testkit::{about, run};
    use crate::inventory::ClusterInventory;

    fn granting_in(namespace: &str, names: &[&str], verbs: &[&str]) -> ClusterInventory {
        let mut inv = kube_cluster();
        let k8s = k8s(&mut inv);
        let mut edit = rule(&[""], &["configmaps"], verbs);
        edit.resource_names = names.iter().map(|n| n.to_string()).collect();
        k8s.roles
            .data_mut()
            .push(role(namespace, "cm-edit", vec![edit]));
        let role_ref = if namespace.is_empty() {
            "ClusterRole/cm-edit"
        } else {
            "Role/cm-edit"
        };
        k8s.role_bindings.got_mut().unwrap().push(binding(
            namespace,
            "cm-edit",
            role_ref,
            &["Group:ops"],
        ));
        inv
    }

    #[test]
    fn editing_aws_auth_in_kube_system_or_cluster_wide_fails() {
        for (namespace, names, reference) in [
            (
                "kube-system",
                vec!["aws-auth"],
                "RoleBinding/kube-system/cm-edit",
            ),
            ("kube-system", vec![], "RoleBinding/kube-system/cm-edit"),
            ("", vec![], "ClusterRoleBinding//cm-edit"),
        ] {
            let findings = run(&CHECK, &granting_in(namespace, &names, &["patch"]));
            let finding = about(&findings, reference);
            assert_eq!(finding.status, Status::Fail, "{reference} {names:?}");
            assert!(finding.message.contains("Group:ops"), "{}", finding.message);
        }
    }

    #[test]
    fn other_namespaces_other_names_and_reads_pass() {
        for inv in [
            granting_in("web", &[], &["update"]),
            granting_in("kube-system", &["coredns"], &["update"]),
            granting_in("kube-system", &["aws-auth"], &["get", "list"]),
        ] {
            let findings = run(&CHECK, &inv);
            assert!(
                findings.iter().all(|f| f.status != Status::Fail),
                "{findings:#?}"
            );
        }
    }
}
