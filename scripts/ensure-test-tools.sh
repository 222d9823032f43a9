#!/usr/bin/env bash
# Tools the test suite uses where the system has them: bubblewrap (llm-tools --isolate), man
# (the man pages are rendered, and must render without warnings) and Chromium (a real browser
# calls llm-serve from a page, preflight and all). Best effort: without
# root, the isolation and browser tests are skipped and the man page test fails, each saying why.
set -euo pipefail
missing=()
command -v bwrap >/dev/null 2>&1 || missing+=(bubblewrap)
command -v man >/dev/null 2>&1 || missing+=(man-db)
command -v groff >/dev/null 2>&1 || missing+=(groff-base)
[ -x /usr/bin/chromium ] || [ -x /usr/bin/chromium-browser ] || missing+=(chromium)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing ${missing[*]} (apt-get) for the tests..." >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null || true
fi
