//! `iam-pod-roles`: the IAM roles pods can assume carry no administrator or escalation
//! permissions on every resource: `*`, IAM changes, `iam:PassRole` or `sts:AssumeRole` on any
//! role, EKS administration, every secret or parameter.
//!
//! IRSA roles (those whose trust policy names the cluster's OIDC provider) and the roles of Pod
//! Identity associations (DescribePodIdentityAssociation) are judged from their attached and
//! inline policies, with the same policy reading as `node-role`. An association that chains to a
//! role in another account, or narrows its role with a session policy, is for review: what the
//! pods finally hold is not in this account's policies alone.

use serde_json::json;

use super::{oidc_provider, trusting_roles, with_pod_identity};
use crate::checks::frameworks::{bp, cis13, cis18, nist};
use crate::checks::shared::iam_policy::powerful_grants;
use crate::checks::{Area, Check, Ctx, Eval, Evaluation, Finding, Remediation, Severity, Status};
use crate::inventory::{IamRole, ManagedPolicy, Missing, Need, PodIdentityAssociation, Why, aws};

/// The reads of a managed policy's document.
const POLICY_DOCUMENT: &[Need] = &[aws("iam:GetPolicy"), aws("iam:GetPolicyVersion")];
/// The reads of a role's policies.
const ROLE_POLICIES: &[Need] = &[
    aws("iam:ListAttachedRolePolicies"),
    aws("iam:ListRolePolicies"),
];
/// The read of an inline policy's document.
const INLINE_DOCUMENT: &[Need] = &[aws("iam:GetRolePolicy")];

/// The check.
pub static CHECK: Check = Check {
    id: "iam-pod-roles",
    aliases: &[],
    area: Area::Iam,
    title: "Roles pods can assume hold no administrator or escalation permissions",
    severity: Severity::Critical,
    refs: &[
        cis13("5.2.1"),
        cis18("5.2.1"),
        nist("PR.AC-4"),
        bp("identity-and-access-management"),
    ],
    needs: &[
        aws("eks:DescribeCluster"),
        aws("iam:ListRoles"),
        aws("iam:ListAttachedRolePolicies"),
        aws("iam:ListRolePolicies"),
        aws("iam:GetRolePolicy"),
        aws("iam:GetPolicy"),
        aws("iam:GetPolicyVersion"),
        aws("eks:ListPodIdentityAssociations"),
        aws("eks:DescribePodIdentityAssociation"),
    ],
    rationale: "A pod's IAM role is reachable by everything that compromises the pod: its container, a \
vulnerable dependency, anyone with exec into it. A role with `*`, IAM write access or PassRole on any role \
turns one compromised pod into the whole AWS account; sts:AssumeRole on any role and EKS administration \
reach further accounts and clusters, and reading every secret or parameter takes the credentials of every \
other workload.",
    remediation: Remediation {
        text: "Give each service account a role with only the actions its workload calls, on its own resources \
(ARNs, not `*`); move administration to roles people assume with MFA, outside the cluster.",
        cli: Some("aws iam list-attached-role-policies --role-name <role>"),
        terraform: None,
    },
    links: &[
        "https://docs.aws.amazon.com/eks/latest/userguide/iam-roles-for-service-accounts.html",
        "https://docs.aws.amazon.com/eks/latest/best-practices/identity-and-access-management.html",
    ],
    eval: Eval::Cluster(eval),
};

/// The powers a role's policies grant, or what could not be read about them.
fn powers_of(role: &IamRole, policies: &[ManagedPolicy]) -> Result<Vec<String>, Missing> {
    let mut powers: Vec<String> = Vec::new();
    let mut add = |name: &str, document: &serde_json::Value| {
        for power in powerful_grants(document) {
            powers.push(format!("{power} through {name}"));
        }
    };
    for attached in role.attached()?.iter() {
        let Some(policy) = policies.iter().find(|p| p.arn == attached.arn) else {
            return Err(Missing::new(
                format!("the document of policy {}", attached.arn),
                POLICY_DOCUMENT,
                Why::NotCollected,
            ));
        };
        let name = attached.name.as_deref().unwrap_or(&attached.arn);
        let what = format!("the document of policy {name}");
        add(name, policy.document.get(&what, POLICY_DOCUMENT)?);
    }
    for inline in role.inline()?.iter() {
        let name = format!("inline policy {}", inline.name);
        add(
            &name,
            inline
                .document
                .get(&format!("the document of {name}"), INLINE_DOCUMENT)?,
        );
    }
    Ok(powers)
}

