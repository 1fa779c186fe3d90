//! Every check, in report order, and what the registry derives from them: lookups by id, the
//! AWS actions and Kubernetes reads sek needs.

use super::*;
use crate::inventory::k8s::resources as k8s_resources;

/// Every check, in report order.
pub static ALL: &[&Check] = &[
    &risk::exposed_vulnerable::CHECK,
    &risk::exposed_powerful::CHECK,
    &service::logging::CHECK,
    &service::secrets::CHECK,
    &service::endpoint::CHECK,
    &service::endpoint_firewall::CHECK,
    &service::sgs::CHECK,
    &node::imds::CHECK,
    &node::volumes::CHECK,
    &node::sgs::CHECK,
    &node::private::CHECK,
    &node::role::CHECK,
    &service::version::CHECK,
    &service::health::CHECK,
    &service::insights::CHECK,
    &service::addon_versions::CHECK,
    &service::auth_mode::CHECK,
    &service::creator_admin::CHECK,
    &service::deletion_protection::CHECK,
    &service::role::CHECK,
    &access::entries_admin::CHECK,
    &service::secrets_key::CHECK,
    &service::log_retention::CHECK,
    &service::network_policy::CHECK,
    &service::sg_baseline::CHECK,
    &iam::oidc_provider::CHECK,
    &iam::irsa_trust::CHECK,
    &iam::pod_roles::CHECK,
    &node::ami::CHECK,
    &node::age::CHECK,
    &node::ssh::CHECK,
    &node::user_data_secrets::CHECK,
    &node::ebs_default::CHECK,
    &net::vpc_endpoints::CHECK,
    &ecr::scan::CHECK,
    &ecr::immutable_tags::CHECK,
    &ecr::lifecycle::CHECK,
    &ecr::kms::CHECK,
    &ecr::policy::CHECK,
    &vuln::images::CHECK,
    &vuln::nodes::CHECK,
    &image::age::CHECK,
    &image::signed::CHECK,
    &detect::cloudtrail::CHECK,
    &detect::guardduty::CHECK,
    &detect::inspector::CHECK,
    &detect::flow_logs::CHECK,
    &detect::eks_events::CHECK,
    &service::fargate::CHECK,
    &cluster::secrets_store::CHECK,
    &svc::lb_tls::CHECK,
    &svc::external_ips::CHECK,
    &rbac::cluster_admin::CHECK,
    &rbac::secrets::CHECK,
    &rbac::wildcards::CHECK,
    &rbac::create_pods::CHECK,
    &rbac::escalation::CHECK,
    &rbac::pv_create::CHECK,
    &rbac::node_proxy::CHECK,
    &rbac::webhooks::CHECK,
    &rbac::token_create::CHECK,
    &rbac::anonymous::CHECK,
    &rbac::system_masters::CHECK,
    &rbac::exec::CHECK,
    &rbac::csr_approve::CHECK,
    &rbac::broad_groups::CHECK,
    &rbac::aws_auth_edit::CHECK,
    &sa::default_used::CHECK,
    &sa::token_automount::CHECK,
    &sa::aws_node_irsa::CHECK,
    &pod::privileged::CHECK,
    &pod::host_pid::CHECK,
    &pod::host_ipc::CHECK,
    &pod::host_network::CHECK,
    &pod::privilege_escalation::CHECK,
    &pod::root::CHECK,
    &pod::capabilities::CHECK,
    &pod::host_path::CHECK,
    &pod::host_port::CHECK,
    &pod::runtime_socket::CHECK,
    &pod::seccomp::CHECK,
    &pod::readonly_rootfs::CHECK,
    &pod::resources::CHECK,
    &pod::image_registry::CHECK,
    &pod::image_tag::CHECK,
    &pod::secrets_env::CHECK,
    &pod::imds_access::CHECK,
    &ns::network_policy::CHECK,
    &ns::default_used::CHECK,
    &ns::pod_security::CHECK,
    &cluster::policy_engine::CHECK,
    &storage::encrypted::CHECK,
    &kubelet::anonymous_auth::CHECK,
    &kubelet::authz_mode::CHECK,
    &kubelet::client_ca::CHECK,
    &kubelet::read_only_port::CHECK,
    &kubelet::streaming_timeout::CHECK,
    &kubelet::iptables_chains::CHECK,
    &kubelet::hostname_override::CHECK,
    &kubelet::event_qps::CHECK,
    &kubelet::rotate_certs::CHECK,
    &kubelet::server_cert_rotation::CHECK,
    &kubelet::protect_kernel_defaults::CHECK,
    &kubelet::tls_ciphers::CHECK,
    &kubelet::pod_pids_limit::CHECK,
    &kubelet::seccomp_default::CHECK,
    &kubelet::files::CHECK,
    &kube_proxy::metrics::CHECK,
];

/// The check with this id or alias.
pub fn find(name: &str) -> Option<&'static Check> {
    ALL.iter().copied().find(|c| c.answers_to(name))
}

/// The known id closest to an unknown `name`, for "did you mean" hints.
pub fn closest_id(name: &str) -> Option<&'static str> {
    let ids = ALL
        .iter()
        .flat_map(|c| std::iter::once(c.id).chain(c.aliases.iter().copied()));
    closest(name, ids).map(|id| find(id).map_or(id, |c| c.id))
}

/// The candidate closest to `name`, when close enough to be a typo of it.
pub(crate) fn closest(
    name: &str,
    candidates: impl Iterator<Item = &'static str>,
) -> Option<&'static str> {
    candidates
        .map(|known| (strsim::levenshtein(name, known), known))
        .filter(|(distance, known)| *distance <= known.len().max(4) / 3 + 1)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, known)| known)
}

