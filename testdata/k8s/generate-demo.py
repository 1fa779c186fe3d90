#!/usr/bin/env python3
"""Writes testdata/k8s/demo-prod.json (the demo cluster's Kubernetes side, as `kubectl get -o json`
exports it) and demo-prod-configz.json (what each node's kubelet reports through configz).
Run from the repository root."""
import json
ACC="111122223333"; ECR=f"{ACC}.dkr.ecr.eu-west-1.amazonaws.com"; AWS="602401143452.dkr.ecr.eu-west-1.amazonaws.com"
items=[]
def meta(name, ns=None, **kw):
    m={"name":name,"uid":f"uid-{ns or ''}-{name}","creationTimestamp":"2026-09-14T08:12:00Z"}
    if ns: m["namespace"]=ns
    m.update(kw); return m
def add(kind, api, m, **body):
    o={"apiVersion":api,"kind":kind,"metadata":m}; o.update(body); items.append(o)
for ns,psa in [("default","restricted"),("kube-system",None),("kube-public",None),("kube-node-lease",None),("shop","restricted"),("payments","baseline"),("legacy",None)]:
    labels={"kubernetes.io/metadata.name":ns}
    if psa: labels["pod-security.kubernetes.io/enforce"]=psa
    add("Namespace","v1",meta(ns,labels=labels),spec={"finalizers":["kubernetes"]},status={"phase":"Active"})
hard={"allowPrivilegeEscalation":False,"readOnlyRootFilesystem":True,"capabilities":{"drop":["ALL"]}}
limits={"limits":{"cpu":"500m","memory":"256Mi"},"requests":{"cpu":"100m","memory":"128Mi"}}
def tmpl(labels, spec): return {"metadata":{"labels":labels},"spec":spec}
def pulled(spec, digest):
    """Pod status naming the digest each container pulled (`imageID`), as the kubelet reports it."""
    if not digest: return {"phase":"Running"}
    repo=lambda image: image.split("@")[0].rsplit(":",1)[0] if ":" in image.split("@")[0].rsplit("/",1)[-1] else image.split("@")[0]
    return {"phase":"Running","containerStatuses":[{"name":c["name"],"image":c["image"],"imageID":f"{repo(c['image'])}@{digest}","ready":True} for c in spec["containers"]]}
def controller(kind, api, name, ns, spec, replicas=None, pods=0, labels=None, digest=None):
    labels=labels or {"app":name}
    body={"selector":{"matchLabels":labels},"template":tmpl(labels,spec)}
    if replicas is not None: body["replicas"]=replicas
    if kind=="StatefulSet": body["serviceName"]=name
    add(kind,api,meta(name,ns,labels=labels),spec=body)
    owner_kind, owner = kind, name
    if kind=="Deployment":
        rs=f"{name}-7d9f8b6c5"
        add("ReplicaSet","apps/v1",meta(rs,ns,labels=labels,ownerReferences=[{"apiVersion":"apps/v1","kind":"Deployment","name":name,"uid":"x","controller":True}]),spec={"replicas":replicas,"selector":{"matchLabels":labels},"template":tmpl(labels,spec)})
        owner_kind, owner = "ReplicaSet", rs
    for i in range(pods):
        add("Pod","v1",meta(f"{owner}-{i:05x}"[:63],ns,labels=labels,ownerReferences=[{"apiVersion":"apps/v1","kind":owner_kind,"name":owner,"uid":"x","controller":True}]),spec=spec,status=pulled(spec,digest))
