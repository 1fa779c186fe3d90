//! `cluster-secrets-store`: CIS EKS 4.4.2, "consider external secret storage".
//!
//! With the Kubernetes side read, it decides: the Secrets Store CSI driver or an External Secrets
//! CRD passes (however installed), neither fails. Without it, a secret-store EKS add-on passes,
//! and no add-on is `manual` (a Helm install is invisible from AWS); when the Kubernetes lists
//! were tried but failed, the finding names the failed read.

use serde_json::json;

use crate::checks::frameworks::{bp, cis13, cis18, nist};
use crate::inventory::k8s::resources::{CRDS, CSI_DRIVERS};

/// The CSI driver and the CRDs that show an external secret store in the cluster.
const SECRET_STORE_CSI_DRIVER: &str = "secrets-store.csi.k8s.io";
const SECRET_STORE_CRDS: &[&str] = &[
    "externalsecrets.external-secrets.io",
    "secretproviderclasses.secrets-store.csi.x-k8s.io",
];
use crate::checks::{
    Area, Check, Ctx, Eval, Evaluation, Finding, Remediation, Severity, Status, shared,
};
use crate::inventory::{Need, aws};

/// Add-ons that sync secrets from an external store (AWS Secrets Manager, Parameter Store...).
const SECRET_STORE_ADDONS: &[&str] = &[
    "aws-secrets-store-csi-driver-provider",
    "secrets-store-csi-driver",
    "external-secrets",
];

/// The check.
pub static CHECK: Check = Check {
    id: "cluster-secrets-store",
    aliases: &[],
    area: Area::Cluster,
    title: "Secrets come from an external secret store",
    severity: Severity::Low,
    refs: &[
        cis13("4.4.2"),
        cis18("4.4.2"),
        nist("PR.DS-1"),
        nist("PR.AC-4"),
        bp("data-encryption-and-secrets-management"),
    ],
    needs: &[
        aws("eks:ListAddons"),
        aws("eks:DescribeAddon"),
        Need::Kubernetes(&CRDS),
        Need::Kubernetes(&CSI_DRIVERS),
    ],
    rationale: "Kubernetes Secrets are only base64-encoded in etcd and readable by anyone who may get \
secrets in the namespace. An external store (AWS Secrets Manager through the Secrets Store CSI driver or \
External Secrets) keeps the value outside the cluster, with its own access policy, rotation and audit trail.",
    remediation: Remediation {
        text: "Store credentials in AWS Secrets Manager or Parameter Store and mount them with the Secrets \
Store CSI driver and its AWS provider (an EKS add-on), or sync them with External Secrets.",
        cli: Some(
            "aws eks create-addon --cluster-name <cluster> --addon-name aws-secrets-store-csi-driver-provider",
        ),
        terraform: None,
    },
    links: &[
        "https://docs.aws.amazon.com/secretsmanager/latest/userguide/integrating_csi_driver.html",
    ],
    eval: Eval::Cluster(eval),
};

