//! Reading IAM policy documents: which of a set of actions does a policy allow?
//!
//! Deliberately conservative: an explicit `Deny` and `Condition`s are not credited, so a policy
//! is judged by the widest access its `Allow` statements can give.

use serde_json::Value;

/// ECR actions that change a registry or its images (everything but pulls and reads).
pub const ECR_WRITE_ACTIONS: &[&str] = &[
    "ecr:BatchDeleteImage",
    "ecr:CompleteLayerUpload",
    "ecr:CreatePullThroughCacheRule",
    "ecr:CreateRepository",
    "ecr:CreateRepositoryCreationTemplate",
    "ecr:DeleteLifecyclePolicy",
    "ecr:DeletePullThroughCacheRule",
    "ecr:DeleteRegistryPolicy",
    "ecr:DeleteRepository",
    "ecr:DeleteRepositoryCreationTemplate",
    "ecr:DeleteRepositoryPolicy",
    "ecr:InitiateLayerUpload",
    "ecr:PutImage",
    "ecr:PutImageScanningConfiguration",
    "ecr:PutImageTagMutability",
    "ecr:PutLifecyclePolicy",
    "ecr:PutRegistryPolicy",
    "ecr:PutRegistryScanningConfiguration",
    "ecr:PutReplicationConfiguration",
    "ecr:ReplicateImage",
    "ecr:SetRepositoryPolicy",
    "ecr:StartImageScan",
    "ecr:StartLifecyclePolicyPreview",
    "ecr:TagResource",
    "ecr:UntagResource",
    "ecr:UpdatePullThroughCacheRule",
    "ecr:UpdateRepositoryCreationTemplate",
    "ecr:UploadLayerPart",
];

/// Verbs of ECR actions that only read.
const ECR_READ_VERBS: &[&str] = &[
    "get",
    "describe",
    "list",
    "batchget",
    "batchcheck",
    "batchimportupstreamimage",
];

/// The statements of a policy document (`Statement` may be one object or a list).
pub fn statements(document: &Value) -> Vec<&Value> {
    match document.get("Statement") {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(single @ Value::Object(_)) => vec![single],
        _ => Vec::new(),
    }
}