/// Calls the collector makes whatever checks run: the identity preflight, and the cluster list
/// used to suggest names when a cluster is not found.
pub const COLLECTOR_ACTIONS: &[&str] = &["sts:GetCallerIdentity", "eks:ListClusters"];

/// Every IAM action a scan uses: [`COLLECTOR_ACTIONS`] and each check's `needs`, sorted and
/// deduplicated. This is the minimal policy published in `docs/permissions.md`.
pub fn required_actions() -> Vec<&'static str> {
    ReadPlan::everything().actions()
}

/// Every Kubernetes read a scan uses (`k8s:list:pods`...): the RBAC rules of the read-only
/// ClusterRole published in `docs/permissions.md`.
pub fn required_kubernetes_reads() -> Vec<&'static k8s_resources::Resource> {
    ReadPlan::everything().kubernetes_reads()
}

/// The built-in exceptions of the Kubernetes checks, as a Markdown section.
pub fn built_in_exceptions() -> String {
    shared::k8s::exceptions_markdown()
}

#[cfg(test)]
mod registry_tests {
    //! Guards that replace reviewer memory: the registry stays consistent with the files, the
    //! catalogs and the metadata rules.

    use std::collections::BTreeSet;
    use std::path::Path;

    use super::*;
    use crate::inventory::Need;

    #[test]
    fn ids_are_unique_kebab_case_and_prefixed_by_their_area() {
        let mut seen = BTreeSet::new();
        for check in ALL {
            for name in std::iter::once(check.id).chain(check.aliases.iter().copied()) {
                assert!(seen.insert(name), "{name} is used twice");
                assert!(
                    name.chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                    "{name} is not kebab-case"
                );
            }
            assert!(
                check.id.starts_with(&format!("{}-", check.area.as_str())),
                "{} is not in area {:?}",
                check.id,
                check.area
            );
        }
    }

    #[test]
    fn every_check_file_is_registered() {
        let checks_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/checks");
        let mut defined = Vec::new();
        for area in std::fs::read_dir(&checks_dir)
            .unwrap()
            .flatten()
            .filter(|e| e.path().is_dir())
        {
            for file in std::fs::read_dir(area.path()).unwrap().flatten() {
                let text = std::fs::read_to_string(file.path()).unwrap();
                if text.contains("pub static CHECK: Check") {
                    let area_name = area.file_name().to_string_lossy().replace('_', "-");
                    let topic = file
                        .path()
                        .file_stem()
                        .unwrap()
                        .to_string_lossy()
                        .replace('_', "-");
                    defined.push(format!("{area_name}-{topic}"));
                }
            }
        }
        for id in &defined {
            assert!(
                find(id).is_some(),
                "src/checks defines {id} but ALL does not list it"
            );
        }
        assert_eq!(
            defined.len(),
            ALL.len(),
            "ALL lists a check without a file of its own name"
        );
    }

    #[test]
    fn every_reference_is_in_its_catalog_and_every_check_maps_to_nist() {
        for check in ALL {
            assert!(!check.refs.is_empty(), "{} has no references", check.id);
            for r in check.refs {
                assert!(
                    r.framework.requirement(r.id).is_some(),
                    "{}: {:?} {} is not in the catalog",
                    check.id,
                    r.framework,
                    r.id
                );
            }
            assert!(
                !check.refs_for(Framework::NistCsf1_1).is_empty(),
                "{} maps to no NIST CSF subcategory",
                check.id
            );
        }
    }

    #[test]
    fn metadata_is_complete_and_phrased_as_the_secure_condition() {
        for check in ALL {
            assert!(
                check.title.len() <= 80,
                "{}: title longer than 80 characters",
                check.id
            );
            assert!(
                !check.title.to_lowercase().starts_with("ensure"),
                "{}: say the secure condition, not 'Ensure'",
                check.id
            );
            assert!(
                !check.title.ends_with('.'),
                "{}: titles have no full stop",
                check.id
            );
            assert!(
                check.rationale.len() > 80,
                "{}: rationale too short",
                check.id
            );
            assert!(
                !check.remediation.text.is_empty(),
                "{}: no remediation",
                check.id
            );
            assert!(
                !check.needs.is_empty(),
                "{}: needs lists no permission",
                check.id
            );
            for need in check.needs {
                let Need::Aws(action) = need else {
                    if let Need::Kubernetes(resource) = need {
                        assert!(
                            k8s_resources::RESOURCES.contains(resource),
                            "{}: {need} is not a Kubernetes read sek makes",
                            check.id
                        );
                    }
                    continue;
                };
                let verb = action.split(':').nth(1).unwrap_or("");
                assert!(
                    ["Describe", "List", "Get", "BatchGet"]
                        .iter()
                        .any(|p| verb.starts_with(p)),
                    "{}: {need} is not a read",
                    check.id
                );
            }
        }
    }

    #[test]
    fn registry_snapshot() {
        let listing: Vec<String> = ALL
            .iter()
            .map(|c| {
                let refs: Vec<String> = c
                    .refs
                    .iter()
                    .map(|r| format!("{}:{}", r.framework.slug(), r.id))
                    .collect();
                format!("{} [{}] {} | {}", c.id, c.severity, c.title, refs.join(" "))
            })
            .collect();
        insta::assert_snapshot!(listing.join("\n"));
    }

    #[test]
    fn closest_id_suggests_near_misses_only() {
        assert_eq!(closest_id("node-imsd"), Some("node-imds"));
        assert_eq!(closest_id("service-security-group"), Some("service-sgs"));
        assert_eq!(closest_id("completely-unrelated"), None);
    }
}
