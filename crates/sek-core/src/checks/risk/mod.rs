//! Risk paths: findings joined over one workload, each naming every link with its evidence.
//! A path exists only when every link does: reachable from the Internet (see
//! [`exposure`](crate::checks::shared::exposure)) and then a known vulnerability
//! (`risk-exposed-vulnerable`) or a powerful identity (`risk-exposed-powerful`).
//!
//! Risk checks come first in the registry, so every report lists them first.

pub mod exposed_powerful;
pub mod exposed_vulnerable;

use serde_json::{Value, json};

use crate::checks::shared::exposure::{Entry, entries};
use crate::checks::shared::k8s::kubernetes;
use crate::checks::{Ctx, Finding, Status};
use crate::inventory::Missing;
use crate::inventory::k8s::Workload;

/// One link of a path.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Link {
    /// What kind of link: `internet`, `workload`, `vulnerability`, `identity`.
    pub kind: &'static str,
    /// What it is, in words.
    pub what: String,
    /// The facts it rests on.
    pub evidence: Value,
}

impl Link {
    fn from_entry(entry: Entry) -> Link {
        Link {
            kind: "internet",
            what: format!("{} ({})", entry.via, entry.why),
            evidence: entry.evidence,
        }
    }
}

/// The failing finding of a path through `workload`: `entries`, the workload, then `tail`.
pub(crate) fn path_finding(
    workload: &Workload,
    entries: &[Entry],
    tail: Vec<Link>,
    what: &str,
) -> Finding {
    let mut links: Vec<Link> = entries.iter().cloned().map(Link::from_entry).collect();
    links.push(Link {
        kind: "workload",
        what: format!(
            "{} {}/{}",
            workload.kind, workload.metadata.namespace, workload.metadata.name
        ),
        evidence: json!({ "pods": workload.pods, "service_account": workload.spec.service_account() }),
    });
    links.extend(tail);
    let message = format!(
        "reachable from the Internet and {what}: Internet → {}",
        links
            .iter()
            .map(|l| l.what.as_str())
            .collect::<Vec<_>>()
            .join(" → ")
    );
    let path: Vec<Value> = links
        .iter()
        .map(|l| json!({ "link": l.kind, "what": l.what, "evidence": l.evidence }))
        .collect();
    Finding::fail(workload.reference(), message).with_evidence(json!({ "path": path }))
}

/// The workloads reachable from the Internet, with their ways in.
pub(crate) fn exposed<'a>(ctx: &Ctx<'a>) -> Result<Vec<(&'a Workload, Vec<Entry>)>, Missing> {
    let view = kubernetes(ctx)?;
    let mut found = Vec::new();
    for workload in view.workloads()? {
        let ways_in = entries(view, workload)?;
        if !ways_in.is_empty() {
            found.push((*workload, ways_in));
        }
    }
    Ok(found)
}

/// The end of a risk evaluation: the paths found and the workloads that could not be judged,
/// else one pass that says what was looked at.
pub(crate) fn conclude(
    ctx: &Ctx<'_>,
    findings: Vec<Finding>,
    exposed: usize,
    what: &str,
) -> Vec<Finding> {
    if !findings.is_empty() {
        return findings;
    }
    let message = if exposed == 0 {
        "no workload is reachable from the Internet through a LoadBalancer Service or an ALB Ingress"
            .to_string()
    } else {
        format!("none of the {exposed} workloads reachable from the Internet {what}")
    };
    vec![Finding::new(Status::Pass, ctx.inventory.arn(), message)]
}