/// A string-or-list field as a list.
fn string_list(value: Option<&Value>) -> Vec<&str> {
    match value {
        Some(Value::String(s)) => vec![s.as_str()],
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

/// IAM's action matching: case-insensitive, `*` matches any run, `?` one character.
pub fn action_matches(pattern: &str, action: &str) -> bool {
    fn glob(p: &[u8], a: &[u8]) -> bool {
        match (p.first(), a.first()) {
            (None, None) => true,
            (Some(b'*'), _) => glob(&p[1..], a) || (!a.is_empty() && glob(p, &a[1..])),
            (Some(b'?'), Some(_)) => glob(&p[1..], &a[1..]),
            (Some(pc), Some(ac)) if pc.eq_ignore_ascii_case(ac) => glob(&p[1..], &a[1..]),
            _ => false,
        }
    }
    glob(pattern.as_bytes(), action.as_bytes())
}

/// The ECR write actions a policy document allows, sorted and deduplicated.
///
/// Wildcards (`ecr:*`, `ecr:Put*`, `*`) are expanded against [`ECR_WRITE_ACTIONS`]; an exact
/// `ecr:` action that is not a read is reported as written, so new ECR APIs are not missed;
/// `NotAction` allows every write it does not exclude.
pub fn ecr_writes_allowed(document: &Value) -> Vec<String> {
    let mut writes: Vec<String> = Vec::new();
    for statement in statements(document) {
        if statement.get("Effect").and_then(Value::as_str) != Some("Allow") {
            continue;
        }
        for pattern in string_list(statement.get("Action")) {
            let has_wildcard = pattern.contains(['*', '?']);
            if has_wildcard {
                writes.extend(
                    ECR_WRITE_ACTIONS
                        .iter()
                        .filter(|action| action_matches(pattern, action))
                        .map(|a| a.to_string()),
                );
            } else if let Some(verb) = pattern.to_ascii_lowercase().strip_prefix("ecr:")
                && !ECR_READ_VERBS.iter().any(|read| verb.starts_with(read))
            {
                writes.push(pattern.to_string());
            }
        }
        let excluded = string_list(statement.get("NotAction"));
        if statement.get("NotAction").is_some() {
            writes.extend(
                ECR_WRITE_ACTIONS
                    .iter()
                    .filter(|action| !excluded.iter().any(|p| action_matches(p, action)))
                    .map(|a| a.to_string()),
            );
        }
    }
    writes.sort_unstable_by_key(|a| a.to_ascii_lowercase());
    writes.dedup_by(|a, b| a.eq_ignore_ascii_case(b));
    writes
}

/// Actions of three services: a rule that allows all of them allows every action.
const EVERY_ACTION: &[&str] = &[
    "iam:CreateUser",
    "ec2:TerminateInstances",
    "s3:DeleteBucket",
];

/// Grants that make a role powerful beyond its workload, each with sentinel actions: a rule
/// grants the power when it allows any of them on every resource.
const POWERS: &[(&str, &[&str])] = &[
    (
        "IAM changes (privilege escalation)",
        &[
            "iam:CreateAccessKey",
            "iam:AttachRolePolicy",
            "iam:PutRolePolicy",
            "iam:CreatePolicyVersion",
        ],
    ),
    ("iam:PassRole on any role", &["iam:PassRole"]),
    ("sts:AssumeRole on any role", &["sts:AssumeRole"]),
    (
        "EKS administration (access entries, clusters)",
        &[
            "eks:CreateAccessEntry",
            "eks:AssociateAccessPolicy",
            "eks:DeleteCluster",
        ],
    ),
    (
        "every Secrets Manager secret",
        &["secretsmanager:GetSecretValue"],
    ),
    (
        "every SSM parameter",
        &[
            "ssm:GetParameter",
            "ssm:GetParameters",
            "ssm:GetParametersByPath",
        ],
    ),
];

/// What a policy document grants on every resource (`Resource: "*"`, or `NotResource`) that a
/// workload's role should not hold, each power once. An every-action grant is reported alone
/// (it implies the rest). Conditions are not evaluated: a conditioned grant
/// still counts, and the description says it is conditioned.
pub fn powerful_grants(document: &Value) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    for statement in statements(document) {
        if statement.get("Effect").and_then(Value::as_str) != Some("Allow") {
            continue;
        }
        let everywhere = string_list(statement.get("Resource")).contains(&"*")
            || statement.get("NotResource").is_some();
        if !everywhere {
            continue;
        }
        let actions = string_list(statement.get("Action"));
        let not_actions = string_list(statement.get("NotAction"));
        let allows = |action: &str| {
            actions.iter().any(|p| action_matches(p, action))
                || (statement.get("NotAction").is_some()
                    && !not_actions.iter().any(|p| action_matches(p, action)))
        };
        let conditioned = if statement.get("Condition").is_some() {
            " (with conditions)"
        } else {
            ""
        };
        if EVERY_ACTION.iter().all(|a| allows(a)) {
            return vec![format!("every action (administrator){conditioned}")];
        }
        for (power, sentinels) in POWERS {
            if sentinels.iter().any(|a| allows(a)) {
                let described = format!("{power}{conditioned}");
                if !found.contains(&described) {
                    found.push(described);
                }
            }
        }
    }
    found
}

/// How a trust policy statement lets a cluster's OIDC identities assume a role.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct OidcTrust {
    /// The `sub` values allowed, with the operator (`StringEquals`, `StringLike`...). Empty: any.
    pub sub: Vec<(String, String)>,
    /// The `aud` values allowed, with the operator. Empty: any.
    pub aud: Vec<(String, String)>,
}

/// The principals of a statement of `kind` (`Federated`, `AWS`, `Service`); `"*"` for a bare `*`.
pub fn principals<'a>(statement: &'a Value, kind: &str) -> Vec<&'a str> {
    match statement.get("Principal") {
        Some(Value::String(all)) if all == "*" => vec!["*"],
        Some(Value::Object(map)) => string_list(map.get(kind)),
        _ => Vec::new(),
    }
}

/// Every `Allow` statement of a trust policy that lets web identities of the OIDC provider
/// `provider_arn` (issuer `issuer`, without `https://`) assume the role.
pub fn oidc_trusts(document: &Value, provider_arn: &str, issuer: &str) -> Vec<OidcTrust> {
    let sub_key = format!("{issuer}:sub");
    let aud_key = format!("{issuer}:aud");
    statements(document)
        .into_iter()
        .filter(|s| s.get("Effect").and_then(Value::as_str) == Some("Allow"))
        .filter(|s| principals(s, "Federated").contains(&provider_arn))
        .filter(|s| {
            string_list(s.get("Action"))
                .iter()
                .any(|a| action_matches(a, "sts:AssumeRoleWithWebIdentity"))
        })
        .map(|statement| {
            let mut trust = OidcTrust {
                sub: Vec::new(),
                aud: Vec::new(),
            };
            if let Some(Value::Object(conditions)) = statement.get("Condition") {
                for (operator, clauses) in conditions {
                    let Value::Object(clauses) = clauses else {
                        continue;
                    };
                    for (key, values) in clauses {
                        let values: Vec<(String, String)> = string_list(Some(values))
                            .into_iter()
                            .map(|v| (operator.clone(), v.to_string()))
                            .collect();
                        if key.eq_ignore_ascii_case(&sub_key) {
                            trust.sub.extend(values);
                        } else if key.eq_ignore_ascii_case(&aud_key) {
                            trust.aud.extend(values);
                        }
                    }
                }
            }
            trust
        })
        .collect()
}

