//! `pod-runtime-socket`: no pod mounts the container runtime's socket (containerd, Docker,
//! CRI-O), or a directory that holds it.

use crate::checks::frameworks::{bp, nist};
use crate::checks::shared::k8s::judge_workloads;
use crate::checks::{Area, Check, Ctx, Eval, Evaluation, Remediation, Severity};
use crate::inventory::k8s::resources::WORKLOAD_READS;

/// Where runtimes listen.
const SOCKETS: &[&str] = &[
    "/run/containerd/containerd.sock",
    "/var/run/containerd/containerd.sock",
    "/run/docker.sock",
    "/var/run/docker.sock",
    "/run/crio/crio.sock",
    "/var/run/crio/crio.sock",
    "/run/cri-dockerd.sock",
    "/var/run/cri-dockerd.sock",
];

/// The socket `path` exposes: the socket itself or a directory above it.
fn exposed_socket(path: &str) -> Option<&'static str> {
    let dir = path.trim_end_matches('/');
    SOCKETS
        .iter()
        .copied()
        .find(|socket| *socket == dir || socket.starts_with(&format!("{dir}/")))
}

/// The check.
pub static CHECK: Check = Check {
    id: "pod-runtime-socket",
    aliases: &[],
    area: Area::Pod,
    title: "No pod mounts the container runtime socket",
    severity: Severity::Critical,
    refs: &[nist("PR.AC-4"), nist("PR.IP-1"), bp("pod-security")],
    needs: WORKLOAD_READS,
    rationale: "The runtime socket is the API that starts containers: whoever reaches it starts a privileged \
container on the node, reads every other container's files and environment, and so holds the node and every \
credential on it. Mounting /var/run or /run exposes it just the same.",
    remediation: Remediation {
        text: "Remove hostPath mounts of the runtime socket (and of /run, /var/run); build images with \
Kaniko or BuildKit rootless instead of Docker-in-Docker, and read container data through the Kubernetes API.",
        cli: None,
        terraform: None,
    },
    links: &["https://aws.github.io/aws-eks-best-practices/security/docs/pods/"],
    eval: Eval::Cluster(eval),
};

fn eval(ctx: &Ctx<'_>) -> Evaluation {
    judge_workloads(ctx, "mounts no container runtime socket", |w| {
        Some(
            w.spec
                .volumes
                .iter()
                .filter_map(|v| {
                    let path = &v.host_path.as_ref()?.path;
                    exposed_socket(path).map(|socket| {
                        if socket == path.trim_end_matches('/') {
                            format!("volume {} mounts the runtime socket {socket}", v.name)
                        } else {
                            format!(
                                "volume {} mounts the node's {path}, which holds {socket}",
                                v.name
                            )
                        }
                    })
                })
                .collect(),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::Status;
    use crate::checks::testkit::k8s::*;
    use crate::checks::testkit::*;
    use crate::inventory::k8s::{HostPath, Volume};

    #[test]
    fn the_socket_or_a_parent_directory_is_exposure_other_paths_are_not() {
        assert_eq!(
            exposed_socket("/var/run/docker.sock"),
            Some("/var/run/docker.sock")
        );
        assert_eq!(
            exposed_socket("/run/containerd/"),
            Some("/run/containerd/containerd.sock")
        );
        assert_eq!(exposed_socket("/var/log"), None);
        assert_eq!(exposed_socket("/run/containerd-other"), None);
    }

    #[test]
    fn a_workload_mounting_var_run_fails() {
        let mut inv = kube_cluster();
        api_of(&mut inv).spec.volumes.push(Volume {
            name: "run".into(),
            host_path: Some(HostPath {
                path: "/var/run".into(),
            }),
        });
        let findings = run(&CHECK, &inv);
        let finding = about(&findings, "Deployment/web/api");
        assert_eq!(finding.status, Status::Fail);
        assert!(
            finding.message.contains("which holds /var/run/"),
            "{}",
            finding.message
        );
    }
}
