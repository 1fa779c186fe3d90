//! Helpers for the Kubernetes-side checks: reaching the Kubernetes inventory (or saying why it
//! is not there), judging workloads one by one, judging what RBAC bindings grant, and the
//! built-in, visible exceptions for components AWS and Kubernetes manage.

use serde_json::json;

use crate::checks::{Ctx, Evaluation, Finding, Status, WaiverNote};
use crate::inventory::k8s::{
    Container, KubernetesView, ObjectMeta, PodSpec, PolicyRule, Role, RoleBinding, SecurityContext,
    Subject, Workload,
};
use crate::inventory::{Missing, ResourceRef};

/// Where built-in exceptions are "written", as shown in reports.
pub(crate) const BUILT_IN: &str = "sek built-in exceptions (docs/kubernetes.md)";

/// `k8s:<Kind>/<namespace>/<name>`: how findings name a Kubernetes object.
pub(crate) fn reference(kind: &str, metadata: &ObjectMeta) -> String {
    ResourceRef::namespaced(kind, &metadata.namespace, &metadata.name).into()
}

/// The Kubernetes side, or why it was not read (not collected, or the API unreachable).
pub(crate) fn kubernetes<'a>(ctx: &Ctx<'a>) -> Result<&'a KubernetesView<'a>, Missing> {
    ctx.inventory.kubernetes()
}

/// Turn a failing finding into a `waived` one when a built-in exception gives a reason.
pub(crate) fn exempt(mut finding: Finding, reason: Option<&str>) -> Finding {
    let Some(reason) = reason else {
        return finding;
    };
    if finding.status == Status::Fail {
        finding.status = Status::Waived;
        finding.waiver = Some(WaiverNote {
            reason: reason.to_string(),
            expires: None,
            location: BUILT_IN.to_string(),
        });
    }
    finding
}

/// Namespaces Kubernetes and EKS create and manage.
pub(crate) const SYSTEM_NAMESPACES: &[&str] = &["kube-system", "kube-public", "kube-node-lease"];

/// `reason` when `namespace` is a system namespace: a built-in exception.
pub(crate) fn system_namespace<'r>(namespace: &str, reason: &'r str) -> Option<&'r str> {
    SYSTEM_NAMESPACES.contains(&namespace).then_some(reason)
}

/// Components AWS installs and manages (EKS add-ons and agents), by namespace and name.
const AWS_COMPONENTS: &[(&str, &str, &str)] = &[
    (
        "kube-system",
        "aws-node",
        "the Amazon VPC CNI (vpc-cni add-on)",
    ),
    (
        "kube-system",
        "kube-proxy",
        "kube-proxy (kube-proxy add-on)",
    ),
    ("kube-system", "coredns", "CoreDNS (coredns add-on)"),
    (
        "kube-system",
        "ebs-csi-node",
        "the EBS CSI driver (aws-ebs-csi-driver add-on)",
    ),
    (
        "kube-system",
        "ebs-csi-node-windows",
        "the EBS CSI driver (aws-ebs-csi-driver add-on)",
    ),
    (
        "kube-system",
        "ebs-csi-controller",
        "the EBS CSI driver (aws-ebs-csi-driver add-on)",
    ),
    (
        "kube-system",
        "efs-csi-node",
        "the EFS CSI driver (aws-efs-csi-driver add-on)",
    ),
    (
        "kube-system",
        "efs-csi-controller",
        "the EFS CSI driver (aws-efs-csi-driver add-on)",
    ),
    (
        "kube-system",
        "s3-csi-node",
        "the Mountpoint for S3 CSI driver add-on",
    ),
    (
        "kube-system",
        "eks-pod-identity-agent",
        "the EKS Pod Identity agent add-on",
    ),
    (
        "kube-system",
        "eks-node-monitoring-agent",
        "the EKS node monitoring agent add-on",
    ),
    (
        "kube-system",
        "snapshot-controller",
        "the CSI snapshot controller add-on",
    ),
    (
        "amazon-guardduty",
        "aws-guardduty-agent",
        "the GuardDuty runtime monitoring agent",
    ),
    (
        "amazon-cloudwatch",
        "cloudwatch-agent",
        "the CloudWatch observability add-on",
    ),
    (
        "amazon-cloudwatch",
        "fluent-bit",
        "the CloudWatch observability add-on",
    ),
];

