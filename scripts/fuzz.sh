#!/usr/bin/env bash
# fuzz.sh BIN_DIR SECONDS TARGET...: runs each libFuzzer target for SECONDS (or, with
# FUZZ_RUNS set, that many runs from a fixed seed: the same every time, for make test, so a
# new discovery shows up in make fuzz, not as a CI run failing at random), starting from
# the committed seeds in Fuzz/Corpus/TARGET and keeping what it learns in .build-fuzz/corpus
# (not committed). Prints executions per target; exits non-zero on the first crash, whose
# input is saved as .build-fuzz/crash-TARGET-* for a test to replay.
set -euo pipefail
bin=${1:?usage: fuzz.sh BIN_DIR SECONDS TARGET...}
seconds=${2:?usage: fuzz.sh BIN_DIR SECONDS TARGET...}
shift 2
root=$(cd "$(dirname "$0")/.." && pwd)
work="$root/.build-fuzz"
status=0
for target in "$@"; do
    mkdir -p "$work/corpus/$target"
    log="$work/fuzz-$target.log"
    # libFuzzer, not the Swift runtime, must catch a crash: it saves the input that caused it.
    if [ -n "${FUZZ_RUNS:-}" ]; then limit=(-runs="$FUZZ_RUNS" -seed=1); else limit=(-max_total_time="$seconds"); fi
    if SWIFT_BACKTRACE=enable=no "$bin/fuzz-$target" "$work/corpus/$target" "$root/Fuzz/Corpus/$target" "${limit[@]}" \
        -max_len=4096 -timeout=10 -rss_limit_mb=1024 -print_final_stats=1 -artifact_prefix="$work/crash-$target-" >"$log" 2>&1; then
        runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
        printf '  fuzz  %-11s %10s executions, no crash\n' "$target" "$runs"
    else
        echo "  fuzz  $target: CRASH — see $log" >&2
        tail -20 "$log" >&2
        status=1
    fi
done
exit $status
