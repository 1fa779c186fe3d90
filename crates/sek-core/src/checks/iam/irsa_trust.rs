//! `iam-irsa-trust`: every IAM role that trusts the cluster's OIDC provider names one specific
//! service account (`sub` = `system:serviceaccount:<namespace>:<name>`, no wildcard) and the STS
//! audience (`aud` = `sts.amazonaws.com`). Pod Identity associations always name a namespace and a
//! service account; they are listed as evidence.
//!
//! A wildcard under `StringEquals` is a literal character (IAM condition operators: only
//! `StringLike` matches `*` and `?`,
//! <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html>):
//! such a role is unusable rather than open, and fails as broken configuration, said as such.

use serde_json::json;

use super::{oidc_provider, trusting_roles, with_pod_identity};
use crate::checks::frameworks::{bp, cis13, cis18, nist};
use crate::checks::shared::iam_policy::OidcTrust;
use crate::checks::{Area, Check, Ctx, Eval, Evaluation, Finding, Remediation, Severity};
use crate::inventory::aws;

/// The check.
pub static CHECK: Check = Check {
    id: "iam-irsa-trust",
    aliases: &[],
    area: Area::Iam,
    title: "IRSA roles trust one specific service account",
    severity: Severity::High,
    refs: &[
        cis13("5.2.1"),
        cis18("5.2.1"),
        nist("PR.AC-4"),
        nist("PR.AC-6"),
        bp("identity-and-access-management"),
    ],
    needs: &[
        aws("eks:DescribeCluster"),
        aws("iam:ListRoles"),
        aws("eks:ListPodIdentityAssociations"),
    ],
    rationale: "A role that trusts the cluster's OIDC provider without a `sub` condition (or with a wildcard) \
can be assumed by any service account the condition matches, in any namespace: a pod in a compromised \
namespace takes another workload's AWS permissions. Without an `aud` condition, tokens minted for other \
audiences are accepted. Under StringEquals a `*` is a literal character (only StringLike reads wildcards): \
such a role names no real service account and cannot be assumed; it fails as broken configuration.",
    remediation: Remediation {
        text: "In each role's trust policy, require StringEquals on <issuer>:sub = \
system:serviceaccount:<namespace>:<service-account> and <issuer>:aud = sts.amazonaws.com.",
        cli: Some(
            "aws iam update-assume-role-policy --role-name <role> --policy-document file://trust.json",
        ),
        terraform: Some(
            "module \"irsa\" { oidc_providers = { main = { namespace_service_accounts = [\"ns:sa\"] } } }",
        ),
    },
    links: &[
        "https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html",
    ],
    eval: Eval::Cluster(eval),
};

/// Why a trust statement lets too much in (empty: it is specific).
fn problems(trust: &OidcTrust) -> Vec<String> {
    let mut problems = Vec::new();
    let specific = |value: &str| {
        let parts: Vec<&str> = value.splitn(4, ':').collect();
        matches!(parts.as_slice(), ["system", "serviceaccount", ns, name] if !ns.is_empty() && !name.is_empty())
            && !value.contains(['*', '?'])
    };
    if trust.sub.is_empty() {
        problems.push(
            "no `sub` condition: any service account of the cluster can assume it".to_string(),
        );
    }
    for (operator, value) in &trust.sub {
        // Under StringEquals, `*` and `?` are characters like any other (IAM: only the `Like`
        // operators read wildcards), so the condition names a service account that cannot exist.
        let literal_wildcard = operator.starts_with("StringEquals") && value.contains(['*', '?']);
        if literal_wildcard {
            problems.push(format!(
                "`sub` {operator} `{value}` is a literal under StringEquals (wildcards are read only by \
StringLike): no service account is named so, the role cannot be assumed; name the service account"
            ));
        } else if !specific(value) {
            problems.push(format!(
                "`sub` {operator} `{value}` matches more than one service account"
            ));
        } else if !operator.starts_with("StringEquals") && !operator.starts_with("StringLike") {
            problems.push(format!(
                "`sub` uses {operator}, which may match other service accounts"
            ));
        }
    }
    if trust.aud.is_empty() {
        problems.push("no `aud` condition".to_string());
    } else if trust
        .aud
        .iter()
        .any(|(_, value)| value != "sts.amazonaws.com")
    {
        problems.push("`aud` allows audiences other than sts.amazonaws.com".to_string());
    }
    problems
}