/// The built-in exceptions, for docs/kubernetes.md.
pub(crate) fn exceptions_markdown() -> String {
    let mut out = String::from(
        "## Built-in exceptions\n\nFailures of components that AWS and Kubernetes install and manage are reported as \
`waived`, with the reason, never dropped: they stay in every report and count in the summary. \
Namespaces can be left out of evaluation altogether with `[kubernetes] exclude_namespaces` in sek.toml.\n\n\
- **AWS-managed workloads** (pod-* and sa-token-automount checks):\n",
    );
    for (namespace, name, what) in AWS_COMPONENTS {
        out.push_str(&format!("  - `{namespace}/{name}`: {what}\n"));
    }
    out.push_str(&format!(
        "- **Managed RBAC** (rbac-* checks): bindings named `system:*` or `eks:*`, bindings only to \
`system:masters` (its members are judged by rbac-system-masters and access-entries-admin), and bindings \
an EKS add-on installed, unless they reach one of {}; roles named `system:*` or `eks:*`, the default \
`cluster-admin`, `admin`, `edit` and `view` ClusterRoles, and roles an EKS add-on installed \
(rbac-wildcards). An add-on's objects are known by provenance, not by name: EKS manages their fields \
(field manager `eks` in `managedFields`) or labels them `app.kubernetes.io/managed-by: EKS`; an object \
named like an add-on's without either is judged like any other. Exports keep `managedFields` only with \
`kubectl get ... -o json --show-managed-fields`.\n\
- **System namespaces** (`{}`) in ns-network-policy, ns-pod-security and sa-default-used.\n\
- **Public health and version endpoints** in rbac-anonymous: a binding whose role only lets \
unauthenticated callers get /healthz, /livez, /readyz and /version (Kubernetes' \
`system:public-info-viewer`), judged by what the role grants, not by its name.\n",
        BROAD_GROUPS.iter().map(|g| format!("`{g}`")).collect::<Vec<_>>().join(", "),
        SYSTEM_NAMESPACES.join("`, `")
    ));
    out
}

/// Why a workload is exempt, when it is an AWS-managed component: its privileges are part of
/// its design and AWS updates it.
pub(crate) fn aws_component(workload: &Workload) -> Option<String> {
    let meta = &workload.metadata;
    AWS_COMPONENTS
        .iter()
        .find(|(ns, name, _)| *ns == meta.namespace && *name == meta.name)
        .map(|(_, _, what)| {
            format!("AWS-managed component: {what}; its access to the node is by design")
        })
}

/// Judge every workload: `problems` lists what is wrong with one (empty: compliant). Failing
/// AWS components are waived by the built-in exceptions. `None` from `problems` means the
/// check does not apply to that workload.
pub(crate) fn judge_workloads(
    ctx: &Ctx<'_>,
    pass: &str,
    problems: impl Fn(&Workload) -> Option<Vec<String>>,
) -> Evaluation {
    let workloads = kubernetes(ctx)?.workloads()?;
    let findings: Vec<Finding> = workloads
        .iter()
        .filter_map(|w| {
            let found = problems(w)?;
            let resource = w.reference();
            Some(if found.is_empty() {
                Finding::pass(resource, pass)
            } else {
                let finding = Finding::fail(resource, found.join("; "))
                    .with_evidence(json!({ "problems": found, "pods": w.pods }));
                exempt(finding, aws_component(w).as_deref())
            })
        })
        .collect();
    if findings.is_empty() {
        return Ok(vec![Finding::not_applicable(
            ctx.inventory.arn(),
            "no workload this check applies to",
        )]);
    }
    Ok(findings)
}

