//! The Kubernetes side of a cluster, as the API server reports it: a subset of each kind's JSON,
//! enough for the checks and nothing more.
//!
//! The types deserialize straight from Kubernetes API objects (`kubectl get -o json` output and
//! List responses alike, camelCase, unknown fields ignored), so the live collector and the offline
//! reader share one parser. Secret values are never read, and environment variable values are
//! dropped on parsing: a snapshot holds which Secret a container reads, never what it contains.
//!
//! Pods owned by a listed controller are not stored one by one: their controller's pod template
//! is what the checks judge, and the finding names the workload rather than every replica.

pub mod access_policies;
mod build;
mod node;
mod provisioning;
mod rbac;
pub mod resources;
mod view;
mod workload;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::inventory::read::{accessors, failures_in, listing_accessors, no_failures};
use crate::inventory::{Collection, Missing, Need, Read, Why};
pub use build::KubernetesBuilder;
pub use node::*;
pub use provisioning::*;
pub use rbac::*;
use resources::*;
pub use view::KubernetesView;
pub use workload::*;

/// What was read from one cluster's Kubernetes API (or from exported files). Each kind is a
/// [`Read`]: the objects, the failed list (naming the RBAC permission), or not collected (a
/// kind no selected check needs, or an export without it).
#[derive(Serialize, Deserialize, Debug, Clone, Default)]
pub struct KubernetesInventory {
    /// Where it came from: the kubeconfig context, the API server address, or the directory of
    /// exported files.
    #[serde(default)]
    pub source: Option<String>,
    /// How sek reached the API and as whom (absent in snapshots from before it was recorded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access: Option<KubernetesAccess>,
    /// The API server's version (`gitVersion`), when read.
    #[serde(default)]
    pub server_version: Option<String>,
    /// Namespaces.
    #[serde(default, skip_serializing_if = "Read::is_not_collected")]
    pub namespaces: Read<Vec<Namespace>>,
    /// Workload controllers and the pods no listed controller owns, each with its pod template.
    /// Failed when any of the pod or controller lists failed.
    #[serde(default, skip_serializing_if = "Read::is_not_collected")]
    pub workloads: Read<Collection<Workload>>,
    /// Service accounts.
    #[serde(default, skip_serializing_if = "Read::is_not_collected")]
    pub service_accounts: Read<Vec<ServiceAccount>>,
    /// Roles and ClusterRoles (`namespace` is empty for ClusterRoles).
    #[serde(default, skip_serializing_if = "Read::is_not_collected")]
    pub roles: Read<Collection<Role>>,
    /// RoleBindings and ClusterRoleBindings.
    #[serde(default, skip_serializing_if = "Read::is_not_collected")]
    pub role_bindings: Read<Collection<RoleBinding>>,
    /// Network policies.
    #[serde(default, skip_serializing_if = "Read::is_not_collected")]
    pub network_policies: Read<Vec<NetworkPolicy>>,
    /// Services.
    #[serde(default, skip_serializing_if = "Read::is_not_collected")]
    pub services: Read<Vec<Service>>,
    /// Ingresses.
    #[serde(default, skip_serializing_if = "Read::is_not_collected")]
    pub ingresses: Read<Vec<Ingress>>,
    /// The `kube-system/aws-auth` ConfigMap.
    #[serde(default, skip_serializing_if = "Read::is_not_collected")]
    pub aws_auth: Read<AwsAuthConfigMap>,
    /// The `kube-system/kube-proxy-config` ConfigMap.
    #[serde(default, skip_serializing_if = "Read::is_not_collected")]
    pub kube_proxy_config: Read<KubeProxyConfigMap>,
    /// Admission webhook configurations (validating and mutating).
    #[serde(default, skip_serializing_if = "Read::is_not_collected")]
    pub webhooks: Read<Collection<WebhookConfiguration>>,
    /// Names of the CustomResourceDefinitions (`<plural>.<group>`), to recognise policy engines,
    /// CNIs and secret stores.
    #[serde(default, skip_serializing_if = "Read::is_not_collected")]
    pub crds: Read<Vec<String>>,
    /// Nodes, each with its kubelet's configuration when it could be read.
    #[serde(default, skip_serializing_if = "Read::is_not_collected")]
    pub nodes: Read<Vec<Node>>,
    /// Names of the CSIDrivers (e.g. `secrets-store.csi.k8s.io`).
    #[serde(default, skip_serializing_if = "Read::is_not_collected")]
    pub csi_drivers: Read<Vec<String>>,
    /// StorageClasses.
    #[serde(default, skip_serializing_if = "Read::is_not_collected")]
    pub storage_classes: Read<Vec<StorageClass>>,
    /// Karpenter EC2NodeClasses.
    #[serde(default, skip_serializing_if = "Read::is_not_collected")]
    pub ec2_node_classes: Read<Vec<Ec2NodeClass>>,
    /// Karpenter NodePools (Auto Mode's included).
    #[serde(default, skip_serializing_if = "Read::is_not_collected")]
    pub node_pools: Read<Vec<NodePool>>,
    /// EKS Auto Mode NodeClasses.
    #[serde(default, skip_serializing_if = "Read::is_not_collected")]
    pub auto_node_classes: Read<Vec<AutoNodeClass>>,
}