# AWS components
controller("DaemonSet","apps/v1","aws-node","kube-system",{"serviceAccountName":"aws-node","hostNetwork":True,"containers":[{"name":"aws-node","image":f"{AWS}/amazon-k8s-cni:v1.19.2-eksbuild.1","securityContext":{"privileged":True},"resources":{"requests":{"cpu":"25m"}}}],"initContainers":[{"name":"aws-vpc-cni-init","image":f"{AWS}/amazon-k8s-cni-init:v1.19.2-eksbuild.1","securityContext":{"privileged":True}}],"volumes":[{"name":"cni-bin-dir","hostPath":{"path":"/opt/cni/bin"}},{"name":"run-dir","hostPath":{"path":"/var/run/aws-node"}}]},pods=4,labels={"k8s-app":"aws-node"})
controller("DaemonSet","apps/v1","kube-proxy","kube-system",{"serviceAccountName":"kube-proxy","hostNetwork":True,"containers":[{"name":"kube-proxy","image":f"{AWS}/eks/kube-proxy:v1.31.3-minimal-eksbuild.2","securityContext":{"privileged":True}}],"volumes":[{"name":"xtables-lock","hostPath":{"path":"/run/xtables.lock"}}]},pods=4,labels={"k8s-app":"kube-proxy"})
controller("Deployment","apps/v1","coredns","kube-system",{"serviceAccountName":"coredns","containers":[{"name":"coredns","image":f"{AWS}/eks/coredns:v1.11.4-eksbuild.2","securityContext":{"allowPrivilegeEscalation":False,"readOnlyRootFilesystem":True,"capabilities":{"add":["NET_BIND_SERVICE"],"drop":["ALL"]}},"resources":{"limits":{"memory":"170Mi"}}}]},replicas=2,pods=2,labels={"k8s-app":"kube-dns"})
# shop: mostly hardened frontend, weak cart
sec={"runAsNonRoot":True,"runAsUser":10001,"seccompProfile":{"type":"RuntimeDefault"}}
controller("Deployment","apps/v1","frontend","shop",{"serviceAccountName":"frontend","automountServiceAccountToken":False,"securityContext":sec,"containers":[{"name":"web","image":f"{ECR}/shop/frontend:2.14.1@sha256:4f1c2a9e8b7d6c5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b2a19","securityContext":hard,"resources":limits,"ports":[{"containerPort":8080}]}]},replicas=3,pods=3,digest="sha256:4f1c2a9e8b7d6c5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b2a19")
controller("Deployment","apps/v1","cart","shop",{"containers":[{"name":"redis","image":"redis:latest","resources":{}}]},replicas=1,pods=1)
# payments: secrets in env, hostPath logs
controller("Deployment","apps/v1","payments-api","payments",{"serviceAccountName":"payments-api","securityContext":sec,"containers":[{"name":"api","image":f"{ECR}/payments/api:5.2.0","securityContext":{"allowPrivilegeEscalation":False,"capabilities":{"drop":["ALL"]}},"resources":limits,"env":[{"name":"LOG_LEVEL","value":"info"},{"name":"DB_PASSWORD","valueFrom":{"secretKeyRef":{"name":"payments-db","key":"password"}}}],"volumeMounts":[{"name":"logs","mountPath":"/var/log/app"}]}],"volumes":[{"name":"logs","hostPath":{"path":"/var/log/payments"}}]},replicas=2,pods=2,digest="sha256:7a3e9b1c5d2f4a6e8b0c1d3e5f7a9b2c4d6e8f0a1b3c5d7e9f2a4b6c8d0e1f3a")
add("CronJob","batch/v1",meta("ledger-export","payments"),spec={"schedule":"0 2 * * *","jobTemplate":{"spec":{"template":{"spec":{"serviceAccountName":"payments-api","restartPolicy":"OnFailure","securityContext":sec,"containers":[{"name":"export","image":f"{ECR}/payments/export:1.0.3","securityContext":hard,"resources":limits}]}}}}})
controller("StatefulSet","apps/v1","orders-db","shop",{"serviceAccountName":"default","securityContext":sec,"containers":[{"name":"postgres","image":f"{ECR}/shop/postgres:16.4","securityContext":hard,"resources":{"limits":{"memory":"1Gi"}}}]},replicas=1,pods=0)
add("Pod","v1",meta("orders-db-0","shop",ownerReferences=[{"apiVersion":"apps/v1","kind":"StatefulSet","name":"orders-db","uid":"x","controller":True}]),spec={"containers":[{"name":"postgres","image":f"{ECR}/shop/postgres:16.4"}]},status=pulled({"containers":[{"name":"postgres","image":f"{ECR}/shop/postgres:16.4"}]},"sha256:d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2"))
add("Job","batch/v1",meta("ledger-export-29345678","payments",ownerReferences=[{"apiVersion":"batch/v1","kind":"CronJob","name":"ledger-export","uid":"x","controller":True}]),spec={"template":{"spec":{"restartPolicy":"OnFailure","containers":[{"name":"export","image":f"{ECR}/payments/export:1.0.3"}]}}})
# legacy: a bare debug pod with everything wrong
add("Pod","v1",meta("node-debugger","legacy"),spec={"hostPID":True,"hostNetwork":True,"containers":[{"name":"shell","image":"ubuntu","securityContext":{"privileged":True},"volumeMounts":[{"name":"docker","mountPath":"/var/run/docker.sock"}]}],"volumes":[{"name":"docker","hostPath":{"path":"/var/run/docker.sock"}}]},status={"phase":"Running"})
# service accounts
for ns in ["default","kube-system","kube-public","kube-node-lease","shop","payments","legacy"]:
    add("ServiceAccount","v1",meta("default",ns),**({"automountServiceAccountToken":False} if ns in ("shop","payments") else {}))
