#!/usr/bin/env bash
# Installs what sek's tests need that cargo does not: a Python virtualenv with the pinned AWS
# emulator (moto) in .venv/. Idempotent: does nothing when the pinned version is already there.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/.venv"
requirements="$root/tests/moto/requirements.txt"

python="${PYTHON:-python3}"
if ! command -v "$python" >/dev/null 2>&1; then
  echo "error: $python not found; install Python 3 (Debian: apt-get install python3 python3-venv)" >&2
  exit 1
fi

stamp="$venv/.requirements.sha256"
wanted="$(sha256sum "$requirements" | cut -d' ' -f1)"
if [ -x "$venv/bin/moto_server" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$wanted" ]; then
  exit 0
fi

echo "setting up $venv (moto for the live AWS tests)..." >&2
if ! "$python" -m venv "$venv" 2>/dev/null; then
  # Debian ships venv separately; ensurepip is what is missing when this fails.
  echo "error: '$python -m venv' failed; on Debian run: apt-get install python3-venv" >&2
  exit 1
fi
"$venv/bin/pip" install --quiet --disable-pip-version-check -r "$requirements"
echo "$wanted" > "$stamp"
