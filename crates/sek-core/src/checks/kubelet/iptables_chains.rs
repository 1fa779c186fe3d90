//! `kubelet-iptables-chains`: CIS EKS 3.2.6, "--make-iptables-util-chains is set to true".

use crate::checks::frameworks::{bp, cis13, cis18, nist};
use crate::checks::kubelet::{KUBELET_READS, judge_kubelets, verdict};
use crate::checks::{Area, Check, Ctx, Eval, Evaluation, Remediation, Severity};

/// The check.
pub static CHECK: Check = Check {
    id: "kubelet-iptables-chains",
    aliases: &[],
    area: Area::Kubelet,
    title: "Kubelets manage their iptables chains",
    severity: Severity::Low,
    refs: &[
        cis13("3.2.6"),
        cis18("3.2.6"),
        nist("PR.AC-5"),
        bp("protecting-the-infrastructure"),
    ],
    needs: KUBELET_READS,
    rationale: "When the kubelet manages its iptables utility chains, the node's packet filtering follows pod \
networking; off, the rules depend on manual or third-party changes that drift and may open or break traffic.",
    remediation: Remediation {
        text: "Leave `makeIPTablesUtilChains` at its default (true).",
        cli: Some("kubectl get --raw /api/v1/nodes/<node>/proxy/configz"),
        terraform: None,
    },
    links: &["https://kubernetes.io/docs/reference/config-api/kubelet-config.v1beta1/"],
    eval: Eval::Cluster(eval),
};

fn eval(ctx: &Ctx<'_>) -> Evaluation {
    judge_kubelets(ctx, |e| {
        verdict(
            e.make_iptables_util_chains.value,
            "makeIPTablesUtilChains",
            &e.make_iptables_util_chains,
            "the kubelet keeps its iptables chains in line with pod networking",
            "iptables rules can drift from what pods need, by hand or by other tools",
        )
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::checks::testkit::kubelet::*;

    #[test]
    fn every_os_family_passes_and_a_kubelet_configured_otherwise_fails() {
        assert_every_os_family_passes(&CHECK);
        assert_fails_when(
            &CHECK,
            |c| {
                c["makeIPTablesUtilChains"] = json!(false);
            },
            "drift",
        );
    }
}
