//go:build tools

// The programs the tests build from this module: kube-apiserver and kubectl at one Kubernetes
// release, with every k8s.io staging module pinned to the matching version in go.mod.
package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
