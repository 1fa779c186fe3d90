//! Turning Kubernetes API objects (List responses, `kubectl get -o json` output) into a
//! [`KubernetesInventory`]. Live collection and offline files both feed this builder, so they
//! cannot disagree on what an object means.
//!
//! Pods are folded into the controller that owns them (a pod of a ReplicaSet of a Deployment
//! counts towards the Deployment), so a finding names one workload rather than every replica.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use serde::Deserialize;
use serde_json::Value;

use super::resources::{self, Resource};
use super::*;
use crate::inventory::{CollectError, ErrorKind};

/// The objects read so far, kind by kind.
#[derive(Debug, Default)]
struct Objects {
    namespaces: Vec<Namespace>,
    service_accounts: Vec<ServiceAccount>,
    roles: Vec<Role>,
    role_bindings: Vec<RoleBinding>,
    network_policies: Vec<NetworkPolicy>,
    services: Vec<Service>,
    ingresses: Vec<Ingress>,
    aws_auth: Option<AwsAuth>,
    kube_proxy_config: Option<KubeProxyConfig>,
    webhooks: Vec<WebhookConfiguration>,
    crds: Vec<String>,
    nodes: Vec<Node>,
    csi_drivers: Vec<String>,
    storage_classes: Vec<StorageClass>,
    ec2_node_classes: Vec<Ec2NodeClass>,
    node_pools: Vec<NodePool>,
    auto_node_classes: Vec<AutoNodeClass>,
}

/// Collects objects kind by kind, then [`finish`](KubernetesBuilder::finish)es into an inventory.
#[derive(Debug, Default)]
pub struct KubernetesBuilder {
    inventory: KubernetesInventory,
    objects: Objects,
    /// Reads that completed (even with no objects).
    read: BTreeSet<&'static str>,
    /// Reads that failed, by read.
    failed: BTreeMap<&'static str, CollectError>,
    /// Reads deliberately not made (no check needs them): their fields stay not collected,
    /// without a recorded failure.
    not_collected: BTreeSet<&'static str>,
    controllers: Vec<Workload>,
    /// `Kind/namespace/name` of the controllers added so far.
    controller_keys: HashSet<String>,
    /// Pods whose controller had already been added, counted by that controller's key and not
    /// kept: a large cluster's replicas are not all held until the end.
    owned_pods: HashMap<String, u32>,
    /// The image digests of those pods, by the same key.
    owned_digests: HashMap<String, Digests>,
    /// Pods whose controller was not (yet) added: folded or kept at the end.
    pods: Vec<Workload>,
    ignored: BTreeSet<String>,
}

/// The kinds that carry a pod template, and where the template is.
const CONTROLLERS: &[(&str, &[&str])] = &[
    ("Deployment", &["spec", "template"]),
    ("DaemonSet", &["spec", "template"]),
    ("StatefulSet", &["spec", "template"]),
    ("ReplicaSet", &["spec", "template"]),
    ("Job", &["spec", "template"]),
    ("CronJob", &["spec", "jobTemplate", "spec", "template"]),
];

impl KubernetesBuilder {
    /// A builder for objects read from `source` (a context, a server, a directory).
    pub fn new(source: impl Into<String>) -> Self {
        KubernetesBuilder {
            inventory: KubernetesInventory {
                source: Some(source.into()),
                ..KubernetesInventory::default()
            },
            ..KubernetesBuilder::default()
        }
    }

    /// Record how the API was reached and as whom.
    pub fn access(&mut self, access: KubernetesAccess) {
        self.inventory.access = Some(access);
    }

    /// Record the API server's version.
    pub fn server_version(&mut self, version: impl Into<String>) {
        self.inventory.server_version = Some(version.into());
    }

    /// Record that `resource` was read completely; its objects come through [`add`](Self::add).
    pub fn read(&mut self, resource: &Resource) {
        self.read.insert(resource.need);
    }

