//! `pod-host-path`: The checklist's "deny hostPath" (emptyDir and CSI volumes are fine): pods that mount a hostPath
//! volume fail, naming the paths.

use crate::checks::frameworks::{bp, nist};
use crate::checks::shared::k8s::judge_workloads;
use crate::checks::{Area, Check, Ctx, Eval, Evaluation, Remediation, Severity};
use crate::inventory::k8s::resources::WORKLOAD_READS;

/// The check.
pub static CHECK: Check = Check {
    id: "pod-host-path",
    aliases: &[],
    area: Area::Pod,
    title: "No pod mounts a directory of the node (hostPath)",
    severity: Severity::Medium,
    refs: &[nist("PR.AC-4"), nist("PR.IP-1"), bp("pod-security")],
    needs: WORKLOAD_READS,
    rationale: "A hostPath volume gives the pod a directory of the node: logs with other pods' data, the kubelet's \
credentials, the container runtime's socket. Writable, it is a way onto the node; it also pins the pod to \
node state that the scheduler does not see.",
    remediation: Remediation {
        text: "Use emptyDir, a ConfigMap, or a CSI volume (EBS, EFS) instead; where a node agent must read host \
files, mount them readOnly and enforce the baseline Pod Security Standard everywhere else.",
        cli: None,
        terraform: None,
    },
    links: &["https://kubernetes.io/docs/concepts/security/pod-security-standards/"],
    eval: Eval::Cluster(eval),
};

fn eval(ctx: &Ctx<'_>) -> Evaluation {
    judge_workloads(ctx, "mounts no hostPath volume", |w| {
        Some(
            w.spec
                .volumes
                .iter()
                .filter_map(|v| {
                    v.host_path
                        .as_ref()
                        .map(|h| format!("volume {} mounts the node's {}", v.name, h.path))
                })
                .collect(),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testkit::k8s::*;

    #[test]
    fn the_hardened_workload_passes() {
        assert_hardened_workload_passes(&CHECK);
    }

    #[test]
    fn the_workload_fails_saying_why() {
        assert_api_fails_when(
            &CHECK,
            |w| {
                w.spec.volumes.push(crate::inventory::k8s::Volume {
                    name: "logs".into(),
                    host_path: Some(crate::inventory::k8s::HostPath {
                        path: "/var/log".into(),
                    }),
                });
            },
            "mounts the node's /var/log",
        );
    }
}
