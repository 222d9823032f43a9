#!/usr/bin/env python3
"""Fake local model servers for llm-probe's tests: `fake_servers.py --kind KIND --port 0`
prints "PORT <n>" once listening on 127.0.0.1.

  ollama     GET / "Ollama is running"; /api/version; /api/tags (two models, and any pulled since);
             /api/ps (one loaded); POST /api/pull streams NDJSON progress, then success (the model
             "no-such-model" fails with an error line)
  llamacpp   GET /health: 503 {"error":{"code":503,"message":"Loading model",...}} for
             --loading SECONDS after start, then 200 {"status":"ok"}; /v1/models (one model); /props
  vllm       GET /version {"version":"0.6.3"}; /v1/models
  lmstudio   GET /api/v0/models (one loaded, one not); /v1/models
  blackhole  accepts connections and never answers
  hostile    an Ollama whose version carries terminal escape sequences and a line break
  page       an HTML page on every path (a web app, not a model server)
--broken-tags  (ollama) /api/tags answers 500
Anything else: 404.
"""
import argparse
import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ARGS = None
STARTED = time.monotonic()
PULLED = []


def answers(path):
    kind = ARGS.kind
    if kind == "hostile" and path == "/api/version":
        return 200, {"version": "0.1\u001b[2J\u001b]0;owned\u0007\nFAKE LINE"}
    if kind == "hostile" and path in ("/api/tags", "/api/ps"):
        return 200, {"models": [{"name": "evil\u001b[31mred", "size": 1}]}
    if kind == "page":
        return 200, "<html><body>Welcome</body></html>"
    if kind == "ollama" and path == "/api/tags" and ARGS.broken_tags:
        return 500, {"error": "internal"}
    if kind == "ollama":
        if path == "/":
            return 200, "Ollama is running"
        if path == "/api/version":
            return 200, {"version": "0.5.7"}
        if path == "/api/tags":
            return 200, {"models": [{"name": "llama3.2:latest", "model": "llama3.2:latest", "size": 2019393189},
                                    {"name": "qwen3:4b", "model": "qwen3:4b", "size": 2600000000}]
                         + [{"name": name + ":latest", "model": name + ":latest", "size": 1000} for name in PULLED]}
        if path == "/api/ps":
            return 200, {"models": [{"name": "llama3.2:latest", "model": "llama3.2:latest", "size_vram": 1}]}
    if kind == "llamacpp":
        loading = time.monotonic() - STARTED < ARGS.loading
        if path == "/health":
            if loading:
                return 503, {"error": {"code": 503, "message": "Loading model", "type": "unavailable_error"}}
            return 200, {"status": "ok"}
        if path == "/v1/models":
            if loading:
                return 503, {"error": {"code": 503, "message": "Loading model", "type": "unavailable_error"}}
            return 200, {"object": "list", "data": [{"id": "smollm2.gguf", "object": "model", "owned_by": "llamacpp",
                                                     "meta": {"size": 100000000}}]}
        if path == "/props":
            return 200, {"build_info": "b4500-abc", "total_slots": 1}
    if kind == "vllm":
        if path == "/version":
            return 200, {"version": "0.6.3"}
        if path == "/v1/models":
            return 200, {"object": "list", "data": [{"id": "Qwen/Qwen2.5-7B-Instruct", "object": "model"}]}
    if kind == "lmstudio":
        if path == "/api/v0/models":
            return 200, {"object": "list", "data": [{"id": "qwen2.5-7b-instruct", "state": "loaded", "type": "llm"},
                                                    {"id": "llama-3.2-1b", "state": "not-loaded", "type": "llm"}]}
        if path == "/v1/models":
            return 200, {"object": "list", "data": [{"id": "qwen2.5-7b-instruct"}, {"id": "llama-3.2-1b"}]}
    return 404, {"error": "not found"}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
        if ARGS.kind != "ollama" or self.path != "/api/pull":
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        name = body.get("model", "")
        self.send_response(200)
        self.send_header("Content-Type", "application/x-ndjson")
        self.send_header("Connection", "close")
        self.end_headers()
        lines = [{"status": "pulling manifest"}]
        if name == "no-such-model":
            lines.append({"error": "pull model manifest: file does not exist"})
        else:
            for done in (0, 500, 1000):
                lines.append({"status": "pulling abc123", "digest": "sha256:abc123", "total": 1000, "completed": done})
            lines += [{"status": "verifying sha256 digest"}, {"status": "writing manifest"}, {"status": "success"}]
            PULLED.append(name)
        for line in lines:
            self.wfile.write((json.dumps(line) + "\n").encode())
            self.wfile.flush()

    def do_GET(self):
        status, payload = answers(self.path.split("?")[0])
        data = (payload if isinstance(payload, str) else json.dumps(payload)).encode()
        self.send_response(status)
        self.send_header("Content-Type", ("text/html" if payload.startswith("<") else "text/plain") if isinstance(payload, str) else "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(data)


def blackhole(port):
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", port))
    server.listen(64)
    print("PORT", server.getsockname()[1], flush=True)
    held = []
    while True:
        connection, _ = server.accept()
        held.append(connection)  # never read, never answered


def main():
    global ARGS
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--kind", required=True)
    parser.add_argument("--loading", type=float, default=0)
    parser.add_argument("--broken-tags", action="store_true")
    ARGS = parser.parse_args()
    if ARGS.kind == "blackhole":
        blackhole(ARGS.port)
        return
    server = ThreadingHTTPServer(("127.0.0.1", ARGS.port), Handler)
    print("PORT", server.server_address[1], flush=True)
    server.serve_forever()


main()
