#!/usr/bin/env bash
# Tools the test suite uses where the system has them: bubblewrap (llm-tools --isolate).
# Best effort: without root the isolation test is skipped, and says so.
set -euo pipefail
command -v bwrap >/dev/null 2>&1 && exit 0
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing bubblewrap (apt-get) for the isolation tests..." >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bubblewrap >/dev/null || true
fi
