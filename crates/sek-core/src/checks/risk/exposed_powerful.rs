//! `risk-exposed-powerful`: no workload reachable from the Internet holds a powerful identity:
//! privileged mode or a host namespace (the node), a service account bound to cluster-admin-like
//! or Secret-reading RBAC, an IAM role (IRSA or Pod Identity) with administrator or escalation
//! permissions (judged as `iam-pod-roles` judges them), or the node role's credentials through
//! IMDS (reached as `pod-imds-access` judges it).
//!
//! The path: Internet → load balancer → workload → identity. Whatever compromises the exposed
//! workload (its code, a vulnerable dependency) gets that identity.

use serde_json::json;

use super::{Link, conclude, exposed, path_finding};
use crate::checks::frameworks::{bp, nist};
use crate::checks::iam::pod_roles::judge_role;
use crate::checks::shared::all_read;
use crate::checks::shared::imds::{namespace_blocks_imds, open_nodes};
use crate::checks::shared::k8s::{Access, describe_rule, kubernetes};
use crate::checks::{Area, Check, Ctx, Eval, Evaluation, Remediation, Severity};
use crate::inventory::k8s::resources::{
    CLUSTER_ROLE_BINDINGS, CLUSTER_ROLES, INGRESSES, NETWORK_POLICIES, ROLE_BINDINGS, ROLES,
    SERVICE_ACCOUNTS, SERVICES, workload_needs,
};
use crate::inventory::k8s::{KubernetesView, Workload};
use crate::inventory::{Missing, Need, aws};

/// The check.
pub static CHECK: Check = Check {
    id: "risk-exposed-powerful",
    aliases: &[],
    area: Area::Risk,
    title: "No workload reachable from the Internet holds a powerful identity",
    severity: Severity::Critical,
    refs: &[
        nist("PR.AC-4"),
        nist("PR.AC-5"),
        bp("identity-and-access-management"),
        bp("network-security"),
    ],
    needs: workload_needs![
        Need::Kubernetes(&SERVICES),
        Need::Kubernetes(&INGRESSES),
        Need::Kubernetes(&SERVICE_ACCOUNTS),
        Need::Kubernetes(&ROLES),
        Need::Kubernetes(&CLUSTER_ROLES),
        Need::Kubernetes(&ROLE_BINDINGS),
        Need::Kubernetes(&CLUSTER_ROLE_BINDINGS),
        Need::Kubernetes(&NETWORK_POLICIES),
        // The nodes, to know whether pods reach IMDS, found as the node checks find them.
        aws("ec2:DescribeInstances"),
        aws("eks:ListNodegroups"),
        aws("eks:DescribeNodegroup"),
        aws("autoscaling:DescribeAutoScalingGroups"),
        aws("eks:ListPodIdentityAssociations"),
        aws("eks:DescribePodIdentityAssociation"),
        aws("iam:ListRoles"),
        aws("iam:ListAttachedRolePolicies"),
        aws("iam:ListRolePolicies"),
        aws("iam:GetRolePolicy"),
        aws("iam:GetPolicy"),
        aws("iam:GetPolicyVersion"),
    ],
    rationale: "An internet-facing workload is the likeliest to be compromised. If it runs privileged or in \
the node's namespaces, that compromise is the node's; if it reaches IMDS, it holds the node role's credentials; \
if its service account may read every Secret or do anything, it is the cluster's; if its IAM role is an \
administrator, it is the AWS account's.",
    remediation: Remediation {
        text: "Give exposed workloads their own service account with no RBAC beyond what they call, an IAM role \
scoped to their own resources, no privileged mode or host namespaces, and no way to IMDS (hop limit 1, or an \
egress NetworkPolicy); move powerful duties to workloads that are not exposed.",
        cli: Some("kubectl auth can-i --list --as=system:serviceaccount:<namespace>:<name>"),
        terraform: None,
    },
    links: &[
        "https://docs.aws.amazon.com/eks/latest/best-practices/identity-and-access-management.html",
        "https://kubernetes.io/docs/concepts/security/rbac-good-practices/",
    ],
    eval: Eval::Cluster(eval),
};

/// Everything on everything: what cluster-admin grants.
const EVERYTHING: Access = Access {
    verbs: &["*"],
    groups: &["*"],
    resources: &["*"],
};

/// Reading Secrets.
const SECRETS: Access = Access {
    verbs: &["get", "list", "watch"],
    groups: &[""],
    resources: &["secrets"],
};

