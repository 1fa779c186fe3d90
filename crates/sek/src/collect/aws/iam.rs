//! IAM reads: the nodes' instance profiles, their roles' attached and inline policies, and the
//! documents of the attached managed policies (each policy read once, however many roles use it);
//! for the account, its OIDC providers and the roles they can be used to assume.

use std::collections::{BTreeMap, BTreeSet};

use futures::future::join_all;
use percent_encoding::percent_decode_str;
use sek_core::inventory::{
    AttachedPolicy, CollectError, ErrorKind, IamRole, InlinePolicy, InstanceProfile, ManagedPolicy,
    Read, TrustedRole, is_minimal_node_policy, last_segment,
};
use serde_json::Value;

use super::Aws;

/// What was read about the nodes' IAM.
#[derive(Debug, Default)]
pub struct NodeIam {
    /// Instance profiles.
    pub profiles: Vec<InstanceProfile>,
    /// Roles with their policy lists.
    pub roles: Vec<IamRole>,
    /// Attached managed policies with their documents.
    pub policies: Vec<ManagedPolicy>,
    /// The instance profiles that could not be read.
    pub errors: Vec<CollectError>,
}

impl NodeIam {
    /// The part of this read that concerns one cluster's nodes: the instance profiles
    /// `profile_arns` name, the roles `role_arns` and those profiles name, the managed policies
    /// attached to these roles, and the failed reads about any of them.
    pub fn of_cluster(
        &self,
        profile_arns: &BTreeSet<String>,
        role_arns: &BTreeSet<String>,
    ) -> NodeIam {
        // Profiles are read by name (an instance's ARN may carry a path).
        let profile_names: BTreeSet<&str> = profile_arns.iter().map(|a| last_segment(a)).collect();
        let profiles: Vec<InstanceProfile> = self
            .profiles
            .iter()
            .filter(|p| profile_names.contains(profile_name(p)))
            .cloned()
            .collect();
        let mut role_arns: BTreeSet<&str> = role_arns.iter().map(String::as_str).collect();
        role_arns.extend(
            profiles
                .iter()
                .flat_map(|p| p.roles.iter().map(String::as_str)),
        );
        let roles: Vec<IamRole> = self
            .roles
            .iter()
            .filter(|r| role_arns.contains(r.arn.as_str()))
            .cloned()
            .collect();
        let policy_arns: BTreeSet<&str> = roles
            .iter()
            .flat_map(|r| r.attached_policies.got().into_iter().flatten())
            .map(|p| p.arn.as_str())
            .collect();
        let policies = self
            .policies
            .iter()
            .filter(|p| policy_arns.contains(p.arn.as_str()))
            .cloned()
            .collect();
        // The roles' and policies' failures are in them; the profiles' are by profile name.
        let errors = self
            .errors
            .iter()
            .filter(|err| {
                err.resources
                    .iter()
                    .any(|id| profile_names.contains(id.as_str()))
            })
            .cloned()
            .collect();
        NodeIam {
            profiles,
            roles,
            policies,
            errors,
        }
    }
}

fn profile_name(profile: &InstanceProfile) -> &str {
    profile
        .name
        .as_deref()
        .unwrap_or_else(|| last_segment(&profile.arn))
}

/// IAM policy documents come URL-encoded (RFC 3986); decode and parse, keeping raw JSON as a
/// fallback for endpoints that do not encode.
pub fn parse_document(raw: &str) -> Option<Value> {
    let decoded = percent_decode_str(raw).decode_utf8().ok()?;
    serde_json::from_str(&decoded)
        .ok()
        .or_else(|| serde_json::from_str(raw).ok())
}

