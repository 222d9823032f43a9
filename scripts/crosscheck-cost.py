#!/usr/bin/env python3
"""crosscheck-cost.py LLM_COST PRICES.json

Prices the same usage with llm-cost and with LiteLLM's own cost_per_token, for every chat
model with token prices in LiteLLM's price file, and prints how many agree to the cent.
Run it with the Python of LiteLLM's virtual environment (`make crosscheck-cost`).

Cases per model: a plain request; one with cache reads and writes (where the model prices
a cache); one whose prompt crosses a long-context tier (where it has one); one with
reasoning tokens (where they are priced apart). The token counts are large enough that
a rule applied differently shows up as more than a cent.
"""
import json
import os
import subprocess
import sys

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")  # the bundled map: no network
import litellm  # noqa: E402
from litellm.types.utils import Usage, CompletionTokensDetailsWrapper, PromptTokensDetailsWrapper  # noqa: E402


def cases(name, entry):
    yield "plain", dict(input_tokens=100_000, output_tokens=20_000)
    if "cache_read_input_token_cost" in entry:
        yield "cached", dict(input_tokens=100_000, cache_read_tokens=60_000, cache_write_tokens=10_000, output_tokens=20_000)
    tiers = [k for k in entry if k.startswith("input_cost_per_token_above_") and k.endswith("k_tokens")]
    if tiers:
        threshold = max(int(k[len("input_cost_per_token_above_"):-len("k_tokens")]) for k in tiers) * 1000
        yield "tier", dict(input_tokens=threshold + 50_000, output_tokens=10_000)
    if "output_cost_per_reasoning_token" in entry:
        yield "reasoning", dict(input_tokens=10_000, output_tokens=30_000, reasoning_tokens=20_000)


def litellm_cost(name, entry, usage):
    read, written = usage.get("cache_read_tokens", 0), usage.get("cache_write_tokens", 0)
    details = Usage(
        prompt_tokens=usage["input_tokens"], completion_tokens=usage["output_tokens"],
        total_tokens=usage["input_tokens"] + usage["output_tokens"],
        prompt_tokens_details=PromptTokensDetailsWrapper(cached_tokens=read, cache_creation_tokens=written) if read or written else None,
        completion_tokens_details=CompletionTokensDetailsWrapper(reasoning_tokens=usage["reasoning_tokens"]) if "reasoning_tokens" in usage else None,
        cache_read_input_tokens=read, cache_creation_input_tokens=written,
    )
    prompt, completion = litellm.cost_per_token(
        model=name, custom_llm_provider=entry.get("litellm_provider"), prompt_tokens=usage["input_tokens"],
        completion_tokens=usage["output_tokens"], cache_read_input_tokens=read, cache_creation_input_tokens=written, usage_object=details)
    return prompt + completion


def main():
    llm_cost, prices_path = sys.argv[1], sys.argv[2]
    prices = json.load(open(prices_path))
    # LiteLLM prices from the same file, so that only the rules are compared.
    litellm.model_cost = prices
    rows = []
    for name, entry in prices.items():
        if not isinstance(entry, dict) or entry.get("mode", "chat") != "chat":
            continue
        if "input_cost_per_token" not in entry or "output_cost_per_token" not in entry:
            continue
        for case, usage in cases(name, entry):
            rows.append((name, entry, case, usage))
    records = "".join(json.dumps({"role": "assistant", "content": "", "model": n, "usage": u}) + "\n" for n, _, _, u in rows)
    out = subprocess.run([llm_cost, "--prices", prices_path, "--annotate"], input=records.encode(), capture_output=True, check=True).stdout
    ours = [json.loads(line).get("cost", {}).get("usd") for line in out.decode().splitlines()]
    agree, differ, failed = 0, [], []
    for (name, entry, case, usage), mine in zip(rows, ours):
        try:
            theirs = litellm_cost(name, entry, usage)
        except Exception as error:  # LiteLLM cannot price every entry of its own file
            failed.append((name, case, str(error).splitlines()[0][:80]))
            continue
        if mine is not None and abs(mine - theirs) < 0.005:
            agree += 1
        else:
            differ.append((name, case, mine, theirs))
    models = len({r[0] for r in rows})
    compared = len(rows) - len(failed)
    print(f"crosscheck-cost: {models} chat models, {len(rows)} cases; {compared} priced by LiteLLM {litellm_version()}")
    print(f"  agree to the cent: {agree} of {compared} ({100 * agree / max(compared, 1):.1f}%)")
    by_case = {}
    for _, case, _, _ in differ:
        by_case[case] = by_case.get(case, 0) + 1
    if differ:
        print("  differ: " + ", ".join(f"{n} {c}" for c, n in sorted(by_case.items())))
        for name, case, mine, theirs in differ[:12]:
            print(f"    {name} ({case}): llm-cost {mine if mine is None else f'${mine:.4f}'}, LiteLLM ${theirs:.4f}")
    if failed:
        print(f"  LiteLLM could not price {len(failed)} case(s), e.g. {failed[0][0]}: {failed[0][2]}")


def litellm_version():
    try:
        from importlib.metadata import version
        return version("litellm")
    except Exception:
        return "?"


if __name__ == "__main__":
    main()
