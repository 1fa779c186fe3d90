//! `kube-proxy-metrics`: kube-proxy serves its metrics on the node's loopback address only
//! (`metricsBindAddress`; kube-proxy's own default). EKS's kube-proxy configuration binds them to
//! `0.0.0.0:10249`, so every pod and anything that reaches the node
//! can read them, unauthenticated.

use std::net::IpAddr;

use serde_json::json;

use crate::checks::frameworks::{bp, nist};
use crate::checks::shared::k8s::kubernetes;
use crate::checks::{Area, Check, Ctx, Eval, Evaluation, Finding, Remediation, Severity, Status};
use crate::inventory::k8s::KubeProxyConfigMap;
use crate::inventory::k8s::resources::CONFIG_MAPS;
use crate::inventory::{Need, ResourceRef};

/// kube-proxy's default when the configuration leaves it out.
const DEFAULT_METRICS_BIND_ADDRESS: &str = "127.0.0.1:10249";

/// The check.
pub static CHECK: Check = Check {
    id: "kube-proxy-metrics",
    aliases: &[],
    area: Area::KubeProxy,
    title: "kube-proxy serves its metrics on loopback only",
    severity: Severity::Low,
    refs: &[
        nist("PR.AC-5"),
        nist("PR.DS-5"),
        bp("protecting-the-infrastructure"),
    ],
    needs: &[Need::Kubernetes(&CONFIG_MAPS)],
    rationale: "kube-proxy's metrics endpoint answers without authentication. Bound to every address of the \
node, it tells any pod (and anything that reaches the node's port 10249) the cluster's Services, endpoints and \
sync behaviour, reconnaissance for an attacker inside the cluster.",
    remediation: Remediation {
        text: "Set `metricsBindAddress: 127.0.0.1:10249` in kube-system/kube-proxy-config (and restart \
kube-proxy), scraping through a node-local agent; or, where the metrics must be scraped remotely, keep port \
10249 closed to pods with network policies and to everything but the scraper in the node security groups.",
        cli: Some(
            "kubectl -n kube-system get configmap kube-proxy-config -o jsonpath='{.data.config}' | grep metricsBindAddress",
        ),
        terraform: None,
    },
    links: &[
        "https://kubernetes.io/docs/reference/config-api/kube-proxy-config.v1alpha1/",
        "https://docs.aws.amazon.com/eks/latest/userguide/managing-kube-proxy.html",
    ],
    eval: Eval::Cluster(eval),
};

fn eval(ctx: &Ctx<'_>) -> Evaluation {
    let config = kubernetes(ctx)?.inventory.kube_proxy_config()?;
    let resource: String =
        ResourceRef::namespaced("ConfigMap", "kube-system", "kube-proxy-config").into();
    let config = match config {
        KubeProxyConfigMap::Absent => {
            return Ok(vec![Finding::not_applicable(
                ctx.inventory.arn(),
                "there is no kube-system/kube-proxy-config ConfigMap (kube-proxy replaced, configured \
otherwise, or run by EKS Auto Mode)",
            )]);
        }
        KubeProxyConfigMap::Present(config) => config,
    };
    if let Some(problem) = &config.problem {
        return Ok(vec![Finding::error(
            resource,
            format!("kube-proxy's configuration could not be read: {problem}"),
        )]);
    }
    let (address, default) = match &config.metrics_bind_address {
        Some(address) => (address.as_str(), false),
        None => (DEFAULT_METRICS_BIND_ADDRESS, true),
    };
    let source = if default {
        " (kube-proxy's default)"
    } else {
        ""
    };
    let evidence = json!({ "metricsBindAddress": address, "default": default });
    let finding = if is_loopback(address) {
        Finding::pass(
            resource,
            format!(
                "metricsBindAddress is {address}{source}: only the node itself reads the metrics"
            ),
        )
    } else {
        Finding::new(
            Status::Fail,
            resource,
            format!(
                "metricsBindAddress is {address}{source}: the unauthenticated metrics are served on the \
node's network addresses, to every pod"
            ),
        )
    };
    Ok(vec![finding.with_evidence(evidence)])
}

/// Whether `host:port` (or `[v6]:port`, or a bare host) binds loopback only.
fn is_loopback(address: &str) -> bool {
    let host = match address.rsplit_once(':') {
        Some((host, port)) if port.chars().all(|c| c.is_ascii_digit()) => host,
        _ => address,
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host == "localhost" || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testkit::k8s::*;
    use crate::checks::testkit::*;
    use crate::inventory::k8s::KubeProxyConfig;

    fn with_address(address: Option<&str>) -> Finding {
        let mut inv = kube_cluster();
        k8s(&mut inv).kube_proxy_config = read(KubeProxyConfigMap::Present(KubeProxyConfig {
            metrics_bind_address: address.map(String::from),
            problem: None,
        }));
        only(run(&CHECK, &inv))
    }

    #[test]
    fn loopback_passes_and_every_address_fails() {
        let finding = with_address(Some("127.0.0.1:10249"));
        assert_eq!(finding.status, Status::Pass);
        assert_eq!(
            finding.resource,
            "k8s:ConfigMap/kube-system/kube-proxy-config"
        );
        let eks = with_address(Some("0.0.0.0:10249"));
        assert_eq!(eks.status, Status::Fail);
        assert!(eks.message.contains("every pod"), "{}", eks.message);
        assert_eq!(with_address(Some("[::]:10249")).status, Status::Fail);
        assert_eq!(with_address(Some("[::1]:10249")).status, Status::Pass);
        let default = with_address(None);
        assert_eq!(default.status, Status::Pass);
        assert!(default.message.contains("(kube-proxy's default)"));
    }

    #[test]
    fn no_config_map_is_not_applicable_and_an_unread_one_is_an_error() {
        let mut inv = kube_cluster();
        k8s(&mut inv).kube_proxy_config = read(KubeProxyConfigMap::Absent);
        assert_eq!(only(run(&CHECK, &inv)).status, Status::NotApplicable);
        assert_denied_read_is_an_error(&CHECK, inv, CONFIG_MAPS);
    }

    #[test]
    fn the_eks_configuration_yaml_is_read() {
        let config = KubeProxyConfig::from_configmap(&json!({"data": {"config":
            "apiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\nmetricsBindAddress: 0.0.0.0:10249\nmode: \"iptables\"\n"}}));
        assert_eq!(
            config.metrics_bind_address.as_deref(),
            Some("0.0.0.0:10249")
        );
        let broken = KubeProxyConfig::from_configmap(
            &json!({"data": {"config": "metricsBindAddress: [unclosed"}}),
        );
        assert!(broken.problem.is_some());
    }
}
