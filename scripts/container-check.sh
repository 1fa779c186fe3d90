#!/usr/bin/env bash
# Builds the container image from the Dockerfile and runs the demo in it:
#
#   scripts/container-check.sh [--local-bases] [IMAGE]     (default IMAGE: sek:check)
#
# BUILD_IMAGE and RUNTIME_IMAGE pick the base images (defaults in the Dockerfile: rust:1.95-bookworm
# and debian:bookworm-slim from Docker Hub). --local-bases builds both from Debian's packages
# instead, for machines that reach no container registry: debootstrap makes a minimal bookworm
# (imported as sek-local/debian:bookworm), and the build base adds gcc and this machine's own Rust
# toolchain (`rustc --print sysroot`) and CA bundle, imported as sek-local/rust:bookworm. Needs a Docker daemon
# (and, with --local-bases, root and debootstrap); without a daemon it says so and exits 2. The
# image build compiles sek in release mode: about 16 minutes on two cores.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
local_bases=false
if [ "${1:-}" = "--local-bases" ]; then local_bases=true; shift; fi
image="${1:-sek:check}"
if ! docker info >/dev/null 2>&1; then
  echo "error: no Docker daemon answers here (docker info failed); start one, or build the image elsewhere" >&2
  exit 2
fi

if $local_bases; then
  command -v debootstrap >/dev/null || { echo "error: --local-bases needs debootstrap (apt-get install debootstrap)" >&2; exit 2; }
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  rootfs="$work/rootfs"
  echo "debootstrap: a minimal Debian bookworm in $rootfs" >&2
  debootstrap --variant=minbase bookworm "$rootfs" http://deb.debian.org/debian >"$work/debootstrap.log" 2>&1 \
    || { tail -20 "$work/debootstrap.log" >&2; exit 1; }
  tar -C "$rootfs" -c . | docker import - sek-local/debian:bookworm >/dev/null
  echo "build base: gcc, CA certificates and the Rust toolchain of this machine" >&2
  chroot "$rootfs" apt-get install -y -q --no-install-recommends gcc libc6-dev ca-certificates >"$work/apt.log" 2>&1 \
    || { tail -20 "$work/apt.log" >&2; exit 1; }
  # This machine's trust store: it may hold a proxy's CA that crates.io is reached through.
  cp /etc/ssl/certs/ca-certificates.crt "$rootfs/etc/ssl/certs/ca-certificates.crt"
  sysroot="$(rustc --print sysroot)"
  mkdir -p "$rootfs/opt/rust"
  cp -a "$sysroot/." "$rootfs/opt/rust/"
  tar -C "$rootfs" -c . | docker import \
    -c 'ENV PATH=/opt/rust/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    - sek-local/rust:bookworm >/dev/null
  BUILD_IMAGE=sek-local/rust:bookworm
  RUNTIME_IMAGE=sek-local/debian:bookworm
fi

args=(--build-arg "SEK_GIT_COMMIT=$(git -C "$root" rev-parse --short=12 HEAD 2>/dev/null || echo unknown)")
[ -n "${BUILD_IMAGE:-}" ] && args+=(--build-arg "BUILD_IMAGE=$BUILD_IMAGE")
[ -n "${RUNTIME_IMAGE:-}" ] && args+=(--build-arg "RUNTIME_IMAGE=$RUNTIME_IMAGE")
started=$(date +%s)
# Host networking: the build fetches crates from crates.io.
docker build --network host "${args[@]}" -t "$image" "$root"
echo "built $image in $(( $(date +%s) - started )) s ($(docker image inspect -f '{{.Size}}' "$image" | awk '{printf "%.0f MB", $1/1e6}'))" >&2
docker run --rm "$image" --version
# The demo has failures: exit status 1 is the expected one. The root filesystem is read-only,
# as the manifests in docs/ run it.
set +e
out="$(docker run --rm --read-only "$image" scan --demo --color never)"
status=$?
set -e
[ "$status" = 1 ] || { echo "error: sek scan --demo exited $status in the image" >&2; exit 1; }
grep -q "node-imds" <<<"$out" || { echo "error: the demo report lacks node-imds" >&2; exit 1; }
user="$(docker image inspect -f '{{.Config.User}}' "$image")"
[ "$user" = "65532:65532" ] || { echo "error: the image runs as '$user', not 65532:65532" >&2; exit 1; }
echo "ok: $image runs sek scan --demo (exit status 1: the demo's failures) as user $user" >&2
