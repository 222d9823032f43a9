#!/usr/bin/env python3
"""llmkit benchmarks: prints figures, asserts nothing.

  startup      llm-complete --version, vs curl --version (and Python's `llm --version`
               when the demo's virtual environment has it)
  one request  llm-complete vs curl, the same HTTP exchange with the fake server
  batch        200 requests against a server that answers after 50 ms, -j 1 vs -j 8
  serve        what llm-serve adds to a request over running its command directly (a
               command agent on mock/echo, over a kept-alive connection), streamed and not,
               and an in-process agent's whole round trip
  stream       100,000 SSE events: llm-stream -t vs curl -N, and llm-stream -t with a key
               known (so every piece passes the redactor); first byte out after the
               server's first byte; peak memory at 10,000 and 1,000,000 events

Runs are interleaved (tool A, tool B, A, B, ...) so machine noise hits both equally;
figures are medians. Only loopback traffic.
"""
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FAKE = os.path.join(ROOT, "Tests", "Fixtures", "fake_openai.py")


def start_server(*args):
    proc = subprocess.Popen([sys.executable, FAKE, "--port", "0", *args], stdout=subprocess.PIPE, text=True)
    port = int(proc.stdout.readline().split()[1])
    return proc, f"http://127.0.0.1:{port}/v1"


def stdin_file(data):
    """A file holding `data`, so the child reads stdin without a feeding thread here."""
    f = tempfile.TemporaryFile()
    f.write(data or b"")
    f.flush()
    return f


def timed(argv, stdin=None, env=None):
    """Wall time of one run, spawned directly (posix_spawn) with stdout to /dev/null, so
    the harness adds as little as it can to what it measures."""
    with stdin_file(stdin) as f:
        f.seek(0)
        actions = [(os.POSIX_SPAWN_DUP2, f.fileno(), 0),
                   (os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0),
                   (os.POSIX_SPAWN_OPEN, 2, os.devnull, os.O_WRONLY, 0)]
        path = argv[0] if os.sep in argv[0] else shutil.which(argv[0])
        start = time.perf_counter()
        pid = os.posix_spawn(path, argv, env or os.environ, file_actions=actions)
        _, status = os.waitpid(pid, 0)
        elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        result = subprocess.run(argv, input=stdin, capture_output=True)
        raise SystemExit(f"{argv[0]} failed ({result.returncode}): {result.stderr.decode()[:300]}")
    return elapsed


def median_ms(samples):
    return statistics.median(samples) * 1000


def interleaved(commands, runs, warmup=3):
    samples = {name: [] for name in commands}
    for i in range(warmup + runs):
        for name, (argv, stdin, *env) in commands.items():
            t = timed(argv, stdin, *env)
            if i >= warmup:
                samples[name].append(t)
    return {name: median_ms(s) for name, s in samples.items()}


def main():
    bin_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, ".build", "release")
    if os.environ.get("BENCH_ONLY") == "cost":
        return cost_benchmarks(os.path.join(bin_dir, "llm-cost"))
    if os.environ.get("BENCH_ONLY") == "serve":
        return serve_benchmarks(bin_dir)
    tool = os.path.join(bin_dir, "llm-complete")
    venv_llm = os.path.join(os.environ.get("XDG_CACHE_HOME", os.path.expanduser("~/.cache")), "llmkit", "venv", "bin", "llm")
    print(f"llmkit benchmarks ({os.cpu_count()} cores; medians; {tool})\n")

    # Startup.
    commands = {"llm-complete --version": ([tool, "--version"], None), "curl --version": (["curl", "--version"], None)}
    startup = interleaved(commands, runs=100)
    for name, ms in startup.items():
        print(f"  startup  {name:<28} {ms:7.2f} ms")
    if os.path.exists(venv_llm):
        python_llm = interleaved({"llm --version (Python)": ([venv_llm, "--version"], None)}, runs=5, warmup=1)
        for name, ms in python_llm.items():
            print(f"  startup  {name:<28} {ms:7.2f} ms   ({ms / startup['llm-complete --version']:.0f}x llm-complete)")
    print(f"  target: under 20 ms -> {'met' if startup['llm-complete --version'] < 20 else 'MISSED'}\n")

    # One request, the same exchange.
    server, base = start_server()
    try:
        body = json.dumps({"model": "bench", "messages": [{"role": "user", "content": "hi"}]})
        commands = {
            "llm-complete": ([tool, "-m", "llamacpp/bench", "--api-base", base, "hi"], b""),
            "curl": (["curl", "-sS", "--fail", "-X", "POST", base + "/chat/completions",
                      "-H", "Content-Type: application/json", "-d", body], None),
        }
        one = interleaved(commands, runs=100)
    finally:
        server.kill()
    ratio = one["llm-complete"] / one["curl"]
    print(f"  request  llm-complete                 {one['llm-complete']:7.2f} ms")
    print(f"  request  curl (same request)          {one['curl']:7.2f} ms")
    print(f"  request  ratio                        {ratio:7.2f} x   target: within 1.5x -> {'met' if ratio <= 1.5 else 'MISSED'}\n")

    # Batch throughput against a 50 ms server.
    server, base = start_server("--delay-ms", "50")
    try:
        lines = "".join(json.dumps({"id": i, "messages": [{"role": "user", "content": f"request {i}"}]}) + "\n"
                        for i in range(200)).encode()
        rates = {}
        for jobs in (1, 8):
            argv = [tool, "-m", "llamacpp/bench", "--api-base", base, "-j", str(jobs)]
            elapsed = statistics.median(timed(argv, lines) for _ in range(3 if jobs == 8 else 1))
            rates[jobs] = 200 / elapsed
            print(f"  batch    200 requests, -j {jobs:<2}         {elapsed:7.2f} s   {rates[jobs]:7.1f} req/s")
    finally:
        server.kill()
    speedup = rates[8] / rates[1]
    print(f"  batch    -j 8 / -j 1                  {speedup:7.2f} x   target: at least 6x -> {'met' if speedup >= 6 else 'MISSED'}\n")

    stream_benchmarks(os.path.join(bin_dir, "llm-stream"))
    serve_benchmarks(bin_dir)
    cost_benchmarks(os.path.join(bin_dir, "llm-cost"))


