//! How findings, waivers and reports name a resource. One place decides the format, so a
//! finding about a Pod is written the same by every check and matched the same by every waiver.

use std::fmt;

/// What a finding is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResourceRef<'a> {
    /// An AWS resource (or an account's setting, as a pseudo-ARN): the ARN as is.
    Arn(&'a str),
    /// A Kubernetes object: `k8s:<Kind>/<namespace>/<name>`, the namespace empty for
    /// cluster-scoped kinds (`k8s:Namespace//default`).
    Kubernetes {
        /// The kind, `Deployment`.
        kind: &'a str,
        /// The namespace, empty for cluster-scoped kinds.
        namespace: &'a str,
        /// The name.
        name: &'a str,
    },
}

impl<'a> ResourceRef<'a> {
    /// A cluster-scoped Kubernetes object (a Namespace, a Node, a ClusterRole).
    pub fn cluster_scoped(kind: &'a str, name: &'a str) -> Self {
        ResourceRef::Kubernetes {
            kind,
            namespace: "",
            name,
        }
    }

    /// A namespaced Kubernetes object.
    pub fn namespaced(kind: &'a str, namespace: &'a str, name: &'a str) -> Self {
        ResourceRef::Kubernetes {
            kind,
            namespace,
            name,
        }
    }
}

impl fmt::Display for ResourceRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ResourceRef::Arn(arn) => f.write_str(arn),
            ResourceRef::Kubernetes {
                kind,
                namespace,
                name,
            } => write!(f, "k8s:{kind}/{namespace}/{name}"),
        }
    }
}

impl From<ResourceRef<'_>> for String {
    fn from(resource: ResourceRef<'_>) -> String {
        resource.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resources_print_as_reports_and_waivers_have_always_named_them() {
        let arn = "arn:aws:ec2:eu-west-1:1:volume/vol-1";
        assert_eq!(ResourceRef::Arn(arn).to_string(), arn);
        assert_eq!(
            ResourceRef::namespaced("Deployment", "web", "api").to_string(),
            "k8s:Deployment/web/api"
        );
        assert_eq!(
            String::from(ResourceRef::cluster_scoped("Node", "ip-10-0-1-23")),
            "k8s:Node//ip-10-0-1-23"
        );
    }
}
