#!/usr/bin/env python3
"""A tiny MCP server over stdio for llmkit's tests: newline-delimited JSON-RPC 2.0.

Tools: `add` (a + b), `shout` (upper-cases text), `env` (returns its environment as JSON,
so tests can check that secrets were scrubbed), `read` (a file's text, or the error),
`sleep` (answers after `seconds`), `crash` (writes to stderr and exits 3 mid-call),
`huge` (a reply line of `megabytes` MB), `ordered` (a schema whose properties are not in
alphabetical order).

Modes, as arguments: `--silent` reads requests and never answers; `--crash-at-start`
writes an error to stderr and exits 2.
"""
import json
import os
import sys
import time

if "--crash-at-start" in sys.argv:
    sys.stderr.write("mcp_server: cannot load settings.toml: no such file\n")
    sys.exit(2)
SILENT = "--silent" in sys.argv

TOOLS = [
    {"name": "add", "description": "Add two numbers",
     "inputSchema": {"type": "object", "properties": {"a": {"type": "number"}, "b": {"type": "number"}}, "required": ["a", "b"]}},
    {"name": "shout", "description": "Upper-case a text",
     "inputSchema": {"type": "object", "properties": {"text": {"type": "string"}}, "required": ["text"]}},
    {"name": "env", "description": "The server's environment (also written to path, if given)",
     "inputSchema": {"type": "object", "properties": {"path": {"type": "string"}}}},
    {"name": "read", "description": "Read a file",
     "inputSchema": {"type": "object", "properties": {"path": {"type": "string"}}, "required": ["path"]}},
    {"name": "sleep", "description": "Answer after a while",
     "inputSchema": {"type": "object", "properties": {"seconds": {"type": "number"}}}},
    {"name": "crash", "description": "Die in the middle of a call", "inputSchema": {"type": "object", "properties": {}}},
    {"name": "huge", "description": "A very long reply",
     "inputSchema": {"type": "object", "properties": {"megabytes": {"type": "integer"}}}},
    {"name": "ordered", "description": "Properties out of alphabetical order",
     "inputSchema": {"type": "object", "properties": {"zeta": {"type": "string"}, "alpha": {"type": "string"}, "mid": {"type": "string"}}}},
]


def reply(request_id, result=None, error=None):
    message = {"jsonrpc": "2.0", "id": request_id}
    if error is not None:
        message["error"] = error
    else:
        message["result"] = result
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def call(name, args):
    if name == "add":
        total = args["a"] + args["b"]
        return {"content": [{"type": "text", "text": str(total)}], "isError": False}
    if name == "shout":
        return {"content": [{"type": "text", "text": args["text"].upper()}], "isError": False}
    if name == "env":
        text = json.dumps(dict(os.environ))
        if args.get("path"):  # to a file: what reaches stdout is redacted, a file is not
            with open(args["path"], "w") as f:
                f.write(text)
        return {"content": [{"type": "text", "text": text}], "isError": False}
    if name == "sleep":
        time.sleep(args.get("seconds", 1))
        return {"content": [{"type": "text", "text": "slept"}], "isError": False}
    if name == "crash":
        sys.stderr.write("mcp_server: segmentation fault in the widget\n")
        sys.stderr.flush()
        os._exit(3)
    if name == "huge":
        return {"content": [{"type": "text", "text": "x" * (args.get("megabytes", 50) << 20)}], "isError": False}
    if name == "ordered":
        return {"content": [{"type": "text", "text": "ok"}], "isError": False}
    if name == "read":
        try:
            with open(args["path"]) as f:
                return {"content": [{"type": "text", "text": f.read()}], "isError": False}
        except OSError as error:
            return {"content": [{"type": "text", "text": "cannot read: " + str(error)}], "isError": True}
    return {"content": [{"type": "text", "text": "unknown tool " + name}], "isError": True}


for line in sys.stdin:
    line = line.strip()
    if not line:
        continue
    message = json.loads(line)
    method = message.get("method")
    request_id = message.get("id")
    if request_id is None or SILENT:
        continue  # a notification (notifications/initialized), or a server that never answers
    if method == "initialize":
        reply(request_id, {"protocolVersion": message["params"].get("protocolVersion", "2025-06-18"),
                           "capabilities": {"tools": {}},
                           "serverInfo": {"name": "llmkit-test", "version": "1.0"}})
    elif method == "tools/list":
        reply(request_id, {"tools": TOOLS})
    elif method == "tools/call":
        params = message["params"]
        reply(request_id, call(params["name"], params.get("arguments") or {}))
    elif method == "ping":
        reply(request_id, {})
    else:
        reply(request_id, error={"code": -32601, "message": "method not found: " + str(method)})
