#!/usr/bin/env python3
"""A local model runner for the `cmd` provider's conformance tests: `runner.py SCENARIO`.

With `input: jsonl, output: message` (the default here) it reads the conversation as JSON
Lines on stdin and writes one assistant message as JSON, behaving as fake_provider.py's
scenario of the same name does, so the same assertions hold:

  plain, system, multi-turn, tool-call, parallel-tools, reasoning, reasoning-tool, cached-usage
  stream        (output: text) "Hello from the fake server." written a word at a time
  text          (input: text, output: text) echoes "got: <stdin>" to check the text rendering
  fail          writes "model file not found" on stderr and exits 3
  hang          sleeps for a minute (the config gives it a 1 s timeout)
"""
import json
import sys
import time

PLAIN = "Hello from the fake server."


def main():
    scenario = sys.argv[1]
    if scenario == "stream":
        for word in ["Hello ", "from ", "the ", "fake ", "server."]:
            sys.stdout.write(word)
            sys.stdout.flush()
            time.sleep(0.02)
        return
    if scenario == "text":
        sys.stdout.write("got: " + sys.stdin.read())
        return
    if scenario == "fail":
        sys.stderr.write("model file not found\n")
        sys.exit(3)
    if scenario == "hang":
        time.sleep(60)
        return
    records = [json.loads(line) for line in sys.stdin if line.strip()]
    messages = [r for r in records if "role" in r]
    system = next((m["content"] for m in messages if m["role"] == "system"), None)
    turns = [m for m in messages if m["role"] != "system"]
    results = [m["content"] for m in turns if m["role"] == "tool"] if turns and turns[-1]["role"] == "tool" else None
    usage = {"input_tokens": 10, "output_tokens": 6}
    weather = {"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": "{\"city\": \"Paris\"}"}}
    clock = {"id": "call_2", "type": "function", "function": {"name": "get_time", "arguments": "{\"zone\": \"Europe/Paris\"}"}}
    reply = {"content": PLAIN, "usage": usage}
    if scenario == "system":
        reply = {"content": "system=" + (system or "none")}
    elif scenario == "multi-turn":
        last = [m["content"] for m in turns if m["role"] == "user"][-1]
        reply = {"content": "turns=%d last=%s" % (len(turns), last)}
    elif scenario in ("tool-call", "reasoning-tool"):
        if results is None:
            reply = {"content": None, "tool_calls": [weather]}
            if scenario == "reasoning-tool":
                reply["reasoning"] = "I should call get_weather."
        else:
            reply = {"content": "Weather: " + " | ".join(results)}
    elif scenario == "parallel-tools":
        reply = {"content": None, "tool_calls": [weather, clock]} if results is None else {"content": "Results: " + " | ".join(results)}
    elif scenario == "reasoning":
        reply = {"content": "Hello.", "reasoning": "The user wants a greeting.",
                 "usage": {"input_tokens": 10, "output_tokens": 11, "reasoning_tokens": 5}}
    elif scenario == "cached-usage":
        reply = {"content": "Cached.", "usage": {"input_tokens": 100, "cache_read_tokens": 80, "cache_write_tokens": 10, "output_tokens": 7}}
    json.dump(reply, sys.stdout)


main()
