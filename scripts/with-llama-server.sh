#!/usr/bin/env bash
# with-llama-server.sh VENV -- COMMAND...
# Starts llama-cpp-python's server with SmolLM2 on a free loopback port (queueing concurrent
# requests: by default it cuts off a running stream when another request arrives), runs COMMAND with
# LLMKIT_TEST_LLAMA_BASE=http://127.0.0.1:PORT/v1 in its environment, and stops the
# server however COMMAND ends. Exits with COMMAND's status.
set -euo pipefail
venv=${1:?usage: with-llama-server.sh VENV -- COMMAND...}
shift
[ "${1:-}" = "--" ] && shift
here=$(cd "$(dirname "$0")" && pwd)
model=$("$here/model-path.sh" "$venv")
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
log=$(mktemp "${TMPDIR:-/tmp}/llmkit-llama-server.XXXXXX")
"$venv/bin/python" -m llama_cpp.server --model "$model" --host 127.0.0.1 --port "$port" \
    --n_ctx 2048 --verbose false --interrupt_requests false >"$log" 2>&1 &
server=$!
cleanup() { kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -f "$log"; }
trap cleanup EXIT
base="http://127.0.0.1:$port/v1"
for _ in $(seq 1 240); do
    if curl -fsS -o /dev/null "$base/models" 2>/dev/null; then break; fi
    if ! kill -0 "$server" 2>/dev/null; then
        echo "llama-cpp-python server failed to start:" >&2
        cat "$log" >&2
        exit 69
    fi
    sleep 0.25
done
curl -fsS -o /dev/null "$base/models" || { echo "llama-cpp-python server did not answer on $base" >&2; exit 69; }
echo "local model server: $base ($(basename "$model"))" >&2
set +e
LLMKIT_TEST_LLAMA_BASE=$base "$@"
status=$?
set -e
exit $status
