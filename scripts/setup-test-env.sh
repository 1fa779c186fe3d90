#!/usr/bin/env bash
# Installs what sek's tests need that cargo does not: a Python virtualenv with the pinned AWS
# emulator (moto) in .venv/, and Debian's chromium for the HTML report test. Idempotent: does
# nothing when they are already there.
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
