//! `ecr-policy`: no repository policy lets everyone, or an account that is neither this one nor
//! trusted, pull or push images (CIS 5.1.2).
//!
//! A grant to `*` narrowed by a condition on who the caller is (`aws:PrincipalOrgID`,
//! `aws:PrincipalAccount`, `aws:SourceAccount`, `aws:PrincipalArn`...) is accepted and shown as
//! evidence; any other condition (`aws:SecureTransport`, `aws:SourceIp`) leaves it public, and so
//! does an `Allow` with `NotPrincipal` (everyone but the principals listed). See the IAM
//! reference on `NotPrincipal` and on global condition keys:
//! <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html>,
//! <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html>.

use serde_json::json;

use super::per_repository;
use crate::checks::frameworks::{bp, cis13, cis18, nist};
use crate::checks::shared::iam_policy::external_grants;
use crate::checks::{Area, Check, Eval, Evaluation, Finding, RegionCtx, Remediation, Severity};
use crate::inventory::Document;
use crate::inventory::aws;

/// The check.
pub static CHECK: Check = Check {
    id: "ecr-policy",
    aliases: &[],
    area: Area::Ecr,
    title: "ECR repository policies grant no one outside known accounts",
    severity: Severity::High,
    refs: &[
        cis13("5.1.2"),
        cis18("5.1.2"),
        nist("PR.AC-4"),
        bp("image-security"),
    ],
    needs: &[
        aws("ecr:DescribeRepositories"),
        aws("ecr:GetRepositoryPolicy"),
    ],
    rationale: "A repository policy can open images to other accounts or to everyone. A public repository leaks \
code and the secrets baked into images; a foreign account with push rights can replace the images your nodes run. \
A grant to `*` counts as restricted only by a condition on who the caller is (aws:PrincipalOrgID, \
aws:PrincipalAccount, aws:SourceAccount, aws:PrincipalArn...): a condition on anything else, such as \
aws:SecureTransport, still lets everyone in, and an Allow with NotPrincipal grants everyone but the principals \
it lists.",
    remediation: Remediation {
        text: "Remove statements granting `*` (or narrow them with aws:PrincipalOrgID) and principals in accounts \
you do not control; list accounts you trust in sek.toml ([allow] trusted_accounts).",
        cli: Some("aws ecr delete-repository-policy --repository-name <repo>"),
        terraform: None,
    },
    links: &[
        "https://docs.aws.amazon.com/AmazonECR/latest/userguide/repository-policies.html",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html",
    ],
    eval: Eval::Region(eval),
};

fn eval(ctx: &RegionCtx<'_>) -> Evaluation {
    let settings = ctx.settings;
    per_repository(ctx, |region, repository, arn| {
        let policy = match repository.policy()? {
            Document::Present(policy) => policy,
            Document::Absent => {
                return Ok(Finding::pass(
                    arn,
                    format!(
                        "{} has no repository policy (IAM in this account only)",
                        repository.name
                    ),
                ));
            }
        };
        let mut trusted: Vec<&str> = settings
            .trusted_accounts
            .iter()
            .map(String::as_str)
            .collect();
        trusted.extend(region.account_id.as_deref());
        let grants = external_grants(policy, &trusted);
        let problems: Vec<String> = grants
            .iter()
            // A grant to everyone restricted to some callers is not public.
            .filter(|g| g.account != "*" || g.restricted_by.is_empty())
            .map(|g| {
                if g.principal.starts_with("NotPrincipal") {
                    "everyone but the NotPrincipal list (public)".to_string()
                } else if g.account == "*" {
                    "everyone (public)".to_string()
                } else {
                    format!("account {}", g.account)
                }
            })
            .collect();
        let evidence = json!({ "external_grants": grants, "policy": policy });
        Ok(if problems.is_empty() {
            Finding::pass(
                arn,
                format!("{}'s policy grants only known accounts", repository.name),
            )
        } else {
            Finding::fail(
                arn,
                format!(
                    "{}'s policy grants {}",
                    repository.name,
                    problems.join(", ")
                ),
            )
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

    fn with_policy(policy: serde_json::Value, settings: &Settings) -> Finding {
        let mut region = region();
        region.ecr_repositories.got_mut().unwrap()[0].repository_policy =
            Read::Got(Document::Present(policy));
        only(run_full(&CHECK, &cluster(), Some(&region), None, settings))
    }

    #[test]
    fn no_policy_or_own_account_passes() {
        assert_eq!(
            only(run_everywhere(&CHECK, &cluster())).status,
            Status::Pass
        );
        let own = json!({"Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/ci"}, "Action": "ecr:*"}]});
        assert_eq!(with_policy(own, &Settings::default()).status, Status::Pass);
    }

    #[test]
    fn public_and_foreign_grants_fail_unless_trusted() {
        let public = json!({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "ecr:BatchGetImage"}]});
        let finding = with_policy(public, &Settings::default());
        assert_eq!(finding.status, Status::Fail);
        assert!(finding.message.contains("everyone (public)"));
        let foreign = json!({"Statement": [{"Effect": "Allow", "Principal": {"AWS": "999988887777"}, "Action": "ecr:PutImage"}]});
        assert_eq!(
            with_policy(foreign.clone(), &Settings::default()).status,
            Status::Fail
        );
        let trusted = Settings {
            trusted_accounts: vec!["999988887777".into()],
            ..Settings::default()
        };
        assert_eq!(with_policy(foreign, &trusted).status, Status::Pass);
        let org = json!({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "ecr:BatchGetImage", "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-1"}}}]});
        assert_eq!(with_policy(org, &Settings::default()).status, Status::Pass);
    }

    #[test]
    fn a_condition_that_does_not_restrict_who_or_not_principal_is_public() {
        let tls_only = json!({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "ecr:BatchGetImage",
            "Condition": {"Bool": {"aws:SecureTransport": "true"}}}]});
        let finding = with_policy(tls_only, &Settings::default());
        assert_eq!(finding.status, Status::Fail);
        assert!(finding.message.contains("everyone (public)"));
        let not_principal = json!({"Statement": [{"Effect": "Allow",
            "NotPrincipal": {"AWS": "arn:aws:iam::111122223333:role/admin"}, "Action": "ecr:*"}]});
        let finding = with_policy(not_principal, &Settings::default());
        assert_eq!(finding.status, Status::Fail);
        assert!(
            finding.message.contains("NotPrincipal"),
            "{}",
            finding.message
        );
        let account = json!({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "ecr:BatchGetImage",
            "Condition": {"StringEquals": {"aws:PrincipalAccount": "111122223333"}}}]});
        assert_eq!(
            with_policy(account, &Settings::default()).status,
            Status::Pass
        );
    }
}