const fn k8s(resource: &'static Resource) -> Need {
    Need::Kubernetes(resource)
}

impl KubernetesInventory {
    accessors! {
        /// The namespaces.
        namespaces: Vec<Namespace> = "the namespaces", [k8s(&NAMESPACES)];
        /// The service accounts.
        service_accounts: Vec<ServiceAccount> = "the service accounts", [k8s(&SERVICE_ACCOUNTS)];
        /// The network policies.
        network_policies: Vec<NetworkPolicy> = "the network policies", [k8s(&NETWORK_POLICIES)];
        /// The Services.
        services: Vec<Service> = "the Services", [k8s(&SERVICES)];
        /// The Ingresses.
        ingresses: Vec<Ingress> = "the Ingresses", [k8s(&INGRESSES)];
        /// The aws-auth ConfigMap.
        aws_auth: AwsAuthConfigMap = "the aws-auth ConfigMap", [k8s(&CONFIG_MAPS)];
        /// The kube-proxy-config ConfigMap.
        kube_proxy_config: KubeProxyConfigMap = "the kube-proxy-config ConfigMap", [k8s(&CONFIG_MAPS)];
        /// The CustomResourceDefinitions.
        crds: Vec<String> = "the CustomResourceDefinitions", [k8s(&CRDS)];
        /// The nodes.
        nodes: Vec<Node> = "the nodes", [k8s(&NODES)];
        /// The CSIDrivers.
        csi_drivers: Vec<String> = "the CSI drivers", [k8s(&CSI_DRIVERS)];
        /// The StorageClasses.
        storage_classes: Vec<StorageClass> = "the StorageClasses", [k8s(&STORAGE_CLASSES)];
        /// The Karpenter EC2NodeClasses.
        ec2_node_classes: Vec<Ec2NodeClass> = "the Karpenter EC2NodeClasses", [k8s(&EC2_NODE_CLASSES)];
        /// The Karpenter NodePools.
        node_pools: Vec<NodePool> = "the Karpenter NodePools", [k8s(&NODE_POOLS)];
        /// The Auto Mode NodeClasses.
        auto_node_classes: Vec<AutoNodeClass> = "the Auto Mode NodeClasses", [k8s(&AUTO_NODE_CLASSES)];
    }
    /// The NodeClasses of both kinds that were read (none of a kind whose list was not).
    pub fn read_node_classes(&self) -> impl Iterator<Item = AnyNodeClass<'_>> {
        let karpenter = self.ec2_node_classes.got().into_iter().flatten();
        let auto_mode = self.auto_node_classes.got().into_iter().flatten();
        karpenter
            .map(Ec2NodeClass::as_any)
            .chain(auto_mode.map(AutoNodeClass::as_any))
    }

    /// The workloads, when the reads among `needs` succeeded (others may have failed: a check
    /// about a DaemonSet does not need the Jobs). Only the kinds `needs` names may be judged.
    pub fn workloads_of(&self, needs: &'static [Need]) -> Result<&[Workload], Missing> {
        const WHAT: &str = "the workloads";
        let listing = self.workloads.get(WHAT, needs)?;
        let failed = listing
            .failed
            .iter()
            .find(|err| needs.iter().any(|need| need.as_str() == err.api));
        match failed {
            Some(err) => Err(Missing::new(
                WHAT,
                needs,
                Why::Failed(Box::new(err.clone())),
            )),
            None => Ok(&listing.items),
        }
    }

    // Fields made of several reads: each that failed is kept.
    listing_accessors! {
        /// The workloads (pods and their controllers).
        workloads: [Workload] = "the workloads",
            [k8s(&PODS), k8s(&DEPLOYMENTS), k8s(&DAEMONSETS), k8s(&STATEFULSETS),
             k8s(&REPLICASETS), k8s(&JOBS), k8s(&CRONJOBS)];
        /// Roles and ClusterRoles.
        roles: [Role] = "the roles", [k8s(&ROLES), k8s(&CLUSTER_ROLES)];
        /// RoleBindings and ClusterRoleBindings.
        role_bindings: [RoleBinding] = "the role bindings",
            [k8s(&ROLE_BINDINGS), k8s(&CLUSTER_ROLE_BINDINGS)];
        /// The admission webhook configurations.
        webhooks: [WebhookConfiguration] = "the admission webhooks",
            [k8s(&VALIDATING_WEBHOOKS), k8s(&MUTATING_WEBHOOKS)];
    }
}

