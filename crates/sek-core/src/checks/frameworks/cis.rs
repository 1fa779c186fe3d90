//! The CIS Amazon EKS Benchmark's recommendations, v1.3.0 and v1.8.0.

use super::*;

/// CIS Amazon EKS Benchmark v1.3.0 (seed 002).
pub static CIS_EKS_1_3_0: &[Requirement] = &[
    req("2.1.1", "Enable audit Logs"),
    req(
        "3.1.1",
        "Ensure that the kubeconfig file permissions are set to 644 or more restrictive",
    ),
    req(
        "3.1.2",
        "Ensure that the kubelet kubeconfig file ownership is set to root:root",
    ),
    req(
        "3.1.3",
        "Ensure that the kubelet configuration file has permissions set to 644 or more restrictive",
    ),
    req(
        "3.1.4",
        "Ensure that the kubelet configuration file ownership is set to root:root",
    ),
    req("3.2.1", "Ensure that the Anonymous Auth is Not Enabled"),
    req(
        "3.2.2",
        "Ensure that the --authorization-mode argument is not set to AlwaysAllow",
    ),
    req("3.2.3", "Ensure that a Client CA File is Configured"),
    req("3.2.4", "Ensure that the --read-only-port is disabled"),
    req(
        "3.2.5",
        "Ensure that the --streaming-connection-idle-timeout argument is not set to 0",
    ),
    req(
        "3.2.6",
        "Ensure that the --make-iptables-util-chains argument is set to true",
    ),
    req(
        "3.2.7",
        "Ensure that the --hostname-override argument is not set",
    ),
    req(
        "3.2.8",
        "Ensure that the --eventRecordQPS argument is set to 0 or a level which ensures appropriate event capture",
    ),
    req(
        "3.2.9",
        "Ensure that the --rotate-certificates argument is not present or is set to true",
    ),
    req(
        "3.2.10",
        "Ensure that the RotateKubeletServerCertificate argument is set to true",
    ),
    req(
        "3.3.1",
        "Prefer using a container-optimized OS when possible",
    ),
    req(
        "4.1.1",
        "Ensure that the cluster-admin role is only used where required",
    ),
    req("4.1.2", "Minimize access to secrets"),
    req("4.1.3", "Minimize wildcard use in Roles and ClusterRoles"),
    req("4.1.4", "Minimize access to create pods"),
    req(
        "4.1.5",
        "Ensure that default service accounts are not actively used",
    ),
    req(
        "4.1.6",
        "Ensure that Service Account Tokens are only mounted where necessary",
    ),
    req("4.1.7", "Avoid use of system:masters group"),
    req(
        "4.1.8",
        "Limit use of the Bind, Impersonate and Escalate permissions in the Kubernetes cluster",
    ),
    req("4.2.1", "Minimize the admission of privileged containers"),
    req(
        "4.2.2",
        "Minimize the admission of containers wishing to share the host process ID namespace",
    ),
    req(
        "4.2.3",
        "Minimize the admission of containers wishing to share the host IPC namespace",
    ),
    req(
        "4.2.4",
        "Minimize the admission of containers wishing to share the host network namespace",
    ),
    req(
        "4.2.5",
        "Minimize the admission of containers with allowPrivilegeEscalation",
    ),
    req("4.2.6", "Minimize the admission of root containers"),
    req(
        "4.2.7",
        "Minimize the admission of containers with added capabilities",
    ),
    req(
        "4.2.8",
        "Minimize the admission of containers with capabilities assigned",
    ),
    req("4.3.1", "Ensure CNI plugin supports network policies"),
    req(
        "4.3.2",
        "Ensure that all Namespaces have Network Policies defined",
    ),
    req(
        "4.4.1",
        "Prefer using secrets as files over secrets as environment variables",
    ),
    req("4.4.2", "Consider external secret storage"),
    req(
        "4.5.1",
        "Create administrative boundaries between resources using namespaces",
    ),
    req(
        "4.5.2",
        "Apply Security Context to Your Pods and Containers",
    ),
    req("4.5.3", "The default namespace should not be used"),
    req(
        "5.1.1",
        "Ensure Image Vulnerability Scanning using Amazon ECR image scanning or a third party provider",
    ),
    req("5.1.2", "Minimize user access to Amazon ECR"),
    req(
        "5.1.3",
        "Minimize cluster access to read-only for Amazon ECR",
    ),
    req(
        "5.1.4",
        "Minimize Container Registries to only those approved",
    ),
    req("5.2.1", "Prefer using dedicated EKS Service Accounts"),
    req(
        "5.3.1",
        "Ensure Kubernetes Secrets are encrypted using Customer Master Keys (CMKs) managed in AWS KMS",
    ),
    req("5.4.1", "Restrict Access to the Control Plane Endpoint"),
    req(
        "5.4.2",
        "Ensure clusters are created with Private Endpoint Enabled and Public Access Disabled",
    ),
    req("5.4.3", "Ensure clusters are created with Private Nodes"),
    req(
        "5.4.4",
        "Ensure Network Policy is Enabled and set as appropriate",
    ),
    req(
        "5.4.5",
        "Encrypt traffic to HTTPS load balancers with TLS certificates",
    ),
    req(
        "5.5.1",
        "Manage Kubernetes RBAC users with AWS IAM Authenticator for Kubernetes or Upgrade to AWS CLI v1.16.156 or greater",
    ),
    req("5.6.1", "Consider Fargate for running untrusted workloads"),
];

