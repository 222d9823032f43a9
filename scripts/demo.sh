#!/usr/bin/env bash
# The embedded default, end to end: a real pipeline through llm-complete against
# SmolLM2-135M served by llama-cpp-python on loopback. Run by `make demo`, which has
# built the tools and provisioned the server first.
set -euo pipefail
bin=${1:?usage: demo.sh BIN_DIR VENV}
venv=${2:?usage: demo.sh BIN_DIR VENV}
here=$(cd "$(dirname "$0")" && pwd)
export PATH="$bin:$PATH"

"$here/with-llama-server.sh" "$venv" -- bash -euo pipefail -c '
    export LLMKIT_API_BASE=$LLMKIT_TEST_LLAMA_BASE LLMKIT_MODEL=llamacpp/smollm2
    step() { printf "\n\033[1m\$ %s\033[0m\n" "$1" >&2; }

    step "echo \"What is the capital of France?\" | llm-complete -t --temperature 0 --max-tokens 60"
    echo "What is the capital of France?" | llm-complete -t --temperature 0 --max-tokens 60

    step "llm-stream -t --max-tokens 40 \"Count from one to five.\"   # words as they are generated"
    llm-stream -t --temperature 0 --max-tokens 40 "Count from one to five."

    step "llm-complete \"Name one fruit.\" | llm-complete \"What colour is it?\" | tail -1"
    llm-complete --temperature 0 --max-tokens 30 "Name one fruit." \
        | llm-complete --temperature 0 --max-tokens 40 "What colour is it?" | tail -1

    step "printf \"%s\n\" {\"id\":…} … | llm-complete -j 2   # batch, results in input order"
    for q in "Say hello." "Say goodbye." "Name a colour."; do
        printf "{\"id\":\"%s\",\"messages\":[{\"role\":\"user\",\"content\":\"%s\"}],\"max_tokens\":20,\"temperature\":0}\n" "$q" "$q"
    done | llm-complete -j 2 | cut -c1-160
'
