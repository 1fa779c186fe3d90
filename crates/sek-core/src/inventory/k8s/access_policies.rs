//! What EKS's managed access policies grant, for the reads sek makes: whether one of them could
//! replace sek's own ClusterRole. From the EKS User Guide, "Review access policy permissions"
//! (<https://docs.aws.amazon.com/eks/latest/userguide/access-policy-permissions.html>).
//!
//! None fits: AmazonEKSViewPolicy lacks the RBAC objects, nodes, the node proxy, admission
//! webhooks, CRDs and CSI drivers sek reads; AmazonEKSAdminViewPolicy grants get/list/watch on
//! everything, Secrets included; the others grant writes.

use super::resources::{NODE_CONFIGZ, RESOURCES, Resource};

/// The read rules of AmazonEKSViewPolicy (every rule grants get, list and watch): API group and
/// resources.
pub const VIEW_POLICY: &[(&str, &[&str])] = &[
    (
        "apps",
        &[
            "controllerrevisions",
            "daemonsets",
            "daemonsets/status",
            "deployments",
            "deployments/scale",
            "deployments/status",
            "replicasets",
            "replicasets/scale",
            "replicasets/status",
            "statefulsets",
            "statefulsets/scale",
            "statefulsets/status",
        ],
    ),
    (
        "autoscaling",
        &[
            "horizontalpodautoscalers",
            "horizontalpodautoscalers/status",
        ],
    ),
    (
        "batch",
        &["cronjobs", "cronjobs/status", "jobs", "jobs/status"],
    ),
    ("discovery.k8s.io", &["endpointslices"]),
    (
        "networking.k8s.io",
        &["ingresses", "ingresses/status", "networkpolicies"],
    ),
    (
        "policy",
        &["poddisruptionbudgets", "poddisruptionbudgets/status"],
    ),
    (
        "",
        &[
            "configmaps",
            "endpoints",
            "persistentvolumeclaims",
            "persistentvolumeclaims/status",
            "pods",
            "replicationcontrollers",
            "replicationcontrollers/scale",
            "serviceaccounts",
            "services",
            "services/status",
            "bindings",
            "events",
            "limitranges",
            "namespaces/status",
            "pods/log",
            "pods/status",
            "replicationcontrollers/status",
            "resourcequotas",
            "resourcequotas/status",
            "namespaces",
        ],
    ),
];

/// Whether AmazonEKSViewPolicy grants the read `resource` needs.
pub fn view_policy_grants(resource: &Resource) -> bool {
    VIEW_POLICY
        .iter()
        .any(|(group, resources)| *group == resource.group && resources.contains(&resource.plural))
}

/// The reads sek makes that AmazonEKSViewPolicy does not grant (the node proxy included).
pub fn missing_from_view_policy() -> Vec<&'static str> {
    RESOURCES
        .iter()
        .filter(|r| !view_policy_grants(r))
        .map(|r| r.need)
        .chain(std::iter::once(NODE_CONFIGZ))
        .collect()
}

/// The other managed policies, and why each is not a fit for a read-only scanner.
pub const TOO_BROAD: &[(&str, &str)] = &[
    (
        "AmazonEKSAdminViewPolicy",
        "get, list and watch on every resource, Secrets included: sek never reads Secrets and \
should not be able to",
    ),
    (
        "AmazonEKSEditPolicy",
        "creates, updates and deletes workloads and Secrets",
    ),
    (
        "AmazonEKSAdminPolicy",
        "writes most resources, RBAC included",
    ),
    ("AmazonEKSClusterAdminPolicy", "cluster-admin: everything"),
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::k8s::resources;

    #[test]
    fn the_view_policy_covers_workloads_but_not_rbac_nodes_or_webhooks() {
        let missing = missing_from_view_policy();
        for read in [
            resources::PODS,
            resources::DEPLOYMENTS,
            resources::SERVICES,
            resources::CONFIG_MAPS,
        ] {
            assert!(!missing.contains(&read.need), "{}", read.need);
        }
        for read in [
            resources::CLUSTER_ROLE_BINDINGS,
            resources::ROLES,
            resources::NODES,
            resources::VALIDATING_WEBHOOKS,
            resources::CRDS,
            resources::CSI_DRIVERS,
        ] {
            assert!(missing.contains(&read.need), "{}", read.need);
        }
        assert!(missing.contains(&resources::NODE_CONFIGZ));
    }
}