/// The aws-auth ConfigMap, which may not exist (clusters using access entries only).
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
#[serde(tag = "state", content = "mappings", rename_all = "kebab-case")]
pub enum AwsAuthConfigMap {
    /// There is no aws-auth ConfigMap.
    Absent,
    /// Its mappings.
    Present(AwsAuth),
}

/// The `kube-system/kube-proxy-config` ConfigMap (EKS's kube-proxy reads its configuration
/// from it), which may not exist (kube-proxy replaced, or run by EKS Auto Mode).
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
#[serde(tag = "state", content = "config", rename_all = "kebab-case")]
pub enum KubeProxyConfigMap {
    /// There is no kube-proxy-config ConfigMap.
    Absent,
    /// What it configures.
    Present(KubeProxyConfig),
}

/// The parts of a KubeProxyConfiguration the checks read.
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq)]
pub struct KubeProxyConfig {
    /// `metricsBindAddress` (`0.0.0.0:10249` on EKS); `None` when the configuration omits it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metrics_bind_address: Option<String>,
    /// Why the configuration could not be parsed, when it could not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
}

/// How sek reached a cluster's Kubernetes API, and as whom: shown in reports and `-v`, so a
/// reader knows whose view of the cluster the Kubernetes findings are.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq, schemars::JsonSchema)]
pub struct KubernetesAccess {
    /// How sek authenticated.
    pub method: AccessMethod,
    /// The API server's address, or the directory of exported files.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server: Option<String>,
    /// Who sek was: the IAM principal the EKS token was made from, or the service account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<String>,
    /// The kubeconfig context, when one was used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<String>,
}

/// The ways sek reaches a cluster's Kubernetes API.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum AccessMethod {
    /// A bearer token sek made itself from its AWS credentials, as `aws eks get-token` does.
    EksToken,
    /// A kubeconfig context (its own authentication: token, certificate or exec plugin).
    Kubeconfig,
    /// The service account of the pod sek runs in.
    InCluster,
    /// `kubectl get -o json` exports, not the API.
    Files,
}