/// The node's powers the pod spec takes: privileged containers and host namespaces.
fn host_links(workload: &Workload) -> Vec<Link> {
    let spec = &workload.spec;
    let mut powers: Vec<String> = spec
        .all_containers()
        .filter(|(_, c)| c.security_context.as_ref().and_then(|s| s.privileged) == Some(true))
        .map(|(kind, c)| format!("privileged {kind} {}", c.name))
        .collect();
    for (on, name) in [
        (spec.host_network, "hostNetwork"),
        (spec.host_pid, "hostPID"),
        (spec.host_ipc, "hostIPC"),
    ] {
        if on {
            powers.push(name.to_string());
        }
    }
    powers
        .into_iter()
        .map(|power| Link {
            kind: "identity",
            what: format!("the node, through {power}"),
            evidence: json!({ "host": power }),
        })
        .collect()
}

/// The node role's credentials, when the workload reaches IMDS off the host network (on it,
/// [`host_links`] already says the node is reached).
fn imds_link(
    view: &KubernetesView<'_>,
    workload: &Workload,
    open_nodes: &Result<Vec<&str>, Missing>,
) -> Result<Option<Link>, Missing> {
    if workload.spec.host_network {
        return Ok(None);
    }
    let open = open_nodes.as_ref().map_err(Clone::clone)?;
    view.inventory.network_policies()?;
    let namespace = &workload.metadata.namespace;
    if open.is_empty() || namespace_blocks_imds(view.network_policies_in(namespace)) {
        return Ok(None);
    }
    Ok(Some(Link {
        kind: "identity",
        what: format!(
            "the node role's credentials through IMDS ({} node(s) allow IMDSv1 or a hop limit above 1, \
and no NetworkPolicy in {namespace} blocks 169.254.169.254)",
            open.len()
        ),
        evidence: json!({ "open_nodes": open }),
    }))
}

/// What the workload's service account may do through RBAC that matters here.
fn rbac_links(view: &KubernetesView<'_>, workload: &Workload) -> Result<Vec<Link>, Missing> {
    view.inventory.roles()?;
    view.role_bindings()?;
    let namespace = &workload.metadata.namespace;
    let account = workload.spec.service_account();
    let subject = format!("system:serviceaccount:{namespace}:{account}");
    let all_accounts = format!("system:serviceaccounts:{namespace}");
    let bindings = view
        .bindings_of("ServiceAccount", namespace, account)
        .iter()
        .chain(view.bindings_of("Group", "", "system:serviceaccounts"))
        .chain(view.bindings_of("Group", "", &all_accounts));
    let mut links = Vec::new();
    for binding in bindings {
        let Some(role) = view.role_of(binding) else {
            continue;
        };
        let scope = if binding.kind == "ClusterRoleBinding" {
            "in every namespace".to_string()
        } else {
            format!("in namespace {}", binding.metadata.namespace)
        };
        for (access, power) in [(EVERYTHING, "anything"), (SECRETS, "read Secrets")] {
            let rules: Vec<String> = role
                .rules
                .iter()
                .filter(|r| access.allowed_by(r))
                .map(describe_rule)
                .collect();
            if rules.is_empty() {
                continue;
            }
            links.push(Link {
                kind: "identity",
                what: format!(
                    "{subject} may {power} {scope} ({} {} through {} {})",
                    rules.join("; "),
                    role.kind,
                    binding.kind,
                    binding.metadata.name
                ),
                evidence: json!({ "binding": format!("{}/{}", binding.kind, binding.metadata.name), "role": format!("{}/{}", role.kind, role.metadata.name), "rules": rules }),
            });
            break;
        }
    }
    Ok(links)
}

/// The IAM roles the workload's pods get (IRSA annotation, Pod Identity) that hold
/// administrator or escalation permissions.
fn iam_links(
    ctx: &Ctx<'_>,
    view: &KubernetesView<'_>,
    workload: &Workload,
) -> Result<Vec<Link>, Missing> {
    let namespace = &workload.metadata.namespace;
    let account = workload.spec.service_account();
    let mut roles: Vec<(String, &str)> = Vec::new();
    // The IRSA annotation is on the service account: unread, the role is unknown.
    view.inventory.service_accounts()?;
    let service_account = view.service_account(namespace, account);
    if let Some(arn) =
        service_account.and_then(|sa| sa.metadata.annotations.get("eks.amazonaws.com/role-arn"))
    {
        roles.push((arn.clone(), "IRSA"));
    }
    for association in ctx.inventory.pod_identity_associations()? {
        if association.namespace == *namespace
            && association.service_account == account
            && let Some(arn) = &association.role_arn
        {
            roles.push((arn.clone(), "Pod Identity"));
        }
    }
    if roles.is_empty() {
        return Ok(Vec::new());
    }
    let account_data = ctx.account_data()?;
    let (permissions, policies) = (
        account_data.role_permissions()?,
        account_data.role_policies()?,
    );
    let mut links = Vec::new();
    for (arn, how) in roles {
        let (name, powers) = judge_role(&arn, permissions, policies)?;
        if !powers.is_empty() {
            links.push(Link {
                kind: "identity",
                what: format!(
                    "IAM role {name} ({how}), which grants {}",
                    powers.join("; ")
                ),
                evidence: json!({ "role_arn": arn, "through": how, "powers": powers }),
            });
        }
    }
    Ok(links)
}

