#!/usr/bin/env bash
# with-litellm-proxy.sh LITELLM_VENV [LLAMA_BASE_URL] -- COMMAND...
# Starts a LiteLLM proxy (from LITELLM_VENV, which has `litellm[proxy]` installed) on a free loopback
# port in front of the OpenAI-compatible server at LLAMA_BASE_URL (e.g. http://127.0.0.1:PORT/v1,
# default: $LLMKIT_TEST_LLAMA_BASE, as exported by with-llama-server.sh), fully offline: bundled model cost map, no telemetry, no
# database, no admin UI, no docs. It serves the model as `smollm` (model_list name) on
# POST /v1/chat/completions, POST /v1/messages (Anthropic form: x-api-key) and
# POST /v1beta/models/smollm:generateContent / :streamGenerateContent?alt=sse (Gemini form:
# x-goog-api-key or ?key=). Runs COMMAND with
#   LLMKIT_TEST_LITELLM_BASE=http://127.0.0.1:PORT   (no /v1 suffix)
#   LLMKIT_TEST_LITELLM_KEY=<master key>
#   LLMKIT_TEST_LITELLM_MODEL=smollm
# in its environment, and stops the proxy (and any children) however COMMAND ends.
# Exits with COMMAND's status; 69 if the proxy does not come up.
# Knobs: LLMKIT_LITELLM_START_TIMEOUT (seconds to wait for startup, default 120).
set -euo pipefail
usage="usage: with-litellm-proxy.sh LITELLM_VENV [LLAMA_BASE_URL] -- COMMAND..."
venv=${1:?$usage}
shift
upstream=${LLMKIT_TEST_LLAMA_BASE:-}
if [ "${1:-}" != "--" ]; then upstream=${1:?$usage}; shift; fi
[ -n "$upstream" ] || { echo "$usage (no LLAMA_BASE_URL and no LLMKIT_TEST_LLAMA_BASE)" >&2; exit 64; }
[ "${1:-}" = "--" ] && shift
[ $# -gt 0 ] || { echo "$usage" >&2; exit 64; }
case $upstream in
    http://* | https://*) ;;
    *) echo "LLAMA_BASE_URL must be an http(s) URL, got: $upstream" >&2; exit 64 ;;
esac
[ -x "$venv/bin/litellm" ] || { echo "no litellm executable in $venv/bin" >&2; exit 69; }
venv=$(cd "$venv" && pwd)

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
key="sk-llmkit-$(python3 -c 'import secrets; print(secrets.token_hex(12))')"
model=smollm
work=$(mktemp -d "${TMPDIR:-/tmp}/llmkit-litellm.XXXXXX")
log="$work/proxy.log"
# use_chat_completions_url_for_anthropic_messages: without it /v1/messages for an `openai/` model
# is sent upstream as POST /v1/responses, which llama.cpp servers don't have (404).
# disable_cooldowns / num_retries 0: one failed upstream call must not put the only deployment in
# cooldown (later requests would get 429 "No deployments available") nor be silently retried.
cat >"$work/config.yaml" <<EOF
model_list:
  - model_name: $model
    litellm_params:
      model: openai/$model
      api_base: $(python3 -c 'import json, sys; print(json.dumps(sys.argv[1]))' "$upstream")
      api_key: sk-unused
litellm_settings:
  use_chat_completions_url_for_anthropic_messages: true
router_settings:
  disable_cooldowns: true
  num_retries: 0
general_settings:
  master_key: $key
EOF

server=
descendants() { # PIDs below $1, deepest first
    local child
    for child in $(pgrep -P "$1" 2>/dev/null); do
        descendants "$child"
        echo "$child"
    done
}
alive() { # any of the PIDs still running (an exited, unreaped child is a zombie: not running)
    local pid state
    for pid in "$@"; do
        state=$(ps -o stat= -p "$pid" 2>/dev/null) || continue
        case $state in Z*) ;; *) return 0 ;; esac
    done
    return 1
}
cleanup() {
    if [ -n "$server" ]; then
        # litellm (uvicorn, one worker) is normally a single process; stop any children it has too.
        local pids
        pids="$(descendants "$server") $server"
        kill -TERM $pids 2>/dev/null || true
        for _ in $(seq 1 40); do
            alive $pids || break
            sleep 0.25
        done
        if alive $pids; then kill -KILL $pids 2>/dev/null || true; fi
        wait "$server" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Offline: LITELLM_LOCAL_MODEL_COST_MAP skips fetching the model price map from the internet (its
# retries are otherwise logged at startup); LITELLM_MODE=PRODUCTION skips loading a stray ./.env;
# no DATABASE_URL means no Prisma/database; admin UI and docs are off. LITELLM_TELEMETRY is a no-op
# in current releases, kept for older ones.
(
    cd "$work"
    exec env -u DATABASE_URL -u DIRECT_URL -u REDIS_HOST -u REDIS_URL -u LITELLM_MASTER_KEY \
        LITELLM_LOCAL_MODEL_COST_MAP=True LITELLM_MODE=PRODUCTION LITELLM_TELEMETRY=False DISABLE_ADMIN_UI=True NO_DOCS=True \
        NO_REDOC=True LITELLM_DONT_SHOW_FEEDBACK_BOX=True DISABLE_SCHEMA_UPDATE=True \
        NO_PROXY="127.0.0.1,localhost,::1${NO_PROXY:+,$NO_PROXY}" no_proxy="127.0.0.1,localhost,::1${no_proxy:+,$no_proxy}" \
        "$venv/bin/litellm" --config "$work/config.yaml" --host 127.0.0.1 --port "$port" \
        </dev/null >"$log" 2>&1
) &
server=$!

base="http://127.0.0.1:$port"
ready() {
    curl -fsS --noproxy '*' --max-time 5 -H "Authorization: Bearer $key" "$base/v1/models" 2>/dev/null | grep -q "\"$model\""
}
limit=${LLMKIT_LITELLM_START_TIMEOUT:-120}
deadline=$((SECONDS + limit))
until ready; do
    if ! kill -0 "$server" 2>/dev/null; then
        echo "LiteLLM proxy failed to start:" >&2
        cat "$log" >&2
        exit 69
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
        echo "LiteLLM proxy did not answer on $base within ${limit}s:" >&2
        cat "$log" >&2
        exit 69
    fi
    sleep 0.25
done
echo "LiteLLM proxy: $base (model $model -> $upstream)" >&2
set +e
LLMKIT_TEST_LITELLM_BASE=$base LLMKIT_TEST_LITELLM_KEY=$key LLMKIT_TEST_LITELLM_MODEL=$model "$@"
status=$?
set -e
exit $status
