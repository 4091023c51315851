#!/usr/bin/env bash
# Installs the Debian packages agglo needs (scripts/debian-packages.txt) when any is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
missing=()
for p in $(cat scripts/debian-packages.txt); do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  SUDO=""; [ "$(id -u)" != 0 ] && SUDO=sudo
  echo "installing: ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update
  $SUDO apt-get install -y --no-install-recommends "${missing[@]}"
fi