/// Who an `Allow` statement of a resource policy grants access to, beyond trusted accounts.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ExternalGrant {
    /// `*`, the principal as written, or `NotPrincipal: ...` for everyone but those.
    pub principal: String,
    /// The account it belongs to (`*` for everyone).
    pub account: String,
    /// The conditions of the statement that restrict who the caller is (`StringEquals
    /// aws:PrincipalOrgID`...): a grant to everyone with one of these is not public.
    pub restricted_by: Vec<String>,
    /// The actions granted.
    pub actions: Vec<String>,
}

/// Condition keys that say who the caller is (or, for service callers, on whose behalf).
/// Conditions on anything else (`aws:SecureTransport`, `aws:SourceIp`...) do not narrow who is
/// granted. From the IAM global condition context keys reference.
const IDENTITY_KEYS: &[&str] = &[
    "aws:principalorgid",
    "aws:principalorgpaths",
    "aws:principalaccount",
    "aws:principalarn",
    "aws:principalservicename",
    "aws:sourceaccount",
    "aws:sourcearn",
    "aws:sourceorgid",
    "aws:sourceorgpaths",
    "aws:userid",
    "aws:username",
];

/// The conditions of `statement` that restrict the caller to some identities: a positive
/// operator (`StringEquals`, `StringLike`, `ArnEquals`, `ArnLike`, with or without
/// `ForAnyValue:`/`ForAllValues:`) on an identity key, with a value that is not `*`. Negated
/// operators (`StringNotEquals aws:PrincipalOrgID`) grant everyone outside, so they do not count.
fn identity_restrictions(statement: &Value) -> Vec<String> {
    let Some(Value::Object(operators)) = statement.get("Condition") else {
        return Vec::new();
    };
    let mut restrictions = Vec::new();
    for (operator, keys) in operators {
        let base = operator
            .rsplit(':')
            .next()
            .unwrap_or(operator)
            .trim_end_matches("IfExists");
        if !matches!(
            base,
            "StringEquals" | "StringLike" | "ArnEquals" | "ArnLike" | "StringEqualsIgnoreCase"
        ) {
            continue;
        }
        // `...IfExists` passes when the key is absent: not a restriction on its own.
        if operator.ends_with("IfExists") {
            continue;
        }
        let Value::Object(keys) = keys else { continue };
        for (key, values) in keys {
            let values = string_list(Some(values));
            if IDENTITY_KEYS.contains(&key.to_ascii_lowercase().as_str())
                && !values.is_empty()
                && !values.contains(&"*")
            {
                restrictions.push(format!("{operator} {key}"));
            }
        }
    }
    restrictions
}

/// The account of an AWS principal: `123456789012`, `arn:aws:iam::123456789012:root`, a role or user ARN.
fn principal_account(principal: &str) -> &str {
    if principal.len() == 12 && principal.bytes().all(|b| b.is_ascii_digit()) {
        principal
    } else {
        principal.split(':').nth(4).unwrap_or(principal)
    }
}

/// The grants of a resource policy to everyone or to accounts not in `trusted`. An `Allow` with
/// `NotPrincipal` grants everyone but the principals it lists.
pub fn external_grants(document: &Value, trusted: &[&str]) -> Vec<ExternalGrant> {
    let mut grants = Vec::new();
    for statement in statements(document) {
        if statement.get("Effect").and_then(Value::as_str) != Some("Allow") {
            continue;
        }
        let restricted_by = identity_restrictions(statement);
        let actions: Vec<String> = string_list(statement.get("Action"))
            .into_iter()
            .map(String::from)
            .collect();
        if let Some(excepted) = statement.get("NotPrincipal") {
            grants.push(ExternalGrant {
                principal: format!("NotPrincipal: {excepted}"),
                account: "*".to_string(),
                restricted_by: restricted_by.clone(),
                actions: actions.clone(),
            });
        }
        for principal in principals(statement, "AWS") {
            let account = if principal == "*" {
                "*"
            } else {
                principal_account(principal)
            };
            if account != "*" && trusted.contains(&account) {
                continue;
            }
            grants.push(ExternalGrant {
                principal: principal.to_string(),
                account: account.to_string(),
                restricted_by: restricted_by.clone(),
                actions: actions.clone(),
            });
        }
    }
    grants
}

