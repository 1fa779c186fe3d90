//! `node-ebs-default`: EBS encryption by default is on in the region, so every new volume (node
//! roots, persistent volumes) is encrypted even when its request forgets to ask.

use serde_json::json;

use crate::checks::frameworks::{bp, nist};
use crate::checks::{Area, Check, Eval, Evaluation, Finding, RegionCtx, Remediation, Severity};
use crate::inventory::aws;

/// The check.
pub static CHECK: Check = Check {
    id: "node-ebs-default",
    aliases: &[],
    area: Area::Node,
    title: "EBS encryption by default is on in the region",
    severity: Severity::Low,
    refs: &[
        nist("PR.DS-1"),
        bp("data-encryption-and-secrets-management"),
    ],
    needs: &[aws("ec2:GetEbsEncryptionByDefault")],
    rationale: "Node groups, Karpenter and the EBS CSI driver each create volumes; one request that forgets \
Encrypted=true leaves data unencrypted at rest. Encryption by default makes encryption the only outcome in the \
region.",
    remediation: Remediation {
        text: "Turn on EBS encryption by default in every region you use (optionally with a customer managed \
default key).",
        cli: Some("aws ec2 enable-ebs-encryption-by-default --region <region>"),
        terraform: Some("resource \"aws_ebs_encryption_by_default\" \"this\" { enabled = true }"),
    },
    links: &["https://docs.aws.amazon.com/ebs/latest/userguide/encryption-by-default.html"],
    eval: Eval::Region(eval),
};

fn eval(ctx: &RegionCtx<'_>) -> Evaluation {
    let (region, &on, resource) = ctx
        .region_setting(("ec2", "ebs-encryption-by-default"), |r| {
            r.ebs_encryption_by_default()
        })?;
    let finding = if on {
        Finding::pass(
            resource,
            format!("EBS encryption by default is on in {}", region.region),
        )
    } else {
        Finding::fail(
            resource,
            format!(
                "EBS encryption by default is off in {}; turn it on",
                region.region
            ),
        )
    };
    Ok(vec![
        finding.with_evidence(json!({ "ebs_encryption_by_default": on })),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::Settings;
    use crate::checks::Status;
    use crate::checks::testkit::*;

    #[test]
    fn on_passes_off_fails_unknown_errors() {
        let inv = cluster();
        let finding = only(run_everywhere(&CHECK, &inv));
        assert_eq!(finding.status, Status::Pass);
        assert_eq!(
            finding.resource,
            "arn:aws:ec2:eu-west-1:111122223333:ebs-encryption-by-default"
        );
        let mut region = region();
        region.ebs_encryption_by_default = read(false);
        assert_eq!(
            only(run_full(
                &CHECK,
                &inv,
                Some(&region),
                None,
                &Settings::default()
            ))
            .status,
            Status::Fail
        );
        region.ebs_encryption_by_default =
            Read::Failed(denied("ec2:GetEbsEncryptionByDefault", &[]));
        let finding = only(run_full(
            &CHECK,
            &inv,
            Some(&region),
            None,
            &Settings::default(),
        ));
        assert_eq!(finding.status, Status::Error);
        assert!(finding.message.contains("ec2:GetEbsEncryptionByDefault"));
        assert_eq!(
            only(run(&CHECK, &inv)).status,
            Status::Error,
            "no region data at all"
        );
    }
}
