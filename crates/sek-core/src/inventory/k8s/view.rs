//! Indexes over the Kubernetes inventory, built once per evaluation so every check is linear in
//! the number of objects: roles by name, bindings by subject, service accounts and network
//! policies by namespace.

use std::collections::HashMap;

use globset::{Glob, GlobSet, GlobSetBuilder};

use super::*;
use crate::inventory::Missing;

/// The Kubernetes inventory with namespaces excluded by configuration left out, and indexed.
#[derive(Debug)]
pub struct KubernetesView<'a> {
    /// The inventory as collected.
    pub inventory: &'a KubernetesInventory,
    /// What was read of the workloads (all of them, or the kinds that were read).
    workloads: Vec<&'a Workload>,
    namespaces: Result<Vec<&'a Namespace>, Missing>,
    role_bindings: Result<Vec<&'a RoleBinding>, Missing>,
    /// How many namespaced objects configuration excluded.
    pub excluded: usize,
    excluded_namespaces: GlobSet,
    roles: HashMap<String, &'a Role>,
    bindings_by_subject: HashMap<String, Vec<&'a RoleBinding>>,
    service_accounts: HashMap<String, &'a ServiceAccount>,
    network_policies: HashMap<&'a str, Vec<&'a NetworkPolicy>>,
}

/// A map key of several names (`\0` cannot occur in Kubernetes names).
fn key(parts: &[&str]) -> String {
    parts.join("\0")
}

/// Compile namespace globs (`sandbox-*`); invalid ones were rejected when the config was read.
fn globs(patterns: &[String]) -> GlobSet {
    let mut set = GlobSetBuilder::new();
    for pattern in patterns {
        if let Ok(glob) = Glob::new(pattern) {
            set.add(glob);
        }
    }
    set.build().unwrap_or_else(|_| GlobSet::empty())
}

impl<'a> KubernetesView<'a> {
    /// Index `inventory`, leaving out namespaces that match `excluded_namespaces` (globs).
    pub fn new(inventory: &'a KubernetesInventory, excluded_namespaces: &[String]) -> Self {
        let excluded_set = globs(excluded_namespaces);
        let mut excluded = 0usize;
        let mut kept = |namespace: &str| {
            let keep = namespace.is_empty() || !excluded_set.is_match(namespace);
            excluded += usize::from(!keep);
            keep
        };
        let workloads = inventory
            .workloads
            .got()
            .into_iter()
            .flatten()
            .filter(|w| kept(&w.metadata.namespace))
            .collect::<Vec<_>>();
        let namespaces = inventory.namespaces().map(|all| {
            all.iter()
                .filter(|n| kept(&n.metadata.name))
                .collect::<Vec<_>>()
        });
        let role_bindings = inventory.role_bindings().map(|all| {
            all.iter()
                .filter(|b| kept(&b.metadata.namespace))
                .collect::<Vec<_>>()
        });
        let mut network_policies: HashMap<&str, Vec<&NetworkPolicy>> = HashMap::new();
        for policy in inventory.network_policies.got().into_iter().flatten() {
            if kept(&policy.metadata.namespace) {
                network_policies
                    .entry(&policy.metadata.namespace)
                    .or_default()
                    .push(policy);
            }
        }
        let roles = inventory
            .roles
            .got()
            .into_iter()
            .flatten()
            .map(|r| (key(&[&r.metadata.namespace, &r.metadata.name]), r))
            .collect();
        let service_accounts = inventory
            .service_accounts
            .got()
            .into_iter()
            .flatten()
            .map(|s| (key(&[&s.metadata.namespace, &s.metadata.name]), s))
            .collect();
        let mut bindings_by_subject: HashMap<_, Vec<&RoleBinding>> = HashMap::new();
        for binding in inventory.role_bindings.got().into_iter().flatten() {
            for subject in &binding.subjects {
                bindings_by_subject
                    .entry(key(&[&subject.kind, &subject.namespace, &subject.name]))
                    .or_default()
                    .push(binding);
            }
        }
        KubernetesView {
            inventory,
            workloads,
            namespaces,
            role_bindings,
            excluded,
            excluded_namespaces: excluded_set,
            roles,
            bindings_by_subject,
            service_accounts,
            network_policies,
        }
    }