for ns,name,extra in [("kube-system","aws-node",{}),("kube-system","kube-proxy",{}),("kube-system","coredns",{}),("shop","frontend",{"automountServiceAccountToken":False}),("payments","payments-api",{})]:
    add("ServiceAccount","v1",meta(name,ns),**extra)
R="rbac.authorization.k8s.io/v1"
def rule(groups,res,verbs): return {"apiGroups":groups,"resources":res,"verbs":verbs}
add("ClusterRole",R,meta("cluster-admin",labels={"kubernetes.io/bootstrapping":"rbac-defaults"}),rules=[rule(["*"],["*"],["*"]),{"nonResourceURLs":["*"],"verbs":["*"]}])
add("ClusterRole",R,meta("view"),rules=[rule([""],["pods","services","configmaps"],["get","list","watch"])])
add("ClusterRole",R,meta("system:public-info-viewer"),rules=[{"nonResourceURLs":["/healthz","/livez","/readyz","/version"],"verbs":["get"]}])
add("ClusterRole",R,meta("system:coredns"),rules=[rule([""],["endpoints","services","pods","namespaces"],["list","watch"])])
add("ClusterRole",R,meta("aws-node"),rules=[rule([""],["pods","namespaces"],["list","watch","get"]),rule([""],["nodes"],["list","watch","get","update"])])
add("ClusterRole",R,meta("ops-deployer"),rules=[rule(["apps"],["deployments","statefulsets"],["*"]),rule([""],["pods/exec"],["create"])])
add("Role",R,meta("secret-reader","payments"),rules=[rule([""],["secrets"],["get","list"])])
def bind(kind,name,ns,role_kind,role,subjects):
    m=meta(name,ns) if ns else meta(name)
    add(kind,R,m,roleRef={"apiGroup":"rbac.authorization.k8s.io","kind":role_kind,"name":role},subjects=subjects)
