//! Builders for the Kubernetes side in check tests. [`kube_cluster`] is compliant, so each test
//! changes only what it is about.

use std::collections::BTreeMap;

use serde_json::json;

use super::{cluster, read};
use crate::inventory::k8s::resources::{self, Resource};
use crate::inventory::k8s::*;
use crate::inventory::{ClusterInventory, CollectError, ErrorKind, Read};

/// Metadata with a namespace and name.
pub fn meta(namespace: &str, name: &str) -> ObjectMeta {
    ObjectMeta {
        name: name.into(),
        namespace: namespace.into(),
        ..ObjectMeta::default()
    }
}

/// A hardened container running `image`.
pub fn container(name: &str, image: &str) -> Container {
    Container {
        name: name.into(),
        image: Some(image.into()),
        security_context: Some(SecurityContext {
            allow_privilege_escalation: Some(false),
            read_only_root_filesystem: Some(true),
            capabilities: Some(Capabilities {
                add: vec![],
                drop: vec!["ALL".into()],
            }),
            ..SecurityContext::default()
        }),
        resources: Some(Resources {
            limits: BTreeMap::from([
                ("cpu".into(), json!("500m")),
                ("memory".into(), json!("256Mi")),
            ]),
            requests: BTreeMap::new(),
        }),
        ports: Some(vec![ContainerPort {
            container_port: 8080,
            host_port: None,
            protocol: Some("TCP".into()),
        }]),
        ..Container::default()
    }
}

/// The image of [`api`]: the scanned account's ECR, pinned by digest.
pub const API_IMAGE: &str = "111122223333.dkr.ecr.eu-west-1.amazonaws.com/api:1.4.2@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

/// A hardened Deployment `web/api` with its own service account and two pods.
pub fn api() -> Workload {
    Workload {
        kind: "Deployment".into(),
        metadata: meta("web", "api"),
        pod_labels: BTreeMap::from([("app".into(), "api".into())]),
        spec: PodSpec {
            service_account_name: Some("api".into()),
            security_context: Some(SecurityContext {
                run_as_non_root: Some(true),
                run_as_user: Some(10001),
                seccomp_profile: Some(SeccompProfile {
                    kind: "RuntimeDefault".into(),
                }),
                ..SecurityContext::default()
            }),
            containers: vec![container("api", API_IMAGE)],
            ..PodSpec::default()
        },
        pods: 2,
        digests: BTreeMap::new(),
    }
}

/// The aws-node DaemonSet as EKS installs it: privileged, on the host network.
pub fn aws_node() -> Workload {
    let mut c = container(
        "aws-node",
        "602401143452.dkr.ecr.eu-west-1.amazonaws.com/amazon-k8s-cni:v1.19.0-eksbuild.1",
    );
    c.security_context = Some(SecurityContext {
        privileged: Some(true),
        ..SecurityContext::default()
    });
    Workload {
        kind: "DaemonSet".into(),
        metadata: meta("kube-system", "aws-node"),
        pod_labels: BTreeMap::new(),
        spec: PodSpec {
            service_account_name: Some("aws-node".into()),
            host_network: true,
            containers: vec![c],
            ..PodSpec::default()
        },
        pods: 3,
        digests: BTreeMap::new(),
    }
}

/// A namespace enforcing a Pod Security level.
pub fn namespace(name: &str, enforce: Option<&str>) -> Namespace {
    let mut metadata = meta("", name);
    if let Some(level) = enforce {
        metadata
            .labels
            .insert("pod-security.kubernetes.io/enforce".into(), level.into());
    }
    Namespace { metadata }
}

/// A service account.
pub fn service_account(namespace: &str, name: &str, automount: Option<bool>) -> ServiceAccount {
    ServiceAccount {
        metadata: meta(namespace, name),
        automount_service_account_token: automount,
    }
}

