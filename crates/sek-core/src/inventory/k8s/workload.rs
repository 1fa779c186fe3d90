//! Workloads: controllers and pods, their pod spec, containers, volumes and security context.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::*;

/// Something that runs pods: a controller (Deployment, DaemonSet, StatefulSet, ReplicaSet, Job,
/// CronJob) with its pod template, or a pod no listed controller owns.
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq)]
pub struct Workload {
    /// `Deployment`, `DaemonSet`, `StatefulSet`, `ReplicaSet`, `Job`, `CronJob` or `Pod`.
    pub kind: String,
    /// The controller's (or pod's) metadata.
    pub metadata: ObjectMeta,
    /// The pod template's labels.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub pod_labels: BTreeMap<String, String>,
    /// The pod template's spec.
    pub spec: PodSpec,
    /// Pods seen running from it (0 for a controller scaled down or a CronJob between runs).
    #[serde(default)]
    pub pods: u32,
    /// The image digests its pods pulled (pod status `imageID`), by the image reference the pod
    /// spec writes: what actually runs, whatever a tag points to now.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub digests: BTreeMap<String, std::collections::BTreeSet<String>>,
}

impl Workload {
    /// `Kind/namespace/name`, the resource named in findings.
    pub fn reference(&self) -> String {
        crate::inventory::ResourceRef::namespaced(
            &self.kind,
            &self.metadata.namespace,
            &self.metadata.name,
        )
        .into()
    }
}

/// The parts of a pod spec the checks read.
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct PodSpec {
    /// Service account (empty means `default`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_account_name: Option<String>,
    /// Whether the service account token is mounted (unset: the service account decides).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub automount_service_account_token: Option<bool>,
    /// Shares the node's network namespace.
    #[serde(default, skip_serializing_if = "is_false")]
    pub host_network: bool,
    /// Shares the node's PID namespace.
    #[serde(default, rename = "hostPID", skip_serializing_if = "is_false")]
    pub host_pid: bool,
    /// Shares the node's IPC namespace.
    #[serde(default, rename = "hostIPC", skip_serializing_if = "is_false")]
    pub host_ipc: bool,
    /// Pod-level security context.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security_context: Option<SecurityContext>,
    /// Containers.
    #[serde(default)]
    pub containers: Vec<Container>,
    /// Init containers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub init_containers: Vec<Container>,
    /// Ephemeral (debug) containers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ephemeral_containers: Vec<Container>,
    /// Volumes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub volumes: Vec<Volume>,
}

pub(super) fn is_false(value: &bool) -> bool {
    !value
}

impl PodSpec {
    /// Record every container's port list as read (empty when the API omitted it).
    pub fn mark_ports_read(&mut self) {
        for container in self
            .containers
            .iter_mut()
            .chain(&mut self.init_containers)
            .chain(&mut self.ephemeral_containers)
        {
            container.ports.get_or_insert_with(Vec::new);
        }
    }

    /// Every container: regular, init and ephemeral, with its kind.
    pub fn all_containers(&self) -> impl Iterator<Item = (&'static str, &Container)> {
        self.containers
            .iter()
            .map(|c| ("container", c))
            .chain(self.init_containers.iter().map(|c| ("init container", c)))
            .chain(
                self.ephemeral_containers
                    .iter()
                    .map(|c| ("ephemeral container", c)),
            )
    }

    /// The service account, `default` when unset.
    pub fn service_account(&self) -> &str {
        self.service_account_name
            .as_deref()
            .filter(|s| !s.is_empty())
            .unwrap_or("default")
    }
}

/// A container.
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Container {
    /// Name.
    #[serde(default)]
    pub name: String,
    /// Image reference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// Security context.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security_context: Option<SecurityContext>,
    /// Resource requests and limits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<Resources>,
    /// Environment variables, without their values.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub env: Vec<EnvVar>,
    /// Whole ConfigMaps or Secrets exposed as environment variables.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub env_from: Vec<EnvFrom>,
    /// Volume mounts.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub volume_mounts: Vec<VolumeMount>,
    /// Ports. `None` only in a snapshot from a sek that did not record them (the builder makes
    /// an absent list empty), so a check cannot take "not recorded" for "none".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ports: Option<Vec<ContainerPort>>,
}

/// A container port.
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ContainerPort {
    /// The port in the container.
    #[serde(default)]
    pub container_port: i32,
    /// The node port it is bound to, when set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host_port: Option<i32>,
    /// `TCP`, `UDP` or `SCTP`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<String>,
}

/// A (pod or container) security context; the pod level has no `privileged` and friends.
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct SecurityContext {
    /// Privileged container.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub privileged: Option<bool>,
    /// allowPrivilegeEscalation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allow_privilege_escalation: Option<bool>,
    /// runAsNonRoot.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_as_non_root: Option<bool>,
    /// runAsUser.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_as_user: Option<i64>,
    /// readOnlyRootFilesystem.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_only_root_filesystem: Option<bool>,
    /// Capabilities added and dropped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capabilities: Option<Capabilities>,
    /// The seccomp profile.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seccomp_profile: Option<SeccompProfile>,
}

/// Linux capabilities.
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq)]
pub struct Capabilities {
    /// Added.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub add: Vec<String>,
    /// Dropped.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub drop: Vec<String>,
}

/// A seccomp profile.
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq)]
pub struct SeccompProfile {
    /// `RuntimeDefault`, `Localhost` or `Unconfined`.
    #[serde(rename = "type", default)]
    pub kind: String,
}

/// Requests and limits (quantities as written).
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq)]
pub struct Resources {
    /// Limits.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub limits: BTreeMap<String, serde_json::Value>,
    /// Requests.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub requests: BTreeMap<String, serde_json::Value>,
}

/// An environment variable: its name and where its value comes from, never the value itself.
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct EnvVar {
    /// Name.
    pub name: String,
    /// The value's source, when not a literal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_from: Option<EnvVarSource>,
}

/// Where an environment variable's value comes from.
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct EnvVarSource {
    /// A key of a Secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_key_ref: Option<KeyRef>,
}

/// A reference to a key of a Secret or ConfigMap.
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq)]
pub struct KeyRef {
    /// The object's name.
    #[serde(default)]
    pub name: String,
    /// The key.
    #[serde(default)]
    pub key: String,
}

/// `envFrom`: a whole ConfigMap or Secret as variables.
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct EnvFrom {
    /// The Secret, when it is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_ref: Option<NameRef>,
}

/// A reference by name.
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq)]
pub struct NameRef {
    /// The name.
    #[serde(default)]
    pub name: String,
}

/// A volume mount.
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct VolumeMount {
    /// The volume.
    pub name: String,
    /// Where it is mounted.
    #[serde(default)]
    pub mount_path: String,
    /// Mounted read-only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_only: Option<bool>,
}

/// A pod volume: its name and the host path, when it is one.
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Volume {
    /// Name.
    pub name: String,
    /// A directory or file of the node.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host_path: Option<HostPath>,
}

/// A hostPath volume.
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq)]
pub struct HostPath {
    /// The node path.
    #[serde(default)]
    pub path: String,
}
