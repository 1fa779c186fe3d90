//! Nodes as the API server reports them, with each kubelet's effective configuration (read
//! through `nodes/<name>/proxy/configz`, or from the local file by `sek node`) and, from
//! `sek node`, the ownership and permissions of the kubelet's files.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::ObjectMeta;
use crate::inventory::{Lookup, Need, Read};

/// A Kubernetes node.
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq)]
pub struct Node {
    /// The node's name (on EKS, usually its private DNS name).
    pub name: String,
    /// `status.nodeInfo.osImage`, e.g. `Amazon Linux 2023.6.20241111`, `Bottlerocket OS 1.26.2`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub os_image: Option<String>,
    /// `status.nodeInfo.kubeletVersion`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kubelet_version: Option<String>,
    /// `spec.providerID` (`aws:///eu-west-1a/i-0abc...`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_id: Option<String>,
    /// The `Hostname` address the kubelet reports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hostname: Option<String>,
    /// The kubelet's effective configuration (configz through the node proxy, or `sek node`).
    #[serde(default, skip_serializing_if = "Read::is_not_collected")]
    pub kubelet: Read<KubeletConfig>,
    /// The kubelet's files, when `sek node` looked at them on the node.
    #[serde(default, skip_serializing_if = "Read::is_not_collected")]
    pub files: Read<Vec<NodeFile>>,
}

impl Node {
    /// The kubelet's configuration, or why it is unknown.
    pub fn kubelet_config(&self) -> Lookup<'_, KubeletConfig> {
        const NEEDS: &[Need] = &[Need::KubeletConfig];
        self.kubelet.get(
            &format!("the kubelet configuration of node {}", self.name),
            NEEDS,
        )
    }
}

/// One of the kubelet's files as `sek node` found it.
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq)]
pub struct NodeFile {
    /// What it is: `kubelet kubeconfig` or `kubelet config`.
    pub role: String,
    /// Its path on the node.
    pub path: String,
    /// Permission bits (`0o644`); `None` when the file does not exist.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<u32>,
    /// Owner user id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uid: Option<u32>,
    /// Owner group id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gid: Option<u32>,
}

/// The operating system family of a node, from its `osImage`: it decides where the kubelet's
/// files are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OsFamily {
    /// Amazon Linux 2.
    AmazonLinux2,
    /// Amazon Linux 2023.
    AmazonLinux2023,
    /// Bottlerocket.
    Bottlerocket,
    /// Anything else.
    Other,
}

impl OsFamily {
    /// The family of an `osImage`.
    pub fn of(os_image: &str) -> OsFamily {
        let image = os_image.to_ascii_lowercase();
        if image.contains("bottlerocket") {
            OsFamily::Bottlerocket
        } else if image.contains("amazon linux 2023") {
            OsFamily::AmazonLinux2023
        } else if image.contains("amazon linux 2") {
            OsFamily::AmazonLinux2
        } else {
            OsFamily::Other
        }
    }

    /// (role, path) of the kubelet's kubeconfig and configuration file on this family.
    pub fn kubelet_files(self) -> [(&'static str, &'static str); 2] {
        match self {
            OsFamily::Bottlerocket => [
                ("kubelet kubeconfig", "/etc/kubernetes/kubelet/kubeconfig"),
                ("kubelet config", "/etc/kubernetes/kubelet/config"),
            ],
            OsFamily::AmazonLinux2023 => [
                ("kubelet kubeconfig", "/var/lib/kubelet/kubeconfig"),
                ("kubelet config", "/etc/kubernetes/kubelet/config.json"),
            ],
            OsFamily::AmazonLinux2 | OsFamily::Other => [
                ("kubelet kubeconfig", "/var/lib/kubelet/kubeconfig"),
                (
                    "kubelet config",
                    "/etc/kubernetes/kubelet/kubelet-config.json",
                ),
            ],
        }
    }
}

