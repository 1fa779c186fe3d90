//! The demo snapshot embedded in the binary: a realistic cluster mixing passes and failures, so
//! `sek scan --demo` shows what sek does without an AWS account.

use crate::inventory::k8s::KubernetesBuilder;
use crate::inventory::{Inventory, Read};

/// The demo snapshot, as shipped in `testdata/demo-snapshot.json`.
pub const DEMO_SNAPSHOT: &str = include_str!("../../../testdata/demo-snapshot.json");

/// The demo cluster's Kubernetes side, as `kubectl get ... -o json` exports it (a fixture the
/// tests share).
pub const DEMO_KUBERNETES: &str = include_str!("../../../testdata/k8s/demo-prod.json");

/// What the demo nodes' kubelets report through configz, by node name.
pub const DEMO_CONFIGZ: &str = include_str!("../../../testdata/k8s/demo-prod-configz.json");

/// The parsed demo inventory, its Kubernetes side built from [`DEMO_KUBERNETES`] as an export
/// would be.
pub fn inventory() -> Inventory {
    let mut inventory =
        Inventory::from_json(DEMO_SNAPSHOT).expect("the embedded demo snapshot is valid");
    let mut builder = KubernetesBuilder::new("demo export testdata/k8s/demo-prod.json");
    builder.access(crate::inventory::k8s::KubernetesAccess {
        method: crate::inventory::k8s::AccessMethod::Files,
        server: Some("the demo's export, testdata/k8s/demo-prod.json".into()),
        identity: None,
        context: None,
    });
    let export: serde_json::Value =
        serde_json::from_str(DEMO_KUBERNETES).expect("the embedded demo export is JSON");
    builder
        .add_document(export, None)
        .expect("the embedded demo export is valid");
    let configz: serde_json::Value =
        serde_json::from_str(DEMO_CONFIGZ).expect("the embedded demo configz is JSON");
    builder
        .add_configz_map(&configz)
        .expect("the embedded demo configz is valid");
    if let Some(cluster) = inventory.clusters.first_mut() {
        cluster.kubernetes = Read::Got(builder.finish("not in the demo export"));
    }
    inventory
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::Status;
    use crate::config::Config;
    use crate::evaluate::{Selection, evaluate};

    #[test]
    fn demo_mixes_passes_failures_and_not_applicable() {
        let report = evaluate(&inventory(), &Config::default(), &Selection::default());
        let statuses: Vec<Status> = report
            .clusters
            .iter()
            .flat_map(|c| c.results.iter().map(|r| r.status))
            .collect();
        for status in [Status::Pass, Status::Fail] {
            assert!(statuses.contains(&status), "demo has no {status}");
        }
        let errors: Vec<String> = report
            .clusters
            .iter()
            .flat_map(|c| c.results.iter())
            .flat_map(|r| r.findings.iter().map(move |f| (r.check.id, f)))
            .filter(|(_, f)| f.status == Status::Error)
            .map(|(id, f)| format!("{id}: {}", f.message))
            .collect();
        assert!(
            errors.is_empty(),
            "the demo should be fully collected: {errors:#?}"
        );
    }
}
