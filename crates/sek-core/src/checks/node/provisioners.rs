//! Nodes that Karpenter or EKS Auto Mode launch. Their launch configuration is a NodeClass in the
//! cluster rather than a launch template, so the node checks read it from the Kubernetes side;
//! and EKS manages Auto Mode's instances, so a setting only EKS can change never fails them.

use crate::checks::shared::k8s::{exempt, kubernetes};
use crate::checks::{Ctx, Finding};
use crate::inventory::k8s::{AnyNodeClass, AutoNodeClass, Ec2NodeClass, KubernetesInventory};
use crate::inventory::{Collection, Instance, Lookup, ResourceRef};

/// `k8s:<Kind>//<name>`: how findings name a NodeClass or NodePool.
pub(crate) fn class_resource(kind: &str, name: &str) -> String {
    ResourceRef::cluster_scoped(kind, name).into()
}

/// One of the Kubernetes side's provisioning lists (`pick`), for a node check: the list, or
/// nothing and the findings that say why.
///
/// A list whose read failed is an `error`. When the Kubernetes side (or this list, in a snapshot
/// from before sek read it) was not read, the check goes on with the instances and launch
/// templates, unless Karpenter launched some of the nodes: then the classes they came from are
/// missing, which is an `error` too.
pub(crate) fn provisioning_list<'a, T>(
    ctx: &Ctx<'a>,
    nodes: &Collection<Instance>,
    pick: impl FnOnce(&'a KubernetesInventory) -> Lookup<'a, Vec<T>>,
) -> (&'a [T], Vec<Finding>) {
    let arn = ctx.inventory.arn();
    let unread = match kubernetes(ctx) {
        Ok(view) => match pick(view.inventory) {
            Ok(items) => return (items.as_slice(), Vec::new()),
            // Read and failed: say so.
            Err(missing) if missing.cause().is_some() => {
                return (&[], vec![Finding::missing(arn, &missing)]);
            }
            // Not collected (a snapshot from before sek read it).
            Err(missing) => missing,
        },
        Err(missing) => missing,
    };
    let mut pools: Vec<&str> = nodes
        .iter()
        .filter(|n| !n.is_auto_mode())
        .filter_map(Instance::karpenter_node_pool)
        .collect();
    pools.sort_unstable();
    pools.dedup();
    if pools.is_empty() {
        return (&[], Vec::new());
    }
    let finding = Finding::error(
        arn,
        format!(
            "nodes were launched by Karpenter NodePool(s) {}, whose NodeClasses are read from the \
Kubernetes side: {}",
            pools.join(", "),
            unread.reason()
        ),
    );
    (&[], vec![finding])
}

/// Karpenter's EC2NodeClasses and Auto Mode's NodeClasses, as read for a node check.
pub(crate) struct NodeClasses<'a> {
    /// Karpenter's.
    pub karpenter: &'a [Ec2NodeClass],
    /// Auto Mode's.
    pub auto_mode: &'a [AutoNodeClass],
}

impl<'a> NodeClasses<'a> {
    /// Both kinds alike, for what they share (selections, role).
    pub fn all(&self) -> impl Iterator<Item = AnyNodeClass<'a>> + 'a {
        let karpenter: &'a [Ec2NodeClass] = self.karpenter;
        let auto_mode: &'a [AutoNodeClass] = self.auto_mode;
        karpenter
            .iter()
            .map(Ec2NodeClass::as_any)
            .chain(auto_mode.iter().map(AutoNodeClass::as_any))
    }
}

/// Both kinds of NodeClass for a node check (see [`provisioning_list`]). When the Kubernetes side
/// was not read, both lists would say so with the same finding: it is said once.
pub(crate) fn node_classes<'a>(
    ctx: &Ctx<'a>,
    nodes: &Collection<Instance>,
) -> (NodeClasses<'a>, Vec<Finding>) {
    let (karpenter, mut findings) = provisioning_list(ctx, nodes, |k| k.ec2_node_classes());
    let (auto_mode, errors) = provisioning_list(ctx, nodes, |k| k.auto_node_classes());
    for error in errors {
        if !findings.contains(&error) {
            findings.push(error);
        }
    }
    let classes = NodeClasses {
        karpenter,
        auto_mode,
    };
    (classes, findings)
}

/// `finding` about `node`, waived with the reason when EKS Auto Mode manages the node and only
/// EKS can change `setting`.
pub(crate) fn unless_auto_mode(node: &Instance, setting: &str, finding: Finding) -> Finding {
    let reason = format!(
        "EKS Auto Mode manages this instance: its {setting} is set by EKS and cannot be changed by the \
cluster's owner (judge the NodeClass instead)"
    );
    exempt(finding, node.is_auto_mode().then_some(reason.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::Status;
    use crate::checks::testkit::*;
    use crate::inventory::AUTO_MODE_OPERATOR;

    #[test]
    fn a_failure_on_an_auto_mode_instance_is_waived_with_the_reason() {
        let mut node = Instance {
            id: "i-1".into(),
            ..Instance::default()
        };
        let failing = || Finding::fail("arn", "IMDSv1 allowed");
        assert_eq!(
            unless_auto_mode(&node, "metadata options", failing()).status,
            Status::Fail
        );
        node.managed_by = Some(AUTO_MODE_OPERATOR.into());
        let waived = unless_auto_mode(&node, "metadata options", failing());
        assert_eq!(waived.status, Status::Waived);
        assert!(
            waived
                .waiver
                .unwrap()
                .reason
                .contains("EKS Auto Mode manages this instance"),
        );
    }

    #[test]
    fn without_the_kubernetes_side_only_karpenter_nodes_make_the_classes_an_error() {
        let mut inv = cluster_with_nodes(&["i-1"]);
        inv.kubernetes = crate::inventory::Read::NotCollected;
        let view = crate::inventory::ClusterView::excluding_namespaces(&inv, &[]);
        let settings = crate::checks::Settings::default();
        let ctx = Ctx {
            inventory: &view,
            region: None,
            account: None,
            settings: &settings,
            now: now(),
        };
        let nodes = inv.instances().unwrap();
        let (classes, findings) = provisioning_list(&ctx, nodes, |k| k.ec2_node_classes());
        assert!(classes.is_empty() && findings.is_empty());

        let mut karpenter = inv.clone();
        karpenter.instances.data_mut()[0]
            .tags
            .insert("karpenter.sh/nodepool".into(), "default".into());
        let view = crate::inventory::ClusterView::excluding_namespaces(&karpenter, &[]);
        let ctx = Ctx {
            inventory: &view,
            ..ctx
        };
        let nodes = karpenter.instances().unwrap();
        let (_, findings) = provisioning_list(&ctx, nodes, |k| k.ec2_node_classes());
        assert_eq!(statuses(&findings), [Status::Error]);
        assert!(
            findings[0]
                .message
                .contains("Karpenter NodePool(s) default"),
            "{}",
            findings[0].message
        );
        // Both kinds of NodeClass are missing for the same reason: said once.
        let (classes, findings) = node_classes(&ctx, nodes);
        assert_eq!(statuses(&findings), [Status::Error]);
        assert_eq!(classes.all().count(), 0);
    }
}
