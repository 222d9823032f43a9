"""make bench, serve-load: llm-serve under load, and a LiteLLM proxy in front of it.

wrk (C, one connection per concurrent client, kept alive) drives, for concurrency 1, 16, 64
and 256 and a few seconds each:
  - GET /health: the server's own floor (HTTP, routing, the access log, no agent);
  - POST /v1/chat/completions to an in-process mock/echo agent, whole and streamed;
  - the same POST through a LiteLLM proxy whose one model is that agent, in the same run,
    so the difference is what LiteLLM adds in front of llm-serve.
Prints requests/s, p50 and p99 latency and errors per row. Only loopback traffic; wrk and the
proxy end with the section.
"""
import json
import os
import shutil
import subprocess
import tempfile

CONCURRENCY = [1, 16, 64, 256]
SECONDS = int(os.environ.get("BENCH_LOAD_SECONDS", "5"))
# The LiteLLM proxy script names its one model so; the agent is named after it.
AGENT = "smollm"

LUA = """
wrk.method = "{method}"
wrk.body = {body}
wrk.headers["Content-Type"] = "application/json"
{auth}
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('RESULT {{"requests":%d,"duration_us":%d,"errors":%d,"status_errors":%d,"p50_us":%d,"p99_us":%d}}\\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(99)))
end
"""


def wrk_run(url, method, body, concurrency, work, key=None):
    script = os.path.join(work, "load.lua")
    with open(script, "w") as f:
        auth = f'wrk.headers["Authorization"] = "Bearer {key}"' if key else ""
        f.write(LUA.format(method=method, body=json.dumps(body) if body else "nil", auth=auth))
    threads = min(2, concurrency)
    out = subprocess.run(["wrk", "-t", str(threads), "-c", str(concurrency), "-d", f"{SECONDS}s", "--timeout", "10s", "-s", script, url],
                         capture_output=True, text=True, timeout=SECONDS + 60)
    line = next((l for l in out.stdout.splitlines() if l.startswith("RESULT ")), None)
    if not line:
        return None
    result = json.loads(line[len("RESULT "):])
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    return result


def chat_body(stream):
    return json.dumps({"model": AGENT, "stream": stream, "messages": [{"role": "user", "content": "hello there"}]})


def row(label, concurrency, result):
    if result is None:
        print(f"  load     {label:<30} c={concurrency:<4} wrk reported nothing")
        return
    errors = result["errors"] + result["status_errors"]
    print(f"  load     {label:<30} c={concurrency:<4} {result['rps']:9.0f} req/s   p50 {result['p50_us'] / 1000:7.2f} ms"
          f"   p99 {result['p99_us'] / 1000:7.2f} ms" + (f"   {errors} errors" if errors else ""))


def serve_load_benchmarks(bin_dir, start_litellm_proxy, stop_litellm_proxy):
    if not shutil.which("wrk"):
        print("  load     not measured: wrk is missing (apt-get install wrk)\n")
        return
    work = tempfile.mkdtemp()
    agents = os.path.join(work, "agents.yaml")
    with open(agents, "w") as f:
        f.write(f"agents:\n  - name: {AGENT}\n    model: mock/echo\n")
    # Every client is answered: the concurrency cap is not what is measured here.
    server = subprocess.Popen([os.path.join(bin_dir, "llm-serve"), "-f", agents, "--port", "0", "--max-concurrent", "1024"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    proxy = None
    try:
        port = int(server.stderr.readline().rsplit(":", 1)[1].split("/")[0])
        # The access log goes to a pipe nobody reads; drain it so the server never blocks on it.
        subprocess.Popen(["cat"], stdin=server.stderr, stdout=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"
        cache = os.path.join(os.environ.get("XDG_CACHE_HOME", os.path.expanduser("~/.cache")), "llmkit")
        litellm_venv = os.path.join(cache, "litellm-venv")
        proxy_base = proxy_key = None
        if os.path.exists(os.path.join(litellm_venv, "bin", "litellm")):
            proxy, proxy_base, proxy_key = start_litellm_proxy(litellm_venv, base + "/v1")
        print(f"  load     llm-serve, in-process mock/echo agent; wrk, {SECONDS} s a row, kept-alive connections")
        for concurrency in CONCURRENCY:
            row("llm-serve GET /health", concurrency, wrk_run(base + "/health", "GET", None, concurrency, work))
            for stream in (False, True):
                form = "streamed" if stream else "unary"
                row(f"llm-serve chat, {form}", concurrency,
                    wrk_run(base + "/v1/chat/completions", "POST", chat_body(stream), concurrency, work))
                if proxy_base:
                    row(f"LiteLLM -> llm-serve, {form}", concurrency,
                        wrk_run(proxy_base + "/v1/chat/completions", "POST", chat_body(stream), concurrency, work, key=proxy_key))
        if not proxy_base:
            print("  load     LiteLLM not measured: no environment (make bench-peers builds it)")
        print()
    finally:
        stop_litellm_proxy(proxy)
        server.kill()
        shutil.rmtree(work, ignore_errors=True)