/// Read the IAM of the nodes: `profile_arns` from the instances, `role_arns` from node groups.
pub async fn node_iam(
    aws: &Aws,
    profile_arns: &BTreeSet<String>,
    role_arns: &BTreeSet<String>,
) -> NodeIam {
    let mut out = NodeIam::default();
    // Role ARN -> trust policy (from GetInstanceProfile, which embeds the roles).
    let mut roles: BTreeMap<String, Option<Value>> =
        role_arns.iter().map(|arn| (arn.clone(), None)).collect();

    let profiles = join_all(profile_arns.iter().map(|arn| async move {
        let name = last_segment(arn).to_string();
        let resources = [name.clone()];
        aws.call(
            "iam:GetInstanceProfile",
            &resources,
            aws.iam
                .get_instance_profile()
                .instance_profile_name(&name)
                .send(),
        )
        .await
    }))
    .await;
    for result in profiles {
        match result {
            Ok(output) => {
                let Some(profile) = output.instance_profile else {
                    continue;
                };
                for role in &profile.roles {
                    let trust = role
                        .assume_role_policy_document
                        .as_deref()
                        .and_then(parse_document);
                    roles.insert(role.arn.clone(), trust);
                }
                out.profiles.push(InstanceProfile {
                    arn: profile.arn,
                    name: Some(profile.instance_profile_name),
                    roles: profile.roles.into_iter().map(|r| r.arn).collect(),
                });
            }
            Err(err) => out.errors.push(err),
        }
    }

    let role_results = join_all(
        roles
            .into_iter()
            .map(|(arn, trust)| role_policies(aws, arn, trust)),
    )
    .await;
    let mut policy_arns = BTreeSet::new();
    for role in role_results {
        // The minimal node policies are AWS managed and published; node-role accepts them by
        // ARN and needs no document, which saves two calls per policy.
        let attached = role.attached_policies.got().into_iter().flatten();
        policy_arns.extend(
            attached
                .filter(|p| !is_minimal_node_policy(&p.arn))
                .map(|p| p.arn.clone()),
        );
        out.roles.push(role);
    }
    out.policies = join_all(policy_arns.iter().map(|arn| managed_policy(aws, arn))).await;
    out
}

/// The policies of `roles` (the account's IRSA roles) and the managed policies they attach, each
/// policy read once.
pub async fn role_permissions(
    aws: &Aws,
    roles: &[sek_core::inventory::TrustedRole],
) -> (Vec<IamRole>, Vec<ManagedPolicy>) {
    let roles = join_all(
        roles
            .iter()
            .map(|role| role_policies(aws, role.arn.clone(), role.trust_policy.clone())),
    )
    .await;
    let policy_arns: BTreeSet<String> = roles
        .iter()
        .flat_map(|role| role.attached_policies.got().into_iter().flatten())
        .map(|p| p.arn.clone())
        .collect();
    let policies = join_all(policy_arns.iter().map(|arn| managed_policy(aws, arn))).await;
    (roles, policies)
}

/// The cluster (control plane) role: its trust policy (GetRole) and policies.
pub async fn cluster_role(aws: &Aws, arn: &str) -> Result<IamRole, CollectError> {
    let name = last_segment(arn).to_string();
    let resources = [name.clone()];
    let output = aws
        .call(
            "iam:GetRole",
            &resources,
            aws.iam.get_role().role_name(&name).send(),
        )
        .await?;
    let trust = output
        .role
        .and_then(|role| role.assume_role_policy_document)
        .as_deref()
        .and_then(parse_document);
    Ok(role_policies(aws, arn.to_string(), trust).await)
}

