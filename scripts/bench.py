#!/usr/bin/env python3
"""llmkit benchmarks: prints figures, asserts nothing. BENCH_ONLY=a,b runs some sections.

  startup   --version and --help of every tool, against a C program that only loads libcurl
            and prints its version (the floor for anything linking libcurl), and curl --version
  request   llm-complete vs curl, the same HTTP exchange with the loopback fake server; and
            the same POST by C, a static Swift program, + Foundation, + ArgumentParser
            (Bench/): the floor each layer llm-complete stands on sets, before its own code
  batch     200 requests against a server that answers after 50 ms, -j 1 vs -j 8
  stream    100,000 SSE events: llm-stream -t vs curl -N, and llm-stream -t with a key
            known (so every piece passes the redactor); first byte out after the
            server's first byte; peak memory at 10,000 and 1,000,000 events
  serve     what llm-serve adds to a request over running its command directly (a
            command agent on mock/echo, over a kept-alive connection), streamed and not,
            and an in-process agent's whole round trip
  serve-load  llm-serve under load (wrk at concurrency 1, 16, 64, 256): requests/s, p50 and
            p99 for GET /health and an in-process mock/echo agent, unary and streamed, and
            the same through a LiteLLM proxy in front of it (scripts/bench_serve_load.py)
  cost      llm-cost over 1,000,000 log records: records/s and peak memory
  tools     llm-tools exec of 1,000 and 10,000 trivial built-in calls and 1,000 command
            calls: calls/s and peak memory
  memory    peak memory of one request and of a 10,000-line batch at -j 8
  peers     the same request through Python's llm, the openai SDK, LiteLLM's completion()
            and a LiteLLM proxy, where their environments exist (make bench-peers)

Runs are interleaved (tool A, tool B, A, B, ...) so machine noise hits all equally;
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

from bench_serve_load import serve_load_benchmarks

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
    tool = lambda name: os.path.join(bin_dir, name)
    # Each section, in the order printed, and what it runs.
    sections = {
        "startup": lambda: startup_benchmarks(bin_dir),
        "request": lambda: request_benchmarks(tool("llm-complete")),
        "batch": lambda: batch_benchmarks(tool("llm-complete")),
        "stream": lambda: stream_benchmarks(tool("llm-stream")),
        "serve": lambda: serve_benchmarks(bin_dir),
        "serve-load": lambda: serve_load_benchmarks(bin_dir, start_litellm_proxy, stop_litellm_proxy),
        "cost": lambda: cost_benchmarks(tool("llm-cost")),
        "tools": lambda: tools_benchmarks(tool("llm-tools")),
        "memory": lambda: memory_benchmarks(tool("llm-complete")),
        "peers": lambda: peer_benchmarks(tool("llm-complete")),
    }
    only = os.environ.get("BENCH_ONLY", "").split(",") if os.environ.get("BENCH_ONLY") else list(sections)
    unknown = [name for name in only if name not in sections]
    if unknown:
        raise SystemExit(f"BENCH_ONLY: unknown section {unknown[0]}; sections are {', '.join(sections)}")
    print(f"llmkit benchmarks ({os.cpu_count()} cores; medians of interleaved runs; {bin_dir})\n")
    for name, run in sections.items():
        if name in only:
            run()


def verdict(ratio, target):
    return f"target: within {target}x -> {'met' if ratio <= target else 'MISSED'}"


_helpers = {}


def c_helper(name):
    """A C program, compiled once per run: the startup floor program, the request floor
    program (Bench/) and the peak-memory runner (scripts/NAME.c)."""
    if name not in _helpers:
        compiler = shutil.which("cc") or shutil.which("clang") or shutil.which("gcc")
        if not compiler:
            raise SystemExit(f"no C compiler (cc, clang or gcc) for {name}")
        out = os.path.join(tempfile.mkdtemp(), name)
        sources = {"curl-floor": [os.path.join(ROOT, "scripts", "curl-floor.c"), "-lcurl"],
                   "request-floor": ["-I", os.path.join(ROOT, "Bench", "Sources", "CRequestFloor", "include"),
                                     os.path.join(ROOT, "Bench", "request-floor.c"),
                                     os.path.join(ROOT, "Bench", "Sources", "CRequestFloor", "request_floor.c"), "-ldl"]}
        subprocess.run([compiler, "-O2", *sources.get(name, [os.path.join(ROOT, "scripts", name + ".c")]), "-o", out],
                       check=True)
        _helpers[name] = out
    return _helpers[name]


def startup_benchmarks(bin_dir, runs=60):
    """--version and --help of every tool against the floor program and curl --version."""
    floor = c_helper("curl-floor")
    tools = ["llm-complete", "llm-stream", "llm-tools", "llm-probe", "llm-cost", "llm-serve"]
    commands = {"C + libcurl floor": ([floor], None), "curl --version": (["curl", "--version"], None)}
    for name in tools:
        for flag in ("--version", "--help"):
            commands[f"{name} {flag}"] = ([os.path.join(bin_dir, name), flag], None)
    times = interleaved(commands, runs=runs)
    base = times["C + libcurl floor"]
    worst = max(ms for name, ms in times.items() if name.startswith("llm-"))
    for name, ms in times.items():
        print(f"  startup  {name:<26} {ms:7.2f} ms   {ms / base:5.2f}x floor")
    print(f"  startup  slowest tool / floor        {worst / base:5.2f} x   {verdict(worst / base, 1.15)}\n")


def request_benchmarks(tool, runs=100):
    """One request, the same exchange with the loopback fake server; then the floor under it:
    the same POST by programs that add, one at a time, the layers llm-complete stands on."""
    floors, problem = request_floors()
    server, base = start_server()
    try:
        body = json.dumps({"model": "bench", "messages": [{"role": "user", "content": "hi"}]})
        url = base + "/chat/completions"
        commands = {
            "llm-complete": ([tool, "-m", "llamacpp/bench", "--api-base", base, "hi"], b""),
            "curl": (["curl", "-sS", "--fail", "-X", "POST", url,
                      "-H", "Content-Type: application/json", "-d", body], None),
        }
        for name, program in floors.items():
            argv = [program, "-m", "llamacpp/bench", "--api-base", base, "hi"] if program.endswith("request-floor-argument-parser") \
                else [program, url, body]
            commands[name] = (argv, b"")
        one = interleaved(commands, runs=runs)
    finally:
        server.kill()
    ratio = one["llm-complete"] / one["curl"]
    print(f"  request  llm-complete                 {one['llm-complete']:7.2f} ms")
    print(f"  request  curl (same request)          {one['curl']:7.2f} ms")
    print(f"  request  ratio                        {ratio:7.2f} x   {verdict(ratio, 1.3)}")
    if problem:
        print(f"  request  (the Swift floor programs did not build: {problem})")
    print("  request  the same POST, one layer added at a time (Bench/Package.swift):")
    for name in [*floors, "llm-complete"]:
        print(f"  request    {name:<32} {one[name]:6.2f} ms   {one[name] / one['curl']:5.2f}x curl")
    print()


def request_floors():
    """The floor programs, by what each adds: C and libcurl (cc), then a static Swift program,
    Foundation, and swift-argument-parser parsing llm-complete's flags (SwiftPM, Bench/,
    with make's swift and release flags). Only the C one, and why, when the Swift ones
    cannot be built."""
    floors = {"C, libcurl opened at run time": c_helper("request-floor")}
    flags = os.environ.get("SWIFT_RELEASE_FLAGS", "-c release --static-swift-stdlib").split()
    swift = os.environ.get("SWIFT", "swift")
    build = [swift, "build", *flags, "--package-path", os.path.join(ROOT, "Bench"),
             "--scratch-path", os.path.join(ROOT, ".build-bench")]
    try:
        result = subprocess.run(build, capture_output=True, text=True)
        if result.returncode == 0:
            result = subprocess.run(build + ["--show-bin-path"], capture_output=True, text=True)
    except OSError as error:
        return floors, str(error)
    if result.returncode != 0:
        return floors, " ".join((result.stderr or result.stdout).split())[-300:]
    bin_dir = result.stdout.strip()
    layers = {"+ a static Swift program": "request-floor-swift",
              "+ Foundation (Yams needs it)": "request-floor-foundation",
              "+ ArgumentParser, the same flags": "request-floor-argument-parser"}
    floors.update({name: os.path.join(bin_dir, program) for name, program in layers.items()})
    return floors, None


def batch_benchmarks(tool):
    """Throughput against a server that answers after 50 ms."""
    server, base = start_server("--delay-ms", "50")
    try:
        rates = {}
        for jobs in (1, 8):
            argv = [tool, "-m", "llamacpp/bench", "--api-base", base, "-j", str(jobs)]
            elapsed = statistics.median(timed(argv, batch_lines(200)) for _ in range(3 if jobs == 8 else 1))
            rates[jobs] = 200 / elapsed
            print(f"  batch    200 requests, -j {jobs:<2}         {elapsed:7.2f} s   {rates[jobs]:7.1f} req/s")
    finally:
        server.kill()
    speedup = rates[8] / rates[1]
    print(f"  batch    -j 8 / -j 1                  {speedup:7.2f} x   target: at least 6x -> {'met' if speedup >= 6 else 'MISSED'}\n")


def batch_lines(count):
    return "".join(json.dumps({"id": i, "messages": [{"role": "user", "content": f"request {i}"}]}) + "\n"
                   for i in range(count)).encode()


def max_rss_with_input(argv, data=None):
    """Peak resident memory of one run (MiB) fed `data` on stdin, measured by scripts/peak-rss.c:
    a process's peak survives exec, so one spawned from Python would start at Python's."""
    with stdin_file(data) as f:
        f.seek(0)
        result = subprocess.run([c_helper("peak-rss"), *argv], stdin=f, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    lines = result.stderr.decode(errors="replace").strip().splitlines()
    if result.returncode != 0 or not lines or not lines[-1].startswith("peak-rss "):
        raise SystemExit(f"{argv[0]} failed ({result.returncode}): {result.stderr.decode(errors='replace')[:300]}")
    return int(lines[-1].split()[1]) / 1024


def memory_benchmarks(tool):
    """Peak memory of one request and of a 10,000-line batch at -j 8."""
    server, base = start_server()
    try:
        argv = [tool, "-m", "llamacpp/bench", "--api-base", base]
        one = statistics.median(max_rss_with_input(argv + ["hi"], b"") for _ in range(5))
        batch = max_rss_with_input(argv + ["-j", "8"], batch_lines(10_000))
        curl = max_rss_with_input(["curl", "-sS", "-X", "POST", base + "/chat/completions", "-H", "Content-Type: application/json",
                                   "-d", json.dumps({"model": "bench", "messages": [{"role": "user", "content": "hi"}]})])
        print(f"  memory   one request, llm-complete     {one:7.1f} MiB   (curl, the same request: {curl:.1f} MiB)")
        print(f"  memory   10,000-line batch, -j 8      {batch:7.1f} MiB\n")
    finally:
        server.kill()


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
            peak = max_rss_with_input([cost_tool], source.read())
        print(f"  cost     peak memory, {count:,} records {peak:5.1f} MiB (flat: streamed)")
    finally:
        os.unlink(path)


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
        times = interleaved(commands, runs=25, warmup=3)
        ratio = times["llm-stream -t"] / times["curl -N"]
        print(f"  stream   100,000 events, llm-stream -t  {times['llm-stream -t']:7.1f} ms")
        print(f"  stream   100,000 events, curl -N        {times['curl -N']:7.1f} ms")
        print(f"  stream   ratio                        {ratio:7.2f} x   {verdict(ratio, 1.5)}")
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

        small = max_rss_with_input([stream_tool, "-t", "-m", "llamacpp/bench-stream-10000", "--api-base", base, "go"])
        large = max_rss_with_input([stream_tool, "-t", "-m", "llamacpp/bench-stream-1000000", "--api-base", base, "go"])
        print(f"  stream   peak memory, 10,000 events    {small:7.1f} MiB")
        print(f"  stream   peak memory, 1,000,000 events {large:7.1f} MiB   "
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



def tools_benchmarks(tools_tool):
    """llm-tools exec on one assistant message with N trivial calls: a built-in read_file of a
    small file (in process) and a command tool (`cat`, a process each)."""
    work = tempfile.mkdtemp()
    try:
        with open(os.path.join(work, "note.txt"), "w") as f:
            f.write("hello\n")
        tools_file = os.path.join(work, "tools.yaml")
        with open(tools_file, "w") as f:
            f.write("root: .\ntools:\n  - builtin: read_file\n"
                    "  - name: echo\n    description: echoes\n    parameters: {type: object}\n    command: [cat]\n")

        def conversation(count, name, arguments):
            calls = [{"id": f"call_{i}", "type": "function", "function": {"name": name, "arguments": arguments}} for i in range(count)]
            return (json.dumps({"role": "user", "content": "go"}) + "\n" +
                    json.dumps({"role": "assistant", "content": None, "tool_calls": calls}) + "\n").encode()

        argv = [tools_tool, "exec", "-f", tools_file]
        for label, name, arguments, counts in (("read_file", "read_file", '{"path":"note.txt"}', (1000, 10000)),
                                               ("command", "echo", '{"x":1}', (1000,))):
            for count in counts:
                data = conversation(count, name, arguments)
                elapsed = statistics.median(timed(argv, data) for _ in range(3))
                rss = max_rss_with_input(argv, data)
                print(f"  tools    exec, {count:>6,} {label:<10} calls   {elapsed * 1000:7.0f} ms   "
                      f"{count / elapsed:9,.0f} calls/s   peak {rss:5.1f} MiB")
        print()
    finally:
        shutil.rmtree(work, ignore_errors=True)


def peer_benchmarks(tool, runs=7):
    """The same exchange through the tools users would otherwise pick, each in a fresh process
    as a script would call it, and through a LiteLLM proxy; where their environments exist
    (make bench-peers builds them)."""
    cache = os.path.join(os.environ.get("XDG_CACHE_HOME", os.path.expanduser("~/.cache")), "llmkit")
    venv_python = os.path.join(cache, "venv", "bin", "python")
    venv_llm = os.path.join(cache, "venv", "bin", "llm")
    litellm_python = os.path.join(cache, "litellm-venv", "bin", "python")
    server, base = start_server()
    work = tempfile.mkdtemp()
    proxy = None
    try:
        body = json.dumps({"model": "bench", "messages": [{"role": "user", "content": "hi"}]})
        commands = {
            "curl": (["curl", "-sS", "--fail", "-X", "POST", base + "/chat/completions",
                      "-H", "Content-Type: application/json", "-d", body], None),
            "llmkit (llm-complete)": ([tool, "-m", "llamacpp/bench", "--api-base", base, "hi"], b""),
        }
        missing = []
        if os.path.exists(venv_llm):
            with open(os.path.join(work, "extra-openai-models.yaml"), "w") as f:
                f.write(f"- model_id: bench\n  model_name: bench\n  api_base: \"{base}\"\n")
            env = dict(os.environ, LLM_USER_PATH=work, OPENAI_API_KEY="sk-bench")
            commands["llm (simonw), -n"] = ([venv_llm, "-m", "bench", "-n", "hi"], b"", env)
        else:
            missing.append("llm")
        sdk = ("from openai import OpenAI\n"
               f"r = OpenAI(base_url={base!r}, api_key='sk-bench').chat.completions.create("
               "model='bench', messages=[{'role': 'user', 'content': 'hi'}])\nprint(r.choices[0].message.content)")
        completion = ("import litellm\n"
                      f"r = litellm.completion(model='openai/bench', api_base={base!r}, api_key='sk-bench', "
                      "messages=[{'role': 'user', 'content': 'hi'}])\nprint(r.choices[0].message.content)")
        if os.path.exists(litellm_python):
            offline = dict(os.environ, LITELLM_LOCAL_MODEL_COST_MAP="True", LITELLM_TELEMETRY="False")
            commands["openai SDK (Python)"] = ([litellm_python, "-c", sdk], None, offline)
            commands["LiteLLM completion()"] = ([litellm_python, "-c", completion], None, offline)
            proxy, proxy_base, proxy_key = start_litellm_proxy(os.path.dirname(os.path.dirname(litellm_python)), base)
            if proxy:
                commands["curl via LiteLLM proxy"] = (["curl", "-sS", "--fail", "-X", "POST", proxy_base + "/v1/chat/completions",
                                                       "-H", "Content-Type: application/json", "-H", f"Authorization: Bearer {proxy_key}",
                                                       "-d", body.replace('"bench"', '"smollm"')], None)
        else:
            missing.append("openai SDK and LiteLLM")
        times = interleaved(commands, runs=runs, warmup=1)
        print(f"  peers    one request to the loopback fake server, a fresh process each ({runs} runs):")
        print(f"  peers    {'':<26} {'time':>9}   {'x curl':>7}   {'x llmkit':>8}")
        for name, ms in times.items():
            print(f"  peers    {name:<26} {ms:7.1f} ms   {ms / times['curl']:6.2f}x   {ms / times['llmkit (llm-complete)']:7.2f}x")
        if missing:
            print(f"  peers    not measured (no environment; make bench-peers builds them): {', '.join(missing)}")
        print()
    finally:
        stop_litellm_proxy(proxy)
        server.kill()
        shutil.rmtree(work, ignore_errors=True)


def stop_litellm_proxy(proxy):
    if proxy:
        proxy.stdin.close()
        proxy.wait(timeout=30)


def start_litellm_proxy(venv, upstream):
    """A LiteLLM proxy in front of `upstream`, through the tests' own script; returns the
    process (stop it by closing its stdin), its base URL and key."""
    child = "echo \"$LLMKIT_TEST_LITELLM_BASE $LLMKIT_TEST_LITELLM_KEY\"; read _ || true"
    proc = subprocess.Popen([os.path.join(ROOT, "scripts", "with-litellm-proxy.sh"), venv, upstream, "--", "sh", "-c", child],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = proc.stdout.readline().split()
    if len(line) != 2:
        proc.kill()
        print("  peers    the LiteLLM proxy did not start")
        return None, None, None
    return proc, line[0], line[1]


if __name__ == "__main__":
    main()
