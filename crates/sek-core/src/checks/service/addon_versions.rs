//! `service-addon-versions`: every EKS add-on runs a version EKS lists as compatible with the
//! cluster's Kubernetes version, and not one older than the default EKS installs on it. The core
//! components a cluster runs self-managed (VPC CNI, kube-proxy, CoreDNS not installed as add-ons)
//! are judged the same way from their image tags, against the versions of the add-on of the same
//! name. In Auto Mode EKS runs the core components itself: there is nothing to judge.

use serde_json::json;

use crate::checks::frameworks::{bp, nist};
use crate::checks::shared::all_read;
use crate::checks::shared::k8s::kubernetes;
use crate::checks::{Area, Check, Ctx, Eval, Evaluation, Finding, Remediation, Severity, Status};
use crate::inventory::k8s::Workload;
use crate::inventory::k8s::resources::{DAEMONSETS, DEPLOYMENTS};
use crate::inventory::{AddonVersions, Need, aws};

/// The reads of the self-managed components' controllers.
const CONTROLLER_READS: &[Need] = &[
    Need::Kubernetes(&DAEMONSETS),
    Need::Kubernetes(&DEPLOYMENTS),
];

/// A core component when self-managed: add-on name, controller kind, name (in kube-system) and
/// container.
const SELF_MANAGED: &[(&str, &str, &str, &str)] = &[
    ("vpc-cni", "DaemonSet", "aws-node", "aws-node"),
    ("kube-proxy", "DaemonSet", "kube-proxy", "kube-proxy"),
    ("coredns", "Deployment", "coredns", "coredns"),
];

/// The check.
pub static CHECK: Check = Check {
    id: "service-addon-versions",
    aliases: &[],
    area: Area::Service,
    title: "EKS add-ons and core components are current for the cluster's version",
    severity: Severity::Medium,
    refs: &[nist("PR.IP-1"), nist("DE.CM-8"), bp("cluster-upgrades")],
    needs: &[
        aws("eks:ListAddons"),
        aws("eks:DescribeAddon"),
        aws("eks:DescribeAddonVersions"),
        Need::Kubernetes(&DAEMONSETS),
        Need::Kubernetes(&DEPLOYMENTS),
    ],
    rationale: "The VPC CNI, kube-proxy, CoreDNS and the other add-ons run with high privileges on every node \
and get security fixes like any software. A control plane upgrade does not update them: they drift behind, and \
a version outside the compatible range for the cluster's Kubernetes version is untested there and blocks the next \
upgrade.",
    remediation: Remediation {
        text: "Update each add-on to at least the default version for the cluster's Kubernetes version (`aws \
eks describe-addon-versions --kubernetes-version <version> --addon-name <name>`); move self-managed VPC CNI, \
kube-proxy and CoreDNS to EKS add-ons, or update their images to the same versions.",
        cli: Some(
            "aws eks update-addon --cluster-name <cluster> --addon-name <name> --addon-version <version>",
        ),
        terraform: Some(
            "resource \"aws_eks_addon\" \"this\" { addon_version = data.aws_eks_addon_version.default.version }",
        ),
    },
    links: &[
        "https://docs.aws.amazon.com/eks/latest/userguide/updating-an-add-on.html",
        "https://docs.aws.amazon.com/eks/latest/best-practices/cluster-upgrades.html",
    ],
    eval: Eval::Cluster(eval),
};

