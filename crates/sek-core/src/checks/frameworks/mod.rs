//! Framework references and catalogs.
//!
//! A check names the requirements it satisfies with [`Ref`]s; the catalogs list every
//! requirement of each framework version (with or without a check), so coverage tables can show
//! gaps. The CIS Amazon EKS Benchmark renumbers between versions, so a reference always carries
//! the benchmark version.

mod cis;
mod nist;

pub use self::cis::*;
pub use self::nist::*;

use serde::Serialize;

/// A framework, by version.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, schemars::JsonSchema,
)]
pub enum Framework {
    /// CIS Amazon EKS Benchmark v1.3.0.
    #[serde(rename = "cis-eks-1.3.0")]
    CisEks1_3_0,
    /// CIS Amazon EKS Benchmark v1.8.0.
    #[serde(rename = "cis-eks-1.8.0")]
    CisEks1_8_0,
    /// NIST Cybersecurity Framework 1.1 subcategories.
    #[serde(rename = "nist-csf-1.1")]
    NistCsf1_1,
    /// NIST Cybersecurity Framework 2.0 subcategories, derived from the 1.1 references through
    /// NIST's 1.1 to 2.0 crosswalk (checks are mapped to 1.1, the playbook's version).
    #[serde(rename = "nist-csf-2.0")]
    NistCsf2_0,
    /// Amazon EKS Best Practices Guide, security chapters.
    #[serde(rename = "eks-best-practices")]
    EksBestPractices,
}

impl Framework {
    /// Every framework, in display order.
    pub const ALL: [Framework; 5] = [
        Framework::CisEks1_3_0,
        Framework::CisEks1_8_0,
        Framework::NistCsf1_1,
        Framework::NistCsf2_0,
        Framework::EksBestPractices,
    ];

    /// Stable identifier used on the command line and in JSON.
    pub fn slug(self) -> &'static str {
        match self {
            Framework::CisEks1_3_0 => "cis-eks-1.3.0",
            Framework::CisEks1_8_0 => "cis-eks-1.8.0",
            Framework::NistCsf1_1 => "nist-csf-1.1",
            Framework::NistCsf2_0 => "nist-csf-2.0",
            Framework::EksBestPractices => "eks-best-practices",
        }
    }

    /// Human name.
    pub fn name(self) -> &'static str {
        match self {
            Framework::CisEks1_3_0 => "CIS Amazon EKS Benchmark v1.3.0",
            Framework::CisEks1_8_0 => "CIS Amazon EKS Benchmark v1.8.0",
            Framework::NistCsf1_1 => "NIST Cybersecurity Framework 1.1",
            Framework::NistCsf2_0 => "NIST Cybersecurity Framework 2.0",
            Framework::EksBestPractices => "Amazon EKS Best Practices Guide",
        }
    }

    /// Short name for labels: `CIS EKS 1.8.0`, `NIST CSF 1.1`.
    pub fn short_name(self) -> &'static str {
        match self {
            Framework::CisEks1_3_0 => "CIS EKS 1.3.0",
            Framework::CisEks1_8_0 => "CIS EKS 1.8.0",
            Framework::NistCsf1_1 => "NIST CSF 1.1",
            Framework::NistCsf2_0 => "NIST CSF 2.0",
            Framework::EksBestPractices => "EKS Best Practices",
        }
    }

    /// Parse a slug.
    pub fn from_slug(slug: &str) -> Option<Framework> {
        Framework::ALL.into_iter().find(|f| f.slug() == slug)
    }

    /// Every requirement of this framework version.
    pub fn catalog(self) -> &'static [Requirement] {
        match self {
            Framework::CisEks1_3_0 => CIS_EKS_1_3_0,
            Framework::CisEks1_8_0 => CIS_EKS_1_8_0,
            Framework::NistCsf1_1 => NIST_CSF_1_1,
            Framework::NistCsf2_0 => NIST_CSF_2_0,
            Framework::EksBestPractices => EKS_BEST_PRACTICES,
        }
    }

    /// The catalog entry for `id`.
    pub fn requirement(self, id: &str) -> Option<&'static Requirement> {
        self.catalog().iter().find(|r| r.id == id)
    }
}