/// An RBAC rule.
pub fn rule(groups: &[&str], resources: &[&str], verbs: &[&str]) -> PolicyRule {
    PolicyRule {
        api_groups: groups.iter().map(|s| s.to_string()).collect(),
        resources: resources.iter().map(|s| s.to_string()).collect(),
        verbs: verbs.iter().map(|s| s.to_string()).collect(),
        ..PolicyRule::default()
    }
}

/// A ClusterRole (`namespace` empty) or Role.
pub fn role(namespace: &str, name: &str, rules: Vec<PolicyRule>) -> Role {
    Role {
        kind: if namespace.is_empty() {
            "ClusterRole"
        } else {
            "Role"
        }
        .into(),
        metadata: meta(namespace, name),
        rules,
    }
}

/// A subject: `User:alice`, `Group:devs`, `ServiceAccount:ns/name`.
pub fn subject(spec: &str) -> Subject {
    let (kind, rest) = spec.split_once(':').unwrap();
    let (namespace, name) = match (kind, rest.split_once('/')) {
        ("ServiceAccount", Some((ns, name))) => (ns, name),
        _ => ("", rest),
    };
    Subject {
        kind: kind.into(),
        name: name.into(),
        namespace: namespace.into(),
    }
}

/// A ClusterRoleBinding (`namespace` empty) or RoleBinding of `role_ref` (`ClusterRole/x` or
/// `Role/x`) to `subjects`.
pub fn binding(namespace: &str, name: &str, role_ref: &str, subjects: &[&str]) -> RoleBinding {
    let (kind, role) = role_ref.split_once('/').unwrap();
    RoleBinding {
        kind: if namespace.is_empty() {
            "ClusterRoleBinding"
        } else {
            "RoleBinding"
        }
        .into(),
        metadata: meta(namespace, name),
        role_ref: RoleRef {
            kind: kind.into(),
            name: role.into(),
        },
        subjects: subjects.iter().map(|s| subject(s)).collect(),
    }
}

/// A default-deny network policy for `namespace`.
pub fn default_deny(namespace: &str) -> NetworkPolicy {
    NetworkPolicy {
        metadata: meta(namespace, "default-deny"),
        spec: NetworkPolicySpec {
            pod_selector: json!({}),
            policy_types: vec!["Ingress".into(), "Egress".into()],
            ingress: vec![],
            egress: vec![],
        },
    }
}

/// A compliant Kubernetes side: a restricted `web` namespace with a hardened Deployment, the
/// AWS components, default RBAC, a default-deny policy, the Secrets Store CSI driver.
pub fn kubernetes() -> KubernetesInventory {
    KubernetesInventory {
        source: Some("test".into()),
        access: None,
        server_version: Some("v1.31.2-eks-1".into()),
        namespaces: read(vec![
            namespace("default", Some("restricted")),
            namespace("kube-system", None),
            namespace("web", Some("restricted")),
        ]),
        workloads: read(vec![api(), aws_node()]),
        service_accounts: read(vec![
            service_account("default", "default", Some(false)),
            service_account("web", "default", Some(false)),
            service_account("web", "api", Some(false)),
            service_account("kube-system", "default", None),
            service_account("kube-system", "aws-node", None),
        ]),
        roles: read(vec![
            role("", "cluster-admin", vec![rule(&["*"], &["*"], &["*"])]),
            role(
                "",
                "view",
                vec![rule(
                    &[""],
                    &["pods", "services"],
                    &["get", "list", "watch"],
                )],
            ),
            role(
                "web",
                "reader",
                vec![rule(&[""], &["pods"], &["get", "list"])],
            ),
        ]),
        role_bindings: read(vec![
            binding(
                "",
                "cluster-admin",
                "ClusterRole/cluster-admin",
                &["Group:system:masters"],
            ),
            binding("web", "readers", "Role/reader", &["Group:web-devs"]),
        ]),
        network_policies: read(vec![default_deny("web"), default_deny("default")]),
        services: read(vec![]),
        ingresses: read(vec![]),
        aws_auth: read(AwsAuthConfigMap::Absent),
        kube_proxy_config: read(KubeProxyConfigMap::Present(KubeProxyConfig {
            metrics_bind_address: Some("127.0.0.1:10249".into()),
            problem: None,
        })),
        webhooks: read(vec![]),
        crds: read(vec![]),
        csi_drivers: read(vec!["secrets-store.csi.k8s.io".into()]),
        nodes: read(vec![]),
        ec2_node_classes: read(vec![]),
        node_pools: read(vec![]),
        auto_node_classes: read(vec![]),
        storage_classes: read(vec![storage_class(
            "gp3",
            "ebs.csi.aws.com",
            &[("type", "gp3"), ("encrypted", "true")],
            true,
        )]),
    }
}

