//! `storage-encrypted`: the StorageClasses of the EBS and EFS CSI drivers give encrypted volumes,
//! the default class above all (every claim that names no class gets it).
//!
//! An EBS class that does not ask (`encrypted: "true"`) still gets encrypted volumes when EBS
//! encryption by default is on in the region, so the region's setting decides it. EFS encrypts in
//! transit unless the class turns it off; encryption at rest belongs to the file system, which sek
//! does not read, so that part is for review.

use serde_json::json;

use crate::checks::frameworks::{bp, nist};
use crate::checks::shared::k8s::kubernetes;
use crate::checks::{Area, Check, Ctx, Eval, Evaluation, Finding, Remediation, Severity, Status};
use crate::inventory::k8s::StorageClass;
use crate::inventory::k8s::resources::STORAGE_CLASSES;
use crate::inventory::{Need, ResourceRef, aws};

/// Provisioners of EBS volumes: the CSI driver, EKS Auto Mode's, and the in-tree one (migrated to
/// the CSI driver, same parameters).
const EBS_PROVISIONERS: &[&str] = &[
    "ebs.csi.aws.com",
    "ebs.csi.eks.amazonaws.com",
    "kubernetes.io/aws-ebs",
];
const EFS_PROVISIONER: &str = "efs.csi.aws.com";

/// The check.
pub static CHECK: Check = Check {
    id: "storage-encrypted",
    aliases: &[],
    area: Area::Storage,
    title: "EBS and EFS StorageClasses give encrypted volumes",
    severity: Severity::Medium,
    refs: &[
        nist("PR.DS-1"),
        nist("PR.DS-2"),
        bp("data-encryption-and-secrets-management"),
    ],
    needs: &[
        Need::Kubernetes(&STORAGE_CLASSES),
        aws("ec2:GetEbsEncryptionByDefault"),
    ],
    rationale: "Persistent volumes hold the data workloads keep: databases, queues, uploads. A StorageClass \
that does not ask for encryption gives every claim made from it an unencrypted EBS volume (unless the region \
encrypts by default), and its snapshots are unencrypted too; the default class is what every claim without a \
class gets.",
    remediation: Remediation {
        text: "Set `encrypted: \"true\"` (and `kmsKeyId` for a customer managed key) in the parameters of every \
EBS StorageClass, or turn on EBS encryption by default in the region; keep EFS classes' encryptInTransit on and \
use file systems created encrypted. Existing volumes keep their encryption: migrate them through an encrypted \
snapshot copy.",
        cli: Some(
            "kubectl get storageclass -o custom-columns=NAME:.metadata.name,PROVISIONER:.provisioner,ENCRYPTED:.parameters.encrypted",
        ),
        terraform: Some(
            "resource \"kubernetes_storage_class_v1\" \"gp3\" { parameters = { type = \"gp3\", encrypted = \"true\" } }",
        ),
    },
    links: &[
        "https://docs.aws.amazon.com/eks/latest/userguide/ebs-csi.html",
        "https://github.com/kubernetes-sigs/aws-ebs-csi-driver/blob/master/docs/parameters.md",
        "https://github.com/kubernetes-sigs/aws-efs-csi-driver#storage-class-parameters-for-dynamic-provisioning",
    ],
    eval: Eval::Cluster(eval),
};

fn eval(ctx: &Ctx<'_>) -> Evaluation {
    let classes = kubernetes(ctx)?.inventory.storage_classes()?;
    let judged: Vec<&StorageClass> = classes
        .iter()
        .filter(|c| {
            EBS_PROVISIONERS.contains(&c.provisioner.as_str()) || c.provisioner == EFS_PROVISIONER
        })
        .collect();
    if judged.is_empty() {
        return Ok(vec![Finding::not_applicable(
            ctx.inventory.arn(),
            format!(
                "none of the {} StorageClass(es) is provisioned by the EBS or EFS CSI driver",
                classes.len()
            ),
        )]);
    }
    let mut findings = Vec::new();
    for class in judged {
        let finding = if class.provisioner == EFS_PROVISIONER {
            judge_efs(class)
        } else {
            judge_ebs(ctx, class)
        };
        findings.push(finding.with_evidence(json!({
            "provisioner": class.provisioner,
            "parameters": class.parameters,
            "default_class": class.is_default(),
        })));
    }
    Ok(findings)
}

fn resource(class: &StorageClass) -> String {
    ResourceRef::cluster_scoped("StorageClass", &class.metadata.name).into()
}

/// `the default StorageClass gp2` or `StorageClass gp2`.
fn named(class: &StorageClass) -> String {
    if class.is_default() {
        format!("the default StorageClass {}", class.metadata.name)
    } else {
        format!("StorageClass {}", class.metadata.name)
    }
}