/// The name of role `arn` and the powers its policies grant, or what could not be read.
pub(crate) fn judge_role(
    arn: &str,
    permissions: &[IamRole],
    policies: &[ManagedPolicy],
) -> Result<(String, Vec<String>), Missing> {
    let name = arn.rsplit('/').next().unwrap_or(arn).to_string();
    let role = permissions.iter().find(|p| p.arn == arn).ok_or_else(|| {
        Missing::new(
            format!("the policies of role {name}"),
            ROLE_POLICIES,
            Why::NotCollected,
        )
    })?;
    Ok((name, powers_of(role, policies)?))
}

/// The `error` finding for a role (assumed by pods `how`) whose policies could not be read.
fn unread(resource: &str, how: &str, missing: &Missing) -> Finding {
    let mut finding = Finding::missing(resource, missing);
    finding.message = format!("{how}: {}", finding.message);
    finding
}

fn eval(ctx: &Ctx<'_>) -> Evaluation {
    let inv = ctx.inventory;
    let cluster = inv.control_plane()?;
    let account = ctx.account_data()?;
    let mut findings = Vec::new();
    if let Some((issuer, provider_arn)) = oidc_provider(inv, cluster) {
        let trusting = trusting_roles(account.roles()?, &issuer, &provider_arn);
        if !trusting.is_empty() {
            let permissions = account.role_permissions()?;
            let policies = account.role_policies()?;
            for (trusted, _) in trusting {
                let how = format!("{}, which pods assume through IRSA", trusted.name);
                findings.push(match judge_role(&trusted.arn, permissions, policies) {
                    Err(missing) => unread(&trusted.arn, &how, &missing),
                    Ok((name, powers)) if powers.is_empty() => Finding::pass(
                        &trusted.arn,
                        format!("{name} holds no administrator or escalation permission"),
                    ),
                    Ok((_, powers)) => {
                        Finding::fail(&trusted.arn, format!("{how}, grants {}", powers.join("; ")))
                            .with_evidence(json!({ "powers": powers }))
                    }
                });
            }
        }
    }
    // Pod Identity cannot be listed everywhere (an older API, a denied call): the IRSA roles are
    // still judged, and the gap is an error of its own.
    let pod_roles = account
        .role_permissions()
        .and_then(|permissions| Ok((permissions, account.role_policies()?)));
    with_pod_identity(inv, findings, |association, resource| {
        judge_association(association, resource, &pod_roles)
    })
}

