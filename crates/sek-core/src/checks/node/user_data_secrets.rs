//! `node-user-data-secrets`: the user data of the node groups' launch templates holds no AWS access
//! keys, private keys, passwords or tokens.
//!
//! The collector inspects the user data as it reads it and keeps only what it found, by kind and
//! line: the values never reach the snapshot or the report. Compressed user data cannot be
//! inspected and is listed for review.

use serde_json::json;

use crate::checks::frameworks::{bp, nist};
use crate::checks::{Area, Check, Ctx, Eval, Evaluation, Finding, Remediation, Severity, Status};
use crate::inventory::{Need, aws};

use super::nodegroup_templates;
use crate::checks::shared::incomplete;

/// What the check reads: the node groups and their launch template versions (with user data).
const NEEDS: &[Need] = &[
    aws("eks:ListNodegroups"),
    aws("eks:DescribeNodegroup"),
    aws("ec2:DescribeLaunchTemplateVersions"),
];

/// The check.
pub static CHECK: Check = Check {
    id: "node-user-data-secrets",
    aliases: &[],
    area: Area::Node,
    title: "Node user data holds no credentials or keys",
    severity: Severity::High,
    refs: &[
        nist("PR.AC-1"),
        nist("PR.DS-5"),
        bp("protecting-the-infrastructure"),
    ],
    needs: NEEDS,
    rationale: "User data is not secret: anyone allowed ec2:DescribeLaunchTemplateVersions or \
ec2:DescribeInstanceAttribute in the account reads it, and every process on the node (any pod on the host \
network, or any pod that reaches IMDS) can fetch it from the instance metadata service. A key or password \
written there is shared with all of them, for as long as the template version exists.",
    remediation: Remediation {
        text: "Remove the secret from the user data, rotate it, and read it at boot from Secrets Manager or \
SSM Parameter Store with the node role (or give the workload its own IRSA or Pod Identity role). Delete the \
launch template versions that still hold it.",
        cli: Some(
            "aws ec2 describe-launch-template-versions --launch-template-id <id> --versions <n> --query 'LaunchTemplateVersions[].LaunchTemplateData.UserData' --output text | base64 -d",
        ),
        terraform: None,
    },
    links: &[
        "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/user-data.html",
        "https://docs.aws.amazon.com/secretsmanager/latest/userguide/intro.html",
    ],
    eval: Eval::Cluster(eval),
};

fn eval(ctx: &Ctx<'_>) -> Evaluation {
    let inv = ctx.inventory;
    let (templates, mut findings) = nodegroup_templates(inv)?;
    // A node group that could not be listed may use a template: no "not applicable" then.
    let arn = inv.arn();
    findings.extend(incomplete(
        &arn,
        "the node groups could not all be read, so their launch templates are unknown",
        inv.nodegroups()?,
    ));
    for used in templates {
        let template = used.template;
        let scan = template
            .user_data
            .get("the launch template's user data", NEEDS)?;
        let version = format!(
            "version {} (node groups {})",
            template.version,
            used.nodegroups.join(", ")
        );
        let hints: Vec<_> = scan
            .secrets
            .iter()
            .map(|h| json!({ "kind": h.kind, "line": h.line }))
            .collect();
        findings.push(match (&scan.uninspected, scan.secrets.as_slice()) {
            (_, [_, ..]) => Finding::fail(
                used.arn,
                format!(
                    "{version}: the user data holds what looks like {} (values not shown)",
                    scan.secrets
                        .iter()
                        .map(|h| format!("{} on line {}", h.kind, h.line))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )
            .with_evidence(json!({ "secrets": hints })),
            (Some(why), []) => Finding::new(
                Status::Manual,
                used.arn,
                format!(
                    "{version}: the user data is {why}; sek did not inspect it, review it by hand"
                ),
            ),
            (None, []) if scan.present => Finding::pass(
                used.arn,
                format!("{version}: no credential or key found in the user data"),
            ),
            (None, []) => Finding::pass(used.arn, format!("{version}: no user data")),
        });
    }
    if findings.is_empty() {
        findings.push(Finding::not_applicable(
            inv.arn(),
            "no node group uses a launch template (managed node groups without one get EKS's own user data)",
        ));
    }
    Ok(findings)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::Status;
    use crate::checks::testkit::*;
    use crate::inventory::{Read, SecretHint, UserDataScan};

    fn with_user_data(scan: Read<UserDataScan>) -> crate::inventory::ClusterInventory {
        let mut inv = cluster_with_nodes(&["i-1"]);
        let mut template = launch_template("lt-1");
        template.user_data = scan;
        add_launch_template(&mut inv, template);
        inv
    }

    #[test]
    fn a_template_without_secrets_passes() {
        let inv = with_user_data(Read::Got(UserDataScan {
            present: true,
            ..UserDataScan::default()
        }));
        assert_eq!(statuses(&run(&CHECK, &inv)), [Status::Pass]);
    }

    #[test]
    fn a_secret_fails_by_kind_and_line_without_its_value() {
        let inv = with_user_data(Read::Got(UserDataScan {
            present: true,
            uninspected: None,
            secrets: vec![SecretHint {
                kind: "AWS access key id".into(),
                line: 4,
            }],
        }));
        let findings = run(&CHECK, &inv);
        assert_eq!(statuses(&findings), [Status::Fail]);
        assert!(findings[0].message.contains("AWS access key id on line 4"));
        assert_eq!(findings[0].evidence["secrets"][0]["line"], 4);
    }

    #[test]
    fn compressed_user_data_is_for_review() {
        let inv = with_user_data(Read::Got(UserDataScan {
            present: true,
            uninspected: Some("gzip-compressed".into()),
            secrets: vec![],
        }));
        assert_eq!(statuses(&run(&CHECK, &inv)), [Status::Manual]);
    }

    #[test]
    fn unread_user_data_is_an_error() {
        let inv = with_user_data(Read::NotCollected);
        assert_eq!(statuses(&run(&CHECK, &inv)), [Status::Error]);
    }

    #[test]
    fn node_groups_that_could_not_be_listed_are_an_error_not_a_pass() {
        let mut inv = cluster_with_nodes(&["i-1"]);
        inv.nodegroups = Read::Got(crate::inventory::Collection {
            items: vec![],
            failed: vec![crate::inventory::CollectError::new(
                "eks:ListNodegroups",
                vec![],
                crate::inventory::ErrorKind::AccessDenied,
                "denied",
            )],
        });
        let findings = run(&CHECK, &inv);
        assert_eq!(statuses(&findings), [Status::Error]);
        assert!(
            findings[0].message.contains("eks:ListNodegroups"),
            "{}",
            findings[0].message
        );
    }

    #[test]
    fn no_template_is_not_applicable() {
        assert_eq!(
            statuses(&run(&CHECK, &cluster_with_nodes(&["i-1"]))),
            [Status::NotApplicable]
        );
    }
}