impl AccessMethod {
    /// The name used on the command line (`--kube-auth`) and in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            AccessMethod::EksToken => "eks-token",
            AccessMethod::Kubeconfig => "kubeconfig",
            AccessMethod::InCluster => "in-cluster",
            AccessMethod::Files => "files",
        }
    }
}

impl std::fmt::Display for KubernetesAccess {
    /// One line: `EKS token as arn:aws:iam::1:role/audit (https://...)`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.method {
            AccessMethod::EksToken => f.write_str("EKS token")?,
            AccessMethod::Kubeconfig => write!(
                f,
                "kubeconfig context {}",
                self.context.as_deref().unwrap_or("?")
            )?,
            AccessMethod::InCluster => f.write_str("in-cluster service account")?,
            AccessMethod::Files => f.write_str("exported files")?,
        }
        if let Some(identity) = &self.identity {
            write!(f, " as {identity}")?;
        }
        if let Some(server) = &self.server {
            write!(f, " ({server})")?;
        }
        Ok(())
    }
}

/// The identity fields of any object, plus what the checks read of its metadata.
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ObjectMeta {
    /// Name.
    #[serde(default)]
    pub name: String,
    /// Namespace (empty for cluster-scoped objects).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub namespace: String,
    /// Labels.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
    /// Annotations, without `kubectl.kubernetes.io/last-applied-configuration` (a full copy of the
    /// object that would only make snapshots bigger).
    #[serde(
        default,
        skip_serializing_if = "BTreeMap::is_empty",
        deserialize_with = "annotations"
    )]
    pub annotations: BTreeMap<String, String>,
    /// Owners (the controller that created the object).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub owner_references: Vec<OwnerReference>,
    /// Who wrote the object, by field manager (server-side apply's `managedFields`, names only):
    /// `eks` for what EKS add-ons install.
    #[serde(
        default,
        alias = "managedFields",
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "field_managers"
    )]
    pub field_managers: Vec<String>,
}

impl ObjectMeta {
    /// Whether an EKS add-on installed the object: EKS manages its fields (field manager `eks`,
    /// as the EKS user guide's "Determine fields you can customize for Amazon EKS add-ons"
    /// describes) or labels it managed by EKS. A copy of an add-on's name has neither.
    pub fn installed_by_eks(&self) -> bool {
        self.field_managers.iter().any(|m| m == "eks")
            || self
                .labels
                .get("app.kubernetes.io/managed-by")
                .is_some_and(|by| by == "EKS")
    }
}

/// The field managers of `managedFields` (objects naming a `manager`, as the API gives them)
/// or of a snapshot (the names), deduplicated. Everything else of `managedFields` is skipped
/// unread: it can be as large as the object.
fn field_managers<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Vec<String>, D::Error> {
    let entries: Vec<ManagerName> = Option::deserialize(deserializer)?.unwrap_or_default();
    let mut managers: Vec<String> = entries.into_iter().filter_map(|entry| entry.0).collect();
    managers.sort();
    managers.dedup();
    Ok(managers)
}

/// One `managedFields` entry's `manager`, or a name as a snapshot keeps it.
struct ManagerName(Option<String>);