fn eval(ctx: &Ctx<'_>) -> Evaluation {
    let inv = ctx.inventory;
    let cluster = inv.control_plane()?;
    let kubernetes_version = cluster.version.as_deref().unwrap_or("unknown");
    let (addons, offered) = match (inv.addons(), inv.addon_versions()) {
        (Ok(addons), Ok(offered)) => (addons, offered),
        (addons, offered) => {
            // Name every read in the way, the self-managed components' controllers' too.
            let controllers = kubernetes(ctx)
                .and_then(|k| k.workloads_of(CONTROLLER_READS))
                .err()
                .filter(|m| m.cause().is_some() && !cluster.auto_mode_compute());
            let unread = all_read(&inv.arn(), [addons.err(), offered.err(), controllers]);
            return Ok(unread.into_iter().collect());
        }
    };
    let offer = |name: &str| offered.iter().find(|o| o.name == name);
    let mut findings = Vec::new();
    for addon in addons {
        let resource = format!("{}/addon/{}", inv.arn(), addon.name);
        let Some(version) = addon.version.as_deref() else {
            findings.push(Finding::error(
                resource,
                format!("EKS reported no version for add-on {}", addon.name),
            ));
            continue;
        };
        findings.push(judge(
            resource,
            &format!("add-on {} {version}", addon.name),
            version,
            offer(&addon.name),
            kubernetes_version,
        ));
    }
    let self_managed: Vec<_> = SELF_MANAGED
        .iter()
        .filter(|(name, ..)| !addons.iter().any(|a| a.name == *name))
        .collect();
    if !self_managed.is_empty() && !cluster.auto_mode_compute() {
        let names: Vec<&str> = self_managed.iter().map(|(name, ..)| *name).collect();
        match kubernetes(ctx).and_then(|k| k.workloads_of(CONTROLLER_READS)) {
            Ok(workloads) => {
                for &&(name, kind, controller, container) in &self_managed {
                    let Some(workload) = find_controller(workloads, kind, controller) else {
                        continue; // Not installed (a CNI or proxy replacement).
                    };
                    let image = workload
                        .spec
                        .all_containers()
                        .find(|(_, c)| c.name == container)
                        .and_then(|(_, c)| c.image.as_deref());
                    let Some(tag) = image.and_then(image_tag) else {
                        findings.push(Finding::new(
                            Status::Manual,
                            workload.reference(),
                            format!(
                                "self-managed {name}: its image {} has no version tag; compare it with the {name} \
add-on versions for Kubernetes {kubernetes_version}",
                                image.unwrap_or("(none)")
                            ),
                        ));
                        continue;
                    };
                    let mut finding = judge(
                        workload.reference(),
                        &format!("self-managed {name} (image tag {tag})"),
                        tag,
                        offer(name),
                        kubernetes_version,
                    );
                    finding.evidence["image"] = json!(image);
                    findings.push(finding);
                }
            }
            Err(missing) if missing.cause().is_some() => findings.push(Finding::error(
                inv.arn(),
                format!(
                    "{} are not EKS add-ons and their controllers could not be read: {}",
                    names.join(", "),
                    missing.reason()
                ),
            )),
            Err(_) => findings.push(Finding::new(
                Status::Manual,
                inv.arn(),
                format!(
                    "{} are not EKS add-ons: they run self-managed (or not at all); scan the Kubernetes side \
to judge their images",
                    names.join(", ")
                ),
            )),
        }
    }
    if findings.is_empty() {
        let why = if cluster.auto_mode_compute() {
            "no add-ons are installed and EKS Auto Mode runs the core components itself"
        } else {
            "no add-ons are installed and no self-managed VPC CNI, kube-proxy or CoreDNS runs"
        };
        findings.push(Finding::not_applicable(inv.arn(), why));
    }
    Ok(findings)
}

fn find_controller<'a>(workloads: &[&'a Workload], kind: &str, name: &str) -> Option<&'a Workload> {
    workloads.iter().copied().find(|w| {
        w.kind == kind && w.metadata.namespace == "kube-system" && w.metadata.name == name
    })
}

/// The tag of an image reference (`...:v1.19.0-eksbuild.1`, digest dropped), if it has one.
fn image_tag(image: &str) -> Option<&str> {
    let image = image.split('@').next().unwrap_or(image);
    let (name, tag) = image.rsplit_once(':')?;
    // `registry:5000/name` has a port, not a tag.
    (!tag.contains('/') && !name.is_empty()).then_some(tag)
}

/// The numbers of a version or tag, in order: `v1.31.2-minimal-eksbuild.3` is `[1, 31, 2, 3]`.
fn numbers(version: &str) -> Vec<u64> {
    version
        .split(|c: char| !c.is_ascii_digit())
        .filter(|part| !part.is_empty())
        .filter_map(|part| part.parse().ok())
        .collect()
}

/// `major.minor.patch` of a version: image tags of self-managed components match add-on
/// versions on these (their build suffixes differ).
fn release(version: &str) -> Vec<u64> {
    numbers(version).into_iter().take(3).collect()
}

