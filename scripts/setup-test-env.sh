#!/usr/bin/env bash
# Installs what sek's tests need that cargo does not: a Python virtualenv with the pinned AWS
# emulator (moto) in .venv/, a real kube-apiserver and etcd built with Go from the Go module proxy
# (tests/kube/apiserver/go.mod pins the Kubernetes release), and Debian's chromium for the HTML
# report test. Idempotent: does nothing when they are already there. The Go build is cached in
# ${SEK_TEST_CACHE:-~/.cache/sek-test}, keyed by the module files, and linked into .venv/bin.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/.venv"
requirements="$root/tests/moto/requirements.txt"

python="${PYTHON:-python3}"
if ! command -v "$python" >/dev/null 2>&1; then
  echo "error: $python not found; install Python 3 (Debian: apt-get install python3 python3-venv)" >&2
  exit 1
fi

# A headless browser for the HTML report test (Debian's chromium; the tests never fetch one).
if ! command -v chromium >/dev/null 2>&1; then
  echo "installing chromium (headless browser for the HTML report test)..." >&2
  if [ "$(id -u)" = 0 ]; then sudo=""; elif command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
    echo "error: chromium is missing and this is not root; install it: apt-get install chromium" >&2
    exit 1
  fi
  $sudo apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi

stamp="$venv/.requirements.sha256"
wanted="$(sha256sum "$requirements" | cut -d' ' -f1)"
if [ ! -x "$venv/bin/moto_server" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
  echo "setting up $venv (moto for the live AWS tests)..." >&2
  if ! "$python" -m venv "$venv" 2>/dev/null; then
    # Debian ships venv separately; ensurepip is what is missing when this fails.
    echo "error: '$python -m venv' failed; on Debian run: apt-get install python3-venv" >&2
    exit 1
  fi
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$requirements"
  echo "$wanted" > "$stamp"
fi

# The Kubernetes tests run a real kube-apiserver (on etcd, embedded from the same module set).
module="$root/tests/kube/apiserver"
if ! command -v go >/dev/null 2>&1; then
  echo "error: go not found; the Kubernetes tests build kube-apiserver with Go 1.26 (https://go.dev/dl)" >&2
  exit 1
fi
key="$( (cat "$module/go.mod" "$module/go.sum" "$module/etcd/main.go"; sed -n '/^  (/,/^  )/p' "$0") | sha256sum | cut -c1-16)"
cache="${SEK_TEST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/sek-test}/kube-$key"
if [ ! -x "$cache/kube-apiserver" ] || [ ! -x "$cache/etcd" ]; then
  echo "building kube-apiserver and etcd with Go into $cache (cold: several minutes)..." >&2
  mkdir -p "$cache.tmp"
  started=$(date +%s)
  (
    cd "$module"
    # The release the binaries report (/version), as Kubernetes' own build stamps it.
    version="$(go list -m -f '{{.Version}}' k8s.io/kubernetes)"
    minor="$(echo "$version" | cut -d. -f2)"
    stamp=""
    for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
      stamp="$stamp -X $pkg.gitVersion=$version -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean"
    done
    # -s -w: no symbol tables or DWARF, which only slow the link; -buildvcs=false: the module
    # sits in sek's git checkout, whose state is not the binaries' version.
    go build -trimpath -buildvcs=false -ldflags="-s -w $stamp" -o "$cache.tmp/kube-apiserver" k8s.io/kubernetes/cmd/kube-apiserver
    go build -trimpath -buildvcs=false -ldflags='-s -w' -o "$cache.tmp/etcd" ./etcd
  )
  rm -rf "$cache"
  mv "$cache.tmp" "$cache"
  echo "built in $(( $(date +%s) - started )) s" >&2
fi
ln -sf "$cache/kube-apiserver" "$venv/bin/kube-apiserver"
ln -sf "$cache/etcd" "$venv/bin/etcd"