/// The attached and inline policies of one role.
async fn role_policies(aws: &Aws, arn: String, trust_policy: Option<Value>) -> IamRole {
    let name = last_segment(&arn).to_string();
    let resources = [name.clone()];
    let (attached, inline_names) = tokio::join!(
        aws.paginate(
            "iam:ListAttachedRolePolicies",
            &resources,
            |marker| aws
                .iam
                .list_attached_role_policies()
                .role_name(&name)
                .set_marker(marker)
                .send(),
            |page| if page.is_truncated {
                page.marker()
            } else {
                None
            },
        ),
        aws.paginate(
            "iam:ListRolePolicies",
            &resources,
            |marker| aws
                .iam
                .list_role_policies()
                .role_name(&name)
                .set_marker(marker)
                .send(),
            |page| if page.is_truncated {
                page.marker()
            } else {
                None
            },
        ),
    );
    let attached_policies = Read::from(attached.map(|pages| {
        pages
            .into_iter()
            .flat_map(|p| p.attached_policies.unwrap_or_default())
            .filter_map(|p| {
                Some(AttachedPolicy {
                    arn: p.policy_arn?,
                    name: p.policy_name,
                })
            })
            .collect()
    }));
    let inline_policies = match inline_names {
        Ok(pages) => {
            let names: Vec<String> = pages.into_iter().flat_map(|p| p.policy_names).collect();
            let documents = join_all(names.iter().map(|policy| {
                let resources = [name.clone()];
                let name = &name;
                async move {
                    aws.call(
                        "iam:GetRolePolicy",
                        &resources,
                        aws.iam
                            .get_role_policy()
                            .role_name(name)
                            .policy_name(policy)
                            .send(),
                    )
                    .await
                }
            }))
            .await;
            let mut inline = Vec::new();
            for (policy, result) in names.into_iter().zip(documents) {
                let document = result.and_then(|output| {
                    parse_document(&output.policy_document)
                        .ok_or_else(|| unparsable("iam:GetRolePolicy", &resources))
                });
                inline.push(InlinePolicy {
                    name: policy,
                    document: document.into(),
                });
            }
            Read::Got(inline)
        }
        Err(err) => Read::Failed(err),
    };
    IamRole {
        name,
        arn,
        trust_policy,
        attached_policies,
        inline_policies,
    }
}

/// A policy document that is not JSON: recorded as a failed read of it.
fn unparsable(api: &str, resources: &[String]) -> CollectError {
    CollectError::new(
        api,
        resources.to_vec(),
        ErrorKind::Other,
        "the policy document is not valid JSON",
    )
}

/// A managed policy, read once per account whichever roles attach it.
async fn managed_policy(aws: &Aws, arn: &str) -> ManagedPolicy {
    aws.policy_once(arn, || read_managed_policy(aws, arn)).await
}

/// GetPolicy then GetPolicyVersion of its default version; a failure of either leaves the
/// document failed.
async fn read_managed_policy(aws: &Aws, arn: &str) -> ManagedPolicy {
    let resources = [arn.to_string()];
    let mut policy = ManagedPolicy {
        arn: arn.to_string(),
        ..Default::default()
    };
    let described = match aws
        .call(
            "iam:GetPolicy",
            &resources,
            aws.iam.get_policy().policy_arn(arn).send(),
        )
        .await
    {
        Ok(output) => output.policy,
        Err(err) => {
            policy.document = Read::Failed(err);
            return policy;
        }
    };
    let Some(described) = described else {
        return policy;
    };
    policy.name = described.policy_name;
    policy.default_version = described.default_version_id;
    let Some(version) = policy.default_version.clone() else {
        return policy;
    };
    let request = aws
        .iam
        .get_policy_version()
        .policy_arn(arn)
        .version_id(&version)
        .send();
    let document = aws
        .call("iam:GetPolicyVersion", &resources, request)
        .await
        .and_then(|output| {
            let raw = output.policy_version.and_then(|v| v.document);
            raw.as_deref()
                .and_then(parse_document)
                .ok_or_else(|| unparsable("iam:GetPolicyVersion", &resources))
        });
    policy.document = document.into();
    policy
}

/// ListOpenIDConnectProviders: the ARNs of the account's OIDC identity providers.
pub async fn oidc_providers(aws: &Aws) -> Result<Vec<String>, CollectError> {
    let output = aws
        .call(
            "iam:ListOpenIDConnectProviders",
            &[],
            aws.iam.list_open_id_connect_providers().send(),
        )
        .await?;
    Ok(output
        .open_id_connect_provider_list
        .unwrap_or_default()
        .into_iter()
        .filter_map(|p| p.arn)
        .collect())
}

/// The service principal Pod Identity roles trust.
const POD_IDENTITY_PRINCIPAL: &str = "pods.eks.amazonaws.com";