fn eval(ctx: &Ctx<'_>) -> Evaluation {
    let inv = ctx.inventory;
    let cluster = inv.control_plane()?;
    let account = ctx.account_data()?;
    let mut findings = Vec::new();
    if let Some((issuer, provider_arn)) = oidc_provider(inv, cluster) {
        match account.roles() {
            Err(missing) => findings.push(Finding::missing(provider_arn.clone(), &missing)),
            Ok(roles) => {
                for (role, trusts) in trusting_roles(roles, &issuer, &provider_arn) {
                    let issues: Vec<String> = trusts.iter().flat_map(problems).collect();
                    let evidence = json!({ "trusts": trusts, "provider": provider_arn });
                    findings.push(
                        if issues.is_empty() {
                            let accounts: Vec<&str> = trusts
                                .iter()
                                .flat_map(|t| t.sub.iter().map(|(_, v)| v.as_str()))
                                .collect();
                            Finding::pass(
                                &role.arn,
                                format!("{} trusts {}", role.name, accounts.join(", ")),
                            )
                        } else {
                            Finding::fail(
                                &role.arn,
                                format!("{}: {}", role.name, issues.join("; ")),
                            )
                        }
                        .with_evidence(evidence),
                    );
                }
            }
        }
    }
    with_pod_identity(inv, findings, |association, resource| {
        Finding::pass(
            resource,
            format!(
                "the Pod Identity association names one service account, {}/{}",
                association.namespace, association.service_account
            ),
        )
        .with_evidence(json!({ "association": association }))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::Status;
    use crate::checks::testkit::*;
    use crate::inventory::{PodIdentityAssociation, TrustedRole};

    fn role(name: &str, sub: Option<(&str, &str)>, aud: bool) -> TrustedRole {
        let issuer = "oidc.eks.eu-west-1.amazonaws.com/id/ABC123";
        let mut conditions = serde_json::Map::new();
        if let Some((operator, value)) = sub {
            conditions.insert(operator.into(), json!({ format!("{issuer}:sub"): value }));
        }
        if aud {
            let entry = conditions.entry("StringEquals").or_insert(json!({}));
            entry[format!("{issuer}:aud")] = json!("sts.amazonaws.com");
        }
        TrustedRole {
            name: name.into(),
            arn: format!("arn:aws:iam::111122223333:role/{name}"),
            trust_policy: Some(json!({"Statement": [{
                "Effect": "Allow",
                "Principal": {"Federated": oidc_provider_arn()},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": conditions,
            }]})),
            created_at: None,
        }
    }

    fn with_roles(roles: Vec<TrustedRole>) -> Vec<Finding> {
        let mut account = account();
        account.roles = read(roles);
        run_with_account(&CHECK, &account)
    }

    #[test]
    fn specific_sub_and_aud_pass() {
        let findings = with_roles(vec![role(
            "app",
            Some(("StringEquals", "system:serviceaccount:app:api")),
            true,
        )]);
        assert_eq!(statuses(&findings), [Status::Pass]);
        assert!(
            findings[0]
                .message
                .contains("system:serviceaccount:app:api")
        );
    }

    #[test]
    fn missing_or_wildcard_conditions_fail() {
        let findings = with_roles(vec![
            role("open", None, true),
            role(
                "wild",
                Some(("StringLike", "system:serviceaccount:*:*")),
                true,
            ),
            role(
                "noaud",
                Some(("StringEquals", "system:serviceaccount:app:api")),
                false,
            ),
        ]);
        assert_eq!(
            statuses(&findings),
            [Status::Fail, Status::Fail, Status::Fail]
        );
        assert!(findings[0].message.contains("no `sub` condition"));
        assert!(
            findings[1]
                .message
                .contains("matches more than one service account")
        );
        assert!(findings[2].message.contains("no `aud` condition"));
    }

    #[test]
    fn a_wildcard_under_string_equals_is_a_broken_literal_not_an_open_door() {
        let findings = with_roles(vec![role(
            "broken",
            Some(("StringEquals", "system:serviceaccount:app:*")),
            true,
        )]);
        assert_eq!(statuses(&findings), [Status::Fail]);
        let message = &findings[0].message;
        assert!(message.contains("literal under StringEquals"), "{message}");
        assert!(message.contains("cannot be assumed"), "{message}");
        assert!(!message.contains("matches more than one"), "{message}");
    }

    #[test]
    fn pod_identity_associations_are_listed_and_nothing_is_not_applicable() {
        let mut inv = cluster();
        inv.pod_identity_associations = read(vec![PodIdentityAssociation {
            namespace: "app".into(),
            service_account: "api".into(),
            role_arn: Some("arn:aws:iam::111122223333:role/api".into()),
            ..PodIdentityAssociation::default()
        }]);
        let findings = run_everywhere(&CHECK, &inv);
        assert_eq!(statuses(&findings), [Status::Pass]);
        assert_eq!(
            statuses(&run_everywhere(&CHECK, &cluster())),
            [Status::NotApplicable]
        );
    }

    #[test]
    fn unlisted_roles_are_an_error() {
        let mut account = account();
        account.roles = Read::Failed(denied("iam:ListRoles", &[]));
        let findings = run_with_account(&CHECK, &account);
        assert_eq!(findings[0].status, Status::Error);
        assert!(findings[0].message.contains("iam:ListRoles"));
    }
}