    /// Record that `resource` is deliberately not read: no failure, but its field stays unset,
    /// so nothing takes it for empty.
    pub fn not_collected(&mut self, resource: &Resource) {
        self.not_collected.insert(resource.need);
    }

    /// Record that reading `resource` failed: the checks that need it report `error`.
    pub fn failed(&mut self, resource: &Resource, kind: ErrorKind, message: impl Into<String>) {
        self.failed.insert(
            resource.need,
            CollectError::new(resource.need, vec![], kind, message),
        );
    }

    /// Add one object. `kind` is the object's kind (List responses omit it on items). Objects of
    /// kinds sek does not read (Secrets above all) are ignored without being parsed.
    pub fn add(&mut self, kind: &str, object: Value) -> Result<(), String> {
        let name = object
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        let invalid = |e: serde_json::Error| format!("{kind} {name}: {e}");
        let k8s = &mut self.objects;
        match kind {
            "Namespace" => k8s.namespaces.push(parse(object).map_err(invalid)?),
            "Pod" => {
                let mut pod: PodObject = parse(object).map_err(invalid)?;
                pod.spec.mark_ports_read();
                let digests = pod.digests();
                if let Some(owner) = controlling_owner(&pod.metadata)
                    && self.controller_keys.contains(&owner)
                {
                    merge_digests(
                        self.owned_digests.entry(owner.clone()).or_default(),
                        digests,
                    );
                    *self.owned_pods.entry(owner).or_default() += 1;
                    return Ok(());
                }
                self.pods.push(Workload {
                    kind: "Pod".into(),
                    metadata: pod.metadata,
                    pod_labels: BTreeMap::new(),
                    spec: pod.spec,
                    pods: 1,
                    digests,
                });
            }
            "ServiceAccount" => k8s.service_accounts.push(parse(object).map_err(invalid)?),
            "Role" | "ClusterRole" => {
                let mut role: Role = parse(object).map_err(invalid)?;
                role.kind = kind.into();
                k8s.roles.push(role);
            }
            "RoleBinding" | "ClusterRoleBinding" => {
                let mut binding: RoleBinding = parse(object).map_err(invalid)?;
                binding.kind = kind.into();
                k8s.role_bindings.push(binding);
            }
            "NetworkPolicy" => k8s.network_policies.push(parse(object).map_err(invalid)?),
            "Service" => {
                let mut service: Service = parse(object).map_err(invalid)?;
                service.spec.external_ips.get_or_insert_with(Vec::new);
                service.spec.selector.get_or_insert_with(BTreeMap::new);
                k8s.services.push(service);
            }
            "Ingress" => {
                let mut ingress: Ingress = parse(object).map_err(invalid)?;
                ingress.spec.rules.get_or_insert_with(Vec::new);
                k8s.ingresses.push(ingress);
            }
            "ValidatingWebhookConfiguration" | "MutatingWebhookConfiguration" => {
                let hooks: WebhookObject = parse(object).map_err(invalid)?;
                k8s.webhooks.push(WebhookConfiguration {
                    kind: kind.into(),
                    name: hooks.metadata.name,
                    webhooks: hooks.webhooks.into_iter().map(|w| w.name).collect(),
                });
            }
            "CustomResourceDefinition" => k8s.crds.push(name),
            "Node" => k8s.nodes.push(node_from_object(&object).map_err(invalid)?),
            "CSIDriver" => k8s.csi_drivers.push(name),
            "StorageClass" => k8s.storage_classes.push(parse(object).map_err(invalid)?),
            "EC2NodeClass" => k8s.ec2_node_classes.push(parse(object).map_err(invalid)?),
            "NodePool" => k8s.node_pools.push(parse(object).map_err(invalid)?),
            "NodeClass" => k8s.auto_node_classes.push(parse(object).map_err(invalid)?),
            "ConfigMap" => {
                let namespace = object
                    .pointer("/metadata/namespace")
                    .and_then(Value::as_str);
                match (namespace, name.as_str()) {
                    (Some("kube-system"), "aws-auth") => {
                        k8s.aws_auth = Some(AwsAuth::from_configmap(&object));
                    }
                    (Some("kube-system"), "kube-proxy-config") => {
                        k8s.kube_proxy_config = Some(KubeProxyConfig::from_configmap(&object));
                    }
                    _ => {}
                }
            }
            _ => {
                if let Some(&(_, path)) = CONTROLLERS.iter().find(|(k, _)| *k == kind) {
                    let mut workload = controller(kind, object, path).map_err(invalid)?;
                    workload.pods = 0;
                    self.controller_keys.insert(workload_key(
                        kind,
                        &workload.metadata.namespace,
                        &workload.metadata.name,
                    ));
                    self.controllers.push(workload);
                } else {
                    self.ignored.insert(kind.to_string());
                }
            }
        }
        Ok(())
    }

