//! Turning Kubernetes API objects (List responses, `kubectl get -o json` output) into a
//! [`KubernetesInventory`]. Live collection and offline files both feed this builder, so they
//! cannot disagree on what an object means.
//!
//! Pods are folded into the controller that owns them (a pod of a ReplicaSet of a Deployment
//! counts towards the Deployment), so a finding names one workload rather than every replica.

use std::collections::{BTreeSet, HashMap, HashSet};

use serde::Deserialize;
use serde_json::Value;

use super::resources::{self, Resource};
use super::*;
use crate::inventory::{CollectError, ErrorKind};

/// Collects objects kind by kind, then [`finish`](KubernetesBuilder::finish)es into an inventory.
#[derive(Debug, Default)]
pub struct KubernetesBuilder {
    inventory: KubernetesInventory,
    /// Reads that completed (even with no objects).
    read: BTreeSet<&'static str>,
    /// Reads deliberately not made (no check needs them): their fields stay unset, without a
    /// recorded failure.
    not_collected: BTreeSet<&'static str>,
    controllers: Vec<Workload>,
    /// `Kind/namespace/name` of the controllers added so far.
    controller_keys: HashSet<String>,
    /// Pods whose controller had already been added, counted by that controller's key and not
    /// kept: a large cluster's replicas are not all held until the end.
    owned_pods: HashMap<String, u32>,
    /// Pods whose controller was not (yet) added: folded or kept at the end.
    pods: Vec<Workload>,
    configmap_listed: bool,
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
        if resource.kind == "ConfigMap" {
            self.configmap_listed = true;
        }
    }

    /// Record that `resource` is deliberately not read: no failure, but its field stays unset,
    /// so nothing takes it for empty.
    pub fn not_collected(&mut self, resource: &Resource) {
        self.not_collected.insert(resource.need);
    }

    /// Record that reading `resource` failed: the checks that need it report `error`.
    pub fn failed(&mut self, resource: &Resource, kind: ErrorKind, message: impl Into<String>) {
        self.inventory
            .gaps
            .push(CollectError::new(resource.need, vec![], kind, message));
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
        let k8s = &mut self.inventory;
        match kind {
            "Namespace" => push(&mut k8s.namespaces, parse(object).map_err(invalid)?),
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
            "ServiceAccount" => push(&mut k8s.service_accounts, parse(object).map_err(invalid)?),
            "Role" | "ClusterRole" => {
                let mut role: Role = parse(object).map_err(invalid)?;
                role.kind = kind.into();
                push(&mut k8s.roles, role);
            }
            "RoleBinding" | "ClusterRoleBinding" => {
                let mut binding: RoleBinding = parse(object).map_err(invalid)?;
                binding.kind = kind.into();
                push(&mut k8s.role_bindings, binding);
            }
            "NetworkPolicy" => push(&mut k8s.network_policies, parse(object).map_err(invalid)?),
            "Service" => push(&mut k8s.services, parse(object).map_err(invalid)?),
            "Ingress" => push(&mut k8s.ingresses, parse(object).map_err(invalid)?),
            "ValidatingWebhookConfiguration" | "MutatingWebhookConfiguration" => {
                let hooks: WebhookObject = parse(object).map_err(invalid)?;
                push(
                    &mut k8s.webhooks,
                    WebhookConfiguration {
                        kind: kind.into(),
                        name: hooks.metadata.name,
                        webhooks: hooks.webhooks.into_iter().map(|w| w.name).collect(),
                    },
                );
            }
            "CustomResourceDefinition" => push(&mut k8s.crds, name),
            "Node" => push(&mut k8s.nodes, node_from_object(&object).map_err(invalid)?),
            "CSIDriver" => push(&mut k8s.csi_drivers, name),
            "ConfigMap" => {
                let namespace = object
                    .pointer("/metadata/namespace")
                    .and_then(Value::as_str);
                if name == "aws-auth" && namespace == Some("kube-system") {
                    k8s.aws_auth = Some(Some(AwsAuth::from_configmap(&object)));
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
        if let Some(node) = self
            .inventory
            .nodes
            .iter_mut()
            .flatten()
            .find(|n| n.name == name)
        {
            match outcome {
                Ok(config) => node.kubelet = Some(config),
                Err(error) => node.kubelet_error = Some(error),
            }
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
        self.inventory
            .nodes
            .iter()
            .flatten()
            .map(|n| n.name.clone())
            .collect()
    }

    /// Kinds of objects that were handed in but are not read (e.g. `Secret`).
    pub fn ignored_kinds(&self) -> impl Iterator<Item = &str> {
        self.ignored.iter().map(String::as_str)
    }

    /// The inventory. Kinds neither read nor failed are recorded as gaps with `unread_reason`
    /// (for exported files: which export is missing), and a field is `None` when one of its
    /// reads failed, so no check takes an unread list for an empty one.
    pub fn finish(mut self, unread_reason: &str) -> KubernetesInventory {
        let failed: BTreeSet<String> = self.inventory.gaps.iter().map(|g| g.api.clone()).collect();
        for resource in resources::RESOURCES {
            if !self.read.contains(resource.need)
                && !failed.contains(resource.need)
                && !self.not_collected.contains(resource.need)
            {
                self.inventory.gaps.push(CollectError::new(
                    resource.need,
                    vec![],
                    ErrorKind::Other,
                    unread_reason.replace("{resource}", resource.plural),
                ));
            }
        }
        let missing: BTreeSet<String> = self.inventory.gaps.iter().map(|g| g.api.clone()).collect();
        let missing: BTreeSet<&str> = missing
            .iter()
            .map(String::as_str)
            .chain(self.not_collected.iter().copied())
            .collect();
        let any_missing = |needs: &[&str]| needs.iter().any(|n| missing.contains(n));
        let k8s = &mut self.inventory;
        k8s.workloads = (!any_missing(resources::WORKLOAD_READS)).then(|| {
            fold_pods(
                std::mem::take(&mut self.controllers),
                std::mem::take(&mut self.pods),
                std::mem::take(&mut self.owned_pods),
            )
        });
        fn keep<T>(field: &mut Option<Vec<T>>, ok: bool) {
            if !ok {
                *field = None;
            } else if field.is_none() {
                *field = Some(Vec::new());
            }
        }
        keep(
            &mut k8s.namespaces,
            !missing.contains(resources::NAMESPACES),
        );
        keep(
            &mut k8s.service_accounts,
            !missing.contains(resources::SERVICE_ACCOUNTS),
        );
        keep(
            &mut k8s.roles,
            !any_missing(&[resources::ROLES, resources::CLUSTER_ROLES]),
        );
        keep(
            &mut k8s.role_bindings,
            !any_missing(&[resources::ROLE_BINDINGS, resources::CLUSTER_ROLE_BINDINGS]),
        );
        keep(
            &mut k8s.network_policies,
            !missing.contains(resources::NETWORK_POLICIES),
        );
        keep(&mut k8s.services, !missing.contains(resources::SERVICES));
        keep(&mut k8s.ingresses, !missing.contains(resources::INGRESSES));
        keep(
            &mut k8s.webhooks,
            !any_missing(&[resources::VALIDATING_WEBHOOKS, resources::MUTATING_WEBHOOKS]),
        );
        keep(&mut k8s.crds, !missing.contains(resources::CRDS));
        keep(
            &mut k8s.csi_drivers,
            !missing.contains(resources::CSI_DRIVERS),
        );
        keep(&mut k8s.nodes, !missing.contains(resources::NODES));
        if missing.contains(resources::AWS_AUTH) {
            k8s.aws_auth = None;
        } else if k8s.aws_auth.is_none() && self.configmap_listed {
            k8s.aws_auth = Some(None);
        }
        if let Some(workloads) = &mut k8s.workloads {
            workloads.sort_by(|a, b| {
                (&a.metadata.namespace, &a.kind, &a.metadata.name).cmp(&(
                    &b.metadata.namespace,
                    &b.kind,
                    &b.metadata.name,
                ))
            });
        }
        self.inventory
    }
}

fn push<T>(field: &mut Option<Vec<T>>, item: T) {
    field.get_or_insert_with(Vec::new).push(item);
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
            builder.read(
                resources::RESOURCES
                    .iter()
                    .find(|r| r.need == resource)
                    .unwrap(),
            );
        }
        let inventory = builder.finish("unread");
        let roles = inventory.roles.unwrap();
        assert_eq!(roles[0].metadata.name, "admin");
        assert!(roles[0].rules.is_empty());
        assert!(inventory.role_bindings.unwrap()[0].subjects.is_empty());
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
        let workloads = k8s.workloads.unwrap();
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
        assert!(k8s.gaps.is_empty());
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
            let workloads = b.finish("not read").workloads.unwrap();
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
        assert!(k8s.workloads.unwrap()[0].spec.host_pid);
    }

    #[test]
    fn a_failed_read_empties_the_field_instead_of_pretending_nothing_exists() {
        let mut b = KubernetesBuilder::new("test");
        listed_everything(&mut b);
        let roles = resources::by_kind("Role").unwrap();
        b.failed(roles, ErrorKind::AccessDenied, "forbidden");
        let k8s = b.finish("not read");
        assert!(k8s.roles.is_none());
        assert_eq!(k8s.role_bindings, Some(vec![]));
        assert_eq!(k8s.gaps.len(), 1);
    }

    #[test]
    fn kinds_never_read_are_gaps_with_the_reason_given() {
        let mut b = KubernetesBuilder::new("dir");
        b.add_document(
            json!({"kind": "List", "items": [
            {"kind": "Namespace", "metadata": {"name": "web"}}]}),
            None,
        )
        .unwrap();
        let k8s = b.finish("no {resource} export in dir");
        assert_eq!(k8s.namespaces.as_ref().unwrap().len(), 1);
        assert!(k8s.workloads.is_none());
        let pods = k8s.gaps.iter().find(|g| g.api == resources::PODS).unwrap();
        assert_eq!(pods.message, "no pods export in dir");
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
        assert_eq!(
            k8s.aws_auth.unwrap().unwrap().mappings[0].groups,
            ["system:masters"]
        );
        assert!(!k8s.gaps.iter().any(|g| g.api == resources::AWS_AUTH));
    }

    #[test]
    fn a_configmap_list_without_aws_auth_means_it_is_absent() {
        let mut b = KubernetesBuilder::new("t");
        b.read(resources::by_kind("ConfigMap").unwrap());
        assert_eq!(b.finish("x").aws_auth, Some(None));
    }
}
