//! `sek node`: run on a node (or in the Job of docs/sek-node-job.yaml), it checks what the API
//! server cannot show — the ownership and modes of the kubelet's files (CIS EKS 3.1.x) — and the
//! local kubelet configuration file, with the same checks and report formats as `sek scan`.

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use sek_core::checks;
use sek_core::inventory::k8s::{KubeletConfig, KubernetesInventory, Node, NodeFile, OsFamily};
use sek_core::inventory::{ClusterInventory, Inventory, Meta, Read};
use serde_json::Value;

/// Why the node could not be inspected.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct NodeError(pub String);

/// `path` under `root` (`/host` when the host's filesystem is mounted there).
fn under(root: &Path, path: &str) -> PathBuf {
    root.join(path.trim_start_matches('/'))
}

/// `PRETTY_NAME` of /etc/os-release, the same text the kubelet reports as `osImage`.
fn os_image(root: &Path) -> Option<String> {
    let text = std::fs::read_to_string(under(root, "/etc/os-release")).ok()?;
    text.lines()
        .find_map(|line| line.strip_prefix("PRETTY_NAME="))
        .map(|v| v.trim_matches('"').to_string())
}

fn stat(role: &str, root: &Path, path: &str) -> NodeFile {
    let metadata = std::fs::metadata(under(root, path)).ok();
    NodeFile {
        role: role.to_string(),
        path: path.to_string(),
        mode: metadata.as_ref().map(|m| m.mode() & 0o7777),
        uid: metadata.as_ref().map(|m| m.uid()),
        gid: metadata.as_ref().map(|m| m.gid()),
    }
}

/// Merge `overlay` into `base`, objects key by key (the kubelet's drop-in semantics).
fn merge(base: &mut Value, overlay: Value) {
    match (base, overlay) {
        (Value::Object(base), Value::Object(overlay)) => {
            for (key, value) in overlay {
                merge(base.entry(key).or_insert(Value::Null), value);
            }
        }
        (base, overlay) => *base = overlay,
    }
}

/// Parse a kubelet configuration file: JSON (Amazon Linux) or YAML (Bottlerocket).
fn parse_config(path: &Path) -> Result<Value, NodeError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| NodeError(format!("cannot read {}: {e}", path.display())))?;
    serde_json::from_str(&text)
        .or_else(|_| serde_saphyr::from_str::<Value>(&text))
        .map_err(|e| NodeError(format!("{} is neither JSON nor YAML: {e}", path.display())))
}

/// The kubelet configuration: the file, with the drop-ins of `<file>.d/` (AL2023) merged in
/// name order.
fn kubelet_config(path: &Path) -> Result<KubeletConfig, NodeError> {
    let mut config = parse_config(path)?;
    let drop_ins = PathBuf::from(format!("{}.d", path.display()));
    if let Ok(entries) = std::fs::read_dir(&drop_ins) {
        let mut files: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
        files.sort();
        for file in files {
            merge(&mut config, parse_config(&file)?);
        }
    }
    KubeletConfig::from_configz(&config).map_err(|e| {
        NodeError(format!(
            "{} is not a KubeletConfiguration: {e}",
            path.display()
        ))
    })
}