impl<'de> Deserialize<'de> for ManagerName {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = ManagerName;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a managedFields entry or a field manager's name")
            }

            fn visit_str<E: serde::de::Error>(self, name: &str) -> Result<ManagerName, E> {
                Ok(ManagerName(Some(name.to_string())))
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<ManagerName, A::Error> {
                let mut manager = None;
                while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                    if key == "manager" {
                        manager = map.next_value::<Option<String>>()?;
                    } else {
                        map.next_value::<serde::de::IgnoredAny>()?;
                    }
                }
                Ok(ManagerName(manager))
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

fn annotations<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<BTreeMap<String, String>, D::Error> {
    let mut all: BTreeMap<String, String> = Option::deserialize(deserializer)?.unwrap_or_default();
    all.remove("kubectl.kubernetes.io/last-applied-configuration");
    Ok(all)
}

/// An owner reference.
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct OwnerReference {
    /// Owner kind, e.g. `ReplicaSet`.
    pub kind: String,
    /// Owner name.
    pub name: String,
    /// Whether the owner is the managing controller.
    #[serde(default)]
    pub controller: Option<bool>,
}

/// A namespace.
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq)]
pub struct Namespace {
    /// Metadata (its labels carry the Pod Security Admission levels).
    pub metadata: ObjectMeta,
}

/// A network policy.
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq)]
pub struct NetworkPolicy {
    /// Metadata.
    pub metadata: ObjectMeta,
    /// Spec.
    #[serde(default)]
    pub spec: NetworkPolicySpec,
}

/// A network policy's spec, kept as written beyond what the checks read.
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct NetworkPolicySpec {
    /// The pods it selects (`{}` selects every pod of the namespace).
    #[serde(default)]
    pub pod_selector: serde_json::Value,
    /// `Ingress`, `Egress`.
    #[serde(default)]
    pub policy_types: Vec<String>,
    /// Ingress rules.
    #[serde(default)]
    pub ingress: Vec<serde_json::Value>,
    /// Egress rules.
    #[serde(default)]
    pub egress: Vec<serde_json::Value>,
}

/// A Service.
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq)]
pub struct Service {
    /// Metadata (annotations configure the load balancer).
    pub metadata: ObjectMeta,
    /// Spec.
    #[serde(default)]
    pub spec: ServiceSpec,
}

/// A StorageClass: which driver provisions its volumes, with which parameters.
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq)]
pub struct StorageClass {
    /// Metadata (the default class is marked by an annotation).
    pub metadata: ObjectMeta,
    /// The provisioner, e.g. `ebs.csi.aws.com`, `efs.csi.aws.com`.
    #[serde(default)]
    pub provisioner: String,
    /// Provisioner parameters (`encrypted`, `kmsKeyId`, `fileSystemId`...).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub parameters: BTreeMap<String, String>,
}

impl StorageClass {
    /// Whether this is the class of claims that name none
    /// (`storageclass.kubernetes.io/is-default-class: "true"`).
    pub fn is_default(&self) -> bool {
        let key = "storageclass.kubernetes.io/is-default-class";
        self.metadata.annotations.get(key).map(String::as_str) == Some("true")
    }
}

/// The parts of a Service spec the checks read.
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ServiceSpec {
    /// `ClusterIP`, `NodePort`, `LoadBalancer`, `ExternalName`.
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    /// Ports.
    #[serde(default)]
    pub ports: Vec<ServicePort>,
    /// The load balancer implementation, e.g. `service.k8s.aws/nlb`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub load_balancer_class: Option<String>,
    /// `externalIPs`. `None` only in a snapshot from a sek that did not record them (the builder
    /// makes an absent list empty).
    #[serde(
        default,
        rename = "externalIPs",
        skip_serializing_if = "Option::is_none"
    )]
    pub external_ips: Option<Vec<String>>,
    /// The pod labels it routes to. `None` only in a snapshot from a sek that did not record it
    /// (the builder makes an absent selector empty: a Service without one routes to no pod).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selector: Option<BTreeMap<String, String>>,
    /// `loadBalancerSourceRanges`: the client CIDRs a cloud load balancer admits.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub load_balancer_source_ranges: Vec<String>,
}

/// A Service port.
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq)]
pub struct ServicePort {
    /// Port number.
    #[serde(default)]
    pub port: i32,
    /// Name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// An Ingress.
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq)]
pub struct Ingress {
    /// Metadata (annotations configure the ALB).
    pub metadata: ObjectMeta,
    /// Spec.
    #[serde(default)]
    pub spec: IngressSpec,
}

