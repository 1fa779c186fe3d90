//! What checks read besides the inventory: thresholds and allow-lists. They belong to the checks;
//! `sek.toml` (the `config` module) fills them.

/// Settings checks read: thresholds (`[thresholds]`) and allow-lists (`[allow]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// `node-imds`: the highest acceptable IMDS PUT response hop limit (1..=64, default 1).
    pub imds_max_hop_limit: i32,
    /// `node-age`: nodes launched longer ago than this many days are reported (default 30).
    pub node_max_age_days: u32,
    /// `vuln-images`, `vuln-nodes`, `risk-exposed-vulnerable`: the lowest severity that fails
    /// (default critical). Only findings at or above it are read.
    pub vuln_min_severity: super::Severity,
    /// `image-age`: images in use pushed longer ago than this many days are reported (default 90).
    pub image_max_age_days: u32,
    /// `service-version`: Kubernetes versions allowed (empty: any in standard support).
    pub kubernetes_versions: Vec<String>,
    /// `node-ami`: AMI ids allowed besides EKS-optimized ones (empty: no extra restriction).
    pub ami_ids: Vec<String>,
    /// `node-ami`: AMI owner accounts allowed (empty: no extra restriction).
    pub ami_owners: Vec<String>,
    /// `ecr-policy`, `access-entries-admin`: accounts besides the scanned one that may be granted access.
    pub trusted_accounts: Vec<String>,
    /// `pod-image-registry`: registries images may come from (`123456789012.dkr.ecr.*.amazonaws.com`,
    /// `registry.k8s.io`; globs). Empty: the scanned account's ECR and Amazon's EKS registries.
    pub registries: Vec<String>,
    /// Namespaces (globs) whose Kubernetes objects are not evaluated.
    pub excluded_namespaces: Vec<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            imds_max_hop_limit: 1,
            node_max_age_days: 30,
            vuln_min_severity: super::Severity::Critical,
            image_max_age_days: 90,
            kubernetes_versions: Vec::new(),
            ami_ids: Vec::new(),
            ami_owners: Vec::new(),
            trusted_accounts: Vec::new(),
            registries: Vec::new(),
            excluded_namespaces: Vec::new(),
        }
    }
}