/// CIS Amazon EKS Benchmark v1.8.0: all 50 recommendations.
pub static CIS_EKS_1_8_0: &[Requirement] = &[
    req("2.1.1", "Enable audit Logs"),
    req("2.1.2", "Ensure audit logs are collected and managed"),
    req(
        "3.1.1",
        "Ensure that the kubeconfig file permissions are set to 644 or more restrictive",
    ),
    req(
        "3.1.2",
        "Ensure that the kubelet kubeconfig file ownership is set to root:root",
    ),
    req(
        "3.1.3",
        "Ensure that the kubelet configuration file has permissions set to 644 or more restrictive",
    ),
    req(
        "3.1.4",
        "Ensure that the kubelet configuration file ownership is set to root:root",
    ),
    req("3.2.1", "Ensure that the Anonymous Auth is Not Enabled"),
    req(
        "3.2.2",
        "Ensure that the --authorization-mode argument is not set to AlwaysAllow",
    ),
    req("3.2.3", "Ensure that a Client CA File is Configured"),
    req("3.2.4", "Ensure that the --read-only-port is disabled"),
    req(
        "3.2.5",
        "Ensure that the --streaming-connection-idle-timeout argument is not set to 0",
    ),
    req(
        "3.2.6",
        "Ensure that the --make-iptables-util-chains argument is set to true",
    ),
    req(
        "3.2.7",
        "Ensure that the --eventRecordQPS argument is set to 0 or a level which ensures appropriate event capture",
    ),
    req(
        "3.2.8",
        "Ensure that the --rotate-certificates argument is not present or is set to true",
    ),
    req(
        "3.2.9",
        "Ensure that the RotateKubeletServerCertificate argument is set to true",
    ),
    req(
        "4.1.1",
        "Ensure that the cluster-admin role is only used where required",
    ),
    req("4.1.2", "Minimize access to secrets"),
    req("4.1.3", "Minimize wildcard use in Roles and ClusterRoles"),
    req("4.1.4", "Minimize access to create pods"),
    req(
        "4.1.5",
        "Ensure that default service accounts are not actively used",
    ),
    req(
        "4.1.6",
        "Ensure that Service Account Tokens are only mounted where necessary",
    ),
    req(
        "4.1.7",
        "Cluster Access Manager API to streamline and enhance the management of access controls within EKS clusters",
    ),
    req(
        "4.1.8",
        "Limit use of the Bind, Impersonate and Escalate permissions in the Kubernetes cluster",
    ),
    req(
        "4.1.9",
        "Minimize access to create PersistentVolume objects",
    ),
    req(
        "4.1.10",
        "Minimize access to the proxy sub-resource of Node objects",
    ),
    req("4.1.11", "Minimize access to webhook configuration objects"),
    req(
        "4.1.12",
        "Minimize access to the service account token creation",
    ),
    req("4.2.1", "Minimize the admission of privileged containers"),
    req(
        "4.2.2",
        "Minimize the admission of containers wishing to share the host process ID namespace",
    ),
    req(
        "4.2.3",
        "Minimize the admission of containers wishing to share the host IPC namespace",
    ),
    req(
        "4.2.4",
        "Minimize the admission of containers wishing to share the host network namespace",
    ),
    req(
        "4.2.5",
        "Minimize the admission of containers with allowPrivilegeEscalation",
    ),
    req("4.3.1", "Ensure CNI plugin supports network policies"),
    req(
        "4.3.2",
        "Ensure that all Namespaces have Network Policies defined",
    ),
    req(
        "4.4.1",
        "Prefer using secrets as files over secrets as environment variables",
    ),
    req("4.4.2", "Consider external secret storage"),
    req(
        "4.5.1",
        "Create administrative boundaries between resources using namespaces",
    ),
    req("4.5.2", "The default namespace should not be used"),
    req(
        "5.1.1",
        "Ensure Image Vulnerability Scanning using Amazon ECR image scanning or a third party provider",
    ),
    req("5.1.2", "Minimize user access to Amazon ECR"),
    req(
        "5.1.3",
        "Minimize cluster access to read-only for Amazon ECR",
    ),
    req(
        "5.1.4",
        "Minimize Container Registries to only those approved",
    ),
    req(
        "5.2.1",
        "Prefer using dedicated Amazon EKS Service Accounts",
    ),
    req(
        "5.3.1",
        "Ensure Kubernetes Secrets are encrypted using Customer Master Keys (CMKs) managed in AWS KMS",
    ),
    req("5.4.1", "Restrict Access to the Control Plane Endpoint"),
    req(
        "5.4.2",
        "Ensure clusters are created with Private Endpoint Enabled and Public Access Disabled",
    ),
    req("5.4.3", "Ensure clusters are created with Private Nodes"),
    req(
        "5.4.4",
        "Ensure Network Policy is Enabled and set as appropriate",
    ),
    req(
        "5.4.5",
        "Encrypt traffic to HTTPS load balancers with TLS certificates",
    ),
    req(
        "5.5.1",
        "Manage Kubernetes RBAC users with AWS IAM Authenticator for Kubernetes or Upgrade to AWS CLI v1.16.156 or greater",
    ),
];
