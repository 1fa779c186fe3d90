//! `rbac-exec`: few bindings may run commands in, attach to or port-forward into pods
//! (`pods/exec`, `pods/attach`, `pods/portforward`).
//!
//! `create` is what the API server checks; before Kubernetes 1.31 a WebSocket `get` was enough,
//! so `get` counts too. Kubernetes' and EKS's own bindings are built-in exceptions.

use crate::checks::frameworks::{bp, nist};
use crate::checks::shared::k8s::{Access, judge_grants};
use crate::checks::{Area, Check, Ctx, Eval, Evaluation, Remediation, Severity};
use crate::inventory::k8s::resources::RBAC_READS;

/// The access this check looks for.
const ACCESS: Access = Access {
    verbs: &["create", "get"],
    groups: &[""],
    resources: &["pods/exec", "pods/attach", "pods/portforward"],
};

/// The check.
pub static CHECK: Check = Check {
    id: "rbac-exec",
    aliases: &[],
    area: Area::Rbac,
    title: "Few bindings may exec, attach or port-forward into pods",
    severity: Severity::High,
    refs: &[nist("PR.AC-4"), bp("identity-and-access-management")],
    needs: RBAC_READS,
    rationale: "exec and attach run commands inside a running container with its service account token, \
mounted Secrets and network position, and port-forward reaches ports no Service exposes; none of it passes \
admission control. Whoever holds them holds every workload in their scope, and the commands they run leave \
no trace beyond the audit log's one request.",
    remediation: Remediation {
        text: "Remove pods/exec, pods/attach and pods/portforward from roles used day to day; grant them \
through a separate, audited break-glass role, and debug with ephemeral containers or logs instead.",
        cli: Some(
            "kubectl auth can-i create pods --subresource=exec --as=<subject> -n <namespace>",
        ),
        terraform: None,
    },
    links: &["https://kubernetes.io/docs/concepts/security/rbac-good-practices/"],
    eval: Eval::Cluster(eval),
};

fn eval(ctx: &Ctx<'_>) -> Evaluation {
    judge_grants(ctx, "exec, attach or port-forward into pods", ACCESS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testkit::k8s::*;

    #[test]
    fn a_binding_granting_it_fails_a_wildcard_counts_reading_pods_passes() {
        assert_judges_grants(
            &CHECK,
            rule(&[""], &["pods/exec"], &["create"]),
            rule(&[""], &["pods", "pods/log"], &["get", "list"]),
        );
        assert_judges_grants(
            &CHECK,
            rule(&[""], &["pods/portforward"], &["get"]),
            rule(&["apps"], &["deployments"], &["create"]),
        );
    }
}
