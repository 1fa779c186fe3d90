//! A generated test over every read the inventory records: whatever sek could not read, or did
//! not read, no check may pass because of it.
//!
//! The test does not list the fields: it finds them. It walks the JSON of the demo inventory
//! (every side: AWS, Kubernetes, kubelets) and of a moto cluster where most checks fail, and, at
//! each field, tries what a failed read writes in a
//! snapshot (`{"failed_read": ...}` for a value, `{"items": [], "failed": [...]}` for a listing).
//! Fields that take it are reads; for each, it evaluates the inventory with that read failed and
//! with it not collected (the key deleted) and compares with the full inventory: no finding may be
//! `pass` that was not `pass` before, or pass saying something else (a pass that stands on the
//! missing read), and a failure must be reported. A field added to the inventory as a `Read` is
//! covered the day it is added.

use std::collections::{BTreeSet, HashSet};

use serde_json::{Value, json};

use crate::config::Config;
use crate::evaluate::{Selection, evaluate};
use crate::inventory::Inventory;
use crate::report::Report;

/// Checks that pass on either of two reads, and so rightly pass, saying why, when one of them is
/// missing: `(check, read)`.
const SUFFICIENT_ALTERNATIVES: &[(&str, &str)] = &[
    // IRSA (an OIDC provider) or Pod Identity (the agent add-on): either gives pods credentials.
    ("iam-oidc-provider", "/accounts/0/oidc_providers"),
];

/// The message the test's failures carry, to find them in the report.
const MARKER: &str = "unread-never-passes marker";

fn failure() -> Value {
    json!({"api": "test:Read", "kind": "access-denied", "message": MARKER})
}

/// The report on `inventory`, as `sek scan` makes it.
fn report(inventory: &Inventory) -> Report {
    evaluate(inventory, &Config::default(), &Selection::default())
}

/// Every finding that passed: `(check, resource, message)`. (Not the evidence: a pass on a
/// sufficient alternative, say Pod Identity instead of an OIDC provider, shows the unread one as
/// unknown in its evidence and rightly passes.)
fn passes(report: &Report) -> BTreeSet<(String, String, String)> {
    report
        .clusters
        .iter()
        .flat_map(|cluster| &cluster.results)
        .flat_map(|result| {
            result
                .findings
                .iter()
                .filter(|finding| finding.status == crate::checks::Status::Pass)
                .map(move |finding| {
                    let message = finding.message.clone();
                    (
                        result.check.id.to_string(),
                        finding.resource.clone(),
                        message,
                    )
                })
        })
        .collect()
}

/// Whether the evaluated report shows the marker failure (as a collection error or, for a
/// node's kubelet, in the findings about the node).
fn reports_the_failure(report: &Report) -> bool {
    report.clusters.iter().any(|cluster| {
        let listed = cluster
            .collection_errors
            .iter()
            .any(|error| error.message == MARKER);
        let in_findings = cluster
            .results
            .iter()
            .flat_map(|result| &result.findings)
            .any(|finding| finding.message.contains(MARKER));
        listed || in_findings
    })
}

/// Every field's JSON pointer, with the pointer's shape (array indices as `*`); each shape once,
/// at its first occurrence.
fn fields(value: &Value, pointer: &str, shape: &str, seen: &mut HashSet<String>) -> Vec<String> {
    let mut out = Vec::new();
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                let escaped = key.replace('~', "~0").replace('/', "~1");
                let child_pointer = format!("{pointer}/{escaped}");
                // Map keys that are data (tags, labels, node names) are not fields.
                let child_shape = format!("{shape}/{escaped}");
                if seen.insert(child_shape.clone()) {
                    out.push(child_pointer.clone());
                }
                out.extend(fields(child, &child_pointer, &child_shape, seen));
            }
        }
        Value::Array(items) => {
            for (index, child) in items.iter().enumerate() {
                out.extend(fields(
                    child,
                    &format!("{pointer}/{index}"),
                    &format!("{shape}/*"),
                    seen,
                ));
            }
        }
        _ => {}
    }
    out
}