    /// Add every object of a List (`{"kind": "PodList", "items": [...]}`, or kubectl's
    /// `{"kind": "List"}` whose items carry their own kind) or one bare object. `fallback` is the
    /// resource the list holds when neither says (an empty `List`, or API items without `kind`).
    /// Returns the resources seen.
    pub fn add_document(
        &mut self,
        document: Value,
        fallback: Option<&'static Resource>,
    ) -> Result<BTreeSet<&'static str>, String> {
        let mut seen = BTreeSet::new();
        let list_kind = document
            .get("kind")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        let list_kind = list_kind.as_str();
        let Value::Object(mut map) = document else {
            return Err("not a Kubernetes object or List".into());
        };
        let list_resource = resources::by_kind(list_kind).or(fallback);
        if list_resource.is_none() && list_kind.ends_with("List") && list_kind != "List" {
            // A list of a kind sek does not read (a SecretList): not even parsed.
            self.ignored
                .insert(list_kind.trim_end_matches("List").to_string());
            return Ok(seen);
        }
        let Some(Value::Array(items)) = map.remove("items") else {
            // A single object.
            let object = Value::Object(map);
            let kind = object
                .get("kind")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            if let Some(resource) = resources::by_kind(&kind) {
                seen.insert(resource.need);
                self.read(resource);
            }
            self.add(&kind, object)?;
            return Ok(seen);
        };
        if let Some(resource) = list_resource {
            seen.insert(resource.need);
        }
        for item in items {
            let kind = match item.get("kind").and_then(Value::as_str) {
                Some(kind) => kind.to_string(),
                None => match list_resource {
                    Some(resource) => resource.kind.to_string(),
                    None => return Err(format!("a {list_kind} item has no kind")),
                },
            };
            if let Some(resource) = resources::by_kind(&kind) {
                seen.insert(resource.need);
            }
            self.add(&kind, item)?;
        }
        for need in &seen {
            if let Some(resource) = resources::RESOURCES.iter().find(|r| r.need == *need) {
                self.read(resource);
            }
        }
        Ok(seen)
    }

    /// Set the kubelet configuration (or the failure to read it) of node `name`.
    pub fn kubelet(&mut self, name: &str, outcome: Result<KubeletConfig, CollectError>) {
        if let Some(node) = self.objects.nodes.iter_mut().find(|n| n.name == name) {
            node.kubelet = outcome.into();
        }
    }

    /// Set the kubelet configurations of an export's `configz.json`: `{"<node>": <configz>}`.
    pub fn add_configz_map(&mut self, map: &Value) -> Result<(), String> {
        let Value::Object(entries) = map else {
            return Err("not a JSON object of node name -> configz response".into());
        };
        for (name, body) in entries {
            let outcome = KubeletConfig::from_configz(body).map_err(|e| {
                CollectError::new(
                    resources::NODE_CONFIGZ,
                    vec![name.clone()],
                    ErrorKind::Other,
                    format!("unreadable configz: {e}"),
                )
            });
            self.kubelet(name, outcome);
        }
        Ok(())
    }

    /// The names of the nodes read so far.
    pub fn node_names(&self) -> Vec<String> {
        self.objects.nodes.iter().map(|n| n.name.clone()).collect()
    }

    /// Kinds of objects that were handed in but are not read (e.g. `Secret`).
    pub fn ignored_kinds(&self) -> impl Iterator<Item = &str> {
        self.ignored.iter().map(String::as_str)
    }

    /// The inventory. A custom kind whose CRD was not among the CRDs read has no objects. Any
    /// other kind neither read, failed nor deliberately left out is recorded as
    /// failed with `unread_reason` (for exported files: which export is missing); a field made
    /// of several reads (workloads, RBAC) takes the failure of any of them, so no check takes an
    /// unread list for an empty one.
    pub fn finish(mut self, unread_reason: &str) -> KubernetesInventory {
        // A custom kind whose CRD is not among the CRDs read does not exist in the cluster: none
        // of it, rather than an unread list (an export has no file for a kind that is not there).
        if self.read.contains(resources::CRDS.need) {
            for resource in resources::CUSTOM_RESOURCES {
                let crd = format!("{}.{}", resource.plural, resource.group);
                let not_served = self
                    .failed
                    .get(resource.need)
                    .is_none_or(|err| err.kind == ErrorKind::NotFound);
                if !self.objects.crds.contains(&crd) && not_served {
                    self.failed.remove(resource.need);
                    self.read.insert(resource.need);
                }
            }
        }
        for resource in resources::RESOURCES {
            if !self.read.contains(resource.need)
                && !self.failed.contains_key(resource.need)
                && !self.not_collected.contains(resource.need)
            {
                self.failed.insert(
                    resource.need,
                    CollectError::new(
                        resource.need,
                        vec![],
                        ErrorKind::Other,
                        unread_reason.replace("{resource}", resource.plural),
                    ),
                );
            }
        }
        let outcome = Outcome {
            failed: &self.failed,
            not_collected: &self.not_collected,
        };
        let objects = std::mem::take(&mut self.objects);
        let k8s = &mut self.inventory;
        k8s.workloads = outcome.listing(resources::WORKLOAD_READS, || {
            let mut workloads = fold_pods(
                std::mem::take(&mut self.controllers),
                std::mem::take(&mut self.pods),
                std::mem::take(&mut self.owned_pods),
                std::mem::take(&mut self.owned_digests),
            );
            workloads.sort_by(|a, b| {
                (&a.metadata.namespace, &a.kind, &a.metadata.name).cmp(&(
                    &b.metadata.namespace,
                    &b.kind,
                    &b.metadata.name,
                ))
            });
            workloads
        });
        use resources::*;
        let k = Need::Kubernetes;
        k8s.namespaces = outcome.of(&[k(&NAMESPACES)], || objects.namespaces);
        k8s.service_accounts = outcome.of(&[k(&SERVICE_ACCOUNTS)], || objects.service_accounts);
        k8s.roles = outcome.listing(&[k(&ROLES), k(&CLUSTER_ROLES)], || objects.roles);
        k8s.role_bindings = outcome
            .listing(&[k(&ROLE_BINDINGS), k(&CLUSTER_ROLE_BINDINGS)], || {
                objects.role_bindings
            });
        k8s.network_policies = outcome.of(&[k(&NETWORK_POLICIES)], || objects.network_policies);
        k8s.services = outcome.of(&[k(&SERVICES)], || objects.services);
        k8s.ingresses = outcome.of(&[k(&INGRESSES)], || objects.ingresses);
        k8s.webhooks = outcome.listing(&[k(&VALIDATING_WEBHOOKS), k(&MUTATING_WEBHOOKS)], || {
            objects.webhooks
        });
        k8s.crds = outcome.of(&[k(&CRDS)], || objects.crds);
        k8s.csi_drivers = outcome.of(&[k(&CSI_DRIVERS)], || objects.csi_drivers);
        k8s.nodes = outcome.of(&[k(&NODES)], || objects.nodes);
        k8s.storage_classes = outcome.of(&[k(&STORAGE_CLASSES)], || objects.storage_classes);
        k8s.ec2_node_classes = outcome.of(&[k(&EC2_NODE_CLASSES)], || objects.ec2_node_classes);
        k8s.node_pools = outcome.of(&[k(&NODE_POOLS)], || objects.node_pools);
        k8s.auto_node_classes = outcome.of(&[k(&AUTO_NODE_CLASSES)], || objects.auto_node_classes);
        k8s.aws_auth = outcome.of(&[k(&CONFIG_MAPS)], || match objects.aws_auth {
            Some(mappings) => AwsAuthConfigMap::Present(mappings),
            // The ConfigMap was read (listed or got) and is not there.
            None => AwsAuthConfigMap::Absent,
        });
        k8s.kube_proxy_config =
            outcome.of(&[k(&CONFIG_MAPS)], || match objects.kube_proxy_config {
                Some(config) => KubeProxyConfigMap::Present(config),
                None => KubeProxyConfigMap::Absent,
            });
        self.inventory
    }
}

