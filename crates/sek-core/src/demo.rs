//! The demo snapshot embedded in the binary: a realistic cluster mixing passes and failures, so
//! `sek scan --demo` shows what sek does without an AWS account.

use crate::inventory::Inventory;

/// The demo snapshot, as shipped in `testdata/demo-snapshot.json`.
pub const DEMO_SNAPSHOT: &str = include_str!("../../../testdata/demo-snapshot.json");

/// The parsed demo inventory.
pub fn inventory() -> Inventory {
    Inventory::from_json(DEMO_SNAPSHOT).expect("the embedded demo snapshot is valid")
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
        assert!(
            !statuses.contains(&Status::Error),
            "the demo should be fully collected"
        );
    }
}
