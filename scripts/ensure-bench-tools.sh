#!/usr/bin/env bash
# Tools make bench drives the tools with, where the system has them: wrk (llm-serve under
# load). Best effort: without root, that section says what is missing and is skipped.
set -euo pipefail
command -v wrk >/dev/null 2>&1 && exit 0
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing wrk (apt-get) for make bench..." >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null || true
fi
