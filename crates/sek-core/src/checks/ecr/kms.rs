//! `ecr-kms`: repositories are encrypted with a KMS key rather than the default AES256 (AWS owned
//! key), as the best practices recommend for sensitive environments.

use serde_json::json;

use super::per_repository;
use crate::checks::frameworks::{bp, nist};
use crate::checks::{Area, Check, Eval, Evaluation, Finding, RegionCtx, Remediation, Severity};
use crate::inventory::aws;

/// The check.
pub static CHECK: Check = Check {
    id: "ecr-kms",
    aliases: &[],
    area: Area::Ecr,
    title: "ECR repositories are encrypted with a KMS key",
    severity: Severity::Low,
    refs: &[nist("PR.DS-1"), bp("image-security")],
    needs: &[aws("ecr:DescribeRepositories")],
    rationale: "With KMS encryption, pulling an image needs decrypt permission on your key: its key policy and \
CloudTrail log add a control and an audit trail that the default AES256 encryption does not have.",
    remediation: Remediation {
        text: "Create repositories with KMS encryption (the setting cannot change after creation: recreate and \
re-push), or set it for new repositories with a repository creation template.",
        cli: Some(
            "aws ecr create-repository --repository-name <repo> --encryption-configuration encryptionType=KMS,kmsKey=<key-arn>",
        ),
        terraform: Some(
            "encryption_configuration { encryption_type = \"KMS\"  kms_key = aws_kms_key.ecr.arn }",
        ),
    },
    links: &["https://docs.aws.amazon.com/AmazonECR/latest/userguide/encryption-at-rest.html"],
    eval: Eval::Region(eval),
};

fn eval(ctx: &RegionCtx<'_>) -> Evaluation {
    per_repository(ctx, |_, repository, arn| {
        let evidence =
            json!({ "encryption_type": repository.encryption_type, "kms_key": repository.kms_key });
        Ok(match repository.encryption_type.as_deref() {
            Some("KMS" | "KMS_DSSE") => {
                Finding::pass(arn, format!("{} is KMS-encrypted", repository.name))
            }
            Some(other) => Finding::fail(
                arn,
                format!("{} uses {other}, not a KMS key", repository.name),
            ),
            None => Finding::error(
                arn,
                "DescribeRepositories did not report the encryption type",
            ),
        }
        .with_evidence(evidence))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::Settings;
    use crate::checks::Status;
    use crate::checks::testkit::*;

    #[test]
    fn kms_passes_aes256_fails() {
        assert_eq!(
            statuses(&run_everywhere(&CHECK, &cluster())),
            [Status::Pass]
        );
        let mut region = region();
        region.ecr_repositories.got_mut().unwrap()[0].encryption_type = Some("AES256".into());
        assert_eq!(
            statuses(&run_full(
                &CHECK,
                &cluster(),
                Some(&region),
                None,
                &Settings::default()
            )),
            [Status::Fail]
        );
    }
}
