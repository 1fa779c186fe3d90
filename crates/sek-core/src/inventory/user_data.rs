//! What node user data holds that it should not: credentials and keys, found when the user data
//! is read and recorded by kind and line only. The values never enter the inventory, so a
//! snapshot or report cannot leak them.

use std::sync::LazyLock;

use regex::Regex;
use serde::{Deserialize, Serialize};

/// The outcome of inspecting one launch template version's user data.
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq, Eq)]
pub struct UserDataScan {
    /// Whether the template has user data at all.
    #[serde(default)]
    pub present: bool,
    /// Why the user data could not be inspected (compressed, not text), when it could not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uninspected: Option<String>,
    /// What looks like a secret, where: never the value.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub secrets: Vec<SecretHint>,
}

super::read::no_failures!(UserDataScan);

/// Something in user data that looks like a secret.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct SecretHint {
    /// What it looks like: `AWS access key id`, `private key`, `password assignment`...
    pub kind: String,
    /// The 1-based line of the decoded user data.
    pub line: usize,
}

/// Patterns of secrets, by kind. Assignments need a value of 8 or more characters that is not a
/// shell or template reference (`$VAR`, `{{...}}`), so reading a secret from a store at boot
/// passes.
static PATTERNS: LazyLock<Vec<(&'static str, Regex)>> = LazyLock::new(|| {
    [
        ("AWS access key id", r"\b(AKIA|ASIA)[A-Z0-9]{16}\b"),
        (
            "AWS secret access key",
            r#"(?i)aws_?secret_?access_?key["']?\s*[:=]\s*["']?[A-Za-z0-9/+]{40}\b"#,
        ),
        ("private key", r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
        ("GitHub token", r"\bgh[pousr]_[A-Za-z0-9]{36,}\b"),
        ("Slack token", r"\bxox[abprs]-[A-Za-z0-9-]{10,}"),
        (
            "password or token assignment",
            r#"(?i)\b[a-z0-9_]*(password|passwd|secret|token|api_?key)["']?\s*[:=]\s*["']?[^\s"'${}]{8,}"#,
        ),
    ]
    .into_iter()
    .map(|(kind, pattern)| (kind, Regex::new(pattern).expect("valid pattern")))
    .collect()
});

/// The secrets `text` seems to hold, one hint per line and kind, in line order.
pub fn find_secrets(text: &str) -> Vec<SecretHint> {
    let mut hints = Vec::new();
    for (index, line) in text.lines().enumerate() {
        for (kind, pattern) in PATTERNS.iter() {
            if pattern.is_match(line) {
                hints.push(SecretHint {
                    kind: kind.to_string(),
                    line: index + 1,
                });
                // One kind per line: an AWS secret key line is not also a "token assignment".
                break;
            }
        }
    }
    hints
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(String, usize)> {
        find_secrets(text)
            .into_iter()
            .map(|h| (h.kind, h.line))
            .collect()
    }

    #[test]
    fn credentials_and_keys_are_found_by_kind_and_line() {
        let text = "#!/bin/bash\nexport AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\n\
export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n\
cat > /root/.ssh/id_rsa <<EOF\n-----BEGIN RSA PRIVATE KEY-----\nEOF\n\
DB_PASSWORD='hunter2hunter2'\ncurl -H 'x' https://x/?token=ghp_abcdefghijklmnopqrstuvwxyz0123456789\n";
        assert_eq!(
            kinds(text),
            [
                ("AWS access key id".to_string(), 2),
                ("AWS secret access key".to_string(), 3),
                ("private key".to_string(), 5),
                ("password or token assignment".to_string(), 7),
                ("GitHub token".to_string(), 8),
            ]
        );
    }

    #[test]
    fn the_eks_bootstrap_and_references_to_a_store_are_not_secrets() {
        let text = "#!/bin/bash\n/etc/eks/bootstrap.sh prod --b64-cluster-ca LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t \
--apiserver-endpoint https://ABC.gr7.eu-west-1.eks.amazonaws.com\n\
DB_PASSWORD=$(aws secretsmanager get-secret-value --secret-id db --query SecretString)\n\
token: {{ resolve:ssm:/prod/token }}\n\
apiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\nspec:\n  cluster:\n    certificateAuthority: LS0tLS1CRUdJTg==\n";
        assert_eq!(kinds(text), []);
    }
}
