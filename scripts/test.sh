#!/usr/bin/env bash
# The whole test suite: installs the test emulator (moto, in .venv/) if needed, then runs every
# test: the emulator launcher's, then the workspace's. The live AWS tests start moto on 127.0.0.1
# themselves.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
./scripts/setup-test-env.sh
# The emulator launcher's own tests (its benchmark lookups answer as moto does).
.venv/bin/python -m unittest discover -s tests/moto -p 'test_*.py'
# CI=true: snapshot tests fail on a difference instead of writing new snapshots.
CI="${CI:-true}" cargo test --workspace --locked --no-fail-fast "$@"
