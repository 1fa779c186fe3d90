//! `service-secrets`: Kubernetes Secrets are envelope-encrypted with a customer managed KMS key.
//!
//! Reads `cluster.encryption`. Since Kubernetes 1.28, EKS envelope-encrypts all API data with an
//! AWS owned key by default and the `resources` field of an encryption config is deprecated, so
//! any entry that names a key counts; without one, the customer-controlled layer CIS 5.3.1 asks
//! for is missing.

use serde_json::json;

use crate::checks::frameworks::{bp, cis13, cis18, nist};
use crate::checks::{Area, Check, Ctx, Eval, Evaluation, Finding, Remediation, Severity};
use crate::inventory::aws;

/// The check.
pub static CHECK: Check = Check {
    id: "service-secrets",
    aliases: &[],
    area: Area::Service,
    title: "Secrets are envelope-encrypted with a customer managed KMS key",
    severity: Severity::High,
    refs: &[
        cis13("5.3.1"),
        cis18("5.3.1"),
        nist("PR.DS-1"),
        bp("data-encryption-and-secrets-management"),
    ],
    needs: &[aws("eks:DescribeCluster")],
    rationale: "EKS stores Secrets in etcd; since Kubernetes 1.28 it envelope-encrypts all API data with an \
AWS owned key by default. A customer managed KMS key as the key-encryption key puts that layer under your \
control: its key policy decides who can decrypt, you can rotate or disable it, and every use is logged in \
CloudTrail in your account.",
    remediation: Remediation {
        text: "Associate a customer managed KMS key (symmetric, in the cluster's region) with the cluster. This \
can be done on an existing cluster and cannot be undone.",
        cli: Some(
            "aws eks associate-encryption-config --cluster-name <cluster> \
--encryption-config '[{\"resources\":[\"secrets\"],\"provider\":{\"keyArn\":\"<kms-key-arn>\"}}]'",
        ),
        terraform: Some(
            "encryption_config { resources = [\"secrets\"]  provider { key_arn = aws_kms_key.eks.arn } }",
        ),
    },
    links: &["https://docs.aws.amazon.com/eks/latest/userguide/enable-kms.html"],
    eval: Eval::Cluster(eval),
};

fn eval(ctx: &Ctx<'_>) -> Evaluation {
    ctx.on_control_plane(|cluster, arn| {
        let key = cluster.encryption.iter().find_map(|config| config.key_arn.as_deref().filter(|k| !k.is_empty()));
        match key {
            Some(key) => Finding::pass(arn, format!("Secrets are envelope-encrypted with KMS key {key}"))
                .with_evidence(json!({ "key_arn": key })),
            None => Finding::fail(
                arn,
                "no customer managed KMS key encrypts Secrets (only EKS's default AWS owned key, if any); associate a KMS key",
            )
            .with_evidence(json!({ "encryption_config": cluster.encryption })),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::Status;
    use crate::checks::testkit::*;
    use crate::inventory::EncryptionConfig;

    #[test]
    fn passes_with_a_key_for_secrets() {
        let finding = only(run(&CHECK, &cluster()));
        assert_eq!(finding.status, Status::Pass);
        assert!(finding.message.contains("key/1234"));
    }

    #[test]
    fn fails_without_encryption_config() {
        let mut inv = cluster();
        inv.cluster.got_mut().unwrap().encryption.clear();
        assert_eq!(only(run(&CHECK, &inv)).status, Status::Fail);
    }

    #[test]
    fn fails_when_no_entry_names_a_key() {
        let mut inv = cluster();
        inv.cluster.got_mut().unwrap().encryption = vec![
            EncryptionConfig {
                resources: vec!["secrets".into()],
                key_arn: None,
            },
            EncryptionConfig {
                resources: vec!["secrets".into()],
                key_arn: Some(String::new()),
            },
        ];
        assert_eq!(only(run(&CHECK, &inv)).status, Status::Fail);
    }

    #[test]
    fn a_key_counts_whatever_the_deprecated_resources_field_says() {
        let mut inv = cluster();
        inv.cluster.got_mut().unwrap().encryption = vec![EncryptionConfig {
            resources: vec![],
            key_arn: Some("arn:aws:kms:eu-west-1:1:key/k".into()),
        }];
        assert_eq!(only(run(&CHECK, &inv)).status, Status::Pass);
    }

    #[test]
    fn errors_when_describe_cluster_failed() {
        let mut inv = cluster();
        inv.cluster = Read::NotCollected;
        assert_eq!(only(run(&CHECK, &inv)).status, Status::Error);
    }
}
