//! `kubelet-files`: CIS EKS 3.1.1–3.1.4, the kubelet's kubeconfig and configuration file are
//! mode 644 or stricter and owned by root:root.
//!
//! File modes cannot be seen through the API: unless `sek node` looked at them on the node, the
//! finding is `manual` and names the exact paths for the node's OS family.

use serde_json::json;

use crate::checks::frameworks::{bp, cis13, cis18, nist};
use crate::checks::kubelet::judge_nodes;
use crate::checks::{Area, Check, Ctx, Eval, Evaluation, Remediation, Severity, Status};
use crate::inventory::Need;
use crate::inventory::k8s::resources::NODES;
use crate::inventory::k8s::{NodeFile, OsFamily};

/// The check.
pub static CHECK: Check = Check {
    id: "kubelet-files",
    aliases: &[],
    area: Area::Kubelet,
    title: "Kubelet kubeconfig and config files are 644 or stricter and owned by root",
    severity: Severity::Medium,
    refs: &[
        cis13("3.1.1"),
        cis13("3.1.2"),
        cis13("3.1.3"),
        cis13("3.1.4"),
        cis18("3.1.1"),
        cis18("3.1.2"),
        cis18("3.1.3"),
        cis18("3.1.4"),
        nist("PR.AC-4"),
        nist("PR.DS-1"),
        bp("protecting-the-infrastructure"),
    ],
    needs: &[Need::Kubernetes(&NODES), Need::NodeFiles],
    rationale: "The kubelet's kubeconfig holds the node's credentials and its configuration decides how it \
authenticates callers. Writable by others, either lets a local user impersonate the node or switch off the \
kubelet's authentication at the next restart.",
    remediation: Remediation {
        text: "chmod 644 and chown root:root the kubelet kubeconfig and configuration file (or let the EKS \
AMI's defaults stand). Run `sek node` on a node (or the Job in docs/sek-node-job.yaml) to check them.",
        cli: Some("sek node"),
        terraform: None,
    },
    links: &["https://docs.aws.amazon.com/eks/latest/userguide/eks-optimized-amis.html"],
    eval: Eval::Cluster(eval),
};

/// What is wrong with one file, if anything.
fn problems(file: &NodeFile) -> Option<String> {
    let mode = file.mode?;
    let mut wrong = Vec::new();
    if mode & 0o133 != 0 {
        wrong.push(format!("mode {:o} (more than 644)", mode & 0o7777));
    }
    if file.uid != Some(0) || file.gid != Some(0) {
        wrong.push(format!(
            "owned by {}:{} (not root:root)",
            file.uid.map_or("?".into(), |u| u.to_string()),
            file.gid.map_or("?".into(), |g| g.to_string())
        ));
    }
    (!wrong.is_empty()).then(|| format!("{} {}: {}", file.role, file.path, wrong.join(", ")))
}

fn eval(ctx: &Ctx<'_>) -> Evaluation {
    judge_nodes(ctx, |node, _| {
        let family = OsFamily::of(node.os_image.as_deref().unwrap_or(""));
        Some(match node.files.got() {
            Some(files) => {
                let found: Vec<String> = files.iter().filter_map(problems).collect();
                let evidence = json!({ "files": files });
                if found.is_empty() {
                    let present = files.iter().filter(|f| f.mode.is_some()).count();
                    (
                        Status::Pass,
                        format!(
                            "{present} kubelet file(s) are 644 or stricter and owned by root:root"
                        ),
                        evidence,
                    )
                } else {
                    (Status::Fail, found.join("; "), evidence)
                }
            }
            None => {
                let paths: Vec<String> = family
                    .kubelet_files()
                    .iter()
                    .map(|(role, path)| format!("{role} {path}"))
                    .collect();
                (
                    Status::Manual,
                    format!(
                        "file modes are not visible through the API: on the node check {} (stat -c '%a %U:%G'), or run `sek node`",
                        paths.join(" and ")
                    ),
                    json!({ "os_family": format!("{family:?}"), "paths": paths }),
                )
            }
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testkit::kubelet::*;
    use crate::checks::testkit::*;

    #[test]
    fn through_the_api_it_is_manual_with_the_paths_of_the_os_family() {
        let findings = run(&CHECK, &with_nodes());
        assert_eq!(statuses(&findings), [Status::Manual; 3]);
        assert!(
            findings[0]
                .message
                .contains("/etc/kubernetes/kubelet/config.json"),
            "{}",
            findings[0].message
        );
        assert!(
            findings[2]
                .message
                .contains("/etc/kubernetes/kubelet/config "),
            "{}",
            findings[2].message
        );
    }

    #[test]
    fn files_seen_by_sek_node_are_judged() {
        let mut inv = with_nodes();
        let node = &mut inv.kubernetes.got_mut().unwrap().nodes.got_mut().unwrap()[0];
        node.files = read(vec![
            NodeFile {
                role: "kubelet kubeconfig".into(),
                path: "/var/lib/kubelet/kubeconfig".into(),
                mode: Some(0o600),
                uid: Some(0),
                gid: Some(0),
            },
            NodeFile {
                role: "kubelet config".into(),
                path: "/etc/kubernetes/kubelet/config.json".into(),
                mode: Some(0o666),
                uid: Some(1000),
                gid: Some(0),
            },
        ]);
        let findings = run(&CHECK, &inv);
        assert_eq!(findings[0].status, Status::Fail);
        assert!(
            findings[0].message.contains("mode 666"),
            "{}",
            findings[0].message
        );
        assert!(findings[0].message.contains("owned by 1000:0"));
    }
}
