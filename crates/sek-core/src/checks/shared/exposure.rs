//! Whether a workload is reachable from the Internet: a LoadBalancer Service that is
//! internet-facing and admits any address, selecting its pods; or an internet-facing ALB
//! Ingress (AWS Load Balancer Controller or EKS Auto Mode) that routes to such a Service.
//!
//! Load balancer schemes, as AWS implements them: the in-tree controller makes internet-facing
//! load balancers unless `service.beta.kubernetes.io/aws-load-balancer-internal` says otherwise;
//! the AWS Load Balancer Controller and Auto Mode (a `loadBalancerClass`, or the `external` and
//! `nlb-ip` types) make internal ones unless `aws-load-balancer-scheme: internet-facing`; ALB
//! Ingresses are internal unless `alb.ingress.kubernetes.io/scheme: internet-facing`. Ingresses
//! of other classes (NGINX...) are reached through their controller's own Service, which is
//! judged as any Service. Not seen: a scheme set only in an `IngressClassParams` (not read), and
//! NodePort Services behind load balancers sek does not know of; such entries are missed, so a
//! passing risk check means "no path through what sek reads", which its message says.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::net::is_open_to_world;
use crate::inventory::Missing;
use crate::inventory::k8s::{Ingress, KubernetesView, Service, Workload};

const SCHEME: &str = "service.beta.kubernetes.io/aws-load-balancer-scheme";
const INTERNAL: &str = "service.beta.kubernetes.io/aws-load-balancer-internal";
const LB_TYPE: &str = "service.beta.kubernetes.io/aws-load-balancer-type";
const SOURCE_RANGES: &str = "service.beta.kubernetes.io/load-balancer-source-ranges";
const ALB_SCHEME: &str = "alb.ingress.kubernetes.io/scheme";
const ALB_CIDRS: &str = "alb.ingress.kubernetes.io/inbound-cidrs";
/// Load balancer classes whose controllers default to internal load balancers.
const CONTROLLER_CLASSES: &[&str] = &["service.k8s.aws/nlb", "eks.amazonaws.com/nlb"];

/// One way in from the Internet.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Entry {
    /// `Service web/api` or `Ingress web/shop`.
    pub via: String,
    /// Why it is reachable, in words.
    pub why: String,
    /// The facts it rests on.
    pub evidence: Value,
}

/// Who may connect: `None` when only some CIDRs may (a restriction), else the open ones.
fn open_sources(ranges: &[String]) -> Option<String> {
    if ranges.is_empty() {
        return Some("any address".into());
    }
    let open: Vec<&str> = ranges
        .iter()
        .map(String::as_str)
        .filter(|r| is_open_to_world(r))
        .collect();
    (!open.is_empty()).then(|| open.join(", "))
}

fn split_list(value: Option<&String>) -> Vec<String> {
    value
        .map(|v| {
            v.split(',')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect()
        })
        .unwrap_or_default()
}

/// Whether `service` is an internet-facing load balancer open to any address, and why.
pub(crate) fn internet_facing_service(service: &Service) -> Option<Entry> {
    if service.spec.kind.as_deref() != Some("LoadBalancer") {
        return None;
    }
    let annotations = &service.metadata.annotations;
    let by_controller = service
        .spec
        .load_balancer_class
        .as_deref()
        .is_some_and(|c| CONTROLLER_CLASSES.contains(&c))
        || matches!(
            annotations.get(LB_TYPE).map(String::as_str),
            Some("external" | "nlb-ip")
        );
    let facing = match annotations.get(SCHEME).map(String::as_str) {
        Some(scheme) => scheme == "internet-facing",
        None if by_controller => false,
        None => !annotations
            .get(INTERNAL)
            .is_some_and(|v| v == "true" || v == "0.0.0.0/0"),
    };
    if !facing {
        return None;
    }
    let mut ranges = service.spec.load_balancer_source_ranges.clone();
    ranges.extend(split_list(annotations.get(SOURCE_RANGES)));
    let sources = open_sources(&ranges)?;
    let ports: Vec<i32> = service.spec.ports.iter().map(|p| p.port).collect();
    Some(Entry {
        via: format!(
            "Service {}/{}",
            service.metadata.namespace, service.metadata.name
        ),
        why: format!(
            "internet-facing load balancer on port{} {} open to {sources}",
            if ports.len() == 1 { "" } else { "s" },
            ports
                .iter()
                .map(i32::to_string)
                .collect::<Vec<_>>()
                .join(",")
        ),
        evidence: json!({ "ports": ports, "source_ranges": ranges, "annotations": annotations.iter().filter(|(k, _)| k.contains("load-balancer")).collect::<BTreeMap<_, _>>() }),
    })
}

/// Whether `ingress` is an internet-facing ALB open to any address, and why.
pub(crate) fn internet_facing_ingress(ingress: &Ingress) -> Option<Entry> {
    let annotations = &ingress.metadata.annotations;
    if annotations.get(ALB_SCHEME).map(String::as_str) != Some("internet-facing") {
        return None;
    }
    let sources = open_sources(&split_list(annotations.get(ALB_CIDRS)))?;
    Some(Entry {
        via: format!(
            "Ingress {}/{}",
            ingress.metadata.namespace, ingress.metadata.name
        ),
        why: format!("internet-facing ALB open to {sources}"),
        evidence: json!({ "scheme": "internet-facing", "inbound_cidrs": annotations.get(ALB_CIDRS) }),
    })
}

