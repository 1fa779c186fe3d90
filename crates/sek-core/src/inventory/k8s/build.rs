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
    webhooks: Vec<WebhookConfiguration>,
    crds: Vec<String>,
    nodes: Vec<Node>,
    csi_drivers: Vec<String>,
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
                let pod: PodObject = parse(object).map_err(invalid)?;
                if let Some(owner) = controlling_owner(&pod.metadata)
                    && self.controller_keys.contains(&owner)
                {
                    *self.owned_pods.entry(owner).or_default() += 1;
                    return Ok(());
                }
                self.pods.push(Workload {
                    kind: "Pod".into(),
                    metadata: pod.metadata,
                    pod_labels: BTreeMap::new(),
                    spec: pod.spec,
                    pods: 1,
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
            "Service" => k8s.services.push(parse(object).map_err(invalid)?),
            "Ingress" => k8s.ingresses.push(parse(object).map_err(invalid)?),
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
            "ConfigMap" => {
                let namespace = object
                    .pointer("/metadata/namespace")
                    .and_then(Value::as_str);
                if name == "aws-auth" && namespace == Some("kube-system") {
                    k8s.aws_auth = Some(AwsAuth::from_configmap(&object));
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

    /// The inventory. A kind neither read, failed nor deliberately left out is recorded as
    /// failed with `unread_reason` (for exported files: which export is missing); a field made
    /// of several reads (workloads, RBAC) takes the failure of any of them, so no check takes an
    /// unread list for an empty one.
    pub fn finish(mut self, unread_reason: &str) -> KubernetesInventory {
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
        k8s.aws_auth = outcome.of(&[k(&AWS_AUTH)], || match objects.aws_auth {
            Some(mappings) => AwsAuthConfigMap::Present(mappings),
            // The ConfigMap was read (listed or got) and is not there.
            None => AwsAuthConfigMap::Absent,
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
    Ok(Workload {
        kind: kind.into(),
        metadata,
        pod_labels: template.metadata.labels,
        spec: template.spec,
        pods: 0,
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
    controllers: Vec<Workload>,
    pods: Vec<Workload>,
    owned_pods: HashMap<String, u32>,
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
    let mut standalone = Vec::new();
    for pod in pods {
        match controlling(&pod).and_then(|k| position.get(&k)) {
            Some(&owner) => pods_of[top[owner]] += 1,
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

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::inventory::Failures;

    #[test]
    fn null_fields_read_as_absent_ones() {
        // As a real API server returns an aggregated ClusterRole before the controller fills it.
        let mut builder = KubernetesBuilder::new("test");
        builder
            .add(
                "ClusterRole",
                json!({"metadata": {"name": "admin", "labels": null},
                       "aggregationRule": {"clusterRoleSelectors": []}, "rules": null}),
            )
            .unwrap();
        builder
            .add(
                "RoleBinding",
                json!({"metadata": {"name": "b", "namespace": "x"}, "subjects": null,
                       "roleRef": {"kind": "Role", "name": "r", "apiGroup": "rbac.authorization.k8s.io"}}),
            )
            .unwrap();
        for resource in [
            resources::CLUSTER_ROLES,
            resources::ROLES,
            resources::ROLE_BINDINGS,
            resources::CLUSTER_ROLE_BINDINGS,
        ] {
            builder.read(&resource);
        }
        let inventory = builder.finish("unread");
        let roles = inventory.roles.got().unwrap();
        assert_eq!(roles[0].metadata.name, "admin");
        assert!(roles[0].rules.is_empty());
        assert!(
            inventory.role_bindings.got().unwrap()[0]
                .subjects
                .is_empty()
        );
    }

    fn listed_everything(b: &mut KubernetesBuilder) {
        for r in resources::RESOURCES {
            b.read(r);
        }
    }

    fn pod(name: &str, owner: Option<(&str, &str)>) -> Value {
        let owners: Vec<Value> = owner
            .map(|(kind, name)| json!({"kind": kind, "name": name, "controller": true}))
            .into_iter()
            .collect();
        json!({"metadata": {"name": name, "namespace": "web", "ownerReferences": owners},
               "spec": {"containers": [{"name": "app", "image": "nginx:1.27"}]}})
    }

    #[test]
    fn pods_fold_into_their_deployment_through_the_replicaset() {
        let mut b = KubernetesBuilder::new("test");
        listed_everything(&mut b);
        b.add(
            "Deployment",
            json!({"metadata": {"name": "api", "namespace": "web"},
            "spec": {"template": {"metadata": {"labels": {"app": "api"}},
                     "spec": {"hostNetwork": true, "containers": [{"name": "app"}]}}}}),
        )
        .unwrap();
        b.add(
            "ReplicaSet",
            json!({"metadata": {"name": "api-5d", "namespace": "web",
            "ownerReferences": [{"kind": "Deployment", "name": "api", "controller": true}]},
            "spec": {"template": {"spec": {"containers": [{"name": "app"}]}}}}),
        )
        .unwrap();
        b.add("Pod", pod("api-5d-a", Some(("ReplicaSet", "api-5d"))))
            .unwrap();
        b.add("Pod", pod("api-5d-b", Some(("ReplicaSet", "api-5d"))))
            .unwrap();
        b.add("Pod", pod("debug", None)).unwrap();
        b.add("Pod", pod("node-mirror", Some(("Node", "ip-10-0-0-1"))))
            .unwrap();
        let k8s = b.finish("not read");
        let workloads = k8s.workloads.got().unwrap();
        let summary: Vec<(String, String, u32)> = workloads
            .iter()
            .map(|w| (w.kind.clone(), w.metadata.name.clone(), w.pods))
            .collect();
        assert_eq!(
            summary,
            [
                ("Deployment".into(), "api".into(), 2),
                ("Pod".into(), "debug".into(), 1),
                ("Pod".into(), "node-mirror".into(), 1)
            ]
        );
        assert!(workloads[0].spec.host_network);
        assert_eq!(workloads[0].pod_labels["app"], "api");
        assert!(k8s.failures().is_empty());
    }

    #[test]
    fn pods_fold_the_same_whether_they_come_before_or_after_their_controllers() {
        let deployment = json!({"metadata": {"name": "api", "namespace": "web"},
            "spec": {"template": {"spec": {"containers": [{"name": "app"}]}}}});
        let replicaset = json!({"metadata": {"name": "api-5d", "namespace": "web",
            "ownerReferences": [{"kind": "Deployment", "name": "api", "controller": true}]},
            "spec": {"template": {"spec": {"containers": [{"name": "app"}]}}}});
        let summary = |pods_first: bool| {
            let mut b = KubernetesBuilder::new("test");
            listed_everything(&mut b);
            let add_pods = |b: &mut KubernetesBuilder| {
                for name in ["api-5d-a", "api-5d-b", "api-5d-c"] {
                    b.add("Pod", pod(name, Some(("ReplicaSet", "api-5d"))))
                        .unwrap();
                }
                b.add("Pod", pod("orphan", Some(("ReplicaSet", "gone-1"))))
                    .unwrap();
            };
            if pods_first {
                add_pods(&mut b);
            }
            b.add("Deployment", deployment.clone()).unwrap();
            b.add("ReplicaSet", replicaset.clone()).unwrap();
            if !pods_first {
                add_pods(&mut b);
                // Counted on arrival, not kept.
                assert_eq!(b.pods.len(), 1, "only the orphan waits");
            }
            let workloads = b.finish("not read").workloads.got().cloned().unwrap();
            workloads
                .iter()
                .map(|w| (w.kind.clone(), w.metadata.name.clone(), w.pods))
                .collect::<Vec<_>>()
        };
        let expected = [
            ("Deployment".to_string(), "api".to_string(), 3),
            ("Pod".to_string(), "orphan".to_string(), 1),
        ];
        assert_eq!(summary(true), expected);
        assert_eq!(summary(false), expected);
    }

    #[test]
    fn a_cronjob_template_is_read_from_its_job_template() {
        let mut b = KubernetesBuilder::new("test");
        listed_everything(&mut b);
        b.add(
            "CronJob",
            json!({"metadata": {"name": "backup", "namespace": "ops"},
            "spec": {"jobTemplate": {"spec": {"template": {"spec": {"hostPID": true,
            "containers": [{"name": "b"}]}}}}}}),
        )
        .unwrap();
        let k8s = b.finish("not read");
        assert!(k8s.workloads.got().unwrap()[0].spec.host_pid);
    }

    #[test]
    fn a_failed_read_fails_the_field_instead_of_pretending_nothing_exists() {
        let mut b = KubernetesBuilder::new("test");
        listed_everything(&mut b);
        let roles = resources::by_kind("Role").unwrap();
        b.failed(roles, ErrorKind::AccessDenied, "forbidden");
        let k8s = b.finish("not read");
        let missing = k8s.roles().unwrap_err();
        assert_eq!(missing.cause().unwrap().api, resources::ROLES.need);
        assert_eq!(k8s.role_bindings, Read::Got(Collection::default()));
        assert_eq!(k8s.failures().len(), 1);
    }

    #[test]
    fn a_field_made_of_several_reads_keeps_every_failure() {
        let mut b = KubernetesBuilder::new("test");
        listed_everything(&mut b);
        b.failed(&resources::ROLES, ErrorKind::AccessDenied, "forbidden");
        b.failed(
            &resources::CLUSTER_ROLES,
            ErrorKind::AccessDenied,
            "forbidden",
        );
        let k8s = b.finish("not read");
        let apis: Vec<&str> = k8s.failures().iter().map(|f| f.api.as_str()).collect();
        assert_eq!(apis, [resources::ROLES.need, resources::CLUSTER_ROLES.need]);
        assert!(k8s.roles().is_err());
    }

    #[test]
    fn kinds_deliberately_not_read_are_not_collected_and_not_failures() {
        let mut b = KubernetesBuilder::new("test");
        listed_everything(&mut b);
        b.not_collected(&resources::INGRESSES);
        let k8s = b.finish("not read");
        assert_eq!(k8s.ingresses, Read::NotCollected);
        assert!(k8s.failures().is_empty());
    }

    #[test]
    fn kinds_never_read_are_failures_with_the_reason_given() {
        let mut b = KubernetesBuilder::new("dir");
        b.add_document(
            json!({"kind": "List", "items": [
            {"kind": "Namespace", "metadata": {"name": "web"}}]}),
            None,
        )
        .unwrap();
        let k8s = b.finish("no {resource} export in dir");
        assert_eq!(k8s.namespaces.got().unwrap().len(), 1);
        let failures = k8s.failures();
        let pods = failures
            .iter()
            .find(|g| g.api == resources::PODS.need)
            .unwrap();
        assert_eq!(pods.message, "no pods export in dir");
        assert_eq!(k8s.workloads().unwrap_err().cause(), Some(*pods));
    }

    #[test]
    fn secrets_handed_in_are_ignored_unparsed() {
        let mut b = KubernetesBuilder::new("dir");
        b.add_document(
            json!({"kind": "SecretList", "items": [
            {"metadata": {"name": "db"}, "data": {"password": "aHVudGVyMg=="}}]}),
            None,
        )
        .unwrap();
        assert_eq!(b.ignored_kinds().collect::<Vec<_>>(), ["Secret"]);
        let mut b = KubernetesBuilder::new("dir");
        b.add_document(
            json!({"kind": "List", "items": [
            {"kind": "Secret", "metadata": {"name": "db"}, "data": {"password": "aHVudGVyMg=="}}]}),
            None,
        )
        .unwrap();
        assert_eq!(b.ignored_kinds().collect::<Vec<_>>(), ["Secret"]);
        let text = serde_json::to_string(&b.finish("x")).unwrap();
        assert!(!text.contains("aHVudGVyMg"));
    }

    #[test]
    fn environment_values_are_dropped_and_secret_references_kept() {
        let mut b = KubernetesBuilder::new("t");
        listed_everything(&mut b);
        b.add(
            "Pod",
            json!({"metadata": {"name": "p", "namespace": "n"}, "spec": {"containers": [
            {"name": "c", "env": [{"name": "TOKEN", "value": "s3cr3t"},
             {"name": "DB", "valueFrom": {"secretKeyRef": {"name": "db", "key": "pw"}}}]}]}}),
        )
        .unwrap();
        let text = serde_json::to_string(&b.finish("x")).unwrap();
        assert!(!text.contains("s3cr3t"));
        assert!(text.contains("secretKeyRef"));
    }

    #[test]
    fn aws_auth_mappings_are_parsed_from_their_yaml_strings() {
        let auth = AwsAuth::from_configmap(&json!({"data": {
            "mapRoles": "- rolearn: arn:aws:iam::1:role/admin\n  username: admin\n  groups:\n    - system:masters\n",
            "mapUsers": "- userarn: arn:aws:iam::1:user/bob\n  username: bob\n",
            "mapAccounts": "not: [a list"}}));
        assert_eq!(auth.mappings.len(), 2);
        assert_eq!(auth.mappings[0].groups, ["system:masters"]);
        assert_eq!(auth.mappings[1].arn, "arn:aws:iam::1:user/bob");
        assert_eq!(auth.problems.len(), 1, "{:?}", auth.problems);
    }

    #[test]
    fn a_single_exported_object_counts_as_read() {
        let mut b = KubernetesBuilder::new("t");
        b.add_document(
            json!({"kind": "ConfigMap", "metadata": {"name": "aws-auth", "namespace": "kube-system"},
                   "data": {"mapRoles": "- rolearn: arn:aws:iam::1:role/a\n  groups: [system:masters]\n"}}),
            None,
        )
        .unwrap();
        let k8s = b.finish("x");
        let Read::Got(AwsAuthConfigMap::Present(auth)) = &k8s.aws_auth else {
            panic!("aws-auth not read: {:?}", k8s.aws_auth);
        };
        assert_eq!(auth.mappings[0].groups, ["system:masters"]);
    }

    #[test]
    fn a_configmap_list_without_aws_auth_means_it_is_absent() {
        let mut b = KubernetesBuilder::new("t");
        b.read(resources::by_kind("ConfigMap").unwrap());
        assert_eq!(b.finish("x").aws_auth, Read::Got(AwsAuthConfigMap::Absent));
    }
}
