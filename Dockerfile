# sek as a container image: sek is the entrypoint, it runs as a non-root user, and it needs no AWS
# CLI (it makes its own EKS tokens). The CronJob and Job in docs/ run it.
#
#   docker build -t REGISTRY/sek:0.1.0 --build-arg SEK_GIT_COMMIT=$(git rev-parse --short=12 HEAD) .
#   docker run --rm REGISTRY/sek:0.1.0 scan --demo
#   docker push REGISTRY/sek:0.1.0
#
# The base images are build arguments, so the image can be built from local or mirrored bases
# (scripts/container-check.sh builds one from a debootstrapped Debian). The build stage needs a
# Rust toolchain at least as new as the workspace's rust-version and network access to crates.io.
ARG BUILD_IMAGE=rust:1.95-bookworm
ARG RUNTIME_IMAGE=debian:bookworm-slim

FROM ${BUILD_IMAGE} AS build
WORKDIR /src
COPY . .
# The source has no .git here: the commit comes in as an argument, for `sek --version`.
ARG SEK_GIT_COMMIT=unknown
RUN SEK_GIT_COMMIT="${SEK_GIT_COMMIT}" cargo build --release --locked -p sek \
 && install -D -m 0755 target/release/sek /out/usr/local/bin/sek \
 && install -D -m 0644 /etc/ssl/certs/ca-certificates.crt /out/etc/ssl/certs/ca-certificates.crt

FROM ${RUNTIME_IMAGE}
# The CA bundle from the build stage, so the runtime base needs no package manager.
COPY --from=build /out/ /
# A numeric non-root user: runAsNonRoot can verify it without a passwd entry.
USER 65532:65532
ENV HOME=/tmp
ENTRYPOINT ["/usr/local/bin/sek"]
CMD ["--help"]