/// ListRoles, keeping the roles pods can assume: those whose trust policy names an OIDC provider
/// (IRSA) or the Pod Identity principal. The others would only make the snapshot bigger.
pub async fn pod_roles(aws: &Aws) -> Result<Vec<TrustedRole>, CollectError> {
    let pages = aws
        .paginate(
            "iam:ListRoles",
            &[],
            |marker| aws.iam.list_roles().set_marker(marker).send(),
            |page| {
                if page.is_truncated {
                    page.marker()
                } else {
                    None
                }
            },
        )
        .await?;
    Ok(pages
        .into_iter()
        .flat_map(|p| p.roles)
        .filter_map(|role| {
            let trust = role
                .assume_role_policy_document
                .as_deref()
                .and_then(parse_document)?;
            // IRSA roles trust an OIDC provider; Pod Identity roles, the EKS pods principal.
            let text = trust.to_string();
            (text.contains(":oidc-provider/") || text.contains(POD_IDENTITY_PRINCIPAL)).then(|| {
                TrustedRole {
                    name: role.role_name,
                    arn: role.arn,
                    trust_policy: Some(trust),
                    created_at: super::timestamp(Some(&role.create_date)),
                }
            })
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_are_decoded_from_url_encoding_or_taken_raw() {
        let encoded = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%5D%7D";
        assert_eq!(parse_document(encoded).unwrap()["Version"], "2012-10-17");
        assert_eq!(
            parse_document(r#"{"Statement": []}"#).unwrap()["Statement"],
            serde_json::json!([])
        );
        assert!(parse_document("not json").is_none());
    }

    fn role(name: &str, policies: &[&str]) -> IamRole {
        IamRole {
            name: name.into(),
            arn: format!("arn:aws:iam::1:role/{name}"),
            attached_policies: Read::Got(
                policies
                    .iter()
                    .map(|arn| AttachedPolicy {
                        arn: arn.to_string(),
                        name: None,
                    })
                    .collect(),
            ),
            ..Default::default()
        }
    }

    fn policy(arn: &str) -> ManagedPolicy {
        ManagedPolicy {
            arn: arn.into(),
            ..Default::default()
        }
    }

    fn failed(api: &str, resource: &str) -> CollectError {
        CollectError::new(
            api,
            vec![resource.into()],
            ErrorKind::AccessDenied,
            "denied",
        )
    }

    #[test]
    fn a_cluster_gets_its_profiles_roles_their_policies_and_the_failures_about_them() {
        let admin = "arn:aws:iam::aws:policy/AdministratorAccess";
        let own = "arn:aws:iam::1:policy/b-extra";
        // Role `a` is reached through profile `a` only, role `b` as a node role; `c` belongs to
        // another cluster, and so do profiles `b` (named like role `b`) and `gone`.
        let mut role_b = role("b", &[own]);
        role_b.inline_policies = Read::Failed(failed("iam:ListRolePolicies", "b"));
        let mut own_policy = policy(own);
        own_policy.document = Read::Failed(failed("iam:GetPolicyVersion", own));
        let read = NodeIam {
            profiles: vec![
                InstanceProfile {
                    arn: "arn:aws:iam::1:instance-profile/nodes/a".into(),
                    name: Some("a".into()),
                    roles: vec!["arn:aws:iam::1:role/a".into()],
                },
                InstanceProfile {
                    arn: "arn:aws:iam::1:instance-profile/b".into(),
                    name: Some("b".into()),
                    roles: vec![],
                },
            ],
            roles: vec![role("a", &[admin]), role_b, role("c", &[admin])],
            policies: vec![policy(admin), own_policy],
            errors: vec![
                failed("iam:GetInstanceProfile", "b"),
                failed("iam:GetInstanceProfile", "gone"),
            ],
        };
        let set = |items: &[&str]| items.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>();
        let mine = read.of_cluster(
            &set(&[
                "arn:aws:iam::1:instance-profile/nodes/a",
                "arn:aws:iam::1:instance-profile/gone",
            ]),
            &set(&["arn:aws:iam::1:role/b"]),
        );
        assert_eq!(mine.profiles, read.profiles[..1]);
        // Role b and its policy keep their failures inside them.
        assert_eq!(mine.roles, read.roles[..2]);
        assert_eq!(mine.policies, read.policies);
        // Profile `b` is not one of this cluster's profiles; `gone` is.
        assert_eq!(mine.errors, read.errors[1..]);

        let other = read.of_cluster(&BTreeSet::new(), &set(&["arn:aws:iam::1:role/c"]));
        assert_eq!(other.roles, read.roles[2..]);
        assert_eq!(other.policies, read.policies[..1]);
        assert!(other.errors.is_empty());
    }
}