G=lambda n:{"kind":"Group","apiGroup":"rbac.authorization.k8s.io","name":n}
U=lambda n:{"kind":"User","apiGroup":"rbac.authorization.k8s.io","name":n}
SA=lambda ns,n:{"kind":"ServiceAccount","name":n,"namespace":ns}
bind("ClusterRoleBinding","cluster-admin",None,"ClusterRole","cluster-admin",[G("system:masters")])
bind("ClusterRoleBinding","system:public-info-viewer",None,"ClusterRole","system:public-info-viewer",[G("system:authenticated"),G("system:unauthenticated")])
bind("ClusterRoleBinding","system:coredns",None,"ClusterRole","system:coredns",[SA("kube-system","coredns")])
bind("ClusterRoleBinding","aws-node",None,"ClusterRole","aws-node",[SA("kube-system","aws-node")])
bind("ClusterRoleBinding","ci-admin",None,"ClusterRole","cluster-admin",[U("ci-bot"),SA("legacy","default")])
bind("ClusterRoleBinding","ops-deployers",None,"ClusterRole","ops-deployer",[G("ops")])
bind("RoleBinding","payments-secrets","payments","Role","secret-reader",[SA("payments","payments-api")])
N="networking.k8s.io/v1"
add("NetworkPolicy",N,meta("default-deny","shop"),spec={"podSelector":{},"policyTypes":["Ingress","Egress"]})
add("NetworkPolicy",N,meta("allow-frontend","shop"),spec={"podSelector":{"matchLabels":{"app":"frontend"}},"policyTypes":["Ingress"],"ingress":[{"ports":[{"port":8080}]}]})
add("NetworkPolicy",N,meta("allow-dns","payments"),spec={"podSelector":{},"policyTypes":["Egress"],"egress":[{"to":[{"namespaceSelector":{"matchLabels":{"kubernetes.io/metadata.name":"kube-system"}}}],"ports":[{"port":53,"protocol":"UDP"}]},{"to":[{"ipBlock":{"cidr":"10.0.0.0/8"}}]}]})
add("Service","v1",meta("kubernetes","default"),spec={"type":"ClusterIP","ports":[{"name":"https","port":443}]})
add("Service","v1",meta("kube-dns","kube-system"),spec={"type":"ClusterIP","selector":{"k8s-app":"kube-dns"},"ports":[{"name":"dns","port":53}]})
add("Service","v1",meta("frontend","shop",annotations={"service.beta.kubernetes.io/aws-load-balancer-ssl-cert":f"arn:aws:acm:eu-west-1:{ACC}:certificate/5b1c2d3e-4f5a-6b7c-8d9e-0f1a2b3c4d5e","service.beta.kubernetes.io/aws-load-balancer-type":"external"}),spec={"type":"LoadBalancer","selector":{"app":"frontend"},"ports":[{"name":"https","port":443}]})
add("Service","v1",meta("payments-api","payments"),spec={"type":"LoadBalancer","selector":{"app":"payments-api"},"ports":[{"name":"http","port":80}]})
add("Ingress",N,meta("shop","shop",annotations={"alb.ingress.kubernetes.io/certificate-arn":f"arn:aws:acm:eu-west-1:{ACC}:certificate/5b1c2d3e-4f5a-6b7c-8d9e-0f1a2b3c4d5e","alb.ingress.kubernetes.io/listen-ports":"[{\"HTTPS\":443}]"}),spec={"ingressClassName":"alb","rules":[{"host":"shop.example.com"}]})
add("ConfigMap","v1",meta("aws-auth","kube-system"),data={"mapRoles":f"- rolearn: arn:aws:iam::{ACC}:role/demo-prod-nodes\n  username: system:node:{{{{EC2PrivateDNSName}}}}\n  groups:\n    - system:bootstrappers\n    - system:nodes\n- rolearn: arn:aws:iam::{ACC}:role/platform-admin\n  username: platform-admin\n  groups:\n    - system:masters\n"})
# EKS's kube-proxy configuration, as the add-on installs it (metrics on every address).
add("ConfigMap","v1",meta("kube-proxy-config","kube-system",labels={"eks.amazonaws.com/component":"kube-proxy"}),data={"config":
    "apiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\nbindAddress: 0.0.0.0\nclientConnection:\n  kubeconfig: /var/lib/kube-proxy/kubeconfig\nclusterCIDR: \"\"\nmetricsBindAddress: 0.0.0.0:10249\nmode: \"iptables\"\n"})
def webhook(name, service, path):
    return {"name":name,"admissionReviewVersions":["v1"],"sideEffects":"None","failurePolicy":"Ignore",
            "clientConfig":{"service":{"namespace":"kube-system","name":service,"path":path}},
            "rules":[{"apiGroups":[""],"apiVersions":["v1"],"operations":["CREATE"],"resources":["pods"]}]}
add("ValidatingWebhookConfiguration","admissionregistration.k8s.io/v1",meta("vpc-resource-validating-webhook"),webhooks=[webhook("vpc-resource-validating-webhook.k8s.aws","vpc-resource-controller","/validate-v1-pod")])
add("MutatingWebhookConfiguration","admissionregistration.k8s.io/v1",meta("pod-identity-webhook"),webhooks=[webhook("iam-for-pods.amazonaws.com","pod-identity-webhook","/mutate")])
for crd,kind in [("eniconfigs.crd.k8s.amazonaws.com","ENIConfig"),("securitygrouppolicies.vpcresources.k8s.aws","SecurityGroupPolicy"),("policyendpoints.networking.k8s.aws","PolicyEndpoint")]:
    plural,group=crd.split(".",1)
    add("CustomResourceDefinition","apiextensions.k8s.io/v1",meta(crd),spec={"group":group,"scope":"Namespaced" if kind!="ENIConfig" else "Cluster",
        "names":{"plural":plural,"singular":kind.lower(),"kind":kind,"listKind":kind+"List"},
        "versions":[{"name":"v1alpha1" if kind!="SecurityGroupPolicy" else "v1beta1","served":True,"storage":True,
                     "schema":{"openAPIV3Schema":{"type":"object","x-kubernetes-preserve-unknown-fields":True}}}]})
