//! Building the Kubernetes inventory from API pages and exports: kinds, failures, folding pods.

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

#[test]
fn field_managers_are_kept_by_name_and_survive_a_snapshot() {
    let meta: ObjectMeta = serde_json::from_value(json!({
        "name": "ebs-csi-provisioner-binding",
        "managedFields": [
            {"manager": "eks", "operation": "Apply", "fieldsV1": {"f:subjects": {}}},
            {"manager": "kubectl-edit", "operation": "Update"},
            {"manager": "eks", "operation": "Update"},
        ]
    }))
    .unwrap();
    assert_eq!(meta.field_managers, ["eks", "kubectl-edit"]);
    assert!(meta.installed_by_eks());
    let again: ObjectMeta = serde_json::from_str(&serde_json::to_string(&meta).unwrap()).unwrap();
    assert_eq!(again, meta);
    let copy: ObjectMeta =
        serde_json::from_value(json!({"name": "ebs-csi-provisioner-binding"})).unwrap();
    assert!(!copy.installed_by_eks());
}

#[test]
fn every_failed_read_is_among_the_inventorys_collection_errors() {
    // A field left out of `failures_in!` would hide its failure from the report's collection
    // errors: every resource, failed alone, must come back out.
    for resource in resources::RESOURCES {
        let mut builder = KubernetesBuilder::new("test");
        for other in resources::RESOURCES {
            if other != resource {
                builder.read(other);
            }
        }
        builder.failed(resource, ErrorKind::AccessDenied, "forbidden");
        let inventory = builder.finish("unused");
        let apis: Vec<&str> = inventory
            .failures()
            .iter()
            .map(|e| e.api.as_str())
            .collect();
        assert_eq!(apis, [resource.need], "{}", resource.need);
    }
}

#[test]
fn a_custom_kind_without_its_crd_has_no_objects_and_with_it_must_be_read() {
    let finish = |crds: &[&str]| {
        let mut builder = KubernetesBuilder::new("export");
        for crd in crds {
            builder
                .add(
                    "CustomResourceDefinition",
                    json!({"metadata": {"name": crd}}),
                )
                .unwrap();
        }
        builder.read(&resources::CRDS);
        builder.finish("no {resource} in the export")
    };
    let without = finish(&[]);
    assert_eq!(without.node_pools().unwrap().len(), 0);
    assert_eq!(without.ec2_node_classes().unwrap().len(), 0);
    // The CRD is installed but its objects were not exported: unread, not empty.
    let with = finish(&["nodepools.karpenter.sh"]);
    let missing = with.node_pools().unwrap_err();
    assert!(
        missing.reason().contains("no nodepools in the export"),
        "{}",
        missing.reason()
    );
    assert_eq!(with.ec2_node_classes().unwrap().len(), 0);
}