/// [`cluster`] with the compliant Kubernetes side.
pub fn kube_cluster() -> ClusterInventory {
    let mut inv = cluster();
    inv.kubernetes = read(kubernetes());
    inv
}

/// The Kubernetes side of `inv`, to change.
pub fn k8s(inv: &mut ClusterInventory) -> &mut KubernetesInventory {
    inv.kubernetes.got_mut().unwrap()
}

/// The `web/api` Deployment of `inv`, to change.
pub fn api_of(inv: &mut ClusterInventory) -> &mut Workload {
    k8s(inv)
        .workloads
        .data_mut()
        .iter_mut()
        .find(|w| w.metadata.name == "api")
        .unwrap()
}

/// Mark a Kubernetes read as denied: the field it fills (with the others) becomes that failure.
pub fn k8s_denied(inv: &mut ClusterInventory, resource: Resource) {
    let need = resource.need;
    let failure = CollectError::new(
        need,
        vec![],
        ErrorKind::AccessDenied,
        format!("{need} is forbidden: User \"scanner\" cannot list this resource"),
    );
    let k8s = k8s(inv);
    let workload_kinds = [
        "Pod",
        "Deployment",
        "DaemonSet",
        "StatefulSet",
        "ReplicaSet",
        "Job",
        "CronJob",
    ];
    match resource.kind {
        kind if workload_kinds.contains(&kind) => k8s.workloads = Read::Failed(failure),
        "Namespace" => k8s.namespaces = Read::Failed(failure),
        "ServiceAccount" => k8s.service_accounts = Read::Failed(failure),
        "Role" | "ClusterRole" => k8s.roles = Read::Failed(failure),
        "RoleBinding" | "ClusterRoleBinding" => k8s.role_bindings = Read::Failed(failure),
        "NetworkPolicy" => k8s.network_policies = Read::Failed(failure),
        "Service" => k8s.services = Read::Failed(failure),
        "Ingress" => k8s.ingresses = Read::Failed(failure),
        "ConfigMap" => {
            k8s.aws_auth = Read::Failed(failure.clone());
            k8s.kube_proxy_config = Read::Failed(failure);
        }
        "ValidatingWebhookConfiguration" | "MutatingWebhookConfiguration" => {
            k8s.webhooks = Read::Failed(failure)
        }
        "CustomResourceDefinition" => k8s.crds = Read::Failed(failure),
        "CSIDriver" => k8s.csi_drivers = Read::Failed(failure),
        "Node" => k8s.nodes = Read::Failed(failure),
        "StorageClass" => k8s.storage_classes = Read::Failed(failure),
        "EC2NodeClass" => k8s.ec2_node_classes = Read::Failed(failure),
        "NodePool" => k8s.node_pools = Read::Failed(failure),
        "NodeClass" => k8s.auto_node_classes = Read::Failed(failure),
        other => panic!("no field reads {other}: {:?}", resources::by_kind(other)),
    }
}

