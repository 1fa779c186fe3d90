//! The Kubernetes resources sek reads: their kinds, API paths and the RBAC permission each read
//! needs. The live collector walks this table; the checks' `needs` and the published ClusterRole
//! name the same permissions, so the three cannot drift apart.

use crate::inventory::Need;

/// A kind sek lists (or, for ConfigMaps, gets by name: [`CONFIG_MAP_NAMES`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Resource {
    /// The object kind, as in `kind:` (`Pod`, `ClusterRole`...).
    pub kind: &'static str,
    /// The plural resource name, as in RBAC rules and `kubectl get` (`pods`).
    pub plural: &'static str,
    /// The API group (`""` for the core group).
    pub group: &'static str,
    /// The cluster-wide list path (for ConfigMaps: kube-system's, under which each of
    /// [`CONFIG_MAP_NAMES`] is got).
    pub path: &'static str,
    /// The read in `k8s:<verb>:<resource>[.<group>]` form: what a scan needs and what a failed
    /// read is recorded as.
    pub need: &'static str,
}

macro_rules! resources {
    ($($name:ident = $kind:literal, $plural:literal, $group:literal, $path:literal, $need:literal;)*) => {
        $(
            #[doc = concat!("`", $need, "`: ", $kind, " objects.")]
            pub const $name: Resource =
                Resource { kind: $kind, plural: $plural, group: $group, path: $path, need: $need };
        )*
        /// Every resource sek reads, in collection order.
        pub const RESOURCES: &[Resource] = &[$($name),*];
    };
}

resources! {
    NAMESPACES = "Namespace", "namespaces", "", "/api/v1/namespaces", "k8s:list:namespaces";
    PODS = "Pod", "pods", "", "/api/v1/pods", "k8s:list:pods";
    DEPLOYMENTS = "Deployment", "deployments", "apps", "/apis/apps/v1/deployments", "k8s:list:deployments.apps";
    DAEMONSETS = "DaemonSet", "daemonsets", "apps", "/apis/apps/v1/daemonsets", "k8s:list:daemonsets.apps";
    STATEFULSETS = "StatefulSet", "statefulsets", "apps", "/apis/apps/v1/statefulsets", "k8s:list:statefulsets.apps";
    REPLICASETS = "ReplicaSet", "replicasets", "apps", "/apis/apps/v1/replicasets", "k8s:list:replicasets.apps";
    JOBS = "Job", "jobs", "batch", "/apis/batch/v1/jobs", "k8s:list:jobs.batch";
    CRONJOBS = "CronJob", "cronjobs", "batch", "/apis/batch/v1/cronjobs", "k8s:list:cronjobs.batch";
    SERVICE_ACCOUNTS = "ServiceAccount", "serviceaccounts", "", "/api/v1/serviceaccounts", "k8s:list:serviceaccounts";
    ROLES = "Role", "roles", "rbac.authorization.k8s.io", "/apis/rbac.authorization.k8s.io/v1/roles", "k8s:list:roles.rbac.authorization.k8s.io";
    CLUSTER_ROLES = "ClusterRole", "clusterroles", "rbac.authorization.k8s.io", "/apis/rbac.authorization.k8s.io/v1/clusterroles", "k8s:list:clusterroles.rbac.authorization.k8s.io";
    ROLE_BINDINGS = "RoleBinding", "rolebindings", "rbac.authorization.k8s.io", "/apis/rbac.authorization.k8s.io/v1/rolebindings", "k8s:list:rolebindings.rbac.authorization.k8s.io";
    CLUSTER_ROLE_BINDINGS = "ClusterRoleBinding", "clusterrolebindings", "rbac.authorization.k8s.io", "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings", "k8s:list:clusterrolebindings.rbac.authorization.k8s.io";
    NETWORK_POLICIES = "NetworkPolicy", "networkpolicies", "networking.k8s.io", "/apis/networking.k8s.io/v1/networkpolicies", "k8s:list:networkpolicies.networking.k8s.io";
    SERVICES = "Service", "services", "", "/api/v1/services", "k8s:list:services";
    INGRESSES = "Ingress", "ingresses", "networking.k8s.io", "/apis/networking.k8s.io/v1/ingresses", "k8s:list:ingresses.networking.k8s.io";
    CONFIG_MAPS = "ConfigMap", "configmaps", "", "/api/v1/namespaces/kube-system/configmaps", "k8s:get:configmaps";
    VALIDATING_WEBHOOKS = "ValidatingWebhookConfiguration", "validatingwebhookconfigurations", "admissionregistration.k8s.io", "/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations", "k8s:list:validatingwebhookconfigurations.admissionregistration.k8s.io";
    MUTATING_WEBHOOKS = "MutatingWebhookConfiguration", "mutatingwebhookconfigurations", "admissionregistration.k8s.io", "/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations", "k8s:list:mutatingwebhookconfigurations.admissionregistration.k8s.io";
    CRDS = "CustomResourceDefinition", "customresourcedefinitions", "apiextensions.k8s.io", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", "k8s:list:customresourcedefinitions.apiextensions.k8s.io";
    CSI_DRIVERS = "CSIDriver", "csidrivers", "storage.k8s.io", "/apis/storage.k8s.io/v1/csidrivers", "k8s:list:csidrivers.storage.k8s.io";
    NODES = "Node", "nodes", "", "/api/v1/nodes", "k8s:list:nodes";
    EC2_NODE_CLASSES = "EC2NodeClass", "ec2nodeclasses", "karpenter.k8s.aws", "/apis/karpenter.k8s.aws/v1/ec2nodeclasses", "k8s:list:ec2nodeclasses.karpenter.k8s.aws";
    NODE_POOLS = "NodePool", "nodepools", "karpenter.sh", "/apis/karpenter.sh/v1/nodepools", "k8s:list:nodepools.karpenter.sh";
    AUTO_NODE_CLASSES = "NodeClass", "nodeclasses", "eks.amazonaws.com", "/apis/eks.amazonaws.com/v1/nodeclasses", "k8s:list:nodeclasses.eks.amazonaws.com";
    STORAGE_CLASSES = "StorageClass", "storageclasses", "storage.k8s.io", "/apis/storage.k8s.io/v1/storageclasses", "k8s:list:storageclasses.storage.k8s.io";
}

