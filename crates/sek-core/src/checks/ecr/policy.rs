//! `ecr-policy`: no repository policy lets everyone, or an account that is neither this one nor
//! trusted, pull or push images (CIS 5.1.2).
//!
//! A grant to `*` narrowed by a condition (typically `aws:PrincipalOrgID`) is accepted and shown
//! as evidence; one without a condition makes the repository public.

use serde_json::json;

use super::per_repository;
use crate::checks::frameworks::{bp, cis13, cis18, nist};
use crate::checks::shared::iam_policy::external_grants;
use crate::checks::shared::unread_about;
use crate::checks::{Area, Check, Ctx, Finding, Remediation, Scope, Severity};
use crate::inventory::Document;

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
    needs: &["ecr:DescribeRepositories", "ecr:GetRepositoryPolicy"],
    rationale: "A repository policy can open images to other accounts or to everyone. A public repository leaks \
code and the secrets baked into images; a foreign account with push rights can replace the images your nodes run.",
    remediation: Remediation {
        text: "Remove statements granting `*` (or narrow them with aws:PrincipalOrgID) and principals in accounts \
you do not control; list accounts you trust in sek.toml ([allow] trusted_accounts).",
        cli: Some("aws ecr delete-repository-policy --repository-name <repo>"),
        terraform: None,
    },
    links: &["https://docs.aws.amazon.com/AmazonECR/latest/userguide/repository-policies.html"],
    scope: Scope::Region,
    eval,
};

fn eval(ctx: &Ctx<'_>) -> Vec<Finding> {
    let settings = ctx.settings;
    per_repository(ctx, |region, repository, arn| {
        let policy = match &repository.repository_policy {
            Some(Document::Present(policy)) => policy,
            Some(Document::Absent) => {
                return Finding::pass(
                    arn,
                    format!(
                        "{} has no repository policy (IAM in this account only)",
                        repository.name
                    ),
                );
            }
            None => {
                return unread_about(
                    arn,
                    "the repository policy",
                    &region.gaps,
                    &["ecr:GetRepositoryPolicy"],
                    &repository.name,
                );
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
            .filter(|g| !(g.account == "*" && g.conditional))
            .map(|g| {
                if g.account == "*" {
                    "everyone (public)".to_string()
                } else {
                    format!("account {}", g.account)
                }
            })
            .collect();
        let evidence = json!({ "external_grants": grants, "policy": policy });
        if problems.is_empty() {
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
        .with_evidence(evidence)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::Status;
    use crate::checks::testkit::*;
    use crate::config::Settings;

    fn with_policy(policy: serde_json::Value, settings: &Settings) -> Finding {
        let mut region = region();
        region.ecr_repositories.as_mut().unwrap()[0].repository_policy =
            Some(Document::Present(policy));
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
}