# Karpenter 1.x: its CRDs (schemas trimmed), two EC2NodeClasses and the NodePools that use them.
for crd,kind in [("ec2nodeclasses.karpenter.k8s.aws","EC2NodeClass"),("nodepools.karpenter.sh","NodePool")]:
    plural,group=crd.split(".",1)
    add("CustomResourceDefinition","apiextensions.k8s.io/v1",meta(crd),spec={"group":group,"scope":"Cluster",
        "names":{"plural":plural,"singular":kind.lower(),"kind":kind,"listKind":kind+"List"},
        "versions":[{"name":"v1","served":True,"storage":True,
                     "schema":{"openAPIV3Schema":{"type":"object","x-kubernetes-preserve-unknown-fields":True}}}]})
selectors={"securityGroupSelectorTerms":[{"tags":{"karpenter.sh/discovery":"demo-prod"}}],
           "subnetSelectorTerms":[{"tags":{"karpenter.sh/discovery":"demo-prod"}}]}
# "default" keeps Karpenter's defaults (IMDSv2, hop limit 1, encrypted root volume); "batch" was loosened
# for a legacy job that reads instance metadata, and adds an unencrypted scratch volume.
add("EC2NodeClass","karpenter.k8s.aws/v1",meta("default"),spec={"amiSelectorTerms":[{"alias":"al2023@latest"}],
    "role":"eks-system-node",**selectors},
    status={"amis":[{"id":"ami-0e1f2a3b4c5d6e7f8","name":"amazon-eks-node-al2023-x86_64-standard-1.31-v20241115"}],
            "subnets":[{"id":"subnet-0priv1a00000001","zone":"eu-west-1a"},{"id":"subnet-0priv1b00000002","zone":"eu-west-1b"}],
            "securityGroups":[{"id":"sg-0c1a2b3c4d5e6f701"},{"id":"sg-0e1f2a3b4c5d6e702"}]})
add("EC2NodeClass","karpenter.k8s.aws/v1",meta("batch"),spec={"amiSelectorTerms":[{"id":"ami-0b47c1d2e3f405162"}],
    "role":"eks-batch-node","metadataOptions":{"httpEndpoint":"enabled","httpTokens":"optional","httpPutResponseHopLimit":2},
    "blockDeviceMappings":[{"deviceName":"/dev/xvda","rootVolume":True,"ebs":{"volumeSize":"50Gi","volumeType":"gp3","encrypted":True}},
                           {"deviceName":"/dev/xvdb","ebs":{"volumeSize":"500Gi","volumeType":"gp3"}}],**selectors},
    status={"amis":[{"id":"ami-0b47c1d2e3f405162","name":"batch-golden-2024-03"}],
            "subnets":[{"id":"subnet-0pub1a000000003","zone":"eu-west-1a"}],"securityGroups":[{"id":"sg-0c1a2b3c4d5e6f701"}]})
def nodepool(name, node_class, expire=None):
    spec={"nodeClassRef":{"group":"karpenter.k8s.aws","kind":"EC2NodeClass","name":node_class},
          "requirements":[{"key":"karpenter.sh/capacity-type","operator":"In","values":["on-demand"]}]}
    if expire: spec["expireAfter"]=expire
    add("NodePool","karpenter.sh/v1",meta(name),spec={"template":{"spec":spec},"disruption":{"consolidationPolicy":"WhenEmptyOrUnderutilized"}})
nodepool("default","default")
nodepool("batch","batch","Never")
add("CSIDriver","storage.k8s.io/v1",meta("ebs.csi.aws.com"),spec={"attachRequired":True})
# StorageClasses: the legacy default gp2 (encrypted only by the region's EBS default), gp3 with a KMS key,
# and an EFS class that turned off encryption in transit.
add("StorageClass","storage.k8s.io/v1",meta("gp2",annotations={"storageclass.kubernetes.io/is-default-class":"true"}),
    provisioner="kubernetes.io/aws-ebs",parameters={"type":"gp2","fsType":"ext4"},reclaimPolicy="Delete",volumeBindingMode="WaitForFirstConsumer")
