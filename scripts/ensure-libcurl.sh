#!/usr/bin/env bash
# Makes sure libcurl's headers and pkg-config file are installed (Debian/Ubuntu).
set -euo pipefail
if pkg-config --exists libcurl 2>/dev/null; then exit 0; fi
if [ "$(id -u)" -ne 0 ]; then
    echo "libcurl development files are missing: run  sudo apt-get install libcurl4-openssl-dev pkg-config" >&2
    exit 1
fi
echo "installing libcurl4-openssl-dev (apt-get)..." >&2
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libcurl4-openssl-dev pkg-config >/dev/null
