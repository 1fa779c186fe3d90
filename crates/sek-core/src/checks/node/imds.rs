//! `node-imds`: every node, and every node group launch template, requires IMDSv2 with a small
//! hop limit, or turns the metadata endpoint off.
//!
//! Reads each instance's `MetadataOptions` (the effective setting) and each node group launch
//! template's. A template that leaves a setting unset fails, because the effective value then
//! depends on the AMI and the account defaults rather than on the template. Karpenter
//! EC2NodeClasses are judged with Karpenter v1's defaults (IMDSv2 required, hop limit 1); EKS
//! Auto Mode sets its instances' options itself, so they are never failed.

use serde_json::json;

use super::provisioners::{class_resource, provisioning_list, unless_auto_mode};
use super::{NO_NODES_OR_TEMPLATES, conclude, node_needs, nodegroup_templates};
use crate::checks::frameworks::{bp, cis13, cis18, nist};
use crate::checks::{Area, Check, Ctx, Eval, Evaluation, Finding, Remediation, Severity, Status};
use crate::inventory::MetadataOptions;
use crate::inventory::k8s::resources::EC2_NODE_CLASSES;

/// The check.
pub static CHECK: Check = Check {
    id: "node-imds",
    aliases: &[],
    area: Area::Node,
    title: "Nodes require IMDSv2 with a hop limit of 1",
    severity: Severity::High,
    refs: &[
        cis13("5.2.1"),
        cis18("5.2.1"),
        nist("PR.AC-4"),
        nist("PR.DS-5"),
        bp("identity-and-access-management"),
    ],
    needs: node_needs!["ec2:DescribeLaunchTemplateVersions"; EC2_NODE_CLASSES],
    rationale: "The instance metadata service hands out the node role's credentials. IMDSv1 answers any GET, so a \
server-side request forgery in any pod can steal them; IMDSv2 requires a PUT-issued session token. With a hop \
limit of 1 the token response cannot cross the extra network hop into a pod's network namespace, so only \
host-network processes reach IMDS and pods must use IRSA or Pod Identity for AWS access.",
    remediation: Remediation {
        text: "Set HttpTokens=required and HttpPutResponseHopLimit=1 in the node group launch template (and roll \
the nodes), or per instance with the CLI; in a Karpenter EC2NodeClass set `metadataOptions` the same way (or \
leave it out: Karpenter's defaults are these). Give pods AWS access through IRSA or EKS Pod Identity instead. The \
maximum hop limit is configurable in sek.toml ([thresholds] imds_max_hop_limit).",
        cli: Some(
            "aws ec2 modify-instance-metadata-options --instance-id <id> --http-tokens required \
--http-put-response-hop-limit 1 --http-endpoint enabled",
        ),
        terraform: Some(
            "metadata_options {\n  http_endpoint               = \"enabled\"\n  http_tokens                 = \"required\"\n  http_put_response_hop_limit = 1\n}",
        ),
    },
    links: &[
        "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/configuring-instance-metadata-service.html",
        "https://docs.aws.amazon.com/eks/latest/best-practices/identity-and-access-management.html#_restrict_access_to_the_instance_profile_assigned_to_the_worker_node",
    ],
    eval: Eval::Cluster(eval),
};

/// Whether missing settings are unknown (an instance: the API always reports them) or left to
/// defaults (a launch template).
#[derive(Clone, Copy, PartialEq)]
enum Subject {
    Instance,
    Template,
}

/// Judge metadata options: the status and the sentence saying why.
fn judge(options: &MetadataOptions, max_hop: i32, subject: Subject) -> (Status, String) {
    if options.http_endpoint.as_deref() == Some("disabled") {
        return (
            Status::Pass,
            "the instance metadata endpoint is disabled".to_string(),
        );
    }
    let mut problems = Vec::new();
    let mut unknown = Vec::new();
    match (options.http_tokens.as_deref(), subject) {
        (Some("required"), _) => {}
        (Some(other), _) => problems.push(format!("IMDSv1 is allowed (HttpTokens={other})")),
        (None, Subject::Instance) => unknown.push("HttpTokens"),
        (None, Subject::Template) => problems.push(
            "HttpTokens is not set, so IMDSv1 stays allowed unless the AMI requires IMDSv2"
                .to_string(),
        ),
    }
    match (options.http_put_response_hop_limit, subject) {
        (Some(hops), _) if hops <= max_hop => {}
        (Some(hops), _) => problems.push(format!(
            "the hop limit is {hops} (maximum {max_hop}), so containers can reach IMDS and the node role's credentials"
        )),
        (None, Subject::Instance) => unknown.push("HttpPutResponseHopLimit"),
        (None, Subject::Template) => problems.push(
            "HttpPutResponseHopLimit is not set (EC2 defaults to 1, but to 2 for AMIs registered with ImdsSupport=v2.0)"
                .to_string(),
        ),
    }
    if !problems.is_empty() {
        (Status::Fail, problems.join("; "))
    } else if !unknown.is_empty() {
        (
            Status::Error,
            format!("DescribeInstances did not report {}", unknown.join(", ")),
        )
    } else {
        let hops = options.http_put_response_hop_limit.unwrap_or(1);
        (
            Status::Pass,
            format!("IMDSv2 is required with a hop limit of {hops}"),
        )
    }
}