    /// Workloads outside excluded namespaces, or why they were not read.
    pub fn workloads(&self) -> Result<&[&'a Workload], Missing> {
        self.inventory.workloads()?;
        Ok(&self.workloads)
    }

    /// The same, when the reads among `needs` succeeded (see
    /// [`KubernetesInventory::workloads_of`]).
    pub fn workloads_of(&self, needs: &'static [Need]) -> Result<&[&'a Workload], Missing> {
        self.inventory.workloads_of(needs)?;
        Ok(&self.workloads)
    }

    /// Namespaces not excluded, or why they were not read.
    pub fn namespaces(&self) -> Result<&[&'a Namespace], Missing> {
        self.namespaces.as_deref().map_err(Clone::clone)
    }

    /// Role bindings, without those of excluded namespaces, or why they were not read.
    pub fn role_bindings(&self) -> Result<&[&'a RoleBinding], Missing> {
        self.role_bindings.as_deref().map_err(Clone::clone)
    }

    /// Whether configuration leaves `namespace`'s objects out (never for cluster-scoped ones).
    pub fn excludes(&self, namespace: &str) -> bool {
        !namespace.is_empty() && self.excluded_namespaces.is_match(namespace)
    }

    /// The role a binding grants, if it exists (a RoleBinding may grant a ClusterRole).
    pub fn role_of(&self, binding: &RoleBinding) -> Option<&'a Role> {
        let namespace = if binding.role_ref.kind == "ClusterRole" {
            ""
        } else {
            binding.metadata.namespace.as_str()
        };
        self.roles
            .get(&key(&[namespace, &binding.role_ref.name]))
            .copied()
    }

    /// Every binding naming this subject (`kind` is `User`, `Group` or `ServiceAccount`;
    /// `namespace` is empty except for service accounts).
    pub fn bindings_of(&self, kind: &str, namespace: &str, name: &str) -> &[&'a RoleBinding] {
        self.bindings_by_subject
            .get(&key(&[kind, namespace, name]))
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// A service account by namespace and name.
    pub fn service_account(&self, namespace: &str, name: &str) -> Option<&'a ServiceAccount> {
        self.service_accounts.get(&key(&[namespace, name])).copied()
    }

    /// The network policies of a namespace.
    pub fn network_policies_in(&self, namespace: &str) -> &[&'a NetworkPolicy] {
        self.network_policies
            .get(namespace)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(namespace: &str, name: &str) -> ObjectMeta {
        ObjectMeta {
            name: name.into(),
            namespace: namespace.into(),
            ..ObjectMeta::default()
        }
    }

    #[test]
    fn a_role_binding_may_grant_a_cluster_role_and_excluded_namespaces_are_left_out() {
        let k8s = KubernetesInventory {
            roles: Read::Got(
                vec![Role {
                    kind: "ClusterRole".into(),
                    metadata: meta("", "view"),
                    rules: vec![],
                }]
                .into(),
            ),
            role_bindings: Read::Got(
                vec![
                    RoleBinding {
                        kind: "RoleBinding".into(),
                        metadata: meta("web", "viewers"),
                        role_ref: RoleRef {
                            kind: "ClusterRole".into(),
                            name: "view".into(),
                        },
                        subjects: vec![Subject {
                            kind: "Group".into(),
                            name: "devs".into(),
                            namespace: String::new(),
                        }],
                    },
                    RoleBinding {
                        kind: "RoleBinding".into(),
                        metadata: meta("sandbox-1", "x"),
                        role_ref: RoleRef {
                            kind: "Role".into(),
                            name: "missing".into(),
                        },
                        subjects: vec![],
                    },
                ]
                .into(),
            ),
            ..KubernetesInventory::default()
        };
        let view = KubernetesView::new(&k8s, &["sandbox-*".to_string()]);
        assert!(view.excludes("sandbox-7") && !view.excludes("web") && !view.excludes(""));
        let bindings = view.role_bindings().unwrap();
        assert_eq!(bindings.len(), 1);
        assert_eq!(view.excluded, 1);
        assert_eq!(view.role_of(bindings[0]).unwrap().metadata.name, "view");
        assert_eq!(view.bindings_of("Group", "", "devs").len(), 1);
        assert!(view.bindings_of("Group", "", "ops").is_empty());
    }
}
