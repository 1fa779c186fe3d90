//! `ecr-lifecycle`: every repository has a lifecycle policy that expires old images (checklist
//! 001), so unpatched images do not stay available to deploy forever.

use serde_json::json;

use super::per_repository;
use crate::checks::frameworks::{bp, nist};
use crate::checks::{Area, Check, Eval, Evaluation, Finding, RegionCtx, Remediation, Severity};
use crate::inventory::Document;
use crate::inventory::aws;

/// The check.
pub static CHECK: Check = Check {
    id: "ecr-lifecycle",
    aliases: &[],
    area: Area::Ecr,
    title: "ECR repositories expire old images",
    severity: Severity::Low,
    refs: &[nist("PR.IP-1"), bp("image-security")],
    needs: &[
        aws("ecr:DescribeRepositories"),
        aws("ecr:GetLifecyclePolicy"),
    ],
    rationale: "Without a lifecycle policy every image ever pushed stays pullable: old, vulnerable builds remain \
one tag away from production, and untagged layers accumulate cost.",
    remediation: Remediation {
        text: "Add a lifecycle policy, e.g. expire untagged images after 14 days and keep the last N tagged ones.",
        cli: Some(
            "aws ecr put-lifecycle-policy --repository-name <repo> --lifecycle-policy-text file://lifecycle.json",
        ),
        terraform: Some("resource \"aws_ecr_lifecycle_policy\" \"this\" { ... }"),
    },
    links: &["https://docs.aws.amazon.com/AmazonECR/latest/userguide/LifecyclePolicies.html"],
    eval: Eval::Region(eval),
};

fn eval(ctx: &RegionCtx<'_>) -> Evaluation {
    per_repository(ctx, |_, repository, arn| {
        Ok(match repository.lifecycle()? {
            Document::Present(policy) => {
                Finding::pass(arn, format!("{} has a lifecycle policy", repository.name))
                    .with_evidence(json!({ "lifecycle_policy": policy }))
            }
            Document::Absent => Finding::fail(
                arn,
                format!(
                    "{} has no lifecycle policy; old images never expire",
                    repository.name
                ),
            ),
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::Settings;
    use crate::checks::Status;
    use crate::checks::testkit::*;

    #[test]
    fn present_passes_absent_fails_unread_errors() {
        assert_eq!(
            statuses(&run_everywhere(&CHECK, &cluster())),
            [Status::Pass]
        );
        let mut region = region();
        region.ecr_repositories.got_mut().unwrap()[0].lifecycle_policy = read(Document::Absent);
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
        region.ecr_repositories.got_mut().unwrap()[0].lifecycle_policy =
            Read::Failed(denied("ecr:GetLifecyclePolicy", &["app"]));
        let findings = run_full(
            &CHECK,
            &cluster(),
            Some(&region),
            None,
            &Settings::default(),
        );
        assert_eq!(statuses(&findings), [Status::Error]);
        assert!(findings[0].message.contains("ecr:GetLifecyclePolicy"));
    }
}