def cost_benchmarks(cost_tool, records=1_000_000):
    """llm-cost over a month-sized log: a third assistant messages with usage (four models),
    the rest user and tool lines that the byte scan passes over."""
    import tempfile
    lines = [
        b'{"role":"user","content":"summarize the attached report in three bullet points, please"}\n',
        b'{"role":"tool","tool_call_id":"call_1","name":"search","content":"3 results: alpha, beta, gamma"}\n',
    ]
    models = ["openai/gpt-4o", "anthropic/claude-sonnet-4-5", "gemini/gemini-2.5-pro", "ollama/llama3.2"]
    with tempfile.NamedTemporaryFile("wb", suffix=".jsonl", delete=False) as log:
        for i in range(records // 3):
            log.write(lines[0])
            log.write(lines[1])
            log.write(('{"role":"assistant","content":"done","model":"%s","created":%d,"usage":{"input_tokens":%d,'
                       '"cache_read_tokens":%d,"output_tokens":%d}}\n' % (models[i % 4], 1793527200 + i * 2, 1200 + i % 500, i % 3 * 100, 300 + i % 200)).encode())
        path = log.name
    try:
        count = sum(1 for _ in open(path, "rb"))
        size = os.path.getsize(path) / 1e6
        for name, argv in (("summary", [cost_tool]), ("--by day", [cost_tool, "--by", "day"]), ("--annotate", [cost_tool, "--annotate"])):
            samples = []
            for _ in range(3):
                with open(path, "rb") as source, open(os.devnull, "wb") as null:
                    started = time.monotonic()
                    subprocess.run(argv, stdin=source, stdout=null, check=True)
                    samples.append(time.monotonic() - started)
            best = statistics.median(samples)
            print(f"  cost     {count:,} records, {name:<11} {best * 1000:7.0f} ms   {count / best:,.0f} records/s ({size / best:.0f} MB/s)")
        with open(path, "rb") as source:
            proc = subprocess.Popen([cost_tool], stdin=source, stdout=subprocess.DEVNULL)
            _, _, usage = os.wait4(proc.pid, 0)
        print(f"  cost     peak memory, {count:,} records {usage.ru_maxrss / 1024:5.1f} MiB (flat: streamed)")
    finally:
        os.unlink(path)


def max_rss_kb(argv):
    """Peak resident memory of one run, from the kernel's accounting."""
    with open(os.devnull, "wb") as null:
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=null, stderr=null)
        _, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{argv[0]} failed")
    return usage.ru_maxrss


def first_byte_latency_ms(argv, base):
    """From the server writing its first content event to the tool's first byte on stdout."""
    import urllib.request
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    # Skip what comes before the content event (curl prints the role chunk first).
    marker = b"\"x\"" if argv[0] == "curl" else b"x"
    seen = b""
    while marker not in seen:
        byte = proc.stdout.read(1)
        if not byte:
            raise SystemExit(f"{argv[0]} wrote no content")
        seen += byte
    arrived = time.monotonic()
    proc.stdout.read()
    proc.wait()
    with urllib.request.urlopen(base.rsplit("/v1", 1)[0] + "/_first_byte") as r:
        written = json.load(r)["monotonic"]
    return (arrived - written) * 1000


