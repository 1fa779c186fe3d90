//! `rbac-pv-create`: CIS EKS 1.8.0 4.1.9, "minimize access to create PersistentVolume objects".
//!
//! Each binding whose role allows it fails, naming the rules and the subjects; Kubernetes' and
//! EKS's own bindings are built-in exceptions.

use crate::checks::frameworks::{bp, cis18, nist};
use crate::checks::shared::k8s::{Access, judge_grants};
use crate::checks::{Area, Check, Ctx, Eval, Evaluation, Remediation, Severity};
use crate::inventory::k8s::resources::RBAC_READS;

/// The access this check looks for.
const ACCESS: Access = Access {
    verbs: &["create"],
    groups: &[""],
    resources: &["persistentvolumes"],
};

/// The check.
pub static CHECK: Check = Check {
    id: "rbac-pv-create",
    aliases: &[],
    area: Area::Rbac,
    title: "Few bindings may create PersistentVolumes",
    severity: Severity::Medium,
    refs: &[
        cis18("4.1.9"),
        nist("PR.AC-4"),
        bp("identity-and-access-management"),
    ],
    needs: RBAC_READS,
    rationale: "A PersistentVolume may be a hostPath: creating one and claiming it mounts a directory of the node \
into a pod, which bypasses Pod Security Admission's hostPath restriction and exposes the node's files.",
    remediation: Remediation {
        text: "Let only storage administrators and CSI provisioners create PersistentVolumes; users claim storage \
through PersistentVolumeClaims and StorageClasses.",
        cli: Some("kubectl auth can-i create persistentvolumes --as=<subject>"),
        terraform: None,
    },
    links: &["https://kubernetes.io/docs/concepts/security/rbac-good-practices/"],
    eval: Eval::Cluster(eval),
};

fn eval(ctx: &Ctx<'_>) -> Evaluation {
    judge_grants(ctx, "PersistentVolume creation", ACCESS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testkit::k8s::*;

    #[test]
    fn a_binding_granting_it_fails_a_wildcard_counts_a_narrower_rule_passes() {
        assert_judges_grants(
            &CHECK,
            rule(&[""], &["persistentvolumes"], &["create"]),
            rule(&[""], &["persistentvolumeclaims"], &["create"]),
        );
    }

    /// The EBS CSI driver's provisioner may create PersistentVolumes: installed by the add-on
    /// (EKS manages its fields), it is waived with the reason; the same name without that
    /// provenance is a user's binding and fails.
    #[test]
    fn an_add_ons_binding_is_waived_by_provenance_not_by_name() {
        use crate::checks::Status;
        use crate::checks::testkit::{about, run};
        let provisioner = |managers: &[&str]| {
            let mut inv = kube_cluster();
            let k8s = k8s(&mut inv);
            let mut role = role(
                "",
                "ebs-external-provisioner-role",
                vec![rule(&[""], &["persistentvolumes"], &["create", "delete"])],
            );
            role.kind = "ClusterRole".into();
            k8s.roles.data_mut().push(role);
            let mut binding = binding(
                "",
                "ebs-csi-provisioner-binding",
                "ClusterRole/ebs-external-provisioner-role",
                &["ServiceAccount:kube-system/ebs-csi-controller-sa"],
            );
            binding.kind = "ClusterRoleBinding".into();
            binding.metadata.field_managers = managers.iter().map(|m| m.to_string()).collect();
            k8s.role_bindings.got_mut().unwrap().push(binding);
            about(&run(&CHECK, &inv), "ebs-csi-provisioner-binding").clone()
        };
        let installed = provisioner(&["eks"]);
        assert_eq!(installed.status, Status::Waived);
        let waiver = installed.waiver.expect("a built-in exception");
        assert!(
            waiver.reason.contains("installed by an EKS add-on"),
            "{}",
            waiver.reason
        );
        assert_eq!(
            provisioner(&["kubectl-client-side-apply"]).status,
            Status::Fail
        );
    }
}