fn evidence(
    options: &MetadataOptions,
    max_hop: i32,
    used_by: serde_json::Value,
) -> serde_json::Value {
    json!({
        "http_tokens": options.http_tokens,
        "http_put_response_hop_limit": options.http_put_response_hop_limit,
        "http_endpoint": options.http_endpoint,
        "max_hop_limit": max_hop,
        "used_by": used_by,
    })
}

fn eval(ctx: &Ctx<'_>) -> Evaluation {
    let inv = ctx.inventory;
    let nodes = inv.instances()?;
    let max_hop = ctx.settings.imds_max_hop_limit;
    let mut findings = Vec::new();

    for node in nodes.iter() {
        let resource = inv.ec2_arn("instance", &node.id);
        let finding = match &node.metadata_options {
            None => Finding::error(
                resource,
                "DescribeInstances returned no MetadataOptions for this instance",
            ),
            Some(options) => {
                let (status, message) = judge(options, max_hop, Subject::Instance);
                Finding::new(status, resource, message).with_evidence(evidence(
                    options,
                    max_hop,
                    json!(node.nodegroup),
                ))
            }
        };
        findings.push(unless_auto_mode(node, "metadata options", finding));
    }

    let (templates, errors) = nodegroup_templates(inv)?;
    findings.extend(errors);
    for used in templates {
        let version = used.template.version;
        let (status, message) = match &used.template.metadata_options {
            None => (
                Status::Fail,
                "the template leaves MetadataOptions unset, so IMDSv1 and the hop limit fall to AMI and account defaults"
                    .to_string(),
            ),
            Some(options) => judge(options, max_hop, Subject::Template),
        };
        let options = used.template.metadata_options.clone().unwrap_or_default();
        findings.push(
            Finding::new(status, used.arn, format!("version {version}: {message}"))
                .with_evidence(evidence(&options, max_hop, json!(used.nodegroups))),
        );
    }

    let (classes, errors) = provisioning_list(ctx, nodes, |k| k.ec2_node_classes());
    findings.extend(errors);
    for class in classes {
        let options = class.effective_metadata_options();
        let (status, message) = judge(&options, max_hop, Subject::Instance);
        let source = if class.spec.metadata_options.is_some() {
            "metadataOptions"
        } else {
            "Karpenter's default metadataOptions"
        };
        findings.push(
            Finding::new(
                status,
                class_resource("EC2NodeClass", &class.metadata.name),
                format!("{source}: {message}"),
            )
            .with_evidence(evidence(&options, max_hop, json!(null))),
        );
    }

    Ok(conclude(inv, nodes, findings, NO_NODES_OR_TEMPLATES))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::Settings;
    use crate::checks::testkit::*;

    fn with_node_options(options: Option<MetadataOptions>) -> Finding {
        let mut inv = cluster_with_nodes(&["i-1"]);
        inv.instances.data_mut()[0].metadata_options = options;
        only(run(&CHECK, &inv))
    }

    fn options(
        tokens: Option<&str>,
        hops: Option<i32>,
        endpoint: Option<&str>,
    ) -> Option<MetadataOptions> {
        Some(MetadataOptions {
            http_tokens: tokens.map(String::from),
            http_put_response_hop_limit: hops,
            http_endpoint: endpoint.map(String::from),
        })
    }

    #[test]
    fn imdsv2_with_hop_limit_1_passes() {
        let finding = with_node_options(options(Some("required"), Some(1), Some("enabled")));
        assert_eq!(finding.status, Status::Pass);
        assert!(finding.resource.ends_with(":instance/i-1"));
    }

    #[test]
    fn imdsv1_fails() {
        let finding = with_node_options(options(Some("optional"), Some(1), Some("enabled")));
        assert_eq!(finding.status, Status::Fail);
        assert!(finding.message.contains("IMDSv1 is allowed"));
    }

    #[test]
    fn hop_limit_2_fails_by_default_and_passes_when_allowed() {
        let finding = with_node_options(options(Some("required"), Some(2), Some("enabled")));
        assert_eq!(finding.status, Status::Fail);
        assert!(finding.message.contains("hop limit is 2 (maximum 1)"));

        let mut inv = cluster_with_nodes(&["i-1"]);
        inv.instances.data_mut()[0].metadata_options =
            options(Some("required"), Some(2), Some("enabled"));
        let relaxed = Settings {
            imds_max_hop_limit: 2,
            ..Settings::default()
        };
        assert_eq!(only(run_with(&CHECK, &inv, &relaxed)).status, Status::Pass);
    }

    #[test]
    fn disabled_endpoint_passes_whatever_the_rest() {
        let finding = with_node_options(options(Some("optional"), Some(5), Some("disabled")));
        assert_eq!(finding.status, Status::Pass);
    }

    #[test]
    fn unreported_options_are_errors() {
        assert_eq!(with_node_options(None).status, Status::Error);
        assert_eq!(
            with_node_options(options(None, Some(1), Some("enabled"))).status,
            Status::Error
        );
    }

    #[test]
    fn launch_templates_are_judged_and_unset_options_fail() {
        let mut inv = cluster();
        add_launch_template(&mut inv, launch_template("lt-good"));
        let mut unset = launch_template("lt-unset");
        unset.metadata_options = None;
        add_launch_template(&mut inv, unset);
        let mut v1 = launch_template("lt-v1");
        v1.metadata_options = options(None, Some(1), None);
        add_launch_template(&mut inv, v1);

        let findings = run(&CHECK, &inv);
        assert_eq!(
            about(&findings, "launch-template/lt-good").status,
            Status::Pass
        );
        assert_eq!(
            about(&findings, "launch-template/lt-unset").status,
            Status::Fail
        );
        let v1 = about(&findings, "launch-template/lt-v1");
        assert_eq!(v1.status, Status::Fail);
        assert!(
            v1.message.starts_with("version 3: HttpTokens is not set"),
            "{}",
            v1.message
        );
    }

    #[test]
    fn no_nodes_is_not_applicable_and_failed_discovery_is_an_error() {
        assert_eq!(statuses(&run(&CHECK, &cluster())), [Status::NotApplicable]);
        let mut inv = cluster_with_nodes(&["i-1"]);
        fail_part(
            &mut inv.instances,
            denied("autoscaling:DescribeAutoScalingGroups", &["eks-ng-1"]),
        );
        assert_eq!(statuses(&run(&CHECK, &inv)), [Status::Pass, Status::Error]);
    }

    #[test]
    fn karpenter_node_classes_are_judged_with_karpenters_defaults() {
        use crate::checks::testkit::k8s::{k8s, kube_cluster};
        use crate::inventory::k8s::Ec2NodeClass;
        let mut inv = kube_cluster();
        let class = |name: &str, spec: serde_json::Value| -> Ec2NodeClass {
            serde_json::from_value(json!({"metadata": {"name": name}, "spec": spec})).unwrap()
        };
        k8s(&mut inv).ec2_node_classes = read(vec![
            class(
                "default",
                json!({"amiSelectorTerms": [{"alias": "al2023@latest"}]}),
            ),
            class(
                "loose",
                json!({"metadataOptions": {"httpTokens": "optional", "httpPutResponseHopLimit": 2}}),
            ),
        ]);
        let findings = run(&CHECK, &inv);
        let default = about(&findings, "EC2NodeClass//default");
        assert_eq!(default.status, Status::Pass);
        assert!(
            default
                .message
                .starts_with("Karpenter's default metadataOptions: IMDSv2 is required"),
            "{}",
            default.message
        );
        let loose = about(&findings, "EC2NodeClass//loose");
        assert_eq!(loose.status, Status::Fail);
        assert!(
            loose.message.contains("IMDSv1 is allowed"),
            "{}",
            loose.message
        );
    }

    #[test]
    fn an_auto_mode_instance_is_never_failed_on_its_metadata_options() {
        let mut inv = cluster_with_nodes(&["i-1"]);
        let node = &mut inv.instances.data_mut()[0];
        node.metadata_options = options(Some("optional"), Some(2), Some("enabled"));
        node.managed_by = Some(crate::inventory::AUTO_MODE_OPERATOR.into());
        let finding = only(run(&CHECK, &inv));
        assert_eq!(finding.status, Status::Waived);
        assert!(finding.waiver.unwrap().reason.contains("EKS Auto Mode"));
    }
}