fn eval(ctx: &Ctx<'_>) -> Evaluation {
    let inv = ctx.inventory;
    let arn = inv.arn();
    // The Kubernetes side, when both lists were read, is authoritative: add-ons and Helm charts
    // alike install the CSI driver or the CRDs there.
    let in_cluster = inv
        .kubernetes()
        .and_then(|k| Ok((k.inventory.csi_drivers()?, k.inventory.crds()?)));
    if let Ok((drivers, crds)) = &in_cluster {
        let mut installed: Vec<String> = drivers
            .iter()
            .filter(|d| *d == SECRET_STORE_CSI_DRIVER)
            .map(|d| format!("CSI driver {d}"))
            .collect();
        installed.extend(
            crds.iter()
                .filter(|c| SECRET_STORE_CRDS.contains(&c.as_str()))
                .map(|c| format!("CRD {c}")),
        );
        let evidence = json!({ "secret_stores": installed });
        let finding = if installed.is_empty() {
            Finding::fail(
                arn,
                "no secret store in the cluster: no Secrets Store CSI driver, no External Secrets CRD",
            )
        } else {
            Finding::pass(
                arn,
                format!(
                    "external secret storage is installed: {}",
                    installed.join(", ")
                ),
            )
        };
        return Ok(vec![finding.with_evidence(evidence)]);
    }
    // The Kubernetes side was read but its CRDs or CSI drivers were not: say which read failed.
    let failed = in_cluster.err().filter(|missing| missing.cause().is_some());
    let addons = match (inv.addons(), &failed) {
        (Ok(addons), _) => addons,
        (Err(unread_addons), Some(missing)) => {
            // Name both reads that stand in the way.
            let unread = shared::all_read(&arn, [Some(missing.clone()), Some(unread_addons)]);
            return Ok(unread.into_iter().collect());
        }
        (Err(missing), None) => return Err(missing),
    };
    let installed: Vec<&str> = addons
        .iter()
        .map(|a| a.name.as_str())
        .filter(|name| SECRET_STORE_ADDONS.contains(name))
        .collect();
    let mut evidence = json!({ "secret_store_addons": installed });
    let settle = match failed {
        Some(missing) => {
            evidence["api"] = missing.evidence()["api"].clone();
            evidence["error"] = missing.evidence()["error"].clone();
            format!(
                "the Kubernetes side would settle it, but {}",
                missing.reason()
            )
        }
        None => "scanning the Kubernetes side settles it".to_string(),
    };
    let finding = if installed.is_empty() {
        Finding::new(
            Status::Manual,
            arn,
            format!(
                "no secret store add-on is installed; confirm the Secrets Store CSI driver or External \
Secrets is installed another way (Helm), or that workloads read AWS Secrets Manager directly ({settle})"
            ),
        )
    } else {
        Finding::pass(
            arn,
            format!(
                "external secret storage is installed: add-on {}",
                installed.join(", ")
            ),
        )
    };
    Ok(vec![finding.with_evidence(evidence)])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testkit::*;
    use crate::inventory::Addon;

    #[test]
    fn a_secret_store_addon_passes() {
        let mut inv = cluster();
        inv.addons.got_mut().unwrap().push(Addon {
            name: "aws-secrets-store-csi-driver-provider".into(),
            ..Addon::default()
        });
        let finding = only(run(&CHECK, &inv));
        assert_eq!(finding.status, Status::Pass);
        assert!(
            finding
                .message
                .contains("aws-secrets-store-csi-driver-provider")
        );
    }

    #[test]
    fn without_one_it_is_for_review() {
        let finding = only(run(&CHECK, &cluster()));
        assert_eq!(finding.status, Status::Manual);
        assert!(finding.message.contains("Helm"));
    }

    #[test]
    fn the_kubernetes_side_settles_it_either_way() {
        use crate::checks::testkit::k8s::*;
        let finding = only(run(&CHECK, &kube_cluster()));
        assert_eq!(finding.status, Status::Pass);
        assert!(
            finding.message.contains("secrets-store.csi.k8s.io"),
            "{}",
            finding.message
        );
        let mut inv = kube_cluster();
        k8s(&mut inv).csi_drivers = read(vec!["ebs.csi.aws.com".into()]);
        assert_eq!(only(run(&CHECK, &inv)).status, Status::Fail);
    }

    #[test]
    fn a_refused_kubernetes_list_is_named_in_the_fallback() {
        use crate::checks::testkit::k8s::*;
        // The CRDs were refused: the add-ons decide, and the finding says what was refused.
        let mut inv = kube_cluster();
        k8s(&mut inv).crds = Read::Failed(denied(CRDS.need, &[]));
        let finding = only(run(&CHECK, &inv));
        assert_eq!(finding.status, Status::Manual);
        assert!(finding.message.contains(CRDS.need), "{}", finding.message);
        assert_eq!(finding.evidence["api"], CRDS.need);
        assert_eq!(finding.evidence["error"], "access-denied");
        // Nor the add-ons: an error naming both, the Kubernetes read (the one that would settle
        // it) first.
        inv.addons = Read::Failed(denied("eks:ListAddons", &[]));
        let finding = only(run(&CHECK, &inv));
        assert_eq!(finding.status, Status::Error);
        assert_eq!(finding.evidence["api"], CRDS.need);
        assert_eq!(finding.evidence["unread"][1]["api"], "eks:ListAddons");
        assert!(
            finding.message.contains("eks:ListAddons"),
            "{}",
            finding.message
        );
    }

    #[test]
    fn unread_addons_are_an_error_naming_the_api() {
        let mut inv = cluster();
        inv.addons = Read::Failed(denied("eks:ListAddons", &[]));
        let finding = only(run(&CHECK, &inv));
        assert_eq!(finding.status, Status::Error);
        assert!(
            finding.message.contains("eks:ListAddons"),
            "{}",
            finding.message
        );
    }
}
