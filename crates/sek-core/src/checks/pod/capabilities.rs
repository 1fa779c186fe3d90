//! `pod-capabilities`: CIS EKS 1.3.0 4.2.7 and 4.2.8, "minimize the admission of containers with added
//! capabilities" and "with capabilities assigned".
//!
//! A container fails when it adds a capability (NET_BIND_SERVICE, which the restricted Pod Security
//! Standard allows, excepted) or does not drop ALL, which keeps the runtime defaults (NET_RAW
//! among them).

use crate::checks::frameworks::{bp, cis13, nist};
use crate::checks::shared::k8s::{containers_where, judge_workloads};
use crate::checks::{Area, Check, Ctx, Eval, Evaluation, Remediation, Severity};
use crate::inventory::k8s::resources::WORKLOAD_READS;

/// The check.
pub static CHECK: Check = Check {
    id: "pod-capabilities",
    aliases: &[],
    area: Area::Pod,
    title: "Containers drop ALL capabilities and add none",
    severity: Severity::Medium,
    refs: &[
        cis13("4.2.7"),
        cis13("4.2.8"),
        nist("PR.AC-4"),
        nist("PR.IP-1"),
        bp("pod-security"),
    ],
    needs: WORKLOAD_READS,
    rationale: "Capabilities split root's power; the runtime's defaults still include NET_RAW (spoofed packets, \
ARP and DNS poisoning on the node network) and others no application needs, and SYS_ADMIN or NET_ADMIN \
are near-root.",
    remediation: Remediation {
        text: "Set `capabilities: {drop: [ALL]}` on every container and add back only what it needs (usually \
nothing, at most NET_BIND_SERVICE).",
        cli: None,
        terraform: None,
    },
    links: &["https://kubernetes.io/docs/concepts/security/pod-security-standards/"],
    eval: Eval::Cluster(eval),
};

fn eval(ctx: &Ctx<'_>) -> Evaluation {
    judge_workloads(
        ctx,
        "every container drops ALL capabilities and adds none beyond NET_BIND_SERVICE",
        |w| {
            Some(containers_where(&w.spec, |c| {
                let caps = c
                    .security_context
                    .as_ref()
                    .and_then(|s| s.capabilities.as_ref());
                let added: Vec<&str> = caps
                    .map(|k| {
                        k.add
                            .iter()
                            .map(String::as_str)
                            .filter(|a| !a.eq_ignore_ascii_case("NET_BIND_SERVICE"))
                            .collect()
                    })
                    .unwrap_or_default();
                let drops_all =
                    caps.is_some_and(|k| k.drop.iter().any(|d| d.eq_ignore_ascii_case("ALL")));
                let mut why = Vec::new();
                if !added.is_empty() {
                    why.push(format!("adds {}", added.join(", ")));
                }
                if !drops_all {
                    why.push(
                        "does not drop ALL (keeps the runtime defaults, NET_RAW included)"
                            .to_string(),
                    );
                }
                (!why.is_empty()).then(|| why.join(", "))
            }))
        },
    )
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
                first_container_context(w).capabilities =
                    Some(crate::inventory::k8s::Capabilities {
                        add: vec!["NET_ADMIN".into()],
                        drop: vec![],
                    });
            },
            "adds NET_ADMIN",
        );
    }

    #[test]
    fn the_aws_components_are_built_in_exceptions() {
        assert_aws_node_is_not_failed(&CHECK);
    }
}