/// The labels `workload`'s pods carry.
fn pod_labels(workload: &Workload) -> &BTreeMap<String, String> {
    if workload.kind == "Pod" {
        &workload.metadata.labels
    } else {
        &workload.pod_labels
    }
}

/// Whether `service` routes to `workload`'s pods (`None`: its selector was not recorded).
fn selects(service: &Service, workload: &Workload) -> Option<bool> {
    let selector = service.spec.selector.as_ref()?;
    let labels = pod_labels(workload);
    Some(
        service.metadata.namespace == workload.metadata.namespace
            && !selector.is_empty()
            && selector.iter().all(|(k, v)| labels.get(k) == Some(v)),
    )
}

/// Every way in from the Internet to `workload`, or what was not read to tell.
pub(crate) fn entries(
    view: &KubernetesView<'_>,
    workload: &Workload,
) -> Result<Vec<Entry>, Missing> {
    let services = view.inventory.services()?;
    let ingresses = view.inventory.ingresses()?;
    let mut found = Vec::new();
    for service in services {
        if !selects(service, workload).ok_or_else(|| unrecorded("the Services' selectors"))? {
            continue;
        }
        if let Some(entry) = internet_facing_service(service) {
            found.push(entry);
        }
        let name = &service.metadata.name;
        for ingress in ingresses
            .iter()
            .filter(|i| i.metadata.namespace == service.metadata.namespace)
        {
            let backends = ingress
                .backend_services()
                .ok_or_else(|| unrecorded("the Ingresses' rules"))?;
            if !backends.contains(&name.as_str()) {
                continue;
            }
            if let Some(mut entry) = internet_facing_ingress(ingress) {
                entry.why = format!("{}, routing to Service {name}", entry.why);
                found.push(entry);
            }
        }
    }
    Ok(found)
}

/// What a snapshot from an older sek did not record.
fn unrecorded(what: &str) -> Missing {
    Missing::new(what.to_string(), &[], crate::inventory::Why::NotCollected)
        .with_fix("were not recorded by the sek that made this snapshot: collect it again")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::k8s::{ObjectMeta, ServiceSpec};

    fn service(annotations: &[(&str, &str)], class: Option<&str>, ranges: &[&str]) -> Service {
        Service {
            metadata: ObjectMeta {
                name: "api".into(),
                namespace: "web".into(),
                annotations: annotations
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
                ..Default::default()
            },
            spec: ServiceSpec {
                kind: Some("LoadBalancer".into()),
                load_balancer_class: class.map(String::from),
                load_balancer_source_ranges: ranges.iter().map(|r| r.to_string()).collect(),
                selector: Some(BTreeMap::from([("app".into(), "api".into())])),
                ..Default::default()
            },
        }
    }

    #[test]
    fn load_balancer_schemes_follow_each_controllers_default() {
        // In-tree: internet-facing unless marked internal.
        assert!(internet_facing_service(&service(&[], None, &[])).is_some());
        assert!(internet_facing_service(&service(&[(INTERNAL, "true")], None, &[])).is_none());
        // The AWS Load Balancer Controller and Auto Mode: internal unless asked.
        assert!(internet_facing_service(&service(&[], Some("service.k8s.aws/nlb"), &[])).is_none());
        assert!(internet_facing_service(&service(&[(LB_TYPE, "external")], None, &[])).is_none());
        let public = service(
            &[(SCHEME, "internet-facing")],
            Some("eks.amazonaws.com/nlb"),
            &[],
        );
        assert!(internet_facing_service(&public).is_some());
    }

    #[test]
    fn source_ranges_restrict_unless_they_include_the_world() {
        assert!(internet_facing_service(&service(&[], None, &["10.0.0.0/8"])).is_none());
        let open =
            internet_facing_service(&service(&[], None, &["10.0.0.0/8", "0.0.0.0/0"])).unwrap();
        assert!(open.why.contains("open to 0.0.0.0/0"), "{}", open.why);
        assert!(
            internet_facing_service(&service(&[(SOURCE_RANGES, "203.0.113.0/24")], None, &[]))
                .is_none()
        );
    }

    #[test]
    fn a_selector_must_match_every_label_in_the_same_namespace() {
        let svc = service(&[], None, &[]);
        let mut workload = Workload {
            kind: "Deployment".into(),
            metadata: ObjectMeta {
                name: "api".into(),
                namespace: "web".into(),
                ..Default::default()
            },
            pod_labels: BTreeMap::from([
                ("app".into(), "api".into()),
                ("tier".into(), "web".into()),
            ]),
            ..Default::default()
        };
        assert_eq!(selects(&svc, &workload), Some(true));
        workload.metadata.namespace = "other".into();
        assert_eq!(selects(&svc, &workload), Some(false));
        let mut unrecorded = svc.clone();
        unrecorded.spec.selector = None;
        assert_eq!(selects(&unrecorded, &workload), None);
    }
}