impl crate::Choice for Framework {
    fn every() -> Vec<Framework> {
        Framework::ALL.to_vec()
    }

    fn label(self) -> &'static str {
        self.slug()
    }

    fn describe(self) -> &'static str {
        self.name()
    }
}

/// One requirement a check satisfies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Ref {
    /// The framework version.
    pub framework: Framework,
    /// The requirement id in that version (`5.4.2`, `PR.AC-5`, `network-security`).
    pub id: &'static str,
}

impl Ref {
    /// `CIS EKS 1.8.0 5.4.2`.
    pub fn label(&self) -> String {
        format!("{} {}", self.framework.short_name(), self.id)
    }

    /// The catalog title of this requirement.
    pub fn title(&self) -> &'static str {
        self.framework
            .requirement(self.id)
            .map(|r| r.title)
            .unwrap_or("")
    }
}

/// CIS EKS v1.3.0 recommendation `id`.
pub const fn cis13(id: &'static str) -> Ref {
    Ref {
        framework: Framework::CisEks1_3_0,
        id,
    }
}

/// CIS EKS v1.8.0 recommendation `id`.
pub const fn cis18(id: &'static str) -> Ref {
    Ref {
        framework: Framework::CisEks1_8_0,
        id,
    }
}

/// NIST CSF 1.1 subcategory `id`.
pub const fn nist(id: &'static str) -> Ref {
    Ref {
        framework: Framework::NistCsf1_1,
        id,
    }
}

/// EKS Best Practices Guide page `id` (the page's slug).
pub const fn bp(id: &'static str) -> Ref {
    Ref {
        framework: Framework::EksBestPractices,
        id,
    }
}

/// A catalog entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Requirement {
    /// Requirement id.
    pub id: &'static str,
    /// Its title.
    pub title: &'static str,
}

const fn req(id: &'static str, title: &'static str) -> Requirement {
    Requirement { id, title }
}

/// Security chapters of the Amazon EKS Best Practices Guide, by page slug under
/// <https://docs.aws.amazon.com/eks/latest/best-practices/>.
pub static EKS_BEST_PRACTICES: &[Requirement] = &[
    req(
        "identity-and-access-management",
        "Identity and Access Management",
    ),
    req("pod-security", "Pod Security"),
    req("network-security", "Network security"),
    req(
        "data-encryption-and-secrets-management",
        "Data encryption and secrets management",
    ),
    req("auditing-and-logging", "Auditing and logging"),
    req(
        "protecting-the-infrastructure",
        "Protecting the infrastructure (hosts)",
    ),
    req("image-security", "Image security"),
    req(
        "incident-response-and-forensics",
        "Incident response and forensics",
    ),
    req("compliance", "Compliance"),
    req("cluster-upgrades", "Cluster upgrades"),
];

/// The web address of a best-practices page.
pub fn best_practices_url(slug: &str) -> String {
    format!("https://docs.aws.amazon.com/eks/latest/best-practices/{slug}.html")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_crosswalk_covers_every_csf_1_1_subcategory_and_lands_in_the_2_0_catalog() {
        for requirement in NIST_CSF_1_1 {
            let ids = csf_2_0_ids(requirement.id);
            assert!(!ids.is_empty(), "{} has no CSF 2.0 mapping", requirement.id);
            for id in ids {
                assert!(
                    Framework::NistCsf2_0.requirement(id).is_some(),
                    "{id} is not in the 2.0 catalog"
                );
            }
        }
        for requirement in NIST_CSF_2_0 {
            assert!(
                CSF_1_1_TO_2_0
                    .iter()
                    .any(|(_, ids)| ids.contains(&requirement.id)),
                "{} maps from nothing",
                requirement.id
            );
        }
    }

    #[test]
    fn catalogs_have_unique_ids_and_cis_1_8_0_has_all_fifty() {
        for framework in Framework::ALL {
            let mut ids: Vec<&str> = framework.catalog().iter().map(|r| r.id).collect();
            let before = ids.len();
            ids.sort_unstable();
            ids.dedup();
            assert_eq!(ids.len(), before, "{framework:?} repeats an id");
        }
        assert_eq!(CIS_EKS_1_8_0.len(), 50);
        assert_eq!(CIS_EKS_1_3_0.len(), 52);
    }
}