/// Judge `version` of `what` against what EKS offers for `kubernetes_version`.
fn judge(
    resource: String,
    what: &str,
    version: &str,
    offer: Option<&AddonVersions>,
    kubernetes_version: &str,
) -> Finding {
    let evidence = json!({
        "version": version,
        "kubernetes_version": kubernetes_version,
        "default_version": offer.and_then(|o| o.default_version.clone()),
        "latest_compatible": offer.and_then(latest),
    });
    let Some(offer) = offer.filter(|o| !o.compatible.is_empty()) else {
        return Finding::new(
            Status::Manual,
            resource,
            format!(
                "EKS lists no version of {what} for Kubernetes {kubernetes_version}: check its vendor's \
compatibility matrix"
            ),
        )
        .with_evidence(evidence);
    };
    // An add-on version is matched exactly; an image tag by its release.
    let exact = offer.compatible.iter().any(|v| v == version);
    let key = if exact {
        numbers(version)
    } else {
        release(version)
    };
    let comparable = |v: &str| if exact { numbers(v) } else { release(v) };
    let compatible = exact || offer.compatible.iter().any(|v| release(v) == key);
    let finding = if !compatible {
        Finding::fail(
            resource,
            format!(
                "{what} is not compatible with Kubernetes {kubernetes_version} (latest compatible: {})",
                latest(offer).unwrap_or_default()
            ),
        )
    } else {
        match offer.default_version.as_deref() {
            Some(default) if key < comparable(default) => Finding::fail(
                resource,
                format!(
                    "{what} is behind {default}, the default for Kubernetes {kubernetes_version}"
                ),
            ),
            Some(default) => Finding::pass(
                resource,
                format!(
                    "{what} is compatible with Kubernetes {kubernetes_version} and at or above its default \
{default}"
                ),
            ),
            None => Finding::pass(
                resource,
                format!("{what} is compatible with Kubernetes {kubernetes_version}"),
            ),
        }
    };
    finding.with_evidence(evidence)
}