/// What became of each read, to build the fields that depend on them.
struct Outcome<'a> {
    failed: &'a BTreeMap<&'static str, CollectError>,
    not_collected: &'a BTreeSet<&'static str>,
}

impl Outcome<'_> {
    /// A field made of several reads (`needs`): what was read, with every failure among them;
    /// not collected when one was deliberately not read.
    fn listing<T>(&self, needs: &[Need], data: impl FnOnce() -> Vec<T>) -> Read<Collection<T>> {
        let failed: Vec<CollectError> = needs
            .iter()
            .filter_map(|n| self.failed.get(n.as_str()).cloned())
            .collect();
        if failed.is_empty()
            && needs
                .iter()
                .any(|n| self.not_collected.contains(n.as_str()))
        {
            return Read::NotCollected;
        }
        Read::Got(Collection::of(data(), failed))
    }

    /// The field made of `needs`: the first failure among them, not collected when one was
    /// deliberately not read, else the data.
    fn of<T>(&self, needs: &[Need], data: impl FnOnce() -> T) -> Read<T> {
        if let Some(err) = needs.iter().find_map(|n| self.failed.get(n.as_str())) {
            return Read::Failed(err.clone());
        }
        if needs
            .iter()
            .any(|n| self.not_collected.contains(n.as_str()))
        {
            return Read::NotCollected;
        }
        Read::Got(data())
    }
}