fn judge_ebs(ctx: &Ctx<'_>, class: &StorageClass) -> Finding {
    let name = named(class);
    let asked = class.parameters.get("encrypted").map(String::as_str);
    if asked.is_some_and(|v| v.eq_ignore_ascii_case("true")) {
        let key = match class.parameters.get("kmsKeyId") {
            Some(key) => format!("with KMS key {key}"),
            None => "with the account's default EBS key".into(),
        };
        return Finding::pass(
            resource(class),
            format!("{name} asks for encrypted EBS volumes {key}"),
        );
    }
    let region_default = ctx
        .region_data()
        .and_then(|region| region.ebs_encryption_by_default().copied());
    match region_default {
        Ok(true) => Finding::pass(
            resource(class),
            format!(
                "{name} does not ask for encryption, but EBS encryption by default is on in the region: its \
volumes are encrypted"
            ),
        ),
        Ok(false) => Finding::fail(
            resource(class),
            format!(
                "{name} does not ask for encryption (encrypted: {}) and EBS encryption by default is off in the \
region: its volumes are unencrypted",
                asked.unwrap_or("unset")
            ),
        ),
        Err(missing) => Finding::error(
            resource(class),
            format!(
                "{name} does not ask for encryption, and whether the region encrypts EBS volumes by default is \
unknown: {missing}"
            ),
        ),
    }
}

fn judge_efs(class: &StorageClass) -> Finding {
    let name = named(class);
    let in_transit = class.parameters.get("encryptInTransit").map(String::as_str);
    if in_transit.is_some_and(|v| v.eq_ignore_ascii_case("false")) {
        return Finding::fail(
            resource(class),
            format!("{name} turns off EFS encryption in transit (encryptInTransit: \"false\")"),
        );
    }
    let file_system = class
        .parameters
        .get("fileSystemId")
        .map(String::as_str)
        .unwrap_or("<fileSystemId>");
    Finding::new(
        Status::Manual,
        resource(class),
        format!(
            "{name} encrypts in transit; encryption at rest is a property of EFS file system {file_system}, \
which sek does not read: check `aws efs describe-file-systems --file-system-id {file_system} --query \
'FileSystems[0].Encrypted'`"
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testkit::k8s::*;
    use crate::checks::testkit::*;

    fn with_classes(classes: Vec<StorageClass>) -> crate::inventory::ClusterInventory {
        let mut inv = kube_cluster();
        k8s(&mut inv).storage_classes = read(classes);
        inv
    }

    #[test]
    fn an_ebs_class_asking_for_encryption_passes_naming_its_key() {
        let inv = with_classes(vec![storage_class(
            "gp3",
            "ebs.csi.aws.com",
            &[
                ("encrypted", "true"),
                ("kmsKeyId", "arn:aws:kms:eu-west-1:111122223333:key/abc"),
            ],
            true,
        )]);
        let finding = only(run(&CHECK, &inv));
        assert_eq!(finding.status, Status::Pass);
        assert_eq!(finding.resource, "k8s:StorageClass//gp3");
        assert!(finding.message.contains("key/abc"), "{}", finding.message);
        assert_eq!(finding.evidence["default_class"], true);
    }

    #[test]
    fn an_ebs_class_not_asking_depends_on_the_regions_default_encryption() {
        let classes = vec![
            storage_class("gp2", "kubernetes.io/aws-ebs", &[("type", "gp2")], true),
            storage_class(
                "auto",
                "ebs.csi.eks.amazonaws.com",
                &[("encrypted", "false")],
                false,
            ),
        ];
        let inv = with_classes(classes);
        // The testkit region encrypts by default.
        let findings = run_full(
            &CHECK,
            &inv,
            Some(&region()),
            None,
            &crate::checks::Settings::default(),
        );
        assert_eq!(statuses(&findings), [Status::Pass, Status::Pass]);
        assert!(findings[0].message.contains("encryption by default is on"));

        let mut off = region();
        off.ebs_encryption_by_default = read(false);
        let findings = run_full(
            &CHECK,
            &inv,
            Some(&off),
            None,
            &crate::checks::Settings::default(),
        );
        assert_eq!(statuses(&findings), [Status::Fail, Status::Fail]);
        assert!(
            findings[0]
                .message
                .starts_with("the default StorageClass gp2"),
            "{}",
            findings[0].message
        );
        assert!(
            findings[1].message.contains("encrypted: false"),
            "{}",
            findings[1].message
        );

        let mut unread = region();
        unread.ebs_encryption_by_default =
            crate::inventory::Read::Failed(denied("ec2:GetEbsEncryptionByDefault", &[]));
        let findings = run_full(
            &CHECK,
            &inv,
            Some(&unread),
            None,
            &crate::checks::Settings::default(),
        );
        assert_eq!(statuses(&findings), [Status::Error, Status::Error]);
    }

    #[test]
    fn efs_is_judged_in_transit_and_left_for_review_at_rest() {
        let inv = with_classes(vec![
            storage_class(
                "efs",
                "efs.csi.aws.com",
                &[("fileSystemId", "fs-0abc")],
                false,
            ),
            storage_class(
                "efs-plain",
                "efs.csi.aws.com",
                &[("encryptInTransit", "false")],
                false,
            ),
        ]);
        let findings = run(&CHECK, &inv);
        assert_eq!(statuses(&findings), [Status::Manual, Status::Fail]);
        assert!(
            findings[0].message.contains("fs-0abc"),
            "{}",
            findings[0].message
        );
    }

    #[test]
    fn other_provisioners_are_not_applicable_and_an_unread_list_is_an_error() {
        let inv = with_classes(vec![storage_class(
            "local",
            "kubernetes.io/no-provisioner",
            &[],
            false,
        )]);
        assert_eq!(only(run(&CHECK, &inv)).status, Status::NotApplicable);
        assert_denied_read_is_an_error(&CHECK, kube_cluster(), STORAGE_CLASSES);
    }
}