/// The newest compatible version.
fn latest(offer: &AddonVersions) -> Option<String> {
    offer.compatible.iter().max_by_key(|v| numbers(v)).cloned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testkit::k8s::*;
    use crate::checks::testkit::*;
    use crate::inventory::{Addon, AutoMode, ClusterInventory};

    fn offer(name: &str, default: &str, compatible: &[&str]) -> AddonVersions {
        AddonVersions {
            name: name.into(),
            default_version: Some(default.into()),
            compatible: compatible.iter().map(|v| v.to_string()).collect(),
        }
    }

    fn addon(name: &str, version: &str) -> Addon {
        Addon {
            name: name.into(),
            version: Some(version.into()),
            ..Addon::default()
        }
    }

    /// The testkit cluster (Kubernetes 1.31) with the three core add-ons and what EKS offers.
    fn with_addons(addons: Vec<Addon>) -> ClusterInventory {
        let mut inv = kube_cluster();
        inv.addons = read(addons);
        inv.addon_versions = read(vec![
            offer(
                "vpc-cni",
                "v1.19.0-eksbuild.1",
                &[
                    "v1.19.2-eksbuild.1",
                    "v1.19.0-eksbuild.1",
                    "v1.18.6-eksbuild.1",
                ],
            ),
            offer(
                "kube-proxy",
                "v1.31.2-eksbuild.3",
                &[
                    "v1.31.3-eksbuild.2",
                    "v1.31.2-eksbuild.3",
                    "v1.31.0-eksbuild.5",
                ],
            ),
            offer(
                "coredns",
                "v1.11.3-eksbuild.1",
                &["v1.11.4-eksbuild.2", "v1.11.3-eksbuild.1"],
            ),
        ]);
        inv
    }

    #[test]
    fn add_ons_at_or_above_the_default_pass_and_behind_or_incompatible_fail() {
        let inv = with_addons(vec![
            addon("vpc-cni", "v1.19.2-eksbuild.1"),
            addon("kube-proxy", "v1.31.0-eksbuild.5"),
            addon("coredns", "v1.10.1-eksbuild.13"),
        ]);
        let findings = run(&CHECK, &inv);
        assert_eq!(
            statuses(&findings),
            [Status::Pass, Status::Fail, Status::Fail]
        );
        assert_eq!(
            findings[0].resource,
            "arn:aws:eks:eu-west-1:111122223333:cluster/prod/addon/vpc-cni"
        );
        assert!(
            findings[1]
                .message
                .contains("behind v1.31.2-eksbuild.3, the default for Kubernetes 1.31"),
            "{}",
            findings[1].message
        );
        assert!(
            findings[2].message.contains(
                "not compatible with Kubernetes 1.31 (latest compatible: v1.11.4-eksbuild.2)"
            ),
            "{}",
            findings[2].message
        );
    }

    #[test]
    fn self_managed_core_components_are_judged_by_image_tag() {
        // The testkit cluster runs aws-node as a DaemonSet; give it an old image and add kube-proxy.
        let mut inv = with_addons(vec![]);
        let workloads = k8s(&mut inv).workloads.data_mut();
        let aws_node = workloads
            .iter_mut()
            .find(|w| w.metadata.name == "aws-node")
            .unwrap();
        aws_node.spec.containers[0].name = "aws-node".into();
        aws_node.spec.containers[0].image = Some(
            "602401143452.dkr.ecr.eu-west-1.amazonaws.com/amazon-k8s-cni:v1.15.1-eksbuild.1".into(),
        );
        let mut proxy = aws_node.clone();
        proxy.metadata.name = "kube-proxy".into();
        proxy.spec.containers[0].name = "kube-proxy".into();
        proxy.spec.containers[0].image = Some(
            "602401143452.dkr.ecr.eu-west-1.amazonaws.com/eks/kube-proxy:v1.31.3-minimal-eksbuild.2".into(),
        );
        workloads.push(proxy);
        let findings = run(&CHECK, &inv);
        let aws_node = about(&findings, "DaemonSet/kube-system/aws-node");
        assert_eq!(aws_node.status, Status::Fail);
        assert!(
            aws_node.message.contains("self-managed vpc-cni"),
            "{}",
            aws_node.message
        );
        assert_eq!(
            about(&findings, "DaemonSet/kube-system/kube-proxy").status,
            Status::Pass
        );
        // No CoreDNS Deployment: not installed, nothing said.
        assert_eq!(findings.len(), 2);
    }

    #[test]
    fn auto_mode_runs_the_core_components_itself() {
        let mut inv = with_addons(vec![]);
        inv.cluster.got_mut().unwrap().auto_mode = Some(AutoMode {
            compute: true,
            block_storage: true,
            load_balancing: true,
            ..AutoMode::default()
        });
        let finding = only(run(&CHECK, &inv));
        assert_eq!(finding.status, Status::NotApplicable);
        assert!(finding.message.contains("Auto Mode"), "{}", finding.message);
    }

    #[test]
    fn without_the_kubernetes_side_self_managed_components_are_for_review() {
        let mut inv = with_addons(vec![addon("vpc-cni", "v1.19.0-eksbuild.1")]);
        inv.kubernetes = crate::inventory::Read::NotCollected;
        let findings = run(&CHECK, &inv);
        assert_eq!(statuses(&findings), [Status::Pass, Status::Manual]);
        assert!(
            findings[1]
                .message
                .starts_with("kube-proxy, coredns are not EKS add-ons")
        );
    }

    #[test]
    fn unread_versions_are_an_error_naming_the_read() {
        let mut inv = with_addons(vec![addon("vpc-cni", "v1.19.0-eksbuild.1")]);
        inv.addon_versions =
            crate::inventory::Read::Failed(denied("eks:DescribeAddonVersions", &["vpc-cni"]));
        let finding = only(run(&CHECK, &inv));
        assert_eq!(finding.status, Status::Error);
        assert!(
            finding.message.contains("eks:DescribeAddonVersions"),
            "{}",
            finding.message
        );
    }

    #[test]
    fn unread_add_ons_and_unread_controllers_are_named_together() {
        let mut inv = with_addons(vec![]);
        inv.addons = crate::inventory::Read::Failed(denied("eks:ListAddons", &[]));
        k8s_denied(&mut inv, DAEMONSETS);
        let finding = only(run(&CHECK, &inv));
        assert_eq!(finding.status, Status::Error);
        assert!(
            finding.message.contains("eks:ListAddons"),
            "{}",
            finding.message
        );
        assert!(
            finding.message.contains("daemonsets"),
            "{}",
            finding.message
        );
    }

    #[test]
    fn every_core_add_on_the_collector_reads_is_judged_when_self_managed() {
        let judged: Vec<&str> = SELF_MANAGED.iter().map(|(name, ..)| *name).collect();
        assert_eq!(judged, crate::inventory::CORE_ADDONS);
    }

    #[test]
    fn versions_and_tags_read_as_numbers() {
        assert_eq!(numbers("v1.31.2-minimal-eksbuild.3"), [1, 31, 2, 3]);
        assert_eq!(release("v1.11.3-eksbuild.2"), [1, 11, 3]);
        assert_eq!(
            image_tag("r.example:5000/eks/coredns:v1.11.3@sha256:ab"),
            Some("v1.11.3")
        );
        assert_eq!(image_tag("r.example:5000/eks/coredns"), None);
    }
}