/// Inspect the node whose filesystem is at `root`: an inventory of one cluster holding this
/// node, and the checks that apply (the kubelet checks, but the hostname one, which needs the API).
pub fn inspect(
    root: &Path,
    config_override: Option<&Path>,
    name: Option<String>,
) -> Result<(Inventory, Vec<&'static checks::Check>), NodeError> {
    let os_image = os_image(root);
    let family = OsFamily::of(os_image.as_deref().unwrap_or(""));
    let files: Vec<NodeFile> = family
        .kubelet_files()
        .iter()
        .map(|(role, path)| stat(role, root, path))
        .collect();
    let config_path = match config_override {
        Some(path) => path.to_path_buf(),
        None => under(root, family.kubelet_files()[1].1),
    };
    let kubelet = kubelet_config(&config_path)?;
    let name = name
        .or_else(|| {
            std::fs::read_to_string(under(root, "/etc/hostname"))
                .ok()
                .map(|h| h.trim().to_string())
        })
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "this-node".to_string());
    let node = Node {
        name: name.clone(),
        os_image,
        kubelet: Read::Got(kubelet),
        files: Read::Got(files),
        ..Node::default()
    };
    let mut cluster = ClusterInventory::new(format!("node {name}"), "");
    cluster.kubernetes = Read::Got(KubernetesInventory {
        source: Some(format!("local files ({})", config_path.display())),
        nodes: Read::Got(vec![node]),
        ..KubernetesInventory::default()
    });
    let mut inventory = Inventory::new(Meta {
        sek_version: Some(sek_core::VERSION.to_string()),
        collected_at: Some(jiff::Timestamp::now()),
        ..Meta::default()
    });
    inventory.clusters.push(cluster);
    // The checks a node answers on its own: those that read its kubelet's configuration or files
    // (not, say, the hostname override, which compares with the Node object in the API).
    let selected = checks::ALL
        .iter()
        .copied()
        .filter(|c| c.needs.iter().any(|need| need.is_on_node()))
        .collect();
    Ok((inventory, selected))
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    #[test]
    fn an_al2023_node_is_read_from_its_files_with_drop_ins() {
        let root = tempfile::tempdir().unwrap();
        let at = |p: &str| under(root.path(), p);
        std::fs::create_dir_all(at("/etc/kubernetes/kubelet/config.json.d")).unwrap();
        std::fs::create_dir_all(at("/var/lib/kubelet")).unwrap();
        std::fs::write(
            at("/etc/os-release"),
            "NAME=\"Amazon Linux\"\nPRETTY_NAME=\"Amazon Linux 2023.6.20241111\"\n",
        )
        .unwrap();
        std::fs::write(at("/etc/hostname"), "ip-10-0-1-23\n").unwrap();
        std::fs::write(
            at("/etc/kubernetes/kubelet/config.json"),
            r#"{"kind":"KubeletConfiguration","authentication":{"anonymous":{"enabled":false}},"readOnlyPort":0}"#,
        )
        .unwrap();
        std::fs::write(
            at("/etc/kubernetes/kubelet/config.json.d/40-nodeadm.conf"),
            r#"{"readOnlyPort":10255}"#,
        )
        .unwrap();
        std::fs::write(at("/var/lib/kubelet/kubeconfig"), "apiVersion: v1").unwrap();
        std::fs::set_permissions(
            at("/var/lib/kubelet/kubeconfig"),
            std::fs::Permissions::from_mode(0o666),
        )
        .unwrap();
        let (inventory, selected) = inspect(root.path(), None, None).unwrap();
        let node = &inventory.clusters[0]
            .kubernetes
            .got()
            .unwrap()
            .nodes
            .got()
            .unwrap()[0];
        assert_eq!(node.name, "ip-10-0-1-23");
        assert_eq!(
            node.kubelet.got().unwrap().effective().read_only_port.value,
            10255
        );
        let files = node.files.got().unwrap();
        assert_eq!(files[0].mode, Some(0o666));
        assert!(selected.iter().all(|c| c.id.starts_with("kubelet-")));
        assert!(!selected.iter().any(|c| c.id == "kubelet-hostname-override"));
    }

    #[test]
    fn a_bottlerocket_yaml_config_is_read() {
        let root = tempfile::tempdir().unwrap();
        let at = |p: &str| under(root.path(), p);
        std::fs::create_dir_all(at("/etc/kubernetes/kubelet")).unwrap();
        std::fs::write(
            at("/etc/os-release"),
            "PRETTY_NAME=\"Bottlerocket OS 1.26.2 (aws-k8s-1.31)\"\n",
        )
        .unwrap();
        std::fs::write(
            at("/etc/kubernetes/kubelet/config"),
            "kind: KubeletConfiguration\nauthentication:\n  anonymous:\n    enabled: true\nprotectKernelDefaults: true\n",
        )
        .unwrap();
        let (inventory, _) = inspect(root.path(), None, Some("br-1".into())).unwrap();
        let node = &inventory.clusters[0]
            .kubernetes
            .got()
            .unwrap()
            .nodes
            .got()
            .unwrap()[0];
        assert!(node.kubelet.got().unwrap().effective().anonymous_auth.value);
        assert_eq!(
            node.files.got().unwrap()[0].mode,
            None,
            "no kubeconfig in this root"
        );
    }

    #[test]
    fn a_missing_config_says_which_file() {
        let root = tempfile::tempdir().unwrap();
        let err = inspect(root.path(), None, None).unwrap_err();
        assert!(err.0.contains("kubelet-config.json"), "{}", err.0);
    }
}
