#!/usr/bin/env bash
# Static security checks of terraform/ with checkov, offline.
#
# checkov pins its own dependency tree, which clashes with ours, so it lives in
# its own virtualenv (.venv-checkov, ignored by git), created on first use.
# Exits non-zero when any check fails; an accepted exception is an inline
# `#checkov:skip=CKV_...: reason` next to the resource it concerns.
set -euo pipefail

CHECKOV_VERSION="3.3.30"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/.venv-checkov"
python="${PYTHON:-python3.11}"
command -v "$python" >/dev/null 2>&1 || python=python3

if ! "$venv/bin/checkov" --version 2>/dev/null | grep -qx "$CHECKOV_VERSION"; then
  rm -rf "$venv"
  "$python" -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "checkov==$CHECKOV_VERSION"
fi

cd "$root"
# No network here: skip the download of external modules and of the
# Bridgecrew/Prisma platform policies; the built-in checks run offline.
export BC_SKIP_MAPPING=TRUE CHECKOV_RUN_SCA_PACKAGE_SCAN_V2=false
exec "$venv/bin/checkov" -d terraform --framework terraform --quiet --compact \
  --skip-download --download-external-modules false "$@"
