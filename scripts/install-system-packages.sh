#!/usr/bin/env bash
# Debian packages the test suite needs: PostgreSQL (wallet verification on PostgreSQL) and
# Chromium (the verification page in a headless browser). Idempotent: when every package is
# already installed it only checks and returns (no apt-get update). Run by `make test`.
set -euo pipefail

PACKAGES=(postgresql chromium)

missing=()
for pkg in "${PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$pkg")
    fi
done
if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "scripts/install-system-packages.sh: missing Debian packages: ${missing[*]} (and no apt-get: install them by hand)" >&2
    exit 1
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi
echo "installing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
