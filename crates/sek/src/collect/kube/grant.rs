//! What a failed Kubernetes read means for the person running sek, and what to do about it:
//! the identity that was refused and the exact commands an administrator runs to grant sek read
//! access (sek prints them, it never runs them), or why the endpoint could not be reached from
//! here and where to run sek instead.

use http::StatusCode;
use sek_core::docs::grant_commands;
use sek_core::inventory::k8s::resources::Resource;
use sek_core::inventory::k8s::{AccessMethod, KubernetesAccess};
use sek_core::inventory::{ClusterInventory, CollectError, ErrorKind};

use super::ReadError;

/// The read that stands for "the Kubernetes API could be reached at all".
pub const CONNECT: &str = "k8s:connect";

/// The failure of a cluster whose API did not answer the first request: what happened, and
/// what to do about it.
pub fn explain_probe_failure(
    kind: ErrorKind,
    message: &str,
    status: Option<StatusCode>,
    access: &KubernetesAccess,
    cluster: &ClusterInventory,
) -> CollectError {
    let server = access.server.as_deref().unwrap_or("the API server");
    let failure = |kind, message: String| CollectError::new(CONNECT, vec![], kind, message);
    match (status.map(|s| s.as_u16()), access.method) {
        (Some(401), AccessMethod::EksToken) => {
            let principal = access
                .identity
                .as_deref()
                .unwrap_or("the IAM principal sek runs as");
            failure(
                ErrorKind::AccessDenied,
                format!(
                    "the API server rejected sek's EKS token for {principal} (401 Unauthorized): that \
principal has no access entry (or aws-auth mapping) on cluster {} (or this machine's clock is more \
than 15 minutes off)",
                    cluster.name
                ),
            )
            .with_help(format!(
                "An administrator grants sek read access with:\n{}",
                grant_commands(
                    &cluster.name,
                    &cluster.region,
                    principal,
                    authentication_mode(cluster)
                )
            ))
        }
        (Some(401), AccessMethod::Kubeconfig) => failure(
            ErrorKind::AccessDenied,
            format!(
                "the API server rejected the credentials of kubeconfig context {} (401 Unauthorized: \
{message})",
                access.context.as_deref().unwrap_or("?")
            ),
        )
        .with_help(
            "refresh them (e.g. `aws sso login`), or let sek authenticate with its AWS credentials \
(--kube-auth eks)",
        ),
        (Some(401), _) => failure(
            ErrorKind::AccessDenied,
            format!("the API server rejected the credentials (401 Unauthorized: {message})"),
        ),
        (Some(403), _) => failure(
            ErrorKind::AccessDenied,
            format!(
                "{} may not read {server} at all ({message})",
                access.identity.as_deref().unwrap_or("sek's identity")
            ),
        )
        .with_help(
            "bind sek's identity to its ClusterRole: `sek checks permissions --kubernetes | kubectl \
apply -f -`",
        ),
        (Some(_), _) => failure(kind, format!("{server} answered {message}")),
        // A certificate the CA does not vouch for is not a question of where sek runs.
        (None, _) if message.starts_with("TLS:") => failure(kind, format!("{server}: {message}")),
        (None, _) => {
            let unreachable = failure(kind, format!("cannot reach {server}: {message}"));
            match reachability_hint(cluster) {
                Some(hint) => unreachable.with_help(hint),
                None => unreachable,
            }
        }
    }
}

/// The cluster's authentication mode (`API`, `API_AND_CONFIG_MAP`, `CONFIG_MAP`), when known.
fn authentication_mode(cluster: &ClusterInventory) -> Option<&str> {
    cluster
        .cluster
        .got()?
        .access_config
        .as_ref()?
        .authentication_mode
        .as_deref()
}

/// Why an endpoint may be out of reach from where sek runs, from the cluster's endpoint access.
fn reachability_hint(cluster: &ClusterInventory) -> Option<String> {
    let vpc = &cluster.cluster.got()?.vpc;
    let run_inside = "run sek inside the cluster's VPC (or a network routed to it), e.g. as the \
Kubernetes Job in docs/fleet.md (\"Private endpoints\")";
    if vpc.endpoint_public_access == Some(false) {
        return Some(format!(
            "The cluster's API endpoint is private (public access is off), so it is reachable only \
from inside its VPC: {run_inside}."
        ));
    }
    let open = vpc.public_access_cidrs.is_empty()
        || vpc
            .public_access_cidrs
            .iter()
            .any(|c| c == "0.0.0.0/0" || c == "::/0");
    (!open).then(|| {
        format!(
            "The public endpoint accepts only {}: run sek from an address in them, or {run_inside}.",
            vpc.public_access_cidrs.join(", ")
        )
    })
}

/// The message for a kind that could not be listed.
pub fn explain_read_failure(
    message: &str,
    status: Option<StatusCode>,
    resource: &Resource,
    access: &KubernetesAccess,
) -> String {
    if status == Some(StatusCode::FORBIDDEN) {
        format!(
            "{message}; grant `list` on {} to {} (sek's ClusterRole: `sek checks permissions \
--kubernetes`)",
            resource.plural,
            access.identity.as_deref().unwrap_or("sek's identity")
        )
    } else {
        message.to_string()
    }
}

