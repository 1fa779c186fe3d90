//! `kubelet-event-qps`: CIS EKS 1.3.0 3.2.8 / 1.8.0 3.2.7, "--eventRecordQPS is set to 0 or a level which ensures
//! appropriate event capture". The kubelet's default (50, also when configz omits it) passes:
//! failing it is the benchmark's well-known false failure. Below 5 events/s events are dropped.

use crate::checks::frameworks::{bp, cis13, cis18, nist};
use crate::checks::kubelet::{KUBELET_READS, judge_kubelets, verdict};
use crate::checks::{Area, Check, Ctx, Eval, Evaluation, Remediation, Severity};

/// Below this rate a node under stress drops events.
const MIN_QPS: i64 = 5;

/// The check.
pub static CHECK: Check = Check {
    id: "kubelet-event-qps",
    aliases: &[],
    area: Area::Kubelet,
    title: "Kubelets record events at a rate that keeps them",
    severity: Severity::Low,
    refs: &[
        cis13("3.2.8"),
        cis18("3.2.7"),
        nist("DE.AE-3"),
        bp("auditing-and-logging"),
    ],
    needs: KUBELET_READS,
    rationale: "Events are the cluster's record of what happened on a node (pulls, kills, evictions, probes); a \
rate limit set too low drops them exactly when something goes wrong, leaving investigations without evidence.",
    remediation: Remediation {
        text: "Leave `eventRecordQPS` at its default (50) or set 0 (no limit) or a value of at least 5.",
        cli: Some("kubectl get --raw /api/v1/nodes/<node>/proxy/configz"),
        terraform: None,
    },
    links: &["https://kubernetes.io/docs/reference/config-api/kubelet-config.v1beta1/"],
    eval: Eval::Cluster(eval),
};

fn eval(ctx: &Ctx<'_>) -> Evaluation {
    judge_kubelets(ctx, |e| {
        verdict(
            e.event_record_qps.value == 0 || e.event_record_qps.value >= MIN_QPS,
            "eventRecordQPS",
            &e.event_record_qps,
            "events are recorded (0 means unlimited)",
            "bursts of events beyond this rate are dropped before they reach the API server",
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
                c["eventRecordQPS"] = json!(1);
            },
            "dropped",
        );
    }
}