/// Parse an API object. A `null` field means the same as an absent one in the Kubernetes API
/// (an aggregated ClusterRole's `rules` is `null` until the controller fills it), so nulls are
/// dropped first: one such object must not make a whole kind unreadable.
fn parse<T: serde::de::DeserializeOwned>(mut object: Value) -> Result<T, serde_json::Error> {
    drop_nulls(&mut object);
    serde_json::from_value(object)
}

fn drop_nulls(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.retain(|_, v| !v.is_null());
            map.values_mut().for_each(drop_nulls);
        }
        Value::Array(items) => items.iter_mut().for_each(drop_nulls),
        _ => {}
    }
}

#[derive(Deserialize)]
struct PodObject {
    #[serde(default)]
    metadata: ObjectMeta,
    #[serde(default)]
    spec: PodSpec,
    #[serde(default)]
    status: PodStatus,
}

/// The part of a pod's status that says which image each container runs.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct PodStatus {
    #[serde(default)]
    container_statuses: Vec<ContainerStatus>,
    #[serde(default)]
    init_container_statuses: Vec<ContainerStatus>,
    #[serde(default)]
    ephemeral_container_statuses: Vec<ContainerStatus>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ContainerStatus {
    #[serde(default)]
    name: String,
    /// `<repository>@sha256:...`, sometimes prefixed `docker-pullable://`; empty until pulled.
    #[serde(default, rename = "imageID")]
    image_id: String,
}

/// Digests pulled, by the image reference the pod spec writes.
type Digests = BTreeMap<String, BTreeSet<String>>;