/// The parts of an Ingress spec the checks read.
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct IngressSpec {
    /// The ingress class, e.g. `alb`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ingress_class_name: Option<String>,
    /// TLS sections.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tls: Vec<serde_json::Value>,
    /// Routing rules. `None` only in a snapshot from a sek that did not record them (the builder
    /// makes an absent list empty).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rules: Option<Vec<IngressRule>>,
    /// The backend of requests no rule matches.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_backend: Option<IngressBackend>,
}

impl Ingress {
    /// The Services it routes to (in its namespace), or `None` when a snapshot did not record
    /// its rules.
    pub fn backend_services(&self) -> Option<Vec<&str>> {
        let rules = self.spec.rules.as_ref()?;
        let mut services: Vec<&str> = rules
            .iter()
            .flat_map(|r| r.http.iter().flat_map(|h| &h.paths))
            .map(|p| &p.backend)
            .chain(&self.spec.default_backend)
            .filter_map(|b| b.service.as_ref().map(|s| s.name.as_str()))
            .collect();
        services.sort_unstable();
        services.dedup();
        Some(services)
    }
}

/// An Ingress rule.
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq)]
pub struct IngressRule {
    /// Its HTTP paths.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http: Option<IngressHttp>,
}

/// The HTTP paths of an Ingress rule.
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq)]
pub struct IngressHttp {
    /// The paths.
    #[serde(default)]
    pub paths: Vec<IngressPath>,
}

/// One path of an Ingress rule.
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq)]
pub struct IngressPath {
    /// Where it routes.
    #[serde(default)]
    pub backend: IngressBackend,
}

/// Where an Ingress routes: a Service (or a resource, which sek does not follow).
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq)]
pub struct IngressBackend {
    /// The Service.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<NameRef>,
}

/// The aws-auth ConfigMap's mappings of IAM principals to Kubernetes users and groups.
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq)]
pub struct AwsAuth {
    /// `mapRoles` and `mapUsers` entries.
    #[serde(default)]
    pub mappings: Vec<AwsAuthMapping>,
    /// `mapAccounts`: every principal of these accounts maps to a user of its own name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub accounts: Vec<String>,
    /// Why part of the ConfigMap could not be parsed, when it could not.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<String>,
}

/// One aws-auth mapping.
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq)]
pub struct AwsAuthMapping {
    /// The IAM role or user ARN.
    pub arn: String,
    /// Kubernetes user name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// Kubernetes groups.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<String>,
}

/// An admission webhook configuration.
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq)]
pub struct WebhookConfiguration {
    /// `ValidatingWebhookConfiguration` or `MutatingWebhookConfiguration`.
    pub kind: String,
    /// Its name.
    pub name: String,
    /// The webhooks' names.
    #[serde(default)]
    pub webhooks: Vec<String>,
}

no_failures!(
    Namespace,
    Workload,
    ServiceAccount,
    Role,
    RoleBinding,
    NetworkPolicy,
    Service,
    Ingress,
    AwsAuthConfigMap,
    KubeProxyConfigMap,
    WebhookConfiguration,
    StorageClass,
    Ec2NodeClass,
    NodePool,
    AutoNodeClass,
    KubeletConfig,
    NodeFile,
    // A kubelet that could not be read is reported on its node, in every kubelet check's
    // finding (with why and how to allow the read), not once per node among the collection
    // errors.
    Node,
);
failures_in!(
    KubernetesInventory: namespaces,
    workloads,
    service_accounts,
    roles,
    role_bindings,
    network_policies,
    services,
    ingresses,
    // kube_proxy_config shares aws_auth's read (the ConfigMaps got by name): its failure is
    // listed once, there.
    aws_auth,
    webhooks,
    crds,
    nodes,
    csi_drivers,
    storage_classes,
    ec2_node_classes,
    node_pools,
    auto_node_classes,
);