/// A workload's problems when a pod-level setting is wrong by itself: `problem` when `wrong`.
pub(crate) fn problem_if(wrong: bool, problem: &str) -> Option<Vec<String>> {
    Some(if wrong {
        vec![problem.to_string()]
    } else {
        Vec::new()
    })
}

/// `<kind> <name>: <why>` for every container (init and ephemeral included) `bad` objects to.
pub(crate) fn containers_where(
    spec: &PodSpec,
    bad: impl Fn(&Container) -> Option<String>,
) -> Vec<String> {
    spec.all_containers()
        .filter_map(|(kind, c)| bad(c).map(|why| format!("{kind} {}: {why}", c.name)))
        .collect()
}

/// A security setting as it applies to a container: its own, else the pod's.
pub(crate) fn effective<T>(
    spec: &PodSpec,
    container: &Container,
    read: impl Fn(&SecurityContext) -> Option<T>,
) -> Option<T> {
    container
        .security_context
        .as_ref()
        .and_then(&read)
        .or_else(|| spec.security_context.as_ref().and_then(&read))
}

pub(crate) use crate::inventory::ImageRef;

/// What a rule must allow to count: any of `verbs` on any of `resources` in any of `groups`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Access {
    /// Verbs.
    pub verbs: &'static [&'static str],
    /// API groups (`""`: core).
    pub groups: &'static [&'static str],
    /// Resources (`pods/exec` for subresources).
    pub resources: &'static [&'static str],
}

fn matches(granted: &[String], wanted: &[&str]) -> bool {
    granted
        .iter()
        .any(|g| g == "*" || wanted.contains(&g.as_str()))
}

impl Access {
    /// Whether `rule` allows this access (wildcards included).
    pub fn allowed_by(&self, rule: &PolicyRule) -> bool {
        matches(&rule.verbs, self.verbs)
            && matches(&rule.api_groups, self.groups)
            && rule.resources.iter().any(|r| {
                r == "*"
                    || self.resources.contains(&r.as_str())
                    || r.strip_suffix("/*").is_some_and(|base| {
                        self.resources
                            .iter()
                            .any(|w| w.starts_with(&format!("{base}/")))
                    })
            })
    }
}

/// `verbs on resources` of a rule, for messages.
pub(crate) fn describe_rule(rule: &PolicyRule) -> String {
    let mut targets = Vec::new();
    if !rule.resources.is_empty() {
        let mut resources = rule.resources.join(",");
        if !rule.resource_names.is_empty() {
            resources = format!("{resources} named {}", rule.resource_names.join(","));
        }
        targets.push(resources);
    }
    // Non-resource URLs (/healthz, /metrics...) are what a rule without resources grants.
    if !rule.non_resource_urls.is_empty() {
        targets.push(rule.non_resource_urls.join(","));
    }
    format!("{} on {}", rule.verbs.join(","), targets.join(" and "))
}

/// `Kind:name` (`ServiceAccount:ns/name`) of a subject.
pub(crate) fn describe_subject(subject: &Subject) -> String {
    if subject.namespace.is_empty() {
        format!("{}:{}", subject.kind, subject.name)
    } else {
        format!("{}:{}/{}", subject.kind, subject.namespace, subject.name)
    }
}

/// Groups that stand for everyone (or every service account): never exempt.
pub(crate) const BROAD_GROUPS: &[&str] = &[
    "system:authenticated",
    "system:unauthenticated",
    "system:anonymous",
    "system:serviceaccounts",
];

fn is_broad(subject: &Subject) -> bool {
    BROAD_GROUPS.contains(&subject.name.as_str())
        || subject.name.starts_with("system:serviceaccounts:")
}