add("StorageClass","storage.k8s.io/v1",meta("gp3-encrypted"),provisioner="ebs.csi.aws.com",
    parameters={"type":"gp3","encrypted":"true","kmsKeyId":f"arn:aws:kms:eu-west-1:{ACC}:key/5c2a1f3e-8d7b-4e6a-9f0c-1b2d3e4f5a6b"},reclaimPolicy="Delete",volumeBindingMode="WaitForFirstConsumer")
add("StorageClass","storage.k8s.io/v1",meta("efs-shared"),provisioner="efs.csi.aws.com",
    parameters={"provisioningMode":"efs-ap","fileSystemId":"fs-0a1b2c3d4e5f60718","directoryPerms":"700","encryptInTransit":"false"},reclaimPolicy="Delete")
# Nodes: the demo's four instances, and what each kubelet reports through configz.
nodes=[("ip-10-0-1-23.eu-west-1.compute.internal","i-0a1f3c5e7d9b2a401","eu-west-1a","Amazon Linux 2023.6.20241111","al2023"),
       ("ip-10-0-2-41.eu-west-1.compute.internal","i-0b2e4d6f8a0c3b502","eu-west-1b","Amazon Linux 2023.6.20241111","al2023"),
       ("ip-10-0-3-17.eu-west-1.compute.internal","i-0c3d5e7f9b1d4c603","eu-west-1c","Bottlerocket OS 1.26.2 (aws-k8s-1.31)","bottlerocket"),
       ("ip-10-0-9-5.eu-west-1.compute.internal","i-0d4c6f8a0e2b5d704","eu-west-1a","Amazon Linux 2","legacy")]
configz={}
base_auth={"x509":{"clientCAFile":"/etc/kubernetes/pki/ca.crt"},"webhook":{"enabled":True,"cacheTTL":"2m0s"},"anonymous":{"enabled":False}}
shapes={
 "al2023":{"authentication":base_auth,"authorization":{"mode":"Webhook"},"streamingConnectionIdleTimeout":"4h0m0s","eventRecordQPS":50,"makeIPTablesUtilChains":True,"rotateCertificates":True,"serverTLSBootstrap":True,"featureGates":{"RotateKubeletServerCertificate":True},"protectKernelDefaults":True},
 # Bottlerocket, hardened through settings.kubernetes: PID limit, RuntimeDefault seccomp, TLS 1.3 only.
 "bottlerocket":{"authentication":base_auth,"authorization":{"mode":"Webhook"},"streamingConnectionIdleTimeout":"4h0m0s","eventRecordQPS":5,"makeIPTablesUtilChains":True,"rotateCertificates":True,"serverTLSBootstrap":True,"protectKernelDefaults":True,"podPidsLimit":4096,"seccompDefault":True,"tlsMinVersion":"VersionTLS13"},
 # A hand-built AMI from 2023: read-only port open, anonymous requests answered, no rotation.
 "legacy":{"authentication":{"x509":{"clientCAFile":"/etc/kubernetes/pki/ca.crt"},"webhook":{"enabled":True},"anonymous":{"enabled":True}},"authorization":{"mode":"Webhook"},"readOnlyPort":10255,"streamingConnectionIdleTimeout":"0s","makeIPTablesUtilChains":True},
}
for name,iid,az,os_image,shape in nodes:
    add("Node","v1",meta(name,labels={"kubernetes.io/hostname":name,"topology.kubernetes.io/zone":az}),
        spec={"providerID":f"aws:///{az}/{iid}"},
        status={"nodeInfo":{"osImage":os_image,"kubeletVersion":"v1.31.2-eks-7f9249a","containerRuntimeVersion":"containerd://1.7.23"},
                "addresses":[{"type":"InternalIP","address":".".join(name.split(".")[0].split("-")[1:])},{"type":"Hostname","address":name}]})
    configz[name]={"kubeletconfig":shapes[shape]}
json.dump(configz,open("testdata/k8s/demo-prod-configz.json","w"),indent=1)
doc={"apiVersion":"v1","kind":"List","metadata":{"resourceVersion":""},"items":items}
json.dump(doc,open("testdata/k8s/demo-prod.json","w"),indent=1)
print(len(items))