/// The parts of a KubeletConfiguration (kubelet.config.k8s.io/v1beta1) the checks read, as
/// the kubelet reports it. Fields the kubelet omits are `None`; [`KubeletConfig::effective`]
/// says what the kubelet runs with then.
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct KubeletConfig {
    /// Authentication settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authentication: Option<Value>,
    /// Authorization settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization: Option<Value>,
    /// The unauthenticated read-only port (0: off).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_only_port: Option<i64>,
    /// Idle timeout of streaming connections (exec, attach, port-forward), e.g. `4h0m0s`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub streaming_connection_idle_timeout: Option<String>,
    /// Whether the kubelet manages its iptables chains.
    #[serde(
        default,
        rename = "makeIPTablesUtilChains",
        skip_serializing_if = "Option::is_none"
    )]
    pub make_iptables_util_chains: Option<bool>,
    /// Event creation rate limit (0: unlimited).
    #[serde(
        default,
        rename = "eventRecordQPS",
        skip_serializing_if = "Option::is_none"
    )]
    pub event_record_qps: Option<i64>,
    /// Client certificate rotation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rotate_certificates: Option<bool>,
    /// Serving certificates requested from the API server (CSR) rather than self-signed.
    #[serde(
        default,
        rename = "serverTLSBootstrap",
        skip_serializing_if = "Option::is_none"
    )]
    pub server_tls_bootstrap: Option<bool>,
    /// Feature gates.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub feature_gates: BTreeMap<String, bool>,
    /// Fail when kernel tunables differ from the kubelet's defaults.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protect_kernel_defaults: Option<bool>,
    /// TLS cipher suites the kubelet's server accepts (absent: Go's defaults).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls_cipher_suites: Option<Vec<String>>,
    /// Minimum TLS version of the kubelet's server, e.g. `VersionTLS13`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls_min_version: Option<String>,
    /// Most processes a pod may run (-1 or absent: unlimited).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod_pids_limit: Option<i64>,
    /// Whether containers without a seccomp profile get the runtime's default profile.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seccomp_default: Option<bool>,
}

/// A setting as the kubelet runs with it, and whether it came from its default.
#[derive(Debug, Clone, PartialEq)]
pub struct Setting<T> {
    /// The value.
    pub value: T,
    /// `true` when the configuration does not set it and the kubelet's default applies.
    pub default: bool,
}

impl<T: Serialize> Setting<T> {
    /// `{"value": ..., "source": "configured" | "kubelet default"}` for evidence.
    pub fn evidence(&self) -> Value {
        serde_json::json!({
            "value": self.value,
            "source": if self.default { "kubelet default" } else { "configured" },
        })
    }
}

fn setting<T>(value: Option<T>, default: T) -> Setting<T> {
    match value {
        Some(value) => Setting {
            value,
            default: false,
        },
        None => Setting {
            value: default,
            default: true,
        },
    }
}

/// The kubelet's effective settings, defaults applied (kubelet.config.k8s.io/v1beta1 defaults;
/// configz omits booleans that are false and ports that are 0, which these defaults match).
#[derive(Debug, Clone, PartialEq)]
pub struct Effective {
    /// authentication.anonymous.enabled (default false).
    pub anonymous_auth: Setting<bool>,
    /// authentication.webhook.enabled (default true).
    pub webhook_authentication: Setting<bool>,
    /// authentication.x509.clientCAFile (default none).
    pub client_ca_file: Setting<String>,
    /// authorization.mode (default Webhook).
    pub authorization_mode: Setting<String>,
    /// readOnlyPort (default 0).
    pub read_only_port: Setting<i64>,
    /// streamingConnectionIdleTimeout (default 4h0m0s).
    pub streaming_connection_idle_timeout: Setting<String>,
    /// makeIPTablesUtilChains (default true).
    pub make_iptables_util_chains: Setting<bool>,
    /// eventRecordQPS (default 50).
    pub event_record_qps: Setting<i64>,
    /// rotateCertificates (default false).
    pub rotate_certificates: Setting<bool>,
    /// featureGates.RotateKubeletServerCertificate (default true since Kubernetes 1.12).
    pub rotate_server_certificates: Setting<bool>,
    /// serverTLSBootstrap (default false).
    pub server_tls_bootstrap: Setting<bool>,
    /// protectKernelDefaults (default false).
    pub protect_kernel_defaults: Setting<bool>,
    /// tlsCipherSuites (default: empty, Go's default suites).
    pub tls_cipher_suites: Setting<Vec<String>>,
    /// tlsMinVersion (default: Go's server minimum, TLS 1.2).
    pub tls_min_version: Setting<String>,
    /// podPidsLimit (default -1, unlimited).
    pub pod_pids_limit: Setting<i64>,
    /// seccompDefault (default false).
    pub seccomp_default: Setting<bool>,
}

impl KubeletConfig {
    /// Parse a configz response (`{"kubeletconfig": {...}}`) or a bare KubeletConfiguration.
    pub fn from_configz(body: &Value) -> Result<KubeletConfig, serde_json::Error> {
        let config = body.get("kubeletconfig").unwrap_or(body);
        serde_json::from_value(config.clone())
    }

    fn at<'a>(&'a self, root: &'a Option<Value>, path: &str) -> Option<&'a Value> {
        root.as_ref()?.pointer(path)
    }