/// [`kube_cluster`] with a Role `web/tested` holding `rule`, bound to group `web-devs` by the
/// RoleBinding `web/tested`.
pub fn granting(rule: PolicyRule) -> ClusterInventory {
    let mut inv = kube_cluster();
    let k8s = k8s(&mut inv);
    k8s.roles.data_mut().push(role("web", "tested", vec![rule]));
    k8s.role_bindings.got_mut().unwrap().push(binding(
        "web",
        "tested",
        "Role/tested",
        &["Group:web-devs"],
    ));
    inv
}

/// The hardened `web/api` Deployment passes `check`.
pub fn assert_hardened_workload_passes(check: &crate::checks::Check) {
    let findings = super::run(check, &kube_cluster());
    assert_eq!(
        super::about(&findings, "Deployment/web/api").status,
        crate::checks::Status::Pass
    );
}

/// aws-node (privileged, on the host network) is never a failure of `check`: it passes or is
/// waived by the built-in exceptions, with their reason.
pub fn assert_aws_node_is_not_failed(check: &crate::checks::Check) {
    let findings = super::run(check, &kube_cluster());
    let aws_node = super::about(&findings, "DaemonSet/kube-system/aws-node");
    assert_ne!(aws_node.status, crate::checks::Status::Fail);
    if aws_node.status == crate::checks::Status::Waived {
        assert!(
            aws_node
                .waiver
                .as_ref()
                .unwrap()
                .reason
                .contains("AWS-managed")
        );
    }
}

/// A grant check fails the binding of `granting` (naming its subject), counts a wildcard role,
/// and does not fail the binding of `narrower`.
pub fn assert_judges_grants(
    check: &crate::checks::Check,
    granting_rule: PolicyRule,
    narrower: PolicyRule,
) {
    use crate::checks::Status;
    use crate::checks::testkit::{about, run};
    for rule in [granting_rule, rule(&["*"], &["*"], &["*"])] {
        let findings = run(check, &granting(rule));
        let finding = about(&findings, "RoleBinding/web/tested");
        assert_eq!(finding.status, Status::Fail);
        assert!(
            finding.message.contains("Group:web-devs"),
            "{}",
            finding.message
        );
    }
    let findings = run(check, &granting(narrower));
    assert!(
        findings.iter().all(|f| f.status != Status::Fail),
        "{findings:#?}"
    );
}

/// `check` fails the `web/api` Deployment once `change` is made to it, saying `expect`.
pub fn assert_api_fails_when(
    check: &crate::checks::Check,
    change: impl FnOnce(&mut Workload),
    expect: &str,
) {
    let mut inv = kube_cluster();
    change(api_of(&mut inv));
    let findings = super::run(check, &inv);
    let finding = super::about(&findings, "Deployment/web/api");
    assert_eq!(finding.status, crate::checks::Status::Fail);
    assert!(finding.message.contains(expect), "{}", finding.message);
}

/// `check` on `inv` with `resource`'s read denied is one `error` naming the resource's plural.
pub fn assert_denied_read_is_an_error(
    check: &crate::checks::Check,
    mut inv: ClusterInventory,
    resource: Resource,
) {
    k8s_denied(&mut inv, resource);
    let finding = super::only(super::run(check, &inv));
    assert_eq!(finding.status, crate::checks::Status::Error);
    assert!(
        finding.message.contains(resource.plural),
        "{}",
        finding.message
    );
}

/// The security context of a workload's first container, to change.
pub fn first_container_context(w: &mut Workload) -> &mut SecurityContext {
    w.spec.containers[0]
        .security_context
        .get_or_insert_with(SecurityContext::default)
}

/// A StorageClass `name` of `provisioner` with `parameters`, the default class when `default`.
pub fn storage_class(
    name: &str,
    provisioner: &str,
    parameters: &[(&str, &str)],
    default: bool,
) -> StorageClass {
    let mut class = StorageClass {
        provisioner: provisioner.into(),
        parameters: parameters
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        ..StorageClass::default()
    };
    class.metadata.name = name.into();
    if default {
        class.metadata.annotations.insert(
            "storageclass.kubernetes.io/is-default-class".into(),
            "true".into(),
        );
    }
    class
}
