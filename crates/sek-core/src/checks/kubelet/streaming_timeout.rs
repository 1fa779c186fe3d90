//! `kubelet-streaming-timeout`: CIS EKS 3.2.5, "--streaming-connection-idle-timeout is not set to 0".

use crate::checks::frameworks::{bp, cis13, cis18, nist};
use crate::checks::kubelet::{KUBELET_READS, judge_kubelets, verdict};
use crate::checks::{Area, Check, Ctx, Eval, Evaluation, Remediation, Severity};

/// Whether a Go duration (`0`, `0s`, `0h0m0s`) is zero.
fn is_zero(duration: &str) -> bool {
    duration
        .trim()
        .chars()
        .all(|c| !c.is_ascii_digit() || c == '0')
}

/// The check.
pub static CHECK: Check = Check {
    id: "kubelet-streaming-timeout",
    aliases: &[],
    area: Area::Kubelet,
    title: "Kubelet streaming connections time out when idle",
    severity: Severity::Low,
    refs: &[
        cis13("3.2.5"),
        cis18("3.2.5"),
        nist("PR.AC-3"),
        bp("protecting-the-infrastructure"),
    ],
    needs: KUBELET_READS,
    rationale: "A streaming session (exec, attach, port-forward) without an idle timeout stays open forever: a \
forgotten shell in a pod is a standing backdoor, and open connections exhaust the kubelet.",
    remediation: Remediation {
        text: "Leave `streamingConnectionIdleTimeout` at its default (4h) or set a shorter non-zero duration.",
        cli: Some("kubectl get --raw /api/v1/nodes/<node>/proxy/configz"),
        terraform: None,
    },
    links: &["https://kubernetes.io/docs/reference/config-api/kubelet-config.v1beta1/"],
    eval: Eval::Cluster(eval),
};

fn eval(ctx: &Ctx<'_>) -> Evaluation {
    judge_kubelets(ctx, |e| {
        verdict(
            !is_zero(&e.streaming_connection_idle_timeout.value),
            "streamingConnectionIdleTimeout",
            &e.streaming_connection_idle_timeout,
            "idle exec, attach and port-forward sessions are closed",
            "idle exec, attach and port-forward sessions are never closed",
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
                c["streamingConnectionIdleTimeout"] = json!("0s");
            },
            "never closed",
        );
    }
}
