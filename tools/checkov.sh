#!/usr/bin/env bash
# Static security checks of terraform/ with checkov, offline.
#
# checkov pins its own dependency tree, which clashes with ours, so it lives in
# its own virtualenv (.venv-checkov, ignored by git), created on first use.
# An accepted exception is an inline `#checkov:skip=CKV_...: reason` inside the
# resource it concerns. Exits non-zero when
#   - any check fails, or checkov reports a parsing error (or no result);
#   - the checks checkov skipped are not exactly the inline skips (a skip
#     comment for a check that does not apply to its resource, or a skip that
#     came from somewhere else);
#   - an inline skip is stale: on a copy of terraform/ without the skip
#     comments, that check passes on that resource.
# Skips are compared per (check, resource): a skip inside a for_each resource
# counts once, however many instances checkov reports.
# Extra arguments go to both checkov runs.
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

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir "$work/skips-removed"
for tf in "$root"/terraform/*.tf; do
  grep -v '#checkov:skip=' "$tf" >"$work/skips-removed/$(basename "$tf")" || true
done

# No network here: skip the download of external modules and of the
# Bridgecrew/Prisma platform policies; the built-in checks run offline.
export BC_SKIP_MAPPING=TRUE CHECKOV_RUN_SCA_PACKAGE_SCAN_V2=false
scan() { # DIRECTORY REPORT_DIR [checkov args]: the JSON report, whatever the outcome
  local dir="$1" out="$2"
  shift 2
  mkdir -p "$out"
  "$venv/bin/checkov" -d "$dir" --framework terraform --compact --skip-download \
    --download-external-modules false -o json --output-file-path "$out" "$@" >/dev/null || true
}
scan "$root/terraform" "$work/as-written" "$@"
scan "$work/skips-removed" "$work/without-skips" "$@"

"$venv/bin/python" - "$root/terraform" "$work" <<'PY'
"""Judge the two checkov reports; print what is wrong, exit 1 if anything is."""
import json
import re
import sys
from pathlib import Path

terraform, work = Path(sys.argv[1]), Path(sys.argv[2])
RESOURCE = re.compile(r'^resource\s+"([^"]+)"\s+"([^"]+)"')
SKIP = re.compile(r"#checkov:skip=(CKV2?_[A-Z]+_\d+)")


def report(name):
    path = work / name / "results_json.json"
    if not path.exists():
        sys.exit(f"checkov wrote no report for {name} (see its output above)")
    data = json.loads(path.read_text())
    (tf,) = [r for r in (data if isinstance(data, list) else [data]) if r["check_type"] == "terraform"]
    return tf


def pairs(checks):
    """(check id, resource address without a for_each/count index)."""
    return {(c["check_id"], re.sub(r"\[[^\]]*\]$", "", c["resource"])) for c in checks}


inline = set()
for tf in sorted(terraform.glob("*.tf")):
    current = None
    for number, line in enumerate(tf.read_text().splitlines(), start=1):
        if m := RESOURCE.match(line):
            current = f"{m.group(1)}.{m.group(2)}"
        for check in SKIP.findall(line):
            if current is None:
                sys.exit(f"{tf.name}:{number}: a checkov skip outside any resource")
            inline.add((check, current))

written, bare = report("as-written"), report("without-skips")
summary, results = written["summary"], written["results"]
problems = []
for c in results.get("failed_checks", []):
    where = f'{c["file_path"]}:{c["file_line_range"][0]}'
    problems.append(f'FAILED {c["check_id"]} {c["resource"]} ({where}): {c["check_name"]}')
if summary["parsing_errors"] or results.get("parsing_errors"):
    problems.append(f'parsing errors: {results.get("parsing_errors") or summary["parsing_errors"]}')
if summary["passed"] == 0:
    problems.append("no check passed: did checkov read terraform/ at all?")
skipped = pairs(results.get("skipped_checks", []))
for check, resource in sorted(inline - skipped):
    problems.append(f"stale skip: {check} does not apply to {resource}")
for check, resource in sorted(skipped - inline):
    problems.append(f"skipped without an inline #checkov:skip: {check} on {resource}")
still_failing = pairs(bare["results"].get("failed_checks", []))
for check, resource in sorted(inline - still_failing):
    problems.append(f"stale skip: {check} passes on {resource} without it; remove the skip")

print(
    f"checkov {summary['checkov_version']} on terraform/: passed {summary['passed']}, "
    f"failed {summary['failed']}, skipped {summary['skipped']} "
    f"({len(skipped)} check/resource pairs; {len(inline)} inline skips), "
    f"parsing errors {summary['parsing_errors']}"
)
for p in problems:
    print(p, file=sys.stderr)
sys.exit(1 if problems else 0)
PY