fn eval(ctx: &Ctx<'_>) -> Evaluation {
    let view = kubernetes(ctx)?;
    let exposed = exposed(ctx)?;
    let open_nodes = open_nodes(ctx);
    let mut findings = Vec::new();
    for (workload, entries) in &exposed {
        let mut links = host_links(workload);
        let imds = imds_link(view, workload, &open_nodes).map(|link| link.into_iter().collect());
        let unread = [
            rbac_links(view, workload),
            iam_links(ctx, view, workload),
            imds,
        ]
        .map(|judged| match judged {
            Ok(found) => {
                links.extend(found);
                None
            }
            Err(missing) => Some(missing),
        });
        if !links.is_empty() {
            // A proven path stands; what could not be read is named beside it.
            let mut finding = path_finding(workload, entries, links, "holds a powerful identity");
            let missing: Vec<_> = unread.iter().flatten().map(Missing::evidence).collect();
            if !missing.is_empty() {
                finding.evidence["unread"] = json!(missing);
            }
            findings.push(finding);
        } else if let Some(mut finding) = all_read(&workload.reference(), unread) {
            finding.message = format!(
                "reachable from the Internet; its identity could not be judged: {}",
                finding.message
            );
            findings.push(finding);
        }
    }
    Ok(conclude(
        ctx,
        findings,
        exposed.len(),
        "holds a powerful identity",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::Settings;
    use crate::checks::Status;
    use crate::checks::testkit::image::*;
    use crate::checks::testkit::k8s::*;
    use crate::checks::testkit::*;

    fn judge(inv: &crate::inventory::ClusterInventory) -> Vec<crate::checks::Finding> {
        run_full(&CHECK, inv, None, Some(&account()), &Settings::default())
    }

    #[test]
    fn an_exposed_privileged_workload_is_a_path_through_the_node() {
        let mut inv = scanned_cluster(vec![]);
        expose_api(&mut inv);
        first_container_context(api_of(&mut inv)).privileged = Some(true);
        let findings = judge(&inv);
        let finding = about(&findings, "Deployment/web/api");
        assert_eq!(finding.status, Status::Fail);
        assert!(
            finding
                .message
                .contains("the node, through privileged container api"),
            "{}",
            finding.message
        );
    }

    #[test]
    fn an_exposed_service_account_bound_to_cluster_admin_is_a_path() {
        let mut inv = scanned_cluster(vec![]);
        expose_api(&mut inv);
        k8s(&mut inv).role_bindings.data_mut().push(binding(
            "",
            "api-admin",
            "ClusterRole/cluster-admin",
            &["ServiceAccount:web/api"],
        ));
        let finding = about(&judge(&inv), "Deployment/web/api").clone();
        assert_eq!(finding.status, Status::Fail);
        assert!(
            finding.message.contains("may anything in every namespace"),
            "{}",
            finding.message
        );
    }

    #[test]
    fn an_exposed_workload_reaching_imds_gets_the_node_role_unless_egress_is_blocked() {
        let mut inv = scanned_cluster(vec![]);
        expose_api(&mut inv);
        let mut open = node("i-open");
        open.metadata_options = Some(crate::inventory::MetadataOptions {
            http_tokens: Some("required".into()),
            http_put_response_hop_limit: Some(2),
            http_endpoint: Some("enabled".into()),
        });
        inv.instances.data_mut().push(open);
        // web's default-deny policy restricts egress: IMDS is out of reach.
        assert_eq!(statuses(&judge(&inv)), [Status::Pass]);
        k8s(&mut inv).network_policies = read(vec![default_deny("default")]);
        let finding = about(&judge(&inv), "Deployment/web/api").clone();
        assert_eq!(finding.status, Status::Fail);
        assert!(
            finding
                .message
                .contains("the node role's credentials through IMDS (1 node(s)"),
            "{}",
            finding.message
        );
    }

    #[test]
    fn a_hardened_exposed_workload_passes_and_unread_rbac_is_an_error() {
        let mut inv = scanned_cluster(vec![]);
        expose_api(&mut inv);
        let finding = only(judge(&inv));
        assert_eq!(finding.status, Status::Pass, "{}", finding.message);
        k8s_denied(&mut inv, CLUSTER_ROLE_BINDINGS);
        let findings = judge(&inv);
        assert!(
            statuses(&findings).contains(&Status::Error),
            "{findings:#?}"
        );
        assert!(!statuses(&findings).contains(&Status::Pass));
    }
}