/// The inventory with the field at `pointer` replaced (or deleted, for `None`), if it still reads
/// and the replacement survives a round trip at that place (a `Value` field would take anything).
fn with_field(tree: &Value, pointer: &str, replacement: Option<Value>) -> Option<Inventory> {
    let (parent, key) = pointer.rsplit_once('/')?;
    let key = key.replace("~1", "/").replace("~0", "~");
    let mut tree = tree.clone();
    let object = tree.pointer_mut(parent)?.as_object_mut()?;
    match &replacement {
        Some(value) => {
            object.insert(key, value.clone());
        }
        None => {
            object.remove(&key);
        }
    }
    let inventory = Inventory::from_json(&tree.to_string()).ok()?;
    let round_trip: Value = serde_json::from_str(&inventory.to_json()).ok()?;
    let kept = round_trip.pointer(pointer);
    let survived = match &replacement {
        Some(value) => kept == Some(value),
        None => kept.is_none() || kept == Some(&Value::Null),
    };
    survived.then_some(inventory)
}

/// Every read found in `inventory`, and every way its absence changed a pass.
fn walk(inventory: &Inventory) -> (Vec<String>, Vec<String>) {
    let baseline = passes(&report(inventory));
    let tree: Value = serde_json::from_str(&inventory.to_json()).unwrap();
    let mut seen = HashSet::new();
    let mut reads = Vec::new();
    let mut problems = Vec::new();
    let mut free_form: Vec<String> = Vec::new();
    for pointer in fields(&tree, "", "", &mut seen) {
        // Fields that take any JSON (policy documents, raw values) are data, not reads.
        if free_form
            .iter()
            .any(|prefix| pointer.starts_with(prefix.as_str()))
        {
            continue;
        }
        if with_field(&tree, &pointer, Some(json!({ "not_a_read": true }))).is_some() {
            free_form.push(format!("{pointer}/"));
            continue;
        }
        let failed_read = json!({ "failed_read": failure() });
        let failed_listing = json!({ "items": [], "failed": [failure()] });
        let failed = [failed_read, failed_listing]
            .into_iter()
            .find_map(|replacement| with_field(&tree, &pointer, Some(replacement)));
        let Some(failed) = failed else { continue };
        reads.push(pointer.clone());
        let failed = report(&failed);
        if !reports_the_failure(&failed) {
            problems.push(format!(
                "{pointer}: failed, but the failure is not reported"
            ));
        }
        let not_collected = with_field(&tree, &pointer, None).map(|inventory| report(&inventory));
        for (how, report) in [("failed", Some(failed)), ("not collected", not_collected)] {
            let Some(report) = report else { continue };
            // A pass that is new, or that says something else than with the read, stands on
            // what was not read.
            for (check, resource, message) in passes(&report).difference(&baseline) {
                if SUFFICIENT_ALTERNATIVES.contains(&(check.as_str(), pointer.as_str())) {
                    continue;
                }
                problems.push(format!(
                    "{pointer} {how}: {check} passes on {resource}: {message}"
                ));
            }
        }
    }
    (reads, problems)
}

#[test]
fn no_check_passes_on_what_was_not_read_in_the_demo() {
    let inventory = crate::demo::inventory();
    assert!(
        passes(&report(&inventory)).len() > 100,
        "the demo passes many checks"
    );
    let (reads, problems) = walk(&inventory);
    // The walk found the reads of every side (a broken walk would find none and pass).
    for expected in [
        "/clusters/0/volumes",
        "/clusters/0/kubernetes",
        "/clusters/0/kubernetes/role_bindings",
        "/clusters/0/kubernetes/nodes/0/kubelet",
        "/clusters/0/roles/0/attached_policies",
        "/regions/0/trails/0/selectors",
        "/regions/0/guardduty",
    ] {
        assert!(
            reads.iter().any(|read| read == expected),
            "{expected} not found in {reads:#?}"
        );
    }
    assert!(
        problems.is_empty(),
        "{} reads:\n{}",
        reads.len(),
        problems.join("\n")
    );
}

/// The same over a cluster read from moto where most checks fail (a fail turned pass shows here).
#[test]
fn no_check_passes_on_what_was_not_read_in_an_insecure_cluster() {
    let snapshot = include_str!("../../../testdata/schema-v2/moto-insecure.json");
    let inventory = Inventory::from_json(snapshot).unwrap();
    let (reads, problems) = walk(&inventory);
    assert!(reads.len() > 30, "{reads:#?}");
    assert!(
        problems.is_empty(),
        "{} reads:\n{}",
        reads.len(),
        problems.join("\n")
    );
}
