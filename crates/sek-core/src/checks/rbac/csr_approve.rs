//! `rbac-csr-approve`: few bindings may approve or sign CertificateSigningRequests (CIS Kubernetes
//! 5.1.11, "minimize access to the approval sub-resource of certificatesigningrequests objects").
//!
//! Approving needs `update` on `certificatesigningrequests/approval`, signing `update` on
//! `certificatesigningrequests/status`, each with `approve`/`sign` on a signer; a rule granting
//! either subresource is reported. Kubernetes' and EKS's own bindings are built-in exceptions.

use crate::checks::frameworks::{bp, nist};
use crate::checks::shared::k8s::{Access, judge_grants};
use crate::checks::{Area, Check, Ctx, Eval, Evaluation, Remediation, Severity};
use crate::inventory::k8s::resources::RBAC_READS;

/// The access this check looks for.
const ACCESS: Access = Access {
    verbs: &["update", "patch"],
    groups: &["certificates.k8s.io"],
    resources: &[
        "certificatesigningrequests/approval",
        "certificatesigningrequests/status",
    ],
};

/// The check.
pub static CHECK: Check = Check {
    id: "rbac-csr-approve",
    aliases: &[],
    area: Area::Rbac,
    title: "Few bindings may approve or sign certificate signing requests",
    severity: Severity::High,
    refs: &[
        nist("PR.AC-1"),
        nist("PR.AC-4"),
        bp("identity-and-access-management"),
    ],
    needs: RBAC_READS,
    rationale: "An approved CertificateSigningRequest for the kube-apiserver-client signer is a client \
certificate for any user and group the requester chose, system:masters included, valid until it expires and \
not revocable. Whoever can approve (or sign) requests can mint cluster-admin credentials that survive the \
removal of their own access.",
    remediation: Remediation {
        text: "Leave approval to the control plane's own approvers; remove update on \
certificatesigningrequests/approval and /status from other roles, and restrict `approve` on signers to \
specific signer names.",
        cli: Some(
            "kubectl auth can-i update certificatesigningrequests --subresource=approval --as=<subject>",
        ),
        terraform: None,
    },
    links: &[
        "https://kubernetes.io/docs/reference/access-authn-authz/certificate-signing-requests/#authorization",
    ],
    eval: Eval::Cluster(eval),
};

fn eval(ctx: &Ctx<'_>) -> Evaluation {
    judge_grants(ctx, "approval or signing of certificate requests", ACCESS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testkit::k8s::*;

    #[test]
    fn a_binding_granting_it_fails_a_wildcard_counts_creating_requests_passes() {
        assert_judges_grants(
            &CHECK,
            rule(
                &["certificates.k8s.io"],
                &["certificatesigningrequests/approval"],
                &["update"],
            ),
            rule(
                &["certificates.k8s.io"],
                &["certificatesigningrequests"],
                &["create", "get"],
            ),
        );
        assert_judges_grants(
            &CHECK,
            rule(
                &["certificates.k8s.io"],
                &["certificatesigningrequests/*"],
                &["patch"],
            ),
            rule(&[""], &["certificatesigningrequests/approval"], &["update"]),
        );
    }
}
