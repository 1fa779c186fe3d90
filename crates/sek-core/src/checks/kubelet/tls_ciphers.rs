//! `kubelet-tls-ciphers`: the kubelet's HTTPS server accepts only strong cipher suites (CIS
//! Kubernetes 4.2.12; not in the CIS EKS benchmark). Left unset, the kubelet takes Go's default
//! suites, which still include the CBC/SHA-1 ECDHE suites: a kubelet that does not choose fails.
//! With `tlsMinVersion: VersionTLS13` the suites cannot be chosen and are all strong.

use serde_json::json;

use crate::checks::frameworks::{bp, nist};
use crate::checks::kubelet::{KUBELET_READS, judge_kubelets};
use crate::checks::{Area, Check, Ctx, Eval, Evaluation, Remediation, Severity, Status};

/// AEAD suites with forward secrecy: the CIS Kubernetes list, less its RSA key exchange suites.
const STRONG_SUITES: &[&str] = &[
    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305",
    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305",
    "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
    // TLS 1.3 suites, accepted in the list though Go ignores them there.
    "TLS_AES_128_GCM_SHA256",
    "TLS_AES_256_GCM_SHA384",
    "TLS_CHACHA20_POLY1305_SHA256",
];

/// The check.
pub static CHECK: Check = Check {
    id: "kubelet-tls-ciphers",
    aliases: &[],
    area: Area::Kubelet,
    title: "Kubelets accept only strong TLS cipher suites",
    severity: Severity::Low,
    refs: &[nist("PR.DS-2"), bp("protecting-the-infrastructure")],
    needs: KUBELET_READS,
    rationale: "The kubelet's HTTPS port serves exec, logs and pod data. Without a cipher list it accepts Go's \
default suites, CBC with SHA-1 among them; a strong list (ECDHE with AES-GCM or ChaCha20-Poly1305) or TLS 1.3 \
only removes the weaker choices an attacker on the path could negotiate down to.",
    remediation: Remediation {
        text: "Set `tlsMinVersion: VersionTLS13`, or `tlsCipherSuites` to ECDHE suites with AES-GCM or \
ChaCha20-Poly1305 only (on AL2023 through nodeadm's `kubelet.config`, on Bottlerocket through \
`settings.kubernetes`), for example TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, \
TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, \
TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305, \
TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305.",
        cli: Some("kubectl get --raw /api/v1/nodes/<node>/proxy/configz"),
        terraform: None,
    },
    links: &[
        "https://kubernetes.io/docs/reference/config-api/kubelet-config.v1beta1/",
        "https://awslabs.github.io/amazon-eks-ami/nodeadm/",
    ],
    eval: Eval::Cluster(eval),
};

fn eval(ctx: &Ctx<'_>) -> Evaluation {
    judge_kubelets(ctx, |e| {
        let evidence = json!({
            "tlsCipherSuites": e.tls_cipher_suites.evidence(),
            "tlsMinVersion": e.tls_min_version.evidence(),
        });
        if e.tls_min_version.value == "VersionTLS13" {
            return (
                Status::Pass,
                "tlsMinVersion is VersionTLS13: only TLS 1.3's suites, all strong, are negotiated"
                    .into(),
                evidence,
            );
        }
        if e.tls_cipher_suites.default {
            return (
                Status::Fail,
                "tlsCipherSuites is not set: the kubelet accepts Go's default suites, CBC with SHA-1 among them"
                    .into(),
                evidence,
            );
        }
        let weak: Vec<&str> = e
            .tls_cipher_suites
            .value
            .iter()
            .map(String::as_str)
            .filter(|suite| !STRONG_SUITES.contains(suite))
            .collect();
        if weak.is_empty() {
            (
                Status::Pass,
                format!(
                    "tlsCipherSuites lists {} strong suite(s) only",
                    e.tls_cipher_suites.value.len()
                ),
                evidence,
            )
        } else {
            (
                Status::Fail,
                format!(
                    "tlsCipherSuites accepts {} weak suite(s): {}",
                    weak.len(),
                    weak.join(", ")
                ),
                evidence,
            )
        }
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::checks::testkit::kubelet::*;
    use crate::checks::testkit::{run, statuses};

    #[test]
    fn go_default_suites_fail_on_every_os_family() {
        let findings = run(&CHECK, &with_nodes());
        assert_eq!(statuses(&findings), [Status::Fail; 3]);
        assert!(
            findings[0].message.contains("not set"),
            "{}",
            findings[0].message
        );
        assert_eq!(
            findings[0].evidence["tlsCipherSuites"]["source"],
            "kubelet default"
        );
    }

    #[test]
    fn a_strong_list_or_tls13_only_passes_and_a_weak_suite_fails_by_name() {
        let strong = with_al2023(|c| {
            c["tlsCipherSuites"] = json!([
                "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
                "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305"
            ]);
        });
        assert_eq!(run(&CHECK, &strong)[0].status, Status::Pass);
        let tls13 = with_al2023(|c| c["tlsMinVersion"] = json!("VersionTLS13"));
        assert_eq!(run(&CHECK, &tls13)[0].status, Status::Pass);
        assert_fails_when(
            &CHECK,
            |c| {
                c["tlsCipherSuites"] = json!([
                    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
                    "TLS_RSA_WITH_AES_128_CBC_SHA"
                ]);
            },
            "1 weak suite(s): TLS_RSA_WITH_AES_128_CBC_SHA",
        );
    }
}
