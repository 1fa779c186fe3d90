//! `pod-host-port`: no container binds a port of its node (`ports[].hostPort`), CIS Kubernetes
//! 5.2.13 ("minimize the admission of containers which use HostPorts").
//!
//! Pods on the host network are left to `pod-host-network`: Kubernetes sets their hostPorts
//! itself. AWS components are built-in exceptions. A snapshot from a sek that did not record
//! ports is an error, never a pass.

use crate::checks::frameworks::{bp, nist};
use crate::checks::shared::k8s::{judge_workloads, kubernetes};
use crate::checks::{Area, Check, Ctx, Eval, Evaluation, Remediation, Severity};
use crate::inventory::k8s::resources::WORKLOAD_READS;
use crate::inventory::{Missing, Why};

/// The check.
pub static CHECK: Check = Check {
    id: "pod-host-port",
    aliases: &[],
    area: Area::Pod,
    title: "No container binds a port of its node",
    severity: Severity::Medium,
    refs: &[nist("PR.AC-5"), bp("pod-security")],
    needs: WORKLOAD_READS,
    rationale: "A hostPort opens the port on the node's own address, outside Services and often outside \
network policies: it exposes the pod to everything that reaches the node, ties it to one node, and lets a pod \
squat a port a node agent expects.",
    remediation: Remediation {
        text: "Remove hostPort and expose the workload through a Service (ClusterIP, or a load balancer for \
traffic from outside the cluster).",
        cli: Some(
            "kubectl get pods -A -o json | jq -r '.items[] | select([.spec.containers[].ports[]?.hostPort] | any) | .metadata.namespace + \"/\" + .metadata.name'",
        ),
        terraform: None,
    },
    links: &["https://kubernetes.io/docs/concepts/configuration/overview/#services"],
    eval: Eval::Cluster(eval),
};

fn eval(ctx: &Ctx<'_>) -> Evaluation {
    let unrecorded = kubernetes(ctx)?
        .workloads()?
        .iter()
        .any(|w| w.spec.all_containers().any(|(_, c)| c.ports.is_none()));
    if unrecorded {
        return Err(Missing::new(
            "the containers' ports (this snapshot's sek did not record them)",
            WORKLOAD_READS,
            Why::NotCollected,
        ));
    }
    judge_workloads(ctx, "binds no port of its node", |w| {
        if w.spec.host_network {
            return None;
        }
        let bound: Vec<String> = w
            .spec
            .all_containers()
            .flat_map(|(kind, c)| {
                c.ports.iter().flatten().filter_map(move |p| {
                    p.host_port.filter(|port| *port > 0).map(|port| {
                        format!(
                            "{kind} {}: hostPort {port} (container port {})",
                            c.name, p.container_port
                        )
                    })
                })
            })
            .collect();
        Some(bound)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::Status;
    use crate::checks::testkit::k8s::*;
    use crate::checks::testkit::{about, run};

    #[test]
    fn the_hardened_workload_passes() {
        assert_hardened_workload_passes(&CHECK);
    }

    #[test]
    fn a_host_port_fails_saying_which() {
        assert_api_fails_when(
            &CHECK,
            |w| {
                w.spec.containers[0].ports.as_mut().unwrap()[0].host_port = Some(8080);
            },
            "hostPort 8080",
        );
    }

    #[test]
    fn host_network_pods_are_left_to_pod_host_network() {
        let mut inv = kube_cluster();
        let api = api_of(&mut inv);
        api.spec.host_network = true;
        api.spec.containers[0].ports.as_mut().unwrap()[0].host_port = Some(8080);
        let findings = run(&CHECK, &inv);
        assert!(
            findings
                .iter()
                .all(|f| !f.resource.ends_with("Deployment/web/api"))
        );
    }

    #[test]
    fn ports_a_snapshot_did_not_record_are_an_error() {
        let mut inv = kube_cluster();
        api_of(&mut inv).spec.containers[0].ports = None;
        let findings = run(&CHECK, &inv);
        assert_eq!(findings[0].status, Status::Error);
        assert!(
            findings[0].message.contains("did not record"),
            "{}",
            findings[0].message
        );
        let _ = about;
    }
}