/// Why a binding is exempt: Kubernetes' own `system:` bindings and EKS's `eks:` ones are
/// reconciled by the control plane (edits are reverted), and an EKS add-on's bindings are managed
/// by EKS (by provenance, not name: a copy of an add-on's name is judged), unless they reach a
/// broad group.
pub(crate) fn managed_binding(binding: &RoleBinding) -> Option<&'static str> {
    if binding.subjects.iter().any(is_broad) {
        return None;
    }
    let name = &binding.metadata.name;
    // The default cluster-admin binding is to system:masters, which only aws-auth mappings and
    // the cluster creator reach; rbac-system-masters judges those.
    let bootstrap = binding
        .subjects
        .iter()
        .all(|s| s.kind == "Group" && s.name == "system:masters");
    if name.starts_with("system:") || name.starts_with("eks:") || bootstrap {
        Some(
            "Kubernetes or EKS default binding (system:/eks: prefix or to system:masters), reconciled by the control plane",
        )
    } else if binding.metadata.installed_by_eks() {
        Some("installed by an EKS add-on (EKS manages its fields); the add-on's updates set it")
    } else {
        None
    }
}

/// Why a role is exempt: a default role of Kubernetes or EKS, or one an EKS add-on installed.
pub(crate) fn managed_role(role: &Role) -> Option<&'static str> {
    let name = &role.metadata.name;
    if name.starts_with("system:")
        || name.starts_with("eks:")
        || (role.kind == "ClusterRole"
            && ["cluster-admin", "admin", "edit", "view"].contains(&name.as_str()))
    {
        Some("Kubernetes or EKS default role; the rbac-* checks report who is bound to it")
    } else if role.metadata.installed_by_eks() {
        Some(
            "installed by an EKS add-on (EKS manages its fields); the rbac-* checks report who is bound to it",
        )
    } else {
        None
    }
}

/// Judge every binding: those whose role has a rule `access` allows fail (with the rules and
/// subjects), managed bindings are waived; with none, the cluster passes.
pub(crate) fn judge_grants(ctx: &Ctx<'_>, what: &str, access: Access) -> Evaluation {
    judge_bindings(ctx, what, |view, binding| {
        let role = view.role_of(binding)?;
        let rules: Vec<String> = role
            .rules
            .iter()
            .filter(|r| access.allowed_by(r))
            .map(describe_rule)
            .collect();
        (!rules.is_empty()).then(|| Grant::new(role, rules))
    })
}

/// What a binding grants that a check is about.
pub(crate) struct Grant<'a> {
    /// The role granted.
    pub role: &'a Role,
    /// The rules that matter, described.
    pub rules: Vec<String>,
    /// Why this grant is acceptable as it stands, beyond the managed-binding exceptions.
    pub exemption: Option<&'static str>,
}

impl<'a> Grant<'a> {
    /// A grant with no exemption of its own.
    pub fn new(role: &'a Role, rules: Vec<String>) -> Self {
        Grant {
            role,
            rules,
            exemption: None,
        }
    }
}

