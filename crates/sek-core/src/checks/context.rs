//! What a check evaluates: one cluster's inventory, its region's and account's, and settings
//! ([`Ctx`]); or, for a region check, the region's alone ([`RegionCtx`]).

use super::*;
use crate::inventory::{
    AccountInventory, ClusterView, EksCluster, Lookup, Missing, RegionInventory, Why,
};

/// Inputs of a check's evaluation for one cluster.
#[derive(Debug, Clone, Copy)]
pub struct Ctx<'a> {
    /// What was collected for the cluster, indexed.
    pub inventory: &'a ClusterView<'a>,
    /// The account-and-region data shared by the clusters of the region, if collected.
    pub region: Option<&'a RegionInventory>,
    /// The account's IAM data, if collected.
    pub account: Option<&'a AccountInventory>,
    /// Thresholds and allow-lists from `sek.toml`.
    pub settings: &'a Settings,
    /// The time the state was observed, for ages: when the snapshot was collected (so a snapshot
    /// gets the same verdicts whenever it is evaluated), else the evaluation time.
    pub now: jiff::Timestamp,
}

/// A pseudo-ARN naming an account's setting in a region, for findings that are not about a
/// resource: `arn:aws:ec2:eu-west-1:111122223333:ebs-encryption-by-default`.
pub fn setting_arn(region: &RegionInventory, service: &str, setting: &str) -> String {
    format!(
        "arn:{}:{service}:{}:{}:{setting}",
        region.partition,
        region.region,
        region.account_id.as_deref().unwrap_or("")
    )
}

/// Inputs of a region check: the account's settings in one region, shared by its clusters.
#[derive(Debug, Clone, Copy)]
pub struct RegionCtx<'a> {
    /// The account-and-region data, if collected.
    pub region: Option<&'a RegionInventory>,
    /// Thresholds and allow-lists from `sek.toml`.
    pub settings: &'a Settings,
    /// Where the region is, to name it when its data was not collected: partition, region,
    /// account.
    place: (&'a str, &'a str, Option<&'a str>),
}

impl<'a> RegionCtx<'a> {
    /// The account-and-region data, or why it is missing (the snapshot predates it).
    pub fn region_data(&self) -> Lookup<'a, RegionInventory> {
        self.region.ok_or_else(|| {
            let (partition, region, account) = self.place;
            let resource = format!("arn:{partition}:eks:{region}:{}:", account.unwrap_or(""));
            Missing::new(
                "the account's settings in this region",
                &[],
                Why::NotCollected,
            )
            .with_fix("were not collected (the snapshot predates them); rescan live")
            .on(resource)
        })
    }

    /// A region-level setting: the region's data, the value `read` takes from it, and the
    /// pseudo-ARN `setting_arn(region, service, setting)` naming it in findings; or why it is
    /// missing, reported on that pseudo-ARN.
    pub fn region_setting<T: ?Sized>(
        &self,
        (service, setting): (&str, &str),
        read: impl FnOnce(&'a RegionInventory) -> Lookup<'a, T>,
    ) -> Result<(&'a RegionInventory, &'a T, String), Missing> {
        let region = self.region_data()?;
        let resource = setting_arn(region, service, setting);
        match read(region) {
            Ok(value) => Ok((region, value, resource)),
            Err(missing) => Err(missing.on(resource)),
        }
    }
}

impl<'a> Ctx<'a> {
    /// Evaluate `check` here: a cluster check with this context, a region check with the
    /// region's alone.
    pub fn evaluate(&self, check: &Check) -> Evaluation {
        match check.eval {
            Eval::Cluster(eval) => eval(self),
            Eval::Region(eval) => eval(&self.region_ctx()),
        }
    }

    /// The region's context, for region checks.
    pub fn region_ctx(&self) -> RegionCtx<'a> {
        let inv = self.inventory;
        RegionCtx {
            region: self.region,
            settings: self.settings,
            place: (&inv.partition, &inv.region, inv.account_id.as_deref()),
        }
    }

    /// The account-and-region data, or why it is missing (the snapshot predates it).
    pub fn region_data(&self) -> Lookup<'a, RegionInventory> {
        self.region_ctx().region_data()
    }

    /// The account's IAM data, or why it is missing (the snapshot predates it).
    pub fn account_data(&self) -> Lookup<'a, AccountInventory> {
        self.account.ok_or_else(|| {
            let inv = self.inventory;
            let resource = format!(
                "arn:{}:iam::{}:",
                inv.partition,
                inv.account_id.as_deref().unwrap_or("")
            );
            Missing::new("the account's IAM data", &[], Why::NotCollected)
                .with_fix("was not collected (the snapshot predates it); rescan live")
                .on(resource)
        })
    }

    /// One finding about the control plane from `decide(cluster, cluster_arn)`, or why the
    /// control plane is missing.
    pub fn on_control_plane(
        &self,
        decide: impl FnOnce(&EksCluster, String) -> Finding,
    ) -> Evaluation {
        let cluster = self.inventory.control_plane()?;
        Ok(vec![decide(cluster, self.inventory.arn())])
    }
}