/// One Pod Identity association, judged by the role it gives its pods.
fn judge_association(
    association: &PodIdentityAssociation,
    resource: String,
    pod_roles: &Result<(&Vec<IamRole>, &Vec<ManagedPolicy>), Missing>,
) -> Finding {
    let pods = format!("{}/{}", association.namespace, association.service_account);
    let evidence = json!({
        "namespace": association.namespace,
        "service_account": association.service_account,
        "role_arn": association.role_arn,
        "target_role_arn": association.target_role_arn,
        "session_policy": association.session_policy,
    });
    let review = |message: String| {
        Finding::new(Status::Manual, resource.clone(), message).with_evidence(evidence.clone())
    };
    let Some(role_arn) = association.role_arn.as_deref() else {
        return review(format!(
            "the role Pod Identity gives {pods} was not read (a snapshot without \
eks:DescribePodIdentityAssociation): review it with aws eks describe-pod-identity-association"
        ));
    };
    if let Some(target) = &association.target_role_arn {
        return review(format!(
            "Pod Identity gives {pods} role {role_arn}, which chains to {target} in another account: judge \
that role's permissions there"
        ));
    }
    let (permissions, policies) = match pod_roles {
        Ok(read) => *read,
        Err(missing) => return Finding::missing(resource, missing).with_evidence(evidence),
    };
    let how = format!("the role Pod Identity gives {pods}");
    match judge_role(role_arn, permissions, policies) {
        Err(missing) => unread(&resource, &how, &missing),
        Ok((name, powers)) if powers.is_empty() => Finding::pass(
            resource,
            format!("{name}, which Pod Identity gives {pods}, holds no administrator or escalation permission"),
        )
        .with_evidence(evidence),
        Ok((name, powers)) if association.session_policy.is_some() => review(format!(
            "{name}, which Pod Identity gives {pods}, grants {}; the association's session policy narrows \
it: review what remains",
            powers.join("; ")
        )),
        Ok((name, powers)) => {
            let mut evidence = evidence.clone();
            evidence["powers"] = json!(powers);
            Finding::fail(
                resource,
                format!(
                    "{name}, which Pod Identity gives {pods}, grants {}",
                    powers.join("; ")
                ),
            )
            .with_evidence(evidence)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::Settings;
    use crate::checks::testkit::*;
    use crate::inventory::{AttachedPolicy, InlinePolicy, Read, TrustedRole};

    const ISSUER: &str = "oidc.eks.eu-west-1.amazonaws.com/id/ABC123";

    fn trusted(name: &str) -> TrustedRole {
        TrustedRole {
            name: name.into(),
            arn: format!("arn:aws:iam::111122223333:role/{name}"),
            trust_policy: Some(json!({"Statement": [{
                "Effect": "Allow",
                "Principal": {"Federated": oidc_provider_arn()},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {"StringEquals": {
                    format!("{ISSUER}:sub"): "system:serviceaccount:app:api",
                    format!("{ISSUER}:aud"): "sts.amazonaws.com",
                }},
            }]})),
            created_at: None,
        }
    }

    /// One IRSA role `app` attaching `policy` (with `document`) and an inline `document`.
    fn judge(
        attached: Option<serde_json::Value>,
        inline: Option<serde_json::Value>,
    ) -> Vec<Finding> {
        let account = app_account(attached, inline);
        run_with_account(&CHECK, &account)
    }

    /// The account of [`judge`]: role `app` and its policies.
    fn app_account(
        attached: Option<serde_json::Value>,
        inline: Option<serde_json::Value>,
    ) -> crate::inventory::AccountInventory {
        let mut account = account();
        account.roles = read(vec![trusted("app")]);
        let policy_arn = "arn:aws:iam::111122223333:policy/app";
        account.role_permissions = read(vec![IamRole {
            name: "app".into(),
            arn: "arn:aws:iam::111122223333:role/app".into(),
            trust_policy: None,
            attached_policies: Read::Got(
                attached
                    .iter()
                    .map(|_| AttachedPolicy {
                        arn: policy_arn.into(),
                        name: Some("app".into()),
                    })
                    .collect(),
            ),
            inline_policies: Read::Got(
                inline
                    .into_iter()
                    .map(|document| InlinePolicy {
                        name: "extra".into(),
                        document: Read::Got(document),
                    })
                    .collect(),
            ),
        }]);
        account.role_policies = read(
            attached
                .into_iter()
                .map(|document| ManagedPolicy {
                    arn: policy_arn.into(),
                    name: Some("app".into()),
                    default_version: Some("v1".into()),
                    document: Read::Got(document),
                })
                .collect::<Vec<_>>(),
        );
        account
    }

    fn allow(action: &str, resource: &str) -> serde_json::Value {
        json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": action, "Resource": resource}]})
    }

    #[test]
    fn a_scoped_role_passes() {
        let findings = judge(Some(allow("s3:GetObject", "arn:aws:s3:::app/*")), None);
        assert_eq!(statuses(&findings), [Status::Pass]);
    }

    #[test]
    fn administrator_and_escalation_fail_naming_the_policy() {
        let findings = judge(Some(allow("*", "*")), None);
        assert_eq!(statuses(&findings), [Status::Fail]);
        assert!(
            findings[0]
                .message
                .contains("every action (administrator) through app"),
            "{}",
            findings[0].message
        );
        let findings = judge(None, Some(allow("iam:PassRole", "*")));
        assert_eq!(statuses(&findings), [Status::Fail]);
        assert!(
            findings[0]
                .message
                .contains("iam:PassRole on any role through inline policy extra")
        );
    }

    #[test]
    fn unread_policies_are_an_error_never_a_pass() {
        let mut account = account();
        account.roles = read(vec![trusted("app")]);
        account.role_policies = read(vec![]);
        // The role's policies were not read.
        account.role_permissions = read(vec![]);
        let findings = run_with_account(&CHECK, &account);
        assert_eq!(statuses(&findings), [Status::Error]);
        account.role_permissions = Read::NotCollected;
        let findings = run_with_account(&CHECK, &account);
        assert_eq!(statuses(&findings), [Status::Error]);
    }

    /// The cluster with one Pod Identity association for app/api, changed by `change`, judged
    /// with role `app` holding `document` (the role trusts no OIDC provider: only Pod Identity).
    fn judge_association(
        document: serde_json::Value,
        change: impl FnOnce(&mut PodIdentityAssociation),
    ) -> Finding {
        let mut association = PodIdentityAssociation {
            namespace: "app".into(),
            service_account: "api".into(),
            role_arn: Some("arn:aws:iam::111122223333:role/app".into()),
            association_arn: Some(
                "arn:aws:eks:eu-west-1:111122223333:podidentityassociation/c/a-1".into(),
            ),
            ..PodIdentityAssociation::default()
        };
        change(&mut association);
        let mut inv = cluster();
        inv.pod_identity_associations = read(vec![association]);
        let mut account = app_account(Some(document), None);
        account.roles = read(vec![]);
        only(run_full(
            &CHECK,
            &inv,
            None,
            Some(&account),
            &Settings::default(),
        ))
    }

    #[test]
    fn pod_identity_roles_are_judged_by_their_policies_naming_the_service_account() {
        let admin = judge_association(allow("*", "*"), |_| {});
        assert_eq!(admin.status, Status::Fail);
        assert_eq!(
            admin.resource,
            "arn:aws:eks:eu-west-1:111122223333:podidentityassociation/c/a-1"
        );
        assert!(
            admin
                .message
                .starts_with("app, which Pod Identity gives app/api, grants every action"),
            "{}",
            admin.message
        );
        assert_eq!(admin.evidence["service_account"], "api");
        let scoped = judge_association(allow("s3:GetObject", "arn:aws:s3:::app/*"), |_| {});
        assert_eq!(scoped.status, Status::Pass);
    }

    #[test]
    fn chained_narrowed_or_undescribed_associations_are_for_review() {
        let chained = judge_association(allow("*", "*"), |a| {
            a.target_role_arn = Some("arn:aws:iam::444455556666:role/data".into());
        });
        assert_eq!(chained.status, Status::Manual);
        assert!(
            chained.message.contains("444455556666"),
            "{}",
            chained.message
        );
        let narrowed = judge_association(allow("*", "*"), |a| {
            a.session_policy = Some(allow("s3:GetObject", "*"));
        });
        assert_eq!(narrowed.status, Status::Manual);
        assert!(
            narrowed.message.contains("session policy"),
            "{}",
            narrowed.message
        );
        let undescribed = judge_association(allow("*", "*"), |a| a.role_arn = None);
        assert_eq!(undescribed.status, Status::Manual);
    }

    #[test]
    fn an_association_role_whose_policies_were_not_read_is_an_error() {
        let finding = judge_association(allow("*", "*"), |a| {
            a.role_arn = Some("arn:aws:iam::111122223333:role/other".into());
        });
        assert_eq!(finding.status, Status::Error);
        assert!(
            finding
                .message
                .starts_with("the role Pod Identity gives app/api: "),
            "{}",
            finding.message
        );
    }
}