/// Judge every binding with `grants`: `Some(grant)` when the binding grants what the check is
/// about.
pub(crate) fn judge_bindings<'a>(
    ctx: &Ctx<'a>,
    what: &str,
    grants: impl Fn(&KubernetesView<'a>, &RoleBinding) -> Option<Grant<'a>>,
) -> Evaluation {
    let view = kubernetes(ctx)?;
    view.inventory.roles()?;
    let bindings = view.role_bindings()?;
    let mut findings = Vec::new();
    for binding in bindings {
        let Some(Grant {
            role,
            rules,
            exemption,
        }) = grants(view, binding)
        else {
            continue;
        };
        if binding.subjects.is_empty() {
            continue;
        }
        let subjects: Vec<String> = binding.subjects.iter().map(describe_subject).collect();
        let finding = Finding::fail(
            reference(&binding.kind, &binding.metadata),
            format!(
                "grants {what} ({}) through {} {} to {}",
                rules.join("; "),
                role.kind,
                role.metadata.name,
                subjects.join(", ")
            ),
        )
        .with_evidence(json!({ "role": format!("{}/{}", role.kind, role.metadata.name), "rules": rules, "subjects": subjects }));
        findings.push(exempt(
            finding,
            exemption.or_else(|| managed_binding(binding)),
        ));
    }
    if findings.is_empty() {
        findings.push(Finding::pass(
            ctx.inventory.arn(),
            format!("no role binding grants {what}"),
        ));
    }
    Ok(findings)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(groups: &[&str], resources: &[&str], verbs: &[&str]) -> PolicyRule {
        PolicyRule {
            api_groups: groups.iter().map(|s| s.to_string()).collect(),
            resources: resources.iter().map(|s| s.to_string()).collect(),
            verbs: verbs.iter().map(|s| s.to_string()).collect(),
            ..PolicyRule::default()
        }
    }

    const SECRETS: Access = Access {
        verbs: &["get", "list", "watch"],
        groups: &[""],
        resources: &["secrets"],
    };

    #[test]
    fn a_rule_is_described_by_its_verbs_and_what_it_grants_them_on() {
        let mut named = rule(&[""], &["configmaps"], &["get", "update"]);
        named.resource_names = vec!["aws-auth".into()];
        assert_eq!(
            describe_rule(&named),
            "get,update on configmaps named aws-auth"
        );
        let mut urls = rule(&[], &[], &["get"]);
        urls.non_resource_urls = vec!["/healthz".into(), "/version".into()];
        assert_eq!(describe_rule(&urls), "get on /healthz,/version");
        urls.resources = vec!["pods".into()];
        assert_eq!(describe_rule(&urls), "get on pods and /healthz,/version");
    }

    #[test]
    fn access_matches_exact_and_wildcard_rules_only() {
        assert!(SECRETS.allowed_by(&rule(&[""], &["secrets"], &["get"])));
        assert!(SECRETS.allowed_by(&rule(&["*"], &["*"], &["*"])));
        assert!(!SECRETS.allowed_by(&rule(&[""], &["secrets"], &["create"])));
        assert!(!SECRETS.allowed_by(&rule(&["apps"], &["secrets"], &["get"])));
        assert!(!SECRETS.allowed_by(&rule(&[""], &["configmaps"], &["get"])));
        let proxy = Access {
            verbs: &["get"],
            groups: &[""],
            resources: &["nodes/proxy"],
        };
        assert!(proxy.allowed_by(&rule(&[""], &["nodes/*"], &["get"])));
        assert!(!proxy.allowed_by(&rule(&[""], &["nodes"], &["get"])));
    }

    #[test]
    fn image_references_split_into_registry_repository_tag_and_digest() {
        let ecr = ImageRef::parse("1.dkr.ecr.eu-west-1.amazonaws.com/team/api:1.2@sha256:ab");
        assert_eq!(ecr.registry, "1.dkr.ecr.eu-west-1.amazonaws.com");
        assert_eq!(ecr.repository, "team/api");
        assert_eq!(ecr.tag, Some("1.2"));
        assert_eq!(ecr.digest, Some("sha256:ab"));
        let hub = ImageRef::parse("nginx");
        assert_eq!(
            (hub.registry, hub.repository, hub.tag),
            ("docker.io", "nginx", None)
        );
        let port = ImageRef::parse("localhost:5000/tools/x");
        assert_eq!(
            (port.registry, port.repository, port.tag),
            ("localhost:5000", "tools/x", None)
        );
        let user = ImageRef::parse("bitnami/redis:latest");
        assert_eq!(
            (user.registry, user.repository, user.tag),
            ("docker.io", "bitnami/redis", Some("latest"))
        );
    }

    #[test]
    fn system_bindings_to_broad_groups_are_not_exempt() {
        let mut binding = RoleBinding {
            kind: "ClusterRoleBinding".into(),
            metadata: ObjectMeta {
                name: "system:basic-user".into(),
                ..ObjectMeta::default()
            },
            subjects: vec![Subject {
                kind: "Group".into(),
                name: "system:masters".into(),
                namespace: String::new(),
            }],
            ..RoleBinding::default()
        };
        assert!(managed_binding(&binding).is_some());
        binding.subjects[0].name = "system:authenticated".into();
        assert!(managed_binding(&binding).is_none());
    }
}