/// The kube-system ConfigMaps sek gets by name (the others are none of its business): who is
/// mapped to which Kubernetes identity, and kube-proxy's configuration. An absent one is read as
/// absent, not as a failure.
pub const CONFIG_MAP_NAMES: &[&str] = &["aws-auth", "kube-proxy-config"];

/// Kinds defined by CustomResourceDefinitions (Karpenter, Auto Mode): a cluster without the CRD
/// answers their list with 404, which means "none", not a failed read.
pub const CUSTOM_RESOURCES: &[Resource] = &[EC2_NODE_CLASSES, NODE_POOLS, AUTO_NODE_CLASSES];

impl Resource {
    /// Whether a CRD defines this kind (see [`CUSTOM_RESOURCES`]).
    pub fn is_custom(&self) -> bool {
        CUSTOM_RESOURCES.contains(self)
    }
}

/// Reading a kubelet's configuration: `GET /api/v1/nodes/<name>/proxy/configz`, which needs
/// `get` on `nodes/proxy` (sensitive: CIS EKS 1.8.0 4.1.10). Not a List, so not in
/// [`RESOURCES`]; recorded per node.
pub const NODE_CONFIGZ: &str = "k8s:get:nodes/proxy";

/// The reads behind the workload list (pods and every controller kind), then `extra` ones: for
/// the `needs` of checks that judge workloads.
macro_rules! workload_needs {
    ($($extra:expr),* $(,)?) => {
        &[
            $crate::inventory::Need::Kubernetes(&$crate::inventory::k8s::resources::PODS),
            $crate::inventory::Need::Kubernetes(&$crate::inventory::k8s::resources::DEPLOYMENTS),
            $crate::inventory::Need::Kubernetes(&$crate::inventory::k8s::resources::DAEMONSETS),
            $crate::inventory::Need::Kubernetes(&$crate::inventory::k8s::resources::STATEFULSETS),
            $crate::inventory::Need::Kubernetes(&$crate::inventory::k8s::resources::REPLICASETS),
            $crate::inventory::Need::Kubernetes(&$crate::inventory::k8s::resources::JOBS),
            $crate::inventory::Need::Kubernetes(&$crate::inventory::k8s::resources::CRONJOBS),
            $($extra),*
        ]
    };
}
pub(crate) use workload_needs;

/// The reads behind the workload list: pods and every controller kind.
pub const WORKLOAD_READS: &[Need] = workload_needs![];

/// The reads behind the RBAC checks.
pub const RBAC_READS: &[Need] = &[
    Need::Kubernetes(&ROLES),
    Need::Kubernetes(&CLUSTER_ROLES),
    Need::Kubernetes(&ROLE_BINDINGS),
    Need::Kubernetes(&CLUSTER_ROLE_BINDINGS),
];

/// The resource of a kind (`Pod`) or of a list kind (`PodList`).
pub fn by_kind(kind: &str) -> Option<&'static Resource> {
    let kind = kind.strip_suffix("List").unwrap_or(kind);
    RESOURCES.iter().find(|r| r.kind == kind)
}

/// The resource named by a plural, optionally group-qualified (`networkpolicies`,
/// `networkpolicies.networking.k8s.io`), as in exported file names.
pub fn by_plural(name: &str) -> Option<&'static Resource> {
    RESOURCES.iter().find(|r| {
        name == r.plural || (!r.group.is_empty() && name == format!("{}.{}", r.plural, r.group))
    })
}

/// The configz path of a node.
pub fn configz_path(node: &str) -> String {
    format!("/api/v1/nodes/{node}/proxy/configz")
}

/// Whether a recorded failure's API is a Kubernetes read (`k8s:list:pods`, `k8s:connect`)
/// rather than an IAM action.
pub fn is_kubernetes_read(api: &str) -> bool {
    api.starts_with("k8s:")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn needs_name_the_verb_and_the_group_qualified_resource() {
        for r in RESOURCES {
            let resource = if r.group.is_empty() {
                r.plural.to_string()
            } else {
                format!("{}.{}", r.plural, r.group)
            };
            let verb = if r.kind == "ConfigMap" { "get" } else { "list" };
            assert!(!r.need.contains('/'), "{}", r.need);
            assert_eq!(r.need, format!("k8s:{verb}:{resource}"));
        }
    }

    #[test]
    fn kinds_and_file_names_resolve() {
        assert_eq!(by_kind("PodList"), Some(&PODS));
        assert_eq!(by_kind("ClusterRole"), Some(&CLUSTER_ROLES));
        assert_eq!(by_plural("networkpolicies"), Some(&NETWORK_POLICIES));
        assert_eq!(
            by_plural("networkpolicies.networking.k8s.io"),
            Some(&NETWORK_POLICIES)
        );
        assert!(by_kind("Secret").is_none());
        assert!(by_plural("secrets").is_none());
    }
}
