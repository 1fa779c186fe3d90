//! The Kubernetes side from exported files: `kubectl get <kind> -A -o json` output (List
//! objects or single objects), one file or a directory of `*.json` files, so air-gapped users
//! can scan what they exported. `scripts/k8s-export.sh` writes one file per kind, named after
//! the kind (`networkpolicies.json`), which also tells sek what an empty list was a list of.

use std::path::Path;

use sek_core::inventory::k8s::KubernetesInventory;
use sek_core::inventory::k8s::{KubernetesBuilder, resources};

/// Why the export could not be read.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {reason}")]
pub struct ExportError {
    /// The file or directory.
    pub path: String,
    /// What is wrong with it.
    pub reason: String,
}

/// Read an export; also returns the kinds that were present but are never read (Secrets...).
pub fn read_export(path: &Path) -> Result<(KubernetesInventory, Vec<String>), ExportError> {
    let error = |path: &Path, reason: String| ExportError {
        path: path.display().to_string(),
        reason,
    };
    let files = if path.is_dir() {
        let mut files: Vec<_> = std::fs::read_dir(path)
            .map_err(|e| error(path, e.to_string()))?
            .flatten()
            .map(|entry| entry.path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        files.sort();
        if files.is_empty() {
            return Err(error(
                path,
                "holds no .json file (export with scripts/k8s-export.sh, or `kubectl get ... -o json`)".into(),
            ));
        }
        files
    } else {
        vec![path.to_path_buf()]
    };
    let mut builder = KubernetesBuilder::new(format!("exported files in {}", path.display()));
    builder.access(sek_core::inventory::k8s::KubernetesAccess {
        method: sek_core::inventory::k8s::AccessMethod::Files,
        server: Some(path.display().to_string()),
        identity: None,
        context: None,
    });
    let mut configz = None;
    for file in &files {
        let text = std::fs::read_to_string(file).map_err(|e| error(file, e.to_string()))?;
        if file.file_name().is_some_and(|n| n == "configz.json") {
            // The kubelets' configurations, {"<node>": <configz>}, once the nodes are known.
            configz = Some((file, text));
            continue;
        }
        let document: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
            error(
                file,
                format!(
                    "not JSON ({e}); export with `kubectl get <kind> -A -o json` (YAML is not read)"
                ),
            )
        })?;
        let stem = file.file_stem().and_then(|s| s.to_str()).unwrap_or("");
        builder
            .add_document(document, resources::by_plural(stem))
            .map_err(|reason| error(file, reason))?;
    }
    if let Some((file, text)) = configz {
        let map: serde_json::Value =
            serde_json::from_str(&text).map_err(|e| error(file, format!("not JSON ({e})")))?;
        builder
            .add_configz_map(&map)
            .map_err(|reason| error(file, reason))?;
    }
    let ignored = builder.ignored_kinds().map(str::to_string).collect();
    let inventory = builder.finish(&format!(
        "not in the export {}: add it with `kubectl get {{resource}} -A -o json > {{resource}}.json`",
        path.display()
    ));
    Ok((inventory, ignored))
}

#[cfg(test)]
mod tests {
    use super::*;
    use sek_core::inventory::Read;

    #[test]
    fn an_empty_list_is_known_by_its_file_name_and_missing_kinds_are_failed_reads() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("networkpolicies.json"),
            r#"{"apiVersion":"v1","kind":"List","items":[]}"#,
        )
        .unwrap();
        let (k8s, ignored) = read_export(dir.path()).unwrap();
        assert_eq!(k8s.network_policies, Read::Got(vec![]));
        assert!(ignored.is_empty());
        let missing = k8s.workloads().unwrap_err();
        let pods = missing.cause().unwrap();
        assert_eq!(pods.api, resources::PODS.need);
        assert!(
            pods.message.contains("kubectl get pods -A -o json"),
            "{}",
            pods.message
        );
    }

    #[test]
    fn bad_json_names_the_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("pods.json"), "apiVersion: v1").unwrap();
        let err = read_export(dir.path()).unwrap_err();
        assert!(err.path.ends_with("pods.json"));
        assert!(err.reason.contains("YAML is not read"), "{}", err.reason);
    }
}