impl PodObject {
    /// The digest each container pulled, keyed by the image its spec names.
    fn digests(&self) -> Digests {
        let mut digests = Digests::new();
        let statuses = self
            .status
            .container_statuses
            .iter()
            .chain(&self.status.init_container_statuses)
            .chain(&self.status.ephemeral_container_statuses);
        for status in statuses {
            let Some((_, digest)) = status.image_id.rsplit_once('@') else {
                continue;
            };
            let image = self
                .spec
                .all_containers()
                .find(|(_, c)| c.name == status.name)
                .and_then(|(_, c)| c.image.clone());
            if let Some(image) = image
                && digest.starts_with("sha256:")
            {
                digests.entry(image).or_default().insert(digest.to_string());
            }
        }
        digests
    }
}

fn merge_digests(into: &mut Digests, more: Digests) {
    for (image, digests) in more {
        into.entry(image).or_default().extend(digests);
    }
}

#[derive(Deserialize)]
struct WebhookObject {
    #[serde(default)]
    metadata: ObjectMeta,
    #[serde(default)]
    webhooks: Vec<NamedWebhook>,
}

#[derive(Deserialize)]
struct NamedWebhook {
    #[serde(default)]
    name: String,
}

#[derive(Deserialize, Default)]
struct Template {
    #[serde(default)]
    metadata: TemplateMeta,
    #[serde(default)]
    spec: PodSpec,
}

#[derive(Deserialize, Default)]
struct TemplateMeta {
    #[serde(default)]
    labels: BTreeMap<String, String>,
}

/// A controller and its pod template at `path`.
fn controller(kind: &str, mut object: Value, path: &[&str]) -> Result<Workload, serde_json::Error> {
    let mut template = Value::Null;
    let mut cursor = Some(&mut object);
    for (i, key) in path.iter().enumerate() {
        cursor = cursor.and_then(|v| v.get_mut(*key));
        if i == path.len() - 1
            && let Some(found) = cursor.take()
        {
            template = found.take();
        }
    }
    let metadata: ObjectMeta = serde_json::from_value(
        object
            .get_mut("metadata")
            .map(Value::take)
            .unwrap_or_default(),
    )
    .or_else(|_| Ok::<_, serde_json::Error>(ObjectMeta::default()))?;
    let template: Template = if template.is_null() {
        Template::default()
    } else {
        serde_json::from_value(template)?
    };
    let mut spec = template.spec;
    spec.mark_ports_read();
    Ok(Workload {
        kind: kind.into(),
        metadata,
        pod_labels: template.metadata.labels,
        spec,
        pods: 0,
        digests: Digests::new(),
    })
}

/// Fold pods (and ReplicaSets of Deployments, Jobs of CronJobs) into their top-level
/// controller; pods no listed controller owns stay workloads of their own.
/// `Kind/namespace/name`: how pods and controllers name the controller that owns them.
fn workload_key(kind: &str, namespace: &str, name: &str) -> String {
    format!("{kind}/{namespace}/{name}")
}

/// The key of the controller that owns an object: its controller reference, else its first owner.
fn controlling_owner(metadata: &ObjectMeta) -> Option<String> {
    metadata
        .owner_references
        .iter()
        .find(|o| o.controller.unwrap_or(false))
        .or(metadata.owner_references.first())
        .map(|o| workload_key(&o.kind, &metadata.namespace, &o.name))
}

