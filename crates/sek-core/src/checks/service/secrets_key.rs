//! `service-secrets-key`: the KMS key that encrypts Secrets is customer managed, enabled, and
//! rotated automatically (seed 000 left rotation out of scope).

use serde_json::json;

use crate::checks::frameworks::{bp, cis13, cis18, nist};
use crate::checks::{Area, Check, Ctx, Eval, Evaluation, Finding, Remediation, Severity};
use crate::inventory::aws;

/// The check.
pub static CHECK: Check = Check {
    id: "service-secrets-key",
    aliases: &[],
    area: Area::Service,
    title: "The Secrets encryption key is customer managed, enabled and rotated",
    severity: Severity::Medium,
    refs: &[
        cis13("5.3.1"),
        cis18("5.3.1"),
        nist("PR.DS-1"),
        bp("data-encryption-and-secrets-management"),
    ],
    needs: &[
        aws("eks:DescribeCluster"),
        aws("kms:DescribeKey"),
        aws("kms:GetKeyRotationStatus"),
    ],
    rationale: "The key-encryption key protects every Secret. An AWS managed key cannot have its key policy \
restricted; a disabled key or one pending deletion makes Secrets unreadable and the cluster degraded; a key \
never rotated keeps the same material exposed for years. A key named by an alias is resolved with DescribeKey \
first: GetKeyRotationStatus takes key ids and ARNs only.",
    remediation: Remediation {
        text: "Use a symmetric customer managed key with automatic rotation, keep it enabled, and restrict its \
key policy to the EKS cluster role and key administrators.",
        cli: Some("aws kms enable-key-rotation --key-id <key-id>"),
        terraform: Some("enable_key_rotation = true"),
    },
    links: &["https://docs.aws.amazon.com/kms/latest/developerguide/rotate-keys.html"],
    eval: Eval::Cluster(eval),
};

fn eval(ctx: &Ctx<'_>) -> Evaluation {
    let inv = ctx.inventory;
    let cluster = inv.control_plane()?;
    let configured = cluster.encryption.iter().find_map(|c| c.key_arn.as_deref());
    let Some(key_arn) = configured else {
        return Ok(vec![Finding::not_applicable(
            inv.arn(),
            "Secrets are not encrypted with a KMS key (see service-secrets)",
        )]);
    };
    let key = inv.secrets_key().map_err(|missing| missing.on(key_arn))?;
    let mut problems = Vec::new();
    if key.manager.as_deref() != Some("CUSTOMER") {
        problems.push("it is an AWS managed key, whose policy you cannot restrict".to_string());
    }
    match key.state.as_deref() {
        Some("Enabled") => {}
        Some(state) => problems.push(format!("it is {state}, so Secrets cannot be decrypted")),
        None => problems.push("its state is unknown".to_string()),
    }
    let rotation = key.rotation();
    if rotation == Ok(&false) {
        problems.push("automatic rotation is off".to_string());
    }
    // A known problem fails the key; otherwise an unread rotation status leaves it undecided.
    if problems.is_empty()
        && let Err(missing) = rotation
    {
        return Err(missing.on(key.arn.clone()));
    }
    let evidence = json!({ "key": key });
    Ok(vec![
        if problems.is_empty() {
            Finding::pass(
                key.arn.clone(),
                "customer managed, enabled, rotated automatically",
            )
        } else {
            Finding::fail(
                key.arn.clone(),
                format!("the Secrets key: {}", problems.join("; ")),
            )
        }
        .with_evidence(evidence),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::Status;
    use crate::checks::testkit::*;

    #[test]
    fn compliant_key_passes() {
        assert_eq!(only(run(&CHECK, &cluster())).status, Status::Pass);
    }

    #[test]
    fn aws_managed_disabled_or_unrotated_keys_fail() {
        let mut inv = cluster();
        let key = inv.secrets_key.got_mut().unwrap();
        key.manager = Some("AWS".into());
        key.state = Some("PendingDeletion".into());
        key.rotation_enabled = read(false);
        let finding = only(run(&CHECK, &inv));
        assert_eq!(finding.status, Status::Fail);
        for part in ["AWS managed", "PendingDeletion", "rotation is off"] {
            assert!(
                finding.message.contains(part),
                "{part}: {}",
                finding.message
            );
        }
    }

    #[test]
    fn no_key_is_not_applicable_and_an_unread_key_is_an_error() {
        let mut inv = cluster();
        inv.cluster.got_mut().unwrap().encryption.clear();
        assert_eq!(only(run(&CHECK, &inv)).status, Status::NotApplicable);
        let mut inv = cluster();
        inv.secrets_key = Read::Failed(denied("kms:DescribeKey", &[&key_arn()]));
        let finding = only(run(&CHECK, &inv));
        assert_eq!(finding.status, Status::Error);
        assert!(finding.message.contains("kms:DescribeKey"));
        let mut inv = cluster();
        inv.secrets_key.got_mut().unwrap().rotation_enabled = Read::NotCollected;
        assert_eq!(only(run(&CHECK, &inv)).status, Status::Error);
    }
}