def stream_benchmarks(stream_tool):
    server, base = start_server()
    try:
        body = lambda model: json.dumps({"model": model, "stream": True, "messages": [{"role": "user", "content": "go"}]})
        model = "bench-stream-100000"
        commands = {
            "llm-stream -t": ([stream_tool, "-t", "-m", "llamacpp/" + model, "--api-base", base, "go"], b""),
            "curl -N": (["curl", "-sSN", "--fail", "-X", "POST", base + "/chat/completions",
                         "-H", "Content-Type: application/json", "-d", body(model)], None),
            # A key in the environment is registered, so every piece is scanned for it.
            "key known": ([stream_tool, "-t", "-m", "llamacpp/" + model, "--api-base", base, "go"], b"",
                          dict(os.environ, OPENAI_API_KEY="sk-bench-0123456789abcdef0123456789")),
        }
        times = interleaved(commands, runs=7, warmup=1)
        ratio = times["llm-stream -t"] / times["curl -N"]
        print(f"  stream   100,000 events, llm-stream -t  {times['llm-stream -t']:7.1f} ms")
        print(f"  stream   100,000 events, curl -N        {times['curl -N']:7.1f} ms")
        print(f"  stream   ratio                        {ratio:7.2f} x   target: within 2x -> {'met' if ratio <= 2 else 'MISSED'}")
        print(f"  stream   with a key known (redacting) {times['key known']:7.1f} ms   "
              f"{times['key known'] / times['curl -N']:5.2f} x curl")

        latencies = {"llm-stream -t": [], "curl -N": []}
        for _ in range(15):
            latencies["llm-stream -t"].append(first_byte_latency_ms(
                [stream_tool, "-t", "-m", "llamacpp/first-byte", "--api-base", base, "go"], base))
            latencies["curl -N"].append(first_byte_latency_ms(
                ["curl", "-sSN", "-X", "POST", base + "/chat/completions", "-H", "Content-Type: application/json",
                 "-d", body("first-byte")], base))
        first = {k: statistics.median(v) for k, v in latencies.items()}
        print(f"  stream   first byte out, llm-stream   {first['llm-stream -t']:7.2f} ms after the server wrote it"
              f"   target: under 1 ms -> {'met' if first['llm-stream -t'] < 1 else 'MISSED'}")
        print(f"  stream   first byte out, curl -N      {first['curl -N']:7.2f} ms (same measure)")

        small = max_rss_kb([stream_tool, "-t", "-m", "llamacpp/bench-stream-10000", "--api-base", base, "go"])
        large = max_rss_kb([stream_tool, "-t", "-m", "llamacpp/bench-stream-1000000", "--api-base", base, "go"])
        print(f"  stream   peak memory, 10,000 events    {small / 1024:7.1f} MiB")
        print(f"  stream   peak memory, 1,000,000 events {large / 1024:7.1f} MiB   "
              f"(the reply text itself is 1 MB and is kept for the final message)")
    finally:
        server.kill()


def serve_benchmarks(bin_dir, runs=60):
    """llm-serve's overhead: the same command run directly (spawned, stdin to stdout) and
    as a command agent behind llm-serve, one request at a time over a kept-alive
    connection, interleaved; medians."""
    import http.client
    complete = os.path.join(bin_dir, "llm-complete")
    work = tempfile.mkdtemp()
    agents = os.path.join(work, "agents.yaml")
    with open(agents, "w") as f:
        f.write(f"agents:\n  - name: cmd\n    command: [{complete}, -m, mock/echo]\n"
                f"  - name: inproc\n    model: mock/echo\n")
    server = subprocess.Popen([os.path.join(bin_dir, "llm-serve"), "-f", agents, "--port", "0"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        port = int(server.stderr.readline().rsplit(":", 1)[1].split("/")[0])
        conn = http.client.HTTPConnection("127.0.0.1", port)
        message = json.dumps({"role": "user", "content": "hello there"}).encode() + b"\n"

        def post(agent, stream):
            body = json.dumps({"model": agent, "stream": stream, "messages": [{"role": "user", "content": "hello there"}]})
            start = time.perf_counter()
            conn.request("POST", "/v1/chat/completions", body, {"Content-Type": "application/json"})
            response = conn.getresponse()
            data = response.read()
            elapsed = time.perf_counter() - start
            if response.status != 200 or b"hello there" not in data:
                raise SystemExit(f"llm-serve answered {response.status}: {data[:300]!r}")
            return elapsed

        samples = {"direct": [], "served": [], "served, streamed": [], "in process": []}
        for i in range(3 + runs):
            measured = {"direct": timed([complete, "-m", "mock/echo"], message),
                        "served": post("cmd", False), "served, streamed": post("cmd", True),
                        "in process": post("inproc", False)}
            if i >= 3:
                for name, t in measured.items():
                    samples[name].append(t)
        ms = {name: median_ms(s) for name, s in samples.items()}
        print(f"  serve    command run directly          {ms['direct']:7.2f} ms   (llm-complete -m mock/echo, spawned)")
        print(f"  serve    the same command via llm-serve {ms['served']:6.2f} ms   streamed: {ms['served, streamed']:.2f} ms")
        overhead = ms["served"] - ms["direct"]
        streamed = ms["served, streamed"] - ms["direct"]
        print(f"  serve    overhead per request          {overhead:7.2f} ms   streamed: {streamed:.2f} ms   "
              f"target: under 5 ms -> {'met' if max(overhead, streamed) < 5 else 'MISSED'}")
        print(f"  serve    in-process agent round trip   {ms['in process']:7.2f} ms\n")
    finally:
        server.kill()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