fn fold_pods(
    mut controllers: Vec<Workload>,
    pods: Vec<Workload>,
    owned_pods: HashMap<String, u32>,
    owned_digests: HashMap<String, Digests>,
) -> Vec<Workload> {
    let mut position: HashMap<String, usize> = HashMap::with_capacity(controllers.len());
    for (i, w) in controllers.iter().enumerate() {
        position.insert(
            workload_key(&w.kind, &w.metadata.namespace, &w.metadata.name),
            i,
        );
    }
    let controlling = |w: &Workload| controlling_owner(&w.metadata);
    // Each controller's top-level owner among the listed ones (ReplicaSet -> Deployment,
    // Job -> CronJob); owners form chains of at most two, so two steps suffice.
    let top: Vec<usize> = (0..controllers.len())
        .map(|i| {
            let mut at = i;
            for _ in 0..2 {
                match controlling(&controllers[at]).and_then(|k| position.get(&k)) {
                    Some(&owner) => at = owner,
                    None => break,
                }
            }
            at
        })
        .collect();
    let mut pods_of = vec![0u32; controllers.len()];
    for (owner, count) in owned_pods {
        if let Some(&at) = position.get(&owner) {
            pods_of[top[at]] += count;
        }
    }
    for (owner, digests) in owned_digests {
        if let Some(&at) = position.get(&owner) {
            merge_digests(&mut controllers[top[at]].digests, digests);
        }
    }
    let mut standalone = Vec::new();
    for pod in pods {
        match controlling(&pod).and_then(|k| position.get(&k)) {
            Some(&owner) => {
                pods_of[top[owner]] += 1;
                merge_digests(&mut controllers[top[owner]].digests, pod.digests);
            }
            None => standalone.push(pod),
        }
    }
    let mut workloads: Vec<Workload> = controllers
        .into_iter()
        .enumerate()
        .filter(|(i, _)| top[*i] == *i)
        .map(|(i, mut w)| {
            w.pods = pods_of[i];
            w
        })
        .collect();
    workloads.extend(standalone);
    workloads
}

impl AwsAuth {
    /// The mappings of an aws-auth ConfigMap (`data.mapRoles`, `data.mapUsers` and
    /// `data.mapAccounts` are YAML strings). What does not parse is kept in `problems`.
    pub fn from_configmap(configmap: &Value) -> AwsAuth {
        #[derive(Deserialize)]
        struct Entry {
            #[serde(default)]
            rolearn: Option<String>,
            #[serde(default)]
            userarn: Option<String>,
            #[serde(default)]
            username: Option<String>,
            #[serde(default)]
            groups: Vec<String>,
        }
        let mut auth = AwsAuth::default();
        let data = |key: &str| {
            configmap
                .pointer(&format!("/data/{key}"))
                .and_then(Value::as_str)
                .filter(|s| !s.trim().is_empty())
        };
        for key in ["mapRoles", "mapUsers"] {
            let Some(text) = data(key) else { continue };
            match serde_saphyr::from_str::<Vec<Entry>>(text) {
                Ok(entries) => auth
                    .mappings
                    .extend(entries.into_iter().map(|e| AwsAuthMapping {
                        arn: e.rolearn.or(e.userarn).unwrap_or_default(),
                        username: e.username,
                        groups: e.groups,
                    })),
                Err(e) => auth
                    .problems
                    .push(format!("{key} is not a YAML list of mappings: {e}")),
            }
        }
        if let Some(text) = data("mapAccounts") {
            match serde_saphyr::from_str::<Vec<String>>(text) {
                Ok(accounts) => auth.accounts = accounts,
                Err(e) => auth
                    .problems
                    .push(format!("mapAccounts is not a YAML list: {e}")),
            }
        }
        auth
    }
}

impl KubeProxyConfig {
    /// Read `data.config` (a KubeProxyConfiguration in YAML) of the kube-proxy-config ConfigMap.
    pub fn from_configmap(configmap: &Value) -> KubeProxyConfig {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Configuration {
            #[serde(default)]
            metrics_bind_address: Option<String>,
        }
        let Some(text) = configmap.pointer("/data/config").and_then(Value::as_str) else {
            return KubeProxyConfig {
                metrics_bind_address: None,
                problem: Some("the ConfigMap has no `config` key".into()),
            };
        };
        match serde_saphyr::from_str::<Configuration>(text) {
            Ok(config) => KubeProxyConfig {
                metrics_bind_address: config.metrics_bind_address.filter(|a| !a.is_empty()),
                problem: None,
            },
            Err(e) => KubeProxyConfig {
                metrics_bind_address: None,
                problem: Some(format!(
                    "`config` is not a YAML KubeProxyConfiguration: {e}"
                )),
            },
        }
    }
}

#[cfg(test)]
mod tests;