#[cfg(test)]
mod powerful_grants_tests {
    use super::*;
    use serde_json::json;

    fn grants(statement: Value) -> Vec<String> {
        powerful_grants(&json!({ "Version": "2012-10-17", "Statement": [statement] }))
    }

    #[test]
    fn administrator_and_escalation_paths_are_named() {
        assert_eq!(
            grants(json!({"Effect": "Allow", "Action": "*", "Resource": "*"})),
            ["every action (administrator)"]
        );
        assert_eq!(
            grants(json!({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})),
            [
                "sts:AssumeRole on any role",
                "EKS administration (access entries, clusters)",
                "every Secrets Manager secret",
                "every SSM parameter"
            ]
        );
        assert_eq!(
            grants(
                json!({"Effect": "Allow", "Action": ["iam:PassRole", "secretsmanager:Get*"], "Resource": ["*"]})
            ),
            ["iam:PassRole on any role", "every Secrets Manager secret"]
        );
        assert_eq!(
            grants(
                json!({"Effect": "Allow", "Action": "eks:*", "Resource": "*", "Condition": {"StringEquals": {"aws:RequestedRegion": "eu-west-1"}}})
            ),
            ["EKS administration (access entries, clusters) (with conditions)"]
        );
    }

    #[test]
    fn scoped_denied_and_ordinary_grants_are_not_powers() {
        assert!(
            grants(json!({"Effect": "Allow", "Action": "*", "Resource": "arn:aws:s3:::bucket/*"}))
                .is_empty()
        );
        assert!(grants(json!({"Effect": "Deny", "Action": "*", "Resource": "*"})).is_empty());
        assert!(
            grants(json!({"Effect": "Allow", "Action": ["s3:*", "dynamodb:*"], "Resource": "*"}))
                .is_empty()
        );
        assert!(
            grants(json!({"Effect": "Allow", "Action": "iam:Get*", "Resource": "*"})).is_empty()
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn matching_is_case_insensitive_with_wildcards() {
        assert!(action_matches("ecr:*", "ecr:PutImage"));
        assert!(action_matches("ECR:put*", "ecr:PutImage"));
        assert!(action_matches("*", "ecr:PutImage"));
        assert!(action_matches("ecr:?utImage", "ecr:PutImage"));
        assert!(!action_matches("ecr:Get*", "ecr:PutImage"));
        assert!(!action_matches("ec2:*", "ecr:PutImage"));
    }

    #[test]
    fn read_only_ecr_policy_allows_no_writes() {
        let doc = json!({"Statement": [{"Effect": "Allow", "Resource": "*", "Action": [
            "ecr:GetAuthorizationToken", "ecr:BatchCheckLayerAvailability",
            "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage", "ecr:DescribeRepositories"]}]});
        assert!(ecr_writes_allowed(&doc).is_empty());
    }

    #[test]
    fn wildcards_and_exact_writes_are_reported() {
        let doc = json!({"Statement": {"Effect": "Allow", "Action": "ecr:Put*", "Resource": "*"}});
        let writes = ecr_writes_allowed(&doc);
        assert!(writes.contains(&"ecr:PutImage".to_string()));
        assert!(!writes.iter().any(|w| w.contains("Upload")));

        let doc = json!({"Statement": [{"Effect": "Allow", "Action": ["ecr:UploadLayerPart", "s3:GetObject"], "Resource": "*"}]});
        assert_eq!(ecr_writes_allowed(&doc), ["ecr:UploadLayerPart"]);

        let doc = json!({"Statement": [{"Effect": "Allow", "Action": "ecr:SomeFutureWrite", "Resource": "*"}]});
        assert_eq!(ecr_writes_allowed(&doc), ["ecr:SomeFutureWrite"]);
    }

    #[test]
    fn admin_and_not_action_policies_allow_writes() {
        let admin = json!({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]});
        assert_eq!(ecr_writes_allowed(&admin).len(), ECR_WRITE_ACTIONS.len());

        let not_action =
            json!({"Statement": [{"Effect": "Allow", "NotAction": "ecr:Put*", "Resource": "*"}]});
        let writes = ecr_writes_allowed(&not_action);
        assert!(writes.contains(&"ecr:UploadLayerPart".to_string()));
        assert!(!writes.contains(&"ecr:PutImage".to_string()));
    }

    #[test]
    fn deny_statements_grant_nothing() {
        let doc = json!({"Statement": [{"Effect": "Deny", "Action": "ecr:*", "Resource": "*"}]});
        assert!(ecr_writes_allowed(&doc).is_empty());
    }

    #[test]
    fn oidc_trusts_read_sub_and_aud_conditions() {
        let provider = "arn:aws:iam::1:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/X";
        let issuer = "oidc.eks.eu-west-1.amazonaws.com/id/X";
        let doc = json!({"Statement": [{
            "Effect": "Allow",
            "Principal": {"Federated": provider},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {
                "StringEquals": {format!("{issuer}:aud"): "sts.amazonaws.com"},
                "StringLike": {format!("{issuer}:sub"): ["system:serviceaccount:app:*"]}
            }
        }, {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]});
        let trusts = oidc_trusts(&doc, provider, issuer);
        assert_eq!(trusts.len(), 1);
        assert_eq!(
            trusts[0].aud,
            [("StringEquals".to_string(), "sts.amazonaws.com".to_string())]
        );
        assert_eq!(
            trusts[0].sub,
            [(
                "StringLike".to_string(),
                "system:serviceaccount:app:*".to_string()
            )]
        );
        assert!(oidc_trusts(&doc, "arn:aws:iam::1:oidc-provider/other", issuer).is_empty());
    }

    #[test]
    fn only_conditions_on_who_the_caller_is_restrict_a_grant() {
        let grant = |condition: Value| {
            let doc = json!({"Statement": [{"Effect": "Allow", "Principal": "*",
                "Action": "ecr:BatchGetImage", "Condition": condition}]});
            external_grants(&doc, &[]).remove(0).restricted_by
        };
        let restricting = [
            json!({"StringEquals": {"aws:PrincipalOrgID": "o-1"}}),
            json!({"StringEquals": {"aws:PrincipalAccount": ["111122223333"]}}),
            json!({"StringEquals": {"aws:SourceAccount": "111122223333"}}),
            json!({"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::111122223333:role/ci-*"}}),
            json!({"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": "o-1/r-ab/ou-ab-1/*"}}),
        ];
        for condition in restricting {
            assert!(!grant(condition.clone()).is_empty(), "{condition}");
        }
        let not_restricting = [
            json!({"Bool": {"aws:SecureTransport": "true"}}),
            json!({"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}),
            json!({"StringNotEquals": {"aws:PrincipalOrgID": "o-1"}}),
            json!({"StringLike": {"aws:PrincipalArn": "*"}}),
            json!({"StringEqualsIfExists": {"aws:PrincipalOrgID": "o-1"}}),
        ];
        for condition in not_restricting {
            assert!(grant(condition.clone()).is_empty(), "{condition}");
        }
    }

    #[test]
    fn not_principal_allows_everyone_else() {
        let doc = json!({"Statement": [{"Effect": "Allow",
            "NotPrincipal": {"AWS": "arn:aws:iam::111122223333:role/admin"},
            "Action": "ecr:*"}]});
        let grants = external_grants(&doc, &["111122223333"]);
        assert_eq!(grants.len(), 1);
        assert_eq!(grants[0].account, "*");
        assert!(grants[0].restricted_by.is_empty());
        assert!(grants[0].principal.starts_with("NotPrincipal"));
    }

    #[test]
    fn external_grants_find_everyone_and_foreign_accounts() {
        let doc = json!({"Statement": [
            {"Effect": "Allow", "Principal": "*", "Action": "ecr:BatchGetImage"},
            {"Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::111122223333:root", "999988887777", "arn:aws:iam::555566667777:role/ci"]}, "Action": ["ecr:*"]},
            {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "ecr:BatchGetImage", "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-1"}}},
            {"Effect": "Deny", "Principal": "*", "Action": "ecr:*"}
        ]});
        let grants = external_grants(&doc, &["111122223333", "555566667777"]);
        let accounts: Vec<(&str, bool)> = grants
            .iter()
            .map(|g| (g.account.as_str(), !g.restricted_by.is_empty()))
            .collect();
        assert_eq!(
            accounts,
            [("*", false), ("999988887777", false), ("*", true)]
        );
    }
}