    /// The settings the kubelet runs with.
    pub fn effective(&self) -> Effective {
        let auth = &self.authentication;
        Effective {
            anonymous_auth: setting(
                self.at(auth, "/anonymous/enabled").and_then(Value::as_bool),
                false,
            ),
            webhook_authentication: setting(
                self.at(auth, "/webhook/enabled").and_then(Value::as_bool),
                true,
            ),
            client_ca_file: setting(
                self.at(auth, "/x509/clientCAFile")
                    .and_then(Value::as_str)
                    .map(str::to_string),
                String::new(),
            ),
            authorization_mode: setting(
                self.at(&self.authorization, "/mode")
                    .and_then(Value::as_str)
                    .map(str::to_string),
                "Webhook".to_string(),
            ),
            read_only_port: setting(self.read_only_port, 0),
            streaming_connection_idle_timeout: setting(
                self.streaming_connection_idle_timeout.clone(),
                "4h0m0s".to_string(),
            ),
            make_iptables_util_chains: setting(self.make_iptables_util_chains, true),
            event_record_qps: setting(self.event_record_qps, 50),
            rotate_certificates: setting(self.rotate_certificates, false),
            rotate_server_certificates: setting(
                self.feature_gates
                    .get("RotateKubeletServerCertificate")
                    .copied(),
                true,
            ),
            server_tls_bootstrap: setting(self.server_tls_bootstrap, false),
            protect_kernel_defaults: setting(self.protect_kernel_defaults, false),
            tls_cipher_suites: setting(self.tls_cipher_suites.clone(), Vec::new()),
            tls_min_version: setting(self.tls_min_version.clone(), "VersionTLS12".to_string()),
            pod_pids_limit: setting(self.pod_pids_limit, -1),
            seccomp_default: setting(self.seccomp_default, false),
        }
    }
}

/// Parse a Node object from the API.
pub(crate) fn node_from_object(object: &Value) -> Result<Node, serde_json::Error> {
    let meta: ObjectMeta =
        serde_json::from_value(object.get("metadata").cloned().unwrap_or_default())?;
    let text = |path: &str| {
        object
            .pointer(path)
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    let hostname = object
        .pointer("/status/addresses")
        .and_then(Value::as_array)
        .and_then(|addresses| {
            addresses
                .iter()
                .find(|a| a.get("type").and_then(Value::as_str) == Some("Hostname"))
        })
        .and_then(|a| a.get("address").and_then(Value::as_str))
        .map(str::to_string);
    Ok(Node {
        name: meta.name,
        os_image: text("/status/nodeInfo/osImage"),
        kubelet_version: text("/status/nodeInfo/kubeletVersion"),
        provider_id: text("/spec/providerID"),
        hostname,
        ..Node::default()
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// configz of an AL2023 EKS node (nodeadm), trimmed to the fields the checks read.
    pub(crate) fn al2023() -> Value {
        json!({"kubeletconfig": {
            "authentication": {"x509": {"clientCAFile": "/etc/kubernetes/pki/ca.crt"},
                "webhook": {"enabled": true, "cacheTTL": "2m0s"}, "anonymous": {"enabled": false}},
            "authorization": {"mode": "Webhook", "webhook": {"cacheAuthorizedTTL": "5m0s"}},
            "streamingConnectionIdleTimeout": "4h0m0s",
            "eventRecordQPS": 50, "makeIPTablesUtilChains": true,
            "rotateCertificates": true, "serverTLSBootstrap": true,
            "featureGates": {"RotateKubeletServerCertificate": true},
            "protectKernelDefaults": true
        }})
    }

    #[test]
    fn settings_the_response_omits_take_the_kubelet_defaults_and_say_so() {
        // Bottlerocket-like: readOnlyPort and eventRecordQPS absent.
        let config = KubeletConfig::from_configz(&json!({"kubeletconfig": {
            "authentication": {"anonymous": {"enabled": false}, "x509": {"clientCAFile": "/etc/kubernetes/pki/ca.crt"}},
            "authorization": {"mode": "Webhook"}
        }}))
        .unwrap();
        let effective = config.effective();
        assert_eq!(
            effective.read_only_port,
            Setting {
                value: 0,
                default: true
            }
        );
        assert_eq!(
            effective.event_record_qps,
            Setting {
                value: 50,
                default: true
            }
        );
        assert_eq!(
            effective.anonymous_auth,
            Setting {
                value: false,
                default: false
            }
        );
        assert_eq!(
            effective.event_record_qps.evidence()["source"],
            "kubelet default"
        );
    }

    #[test]
    fn a_full_configz_is_read_as_configured() {
        let effective = KubeletConfig::from_configz(&al2023()).unwrap().effective();
        assert!(!effective.rotate_certificates.default);
        assert!(effective.rotate_certificates.value);
        assert_eq!(effective.client_ca_file.value, "/etc/kubernetes/pki/ca.crt");
    }

    #[test]
    fn os_families_come_from_the_os_image() {
        assert_eq!(
            OsFamily::of("Amazon Linux 2023.6.20241111"),
            OsFamily::AmazonLinux2023
        );
        assert_eq!(OsFamily::of("Amazon Linux 2"), OsFamily::AmazonLinux2);
        assert_eq!(
            OsFamily::of("Bottlerocket OS 1.26.2 (aws-k8s-1.31)"),
            OsFamily::Bottlerocket
        );
        assert_eq!(OsFamily::of("Ubuntu 22.04.5 LTS"), OsFamily::Other);
    }
}
