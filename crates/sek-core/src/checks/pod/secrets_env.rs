//! `pod-secrets-env`: CIS EKS 4.4.1, "prefer using secrets as files over secrets as environment variables".

use crate::checks::frameworks::{bp, cis13, cis18, nist};
use crate::checks::shared::k8s::{containers_where, judge_workloads};
use crate::checks::{Area, Check, Ctx, Eval, Evaluation, Remediation, Severity};
use crate::inventory::k8s::resources::WORKLOAD_READS;

/// The check.
pub static CHECK: Check = Check {
    id: "pod-secrets-env",
    aliases: &[],
    area: Area::Pod,
    title: "Secrets are mounted as files, not environment variables",
    severity: Severity::Low,
    refs: &[
        cis13("4.4.1"),
        cis18("4.4.1"),
        nist("PR.DS-5"),
        bp("data-encryption-and-secrets-management"),
    ],
    needs: WORKLOAD_READS,
    rationale: "Environment variables leak: they are inherited by every child process, printed by crash \
reports and debug endpoints, and visible in /proc to anything sharing the PID namespace. Mounted files have \
permissions and are updated when the Secret rotates.",
    remediation: Remediation {
        text: "Mount the Secret as a volume (or use the Secrets Store CSI driver) and read the file; remove \
`secretKeyRef` and `envFrom.secretRef`.",
        cli: None,
        terraform: None,
    },
    links: &["https://kubernetes.io/docs/concepts/security/pod-security-standards/"],
    eval: Eval::Cluster(eval),
};

fn eval(ctx: &Ctx<'_>) -> Evaluation {
    judge_workloads(
        ctx,
        "no container reads a Secret into its environment",
        |w| {
            Some(containers_where(&w.spec, |c| {
                let mut from: Vec<String> = c
                    .env
                    .iter()
                    .filter_map(|e| {
                        let key = e.value_from.as_ref()?.secret_key_ref.as_ref()?;
                        Some(format!("{} from Secret {}", e.name, key.name))
                    })
                    .collect();
                from.extend(
                    c.env_from
                        .iter()
                        .filter_map(|e| e.secret_ref.as_ref())
                        .map(|s| format!("every key of Secret {}", s.name)),
                );
                (!from.is_empty()).then(|| format!("environment holds {}", from.join(", ")))
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
                w.spec.containers[0]
                    .env
                    .push(crate::inventory::k8s::EnvVar {
                        name: "DB_PASSWORD".into(),
                        value_from: Some(crate::inventory::k8s::EnvVarSource {
                            secret_key_ref: Some(crate::inventory::k8s::KeyRef {
                                name: "db".into(),
                                key: "password".into(),
                            }),
                        }),
                    });
            },
            "DB_PASSWORD from Secret db",
        );
    }
}