/// A kubelet read that failed. A 403 in the API server's own words is sek's missing `get` on
/// `nodes/proxy`; any other refusal was the kubelet's (it does not authorize the API server),
/// which no permission of sek's can fix.
pub(super) fn kubelet_failure(err: ReadError) -> ReadError {
    let rbac_denial = err.message.contains("is forbidden: User");
    match err.status.map(|s| s.as_u16()) {
        Some(401 | 403) if !rbac_denial => ReadError {
            kind: ErrorKind::Other,
            message: format!(
                "the kubelet refused the API server ({}): the node's kubelet does not authorize \
the API server's client certificate; this is the node's configuration, not sek's permissions",
                err.message
            ),
            status: err.status,
        },
        Some(502 | 503) => ReadError {
            message: format!(
                "the API server could not reach the kubelet: {}",
                err.message
            ),
            ..err
        },
        _ => err,
    }
}

#[cfg(test)]
mod tests {
    use sek_core::inventory::EksCluster;

    use super::*;
    use sek_core::inventory::Read;

    fn cluster(public: Option<bool>, cidrs: &[&str]) -> ClusterInventory {
        let mut cluster = ClusterInventory::new("prod", "eu-west-1");
        let mut control_plane = EksCluster::default();
        control_plane.vpc.endpoint_public_access = public;
        control_plane.vpc.public_access_cidrs = cidrs.iter().map(|c| c.to_string()).collect();
        cluster.cluster = Read::Got(control_plane);
        cluster
    }

    fn eks_access() -> KubernetesAccess {
        KubernetesAccess {
            method: AccessMethod::EksToken,
            server: Some("https://ABC.gr7.eu-west-1.eks.amazonaws.com".into()),
            identity: Some("arn:aws:iam::111122223333:role/sek-audit".into()),
            context: None,
        }
    }

    #[test]
    fn a_rejected_eks_token_names_the_principal_and_the_grant() {
        let failure = explain_probe_failure(
            ErrorKind::AccessDenied,
            "401 Unauthorized: Unauthorized",
            Some(StatusCode::UNAUTHORIZED),
            &eks_access(),
            &cluster(Some(true), &[]),
        );
        assert_eq!(failure.api, CONNECT);
        assert_eq!(failure.kind, ErrorKind::AccessDenied);
        assert!(
            failure
                .message
                .contains("arn:aws:iam::111122223333:role/sek-audit"),
            "{}",
            failure.message
        );
        let help = failure.help.unwrap();
        assert!(
            help.contains("aws eks create-access-entry --cluster-name prod --region eu-west-1 --principal-arn arn:aws:iam::111122223333:role/sek-audit --kubernetes-groups sek-readers"),
            "{help}"
        );
        assert!(
            help.contains("sek checks permissions --kubernetes | kubectl apply -f -"),
            "{help}"
        );
    }

    #[test]
    fn an_unreachable_endpoint_says_where_sek_must_run() {
        let help = |public, cidrs: &[&str]| {
            explain_probe_failure(
                ErrorKind::Timeout,
                "timed out",
                None,
                &eks_access(),
                &cluster(public, cidrs),
            )
            .help
            .unwrap_or_default()
        };
        let private = help(Some(false), &[]);
        assert!(
            private.contains("private") && private.contains("docs/fleet.md"),
            "{private}"
        );
        let fenced = help(Some(true), &["203.0.113.0/24"]);
        assert!(fenced.contains("accepts only 203.0.113.0/24"), "{fenced}");
        assert_eq!(help(Some(true), &["0.0.0.0/0"]), "");
        // A certificate problem is not about where sek runs.
        let tls = explain_probe_failure(
            ErrorKind::Network,
            "TLS: the API server's certificate is not trusted",
            None,
            &eks_access(),
            &cluster(Some(false), &[]),
        );
        assert_eq!(tls.help, None);
    }

    #[test]
    fn a_kubelet_refusal_is_not_mistaken_for_a_missing_permission() {
        let kubelet = kubelet_failure(ReadError {
            kind: ErrorKind::AccessDenied,
            message: "403 Forbidden: Forbidden (user=kube-apiserver-kubelet-client, verb=get, resource=nodes, subresource=proxy)".into(),
            status: Some(StatusCode::FORBIDDEN),
        });
        assert_eq!(kubelet.kind, ErrorKind::Other);
        assert!(kubelet.message.contains("not sek's permissions"));
        let rbac = kubelet_failure(ReadError {
            kind: ErrorKind::AccessDenied,
            message: "403 Forbidden: nodes \"n\" is forbidden: User \"sek\" cannot get resource \"nodes/proxy\"".into(),
            status: Some(StatusCode::FORBIDDEN),
        });
        assert_eq!(rbac.kind, ErrorKind::AccessDenied);
    }
}
