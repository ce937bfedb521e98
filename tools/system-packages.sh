#!/usr/bin/env bash
# Install, or name, the Debian packages of system-packages.txt for some roles.
#
#   tools/system-packages.sh list ROLE...     the package names, one per line
#   tools/system-packages.sh ensure ROLE...   nothing missing: exit 0; as root: install what
#                                             is missing; otherwise print the exact
#                                             `sudo apt-get install` line and exit 1
#
# Roles: runtime, test, google (Google's apt repository), bench. The Dockerfile,
# .ci/run (CI and Cloud Build), `make test` and `make bench` all call this, so
# every place installs from the same list.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
list="${SYSTEM_PACKAGES_LIST:-$root/system-packages.txt}"

rows() {  # "package probe" for the given roles
  local role package probe
  while read -r role package probe; do
    [[ -z "$role" || "$role" == \#* ]] && continue
    for wanted in "$@"; do
      if [[ "$role" == "$wanted" ]]; then echo "$role $package $probe"; fi
    done
  done <"$list"
}

present() {
  if [[ "$1" == /* ]]; then [[ -e "$1" ]]; else command -v "$1" >/dev/null 2>&1; fi
}

add_google_repository() {
  # As Google's own gcloud images do (cloud-sdk-docker stable/Dockerfile).
  apt-get install -y -qq --no-install-recommends ca-certificates curl gnupg >/dev/null
  curl -fsSL https://packages.cloud.google.com/apt/doc/apt-key.gpg \
    | gpg --dearmor --yes -o /usr/share/keyrings/cloud.google.gpg
  echo "deb [signed-by=/usr/share/keyrings/cloud.google.gpg] https://packages.cloud.google.com/apt cloud-sdk main" \
    >/etc/apt/sources.list.d/google-cloud-sdk.list
  apt-get update -qq
}

case "${1:-}" in
  list)
    shift
    rows "$@" | cut -d' ' -f2
    ;;
  ensure)
    shift
    missing=() google=0
    while read -r role package probe; do
      present "$probe" && continue
      missing+=("$package")
      [[ "$role" == google ]] && google=1
    done < <(rows "$@")
    if [[ ${#missing[@]} -eq 0 ]]; then exit 0; fi
    if [[ "$(id -u)" != 0 ]]; then
      echo "missing system packages for ${*}; install them with:" >&2
      echo "  sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
      if [[ $google == 1 ]]; then
        echo "  (google-cloud-cli* come from https://cloud.google.com/sdk/docs/install#deb)" >&2
      fi
      exit 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    if [[ $google == 1 ]]; then add_google_repository; fi
    apt-get install -y -qq --no-install-recommends "${missing[@]}"
    ;;
  *)
    echo "usage: $0 list|ensure ROLE..." >&2
    exit 2
    ;;
esac
